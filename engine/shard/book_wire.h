/* A group task's orders on the wire: what eng_book_build made of one bucket's rows, put
 * back together on the other side into the book a single-machine run would have built.
 *
 *   group j   one per bucket: for every batch of the night (in file and chunk order), the
 *             final flags of its rows in the bucket's partitions and their exceptions
 *             (bucket 0 also the rows without an order id and their counts); then each of
 *             the bucket's partitions: its orders, sorted by id as the orders stage leaves
 *             them, each with its resolved head and its lines, and its exceptions
 *
 * An order travels with every value the later stages read of it, so the allocation and
 * the writers cannot tell a loaded book from one built in the same process. */
#ifndef ENG_BOOK_WIRE_H
#define ENG_BOOK_WIRE_H

#include "../book/orders.h"
#include "batch_wire.h"

/* Encode bucket `bucket` of n_buckets: bs's row flags and exceptions of that bucket and
 * book's partitions of it (the book built from those rows only, eng_book_build_some),
 * handing out to flush(ctx) whenever it holds a MB. flush's failure is returned;
 * ENG_INTERNAL for an exception found in another bucket's rows. */
eng_rc eng_book_wire_put(const eng_batches *bs, const eng_book *book, unsigned bucket,
                         unsigned n_buckets, fmt_buf *out, eng_wire_flush flush, void *ctx,
                         eng_err *err);

/* Putting a night's book together from every group task's file. */
typedef struct eng_book_loader eng_book_loader;

/* bs: the night's batches as the map tasks' facts describe them (eng_wire_loader_take
 * with no rows), which the loader completes with row flags and exceptions; it must
 * outlive the loader. ENG_NOMEM. */
eng_rc eng_book_loader_new(const eng_setup *setup, eng_batches *bs, unsigned n_buckets,
                           eng_book_loader **out, eng_err *err);
void eng_book_loader_free(eng_book_loader *l);

/* Decode group task `bucket`'s file from x as it is read (the caller then checks its end
 * and digest: fmt_exchange_finish_in). Calls for different buckets may run at once.
 * ENG_REFUSED naming `what` for a file that does not decode; ENG_NOMEM. */
eng_rc eng_book_load_group(eng_book_loader *l, unsigned bucket, struct fmt_exchange_in *x,
                           const char *what, eng_err *err);

/* The night's book once every group file is in (every exception of every batch given);
 * the loader gives it up. ENG_REFUSED when the files do not fit together. */
eng_rc eng_book_loader_take(eng_book_loader *l, eng_book **out, eng_err *err);

#endif
