/* Returns: reading, deciding, refunding, restocking, exchanging.
 *
 * Decisions depend on earlier requests of the same night (duplicates, quantity already
 * approved), so requests are decided one by one in (requested_at, request_id) order, on
 * one thread, before orders are allocated. Restocks are added to the stock counters
 * before any exchange or order reserves, so restocked units can ship tonight. */
#include "returns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/csv.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/num.h"
#include "../../formats/table.h"
#include "../../formats/utf8.h"
#include "../base/text.h"
#include "../base/warn.h"
#include "route.h"

enum {
    R_REQUEST_ID,
    R_ORDER_ID,
    R_SKU,
    R_QTY,
    R_REASON,
    R_CONDITION,
    R_RESOLUTION,
    R_REQUESTED_AT,
    R_CHANNEL,
    R_COUNT
};

static const fmt_column return_columns[R_COUNT] = {
    {"request_id", 1}, {"order_id", 1},   {"sku", 1},          {"qty", 1},     {"reason", 1},
    {"condition", 1},  {"resolution", 0}, {"requested_at", 0}, {"channel", 0},
};

const char *eng_return_status_name(eng_return_status st)
{
    switch (st) {
    case ENG_RS_RESTOCKED:
        return "RESTOCKED";
    case ENG_RS_CLOSED:
        return "CLOSED";
    case ENG_RS_REJECTED:
        return "REJECTED";
    case ENG_RS_EXCHANGE_SHIPPED:
        return "EXCHANGE_SHIPPED";
    case ENG_RS_EXCHANGE_BACKORDERED:
        return "EXCHANGE_BACKORDERED";
    }
    return "";
}

/* Conditions as marketplaces send them. Anything else is BAD_VALUE. */
static const char *const resaleable_words[] = {"resaleable", "resalable", "sellable", "new",
                                               "unopened",   "sealed",    "like new", "like_new",
                                               "as new",     "good",      "unused"};
static const char *const damaged_words[] = {"damaged", "defective", "broken", "faulty"};

/* 1 resaleable, 0 damaged, -1 unknown. */
static int classify_condition(fmt_str v)
{
    for (size_t i = 0; i < sizeof resaleable_words / sizeof *resaleable_words; i++)
        if (fmt_header_name_eq(v, resaleable_words[i]))
            return 1;
    for (size_t i = 0; i < sizeof damaged_words / sizeof *damaged_words; i++)
        if (fmt_header_name_eq(v, damaged_words[i]))
            return 0;
    return -1;
}

void eng_returns_release(eng_returns *rs)
{
    free(rs->items);
    free(rs->files);
    eng_exc_list_release(&rs->exc);
    eng_arena_free(rs->mem);
    memset(rs, 0, sizeof *rs);
}

/* ---- reading ---- */

static eng_text keep_text(eng_arena *mem, fmt_str v)
{
    eng_text t = {"", 0};
    size_t n = v.len;
    const char *p = fmt_utf8_valid_prefix(v.p, v.len) == v.len
                        ? eng_arena_strndup(mem, v.p, v.len)
                        : eng_text_sanitize(mem, v.p, v.len, &n);
    if (p) {
        t.p = p;
        t.len = (uint32_t)n;
    } else {
        t.p = NULL;
    }
    return t;
}

static eng_return *new_return(eng_returns *rs)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        eng_return *grown = realloc(rs->items, cap * sizeof *grown);
        if (!grown)
            return NULL;
        rs->items = grown;
        rs->cap = cap;
    }
    eng_return *r = &rs->items[rs->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* The first row-level problem of a request, with its exception. */
static eng_rc read_fault(eng_returns *rs, eng_return *r, eng_code code, const char *field,
                         const char *msg)
{
    if (r->read_code == ENG_CODE_NONE)
        r->read_code = code;
    return eng_exc_add(&rs->exc, rs->mem, r->file, r->line, r->request_id.p, code, field, "%s",
                       msg);
}

static eng_rc read_row(const eng_setup *n, eng_returns *rs, fmt_table *t, uint16_t file)
{
    eng_return *r = new_return(rs);
    if (!r)
        return ENG_NOMEM;
    r->file = file;
    r->line = fmt_table_line(t);
    r->product = -1;
    r->currency = -1;
    r->requested_ns = (int64_t)n->run_date * FMT_NS_PER_DAY;
    fmt_str v[R_COUNT];
    for (int c = 0; c < R_COUNT; c++)
        v[c] = fmt_table_get(t, (size_t)c);
    char qty_buf[64];
    int qty_ok;
    v[R_QTY] = fmt_table_number(t, R_QTY, qty_buf, sizeof qty_buf, &qty_ok);
    r->request_id = keep_text(rs->mem, v[R_REQUEST_ID]);
    r->order_id = keep_text(rs->mem, v[R_ORDER_ID]);
    r->sku = keep_text(rs->mem, v[R_SKU]);
    r->reason = keep_text(rs->mem, v[R_REASON]);
    r->condition = keep_text(rs->mem, v[R_CONDITION]);
    r->resolution = keep_text(rs->mem, v[R_RESOLUTION]);
    r->channel = keep_text(rs->mem, v[R_CHANNEL]);
    if (!r->request_id.p || !r->order_id.p || !r->sku.p || !r->reason.p || !r->condition.p ||
        !r->resolution.p || !r->channel.p)
        return ENG_NOMEM;
    char msg[320], q[64];
    if (!fmt_table_row_ok(t))
        return read_fault(rs, r, ENG_CODE_MALFORMED_ROW, "",
                          "the row is not well-formed CSV or has a different number of fields "
                          "than the header");
    for (size_t i = 0; i < fmt_table_n_cols(t); i++) {
        fmt_str f = fmt_table_field(t, i);
        size_t ok = fmt_utf8_clean_prefix(f.p, f.len);
        if (ok == f.len)
            continue;
        char why[96];
        eng_text_quote(q, sizeof q, f.p, f.len);
        fmt_utf8_explain(why, sizeof why, f.p, f.len, ok);
        snprintf(msg, sizeof msg, "%s %s", q, why);
        /* Name the column, as for orders (SPEC: file, line and field); the table's header
         * is gone when exceptions are written, so the name is copied. */
        fmt_str name = fmt_table_col_name(t, i);
        const char *field = eng_arena_strndup(rs->mem, name.p, name.len);
        if (!field)
            return ENG_NOMEM;
        return read_fault(rs, r, ENG_CODE_BAD_ENCODING, field, msg);
    }
    /* As for order rows (issue 15): ids are matched and written exactly, so one that
     * outputs would have to guard against a spreadsheet is refused, never altered. */
    static const int ids[] = {R_REQUEST_ID, R_ORDER_ID, R_SKU};
    for (size_t k = 0; k < sizeof ids / sizeof *ids; k++) {
        fmt_str id = v[ids[k]];
        char why[160];
        if (!eng_text_unusable_id(id.p, id.len, why, sizeof why))
            continue;
        const char *name = return_columns[ids[k]].name;
        eng_text_quote(q, sizeof q, id.p, id.len);
        snprintf(msg, sizeof msg, "%s %s %s; slipway never changes %s, so correct it at the source",
                 name, q, why, ids[k] == R_SKU ? "SKUs" : "ids");
        return read_fault(rs, r, ENG_CODE_UNSAFE_TEXT, name, msg);
    }
    static const int needed[] = {R_REQUEST_ID, R_ORDER_ID, R_SKU, R_QTY, R_CONDITION};
    for (size_t k = 0; k < sizeof needed / sizeof *needed; k++)
        if (v[needed[k]].len == 0) {
            snprintf(msg, sizeof msg, "%s is blank", return_columns[needed[k]].name);
            return read_fault(rs, r, ENG_CODE_MISSING_FIELD, return_columns[needed[k]].name, msg);
        }
    fmt_num_rc qrc = qty_ok ? fmt_qty_parse(v[R_QTY].p, v[R_QTY].len, &r->qty) : FMT_NUM_SYNTAX;
    if (!qty_ok) {
        r->qty = 0;
        eng_text_quote(q, sizeof q, v[R_QTY].p, v[R_QTY].len);
        snprintf(msg, sizeof msg, "qty %s " FMT_DECIMAL_COMMA_RULE, q);
        return read_fault(rs, r, ENG_CODE_BAD_QTY, "qty", msg);
    }
    if (qrc != FMT_NUM_OK) {
        r->qty = 0;
        eng_text_quote(q, sizeof q, v[R_QTY].p, v[R_QTY].len);
        /* As for orders: a huge whole number is one, just too large. */
        snprintf(msg, sizeof msg, "qty %s %s", q,
                 qrc == FMT_NUM_OVERFLOW ? "is too large (over 64 bits)"
                                         : "is not a positive whole number");
        return read_fault(rs, r, ENG_CODE_BAD_QTY, "qty", msg);
    }
    if (v[R_REQUESTED_AT].len &&
        fmt_isotime_parse(v[R_REQUESTED_AT].p, v[R_REQUESTED_AT].len, &r->requested_ns) != 0) {
        r->requested_ns = (int64_t)n->run_date * FMT_NS_PER_DAY;
        eng_text_quote(q, sizeof q, v[R_REQUESTED_AT].p, v[R_REQUESTED_AT].len);
        snprintf(msg, sizeof msg, "requested_at %s is not an ISO 8601 date or time in 1970-2099",
                 q);
        return read_fault(rs, r, ENG_CODE_BAD_DATE, "requested_at", msg);
    }
    r->exchange = fmt_header_name_eq(v[R_RESOLUTION], "exchange");
    r->resaleable = classify_condition(v[R_CONDITION]) == 1;
    r->product = eng_catalog_find(n->catalog, v[R_SKU].p, v[R_SKU].len);
    return ENG_OK;
}

eng_rc eng_returns_read(const eng_setup *n, eng_returns *rs, eng_strset *order_ids,
                        eng_strset *request_ids, eng_err *err)
{
    size_t first = n->first_return_file, count = n->n_return_files;
    if (!rs->mem && !(rs->mem = eng_arena_new(1u << 16)))
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading returns");
    rs->first_file = first;
    rs->n_files = count;
    if (!rs->files && !(rs->files = calloc(count ? count : 1, sizeof *rs->files)))
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading returns");
    for (size_t f = first; f < first + count; f++) {
        const eng_source *src = &n->sources[f];
        eng_file_facts *facts = &rs->files[f - first];
        fmt_table *t = NULL;
        ENG_TRY(fmt_table_open_encoded(src->path, n->encoding, return_columns, R_COUNT, "returns",
                                       &t, err));
        facts->format = "returns";
        facts->encoding = fmt_table_encoding(t); /* the manifest says so; verify reads it so */
        int got;
        eng_rc rc = ENG_OK;
        while (rc == ENG_OK && (got = fmt_table_next(t, err)) == 1) {
            facts->data_rows++;
            rc = read_row(n, rs, t, (uint16_t)f);
            if (rc == ENG_NOMEM)
                ENG_FAIL(err, rc, "out of memory reading returns");
            const eng_return *r = &rs->items[rs->n - 1];
            if (rc == ENG_OK && r->order_id.len &&
                eng_strset_add(order_ids, r->order_id.p, r->order_id.len) != ENG_OK)
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading returns");
            if (rc == ENG_OK && r->request_id.len &&
                eng_strset_add(request_ids, r->request_id.p, r->request_id.len) != ENG_OK)
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading returns");
        }
        if (rc == ENG_OK && got < 0)
            rc = err->rc ? err->rc : ENG_REFUSED;
        if (rc == ENG_OK) {
            fmt_table_digest(t, facts->sha256, &facts->bytes);
            /* (void): out of memory only keeps it from summary.json; it was printed. */
            (void)eng_warn_unended(n->warnings, f, src->path, fmt_table_unended_line(t));
        }
        fmt_table_close(t);
        ENG_TRY(rc);
    }
    return ENG_OK;
}

/* ---- deciding ---- */

static int cmp_processing(const void *x, const void *y)
{
    const eng_return *a = x, *b = y;
    if (a->requested_ns != b->requested_ns)
        return a->requested_ns < b->requested_ns ? -1 : 1;
    int c = memcmp(a->request_id.p, b->request_id.p,
                   a->request_id.len < b->request_id.len ? a->request_id.len : b->request_id.len);
    if (c)
        return c;
    if (a->request_id.len != b->request_id.len)
        return a->request_id.len < b->request_id.len ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

int64_t eng_returns_refund(int64_t amount_minor, int64_t shipped, int64_t qty, fmt_dec pct)
{
    if (shipped <= 0 || qty <= 0 || amount_minor <= 0)
        return 0;
    /* refund = a * keep / (s * scale) with a = amount * qty, s = shipped, and keep / scale
     * the share kept after the fee (pct = mant / 10^frac percent). One rounding, half up,
     * done exactly in 128 bits by splitting off whole parts:
     *   a = q1 * s + r1,   q1 * keep = q2 * scale + r2,
     *   value = q2 + (r2 * s + r1 * keep) / (s * scale), the fraction below 2. */
    __int128 scale = 100;
    for (int i = 0; i < pct.frac; i++)
        scale *= 10;
    __int128 keep = scale - pct.mant;
    if (keep <= 0)
        return 0;
    __int128 a = (__int128)amount_minor * qty, s = shipped;
    __int128 q1 = a / s, r1 = a % s, q1k;
    if (__builtin_mul_overflow(q1, keep, &q1k) || q1k / scale > INT64_MAX)
        return INT64_MAX;
    __int128 q2 = q1k / scale, r2 = q1k % scale;
    __int128 num = r2 * s + r1 * keep, den = s * scale;
    __int128 rem = num % den;
    __int128 r = q2 + num / den + (2 * rem >= den);
    return r > INT64_MAX ? INT64_MAX : (int64_t)r;
}

/* Units approved tonight for one earlier order line: returned (for RETURN_QTY_EXCEEDS)
 * and, of those, refunded (for the cumulative refund). */
typedef struct tonight_line {
    const eng_hist_line *line; /* NULL: empty slot */
    int64_t returned;
    int64_t refunded;
} tonight_line;

typedef struct decide_ctx {
    const eng_setup *night;
    eng_allocation *al;
    const eng_history *h;
    eng_returns *rs;
    eng_strset *seen;    /* request ids decided tonight */
    tonight_line *lines; /* open addressing by history line, at most half full */
    size_t mask;
} decide_ctx;

static tonight_line *tonight_for(decide_ctx *d, const eng_hist_line *ln)
{
    size_t i = (size_t)(((uintptr_t)ln >> 4) * 0x9E3779B97F4A7C15u) & d->mask;
    while (d->lines[i].line && d->lines[i].line != ln)
        i = (i + 1) & d->mask;
    d->lines[i].line = ln;
    return &d->lines[i];
}

static eng_rc reject(decide_ctx *d, eng_return *r, eng_code code, const char *field,
                     const char *msg)
{
    r->code = code;
    r->status = ENG_RS_REJECTED;
    return eng_exc_add(&d->rs->exc, d->rs->mem, r->file, r->line, r->request_id.p, code, field,
                       "%s", msg);
}

/* The slot a returned unit goes back to: the warehouse it shipped from, else the
 * product's first warehouse; UINT32_MAX when the product has no inventory row. */
static uint32_t restock_slot(const eng_setup *n, int32_t product, const char *warehouse)
{
    if (product < 0)
        return UINT32_MAX;
    size_t ns;
    const uint32_t *slots = eng_inventory_product_slots(n->inventory, (uint32_t)product, &ns);
    for (size_t k = 0; k < ns; k++) {
        const eng_slot *sl = eng_inventory_slot(n->inventory, slots[k]);
        if (strcmp(eng_inventory_warehouse(n->inventory, sl->wh_rank), warehouse) == 0)
            return slots[k];
    }
    return ns ? slots[0] : UINT32_MAX;
}

static eng_rc decide_one(decide_ctx *d, eng_return *r)
{
    const eng_setup *n = d->night;
    char msg[320], q[64];
    r->status = ENG_RS_REJECTED;
    if (r->read_code != ENG_CODE_NONE) {
        r->code = r->read_code; /* already named in exceptions when read */
        return ENG_OK;
    }
    eng_text_quote(q, sizeof q, r->request_id.p, r->request_id.len);
    if (eng_history_has_request(d->h, r->request_id.p, r->request_id.len)) {
        snprintf(msg, sizeof msg, "request %s was already approved in an earlier night's "
                 "returns ledger", q);
        return reject(d, r, ENG_CODE_RETURN_DUPLICATE, "request_id", msg);
    }
    if (eng_strset_has(d->seen, r->request_id.p, r->request_id.len)) {
        snprintf(msg, sizeof msg, "request %s was already approved tonight", q);
        return reject(d, r, ENG_CODE_RETURN_DUPLICATE, "request_id", msg);
    }
    int cond = classify_condition((fmt_str){r->condition.p, r->condition.len});
    if (cond < 0) {
        eng_text_quote(q, sizeof q, r->condition.p, r->condition.len);
        snprintf(msg, sizeof msg,
                 "condition %s is not resaleable (new, unopened, good...) or damaged "
                 "(defective, broken...)",
                 q);
        return reject(d, r, ENG_CODE_BAD_VALUE, "condition", msg);
    }
    fmt_str res = {r->resolution.p, r->resolution.len};
    if (res.len && !fmt_header_name_eq(res, "refund") && !fmt_header_name_eq(res, "exchange")) {
        eng_text_quote(q, sizeof q, res.p, res.len);
        snprintf(msg, sizeof msg, "resolution %s is not refund or exchange", q);
        return reject(d, r, ENG_CODE_BAD_VALUE, "resolution", msg);
    }
    int32_t requested_day = (int32_t)(r->requested_ns / FMT_NS_PER_DAY);
    if (requested_day > n->run_date) {
        char when[40], day[11];
        fmt_isotime_format(r->requested_ns, when);
        fmt_isodate_format(n->run_date, day);
        snprintf(msg, sizeof msg, "requested_at %s is after the run date %s", when, day);
        return reject(d, r, ENG_CODE_BAD_DATE, "requested_at", msg);
    }
    eng_text_quote(q, sizeof q, r->order_id.p, r->order_id.len);
    /* An order is (channel, order id). A request that names no channel is for the one
     * channel history ships that id on; with several, it cannot be told which. */
    if (r->channel.len) {
        r->original =
            eng_history_order(d->h, r->channel.p, r->channel.len, r->order_id.p, r->order_id.len);
    } else {
        size_t k;
        const eng_hist_order *o =
            eng_history_orders_with_id(d->h, r->order_id.p, r->order_id.len, &k);
        if (k > 1) {
            char a[64], b[64];
            eng_text_quote(a, sizeof a, o[0].channel, o[0].channel_len);
            eng_text_quote(b, sizeof b, o[1].channel, o[1].channel_len);
            snprintf(msg, sizeof msg,
                     "order %s was shipped on %zu channels (%s, %s...): give the request a "
                     "channel column naming which",
                     q, k, a, b);
            return reject(d, r, ENG_CODE_RETURN_UNKNOWN_ORDER, "order_id", msg);
        }
        r->original = o;
    }
    /* An order known only from an earlier ledger (its slips not given) shipped nothing
     * that history can show. */
    int64_t order_shipped = 0;
    for (uint32_t k = 0; r->original && k < r->original->n_lines; k++)
        order_shipped += r->original->lines[k].shipped;
    if (!r->original || order_shipped == 0) {
        snprintf(msg, sizeof msg, "no earlier night shipped an order %s", q);
        return reject(d, r, ENG_CODE_RETURN_UNKNOWN_ORDER, "order_id", msg);
    }
    const eng_hist_line *hl = eng_history_line(r->original, r->sku.p, r->sku.len);
    if (!hl || hl->shipped == 0) {
        char s[64];
        eng_text_quote(s, sizeof s, r->sku.p, r->sku.len);
        snprintf(msg, sizeof msg, "order %s shipped no SKU %s", q, s);
        return reject(d, r, ENG_CODE_RETURN_SKU_NOT_IN_ORDER, "sku", msg);
    }
    r->currency = hl->currency;
    r->warehouse = hl->last_warehouse;
    tonight_line *tonight = tonight_for(d, hl);
    int64_t left = hl->shipped - hl->returned - tonight->returned;
    if (r->qty > left) {
        snprintf(msg, sizeof msg,
                 "returns %lld units; %lld shipped, %lld already returned, %lld left",
                 (long long)r->qty, (long long)hl->shipped,
                 (long long)(hl->returned + tonight->returned), (long long)(left > 0 ? left : 0));
        return reject(d, r, ENG_CODE_RETURN_QTY_EXCEEDS, "qty", msg);
    }
    const eng_product *p =
        r->product >= 0 ? eng_catalog_get(n->catalog, (uint32_t)r->product) : NULL;
    int64_t window = p && p->return_window >= 0 ? p->return_window : n->policy.return_window_days;
    if ((int64_t)requested_day - hl->last_ship_date > window) {
        char shipped[11];
        fmt_isodate_format(hl->last_ship_date, shipped);
        snprintf(msg, sizeof msg,
                 "requested %lld days after shipment on %s (slip %.40s); the window is %lld days",
                 (long long)requested_day - hl->last_ship_date, shipped, hl->last_slip,
                 (long long)window);
        return reject(d, r, ENG_CODE_RETURN_WINDOW_EXPIRED, "requested_at", msg);
    }
    if (p && !p->returnable) {
        snprintf(msg, sizeof msg, "SKU \"%.60s\" is not returnable", p->sku);
        return reject(d, r, ENG_CODE_RETURN_NOT_RETURNABLE, "sku", msg);
    }
    /* Approved. The refund is cumulative: what all refunded units of this line are worth
     * after this request, less what the earlier ones were worth, so that rounding per
     * request can never add up to more than was paid. */
    tonight->returned += r->qty;
    r->code = r->resaleable ? ENG_CODE_NONE : ENG_CODE_RETURN_DAMAGED;
    if (!r->exchange) {
        fmt_dec pct = n->policy.restocking_fee_pct;
        int64_t before = hl->refunded + tonight->refunded;
        r->refund_minor = eng_returns_refund(hl->amount_minor, hl->shipped, before + r->qty, pct) -
                          eng_returns_refund(hl->amount_minor, hl->shipped, before, pct);
        tonight->refunded += r->qty;
    }
    if (r->resaleable) {
        r->restock_slot = restock_slot(n, r->product, hl->last_warehouse);
        if (r->restock_slot != UINT32_MAX) {
            r->restock_qty = r->qty;
            const eng_slot *sl = eng_inventory_slot(n->inventory, r->restock_slot);
            r->warehouse = eng_inventory_warehouse(n->inventory, sl->wh_rank);
        }
    }
    r->status = r->restock_qty ? ENG_RS_RESTOCKED : ENG_RS_CLOSED;
    return ENG_OK;
}

/* Replacement of the same SKU: the first warehouse that covers it whole (ship
 * complete), among those the original order's route and channel allow, in their order
 * (issue 14; reserves and caps do not apply); stock is already restocked. ranks has room
 * for the inventory's warehouses. */
static void allocate_exchange(const eng_setup *n, eng_allocation *al, eng_return *r,
                              uint32_t *ranks)
{
    r->status = ENG_RS_EXCHANGE_BACKORDERED;
    if (r->product < 0)
        return;
    size_t ns;
    const uint32_t *slots = eng_inventory_product_slots(n->inventory, (uint32_t)r->product, &ns);
    if (al->routes) {
        const eng_text *t = r->original->text;
        size_t n_ranks =
            eng_routes_of_texts(al->routes, t[ENG_HT_CHANNEL], t[ENG_HT_SHIP_COUNTRY],
                                t[ENG_HT_SHIP_REGION], t[ENG_HT_SHIP_POSTAL], ranks, NULL);
        for (size_t i = 0; i < n_ranks; i++) {
            int64_t s = eng_routes_slot(al->routes, (uint32_t)r->product, ranks[i]);
            if (s >= 0 && eng_stock_reserve(al->stock, (uint32_t)s, r->qty) == ENG_OK) {
                r->ship_slot = (uint32_t)s;
                r->status = ENG_RS_EXCHANGE_SHIPPED;
                return;
            }
        }
        return;
    }
    for (size_t k = 0; k < ns; k++)
        if (eng_stock_reserve(al->stock, slots[k], r->qty) == ENG_OK) {
            r->ship_slot = slots[k];
            r->status = ENG_RS_EXCHANGE_SHIPPED;
            return;
        }
}

/* Returns without --history: slipway sees no earlier night, so the requests name orders
 * it cannot find. Said loudly (a warning on stderr and in summary.json); the night goes
 * on. */
static eng_rc warn_no_history(const eng_setup *n, const eng_returns *rs)
{
    size_t unknown = 0;
    for (size_t i = 0; i < rs->n; i++)
        unknown += rs->items[i].code == ENG_CODE_RETURN_UNKNOWN_ORDER;
    return eng_warn(n->warnings, n->first_return_file, 0,
                    "%zu return request%s given without --history, so no earlier night's "
                    "slips are known: %zu %s RETURN_UNKNOWN_ORDER and refund%s nothing; give "
                    "the earlier nights' run folders with --history DIR",
                    rs->n, rs->n == 1 ? "" : "s", unknown, unknown == 1 ? "is" : "are",
                    unknown == 1 ? "s" : "");
}

eng_rc eng_returns_decide(const eng_setup *n, const eng_history *h, eng_allocation *al,
                          eng_returns *rs, eng_err *err)
{
    if (rs->n == 0)
        return ENG_OK;
    qsort(rs->items, rs->n, sizeof *rs->items, cmp_processing);
    decide_ctx d;
    memset(&d, 0, sizeof d);
    d.night = n;
    d.al = al;
    d.h = h;
    d.rs = rs;
    d.seen = eng_strset_new();
    size_t size = 16;
    while (size < rs->n * 2)
        size *= 2;
    d.lines = calloc(size, sizeof *d.lines);
    d.mask = size - 1;
    eng_rc rc = d.seen && d.lines ? ENG_OK : ENG_NOMEM;
    for (size_t i = 0; rc == ENG_OK && i < rs->n; i++) {
        eng_return *r = &rs->items[i];
        rc = decide_one(&d, r);
        if (rc != ENG_OK || r->status == ENG_RS_REJECTED)
            continue; /* a rejected request may come again */
        if (eng_strset_add(d.seen, r->request_id.p, r->request_id.len) != ENG_OK) {
            rc = ENG_NOMEM;
            break;
        }
        /* Numbers continue after history's of the same date (an earlier wave). */
        r->rma = eng_history_last_return(h) + ++rs->n_approved;
        if (r->restock_qty) {
            /* Tomorrow's on_hand and every invariant add tonight's restocks to on_hand: the
             * sum must stay a 64-bit count (an inventory of 9223372036854775807 units
             * overflowed here). Such a count is a wrong column, not stock: refuse. */
            const eng_slot *sl = eng_inventory_slot(n->inventory, r->restock_slot);
            int64_t sum;
            if (__builtin_add_overflow(al->restocked[r->restock_slot], r->restock_qty, &sum) ||
                __builtin_add_overflow(sum, sl->on_hand, &sum)) {
                err->path = n->sources[r->file].path;
                err->line = r->line;
                err->field = "qty";
                rc = ENG_FAIL(err, ENG_REFUSED,
                              "restocking %lld unit(s) of %.40s into %.40s would take on_hand "
                              "(inventory line %llu) past 9223372036854775807; check the "
                              "inventory's on_hand",
                              (long long)r->restock_qty, sl->sku, r->warehouse,
                              (unsigned long long)sl->line);
                break;
            }
            eng_stock_release(al->stock, r->restock_slot, r->restock_qty);
            al->restocked[r->restock_slot] += r->restock_qty;
        }
    }
    /* Exchanges after every restock, in return-number order; their slips come first,
     * after history's of the same date. */
    uint64_t slip = eng_history_last_slip(h);
    size_t n_wh = eng_inventory_warehouse_count(n->inventory);
    uint32_t *ranks = malloc((n_wh ? n_wh : 1) * sizeof *ranks);
    if (!ranks && rc == ENG_OK)
        rc = ENG_NOMEM;
    for (size_t i = 0; rc == ENG_OK && i < rs->n; i++) {
        eng_return *r = &rs->items[i];
        if (r->status == ENG_RS_REJECTED || !r->exchange)
            continue;
        allocate_exchange(n, al, r, ranks);
        if (r->status == ENG_RS_EXCHANGE_SHIPPED) {
            r->slip = ++slip;
            rs->n_exchanges_shipped++;
        }
    }
    al->n_exchange_slips = slip - eng_history_last_slip(h);
    if (rc == ENG_OK && n->n_history_files == 0)
        rc = warn_no_history(n, rs);
    free(ranks);
    eng_strset_free(d.seen);
    free(d.lines);
    if (rc == ENG_REFUSED)
        return rc; /* err is filled */
    if (rc != ENG_OK)
        return ENG_FAIL(err, rc, "out of memory deciding returns");
    return ENG_OK;
}

eng_rate eng_returns_error_rate(const eng_returns *rs, size_t i)
{
    eng_rate r = {0, 0};
    if (!rs || i >= rs->n_files)
        return r;
    r.rows = rs->files[i].data_rows;
    for (size_t k = 0; k < rs->n; k++)
        if (rs->items[k].file == rs->first_file + i)
            r.bad += eng_code_counts_as_bad(rs->items[k].code);
    return r;
}

eng_rc eng_returns_check_error_rate(const eng_setup *setup, const eng_returns *rs, eng_err *err)
{
    for (size_t i = 0; i < rs->n_files; i++)
        ENG_TRY(eng_error_rate_check_file(setup, rs->first_file + i, eng_returns_error_rate(rs, i),
                                          err));
    return ENG_OK;
}
