/* Where the night's grouped rows live between intake and the orders stage.
 *
 * Each reading worker keeps, per order partition, a chain of blocks; a batch's rows of
 * partition p are a run in its worker's chain p (the batch's part_rows[p] points at it).
 * The orders stage reads partition p's rows where they lie and then releases every
 * worker's chain p at once, so no row is ever copied from batch to partition and a night
 * never holds all its rows and all its lines. Blocks under 256 KiB stay in the heap, where
 * the next partitions' orders and lines take their pages; larger ones are mapped apart
 * and go back to the system (base/heap.h). */
#ifndef ENG_ROWSTORE_H
#define ENG_ROWSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "../record/record.h"

typedef struct eng_rowstore eng_rowstore;

/* A store for n_workers writers. expected_rows: the night's rows as estimated before
 * reading (0 when unknown), so that a chain's first block holds about its share. */
eng_rowstore *eng_rowstore_new(unsigned n_workers, uint64_t expected_rows);
void eng_rowstore_free(eng_rowstore *s);

/* Room for n rows of partition p (p <= ENG_PARTS; ENG_PARTS: the rows without an order
 * id) at the end of worker's chain p, mapped and ready to be written. Only worker calls
 * it for its chains. NULL when out of memory. */
eng_row *eng_rowstore_take(eng_rowstore *s, unsigned worker, size_t p, size_t n);

/* Free every worker's chain p: every batch's part_rows[p] becomes dangling (the caller
 * sets them NULL). Calls for different p may run at once; none may run beside a take. */
void eng_rowstore_release(eng_rowstore *s, size_t p);

#endif
