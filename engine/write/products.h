/* What the writers read: every stage's product, read-only. The writers write only the
 * output folder (through the setup's outdir, which is theirs from here on) and their own
 * results (eng_outputs, totals, alerts, analysis). */
#ifndef ENG_PRODUCTS_H
#define ENG_PRODUCTS_H

#include "../allocate/alloc.h"
#include "../allocate/returns.h"
#include "../book/orders.h"
#include "../intake/history.h"
#include "../intake/ingest.h"
#include "../setup/setup.h"

typedef struct eng_products {
    const eng_setup *setup;
    const eng_batches *batches;
    const eng_book *book;
    const eng_history *history; /* NULL without --history */
    const eng_returns *returns; /* NULL without --returns */
    const eng_allocation *alloc;
} eng_products;

/* The facts of input `source` (any role), from the product of the stage that read it. */
const eng_file_facts *eng_products_facts(const eng_products *p, size_t source);

#endif
