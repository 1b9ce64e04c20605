/* Merging many sorted runs into one list, on every thread of a pool.
 *
 * The book sorts each partition's orders by id and the allocation ranks each partition's
 * valid orders, both on all threads; the night's list is then the merge of 256 runs.
 * One thread merging them all was a serial stretch of the run (0.05 s of a 1.9 s night
 * at two threads). Here the output is cut into slices at splitter elements taken from
 * the longest run; a slice holds, from every run, the elements from one splitter up to
 * the next (found by binary search), so slices are merged independently, each into its
 * own range of the output. The comparison is a total order, so the list is the same
 * whatever the slices and however many threads merge them.
 *
 * Each element has a key of two integers that orders as the comparison does whenever the
 * keys differ (the heap compares keys in place and calls cmp only on a tie). */
#ifndef ENG_KMERGE_H
#define ENG_KMERGE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "pool.h"

typedef struct eng_kmerge {
    size_t n_runs;
    const size_t *run_len;
    const void *ctx;
    /* element i of run r */
    const void *(*at)(const void *ctx, size_t r, size_t i);
    /* its key: key[0] first, then key[1]; equal keys are decided by cmp */
    void (*key)(const void *elem, uint64_t key[2]);
    /* <0, 0, >0: a total order, never 0 for two different elements */
    int (*cmp)(const void *a, const void *b);
    /* NULL, or ask for what key() will read of a run's next element, and for the one
     * after it (NULL at the run's end): the run's turn comes again only after the other
     * runs have had theirs, so a record asked for here has arrived by then, and the next
     * call can follow its pointers */
    void (*ahead)(const void *next, const void *after);
} eng_kmerge;

/* Write every element of every run, in order, to out: an array of total pointers to
 * the elements' type (each stored as by memcpy of the pointer). ENG_NOMEM (err says so)
 * when the slices' bounds or a slice's heap cannot be held. */
eng_rc eng_kmerge_run(eng_pool *pool, const eng_kmerge *m, void *out, eng_err *err);

#endif
