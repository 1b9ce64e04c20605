/* Each input's facts live with the stage that read it (setup.h, eng_file_facts): the
 * orders files with the batches, returns and history with their products, the reference
 * files with the setup. */
#include "products.h"

#include <assert.h>

const eng_file_facts *eng_products_facts(const eng_products *p, size_t source)
{
    const eng_setup *s = p->setup;
    assert(source < s->n_sources);
    if (source < s->n_order_files)
        return &p->batches->files[source];
    if (source < s->first_return_file + s->n_return_files)
        return &p->returns->files[source - s->first_return_file];
    if (source < s->first_history_file + s->n_history_files)
        return eng_history_facts(p->history, source - s->first_history_file);
    return eng_setup_facts(s, source);
}
