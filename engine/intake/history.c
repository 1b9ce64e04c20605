/* History loading.
 *
 *   before the tasks:        paths given twice refused, byte-identical copies skipped
 *   one pool task per file:  rows -> (kept records of tonight's ids) + per-worker totals
 *   then one thread:         records de-duplicated in file order, sorted by (order id,
 *                            channel, SKU) and cut into the order index
 *
 * Totals are sums and the highest slip and return numbers maxima, so the worker that
 * added them does not matter; kept records are de-duplicated in file order and sorted,
 * and "latest shipment" is the greatest (ship date, slip number), so the result is the
 * same for any thread count and any file completion order. Sorting keeps the merge
 * O(n log n) however many lines one order has (a re-sent order of 16,000 lines). */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../formats/csv.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/json.h"
#include "../../formats/num.h"
#include "../../formats/sha256.h"
#include "../../formats/table.h"
#include "../../formats/utf8.h"
#include "../core/arena.h"
#include "../base/hash.h"
#include "../base/warn.h"

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
    const char *channel; /* NULL: a ledger without a channel column (an older slipway) */
    const char *sku;
    uint32_t order_id_len;
    uint32_t channel_len;
    uint32_t sku_len;
    int64_t qty;
    int64_t amount_minor;
    int16_t currency;
    int32_t ship_date;
    const char *slip;    /* REC_SHIPPED: slip number; REC_RETURNED: request id */
    const char *line_no; /* REC_SHIPPED: the slip line's line_no */
    const char *warehouse;
    int refunded;                 /* REC_RETURNED: the resolution was a refund, not an exchange */
    int counts;                   /* merge: not a repeat of an earlier slip line or request */
    int counts_row;               /* merge: not a repeat of an earlier row, all columns */
    unsigned char row_digest[16]; /* REC_SHIPPED: SHA-256 of every field of the row */
    eng_text text[ENG_HT_COUNT];  /* REC_SHIPPED only */
    const char *path;             /* the history file and line it came from, for refusals */
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
    uint64_t catalog_rows; /* rows whose SKU the catalog has */
    uint64_t last_slip;    /* highest slip and return numbers of the run date */
    uint64_t last_return;
    int skip;       /* a byte-identical copy of an earlier file: not read */
    size_t copy_of; /* with skip: that file's index */
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
    fmt_sha256 *sha; /* row digests of kept slip rows */
    fmt_buf row;     /* scratch for the digest */
} worker_totals;

struct eng_history {
    eng_arena *mem;
    eng_hist_order *orders; /* sorted by (order id, channel) bytes */
    size_t n_orders;
    eng_hist_line *lines; /* every order's lines, each order's contiguous */
    size_t n_lines;
    uint64_t last_slip;
    uint64_t last_return;
    eng_strset *requests;
    int64_t *shipped; /* per product */
    eng_hist_reason *reasons;
    size_t n_reasons;
    uint64_t rows;
    eng_arena **file_mem; /* the files' arenas, which merged records point into */
    size_t n_file_mem;
    uint64_t repeated_recs; /* kept slip lines and approved requests found twice */
    eng_file_facts *facts;  /* per history file */
    size_t n_facts;
};

typedef struct load_ctx {
    const eng_setup *setup;
    eng_file_facts *facts; /* per history file: each written by its own task */
    size_t first;
    char run_day[9]; /* YYYYMMDD of the run date, as slip and return numbers write it */
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

/* Column col of the current row as slipway wrote it before the spreadsheet guard (csv.h):
 * history files are slipway's own outputs, whose text cells (ship-to, channel, reason,
 * ids of rejected requests) may carry one. Numbers never do, so every column is read
 * through it. */
static fmt_str get(const fmt_table *t, size_t col)
{
    return fmt_csv_unguard(fmt_table_get(t, col));
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

/* A kept record of units of one SKU of a tonight-relevant order. channel: {NULL, 0} when
 * the file has no channel column. */
static eng_rc keep_order_rec(file_result *fr, rec_kind kind, fmt_str id, fmt_str channel,
                             fmt_str sku, int64_t qty, hist_rec **out, eng_err *err)
{
    hist_rec *r;
    if (add_rec(fr, &r) != ENG_OK)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    r->kind = kind;
    r->path = fr->path;
    r->line = fr->line;
    r->order_id = keep(fr->mem, id);
    r->channel = channel.p ? keep(fr->mem, channel) : NULL;
    r->sku = keep(fr->mem, sku);
    r->order_id_len = (uint32_t)id.len;
    r->channel_len = (uint32_t)channel.len;
    r->sku_len = (uint32_t)sku.len;
    r->qty = qty;
    if (!r->order_id || !r->sku || (channel.p && !r->channel))
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    *out = r;
    return ENG_OK;
}

/* N of a number "PREFIX-YYYYMMDD-N" (OUT-, RMA-) when YYYYMMDD is the run's day; 0 for
 * any other day or text. A number of the run's day that is not one refuses the file. */
static eng_rc number_of_day(fmt_str v, const char *prefix, const char *day, const char *field,
                            uint64_t *out, eng_err *err)
{
    size_t pl = strlen(prefix);
    *out = 0;
    if (v.len < pl + 9 || memcmp(v.p, prefix, pl) != 0 || memcmp(v.p + pl, day, 8) != 0 ||
        v.p[pl + 8] != '-')
        return ENG_OK;
    size_t digits = v.len - pl - 9;
    uint64_t n = 0;
    for (size_t i = pl + 9; i < v.len; i++)
        if (v.p[i] >= '0' && v.p[i] <= '9')
            n = n * 10 + (uint64_t)(v.p[i] - '0');
        else
            digits = 0;
    /* 18 digits keep every later number far from 2^64. */
    if (digits == 0 || digits > 18)
        return bad_row(err, field, "is not a number of slipway's (PREFIX-YYYYMMDD-N)", v);
    *out = n;
    return ENG_OK;
}

/* SHA-256 (first half) of every field of the current row, each with its length, so that
 * two rows are one only when every column is the same. */
static void row_digest(const fmt_table *t, worker_totals *w, unsigned char out[16])
{
    fmt_buf *b = &w->row;
    b->len = 0;
    for (size_t i = 0; i < fmt_table_n_cols(t); i++) {
        fmt_str f = fmt_table_field(t, i);
        uint64_t len = f.len;
        fmt_buf_put(b, &len, sizeof len);
        fmt_buf_put(b, f.p, f.len);
    }
    unsigned char digest[32];
    fmt_sha256_digest(w->sha, b->p ? b->p : "", b->len, digest);
    memcpy(out, digest, 16);
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
    fmt_str qty_s = get(t, H_QTY), cur_s = get(t, H_CURRENCY);
    fmt_str sku = get(t, H_SKU), id = get(t, H_ORDER_ID);
    int64_t qty;
    if (fmt_qty_parse(qty_s.p, qty_s.len, &qty) != FMT_NUM_OK)
        return bad_row(err, "qty", "is not a positive whole number", qty_s);
    int currency = fmt_currency_find(cur_s.p, cur_s.len);
    if (currency < 0)
        return bad_row(err, "currency", "is not an ISO 4217 code", cur_s);
    int64_t amount;
    ENG_TRY(read_money(get(t, H_LINE_AMOUNT), currency, "line_amount", &amount, err));
    fmt_str date_s = get(t, H_SHIP_DATE);
    int32_t date;
    if (fmt_isodate_parse(date_s.p, date_s.len, &date) != 0)
        return bad_row(err, "ship_date", "is not a date YYYY-MM-DD", date_s);
    if (id.len == 0 || sku.len == 0)
        return bad_row(err, id.len ? "sku" : "order_id", "is blank", id.len ? sku : id);
    fmt_str slip_no = get(t, H_SLIP_NO);
    uint64_t number;
    ENG_TRY(number_of_day(slip_no, "OUT-", c->run_day, "slip_no", &number, err));
    if (number > fr->last_slip)
        fr->last_slip = number;
    int32_t product = eng_catalog_find(c->setup->catalog, sku.p, sku.len);
    fr->catalog_rows += product >= 0;
    if (product >= 0 && __builtin_add_overflow(w->shipped[product], qty, &w->shipped[product]))
        w->shipped[product] = INT64_MAX;
    if (!eng_strset_has(c->order_ids, id.p, id.len))
        return ENG_OK;
    hist_rec *r;
    /* Slips without a channel column (not slipway's own) find their order's channel at
     * the merge, like ledgers of an older slipway. */
    fmt_str channel = fmt_table_has(t, H_CHANNEL) ? get(t, H_CHANNEL) : (fmt_str){0};
    ENG_TRY(keep_order_rec(fr, REC_SHIPPED, id, channel, sku, qty, &r, err));
    row_digest(t, w, r->row_digest);
    r->amount_minor = amount;
    r->currency = (int16_t)currency;
    r->ship_date = date;
    r->slip = keep(fr->mem, slip_no);
    r->line_no = keep(fr->mem, get(t, H_LINE_NO));
    r->warehouse = keep(fr->mem, get(t, H_WAREHOUSE));
    static const int text_col[ENG_HT_COUNT] = {
        [ENG_HT_CHANNEL] = H_CHANNEL,           [ENG_HT_CUSTOMER_ID] = -1,
        [ENG_HT_SHIP_NAME] = H_SHIP_NAME,       [ENG_HT_SHIP_STREET] = H_SHIP_STREET,
        [ENG_HT_SHIP_CITY] = H_SHIP_CITY,       [ENG_HT_SHIP_REGION] = H_SHIP_REGION,
        [ENG_HT_SHIP_POSTAL] = H_SHIP_POSTAL,   [ENG_HT_SHIP_COUNTRY] = H_SHIP_COUNTRY,
        [ENG_HT_SHIP_SERVICE] = H_SHIP_SERVICE, [ENG_HT_CURRENCY] = H_CURRENCY,
        [ENG_HT_MARKETPLACE_TAX] = -1,          [ENG_HT_PAYMENT_GATEWAY] = -1,
    };
    for (int f = 0; f < ENG_HT_COUNT; f++) {
        fmt_str v = text_col[f] >= 0 ? get(t, (size_t)text_col[f]) : (fmt_str){"", 0};
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
    fmt_str req = get(t, H_REQUEST_ID), id = get(t, H_ORDER_ID);
    fmt_str sku = get(t, H_SKU), qty_s = get(t, H_QTY);
    fmt_str cur_s = get(t, H_CURRENCY);
    hist_rec *r;
    uint64_t number;
    ENG_TRY(number_of_day(get(t, H_RETURN_NO), "RMA-", c->run_day, "return_no", &number, err));
    if (number > fr->last_return)
        fr->last_return = number;
    /* a rejected row's SKU says whose history this is as well as an approved one's */
    int32_t product = eng_catalog_find(c->setup->catalog, sku.p, sku.len);
    fr->catalog_rows += product >= 0;
    if (!is_approved(get(t, H_DECISION)))
        return ENG_OK; /* a rejected request returned nothing, and may come again */
    if (req.len && eng_strset_has(c->request_ids, req.p, req.len)) {
        if (add_rec(fr, &r) != ENG_OK || !(r->order_id = keep(fr->mem, req)))
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
        r->kind = REC_REQUEST;
        r->order_id_len = (uint32_t)req.len;
    }
    int64_t qty;
    if (fmt_qty_parse(qty_s.p, qty_s.len, &qty) != FMT_NUM_OK)
        return bad_row(err, "qty", "is not a positive whole number", qty_s);
    int currency = fmt_currency_find(cur_s.p, cur_s.len);
    if (currency < 0)
        return bad_row(err, "currency", "is not an ISO 4217 code", cur_s);
    int64_t refund = 0;
    fmt_str refund_s = get(t, H_REFUND);
    if (refund_s.len)
        ENG_TRY(read_money(refund_s, currency, "refund_amount", &refund, err));
    if (product >= 0) {
        eng_hist_reason add = {product, (int16_t)currency, NULL, 1, qty, refund};
        char *reason = normalize_reason(w->mem, get(t, H_REASON));
        add.reason = reason;
        if (!reason || reason_add(&w->reasons, w->mem, &add) != ENG_OK)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    }
    if (!eng_strset_has(c->order_ids, id.p, id.len))
        return ENG_OK;
    /* A ledger of an older slipway has no channel column: its orders are found by id at
     * the merge. */
    fmt_str channel = fmt_table_has(t, H_CHANNEL) ? get(t, H_CHANNEL) : (fmt_str){0};
    ENG_TRY(keep_order_rec(fr, REC_RETURNED, id, channel, sku, qty, &r, err));
    r->slip = keep(fr->mem, req);
    r->refunded = !fmt_header_name_eq(get(t, H_RESOLUTION), "exchange");
    return r->slip ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
}

static eng_rc load_file(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    load_ctx *c = ctx;
    const eng_source *src = &c->setup->sources[c->first + i];
    eng_file_facts *facts = &c->facts[i];
    file_result *fr = &c->files[i];
    fr->path = src->path;
    worker_totals *w = &c->workers[worker];
    if (fr->skip)
        return ENG_OK; /* a copy: its bytes and hash were taken before the tasks */
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
    facts->format = is_slips ? "slips" : "returns_ledger";
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
        fmt_table_digest(t, facts->sha256, &facts->bytes);
        facts->data_rows = fr->rows;
        /* (void): out of memory only keeps it from summary.json; it was printed. */
        (void)eng_warn_unended(c->setup->warnings, c->first + i, src->path,
                               fmt_table_unended_line(t));
    }
    fmt_table_close(t);
    return rc;
}

/* ---- merging ---- */

/* Later shipment first: greater date, then greater slip number. */
static int later(int32_t date, const char *slip, int32_t than_date, const char *than_slip)
{
    if (date != than_date)
        return date > than_date;
    return strcmp(slip, than_slip) > 0;
}

/* Byte order, a proper prefix first. */
static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* A kept record and its place in the files, which breaks every tie. */
typedef struct rec_ref {
    hist_rec *r;
    uint64_t seq; /* file << 40 | index in the file */
} rec_ref;

/* By order id, then channel (records without one first), then SKU, then file order. */
static int cmp_ref(const void *x, const void *y)
{
    const rec_ref *ra = x, *rb = y;
    const hist_rec *a = ra->r, *b = rb->r;
    int c = cmp_bytes(a->order_id, a->order_id_len, b->order_id, b->order_id_len);
    if (c)
        return c;
    if ((a->channel == NULL) != (b->channel == NULL))
        return a->channel == NULL ? -1 : 1;
    if (a->channel && (c = cmp_bytes(a->channel, a->channel_len, b->channel, b->channel_len)))
        return c;
    if ((c = cmp_bytes(a->sku, a->sku_len, b->sku, b->sku_len)))
        return c;
    return (ra->seq > rb->seq) - (ra->seq < rb->seq);
}

static void key_put(fmt_buf *b, const char *p, size_t len)
{
    uint32_t n = (uint32_t)len;
    fmt_buf_put(b, &n, sizeof n);
    fmt_buf_put(b, p, len);
}

/* Whether the set already held the key; adds it. */
static eng_rc seen_key(eng_strset *set, const fmt_buf *key, int *seen, eng_err *err)
{
    if (key->failed)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    *seen = eng_strset_has(set, key->p, key->len);
    if (!*seen && eng_strset_add(set, key->p, key->len) != ENG_OK)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    return ENG_OK;
}

/* Mark what counts of each kept record, in file order: the same slip line (slip number,
 * line, channel, order, SKU, warehouse, units, amount) or approved request found again
 * (a plain copy beside its .zst, nights concatenated) counts once for the index; for
 * invariant 5's recount, the same row (every column) counts once. The keys include the
 * order and channel: slips of two runs of one date numbered alike (an older slipway)
 * are two shipments, not one. */
static eng_rc mark_repeats(eng_history *h, load_ctx *c, size_t n_files, rec_ref *refs,
                           size_t *n_refs, eng_err *err)
{
    eng_strset *lines = eng_strset_new(), *rows = eng_strset_new();
    fmt_buf key;
    fmt_buf_init(&key);
    eng_rc rc = lines && rows ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    *n_refs = 0;
    for (size_t f = 0; f < n_files && rc == ENG_OK; f++) {
        for (size_t k = 0; k < c->files[f].n && rc == ENG_OK; k++) {
            hist_rec *r = &c->files[f].recs[k];
            int seen = 0;
            if (r->kind == REC_REQUEST) {
                if (eng_strset_add(h->requests, r->order_id, r->order_id_len) != ENG_OK)
                    rc = ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
                continue;
            }
            key.len = 0;
            if (r->kind == REC_RETURNED) {
                fmt_buf_putc(&key, 'R');
                key_put(&key, r->slip, strlen(r->slip));
            } else {
                char n[48];
                int len = snprintf(n, sizeof n, "%lld/%lld", (long long)r->qty,
                                   (long long)r->amount_minor);
                fmt_buf_putc(&key, 'S');
                key_put(&key, r->slip, strlen(r->slip));
                key_put(&key, r->line_no, strlen(r->line_no));
                key_put(&key, r->channel, r->channel_len);
                key_put(&key, r->order_id, r->order_id_len);
                key_put(&key, r->sku, r->sku_len);
                key_put(&key, r->warehouse, strlen(r->warehouse));
                key_put(&key, n, (size_t)len);
            }
            rc = seen_key(lines, &key, &seen, err);
            r->counts = !seen;
            h->repeated_recs += (uint64_t)seen;
            r->counts_row = r->counts;
            if (rc == ENG_OK && r->kind == REC_SHIPPED) {
                key.len = 0;
                fmt_buf_put(&key, r->row_digest, sizeof r->row_digest);
                rc = seen_key(rows, &key, &seen, err);
                r->counts_row = !seen;
            }
            if (r->counts || r->counts_row)
                refs[(*n_refs)++] = (rec_ref){r, (uint64_t)f << 40 | k};
        }
    }
    fmt_buf_release(&key);
    eng_strset_free(lines);
    eng_strset_free(rows);
    return rc;
}

/* Records of a file without a channel column (a ledger of an older slipway) go to the
 * one channel the other files have the order on ("" when none does: for a ledger,
 * nothing of it shipped in the history given, and the return finds no shipment either
 * way). An order on several channels cannot be told: refuse rather than credit the wrong
 * one. refs[from, to) share an id. */
static eng_rc place_unchanneled(rec_ref *refs, size_t from, size_t to, eng_err *err)
{
    size_t known = from;
    while (known < to && !refs[known].r->channel)
        known++;
    if (known == from)
        return ENG_OK;
    const hist_rec *first = known < to ? refs[known].r : NULL;
    for (size_t k = known + 1; k < to; k++) {
        const hist_rec *r = refs[k].r;
        if (cmp_bytes(r->channel, r->channel_len, first->channel, first->channel_len) == 0)
            continue;
        const hist_rec *u = refs[from].r;
        err->path = u->path;
        err->line = u->line;
        err->field = "order_id";
        return ENG_FAIL(err, ENG_REFUSED,
                        "this history file has no channel column, and history has order %.60s on "
                        "channels \"%.40s\" and \"%.40s\": give the file as slipway wrote it, "
                        "with its channel column",
                        u->order_id, first->channel, r->channel);
    }
    for (size_t k = from; k < known; k++) {
        refs[k].r->channel = first ? first->channel : "";
        refs[k].r->channel_len = first ? first->channel_len : 0;
    }
    qsort(refs + from, to - from, sizeof *refs, cmp_ref);
    return ENG_OK;
}

/* One line from the records of one (order, SKU), refs[from, to). */
static eng_rc build_line(eng_history *h, const eng_catalog *catalog, eng_hist_order *o,
                         const rec_ref *refs, size_t from, size_t to, eng_err *err)
{
    eng_hist_line *ln = &h->lines[h->n_lines++];
    const hist_rec *first = refs[from].r;
    memset(ln, 0, sizeof *ln);
    ln->sku = first->sku;
    ln->sku_len = first->sku_len;
    ln->product = eng_catalog_find(catalog, first->sku, first->sku_len);
    ln->last_ship_date = -1;
    ln->last_slip = "";
    ln->last_warehouse = "";
    ln->currency = -1;
    for (size_t k = from; k < to; k++) {
        const hist_rec *r = refs[k].r;
        if (r->kind == REC_RETURNED) {
            if (__builtin_add_overflow(ln->returned, r->qty, &ln->returned))
                ln->returned = INT64_MAX;
            if (r->refunded && __builtin_add_overflow(ln->refunded, r->qty, &ln->refunded))
                ln->refunded = INT64_MAX;
            continue;
        }
        if (r->counts_row && __builtin_add_overflow(ln->shipped_rows, r->qty, &ln->shipped_rows))
            ln->shipped_rows = INT64_MAX;
        if (!r->counts)
            continue;
        if (__builtin_add_overflow(ln->shipped, r->qty, &ln->shipped))
            ln->shipped = INT64_MAX;
        if (__builtin_add_overflow(ln->amount_minor, r->amount_minor, &ln->amount_minor)) {
            /* Name the row that tipped it over: err still held whatever file the run
             * read before (the inventory was named). */
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
    }
    return ENG_OK;
}

/* The order index: kept records sorted, cut into orders by (id, channel) and their lines
 * by SKU. O(n log n) in the records, whatever the shape of an order. */
static eng_rc build_orders(eng_history *h, load_ctx *c, size_t n_files, eng_err *err)
{
    size_t kept = 0;
    for (size_t f = 0; f < n_files; f++)
        kept += c->files[f].n;
    rec_ref *refs = malloc((kept ? kept : 1) * sizeof *refs);
    h->orders = malloc((kept ? kept : 1) * sizeof *h->orders);
    h->lines = malloc((kept ? kept : 1) * sizeof *h->lines);
    if (!refs || !h->orders || !h->lines) {
        free(refs);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging history");
    }
    size_t n = 0;
    eng_rc rc = mark_repeats(h, c, n_files, refs, &n, err);
    if (rc == ENG_OK)
        qsort(refs, n, sizeof *refs, cmp_ref);
    for (size_t i = 0; i < n && rc == ENG_OK;) {
        size_t end = i + 1;
        while (end < n && cmp_bytes(refs[end].r->order_id, refs[end].r->order_id_len,
                                    refs[i].r->order_id, refs[i].r->order_id_len) == 0)
            end++;
        rc = place_unchanneled(refs, i, end, err);
        for (size_t j = i; j < end && rc == ENG_OK;) {
            const hist_rec *r = refs[j].r;
            eng_hist_order *o = &h->orders[h->n_orders++];
            memset(o, 0, sizeof *o);
            o->order_id = r->order_id;
            o->order_id_len = r->order_id_len;
            o->channel = r->channel;
            o->channel_len = r->channel_len;
            o->ship_date = -1;
            o->slip = "";
            o->lines = &h->lines[h->n_lines];
            while (j < end && rc == ENG_OK &&
                   cmp_bytes(refs[j].r->channel, refs[j].r->channel_len, o->channel,
                             o->channel_len) == 0) {
                size_t sku_end = j + 1;
                while (sku_end < end &&
                       cmp_bytes(refs[sku_end].r->channel, refs[sku_end].r->channel_len, o->channel,
                                 o->channel_len) == 0 &&
                       cmp_bytes(refs[sku_end].r->sku, refs[sku_end].r->sku_len, refs[j].r->sku,
                                 refs[j].r->sku_len) == 0)
                    sku_end++;
                rc = build_line(h, c->setup->catalog, o, refs, j, sku_end, err);
                o->n_lines++;
                j = sku_end;
            }
        }
        i = end;
    }
    free(refs);
    return rc;
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
    for (size_t f = 0; f < n_files; f++) {
        const file_result *fr = &c->files[f];
        h->rows += fr->rows;
        if (fr->last_slip > h->last_slip)
            h->last_slip = fr->last_slip;
        if (fr->last_return > h->last_return)
            h->last_return = fr->last_return;
    }
    ENG_TRY(build_orders(h, c, n_files, err));
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

/* The same file named twice (by any path: the same device and inode) is refused: it is a
 * mistake in the command line, and counted twice it would ship nothing it should. A copy
 * with the same bytes under another name (a night kept in two folders) is skipped: files
 * of equal size are hashed first, and a later one equal to an earlier one is not read. */
static eng_rc find_copies(const eng_setup *setup, eng_file_facts *facts, file_result *files,
                          char (*hashed)[65], eng_err *err)
{
    size_t first = setup->first_history_file, n = setup->n_history_files;
    struct stat *st = calloc(n ? n : 1, sizeof *st);
    if (!st)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    eng_rc rc = ENG_OK;
    for (size_t i = 0; i < n && rc == ENG_OK; i++) {
        const eng_source *src = &setup->sources[first + i];
        err->path = src->path;
        err->line = 0;
        err->field = NULL;
        if (stat(src->path, &st[i]) != 0) {
            memset(&st[i], 0, sizeof st[i]);
            continue; /* the task's open says why */
        }
        for (size_t j = 0; j < i && rc == ENG_OK; j++)
            if (S_ISREG(st[i].st_mode) && st[j].st_dev == st[i].st_dev &&
                st[j].st_ino == st[i].st_ino)
                rc = ENG_FAIL(err, ENG_REFUSED,
                              "this --history file was already given as %.200s (the same file "
                              "given twice); give each file once",
                              setup->sources[first + j].path);
    }
    for (size_t i = 0; i < n && rc == ENG_OK; i++) {
        for (size_t j = 0; j < i && rc == ENG_OK && !files[i].skip; j++) {
            if (!S_ISREG(st[i].st_mode) || !S_ISREG(st[j].st_mode) ||
                st[i].st_size != st[j].st_size || files[j].skip)
                continue;
            const eng_source *a = &setup->sources[first + j], *b = &setup->sources[first + i];
            uint64_t bytes;
            if (!hashed[j][0])
                rc = fmt_sha256_file(a->path, hashed[j], &bytes, err);
            if (rc == ENG_OK && !hashed[i][0])
                rc = fmt_sha256_file(b->path, hashed[i], &bytes, err);
            if (rc == ENG_OK && strcmp(hashed[i], hashed[j]) == 0) {
                files[i].skip = 1;
                files[i].copy_of = j;
                memcpy(facts[i].sha256, hashed[i], sizeof facts[i].sha256);
                facts[i].bytes = (uint64_t)st[i].st_size;
            }
        }
    }
    free(st);
    return rc;
}

/* A copy's warning, once its original is read: only a copy with rows is worth a word (two
 * quiet nights' header-only files are alike). Its format and rows are its original's. An
 * original whose bytes changed between the two reads is refused. */
static eng_rc settle_copies(const eng_setup *setup, eng_file_facts *facts, file_result *files,
                            char (*hashed)[65], eng_err *err)
{
    size_t first = setup->first_history_file, n = setup->n_history_files;
    for (size_t i = 0; i < n; i++) {
        const eng_source *src = &setup->sources[first + i];
        if (!files[i].skip && hashed[i][0] && strcmp(hashed[i], facts[i].sha256) != 0) {
            err->path = src->path;
            err->line = 0;
            err->field = NULL;
            return ENG_FAIL(err, ENG_REFUSED,
                            "changed while it was read (a transfer still in progress?); wait "
                            "until it is complete and run again");
        }
        if (!files[i].skip)
            continue;
        const eng_source *orig = &setup->sources[first + files[i].copy_of];
        const eng_file_facts *orig_facts = &facts[files[i].copy_of];
        facts[i].format = orig_facts->format;
        facts[i].data_rows = orig_facts->data_rows;
        if (orig_facts->data_rows &&
            eng_warn(setup->warnings, first + i, 0,
                     "history file %s has the same bytes as %s; it was skipped (each night "
                     "counts once)",
                     src->path, orig->path) != ENG_OK)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory keeping a warning");
    }
    return ENG_OK;
}

/* ---- a history file beside its run's manifest ---- */

/* The manifest.json of dir, parsed, or NULL when dir has none. A manifest that is there
 * but cannot be read as slipway's refuses the run: the run folder is damaged. */
static eng_rc read_manifest(const char *dir, const char *file, fmt_json_value **out, eng_err *err)
{
    enum { MANIFEST_MAX = 64u << 20 };
    char path[4096];
    struct stat st;
    *out = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/manifest.json", dir) >= sizeof path ||
        stat(path, &st) != 0)
        return ENG_OK;
    err->path = file;
    err->line = 0;
    err->field = NULL;
    if (!S_ISREG(st.st_mode) || st.st_size > MANIFEST_MAX)
        return ENG_FAIL(err, ENG_REFUSED,
                        "the manifest.json beside this history file is not a manifest slipway "
                        "wrote (a special file, or over 64 MiB)");
    FILE *f = fopen(path, "rb");
    char *text = malloc((size_t)st.st_size + 1);
    size_t len = f && text ? fread(text, 1, (size_t)st.st_size, f) : 0;
    int failed = !f || !text || ferror(f);
    if (f)
        (void)fclose(f); /* read-only */
    char why[160] = "";
    int parsed = failed ? -1 : fmt_json_parse(text, len, out, why, sizeof why);
    free(text);
    if (parsed == -2)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", path);
    if (parsed != 0 || fmt_json_kind(fmt_json_member(*out, "outputs")) != FMT_JSON_T_ARRAY) {
        fmt_json_value_free(*out);
        *out = NULL;
        return ENG_FAIL(err, ENG_REFUSED,
                        "the manifest.json beside this history file cannot be read as slipway's "
                        "(%s): the run folder is damaged; give the history files of an intact "
                        "run",
                        failed   ? "unreadable"
                        : why[0] ? why
                                 : "no outputs list");
    }
    return ENG_OK;
}

/* A history file that stands beside its run's manifest.json must be the file that run
 * wrote: listed there, with the same size and SHA-256 (an edited slips.csv would make an
 * order ship again). Files with no manifest beside them are taken as given. */
static eng_rc check_manifests(const eng_setup *setup, const eng_file_facts *facts, eng_err *err)
{
    char dir[4096] = "", parsed_dir[4096] = "";
    fmt_json_value *manifest = NULL;
    eng_rc rc = ENG_OK;
    for (size_t i = 0; i < setup->n_history_files && rc == ENG_OK; i++) {
        const eng_source *src = &setup->sources[setup->first_history_file + i];
        const eng_file_facts *f = &facts[i];
        const char *slash = strrchr(src->path, '/');
        const char *base = slash ? slash + 1 : src->path;
        size_t dir_len = slash ? (size_t)(slash - src->path) : 0;
        if (dir_len >= sizeof dir)
            continue;
        if (slash)
            snprintf(dir, sizeof dir, "%.*s", (int)(dir_len ? dir_len : 1), src->path);
        else
            snprintf(dir, sizeof dir, ".");
        if (strcmp(dir, parsed_dir) != 0) { /* a run's two files are usually adjacent */
            fmt_json_value_free(manifest);
            manifest = NULL;
            rc = read_manifest(dir, src->path, &manifest, err);
            snprintf(parsed_dir, sizeof parsed_dir, "%s", dir);
        }
        if (rc != ENG_OK || !manifest)
            continue;
        const fmt_json_value *outputs = fmt_json_member(manifest, "outputs"), *entry = NULL;
        for (size_t k = 0; k < fmt_json_count(outputs) && !entry; k++) {
            const char *name = fmt_json_member_str(fmt_json_item(outputs, k), "name");
            if (name && strcmp(name, base) == 0)
                entry = fmt_json_item(outputs, k);
        }
        err->path = src->path;
        err->line = 0;
        err->field = NULL;
        if (!entry) {
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "this history file stands beside a run's manifest.json that does not "
                          "list it: it is not that run's output; give the run's own files");
            continue;
        }
        const char *sha = fmt_json_member_str(entry, "sha256");
        const char *bytes = fmt_json_value_text(fmt_json_member(entry, "bytes"));
        char have[24];
        snprintf(have, sizeof have, "%llu", (unsigned long long)f->bytes);
        if (!sha || !bytes || strcmp(sha, f->sha256) != 0 || strcmp(bytes, have) != 0)
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "this history file is not the one its run wrote: %s bytes, sha256 "
                          "%.16s..., where the manifest.json beside it records %s bytes, sha256 "
                          "%.16s...; history must be slipway's own outputs, unchanged (restore "
                          "it, or run again from the right file)",
                          have, f->sha256, bytes ? bytes : "no", sha ? sha : "none");
    }
    fmt_json_value_free(manifest);
    return rc;
}

/* History of another shop would mark genuine orders as already shipped: a file none of
 * whose SKUs the catalog has is worth a warning. */
static eng_rc warn_foreign(const eng_setup *setup, const file_result *files, eng_err *err)
{
    size_t first = setup->first_history_file;
    for (size_t i = 0; i < setup->n_history_files; i++)
        if (!files[i].skip && files[i].rows && !files[i].catalog_rows &&
            eng_warn(setup->warnings, first + i, 0,
                     "none of the %llu rows of history file %s names a SKU of the catalog: is "
                     "it another shop's history?",
                     (unsigned long long)files[i].rows, setup->sources[first + i].path) != ENG_OK)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory keeping a warning");
    return ENG_OK;
}

eng_rc eng_history_load(const eng_setup *setup, const eng_strset *order_ids,
                        const eng_strset *request_ids, eng_history **out, eng_err *err)
{
    size_t n_products = eng_catalog_count(setup->catalog);
    size_t first = setup->first_history_file, n = setup->n_history_files;
    eng_pool *pool = setup->pool;
    unsigned n_workers = eng_pool_threads(pool);
    eng_history *h = calloc(1, sizeof *h);
    load_ctx c;
    memset(&c, 0, sizeof c);
    c.setup = setup;
    c.first = first;
    c.order_ids = order_ids;
    c.request_ids = request_ids;
    fmt_isodate_compact(setup->run_date, c.run_day);
    char(*hashed)[65] = calloc(n ? n : 1, sizeof *hashed);
    eng_rc rc = ENG_OK;
    if (h) {
        h->mem = eng_arena_new(1u << 16);
        h->requests = eng_strset_new();
        h->shipped = calloc(n_products ? n_products : 1, sizeof *h->shipped);
        h->file_mem = calloc(n ? n : 1, sizeof *h->file_mem);
        h->facts = calloc(n ? n : 1, sizeof *h->facts);
        h->n_facts = n;
        for (size_t i = 0; h->facts && i < n; i++)
            h->facts[i].format = "";
        c.facts = h->facts;
    }
    c.files = calloc(n ? n : 1, sizeof *c.files);
    c.workers = calloc(n_workers, sizeof *c.workers);
    if (!h || !h->mem || !h->requests || !h->shipped || !h->file_mem || !h->facts || !c.files ||
        !c.workers || !hashed)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    for (unsigned w = 0; rc == ENG_OK && w < n_workers; w++) {
        c.workers[w].shipped = calloc(n_products ? n_products : 1, sizeof(int64_t));
        c.workers[w].mem = eng_arena_new(1u << 14);
        c.workers[w].sha = fmt_sha256_new();
        fmt_buf_init(&c.workers[w].row);
        if (!c.workers[w].shipped || !c.workers[w].mem || !c.workers[w].sha)
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading history");
    }
    if (rc == ENG_OK)
        rc = find_copies(setup, h->facts, c.files, hashed, err);
    if (rc == ENG_OK)
        rc = eng_pool_for(pool, n, load_file, &c, err);
    if (rc == ENG_OK)
        rc = settle_copies(setup, h->facts, c.files, hashed, err);
    if (rc == ENG_OK)
        rc = check_manifests(setup, h->facts, err);
    if (rc == ENG_OK)
        rc = merge(h, &c, n, n_workers, n_products, err);
    if (rc == ENG_OK && h->repeated_recs &&
        eng_warn(setup->warnings, ENG_WARN_RUN, 0,
                 "%llu history rows appear in more than one --history file (a copy of a "
                 "night?); each counts once",
                 (unsigned long long)h->repeated_recs) != ENG_OK)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory keeping a warning");
    if (rc == ENG_OK)
        rc = warn_foreign(setup, c.files, err);
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
        fmt_sha256_free(c.workers[w].sha);
        fmt_buf_release(&c.workers[w].row);
    }
    free(c.files);
    free(c.workers);
    free(hashed);
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
    free(h->facts);
    free(h->orders);
    free(h->lines);
    eng_strset_free(h->requests);
    free(h->shipped);
    free(h->reasons);
    eng_arena_free(h->mem);
    free(h);
}

/* (id, channel) against an order, byte order, as the index is sorted. */
static int cmp_order_key(const char *id, size_t len, const char *channel, size_t channel_len,
                         const eng_hist_order *o)
{
    int c = cmp_bytes(id, len, o->order_id, o->order_id_len);
    return c ? c : cmp_bytes(channel, channel_len, o->channel, o->channel_len);
}

const eng_hist_order *eng_history_order(const eng_history *h, const char *channel,
                                        size_t channel_len, const char *id, size_t len)
{
    size_t lo = 0, hi = h ? h->n_orders : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_order_key(id, len, channel, channel_len, &h->orders[mid]);
        if (c == 0)
            return &h->orders[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const eng_hist_order *eng_history_orders_with_id(const eng_history *h, const char *id, size_t len,
                                                 size_t *n)
{
    size_t lo = 0, hi = h ? h->n_orders : 0;
    while (lo < hi) { /* the first order whose id is not below id */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_bytes(h->orders[mid].order_id, h->orders[mid].order_id_len, id, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (h && end < h->n_orders &&
           cmp_bytes(h->orders[end].order_id, h->orders[end].order_id_len, id, len) == 0)
        end++;
    *n = end - lo;
    return *n ? &h->orders[lo] : NULL;
}

const eng_hist_line *eng_history_line(const eng_hist_order *o, const char *sku, size_t len)
{
    size_t lo = 0, hi = o ? o->n_lines : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_bytes(sku, len, o->lines[mid].sku, o->lines[mid].sku_len);
        if (c == 0)
            return &o->lines[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

uint64_t eng_history_last_slip(const eng_history *h)
{
    return h ? h->last_slip : 0;
}

uint64_t eng_history_last_return(const eng_history *h)
{
    return h ? h->last_return : 0;
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

const eng_file_facts *eng_history_facts(const eng_history *h, size_t i)
{
    return h && i < h->n_facts ? &h->facts[i] : NULL;
}
