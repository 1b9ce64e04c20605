/* From checked rows to orders: grouping, the checks that need a whole order, and each
 * order's verdict before allocation (valid, or REJECTED with its status code).
 *
 * Work is split by partition (a hash of the order id picks one of ENG_PARTS), so that
 * all rows of one order id, from every file, are handled by one task, which visits them
 * in input order (file, then line). That makes every decision here (which file's order
 * came first, which row disagrees with which, which repeat is the duplicate) the same
 * as a single-threaded pass. */
#ifndef ENG_ORDERS_H
#define ENG_ORDERS_H

#include "../record/night.h"
#include "../base/pool.h"

/* Build night->parts and night->orders (every order, sorted by id, file, line) from
 * night->batches. ENG_NOMEM only; bad data becomes exceptions. */
eng_rc eng_orders_build(eng_night *night, eng_pool *pool, eng_err *err);

/* Count each order file's rows that carry a code towards max_error_rate into
 * sources[].bad_rows. Call after eng_orders_build. */
void eng_orders_count_bad(eng_night *night);

#endif
