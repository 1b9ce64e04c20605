/* A map task's checked rows on the wire: what eng_batches_read made of the task's share
 * of the orders files, cut by order identity into the night's buckets, and put back
 * together by a group task into the eng_batches a single-machine run would have read
 * (its bucket's rows; the finishing task takes only the batches' shapes).
 *
 *   facts      one per map task: its files' facts, its warnings, and each batch's shape
 *              (file, chunk, row count per order partition, exception count)
 *   bucket j   one per map task and bucket: the rows of the partitions p with
 *              p % buckets == j (bucket 0 also the rows without an order id) and their
 *              exceptions, batch by batch
 *
 * A row travels with every value the later stages read of it (its keyed digest included,
 * so the map tasks of a night share the digest key: the plan's), so the loaded batches are
 * the ones a single process would have read, file for file and chunk for chunk: the orders
 * stage and everything after it cannot tell them apart. */
#ifndef ENG_BATCH_WIRE_H
#define ENG_BATCH_WIRE_H

#include "../../formats/buf.h"
#include "../intake/ingest.h"
#include "wire_items.h"

/* The bucket order partition p belongs to in a night of n_buckets. */
static inline unsigned eng_bucket_of_part(size_t p, unsigned n_buckets)
{
    return p < ENG_PARTS ? (unsigned)(p % n_buckets) : 0;
}

/* The bucket exception e of grouped batch b travels in: its row's, bucket 0 for one tied
 * to no row. */
static inline unsigned eng_bucket_of_exc(const eng_batch *b, const eng_exc *e, unsigned n_buckets)
{
    return e->row == UINT32_MAX ? 0 : eng_bucket_of_part(eng_batch_part_of(b, e->row), n_buckets);
}

/* A batch's exception as the map tasks' and group tasks' files carry it: its index in
 * the batch's list, then the exception. */
void eng_wire_put_batch_exc(fmt_buf *b, size_t at, const eng_exc *x);

/* One such exception of batch bt (bt->exc.n > 0) decoded from s, its texts into mem: 1
 * when it is whole and of bucket `bucket` of n_buckets (*at and *got then hold it); else
 * 0, with s->in.bad set, a read's failure in s->rc, or *ok cleared (memory). */
int eng_wire_get_batch_exc(eng_wire_stream *s, const eng_batch *bt, unsigned bucket,
                           unsigned n_buckets, size_t n_sources, eng_arena *mem, size_t *at,
                           eng_exc *got, int *ok);

/* Encode the facts of the files `mine` (per orders file, 1 for the task's) and of bs's
 * batches, and the setup's warnings. The buffer remembers an allocation failure. */
void eng_wire_put_facts(const eng_setup *setup, const eng_batches *bs, const unsigned char *mine,
                        fmt_buf *out);

/* Encode bucket `bucket` of n_buckets of bs's (grouped) batches into out, handing it to
 * flush(ctx) whenever it holds a MB (flush empties it); what is left at the end is the
 * caller's. flush's failure is returned. Bucket j holds the rows of the partitions p with
 * p % n_buckets == j (bucket 0 also the rows without an order id) and their exceptions. */
typedef eng_rc (*eng_wire_flush)(void *ctx, fmt_buf *b, eng_err *err);
eng_rc eng_wire_put_bucket(const eng_batches *bs, unsigned bucket, unsigned n_buckets, fmt_buf *out,
                           eng_wire_flush flush, void *ctx, eng_err *err);

/* Putting a night's batches back together from every map task's files. */
typedef struct eng_wire_loader eng_wire_loader;

eng_rc eng_wire_loader_new(const eng_setup *setup, unsigned n_tasks, unsigned n_buckets,
                           eng_wire_loader **out, eng_err *err);
void eng_wire_loader_free(eng_wire_loader *l);

/* Decode map task `task`'s facts (every task's before any bucket). what names the file
 * in messages. ENG_REFUSED for a payload that does not decode; ENG_NOMEM. */
eng_rc eng_wire_load_facts(eng_wire_loader *l, unsigned task, const fmt_buf *payload,
                           const char *what, eng_err *err);

/* Decode map task `task`'s bucket `bucket` from x, as it is read (the caller then checks
 * its end and digest: fmt_exchange_finish_in). Calls for different buckets may run at
 * once (each bucket's rows go to their own store chains and arena). */
struct fmt_exchange_in;
eng_rc eng_wire_load_bucket(eng_wire_loader *l, unsigned task, unsigned bucket,
                            struct fmt_exchange_in *x, const char *what, eng_err *err);

/* The night's batches, in (file, chunk) order, once every facts file and the bucket files
 * wanted are in: here[p] != 0 for the partitions whose rows were loaded (here[ENG_PARTS]:
 * the rows without an order id; NULL: none, the batches' shapes only). The exceptions
 * are the loaded buckets' (the others' slots hold a NULL message). The loader gives them
 * up. */
eng_rc eng_wire_loader_take(eng_wire_loader *l, const unsigned char *here, eng_batches **out,
                            eng_err *err);

#endif
