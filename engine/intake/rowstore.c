/* Chains of blocks behind rowstore.h. Invariant per block: used <= cap, and the pages
 * under rows[0 .. used) are mapped, up to mapped_end (a page boundary). */
#include "rowstore.h"

#include <assert.h>
#include <stdlib.h>

#include "../base/heap.h"

typedef struct block {
    struct block *next; /* the block filled before this one */
    size_t cap, used;
    uintptr_t mapped_end; /* a page boundary (or the start of rows) */
    eng_row rows[];
} block;

struct eng_rowstore {
    unsigned n_workers;
    size_t block_rows;  /* a partition chain's usual block */
    block **chains;     /* [worker * (ENG_PARTS + 1) + p]: the block being filled */
};

/* The smallest block: 64 KiB. */
#define MIN_BLOCK_ROWS (((size_t)64 << 10) / sizeof(eng_row))

eng_rowstore *eng_rowstore_new(unsigned n_workers, uint64_t expected_rows)
{
    eng_rowstore *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n_workers = n_workers ? n_workers : 1;
    s->chains = calloc((size_t)s->n_workers * (ENG_PARTS + 1), sizeof *s->chains);
    if (!s->chains) {
        free(s);
        return NULL;
    }
    /* A worker's share of a partition, and a quarter more, so that most chains are one
     * block. Pages past what is written are never touched, so an estimate too high costs
     * no memory. */
    uint64_t share = expected_rows / ENG_PARTS / s->n_workers;
    share += share / 4;
    s->block_rows = share > MIN_BLOCK_ROWS ? (size_t)share : MIN_BLOCK_ROWS;
    return s;
}

static void free_chain(block *b)
{
    while (b) {
        block *next = b->next;
        free(b);
        b = next;
    }
}

void eng_rowstore_free(eng_rowstore *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < (size_t)s->n_workers * (ENG_PARTS + 1); i++)
        free_chain(s->chains[i]);
    free(s->chains);
    free(s);
}

eng_row *eng_rowstore_take(eng_rowstore *s, unsigned worker, size_t p, size_t n)
{
    assert(worker < s->n_workers && p <= ENG_PARTS);
    block **chain = &s->chains[(size_t)worker * (ENG_PARTS + 1) + p];
    block *b = *chain;
    if (!b || b->cap - b->used < n) {
        /* Rows without an order id are few: their chain starts small. */
        size_t cap = p == ENG_PARTS ? MIN_BLOCK_ROWS : s->block_rows;
        if (cap < n)
            cap = n;
        block *fresh = malloc(sizeof *fresh + cap * sizeof(eng_row));
        if (!fresh)
            return NULL;
        fresh->next = b;
        fresh->cap = cap;
        fresh->used = 0;
        fresh->mapped_end = (uintptr_t)fresh->rows;
        *chain = b = fresh;
    }
    eng_row *at = &b->rows[b->used];
    b->used += n;
    /* Map the pages the run reaches into in one call rather than a fault a page, and no
     * page beyond: with a chain per worker and partition, mapping ahead of the writes
     * held up to 32 MB of pages nothing used yet. */
    uintptr_t end = (uintptr_t)&b->rows[b->used];
    if (end > b->mapped_end) {
        eng_heap_prefault((void *)b->mapped_end, end - b->mapped_end);
        b->mapped_end = (end + 4095) & ~(uintptr_t)4095; /* a larger page: a call too many */
    }
    assert(b->used <= b->cap);
    return at;
}

void eng_rowstore_release(eng_rowstore *s, size_t p)
{
    assert(p <= ENG_PARTS);
    for (unsigned w = 0; w < s->n_workers; w++) {
        block **chain = &s->chains[(size_t)w * (ENG_PARTS + 1) + p];
        free_chain(*chain);
        *chain = NULL;
    }
}
