/* Batches on the wire (batch_wire.h). Every value is written as the row holds it (the
 * 32-bit fields with their "in extra" markers, the extras behind them), so decoding
 * rebuilds the same row, not one that merely reads the same; heads and ids that
 * consecutive rows share in memory are sent once and shared again on arrival. */
#include "batch_wire.h"

#include <stdlib.h>
#include <string.h>

#include "../base/hash.h"
#include "../base/warn.h"
#include "wire_items.h"

enum {
    HAS_ID = 1 << 0,
    SAME_ID = 1 << 1, /* the previous row's id, shared */
    HAS_HEAD = 1 << 2,
    SAME_HEAD = 1 << 3, /* the previous row's head, shared */
    HAS_EXTRA = 1 << 4,
    HAS_KEY = 1 << 5,
    HAS_BIG = 1 << 6,
};

/* ---- encoding ---- */

static void put_row(fmt_buf *b, const eng_row *r, const eng_row *prev)
{
    unsigned has = 0;
    if (r->order_id)
        has |= HAS_ID | (prev && prev->order_id == r->order_id ? SAME_ID : 0);
    if (r->head)
        has |= HAS_HEAD | (prev && prev->head == r->head ? SAME_HEAD : 0);
    if (r->extra)
        has |= HAS_EXTRA | (r->extra->key ? HAS_KEY : 0) | (r->extra->big ? HAS_BIG : 0);
    wire_put_u64(b, has);
    if ((has & (HAS_ID | SAME_ID)) == HAS_ID)
        eng_wire_put_text(b, r->order_id, eng_row_id_len(r));
    if ((has & (HAS_HEAD | SAME_HEAD)) == HAS_HEAD)
        eng_wire_put_head(b, r->head);
    if (has & HAS_EXTRA) {
        const eng_row_extra *x = r->extra;
        wire_put_i64(b, x->open_qty);
        if (x->key) {
            eng_wire_put_text(b, x->key->id, x->key->len);
            wire_put_i64(b, x->key->updated_ns);
        }
        if (x->big) {
            wire_put_i64(b, x->big->qty);
            wire_put_i64(b, x->big->unit_mant);
            wire_put_u64(b, x->big->line);
        }
    }
    fmt_buf_put(b, r->rec_digest, sizeof r->rec_digest);
    /* a partition's rows of a batch come in file order: their lines as steps */
    wire_put_i64(b, (int64_t)r->line - (prev ? (int64_t)prev->line : 0));
    wire_put_i64(b, r->qty);
    wire_put_i64(b, r->unit_mant);
    wire_put_i64(b, r->product);
    wire_put_u64(b, r->file);
    wire_put_u64(b, r->flags);
    wire_put_u64(b, r->unit_frac);
    wire_put_u64(b, r->worst);
    wire_put_u64(b, r->order_state);
    wire_put_u64(b, r->line_state);
}

void eng_wire_put_facts(const eng_setup *setup, const eng_batches *bs, const unsigned char *mine,
                        fmt_buf *out)
{
    size_t n_mine = 0;
    for (size_t f = 0; f < bs->n_files; f++)
        n_mine += mine[f] != 0;
    wire_put_u64(out, bs->n_files);
    wire_put_u64(out, n_mine);
    for (size_t f = 0; f < bs->n_files; f++) {
        if (!mine[f])
            continue;
        const eng_file_facts *ff = &bs->files[f];
        wire_put_u64(out, f);
        wire_put_text_or_null(out, ff->format);
        wire_put_text_or_null(out, ff->encoding);
        wire_put_text_or_null(out, ff->date_order);
        for (int c = 0; c < FMT_COL_COUNT; c++)
            wire_put_text_or_null(out, ff->col_label[c]);
        wire_put_u64(out, ff->no_column);
        wire_put_u64(out, ff->own_column);
        wire_put_u64(out, ff->bytes);
        wire_put_bytes(out, ff->sha256, strlen(ff->sha256));
        wire_put_u64(out, ff->data_rows);
    }
    /* Only the warnings about the task's own files: the setup's (catalog, inventory,
     * policy) every process of the night finds again for itself. */
    size_t n_warn = 0, n_all = eng_warnings_count(setup->warnings);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            wire_put_u64(out, n_warn);
        for (size_t i = 0; i < n_all; i++) {
            size_t source;
            uint64_t line;
            eng_warnings_where(setup->warnings, i, &source, &line);
            if (source >= bs->n_files || !mine[source])
                continue;
            if (pass == 0) {
                n_warn++;
                continue;
            }
            wire_put_u64(out, source);
            wire_put_u64(out, line);
            wire_put_text_or_null(out, eng_warnings_text(setup->warnings, i));
        }
    }
    wire_put_u64(out, bs->n);
    for (size_t i = 0; i < bs->n; i++) {
        const eng_batch *bt = bs->items[i];
        assert(!bt->rows); /* grouped */
        wire_put_u64(out, bt->file);
        wire_put_u64(out, bt->seq);
        wire_put_u64(out, bt->n_rows);
        wire_put_u64(out, bt->swallowed_lines);
        for (size_t p = 0; p < ENG_PARTS; p++)
            wire_put_u64(out, bt->part_start[p + 1] - bt->part_start[p]);
        wire_put_u64(out, bt->exc.n);
    }
}

void eng_wire_put_batch_exc(fmt_buf *b, size_t at, const eng_exc *x)
{
    wire_put_u64(b, at);
    eng_wire_put_exc(b, x);
}

#define FLUSH_AT (1u << 20)

typedef struct bucket_out {
    fmt_buf *out;
    eng_wire_flush flush;
    void *ctx;
    eng_err *err;
} bucket_out;

static eng_rc put_rows(bucket_out *o, const eng_batch *bt, size_t p)
{
    const eng_row *prev = NULL;
    for (uint32_t j = 0; j < eng_batch_part_count(bt, p); j++) {
        put_row(o->out, &bt->part_rows[p][j], prev);
        prev = &bt->part_rows[p][j];
        if (o->out->len >= FLUSH_AT)
            ENG_TRY(o->flush(o->ctx, o->out, o->err));
    }
    return ENG_OK;
}

eng_rc eng_wire_put_bucket(const eng_batches *bs, unsigned bucket, unsigned n_buckets, fmt_buf *out,
                           eng_wire_flush flush, void *ctx, eng_err *err)
{
    bucket_out o = {out, flush, ctx, err};
    for (size_t i = 0; i < bs->n; i++) {
        const eng_batch *bt = bs->items[i];
        for (size_t p = bucket; p < ENG_PARTS; p += n_buckets)
            ENG_TRY(put_rows(&o, bt, p));
        if (bucket == 0)
            ENG_TRY(put_rows(&o, bt, ENG_PARTS));
        size_t n_exc = 0;
        for (size_t e = 0; e < bt->exc.n; e++)
            n_exc += eng_bucket_of_exc(bt, &bt->exc.items[e], n_buckets) == bucket;
        wire_put_u64(out, n_exc);
        for (size_t e = 0; e < bt->exc.n; e++) {
            const eng_exc *x = &bt->exc.items[e];
            if (eng_bucket_of_exc(bt, x, n_buckets) != bucket)
                continue;
            eng_wire_put_batch_exc(out, e, x);
            if (out->len >= FLUSH_AT)
                ENG_TRY(flush(ctx, out, err));
        }
    }
    return ENG_OK;
}

/* ---- decoding ---- */

typedef struct task_shape {
    eng_batch **items; /* the task's batches, in its facts' order */
    size_t n;
    int loaded; /* its facts are in */
} task_shape;

struct eng_wire_loader {
    const eng_setup *setup;
    unsigned n_tasks, n_buckets;
    eng_batches *bs;
    task_shape *tasks;
    eng_intern_cache *caches; /* per bucket */
};

eng_rc eng_wire_loader_new(const eng_setup *setup, unsigned n_tasks, unsigned n_buckets,
                           eng_wire_loader **out, eng_err *err)
{
    assert(n_tasks >= 1 && n_buckets >= 1 && n_buckets <= ENG_PARTS);
    eng_wire_loader *l = calloc(1, sizeof *l);
    eng_batches *bs = calloc(1, sizeof *bs);
    if (l) {
        l->setup = setup;
        l->n_tasks = n_tasks;
        l->n_buckets = n_buckets;
        l->bs = bs;
        l->tasks = calloc(n_tasks, sizeof *l->tasks);
        l->caches = calloc(n_buckets, sizeof *l->caches);
    }
    size_t n_files = setup->n_order_files;
    if (bs) {
        bs->n_files = n_files;
        bs->files = calloc(n_files ? n_files : 1, sizeof *bs->files);
        bs->header_text = calloc(n_files ? n_files : 1, sizeof *bs->header_text);
        bs->intern = eng_intern_new(eng_sip_key_random());
        bs->rows = eng_rowstore_new(n_buckets, 0);
        /* one arena per bucket (decoded at once), the last for the facts */
        bs->worker_mem = calloc(n_buckets + 1, sizeof *bs->worker_mem);
        if (bs->worker_mem)
            for (unsigned i = 0; i <= n_buckets; i++)
                if ((bs->worker_mem[i] = eng_arena_new(1u << 18)))
                    bs->n_worker_mem = i + 1;
    }
    if (!l || !bs || !l->tasks || !l->caches || !bs->files || !bs->header_text || !bs->intern ||
        !bs->rows || bs->n_worker_mem != n_buckets + 1) {
        if (l)
            l->bs = bs;
        eng_wire_loader_free(l);
        if (!l)
            eng_batches_free(bs);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the map tasks' rows");
    }
    *out = l;
    return ENG_OK;
}

void eng_wire_loader_free(eng_wire_loader *l)
{
    if (!l)
        return;
    /* batches not yet handed to bs (bs->items) are the tasks' own */
    for (unsigned t = 0; t < l->n_tasks && l->tasks; t++) {
        if (!l->bs || !l->bs->items)
            for (size_t i = 0; i < l->tasks[t].n; i++)
                eng_batch_free(l->tasks[t].items[i]);
        free(l->tasks[t].items);
    }
    free(l->tasks);
    free(l->caches);
    eng_batches_free(l->bs);
    free(l);
}

static eng_rc damaged(eng_err *err, const char *what)
{
    err->path = NULL; /* the message names the file; a reader's path may be gone */
    return ENG_FAIL(err, ENG_REFUSED,
                    "%s does not decode as a map task's rows: run the map tasks again", what);
}

eng_rc eng_wire_load_facts(eng_wire_loader *l, unsigned task, const fmt_buf *payload,
                           const char *what, eng_err *err)
{
    assert(task < l->n_tasks && !l->tasks[task].loaded);
    eng_batches *bs = l->bs;
    eng_arena *mem = bs->worker_mem[l->n_buckets];
    wire_in in;
    wire_in_init(&in, payload->p, payload->len);
    int ok = 1;
    if (wire_get_u64(&in) != bs->n_files)
        return damaged(err, what);
    uint64_t n_mine = wire_get_max(&in, bs->n_files);
    for (uint64_t k = 0; k < n_mine && !in.bad && ok; k++) {
        uint64_t f = wire_get_max(&in, bs->n_files - 1);
        eng_file_facts *ff = &bs->files[f], seen = *ff;
        ff->format = eng_wire_keep_text_or_null(&in, mem, &ok);
        ff->encoding = eng_wire_keep_text_or_null(&in, mem, &ok);
        ff->date_order = eng_wire_keep_text_or_null(&in, mem, &ok);
        for (int c = 0; c < FMT_COL_COUNT; c++)
            ff->col_label[c] = eng_wire_keep_text_or_null(&in, mem, &ok);
        ff->no_column = (uint32_t)wire_get_u64(&in);
        ff->own_column = (uint32_t)wire_get_u64(&in);
        ff->bytes = wire_get_u64(&in);
        size_t len;
        const char *sha = wire_get_bytes(&in, &len);
        if (len >= sizeof ff->sha256)
            in.bad = 1;
        else
            memcpy(ff->sha256, sha, len);
        ff->data_rows = wire_get_u64(&in);
        /* A file every task parsed a part of: the same facts from each, its rows summed. */
        if (seen.sha256[0]) {
            if (strcmp(seen.sha256, ff->sha256) != 0 || seen.bytes != ff->bytes)
                return ENG_FAIL(err, ENG_REFUSED,
                                "the map tasks read different versions of %s: run the night "
                                "again (the same command)",
                                l->setup->sources[f].path);
            ff->data_rows += seen.data_rows;
        }
    }
    uint64_t n_warn = wire_get_max(&in, 1u << 20);
    for (uint64_t k = 0; k < n_warn && !in.bad; k++) {
        uint64_t source = wire_get_max(&in, bs->n_files - 1), line = wire_get_u64(&in);
        size_t len;
        int is_null;
        const char *text = wire_get_text_or_null(&in, &len, &is_null);
        char *copy = strndup(text, len);
        if (!copy || eng_warn_keep(l->setup->warnings, (size_t)source, line, copy) != ENG_OK)
            ok = 0;
        free(copy);
    }
    task_shape *ts = &l->tasks[task];
    uint64_t n_batches = wire_get_max(&in, payload->len);
    if (!in.bad && ok && !(ts->items = calloc(n_batches ? n_batches : 1, sizeof *ts->items)))
        ok = 0;
    for (uint64_t i = 0; i < n_batches && !in.bad && ok; i++) {
        eng_batch *bt = calloc(1, sizeof *bt);
        if (!bt) {
            ok = 0;
            break;
        }
        ts->items[ts->n++] = bt;
        bt->mem = mem;
        bt->mem_shared = 1;
        bt->file = (uint16_t)wire_get_max(&in, bs->n_files - 1);
        bt->seq = wire_get_u64(&in);
        bt->n_rows = (size_t)wire_get_max(&in, UINT32_MAX - 1);
        bt->swallowed_lines = wire_get_u64(&in);
        bt->part_start[0] = 0;
        for (size_t p = 0; p < ENG_PARTS; p++) {
            uint64_t count = wire_get_max(&in, bt->n_rows - bt->part_start[p]);
            bt->part_start[p + 1] = bt->part_start[p] + (uint32_t)count;
        }
        /* a row has an exception per field at most: a bound a forged count cannot pass */
        uint64_t n_exc = wire_get_max(&in, 64 * ((uint64_t)bt->n_rows + 1));
        if (n_exc && !in.bad) {
            if (!(bt->exc.items = calloc(n_exc, sizeof *bt->exc.items)))
                ok = 0;
            /* a slot no bucket fills keeps its NULL message: unmistakable */
            bt->exc.n = bt->exc.cap = (size_t)n_exc;
        }
    }
    if (!ok)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", what);
    if (in.bad || !wire_in_done(&in))
        return damaged(err, what);
    ts->loaded = 1;
    return ENG_OK;
}

typedef struct row_decoder {
    wire_in *in;
    eng_arena *mem;
    eng_intern *intern;
    eng_intern_cache *cache;
    eng_rowstore *store;
    size_t n_files, n_products;
    int ok; /* memory held out */
} row_decoder;

static void get_row(row_decoder *d, eng_row *r, const eng_row *prev)
{
    wire_in *in = d->in;
    memset(r, 0, sizeof *r);
    unsigned has = (unsigned)wire_get_max(in, 0x7f);
    if ((has & SAME_ID) && (!prev || !prev->order_id || !(has & HAS_ID)))
        in->bad = 1;
    if ((has & SAME_HEAD) && (!prev || !prev->head || !(has & HAS_HEAD)))
        in->bad = 1;
    if (in->bad)
        return;
    if (has & SAME_ID) {
        r->order_id = prev->order_id;
    } else if (has & HAS_ID) {
        eng_text id = eng_wire_get_text(in);
        if (!in->bad && !(r->order_id = eng_id_keep(d->mem, id.p, id.len)))
            d->ok = 0;
    }
    if (has & SAME_HEAD)
        r->head = prev->head;
    else if (has & HAS_HEAD)
        r->head = eng_wire_get_head(in, d->mem, d->intern, d->cache, &d->ok);
    if (has & HAS_EXTRA) {
        eng_row_extra *x = eng_arena_alloc(d->mem, sizeof *x, _Alignof(eng_row_extra));
        if (!x) {
            d->ok = 0;
            return;
        }
        memset(x, 0, sizeof *x);
        x->open_qty = wire_get_i64(in);
        if (has & HAS_KEY) {
            eng_text id = eng_wire_get_text(in);
            eng_line_key *k = eng_arena_alloc(d->mem, sizeof *k, _Alignof(eng_line_key));
            char *copy = in->bad ? NULL : eng_arena_strndup(d->mem, id.p, id.len);
            if (!k || (!copy && !in->bad)) {
                d->ok = 0;
                return;
            }
            k->id = copy ? copy : "";
            k->len = id.len;
            k->updated_ns = wire_get_i64(in);
            x->key = k;
        }
        if (has & HAS_BIG) {
            eng_row_big *big = eng_arena_alloc(d->mem, sizeof *big, _Alignof(eng_row_big));
            if (!big) {
                d->ok = 0;
                return;
            }
            big->qty = wire_get_i64(in);
            big->unit_mant = wire_get_i64(in);
            big->line = wire_get_u64(in);
            x->big = big;
        }
        r->extra = x;
    }
    wire_get_raw(in, r->rec_digest, sizeof r->rec_digest);
    int64_t step = wire_get_i64(in), line = 0;
    if (step < -(int64_t)UINT32_MAX || step > (int64_t)UINT32_MAX ||
        (line = (prev ? (int64_t)prev->line : 0) + step) < 0 || line > UINT32_MAX)
        in->bad = 1;
    r->line = (uint32_t)line;
    r->qty = (int32_t)wire_get_i64(in);
    r->unit_mant = (int32_t)wire_get_i64(in);
    int64_t product = wire_get_i64(in);
    if (product < -1 || product >= (int64_t)d->n_products)
        in->bad = 1;
    r->product = (int32_t)product;
    r->file = (uint16_t)wire_get_max(in, d->n_files - 1);
    r->flags = (uint16_t)wire_get_max(in, UINT16_MAX);
    r->unit_frac = (uint8_t)wire_get_max(in, 18);
    r->worst = (uint8_t)wire_get_max(in, ENG_CODE_COUNT - 1);
    r->order_state = (uint8_t)wire_get_max(in, FMT_STATE_COUNT - 1);
    r->line_state = (uint8_t)wire_get_max(in, FMT_STATE_COUNT - 1);
    /* values the row's 32-bit fields mark as elsewhere must be there */
    if ((r->line == ENG_ROW_LINE_IN_EXTRA || r->qty == ENG_ROW_IN_EXTRA ||
         r->unit_mant == ENG_ROW_IN_EXTRA) &&
        !(r->extra && r->extra->big))
        in->bad = 1;
    /* a quantity read as good is a whole number of units: the orders stage builds lines
     * of it */
    else if ((r->flags & ENG_ROW_QTY_OK) && eng_row_qty(r) < 0)
        in->bad = 1;
}

static int row_fits(const eng_row *r, const eng_row *prev, uint16_t file, size_t p)
{
    if (r->file != file)
        return 0;
    if (p == ENG_PARTS)
        return r->order_id == NULL;
    if (!r->order_id)
        return 0;
    if (prev && prev->order_id == r->order_id)
        return 1; /* the same id, checked with the row before */
    return (size_t)(eng_hash_bytes(r->order_id, eng_row_id_len(r)) >> 56) == p;
}

/* Partition p's rows of batch bt into the store (the bucket's chain p). */
static void get_rows(row_decoder *d, eng_wire_stream *s, eng_batch *bt, size_t p, unsigned bucket)
{
    uint32_t n = eng_batch_part_count(bt, p);
    if (!n || s->in.bad || s->rc != ENG_OK || !d->ok)
        return;
    eng_row *dst = eng_rowstore_take(d->store, bucket, p, n);
    if (!dst) {
        d->ok = 0;
        return;
    }
    for (uint32_t j = 0; j < n && !s->in.bad && d->ok; j++) {
        do {
            if (!eng_wire_window(s))
                return;
            d->in = &s->in;
            get_row(d, &dst[j], j ? &dst[j - 1] : NULL);
        } while (!eng_wire_settle(s));
        /* What the later stages take for granted of a row, so that a file forged to match
         * its record cannot walk them off their arrays: it is its batch's file's, and it
         * lies in the partition its id hashes to (none without an id). */
        if (!row_fits(&dst[j], j ? &dst[j - 1] : NULL, bt->file, p))
            s->in.bad = 1;
    }
    bt->part_rows[p] = dst;
}

int eng_wire_get_batch_exc(eng_wire_stream *s, const eng_batch *bt, unsigned bucket,
                           unsigned n_buckets, size_t n_sources, eng_arena *mem, size_t *at,
                           eng_exc *got, int *ok)
{
    assert(bt->exc.n > 0);
    do {
        if (!eng_wire_window(s))
            return 0;
        *at = (size_t)wire_get_max(&s->in, bt->exc.n - 1);
        *got = eng_wire_get_exc(&s->in, mem, n_sources, bt->n_rows, ok);
    } while (!eng_wire_settle(s));
    if (s->in.bad || !*ok)
        return 0;
    /* an exception of the bucket's own rows (bucket 0: also those of no row) */
    if (eng_bucket_of_exc(bt, got, n_buckets) != bucket) {
        s->in.bad = 1;
        return 0;
    }
    return 1;
}

/* One exception of bt, decoded apart and kept only whole. */
static void get_exc(row_decoder *d, eng_wire_stream *s, const eng_wire_loader *l, eng_batch *bt,
                    unsigned bucket)
{
    eng_exc got;
    size_t at;
    if (!eng_wire_get_batch_exc(s, bt, bucket, l->n_buckets, l->setup->n_sources, d->mem, &at, &got,
                                &d->ok))
        return;
    if (bt->exc.items[at].message) {
        s->in.bad = 1; /* given twice */
        return;
    }
    bt->exc.items[at] = got;
}

eng_rc eng_wire_load_bucket(eng_wire_loader *l, unsigned task, unsigned bucket, fmt_exchange_in *x,
                            const char *what, eng_err *err)
{
    assert(task < l->n_tasks && bucket < l->n_buckets && l->tasks[task].loaded);
    eng_batches *bs = l->bs;
    eng_wire_stream s;
    eng_wire_stream_init(&s, x, err);
    row_decoder d = {&s.in,
                     bs->worker_mem[bucket],
                     bs->intern,
                     &l->caches[bucket],
                     bs->rows,
                     bs->n_files,
                     eng_catalog_count(l->setup->catalog),
                     1};
    const task_shape *ts = &l->tasks[task];
    for (size_t i = 0; i < ts->n && !s.in.bad && s.rc == ENG_OK && d.ok; i++) {
        eng_batch *bt = ts->items[i];
        for (size_t p = bucket; p < ENG_PARTS; p += l->n_buckets)
            get_rows(&d, &s, bt, p, bucket);
        if (bucket == 0)
            get_rows(&d, &s, bt, ENG_PARTS, bucket);
        uint64_t n_exc = 0;
        do {
            if (!eng_wire_window(&s))
                break;
            n_exc = wire_get_max(&s.in, bt->exc.n);
        } while (!eng_wire_settle(&s));
        for (uint64_t k = 0; k < n_exc && !s.in.bad && s.rc == ENG_OK && d.ok; k++)
            get_exc(&d, &s, l, bt, bucket);
    }
    if (s.rc != ENG_OK)
        return s.rc;
    if (!d.ok)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", what);
    if (s.in.bad)
        return damaged(err, what);
    return ENG_OK;
}

static int cmp_batch(const void *a, const void *b)
{
    const eng_batch *x = *(eng_batch *const *)a, *y = *(eng_batch *const *)b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

eng_rc eng_wire_loader_take(eng_wire_loader *l, const unsigned char *here, eng_batches **out,
                            eng_err *err)
{
    size_t total = 0;
    for (unsigned t = 0; t < l->n_tasks; t++)
        total += l->tasks[t].n;
    eng_batch **items = malloc((total ? total : 1) * sizeof *items);
    if (!items)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the map tasks' rows");
    size_t n = 0;
    for (unsigned t = 0; t < l->n_tasks; t++)
        for (size_t i = 0; i < l->tasks[t].n; i++)
            items[n++] = l->tasks[t].items[i];
    qsort(items, n, sizeof *items, cmp_batch);
    for (size_t i = 0; i < n; i++) {
        const eng_batch *bt = items[i];
        /* a file's chunks, 0, 1, 2... each once, whichever tasks parsed them */
        int missing = i > 0 && items[i - 1]->file == bt->file ? items[i - 1]->seq + 1 != bt->seq
                                                              : bt->seq != 0;
        for (size_t p = 0; p <= ENG_PARTS && !missing && here; p++)
            missing = here[p] && eng_batch_part_count(bt, p) && !bt->part_rows[p];
        if (missing) {
            free(items);
            return ENG_FAIL(err, ENG_REFUSED,
                            "the map tasks' files do not fit together (a chunk of %s is "
                            "missing or given twice): run the map tasks again",
                            l->setup->sources[bt->file].path);
        }
    }
    /* every orders file read by some task, and every row it counted is in a batch */
    uint64_t *rows = calloc(l->bs->n_files ? l->bs->n_files : 1, sizeof *rows);
    if (!rows) {
        free(items);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the map tasks' rows");
    }
    for (size_t i = 0; i < n; i++)
        rows[items[i]->file] += items[i]->n_rows;
    for (size_t f = 0; f < l->bs->n_files; f++)
        if (!l->bs->files[f].sha256[0] || rows[f] != l->bs->files[f].data_rows) {
            free(rows);
            free(items);
            return ENG_FAIL(err, ENG_REFUSED,
                            "the map tasks' files do not account for %s (%s): run the map "
                            "tasks again",
                            l->setup->sources[f].path,
                            l->bs->files[f].sha256[0] ? "rows are missing" : "no task read it");
        }
    free(rows);
    l->bs->items = items;
    l->bs->n = n;
    *out = l->bs;
    l->bs = NULL;
    for (unsigned t = 0; t < l->n_tasks; t++) {
        free(l->tasks[t].items);
        l->tasks[t].items = NULL;
        l->tasks[t].n = 0;
    }
    return ENG_OK;
}
