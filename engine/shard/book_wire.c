/* Books on the wire (book_wire.h). Every value is written as the order holds it, so that
 * the loaded order is the one built, not one that merely prints the same. */
#include "book_wire.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "../base/hash.h"
#include "wire_items.h"

enum {
    LINE_WIDE = 1 << 0,
    LINE_WAITS = 1 << 1,
    LINE_TOTAL = 1 << 2,
    LINE_AMOUNT_STATED = 1 << 3,
};

#define FLUSH_AT (1u << 20)

/* ---- encoding ---- */

typedef struct book_out {
    fmt_buf *out;
    eng_wire_flush flush;
    void *ctx;
    eng_err *err;
} book_out;

static eng_rc maybe_flush(book_out *o)
{
    return o->out->len >= FLUSH_AT ? o->flush(o->ctx, o->out, o->err) : ENG_OK;
}

static void put_flags(fmt_buf *b, const eng_batch *bt, size_t p)
{
    const uint16_t *flags = &bt->row_flags[bt->part_start[p]];
    for (uint32_t j = 0; j < eng_batch_part_count(bt, p); j++)
        wire_put_u64(b, flags[j]);
}

static void put_line(fmt_buf *b, const eng_line *ln)
{
    /* before allocation no line ships from anywhere: nothing of x but a wide line's counts */
    assert(ln->n_parts == 0 && !ln->waits);
    unsigned bits = (ln->is_wide ? LINE_WIDE : 0) | (ln->waits ? LINE_WAITS : 0) |
                    (ln->line_total ? LINE_TOTAL : 0) |
                    (ln->amount_stated ? LINE_AMOUNT_STATED : 0);
    wire_put_u64(b, bits);
    wire_put_i64(b, ln->product);
    if (ln->is_wide) {
        for (int q = 0; q < ENG_LQ_COUNT; q++)
            wire_put_i64(b, ln->x.wide->q[q]);
        wire_put_i64(b, ln->x.wide->price_minor);
    } else {
        for (int q = 0; q < ENG_LQ_NARROW; q++)
            wire_put_u64(b, ln->q[q]);
        wire_put_i64(b, ln->price);
    }
}

/* An order's id as the bytes it shares with the previous order's (ids come sorted) and
 * the rest. */
static void put_id(fmt_buf *b, const eng_order *o, const eng_order *prev)
{
    uint32_t len = eng_order_id_len(o), shared = 0;
    if (prev) {
        uint32_t prev_len = eng_order_id_len(prev);
        while (shared < len && shared < prev_len && o->id[shared] == prev->id[shared])
            shared++;
    }
    wire_put_u64(b, shared);
    eng_wire_put_text(b, o->id + shared, len - shared);
}

static void put_order(fmt_buf *b, const eng_order *o, const eng_order *prev)
{
    put_id(b, o, prev);
    eng_wire_put_head(b, o->head);
    /* as the distance from the previous order's: ids and lines often rise together */
    wire_put_i64(b, (int64_t)(o->line - (prev ? prev->line : 0)));
    wire_put_u64(b, o->first_slip);
    wire_put_i64(b, o->units);
    wire_put_i64(b, o->amount_minor);
    wire_put_u64(b, o->n_slips);
    wire_put_u64(b, o->lines_out);
    wire_put_u64(b, o->n_rows);
    wire_put_u64(b, o->file);
    wire_put_i64(b, o->currency);
    wire_put_u64(b, o->flags);
    wire_put_u64(b, o->status);
    wire_put_u64(b, o->code);
    wire_put_u64(b, o->n_lines);
    for (uint32_t i = 0; i < o->n_lines; i++)
        put_line(b, &o->lines[i]);
}

eng_rc eng_book_wire_put(const eng_batches *bs, const eng_book *book, unsigned bucket,
                         unsigned n_buckets, fmt_buf *out, eng_wire_flush flush, void *ctx,
                         eng_err *err)
{
    book_out o = {out, flush, ctx, err};
    wire_put_u64(out, bucket);
    wire_put_u64(out, n_buckets);
    wire_put_u64(out, bs->n);
    for (size_t i = 0; i < bs->n; i++) {
        const eng_batch *bt = bs->items[i];
        wire_put_u64(out, bt->file);
        wire_put_u64(out, bt->seq);
        for (size_t p = bucket; p < ENG_PARTS; p += n_buckets)
            put_flags(out, bt, p);
        if (bucket == 0) {
            put_flags(out, bt, ENG_PARTS);
            wire_put_u64(out, bt->standalone_rows);
            wire_put_u64(out, bt->unnamed_rows);
        }
        /* the bucket's exceptions: the ones its map files gave (the others' slots are
         * empty here) */
        size_t n_exc = 0;
        for (size_t e = 0; e < bt->exc.n; e++)
            n_exc += bt->exc.items[e].message != NULL;
        wire_put_u64(out, n_exc);
        for (size_t e = 0; e < bt->exc.n; e++) {
            const eng_exc *x = &bt->exc.items[e];
            if (!x->message)
                continue;
            if (eng_bucket_of_exc(bt, x, n_buckets) != bucket)
                return ENG_FAIL(err, ENG_INTERNAL,
                                "internal error: an exception of another bucket's rows");
            eng_wire_put_batch_exc(out, e, x);
        }
        ENG_TRY(maybe_flush(&o));
    }
    for (size_t p = bucket; p < ENG_PARTS; p += n_buckets) {
        const eng_partition *part = &book->parts[p];
        wire_put_u64(out, part->n_orders);
        wire_put_u64(out, part->n_aside);
        wire_put_u64(out, part->exc.n);
        for (size_t e = 0; e < part->exc.n; e++)
            eng_wire_put_exc(out, &part->exc.items[e]);
        for (size_t k = 0; k < part->n_orders; k++) {
            put_order(out, &part->orders[k], k ? &part->orders[k - 1] : NULL);
            ENG_TRY(maybe_flush(&o));
        }
    }
    return ENG_OK;
}

/* ---- decoding ---- */

/* A batch's exception as a group file gives it, placed once every file is in: the files
 * are decoded at once, and a forged one could name another bucket's slot. */
typedef struct given_exc {
    size_t batch, at;
    eng_exc exc;
} given_exc;

typedef struct exc_pile {
    given_exc *items;
    size_t n, cap;
} exc_pile;

struct eng_book_loader {
    const eng_setup *setup;
    eng_batches *bs;
    unsigned n_buckets;
    eng_book *book;
    eng_intern_cache *caches; /* per bucket */
    exc_pile *given;          /* per bucket */
};

eng_rc eng_book_loader_new(const eng_setup *setup, eng_batches *bs, unsigned n_buckets,
                           eng_book_loader **out, eng_err *err)
{
    eng_book_loader *l = calloc(1, sizeof *l);
    int ok = l != NULL;
    if (ok) {
        l->setup = setup;
        l->bs = bs;
        l->n_buckets = n_buckets;
        l->book = calloc(1, sizeof *l->book);
        l->caches = calloc(n_buckets, sizeof *l->caches);
        l->given = calloc(n_buckets, sizeof *l->given);
        ok = l->book && l->caches && l->given;
    }
    for (size_t p = 0; ok && p < ENG_PARTS; p++)
        ok = (l->book->parts[p].mem = eng_arena_new(1u << 16)) != NULL;
    for (size_t i = 0; ok && i < bs->n; i++) {
        eng_batch *bt = bs->items[i];
        assert(!bt->row_flags);
        ok = (bt->row_flags = calloc(bt->n_rows ? bt->n_rows : 1, sizeof *bt->row_flags)) != NULL;
    }
    if (!ok) {
        eng_book_loader_free(l);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the group tasks' orders");
    }
    *out = l;
    return ENG_OK;
}

void eng_book_loader_free(eng_book_loader *l)
{
    if (!l)
        return;
    eng_book_free(l->book);
    free(l->caches);
    for (unsigned j = 0; l->given && j < l->n_buckets; j++)
        free(l->given[j].items);
    free(l->given);
    free(l);
}

static eng_rc damaged(eng_err *err, const char *what)
{
    err->path = NULL; /* the message names the file; a reader's path may be gone */
    return ENG_FAIL(err, ENG_REFUSED,
                    "%s does not decode as a group task's orders: run the group tasks again", what);
}

typedef struct order_decoder {
    eng_wire_stream s;
    const eng_book_loader *l;
    eng_intern_cache *cache;
    eng_arena *mem;     /* the partition's */
    eng_arena *exc_mem; /* the bucket's, for its batches' exceptions */
    char *id_buf;       /* an id put back together */
    size_t id_cap;
    int ok; /* memory held out */
} order_decoder;

static void get_line(wire_in *in, eng_line *ln, eng_arena *mem, int64_t n_products, int *ok)
{
    memset(ln, 0, sizeof *ln);
    unsigned bits = (unsigned)wire_get_max(in, 0xf);
    if (bits & LINE_WAITS)
        in->bad = 1; /* only the allocation holds a line back */
    ln->line_total = (bits & LINE_TOTAL) != 0;
    ln->amount_stated = (bits & LINE_AMOUNT_STATED) != 0;
    int64_t product = wire_get_i64(in);
    if (product < -1 || product >= n_products)
        in->bad = 1;
    ln->product = (int32_t)product;
    if (bits & LINE_WIDE) {
        eng_line_wide *w = eng_arena_alloc(mem, sizeof *w, _Alignof(eng_line_wide));
        if (!w) {
            *ok = 0;
            return;
        }
        memset(w, 0, sizeof *w);
        for (int q = 0; q < ENG_LQ_COUNT; q++)
            w->q[q] = wire_get_i64(in);
        w->price_minor = wire_get_i64(in);
        ln->x.wide = w;
        ln->is_wide = 1;
    } else {
        for (int q = 0; q < ENG_LQ_NARROW; q++)
            ln->q[q] = (uint32_t)wire_get_max(in, UINT32_MAX);
        int64_t price = wire_get_i64(in);
        if (price < INT32_MIN || price > INT32_MAX)
            in->bad = 1;
        ln->price = (int32_t)price;
    }
    /* what the orders stage leaves: counts within the ordered units, nothing shipped yet */
    int64_t ordered = eng_line_get(ln, ENG_LQ_ORDERED), qty = eng_line_get(ln, ENG_LQ_QTY);
    if (ordered < 0 || qty < 0 || qty > ordered || eng_line_get(ln, ENG_LQ_SHIPPED) != 0 ||
        eng_line_get(ln, ENG_LQ_BEFORE) < 0)
        in->bad = 1;
}

/* An order as the orders stage can leave it, before allocation: valid (BACKORDERED, no
 * code), REJECTED with its code, or a marketplace's state with none; no slips, no flag
 * of the allocation's; a valid one with units to allocate has a currency and a catalog
 * product behind each such line (allocation and the slips index by them). */
static int order_fits(const eng_order *o)
{
    if (o->flags & ~(ENG_ORD_DUPLICATE | ENG_ORD_PRICED) || o->first_slip || o->n_slips)
        return 0;
    if (o->status == ENG_ST_SHIPPED || o->status == ENG_ST_PARTIAL ||
        (o->status == ENG_ST_REJECTED) != (o->code != ENG_CODE_NONE))
        return 0;
    for (uint32_t i = 0; i < o->n_lines && o->status == ENG_ST_BACKORDERED; i++)
        if (eng_line_qty(&o->lines[i]) > 0 && (o->currency < 0 || o->lines[i].product < 0))
            return 0;
    return 1;
}

/* An order's id (put_id) into mem. */
static const char *get_id(order_decoder *d, const eng_order *prev, size_t p)
{
    wire_in *in = &d->s.in;
    uint64_t shared = wire_get_max(in, prev ? eng_order_id_len(prev) : 0);
    eng_text rest = eng_wire_get_text(in);
    if (in->bad)
        return NULL;
    char *id = d->id_buf;
    size_t len = (size_t)shared + rest.len;
    if (len == 0) {
        in->bad = 1; /* a row without an id is in no order */
        return NULL;
    }
    if (len > d->id_cap) {
        char *grown = realloc(d->id_buf, len);
        if (!grown) {
            d->ok = 0;
            return NULL;
        }
        d->id_buf = id = grown;
        d->id_cap = len;
    }
    if (shared)
        memcpy(id, prev->id, (size_t)shared);
    memcpy(id + shared, rest.p, rest.len);
    if (len > UINT32_MAX || (size_t)(eng_hash_bytes(id, len) >> 56) != p) {
        in->bad = 1; /* the later stages find an order by its id's partition */
        return NULL;
    }
    const char *kept = eng_id_keep(d->mem, id, (uint32_t)len);
    if (!kept)
        d->ok = 0;
    return kept;
}

/* One order of partition p into *o (prev: the one before it, or NULL), its id, head and
 * lines in the partition's arena. */
static void get_order(order_decoder *d, eng_order *o, const eng_order *prev, size_t p)
{
    wire_in *in = &d->s.in;
    const eng_setup *setup = d->l->setup;
    memset(o, 0, sizeof *o);
    if (!(o->id = get_id(d, prev, p)))
        return;
    o->head = eng_wire_get_head(in, d->mem, d->l->bs->intern, d->cache, &d->ok);
    o->line = (prev ? prev->line : 0) + (uint64_t)wire_get_i64(in);
    o->first_slip = wire_get_u64(in);
    o->units = wire_get_i64(in);
    o->amount_minor = wire_get_i64(in);
    o->n_slips = (uint32_t)wire_get_max(in, UINT32_MAX);
    o->lines_out = (uint32_t)wire_get_max(in, UINT32_MAX);
    o->n_rows = (uint32_t)wire_get_max(in, UINT32_MAX);
    o->file = (uint16_t)wire_get_max(in, setup->n_order_files ? setup->n_order_files - 1 : 0);
    int64_t currency = wire_get_i64(in);
    if (currency < -1 || currency >= fmt_currency_count())
        in->bad = 1;
    o->currency = (int16_t)currency;
    o->flags = (uint8_t)wire_get_max(in, UINT8_MAX);
    o->status = (uint8_t)wire_get_max(in, ENG_ST_COUNT - 1);
    o->code = (uint8_t)wire_get_max(in, ENG_CODE_COUNT - 1);
    /* a line takes at least two bytes: a count the file cannot hold is forged */
    uint64_t n_lines = wire_get_max(in, (uint64_t)(in->end - in->p) / 2);
    if (in->bad || !o->head)
        return;
    o->n_lines = (uint32_t)n_lines;
    o->lines =
        eng_arena_alloc(d->mem, (n_lines ? n_lines : 1) * sizeof *o->lines, _Alignof(eng_line));
    if (!o->lines) {
        d->ok = 0;
        return;
    }
    int64_t n_products = (int64_t)eng_catalog_count(setup->catalog);
    for (uint32_t i = 0; i < o->n_lines && !in->bad && d->ok; i++)
        get_line(in, &o->lines[i], d->mem, n_products, &d->ok);
    if (!in->bad && d->ok && !order_fits(o))
        in->bad = 1;
}

/* The flags of batch bt's rows of partition p. */
static void get_flags(order_decoder *d, eng_batch *bt, size_t p)
{
    uint32_t n = eng_batch_part_count(bt, p), done = 0;
    uint16_t *flags = &bt->row_flags[bt->part_start[p]];
    /* a run of flags is cut into items of at most 4096, each decoded whole */
    while (done < n && d->s.rc == ENG_OK && !d->s.in.bad) {
        uint32_t k = n - done < 4096 ? n - done : 4096;
        do {
            if (!eng_wire_window(&d->s))
                return;
            for (uint32_t j = 0; j < k; j++)
                flags[done + j] = (uint16_t)wire_get_max(&d->s.in, UINT16_MAX);
        } while (!eng_wire_settle(&d->s));
        done += k;
    }
}

static void give_exc(order_decoder *d, exc_pile *pile, size_t batch, size_t at, const eng_exc *x)
{
    if (pile->n == pile->cap) {
        size_t cap = pile->cap ? 2 * pile->cap : 256;
        given_exc *grown = realloc(pile->items, cap * sizeof *grown);
        if (!grown) {
            d->ok = 0;
            return;
        }
        pile->items = grown;
        pile->cap = cap;
    }
    pile->items[pile->n++] = (given_exc){batch, at, *x};
}

static void get_batch(order_decoder *d, size_t batch, unsigned bucket)
{
    eng_batch *bt = d->l->bs->items[batch];
    const eng_book_loader *l = d->l;
    wire_in *in = &d->s.in;
    do {
        if (!eng_wire_window(&d->s))
            return;
        if (wire_get_u64(in) != bt->file || wire_get_u64(in) != bt->seq)
            in->bad = 1; /* another night's batches, or another order */
    } while (!eng_wire_settle(&d->s));
    for (size_t p = bucket; p < ENG_PARTS; p += l->n_buckets)
        get_flags(d, bt, p);
    if (bucket == 0) {
        get_flags(d, bt, ENG_PARTS);
        do {
            if (!eng_wire_window(&d->s))
                return;
            uint32_t standalone = eng_batch_part_count(bt, ENG_PARTS);
            bt->standalone_rows = wire_get_max(in, standalone);
            bt->unnamed_rows = wire_get_max(in, standalone);
        } while (!eng_wire_settle(&d->s));
    }
    uint64_t n_exc = 0;
    do {
        if (!eng_wire_window(&d->s))
            return;
        n_exc = wire_get_max(in, bt->exc.n);
    } while (!eng_wire_settle(&d->s));
    for (uint64_t k = 0; k < n_exc && d->s.rc == ENG_OK && !in->bad && d->ok; k++) {
        size_t at;
        eng_exc got;
        if (!eng_wire_get_batch_exc(&d->s, bt, bucket, l->n_buckets, l->setup->n_sources,
                                    d->exc_mem, &at, &got, &d->ok))
            return;
        give_exc(d, &l->given[bucket], batch, at, &got);
    }
}

static void get_partition(order_decoder *d, eng_partition *part, size_t p)
{
    wire_in *in = &d->s.in;
    uint64_t n_orders = 0, n_aside = 0, n_exc = 0;
    do {
        if (!eng_wire_window(&d->s))
            return;
        n_orders = wire_get_max(in, UINT32_MAX);
        n_aside = wire_get_max(in, n_orders);
        n_exc = wire_get_max(in, UINT32_MAX);
    } while (!eng_wire_settle(&d->s));
    if (in->bad)
        return;
    d->mem = part->mem;
    part->n_aside = (size_t)n_aside;
    for (uint64_t e = 0; e < n_exc && d->s.rc == ENG_OK && !in->bad && d->ok; e++) {
        eng_exc got;
        do {
            if (!eng_wire_window(&d->s))
                return;
            got = eng_wire_get_exc(in, part->mem, d->l->setup->n_sources, 0, &d->ok);
            if (got.row != UINT32_MAX)
                in->bad = 1; /* an order's exception names no batch row */
        } while (!eng_wire_settle(&d->s));
        if (in->bad || !d->ok)
            return;
        /* the list grows as exceptions arrive: a forged count takes no memory */
        if (part->exc.n == part->exc.cap) {
            size_t cap = part->exc.cap ? 2 * part->exc.cap : 64;
            eng_exc *grown = realloc(part->exc.items, cap * sizeof *grown);
            if (!grown) {
                d->ok = 0;
                return;
            }
            part->exc.items = grown;
            part->exc.cap = cap;
        }
        part->exc.items[part->exc.n++] = got;
    }
    /* orders arrive one item at a time: the array grows as they come, so a forged count
     * takes no memory it does not back with bytes */
    size_t cap = 0;
    for (uint64_t k = 0; k < n_orders && d->s.rc == ENG_OK && !in->bad && d->ok; k++) {
        if (part->n_orders == cap) {
            size_t grown = cap ? 2 * cap : 1024;
            if (grown > n_orders)
                grown = (size_t)n_orders;
            eng_order *more = eng_arena_alloc(part->mem, grown * sizeof *more, _Alignof(eng_order));
            if (!more) {
                d->ok = 0;
                return;
            }
            if (cap)
                memcpy(more, part->orders, cap * sizeof *more);
            part->orders = more;
            cap = grown;
        }
        eng_order *o = &part->orders[part->n_orders];
        do {
            if (!eng_wire_window(&d->s))
                return;
            get_order(d, o, part->n_orders ? o - 1 : NULL, p);
        } while (!eng_wire_settle(&d->s));
        if (in->bad || !d->ok)
            return;
        /* sorted by id, as the orders stage left them: the merge of the partitions
         * relies on it */
        if (part->n_orders > 0 && eng_order_cmp_id(&part->orders[part->n_orders - 1], o) > 0) {
            in->bad = 1;
            return;
        }
        part->n_orders++;
    }
}

eng_rc eng_book_load_group(eng_book_loader *l, unsigned bucket, fmt_exchange_in *x,
                           const char *what, eng_err *err)
{
    assert(bucket < l->n_buckets);
    order_decoder d;
    memset(&d, 0, sizeof d);
    eng_wire_stream_init(&d.s, x, err);
    d.l = l;
    d.cache = &l->caches[bucket];
    assert(bucket < l->bs->n_worker_mem);
    d.exc_mem = l->bs->worker_mem[bucket];
    d.ok = 1;
    wire_in *in = &d.s.in;
    do {
        if (!eng_wire_window(&d.s))
            break;
        if (wire_get_u64(in) != bucket || wire_get_u64(in) != l->n_buckets ||
            wire_get_u64(in) != l->bs->n)
            in->bad = 1;
    } while (!eng_wire_settle(&d.s));
    for (size_t i = 0; i < l->bs->n && d.s.rc == ENG_OK && !in->bad && d.ok; i++)
        get_batch(&d, i, bucket);
    for (size_t p = bucket; p < ENG_PARTS && d.s.rc == ENG_OK && !in->bad && d.ok;
         p += l->n_buckets)
        get_partition(&d, &l->book->parts[p], p);
    free(d.id_buf);
    if (d.s.rc != ENG_OK)
        return d.s.rc;
    if (!d.ok)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", what);
    if (in->bad)
        return damaged(err, what);
    return ENG_OK;
}

eng_rc eng_book_loader_take(eng_book_loader *l, eng_book **out, eng_err *err)
{
    const eng_batches *bs = l->bs;
    for (unsigned j = 0; j < l->n_buckets; j++)
        for (size_t k = 0; k < l->given[j].n; k++) {
            const given_exc *g = &l->given[j].items[k];
            eng_exc *slot = &bs->items[g->batch]->exc.items[g->at];
            if (slot->message)
                return ENG_FAIL(err, ENG_REFUSED,
                                "the group tasks' files do not fit together (two give one "
                                "exception of %s): run the group tasks again",
                                l->setup->sources[bs->items[g->batch]->file].path);
            *slot = g->exc;
        }
    for (size_t i = 0; i < bs->n; i++) {
        const eng_batch *bt = bs->items[i];
        for (size_t e = 0; e < bt->exc.n; e++)
            if (!bt->exc.items[e].message)
                return ENG_FAIL(err, ENG_REFUSED,
                                "the group tasks' files do not fit together (an exception of "
                                "%s is missing): run the group tasks again",
                                l->setup->sources[bt->file].path);
    }
    /* every row of a partition in one of its orders, as the orders stage left them */
    for (size_t p = 0; p < ENG_PARTS; p++) {
        uint64_t rows = 0, in_orders = 0;
        for (size_t i = 0; i < bs->n; i++)
            rows += eng_batch_part_count(bs->items[i], p);
        const eng_partition *part = &l->book->parts[p];
        size_t aside = 0;
        for (size_t k = 0; k < part->n_orders; k++) {
            in_orders += part->orders[k].n_rows;
            aside += (part->orders[k].flags & ENG_ORD_DUPLICATE) != 0;
        }
        if (rows != in_orders || aside != part->n_aside)
            return ENG_FAIL(err, ENG_REFUSED,
                            "the group tasks' files do not fit together (partition %zu's "
                            "orders hold %llu rows, the map tasks read %llu): run the group "
                            "tasks again",
                            p, (unsigned long long)in_orders, (unsigned long long)rows);
    }
    ENG_TRY(eng_book_list(l->setup, l->book, err));
    *out = l->book;
    l->book = NULL;
    return ENG_OK;
}
