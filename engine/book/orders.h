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

#include "../record/record.h"
#include "../base/pool.h"
#include "../intake/history.h"
#include "../intake/ingest.h"
#include "../setup/setup.h"

/* The book stage's product: every order of the night, grouped from the batches' rows,
 * checked as a whole, with its verdict before allocation. Orders and their lines live in
 * their partition's arena; the allocation stage writes their results (status, slips,
 * each line's parts) into them. */
typedef struct eng_book {
    eng_partition parts[ENG_PARTS];
    eng_order **orders; /* every order, sorted by (id, file, line), copies set aside too */
    size_t n_orders;
    size_t n_aside; /* of those, copies set aside (ENG_ORD_DUPLICATE): no status row */
} eng_book;

/* Build the book from the batches, with history for what earlier nights shipped (NULL
 * without --history). Takes the batches' rows: each is freed as its partition is built,
 * and its final flags are written back to its batch (row_flags), which keeps them with
 * its exceptions for the writers. ENG_NOMEM only; bad data becomes exceptions. */
eng_rc eng_book_build(const eng_setup *setup, eng_batches *batches, const eng_history *history,
                      eng_book **out, eng_err *err);

/* The same for the partitions p with here[p] != 0 only (here[ENG_PARTS]: the rows without
 * an order id), whose rows are all in the batches; the others stay empty and their rows
 * untouched. A sharded night's group task holds only its bucket's rows (engine/shard). */
eng_rc eng_book_build_some(const eng_setup *setup, eng_batches *batches, const eng_history *history,
                           const unsigned char *here, eng_book **out, eng_err *err);

/* book->orders from its partitions, each sorted by (id, file, line) as eng_book_build
 * leaves them: for a book whose partitions were filled elsewhere. ENG_NOMEM. */
eng_rc eng_book_list(const eng_setup *setup, eng_book *book, eng_err *err);

void eng_book_free(eng_book *book);

#endif
