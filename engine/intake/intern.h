/* The night's table of repeated order-level texts (eng_head_common): heads with the same
 * channel, ship_country, ship_service and currency share one tuple instead of copying
 * the four texts each time.
 *
 * Every worker of the intake reads through its own small cache and takes the table's
 * lock only on a miss, which after the first few orders of a night is rare. A tuple
 * never moves or dies before the table, which lives as long as the heads (the intake's
 * product owns it). */
#ifndef ENG_INTERN_H
#define ENG_INTERN_H

#include <stdint.h>

#include "../base/siphash.h"
#include "../record/record.h"

typedef struct eng_intern eng_intern;

/* A table whose hash is keyed with key (the run's: drawn at random, so that no file can
 * be written to collide). NULL when out of memory. */
eng_intern *eng_intern_new(eng_sip_key key);
void eng_intern_free(eng_intern *t);

/* Tuples in the table (for tests and metrics). */
size_t eng_intern_count(eng_intern *t);

#define ENG_INTERN_CACHE 64

/* One worker's recent tuples, by hash; zero-initialised. */
typedef struct eng_intern_cache {
    struct {
        uint64_t hash;
        const eng_head_common *common;
    } slot[ENG_INTERN_CACHE];
} eng_intern_cache;

/* The shared tuple holding the common texts of texts[] (indexed by eng_ht), or NULL when
 * they are not to be shared (the table is full or a text is long: a hostile night cannot
 * grow it without bound) or memory ran out; the caller then makes a private tuple. */
const eng_head_common *eng_intern_common(eng_intern *t, eng_intern_cache *cache,
                                         const eng_text *texts);

#endif
