/* Ranked reservation of stock for valid orders, and slip numbers.
 *
 * Result: every valid order is SHIPPED, PARTIAL (partial policy) or BACKORDERED, each
 * line knows which slots serve it, and shipped orders have consecutive slip numbers in
 * rank order, one per warehouse (warehouses in allocation order). The result is the
 * one a single thread would get by taking the orders one by one in rank order, for any
 * number of threads; alloc.c explains why. */
#ifndef ENG_ALLOC_H
#define ENG_ALLOC_H

#include "../record/night.h"
#include "../base/pool.h"

/* Set up night->stock from the inventory: each slot's free units are on hand minus
 * safety stock, never below 0 (also kept in night->initial_free). ENG_NOMEM. */
eng_rc eng_alloc_prepare(eng_night *night, eng_err *err);

/* Rank night->orders' valid ones into night->ranked, allocate their outstanding units
 * from the counters as they stand (after returns and exchanges), number slips after the
 * exchange slips. ENG_NOMEM. */
eng_rc eng_alloc_run(eng_night *night, eng_pool *pool, eng_err *err);

/* Warehouse ranks an order ships from, ascending and distinct, into ranks (capacity
 * cap); returns how many. */
size_t eng_alloc_order_warehouses(const eng_night *night, const eng_order *o, uint32_t *ranks,
                                  size_t cap);

/* The parts of a line (n_parts of them). A line with one part keeps only its slot, so
 * that part is built in *one, which must outlive the use of the result. */
const eng_part *eng_alloc_line_parts(const eng_line *ln, eng_part *one);

#endif
