/* History loading.
 *
 *   one pool task per file:  rows -> (kept records of tonight's ids) + per-worker totals
 *   then one thread:         records merged file by file into the order index
 *
 * Totals are sums, so the worker that added them does not matter; kept records are merged
 * in file order and "latest shipment" is the greatest (ship date, slip number), so the
 * result is the same for any thread count and any file completion order. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/currency.h"
#include "../formats/isotime.h"
#include "../formats/num.h"
#include "../formats/table.h"
#include "../formats/utf8.h"
#include "arena.h"
#include "hash.h"

/* Columns of both kinds of file; which exist tells the kind. */
enum {
    H_SLIP_NO,
    H_RETURN_NO,
    H_REQUEST_ID,
    H_ORDER_ID,
    H_SKU,
    H_QTY,
    H_LINE_AMOUNT,
    H_REFUND,
    H_CURRENCY,
    H_WAREHOUSE,
    H_SHIP_DATE,
    H_DECISION,
    H_REASON,
    H_CHANNEL,
    H_SHIP_NAME,
    H_SHIP_STREET,
    H_SHIP_CITY,
    H_SHIP_REGION,
    H_SHIP_POSTAL,
    H_SHIP_COUNTRY,
    H_SHIP_SERVICE,
    H_LINE_NO,
    H_RESOLUTION,
    H_COUNT
};

static const fmt_column hist_columns[H_COUNT] = {
    {"slip_no", 0},      {"return_no", 0},   {"request_id", 0},  {"order_id", 0},
    {"sku", 0},          {"qty", 0},         {"line_amount", 0}, {"refund_amount", 0},
    {"currency", 0},     {"warehouse", 0},   {"ship_date", 0},   {"decision", 0},
    {"reason", 0},       {"channel", 0},     {"ship_name", 0},   {"ship_street", 0},
    {"ship_city", 0},    {"ship_region", 0}, {"ship_postal", 0}, {"ship_country", 0},
    {"ship_service", 0}, {"line_no", 0},     {"resolution", 0},
};

static const int slips_required[] = {H_ORDER_ID, H_SKU,       H_QTY,      H_LINE_AMOUNT,
                                     H_CURRENCY, H_WAREHOUSE, H_SHIP_DATE};
static const int ledger_required[] = {H_REQUEST_ID, H_ORDER_ID, H_SKU,     H_QTY,
                                      H_DECISION,   H_REFUND,   H_CURRENCY};

/* A row of a kept order (or a request id asked for), copied out of its file. */
typedef enum { REC_SHIPPED, REC_RETURNED, REC_REQUEST } rec_kind;

typedef struct hist_rec {
    rec_kind kind;
    const char *order_id;
    const char *sku;
    uint32_t order_id_len;
    uint32_t sku_len;
    int64_t qty;
    int64_t amount_minor;
    int16_t currency;
    int32_t ship_date;
    const char *slip;    /* REC_SHIPPED: slip number; REC_RETURNED: request id */
    const char *line_no; /* REC_SHIPPED: the slip line's line_no */
    const char *warehouse;
    int refunded;                /* REC_RETURNED: the resolution was a refund, not an exchange */
    eng_text text[ENG_HT_COUNT]; /* REC_SHIPPED only */
    const char *path;            /* the history file and line it came from, for refusals */
    uint64_t line;
} hist_rec;

typedef struct file_result {
    const char *path; /* the file, as given */
    uint64_t line;    /* line of the row being read */
    hist_rec *recs;
    size_t n;
    size_t cap;
    eng_arena *mem;
    uint64_t rows;
} file_result;

/* Per-worker totals for the analysis. */
typedef struct reason_map {
    eng_hist_reason *items; /* open addressing; reason NULL = empty */
    size_t mask;
    size_t count;
} reason_map;

typedef struct worker_totals {
    int64_t *shipped; /* per product */
    reason_map reasons;
    eng_arena *mem;
} worker_totals;

struct eng_history {
    eng_arena *mem;
    eng_hist_order *orders; /* open addressing by order id; order_id NULL = empty */
    size_t mask;
    size_t n_orders;
    eng_strset *requests;
    int64_t *shipped; /* per product */
    eng_hist_reason *reasons;
    size_t n_reasons;
    uint64_t rows;
    eng_arena **file_mem; /* the files' arenas, which merged records point into */
    size_t n_file_mem;
    eng_strset *seen_recs; /* kept slip lines and approved requests, to count each once */
    uint64_t repeated_recs;
};

typedef struct load_ctx {
    eng_night *night;
    size_t first;
    const eng_strset *order_ids;
    const eng_strset *request_ids;
    file_result *files;
    worker_totals *workers;
} load_ctx;

/* ---- reading one file ---- */

static eng_rc bad_row(eng_err *err, const char *field, const char *why, fmt_str v)
{
    if (err)
        err->field = field;
    return ENG_FAIL(err, ENG_REFUSED,
                    "%s \"%.*s\" %s; history files must be slipway's own outputs, unchanged", field,
                    (int)(v.len > 40 ? 40 : v.len), v.p, why);
}

static eng_rc add_rec(file_result *fr, hist_rec **out)
{
    if (fr->n == fr->cap) {
        size_t cap = fr->cap ? fr->cap * 2 : 256;
        hist_rec *grown = realloc(fr->recs, cap * sizeof *grown);
        if (!grown)
            return ENG_NOMEM;
        fr->recs = grown;
        fr->cap = cap;
    }
    *out = &fr->recs[fr->n++];
    memset(*out, 0, sizeof **out);
    return ENG_OK;
}

static const char *keep(eng_arena *mem, fmt_str v)
{
    return eng_arena_strndup(mem, v.p, v.len);
}

/* A kept record of units of one SKU of a tonight-relevant order. */
static eng_rc keep_order_rec(file_result *fr, rec_kind kind, fmt_str id, fmt_str sku, int64_t qty,
                             hist_rec **out, eng_err *err)
{
    hist_rec *r;
    if (add_rec(fr, &r) != ENG_OK)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    r->kind = kind;
    r->path = fr->path;
    r->line = fr->line;
    r->order_id = keep(fr->mem, id);
    r->sku = keep(fr->mem, sku);
    r->order_id_len = (uint32_t)id.len;
    r->sku_len = (uint32_t)sku.len;
    r->qty = qty;
    if (!r->order_id || !r->sku)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    *out = r;
    return ENG_OK;
}

static char *normalize_reason(eng_arena *mem, fmt_str v)
{
    /* Reasons are compared trimmed of blanks (quoted fields keep them) and case folded,
     * so that " Too small" and "too small" are one reason. */
    while (v.len && (v.p[0] == ' ' || v.p[0] == '\t')) {
        v.p++;
        v.len--;
    }
    while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
        v.len--;
    char *s = eng_arena_strndup(mem, v.p, v.len);
    if (s)
        for (char *c = s; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
    return s;
}

static uint64_t reason_hash(int32_t product, int16_t currency, const char *reason)
{
    return eng_hash_bytes(reason, strlen(reason)) ^
           ((uint64_t)(uint32_t)product * 0x9E3779B97F4A7C15u) ^ (uint64_t)(uint16_t)currency;
}

static eng_hist_reason *reason_slot(reason_map *m, int32_t product, int16_t currency,
                                    const char *reason)
{
    size_t i = reason_hash(product, currency, reason) & m->mask;
    while (m->items[i].reason &&
           (m->items[i].product != product || m->items[i].currency != currency ||
            strcmp(m->items[i].reason, reason) != 0))
        i = (i + 1) & m->mask;
    return &m->items[i];
}

static int reason_grow(reason_map *m)
{
    size_t old_size = m->items ? m->mask + 1 : 0, size = old_size ? old_size * 2 : 64;
    eng_hist_reason *old = m->items;
    m->items = calloc(size, sizeof *m->items);
    if (!m->items) {
        m->items = old;
        return -1;
    }
    m->mask = size - 1;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].reason)
            *reason_slot(m, old[i].product, old[i].currency, old[i].reason) = old[i];
    free(old);
    return 0;
}

/* Add one approved return to a reason map; reason is owned by an arena that outlives m. */
static eng_rc reason_add(reason_map *m, eng_arena *mem, const eng_hist_reason *add)
{
    if (!m->items || (m->count + 1) * 2 > m->mask + 1)
        if (reason_grow(m) != 0)
            return ENG_NOMEM;
    eng_hist_reason *r = reason_slot(m, add->product, add->currency, add->reason);
    if (!r->reason) {
        *r = *add;
        r->reason = eng_arena_strndup(mem, add->reason, strlen(add->reason));
        if (!r->reason)
            return ENG_NOMEM;
        m->count++;
        return ENG_OK;
    }
    r->requests += add->requests;
    if (__builtin_add_overflow(r->units, add->units, &r->units))
        r->units = INT64_MAX;
    /* Analysis totals only: saturate rather than fail the night. */
    if (__builtin_add_overflow(r->refund_minor, add->refund_minor, &r->refund_minor))
        r->refund_minor = INT64_MAX;
    return ENG_OK;
}

static int is_approved(fmt_str decision)
{
    return fmt_header_name_eq(decision, "APPROVED");
}

static eng_rc read_money(fmt_str v, int currency, const char *field, int64_t *out, eng_err *err)
{
    fmt_dec d;
    fmt_num_rc rc = fmt_dec_parse(v.p, v.len, &d);
    if (rc == FMT_NUM_OK)
        rc = fmt_dec_to_minor(d, fmt_currency_minor_digits(currency), out);
    return rc == FMT_NUM_OK ? ENG_OK : bad_row(err, field, fmt_num_rc_text(rc), v);
}

/* One row of a slips file. */
static eng_rc slip_row(load_ctx *c, fmt_table *t, file_result *fr, worker_totals *w, eng_err *err)
{
    fmt_str qty_s = fmt_table_get(t, H_QTY), cur_s = fmt_table_get(t, H_CURRENCY);
    fmt_str sku = fmt_table_get(t, H_SKU), id = fmt_table_get(t, H_ORDER_ID);
    int64_t qty;
    if (fmt_qty_parse(qty_s.p, qty_s.len, &qty) != FMT_NUM_OK)
        return bad_row(err, "qty", "is not a positive whole number", qty_s);
    int currency = fmt_currency_find(cur_s.p, cur_s.len);
    if (currency < 0)
        return bad_row(err, "currency", "is not an ISO 4217 code", cur_s);
    int64_t amount;
    ENG_TRY(read_money(fmt_table_get(t, H_LINE_AMOUNT), currency, "line_amount", &amount, err));
    fmt_str date_s = fmt_table_get(t, H_SHIP_DATE);
    int32_t date;
    if (fmt_isodate_parse(date_s.p, date_s.len, &date) != 0)
        return bad_row(err, "ship_date", "is not a date YYYY-MM-DD", date_s);
    if (id.len == 0 || sku.len == 0)
        return bad_row(err, id.len ? "sku" : "order_id", "is blank", id.len ? sku : id);
    int32_t product = eng_catalog_find(c->night->catalog, sku.p, sku.len);
    if (product >= 0 && __builtin_add_overflow(w->shipped[product], qty, &w->shipped[product]))
        w->shipped[product] = INT64_MAX;
    if (!eng_strset_has(c->order_ids, id.p, id.len))
        return ENG_OK;
    hist_rec *r;
    ENG_TRY(keep_order_rec(fr, REC_SHIPPED, id, sku, qty, &r, err));
    r->amount_minor = amount;
    r->currency = (int16_t)currency;
    r->ship_date = date;
    r->slip = keep(fr->mem, fmt_table_get(t, H_SLIP_NO));
    r->line_no = keep(fr->mem, fmt_table_get(t, H_LINE_NO));
    r->warehouse = keep(fr->mem, fmt_table_get(t, H_WAREHOUSE));
    static const int text_col[ENG_HT_COUNT] = {
        [ENG_HT_CHANNEL] = H_CHANNEL,           [ENG_HT_CUSTOMER_ID] = -1,
        [ENG_HT_SHIP_NAME] = H_SHIP_NAME,       [ENG_HT_SHIP_STREET] = H_SHIP_STREET,
        [ENG_HT_SHIP_CITY] = H_SHIP_CITY,       [ENG_HT_SHIP_REGION] = H_SHIP_REGION,
        [ENG_HT_SHIP_POSTAL] = H_SHIP_POSTAL,   [ENG_HT_SHIP_COUNTRY] = H_SHIP_COUNTRY,
        [ENG_HT_SHIP_SERVICE] = H_SHIP_SERVICE, [ENG_HT_CURRENCY] = H_CURRENCY,
    };
    for (int f = 0; f < ENG_HT_COUNT; f++) {
        fmt_str v = text_col[f] >= 0 ? fmt_table_get(t, (size_t)text_col[f]) : (fmt_str){"", 0};
        r->text[f].p = keep(fr->mem, v);
        r->text[f].len = (uint32_t)v.len;
        if (!r->text[f].p)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    }
    if (!r->slip || !r->line_no || !r->warehouse)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    return ENG_OK;
}

/* One row of a returns ledger. */
static eng_rc ledger_row(load_ctx *c, fmt_table *t, file_result *fr, worker_totals *w, eng_err *err)
{
    fmt_str req = fmt_table_get(t, H_REQUEST_ID), id = fmt_table_get(t, H_ORDER_ID);
    fmt_str sku = fmt_table_get(t, H_SKU), qty_s = fmt_table_get(t, H_QTY);
    fmt_str cur_s = fmt_table_get(t, H_CURRENCY);
    hist_rec *r;
    if (req.len && eng_strset_has(c->request_ids, req.p, req.len)) {
        if (add_rec(fr, &r) != ENG_OK || !(r->order_id = keep(fr->mem, req)))
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
        r->kind = REC_REQUEST;
        r->order_id_len = (uint32_t)req.len;
    }
    if (!is_approved(fmt_table_get(t, H_DECISION)))
        return ENG_OK; /* a rejected request returned nothing */
    int64_t qty;
    if (fmt_qty_parse(qty_s.p, qty_s.len, &qty) != FMT_NUM_OK)
        return bad_row(err, "qty", "is not a positive whole number", qty_s);
    int currency = fmt_currency_find(cur_s.p, cur_s.len);
    if (currency < 0)
        return bad_row(err, "currency", "is not an ISO 4217 code", cur_s);
    int64_t refund = 0;
    fmt_str refund_s = fmt_table_get(t, H_REFUND);
    if (refund_s.len)
        ENG_TRY(read_money(refund_s, currency, "refund_amount", &refund, err));
    int32_t product = eng_catalog_find(c->night->catalog, sku.p, sku.len);
    if (product >= 0) {
        eng_hist_reason add = {product, (int16_t)currency, NULL, 1, qty, refund};
        char *reason = normalize_reason(w->mem, fmt_table_get(t, H_REASON));
        add.reason = reason;
        if (!reason || reason_add(&w->reasons, w->mem, &add) != ENG_OK)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    }
    if (!eng_strset_has(c->order_ids, id.p, id.len))
        return ENG_OK;
    ENG_TRY(keep_order_rec(fr, REC_RETURNED, id, sku, qty, &r, err));
    r->slip = keep(fr->mem, req);
    r->refunded = !fmt_header_name_eq(fmt_table_get(t, H_RESOLUTION), "exchange");
    return r->slip ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
}

static eng_rc load_file(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    load_ctx *c = ctx;
    eng_source *src = &c->night->sources[c->first + i];
    file_result *fr = &c->files[i];
    fr->path = src->path;
    worker_totals *w = &c->workers[worker];
    fr->mem = eng_arena_new(1u << 16);
    if (!fr->mem)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    fmt_table *t = NULL;
    ENG_TRY(fmt_table_open(src->path, hist_columns, H_COUNT, "history", &t, err));
    int is_slips = fmt_table_has(t, H_SLIP_NO);
    int is_ledger = !is_slips && fmt_table_has(t, H_REQUEST_ID) && fmt_table_has(t, H_DECISION);
    const int *required = is_slips ? slips_required : ledger_required;
    size_t n_required = is_slips ? sizeof slips_required / sizeof *slips_required
                                 : sizeof ledger_required / sizeof *ledger_required;
    eng_rc rc = ENG_OK;
    err->path = src->path;
    err->line = 0;
    err->field = NULL;
    if (!is_slips && !is_ledger)
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "a --history file must be a slips.csv (with slip_no) or a "
                      "returns_ledger.csv (with request_id and decision) of an earlier run");
    for (size_t k = 0; rc == ENG_OK && k < n_required; k++)
        if (!fmt_table_has(t, (size_t)required[k])) {
            err->field = hist_columns[required[k]].name;
            rc = ENG_FAIL(err, ENG_REFUSED, "required column \"%s\" is missing from this %s file",
                          hist_columns[required[k]].name, is_slips ? "slips" : "returns ledger");
        }
    src->format = is_slips ? "slips" : "returns_ledger";
    int got = 0;
    while (rc == ENG_OK && (got = fmt_table_next(t, err)) == 1) {
        fr->rows++;
        fr->line = fmt_table_line(t);
        err->path = src->path;
        err->line = fr->line;
        err->field = NULL;
        if (!fmt_table_row_ok(t)) {
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "the row is not well-formed CSV or has a different number of fields "
                          "than the header; history files must be slipway's own outputs");
            break;
        }
        rc = is_slips ? slip_row(c, t, fr, w, err) : ledger_row(c, t, fr, w, err);
    }
    if (rc == ENG_OK && got < 0)
        rc = err->rc ? err->rc : ENG_REFUSED;
    if (rc == ENG_OK) {
        fmt_table_digest(t, src->sha256, &src->bytes);
        src->data_rows = fr->rows;
        /* (void): out of memory only keeps it from summary.json; it was printed. */
        (void)eng_warn_unended(c->night->warnings, c->first + i, src->path,
                               fmt_table_unended_line(t));
    }
    fmt_table_close(t);
    return rc;
}

/* ---- merging ---- */

static eng_hist_order *order_slot(eng_history *h, const char *id, size_t len)
{
    size_t i = eng_hash_bytes(id, len) & h->mask;
    while (h->orders[i].order_id &&
           (h->orders[i].order_id_len != len || memcmp(h->orders[i].order_id, id, len) != 0))
        i = (i + 1) & h->mask;
    return &h->orders[i];
}

/* Later shipment first: greater date, then greater slip number. */
static int later(int32_t date, const char *slip, int32_t than_date, const char *than_slip)
{
    if (date != than_date)
        return date > than_date;
    return strcmp(slip, than_slip) > 0;
}

/* The same slip line or approved request seen again (a file given twice, a plain copy
 * next to its .zst): it must not count twice. Keys are built only for kept records, so
 * the set grows with tonight's ids, not with history. */
static eng_rc seen_before(eng_history *h, const hist_rec *r, int *seen, eng_err *err)
{
    char key[512];
    int n = r->kind == REC_SHIPPED
                ? snprintf(key, sizeof key, "S\x1f%s\x1f%s\x1f%s\x1f%s\x1f%lld\x1f%lld", r->slip,
                           r->line_no, r->sku, r->warehouse, (long long)r->qty,
                           (long long)r->amount_minor)
                : snprintf(key, sizeof key, "R\x1f%s", r->slip);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof key ? (size_t)n : sizeof key - 1;
    *seen = eng_strset_has(h->seen_recs, key, len);
    if (!*seen && eng_strset_add(h->seen_recs, key, len) != ENG_OK)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    h->repeated_recs += (uint64_t)*seen;
    return ENG_OK;
}

static eng_rc merge_rec(eng_history *h, const hist_rec *r, eng_err *err)
{
    if (r->kind == REC_REQUEST)
        return eng_strset_add(h->requests, r->order_id, r->order_id_len) == ENG_OK
                   ? ENG_OK
                   : ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    int seen;
    ENG_TRY(seen_before(h, r, &seen, err));
    if (seen)
        return ENG_OK;
    eng_hist_order *o = order_slot(h, r->order_id, r->order_id_len);
    if (!o->order_id) {
        o->order_id = r->order_id;
        o->order_id_len = r->order_id_len;
        o->ship_date = -1;
        o->slip = "";
        h->n_orders++;
    }
    eng_hist_line *ln = NULL;
    for (uint32_t k = 0; k < o->n_lines && !ln; k++)
        if (o->lines[k].sku_len == r->sku_len && memcmp(o->lines[k].sku, r->sku, r->sku_len) == 0)
            ln = &o->lines[k];
    if (!ln) {
        /* Lines of one order are few: grow by copying into the arena. */
        eng_hist_line *lines =
            eng_arena_alloc(h->mem, (o->n_lines + 1) * sizeof *lines, _Alignof(eng_hist_line));
        if (!lines)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
        if (o->n_lines)
            memcpy(lines, o->lines, o->n_lines * sizeof *lines);
        o->lines = lines;
        ln = &lines[o->n_lines++];
        memset(ln, 0, sizeof *ln);
        ln->sku = r->sku;
        ln->sku_len = r->sku_len;
        ln->last_ship_date = -1;
        ln->last_slip = "";
        ln->last_warehouse = "";
        ln->currency = -1;
    }
    if (r->kind == REC_RETURNED) {
        if (__builtin_add_overflow(ln->returned, r->qty, &ln->returned))
            ln->returned = INT64_MAX;
        if (r->refunded && __builtin_add_overflow(ln->refunded, r->qty, &ln->refunded))
            ln->refunded = INT64_MAX;
        return ENG_OK;
    }
    if (__builtin_add_overflow(ln->shipped, r->qty, &ln->shipped))
        ln->shipped = INT64_MAX;
    if (__builtin_add_overflow(ln->amount_minor, r->amount_minor, &ln->amount_minor)) {
        /* Name the row that tipped it over: err still held whatever file the run read
         * before (the inventory was named). */
        err->path = r->path;
        err->line = r->line;
        err->field = "line_amount";
        return ENG_FAIL(err, ENG_REFUSED,
                        "history amounts for order %.60s and SKU %.60s add up past "
                        "92233720368547758.07 (2^63-1 minor units); history files must be "
                        "slipway's own outputs, unchanged",
                        r->order_id, r->sku);
    }
    ln->currency = r->currency;
    if (later(r->ship_date, r->slip, ln->last_ship_date, ln->last_slip)) {
        ln->last_ship_date = r->ship_date;
        ln->last_slip = r->slip;
        ln->last_warehouse = r->warehouse;
    }
    if (later(r->ship_date, r->slip, o->ship_date, o->slip)) {
        o->ship_date = r->ship_date;
        o->slip = r->slip;
        memcpy(o->text, r->text, sizeof o->text);
    }
    return ENG_OK;
}

static int cmp_reason(const void *x, const void *y)
{
    const eng_hist_reason *a = x, *b = y;
    if (a->product != b->product)
        return a->product < b->product ? -1 : 1;
    int c = strcmp(a->reason, b->reason);
    if (c)
        return c;
    return (a->currency > b->currency) - (a->currency < b->currency);
}

static eng_rc merge(eng_history *h, load_ctx *c, size_t n_files, unsigned n_workers,
                    size_t n_products, eng_err *err)
{
    size_t kept = 0;
    for (size_t f = 0; f < n_files; f++) {
        kept += c->files[f].n;
        h->rows += c->files[f].rows;
    }
    size_t size = 64;
    while (size < kept * 2)
        size *= 2;
    h->orders = calloc(size, sizeof *h->orders);
    if (!h->orders)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    h->mask = size - 1;
    for (size_t f = 0; f < n_files; f++)
        for (size_t k = 0; k < c->files[f].n; k++)
            ENG_TRY(merge_rec(h, &c->files[f].recs[k], err));
    reason_map all = {NULL, 0, 0};
    for (unsigned w = 0; w < n_workers; w++) {
        worker_totals *wt = &c->workers[w];
        for (size_t p = 0; p < n_products; p++)
            if (__builtin_add_overflow(h->shipped[p], wt->shipped[p], &h->shipped[p]))
                h->shipped[p] = INT64_MAX;
        for (size_t i = 0; wt->reasons.items && i <= wt->reasons.mask; i++)
            if (wt->reasons.items[i].reason &&
                reason_add(&all, h->mem, &wt->reasons.items[i]) != ENG_OK) {
                free(all.items);
                return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
            }
    }
    h->reasons = malloc((all.count ? all.count : 1) * sizeof *h->reasons);
    if (!h->reasons) {
        free(all.items);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    }
    for (size_t i = 0; all.items && i <= all.mask; i++)
        if (all.items[i].reason)
            h->reasons[h->n_reasons++] = all.items[i];
    free(all.items);
    qsort(h->reasons, h->n_reasons, sizeof *h->reasons, cmp_reason);
    return ENG_OK;
}

/* The same file given twice would count every shipment twice in the analysis totals
 * (kept records are de-duplicated anyway). Header-only files may be identical. */
static eng_rc refuse_repeated_files(const eng_night *night, size_t first, size_t n, eng_err *err)
{
    for (size_t i = first; i < first + n; i++)
        for (size_t j = first; j < i; j++) {
            const eng_source *a = &night->sources[j], *b = &night->sources[i];
            if (!a->data_rows || strcmp(a->sha256, b->sha256) != 0)
                continue;
            err->path = b->path;
            err->line = 0;
            err->field = NULL;
            return ENG_FAIL(err, ENG_REFUSED,
                            "this --history file has the same content as %.200s; give each "
                            "night once",
                            a->path);
        }
    return ENG_OK;
}

eng_rc eng_history_load(eng_night *night, size_t first, size_t n, const eng_strset *order_ids,
                        const eng_strset *request_ids, eng_pool *pool, eng_history **out,
                        eng_err *err)
{
    size_t n_products = eng_catalog_count(night->catalog);
    unsigned n_workers = eng_pool_threads(pool);
    eng_history *h = calloc(1, sizeof *h);
    load_ctx c;
    memset(&c, 0, sizeof c);
    c.night = night;
    c.first = first;
    c.order_ids = order_ids;
    c.request_ids = request_ids;
    eng_rc rc = ENG_OK;
    if (h) {
        h->mem = eng_arena_new(1u << 16);
        h->requests = eng_strset_new();
        h->seen_recs = eng_strset_new();
        h->shipped = calloc(n_products ? n_products : 1, sizeof *h->shipped);
        h->file_mem = calloc(n ? n : 1, sizeof *h->file_mem);
    }
    c.files = calloc(n ? n : 1, sizeof *c.files);
    c.workers = calloc(n_workers, sizeof *c.workers);
    if (!h || !h->mem || !h->requests || !h->seen_recs || !h->shipped || !h->file_mem || !c.files ||
        !c.workers)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    for (unsigned w = 0; rc == ENG_OK && w < n_workers; w++) {
        c.workers[w].shipped = calloc(n_products ? n_products : 1, sizeof(int64_t));
        c.workers[w].mem = eng_arena_new(1u << 14);
        if (!c.workers[w].shipped || !c.workers[w].mem)
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    }
    if (rc == ENG_OK)
        rc = eng_pool_for(pool, n, load_file, &c, err);
    if (rc == ENG_OK)
        rc = refuse_repeated_files(night, first, n, err);
    if (rc == ENG_OK)
        rc = merge(h, &c, n, n_workers, n_products, err);
    if (rc == ENG_OK && h->repeated_recs)
        fprintf(stderr,
                "slipway: warning: %llu history rows appear in more than one --history file "
                "(a copy of a night?); each counts once\n",
                (unsigned long long)h->repeated_recs);
    /* Merged records point into the files' arenas: the history keeps them. */
    for (size_t f = 0; c.files && f < n; f++) {
        free(c.files[f].recs);
        if (rc == ENG_OK && h->file_mem)
            h->file_mem[h->n_file_mem++] = c.files[f].mem;
        else
            eng_arena_free(c.files[f].mem);
    }
    for (unsigned w = 0; c.workers && w < n_workers; w++) {
        free(c.workers[w].shipped);
        free(c.workers[w].reasons.items);
        eng_arena_free(c.workers[w].mem);
    }
    free(c.files);
    free(c.workers);
    if (rc != ENG_OK) {
        eng_history_free(h);
        return rc;
    }
    *out = h;
    return ENG_OK;
}

void eng_history_free(eng_history *h)
{
    if (!h)
        return;
    for (size_t f = 0; f < h->n_file_mem; f++)
        eng_arena_free(h->file_mem[f]);
    free(h->file_mem);
    free(h->orders);
    eng_strset_free(h->requests);
    eng_strset_free(h->seen_recs);
    free(h->shipped);
    free(h->reasons);
    eng_arena_free(h->mem);
    free(h);
}

const eng_hist_order *eng_history_order(const eng_history *h, const char *id, size_t len)
{
    if (!h || !h->orders)
        return NULL;
    const eng_hist_order *o = order_slot((eng_history *)h, id, len);
    return o->order_id ? o : NULL;
}

const eng_hist_line *eng_history_line(const eng_hist_order *o, const char *sku, size_t len)
{
    for (uint32_t k = 0; o && k < o->n_lines; k++)
        if (o->lines[k].sku_len == len && memcmp(o->lines[k].sku, sku, len) == 0)
            return &o->lines[k];
    return NULL;
}

int eng_history_has_request(const eng_history *h, const char *id, size_t len)
{
    return h && eng_strset_has(h->requests, id, len);
}

int64_t eng_history_shipped_units(const eng_history *h, uint32_t product)
{
    return h ? h->shipped[product] : 0;
}

const eng_hist_reason *eng_history_reasons(const eng_history *h, size_t *n)
{
    *n = h ? h->n_reasons : 0;
    return h ? h->reasons : NULL;
}

uint64_t eng_history_rows(const eng_history *h)
{
    return h ? h->rows : 0;
}
