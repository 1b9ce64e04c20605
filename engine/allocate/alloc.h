/* Ranked reservation of stock for valid orders, and slip numbers.
 *
 * Result: every valid order is SHIPPED, PARTIAL (partial policy) or BACKORDERED, each
 * line knows which slots serve it, and shipped orders have consecutive slip numbers in
 * rank order, one per warehouse (warehouses in allocation order). The result is the
 * one a single thread would get by taking the orders one by one in rank order, for any
 * number of threads; alloc.c explains why. */
#ifndef ENG_ALLOC_H
#define ENG_ALLOC_H

#include "../record/record.h"
#include "../base/pool.h"
#include "../book/orders.h"
#include "../intake/history.h"
#include "../setup/setup.h"
#include "stock.h"

/* The allocation stage's product: the stock counters and what they started from, the
 * units returned to stock tonight, the valid orders in rank order, slip numbers. Each
 * order's status and slips and each line's parts are written into the book's records. */
typedef struct eng_allocation {
    eng_stock *stock;
    int64_t *initial_free; /* per slot, counters before returns and orders */
    int64_t *restocked;    /* per slot, units returned to stock tonight (returns) */
    eng_order **ranked;    /* valid orders in rank order */
    size_t n_ranked;
    eng_arena *mem;            /* split lines' parts (only the serial walk splits lines) */
    uint64_t n_slips;          /* orders' slips tonight */
    uint64_t n_exchange_slips; /* exchange replacements' slips, which come first */
    struct eng_routes *routes; /* the policy's routes and channel lists, or NULL (route.h) */
    struct eng_shares *shares; /* the policy's reserves and caps, or NULL (share.h) */
    struct eng_routing *routing; /* under routes, per ranked order: routing.csv's facts
                                    (explain.h), else NULL */
    struct eng_route_note *notes; /* their notes, a warehouse's worth per ranked order */
} eng_allocation;

/* Set up the stock counters from the setup's inventory: each slot's free units are on
 * hand minus safety stock, never below 0 (also kept in initial_free), and the policy's
 * routes. Returns are decided on it next (eng_returns_decide), then eng_allocation_run.
 * ENG_NOMEM. */
eng_rc eng_allocation_prepare(const eng_setup *setup, eng_allocation **out, eng_err *err);

/* Rank the book's valid orders, allocate their outstanding units from the counters as
 * they stand (after returns and exchanges), number slips after history's of the run date
 * and the exchange slips. Writes the book's orders and lines. ENG_NOMEM. */
eng_rc eng_allocation_run(const eng_setup *setup, eng_book *book, const eng_history *history,
                          eng_allocation *al, eng_err *err);
void eng_allocation_free(eng_allocation *al);

/* Warehouse ranks an order ships from, ascending and distinct, into ranks (capacity
 * cap); returns how many. */
size_t eng_alloc_order_warehouses(const eng_inventory *inv, const eng_order *o, uint32_t *ranks,
                                  size_t cap);

/* The parts of a line (n_parts of them). A line with one part keeps only its slot, so
 * that part is built in *one, which must outlive the use of the result. */
const eng_part *eng_alloc_line_parts(const eng_line *ln, eng_part *one);

#endif
