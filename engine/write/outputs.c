/* CSV writers. Every file is cut into ranges of rows, each range one task on the pool:
 * a task formats its rows into its own buffer and appends them to the file when the
 * ranges before it are in (its turn), so a file of millions of rows is formatted on
 * every thread while its bytes stay in order. Small files are one range. A range that
 * grows past RANGE_FLUSH_AT takes its turn early and appends what it has, so memory
 * stays bounded however many lines an order has.
 *
 * What the writers count is kept per pool worker (a tally) and summed at the end, so no
 * two tasks write the same counter. Every sort here is total, so output bytes never
 * depend on thread count. Every text cell is written through the spreadsheet formula
 * guard (rowfmt.h). */
#include "outputs.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/csv.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/sink.h"
#include "../allocate/alloc.h"
#include "../allocate/explain.h"
#include "../allocate/returns.h"
#include "../intake/history.h"
#include "bychannel.h"
#include "rowfmt.h"

#define FLUSH_AT         (1u << 20) /* a file's only range hands its bytes on every MB */
#define RANGE_FLUSH_AT   (8u << 20) /* one of several ranges: the most it holds back */
#define ORDERS_PER_RANGE 2048u      /* about 500 KB of slips or backorders */

/* ---- files written in ranges ---- */

enum {
    OUT_SLIPS,
    OUT_PICKLIST,
    OUT_STATUS,
    OUT_BACKORDERS,
    OUT_EXCEPTIONS,
    OUT_INVENTORY,
    OUT_ALERTS,
    OUT_LEDGER,
    OUT_ANALYSIS,
    OUT_TOTALS,
    OUT_ROUTING, /* last: written only under routes (eng_allocation.routing) */
    OUT_COUNT
};

static const char *const out_names[OUT_COUNT] = {
    "slips.csv",        "picklist.csv",       "order_status.csv",
    "backorders.csv",   "exceptions.csv",     "inventory.csv",
    "alerts.csv",       "returns_ledger.csv", "returns_analysis.csv",
    "order_totals.csv", "routing.csv",
};

typedef struct out_file {
    fmt_sink *sink;  /* NULL once closed (or never opened) */
    size_t n_ranges; /* >= 1 */
    size_t n_items;  /* orders the ranges share (ranged files) */
    size_t first_task;
    pthread_mutex_t mu;
    pthread_cond_t turn_changed;
    size_t turn;   /* the range whose bytes go next; guarded by mu */
    int abandoned; /* a range failed: the ones after it stop waiting; guarded by mu */
} out_file;

/* What a worker's ranges counted; summed into eng_outputs at the end. */
typedef struct tally {
    uint64_t slips, slip_rows, status_rows, backorder_rows;
    uint64_t status_by[ENG_ST_COUNT];
    __int128 *slip_amount;   /* per currency */
    __int128 *status_amount; /* per currency */
    __int128 *backordered_amount, *rejected_amount; /* per currency */
    unsigned char *currency_seen;                   /* per currency */
    int64_t *slip_units;     /* per slot */
    uint64_t *slip_count;    /* per slot: slips taking from it (picklist.csv) */
    uint64_t *slip_stamp;    /* per slot: the last slip counted there, 0 for none (slip
                                numbers start at 1), so a slip counts once per slot */
    uint64_t totals_rows;
    eng_channel_sums by_channel; /* status rows' shipped, ledger rows' refunded amounts */
    eng_channel_sums status_by_channel; /* status rows per channel and status */
    int64_t *backorder_units;           /* per catalog product: open units (report.html) */
    uint64_t *backorder_lines;          /* per catalog product: open lines */
} tally;

/* A worker's scratch, reused by each range it runs. */
typedef struct worker_state {
    eng_row_out ro;
    fmt_buf head, mid, tail; /* cells an order repeats on each of its rows */
    uint32_t *ranks;         /* warehouses an order ships from */
    tally tally;
} worker_state;

typedef struct out_ctx {
    const eng_products *night;
    const eng_report *report;
    const eng_slot_totals *totals;
    eng_cells cells;
    eng_outputs *out;
    out_file files[OUT_COUNT];
    size_t task_file[OUT_COUNT]; /* files in task order */
    size_t n_tasks;
    worker_state *workers;
    unsigned n_workers;
    pthread_mutex_t fail_mu;
    eng_rc fail_rc; /* the first real failure of any range (not one that only stopped
                       waiting for a failed range) */
    eng_err fail_err;
} out_ctx;

/* A range being written. */
typedef struct writer {
    eng_row_out *ro;
    out_ctx *ctx;
    out_file *file;
    eng_output_file *facts;
    size_t range;
    int has_turn;
    size_t flush_at;
    eng_rc rc; /* the first failure: later rows are formatted but never appended */
    eng_err *err;
} writer;

/* Wait until the first `ranges` ranges of f are in: 1, or 0 when one of them failed.
 * The lock it waits on orders everything those ranges did before the caller goes on. */
static int wait_ranges_in(out_file *f, size_t ranges)
{
    pthread_mutex_lock(&f->mu);
    assert(f->turn <= ranges || f->abandoned);
    while (f->turn != ranges && !f->abandoned)
        pthread_cond_wait(&f->turn_changed, &f->mu);
    int ok = f->turn == ranges;
    pthread_mutex_unlock(&f->mu);
    return ok;
}

/* Wait until the ranges before w's are in. ENG_INTERNAL when one of them failed. */
static eng_rc take_turn(writer *w)
{
    if (w->has_turn)
        return ENG_OK;
    if (!wait_ranges_in(w->file, w->range))
        return ENG_FAIL(w->err, ENG_INTERNAL, "an earlier part of %s failed", w->facts->name);
    w->has_turn = 1;
    return ENG_OK;
}

/* Hand the bytes formatted so far to the file, in turn. */
static void w_flush(writer *w)
{
    eng_row_out *ro = w->ro;
    if (w->rc == ENG_OK && ro->buf.failed)
        w->rc = ENG_FAIL(w->err, ENG_NOMEM, "out of memory formatting %s", w->facts->name);
    if (w->rc == ENG_OK)
        w->rc = take_turn(w);
    if (w->rc == ENG_OK && ro->buf.len)
        w->rc = fmt_sink_write(w->file->sink, ro->buf.p, ro->buf.len, w->err);
    ro->buf.len = 0;
}

static void w_end(writer *w)
{
    eng_ro_end(w->ro);
    if (w->ro->buf.len >= w->flush_at)
        w_flush(w);
}

static void w_open(writer *w, out_ctx *c, size_t file, size_t range, worker_state *ws, eng_err *err)
{
    memset(w, 0, sizeof *w);
    w->ro = &ws->ro;
    w->ro->buf.len = 0;
    w->ro->row_started = 0;
    w->ctx = c;
    w->file = &c->files[file];
    w->facts = &c->out->files[file];
    w->range = range;
    w->flush_at = w->file->n_ranges == 1 ? FLUSH_AT : RANGE_FLUSH_AT;
    w->err = err;
}

/* The range is formatted: append the rest, close the file after its last range, and
 * pass the turn on. A failure abandons the file: the ranges after it stop waiting. */
static eng_rc w_finish(writer *w, eng_rc rc)
{
    if (rc != ENG_OK && w->rc == ENG_OK)
        w->rc = rc;
    w_flush(w);
    out_file *f = w->file;
    if (w->rc == ENG_OK && w->range + 1 == f->n_ranges) {
        w->rc = fmt_sink_close(f->sink, w->err);
        if (w->rc == ENG_OK) {
            w->facts->bytes = fmt_sink_bytes(f->sink);
            memcpy(w->facts->sha256, fmt_sink_sha256(f->sink), sizeof w->facts->sha256);
            fmt_sink_free(f->sink);
            f->sink = NULL;
        }
    }
    pthread_mutex_lock(&f->mu);
    if (w->rc == ENG_OK)
        f->turn++;
    else
        f->abandoned = 1;
    pthread_cond_broadcast(&f->turn_changed);
    pthread_mutex_unlock(&f->mu);
    return w->rc;
}

/* The rows of range r of a ranged file: [*lo, *hi) of its n_items. */
static void range_items(const out_file *f, size_t r, size_t *lo, size_t *hi)
{
    *lo = f->n_items / f->n_ranges * r +
          (r < f->n_items % f->n_ranges ? r : f->n_items % f->n_ranges);
    r++;
    *hi = f->n_items / f->n_ranges * r +
          (r < f->n_items % f->n_ranges ? r : f->n_items % f->n_ranges);
}

/* The header when this is the file's first range, and the range's rows. */
static void range_start(writer *w, const char *const *cols, size_t n_cols, size_t *lo, size_t *hi)
{
    if (w->range == 0)
        eng_ro_header(w->ro, cols, n_cols);
    range_items(w->file, w->range, lo, hi);
}

/* ---- shared helpers ---- */

/* "PFX-YYYYMMDD-000042": the serial has at least six digits. By hand, since snprintf was
 * a fifth of the cost of a slip row. */
static void document_no(char *dst, const char *prefix, int32_t run_date, uint64_t n)
{
    memcpy(dst, prefix, 4);
    fmt_isodate_compact(run_date, dst + 4);
    dst[12] = '-';
    char digits[20];
    int k = 0;
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (k < 6)
        digits[k++] = '0';
    char *p = dst + 13;
    while (k)
        *p++ = digits[--k];
    *p = '\0';
}

const char *eng_outputs_file_name(const eng_outputs *out, const char *base)
{
    size_t len = strlen(base);
    for (size_t i = 0; i < out->n_files; i++) {
        const char *name = out->files[i].name;
        if (strncmp(name, base, len) == 0 && (name[len] == '\0' || strcmp(name + len, ".zst") == 0))
            return name;
    }
    return NULL;
}

void eng_outputs_slip_no(char *dst, int32_t run_date, uint64_t n)
{
    document_no(dst, "OUT-", run_date, n);
}

void eng_outputs_return_no(char *dst, int32_t run_date, uint64_t n)
{
    document_no(dst, "RMA-", run_date, n);
}

/* The writers walk orders through lists of pointers (rank order, id order) that have
 * nothing to do with where the orders lie, so each order and its head is a cache miss
 * the hardware cannot foresee: ask for the order 8 ahead and, once that has arrived, its
 * head and lines 4 ahead. */
static void prefetch_ahead(eng_order *const *list, size_t i, size_t n)
{
    if (i + 8 < n)
        __builtin_prefetch(list[i + 8]);
    if (i + 4 < n) {
        __builtin_prefetch(list[i + 4]->head);
        __builtin_prefetch(list[i + 4]->lines);
    }
}

static eng_text head_text(const eng_order *o, eng_ht f)
{
    eng_text empty = {"", 0};
    return o->head ? eng_head_text(o->head, f) : empty;
}

/* ---- slips.csv ---- */

/* Exchange replacements have the first slip numbers: one line each, order_id the return
 * number, price 0, shipped to the original order's address. */
static void write_exchange_slips(writer *w, tally *t, const char *ship_date)
{
    const eng_products *n = w->ctx->night;
    eng_row_out *ro = w->ro;
    char slip_no[40], rma[40];
    for (size_t i = 0; n->returns && i < n->returns->n && w->rc == ENG_OK; i++) {
        const eng_return *r = &n->returns->items[i];
        if (r->status != ENG_RS_EXCHANGE_SHIPPED)
            continue;
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, r->ship_slot);
        const eng_product *p = eng_catalog_get(n->setup->catalog, (uint32_t)r->product);
        eng_outputs_slip_no(slip_no, n->setup->run_date, r->slip);
        eng_outputs_return_no(rma, n->setup->run_date, r->rma);
        eng_ro_str(ro, slip_no);
        eng_ro_str(ro, rma);
        eng_ro_text(ro, r->original->text[ENG_HT_CHANNEL]);
        eng_ro_i64(ro, 1);
        eng_ro_str(ro, p->sku);
        eng_ro_str(ro, p->name);
        eng_ro_i64(ro, r->qty);
        eng_ro_money(ro, 0, r->currency);
        eng_ro_money(ro, 0, r->currency);
        eng_ro_str(ro, fmt_currency_code(r->currency));
        eng_ro_str(ro, eng_inventory_warehouse(n->setup->inventory, sl->wh_rank));
        eng_ro_str(ro, p->bin);
        for (int f = ENG_HT_SHIP_NAME; f <= ENG_HT_SHIP_SERVICE; f++)
            eng_ro_text(ro, r->original->text[f]);
        eng_ro_str(ro, ship_date);
        w_end(w);
        t->slips++;
        t->slip_rows++;
        t->slip_units[r->ship_slot] += r->qty;
        t->slip_count[r->ship_slot]++; /* one line, one slot */
    }
}

static eng_rc write_slips(writer *w, worker_state *ws)
{
    static const char *const cols[] = {"slip_no",     "order_id",     "channel",      "line_no",
                                       "sku",         "name",         "qty",          "unit_price",
                                       "line_amount", "currency",     "warehouse",    "bin",
                                       "ship_name",   "ship_street",  "ship_city",    "ship_region",
                                       "ship_postal", "ship_country", "ship_service", "ship_date"};
    const eng_products *n = w->ctx->night;
    const eng_inventory *inv = n->setup->inventory;
    const eng_cells *c = &w->ctx->cells;
    eng_row_out *ro = w->ro;
    tally *t = &ws->tally;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    char ship_date[11], slip_no[40];
    fmt_isodate_format(n->setup->run_date, ship_date);
    if (w->range == 0) {
        eng_ro_header(ro, cols, sizeof cols / sizeof *cols);
        write_exchange_slips(w, t, ship_date);
    }
    fmt_buf *head = &ws->head, *tail = &ws->tail; /* id and channel; ship-to and date */
    size_t lo, hi;
    range_items(w->file, w->range, &lo, &hi);
    for (size_t r = lo; r < hi && w->rc == ENG_OK; r++) {
        prefetch_ahead(n->alloc->ranked, r, hi);
        const eng_order *o = n->alloc->ranked[r];
        if (o->n_slips == 0)
            continue;
        size_t k = eng_alloc_order_warehouses(inv, o, ws->ranks, n_wh);
        head->len = tail->len = 0;
        eng_text id_channel[2] = {{o->id, eng_order_id_len(o)}, head_text(o, ENG_HT_CHANNEL)};
        eng_ro_put_texts(head, id_channel, 2);
        eng_text ship_to[ENG_HT_SHIP_SERVICE - ENG_HT_SHIP_NAME + 2];
        for (int f = ENG_HT_SHIP_NAME; f <= ENG_HT_SHIP_SERVICE; f++)
            ship_to[f - ENG_HT_SHIP_NAME] = head_text(o, (eng_ht)f);
        ship_to[ENG_HT_SHIP_SERVICE - ENG_HT_SHIP_NAME + 1] = (eng_text){ship_date, 10};
        eng_ro_put_texts(tail, ship_to, sizeof ship_to / sizeof *ship_to);
        for (size_t s = 0; s < k; s++) {
            uint64_t slip = o->first_slip + s;
            eng_outputs_slip_no(slip_no, n->setup->run_date, slip);
            size_t slip_len = strlen(slip_no);
            t->slips++;
            for (uint32_t i = 0; i < o->n_lines; i++) {
                const eng_line *ln = &o->lines[i];
                eng_part one;
                const eng_part *parts = eng_alloc_line_parts(ln, &one);
                for (uint32_t j = 0; j < ln->n_parts; j++) {
                    const eng_slot *sl = eng_inventory_slot(inv, parts[j].slot);
                    if (sl->wh_rank != ws->ranks[s])
                        continue;
                    /* Units before this part: history's, then the line's earlier parts. */
                    int64_t from = eng_line_before(ln);
                    for (uint32_t e = 0; e < j; e++)
                        from += parts[e].qty;
                    int64_t amount =
                        eng_line_amount(ln, from + parts[j].qty) - eng_line_amount(ln, from);
                    eng_ro_fields(ro, slip_no, slip_len); /* OUT-...: never needs quoting */
                    eng_ro_fields(ro, head->p, head->len);
                    eng_ro_i64(ro, (int64_t)i + 1); /* line_no */
                    eng_ro_cell(ro, c, c->sku[ln->product]);
                    eng_ro_cell(ro, c, c->name[ln->product]);
                    eng_ro_i64(ro, parts[j].qty);
                    eng_ro_money(ro, eng_line_unit(ln), o->currency);
                    eng_ro_money(ro, amount, o->currency);
                    eng_ro_cell(ro, c, c->currency[o->currency]);
                    eng_ro_cell(ro, c, c->warehouse[sl->wh_rank]);
                    eng_ro_cell(ro, c, c->bin[ln->product]);
                    eng_ro_fields(ro, tail->p, tail->len);
                    w_end(w);
                    t->slip_rows++;
                    t->slip_amount[o->currency] += amount;
                    t->slip_units[parts[j].slot] += parts[j].qty;
                    if (t->slip_stamp[parts[j].slot] != slip) {
                        t->slip_stamp[parts[j].slot] = slip;
                        t->slip_count[parts[j].slot]++;
                    }
                }
            }
        }
    }
    if (head->failed || tail->failed)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing slips");
    return ENG_OK;
}

/* ---- picklist.csv ---- */

typedef struct pick_row {
    const char *warehouse;
    const char *bin;
    const char *sku;
    const char *name;
    int64_t qty;
    uint64_t slips;
} pick_row;

static int cmp_pick(const void *x, const void *y)
{
    const pick_row *a = x, *b = y;
    int c = strcmp(a->warehouse, b->warehouse);
    if (!c)
        c = strcmp(a->bin, b->bin);
    if (!c)
        c = strcmp(a->sku, b->sku);
    return c;
}

/* The slips per slot were counted by the slips ranges as they wrote (tally.slip_count),
 * so this task runs last and waits for slips.csv to be complete; the lock it waits on
 * orders every range's counts before its reads. */
static eng_rc write_picklist(writer *w, worker_state *ws)
{
    (void)ws;
    static const char *const cols[] = {"warehouse", "bin", "sku", "name", "qty", "slips"};
    const eng_products *n = w->ctx->night;
    const eng_slot_totals *totals = w->ctx->totals;
    eng_row_out *ro = w->ro;
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    out_file *slips_file = &w->ctx->files[OUT_SLIPS];
    if (!wait_ranges_in(slips_file, slips_file->n_ranges))
        return ENG_FAIL(w->err, ENG_INTERNAL, "slips.csv failed");
    uint64_t *slips = calloc(n_slots ? n_slots : 1, sizeof *slips);
    pick_row *rows = malloc((n_slots ? n_slots : 1) * sizeof *rows);
    eng_rc rc = ENG_OK;
    if (!slips || !rows) {
        rc = ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing the pick list");
        goto done;
    }
    for (unsigned k = 0; k < w->ctx->n_workers; k++)
        for (size_t s = 0; s < n_slots; s++)
            slips[s] += w->ctx->workers[k].tally.slip_count[s];
    size_t m = 0;
    for (uint32_t s = 0; s < n_slots; s++) {
        if (totals->shipped[s] == 0)
            continue;
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, s);
        const eng_product *p = eng_catalog_get(n->setup->catalog, (uint32_t)sl->product);
        pick_row *pr = &rows[m++];
        pr->warehouse = eng_inventory_warehouse(n->setup->inventory, sl->wh_rank);
        pr->bin = p->bin;
        pr->sku = p->sku;
        pr->name = p->name;
        pr->qty = totals->shipped[s];
        pr->slips = slips[s];
    }
    qsort(rows, m, sizeof *rows, cmp_pick);
    eng_ro_header(ro, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < m; i++) {
        eng_ro_str(ro, rows[i].warehouse);
        eng_ro_str(ro, rows[i].bin);
        eng_ro_str(ro, rows[i].sku);
        eng_ro_str(ro, rows[i].name);
        eng_ro_i64(ro, rows[i].qty);
        eng_ro_i64(ro, (int64_t)rows[i].slips);
        w_end(w);
    }
    w->ctx->out->picklist_rows = m;
done:
    free(slips);
    free(rows);
    return rc;
}

/* ---- order_status.csv ---- */

_Static_assert(ENG_ST_COUNT <= ENG_CHANNEL_COUNTS, "a counter per order status");

static eng_rc write_status(writer *w, worker_state *ws)
{
    static const char *const cols[] = {"order_id", "channel", "status",   "lines",
                                       "units",    "amount",  "currency", "code"};
    const eng_products *n = w->ctx->night;
    eng_row_out *ro = w->ro;
    tally *t = &ws->tally;
    size_t lo, hi;
    range_start(w, cols, sizeof cols / sizeof *cols, &lo, &hi);
    for (size_t i = lo; i < hi && w->rc == ENG_OK; i++) {
        prefetch_ahead(n->book->orders, i, hi);
        const eng_order *o = n->book->orders[i];
        if (o->flags & ENG_ORD_DUPLICATE)
            continue; /* one row per order: a copy set aside is named in exceptions.csv */
        eng_ro_field(ro, o->id, eng_order_id_len(o));
        eng_ro_text(ro, head_text(o, ENG_HT_CHANNEL));
        eng_ro_str(ro, eng_status_name((eng_status)o->status));
        eng_ro_i64(ro, o->lines_out);
        eng_ro_i64(ro, o->units);
        eng_ro_money(ro, o->amount_minor, o->currency);
        eng_ro_text(ro, head_text(o, ENG_HT_CURRENCY));
        eng_ro_str(ro, eng_code_name((eng_code)o->code));
        w_end(w);
        t->status_rows++;
        t->status_by[o->status]++;
        eng_text ch = head_text(o, ENG_HT_CHANNEL);
        if (eng_channel_sums_count(&t->status_by_channel, o->head->common, ch.p, ch.len, 0,
                                   o->status) != ENG_OK)
            return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing order statuses");
        if (o->currency >= 0) { /* summary.json's "amounts" */
            t->currency_seen[o->currency] = 1;
            if (o->status == ENG_ST_BACKORDERED)
                t->backordered_amount[o->currency] += o->amount_minor;
            else if (o->status == ENG_ST_REJECTED)
                t->rejected_amount[o->currency] += o->amount_minor;
        }
        if (o->status == ENG_ST_SHIPPED || o->status == ENG_ST_PARTIAL) {
            t->status_amount[o->currency] += o->amount_minor;
            if (eng_channel_sums_add(&t->by_channel, o->head->common, ch.p, ch.len, o->currency,
                                     o->amount_minor, 0) != ENG_OK)
                return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing order statuses");
        }
    }
    return ENG_OK;
}

/* ---- order_totals.csv ---- */

static void put_head_money(eng_row_out *ro, const eng_order *o, eng_hm m, fmt_col c)
{
    if (!o->head || !(o->head->present & (1u << c))) {
        eng_ro_sep(ro);
        return;
    }
    int64_t minor = 0;
    /* Valid orders converted every given amount already; cannot fail here. */
    (void)fmt_dec_to_minor(eng_head_money(o->head, m), fmt_currency_minor_digits(o->currency),
                           &minor);
    eng_ro_money(ro, minor, o->currency);
}

/* An order-level amount in minor units: as the order states it, 0 when it does not. */
static int64_t head_minor(const eng_order *o, eng_hm m, fmt_col c)
{
    int64_t minor = 0;
    if (o->head->present & (1u << c))
        /* A priced order converted every given amount already; cannot fail here. */
        (void)fmt_dec_to_minor(eng_head_money(o->head, m), fmt_currency_minor_digits(o->currency),
                               &minor);
    return minor;
}

/* One row per status row: what the order is worth, which reconciliation compares with
 * what the marketplace paid. Amounts only for an order whose every amount converted
 * (ENG_ORD_PRICED); the total as stated, else items + shipping + tax - discount. */
static eng_rc write_totals(writer *w, worker_state *ws)
{
    static const char *const cols[] = {
        "order_id", "channel",     "currency",        "items",           "shipping", "tax",
        "discount", "order_total", "marketplace_tax", "payment_gateway", "status",   "ship_date"};
    const eng_products *n = w->ctx->night;
    eng_row_out *ro = w->ro;
    char ship_date[11];
    fmt_isodate_format(n->setup->run_date, ship_date);
    size_t lo, hi;
    range_start(w, cols, sizeof cols / sizeof *cols, &lo, &hi);
    for (size_t i = lo; i < hi && w->rc == ENG_OK; i++) {
        prefetch_ahead(n->book->orders, i, hi);
        const eng_order *o = n->book->orders[i];
        if (o->flags & ENG_ORD_DUPLICATE)
            continue; /* as order_status.csv */
        eng_ro_field(ro, o->id, eng_order_id_len(o));
        eng_ro_text(ro, head_text(o, ENG_HT_CHANNEL));
        eng_ro_text(ro, head_text(o, ENG_HT_CURRENCY));
        if (o->flags & ENG_ORD_PRICED) {
            assert(o->currency >= 0);
            __int128 items = 0;
            for (uint32_t k = 0; k < o->n_lines; k++)
                items += eng_line_amount(&o->lines[k], eng_line_ordered(&o->lines[k]));
            int64_t ship = head_minor(o, ENG_HM_SHIPPING, FMT_COL_SHIPPING),
                    tax = head_minor(o, ENG_HM_TAX, FMT_COL_TAX),
                    discount = head_minor(o, ENG_HM_DISCOUNT, FMT_COL_DISCOUNT);
            __int128 total = o->head->present & (1u << FMT_COL_ORDER_TOTAL)
                                 ? head_minor(o, ENG_HM_ORDER_TOTAL, FMT_COL_ORDER_TOTAL)
                                 : items + ship + tax - discount;
            /* The orders stage checked the order's amount fits 64 bits; a total made up of
             * four such amounts may not, and is then left blank rather than wrapped. */
            eng_ro_money(ro, (int64_t)items, o->currency);
            put_head_money(ro, o, ENG_HM_SHIPPING, FMT_COL_SHIPPING);
            put_head_money(ro, o, ENG_HM_TAX, FMT_COL_TAX);
            put_head_money(ro, o, ENG_HM_DISCOUNT, FMT_COL_DISCOUNT);
            if (total >= INT64_MIN && total <= INT64_MAX)
                eng_ro_money(ro, (int64_t)total, o->currency);
            else
                eng_ro_sep(ro);
        } else {
            for (int k = 0; k < 5; k++)
                eng_ro_sep(ro);
        }
        eng_ro_text(ro, head_text(o, ENG_HT_MARKETPLACE_TAX));
        eng_ro_text(ro, head_text(o, ENG_HT_PAYMENT_GATEWAY));
        eng_ro_str(ro, eng_status_name((eng_status)o->status));
        if (o->status == ENG_ST_SHIPPED || o->status == ENG_ST_PARTIAL)
            eng_ro_str(ro, ship_date);
        else
            eng_ro_sep(ro);
        w_end(w);
        ws->tally.totals_rows++;
    }
    return ENG_OK;
}

/* ---- backorders.csv ---- */

/* The backorder cells an order repeats on each of its lines: "order_id,order_time" into
 * head, "currency" through "discount" into mid (each without a leading comma). */
static void backorder_cells(const eng_order *o, fmt_buf *head, fmt_buf *mid)
{
    char when[40];
    fmt_isotime_format(eng_order_time_ns(o), when);
    head->len = mid->len = 0;
    eng_text id_when[2] = {{o->id, eng_order_id_len(o)}, {when, (uint32_t)strlen(when)}};
    eng_ro_put_texts(head, id_when, 2);
    eng_row_out m = {*mid, 0};
    eng_ro_text(&m, head_text(o, ENG_HT_CURRENCY));
    eng_ro_text(&m, head_text(o, ENG_HT_CHANNEL));
    if (o->head && (o->head->present & (1u << FMT_COL_PRIORITY)))
        eng_ro_i64(&m, eng_order_priority(o));
    else
        eng_ro_sep(&m);
    eng_ro_text(&m, head_text(o, ENG_HT_CUSTOMER_ID));
    for (int f = ENG_HT_SHIP_NAME; f <= ENG_HT_SHIP_SERVICE; f++)
        eng_ro_text(&m, head_text(o, (eng_ht)f));
    put_head_money(&m, o, ENG_HM_ORDER_TOTAL, FMT_COL_ORDER_TOTAL);
    put_head_money(&m, o, ENG_HM_SHIPPING, FMT_COL_SHIPPING);
    put_head_money(&m, o, ENG_HM_TAX, FMT_COL_TAX);
    put_head_money(&m, o, ENG_HM_DISCOUNT, FMT_COL_DISCOUNT);
    *mid = m.buf;
}

static eng_rc write_backorders(writer *w, worker_state *ws)
{
    static const char *const cols[] = {
        "order_id",       "order_time",  "sku",         "qty",         "unit_price",
        "currency",       "channel",     "priority",    "customer_id", "ship_name",
        "ship_street",    "ship_city",   "ship_region", "ship_postal", "ship_country",
        "ship_service",   "order_total", "shipping",    "tax",         "discount",
        "line_no",        "open_qty",    "code",        "line_amount", "marketplace_tax",
        "payment_gateway"};
    const eng_products *n = w->ctx->night;
    eng_row_out *ro = w->ro;
    tally *t = &ws->tally;
    size_t lo, hi;
    range_start(w, cols, sizeof cols / sizeof *cols, &lo, &hi);
    for (size_t i = lo; i < hi && w->rc == ENG_OK; i++) {
        prefetch_ahead(n->book->orders, i, hi);
        const eng_order *o = n->book->orders[i];
        if (o->status != ENG_ST_BACKORDERED && o->status != ENG_ST_PARTIAL)
            continue;
        backorder_cells(o, &ws->head, &ws->mid);
        for (uint32_t k = 0; k < o->n_lines; k++) {
            const eng_line *ln = &o->lines[k];
            int64_t open =
                eng_line_qty(ln) - eng_line_shipped(ln); /* outstanding tonight, less shipped */
            eng_ro_fields(ro, ws->head.p, ws->head.len);
            if (ln->product >= 0)
                eng_ro_cell(ro, &w->ctx->cells, w->ctx->cells.sku[ln->product]);
            else
                eng_ro_sep(ro); /* not ours to ship, and no catalog product */

            eng_ro_i64(ro, eng_line_ordered(ln));
            eng_ro_money(ro, eng_line_unit(ln), o->currency);
            eng_ro_fields(ro, ws->mid.p, ws->mid.len);
            eng_ro_i64(ro, (int64_t)k + 1); /* line_no */
            eng_ro_i64(ro, open);
            /* An open order's code: INSUFFICIENT_STOCK, NO_ALLOWED_WAREHOUSE (routes), or
             * AFTER_CUTOFF for one that waits; every open line carries it. */
            assert(o->code == ENG_CODE_INSUFFICIENT_STOCK || o->code == ENG_CODE_AFTER_CUTOFF ||
                   o->code == ENG_CODE_NO_ALLOWED_WAREHOUSE);
            if (open > 0)
                eng_ro_str(ro, eng_code_name((eng_code)o->code));
            else
                eng_ro_sep(ro);
            /* Exact even for a marketplace's line total, which unit_price rounds; last, so
             * SPEC's columns keep their places. */
            eng_ro_money(ro, eng_line_amount(ln, eng_line_ordered(ln)), o->currency);
            /* What reconciling the order needs when it ships on a later night. */
            eng_ro_text(ro, head_text(o, ENG_HT_MARKETPLACE_TAX));
            eng_ro_text(ro, head_text(o, ENG_HT_PAYMENT_GATEWAY));
            w_end(w);
            t->backorder_rows++;
            if (open > 0 && ln->product >= 0) {
                t->backorder_units[ln->product] += open;
                t->backorder_lines[ln->product]++;
            }
        }
    }
    if (ws->head.failed || ws->mid.failed)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing backorders");
    return ENG_OK;
}
/* ---- exceptions.csv ---- */

static const eng_products *sort_night; /* set by the single exceptions task before qsort */

static int cmp_exc(const void *x, const void *y)
{
    const eng_exc *a = *(const eng_exc *const *)x, *b = *(const eng_exc *const *)y;
    int c =
        strcmp(sort_night->setup->sources[a->file].path, sort_night->setup->sources[b->file].path);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->code != b->code)
        return a->code < b->code ? -1 : 1;
    if ((c = strcmp(a->field, b->field)) != 0)
        return c;
    if ((c = strcmp(a->message, b->message)) != 0)
        return c;
    return strcmp(a->record_id, b->record_id);
}

static eng_rc write_exceptions(writer *w, worker_state *ws)
{
    (void)ws;
    static const char *const cols[] = {"source", "line", "record_id", "code", "field", "message"};
    const eng_products *n = w->ctx->night;
    size_t total = 0;
    for (size_t b = 0; b < n->batches->n; b++)
        total += n->batches->items[b]->exc.n;
    for (size_t p = 0; p < ENG_PARTS; p++)
        total += n->book->parts[p].exc.n;
    const eng_exc_list *ret = n->returns ? &n->returns->exc : NULL;
    total += ret ? ret->n : 0;
    const eng_exc **list = malloc((total ? total : 1) * sizeof *list);
    if (!list)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing exceptions");
    size_t k = 0;
    for (size_t b = 0; b < n->batches->n; b++) {
        const eng_batch *bt = n->batches->items[b];
        for (size_t i = 0; i < bt->exc.n; i++) {
            const eng_exc *e = &bt->exc.items[i];
            /* An order the marketplace itself settled (cancelled, fulfilled) is reported
             * by its status alone. */
            if (e->row != UINT32_MAX &&
                (bt->row_flags[e->row] & (ENG_ROW_MUTED | ENG_ROW_SUPERSEDED)))
                continue;
            list[k++] = e;
        }
    }
    for (size_t p = 0; p < ENG_PARTS; p++)
        for (size_t i = 0; i < n->book->parts[p].exc.n; i++)
            list[k++] = &n->book->parts[p].exc.items[i];
    for (size_t i = 0; ret && i < ret->n; i++)
        list[k++] = &ret->items[i];
    sort_night = n;
    qsort(list, k, sizeof *list, cmp_exc);
    eng_ro_header(w->ro, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < k && w->rc == ENG_OK; i++) {
        const eng_exc *e = list[i];
        eng_ro_str(w->ro, n->setup->sources[e->file].path);
        if (e->line)
            eng_ro_i64(w->ro, (int64_t)e->line);
        else
            eng_ro_sep(w->ro);
        eng_ro_str(w->ro, e->record_id);
        eng_ro_str(w->ro, eng_code_name((eng_code)e->code));
        eng_ro_str(w->ro, e->field);
        eng_ro_str(w->ro, e->message);
        w_end(w);
        w->ctx->out->exceptions_by_code[e->code]++;
    }
    w->ctx->out->exception_rows = k;
    free(list);
    return ENG_OK;
}

/* ---- inventory.csv ---- */

static const eng_inventory *sort_inv; /* set by the single inventory task before qsort */

static int cmp_slot(const void *x, const void *y)
{
    const eng_slot *a = eng_inventory_slot(sort_inv, *(const uint32_t *)x);
    const eng_slot *b = eng_inventory_slot(sort_inv, *(const uint32_t *)y);
    int c = strcmp(a->sku, b->sku);
    if (!c)
        c = strcmp(eng_inventory_warehouse(sort_inv, a->wh_rank),
                   eng_inventory_warehouse(sort_inv, b->wh_rank));
    return c;
}

static eng_rc write_inventory(writer *w, worker_state *ws)
{
    (void)ws;
    const eng_inventory *inv = w->ctx->night->setup->inventory;
    size_t n_slots = eng_inventory_count(inv), n_cols = eng_inventory_n_cols(inv);
    uint32_t *order = malloc((n_slots ? n_slots : 1) * sizeof *order);
    if (!order)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing the inventory");
    for (uint32_t s = 0; s < n_slots; s++)
        order[s] = s;
    sort_inv = inv;
    qsort(order, n_slots, sizeof *order, cmp_slot);
    for (size_t c = 0; c < n_cols; c++)
        eng_ro_str(w->ro, eng_inventory_col_name(inv, c));
    w_end(w);
    size_t on_hand_col = eng_inventory_on_hand_col(inv);
    for (size_t i = 0; i < n_slots && w->rc == ENG_OK; i++) {
        uint32_t s = order[i];
        for (size_t c = 0; c < n_cols; c++) {
            if (c == on_hand_col)
                eng_ro_i64(w->ro, w->ctx->totals->after[s]);
            else
                eng_ro_str(w->ro, eng_inventory_field(inv, s, c));
        }
        w_end(w);
    }
    w->ctx->out->inventory_rows = n_slots;
    free(order);
    return ENG_OK;
}

/* ---- alerts.csv ---- */

static eng_rc write_alerts(writer *w, worker_state *ws)
{
    (void)ws;
    static const char *const cols[] = {"sku",    "warehouse", "on_hand",       "reorder_point",
                                       "demand", "shortfall", "suggested_qty", "code"};
    eng_ro_header(w->ro, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < w->ctx->report->n_alerts && w->rc == ENG_OK; i++) {
        const eng_alert *a = &w->ctx->report->alerts[i];
        eng_ro_str(w->ro, a->sku);
        eng_ro_str(w->ro, a->warehouse);
        eng_ro_i64(w->ro, a->on_hand);
        eng_ro_i64(w->ro, a->reorder_point);
        eng_ro_i64(w->ro, a->demand);
        eng_ro_i64(w->ro, a->shortfall);
        eng_ro_i64(w->ro, a->suggested);
        eng_ro_str(w->ro, eng_code_name(a->code));
        w_end(w);
        w->ctx->out->alerts_by_code[a->code]++;
    }
    w->ctx->out->alert_rows = w->ctx->report->n_alerts;
    return ENG_OK;
}

/* ---- returns_ledger.csv ---- */

static const eng_products *ledger_night; /* set by the single ledger task before qsort */

static int cmp_ledger(const void *x, const void *y)
{
    const eng_return *a = *(const eng_return *const *)x, *b = *(const eng_return *const *)y;
    /* Approved rows by return number; rejected ones (no number) last, by source, line. */
    if ((a->rma == 0) != (b->rma == 0))
        return a->rma == 0 ? 1 : -1;
    if (a->rma != b->rma)
        return a->rma < b->rma ? -1 : 1;
    int c = strcmp(ledger_night->setup->sources[a->file].path,
                   ledger_night->setup->sources[b->file].path);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static eng_rc write_ledger(writer *w, worker_state *ws)
{
    static const char *const cols[] = {"return_no",   "request_id", "order_id",      "sku",
                                       "qty",         "reason",     "condition",     "resolution",
                                       "decision",    "code",       "refund_amount", "currency",
                                       "restock_qty", "warehouse",  "status",        "channel"};
    const eng_products *n = w->ctx->night;
    eng_outputs *out = w->ctx->out;
    eng_ro_header(w->ro, cols, sizeof cols / sizeof *cols);
    size_t count = n->returns ? n->returns->n : 0;
    const eng_return **list = malloc((count ? count : 1) * sizeof *list);
    if (!list)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing the returns ledger");
    for (size_t i = 0; i < count; i++)
        list[i] = &n->returns->items[i];
    ledger_night = n;
    qsort(list, count, sizeof *list, cmp_ledger);
    char rma[40];
    for (size_t i = 0; i < count && w->rc == ENG_OK; i++) {
        const eng_return *r = list[i];
        int approved = r->status != ENG_RS_REJECTED;
        if (approved)
            eng_outputs_return_no(rma, n->setup->run_date, r->rma);
        eng_ro_str(w->ro, approved ? rma : "");
        eng_ro_text(w->ro, r->request_id);
        eng_ro_text(w->ro, r->order_id);
        eng_ro_text(w->ro, r->sku);
        if (r->qty > 0)
            eng_ro_i64(w->ro, r->qty);
        else
            eng_ro_sep(w->ro);
        eng_ro_text(w->ro, r->reason);
        eng_ro_text(w->ro, r->condition);
        /* A rejected request shows what was asked (BAD_VALUE names it); blank is refund. */
        if (!approved && r->resolution.len)
            eng_ro_text(w->ro, r->resolution);
        else
            eng_ro_str(w->ro, r->exchange ? "exchange" : "refund");
        eng_ro_str(w->ro, approved ? "APPROVED" : "REJECTED");
        eng_ro_str(w->ro, eng_code_name(r->code));
        if (approved)
            eng_ro_money(w->ro, r->refund_minor, r->currency);
        else
            eng_ro_sep(w->ro);
        eng_ro_str(w->ro, r->currency >= 0 ? fmt_currency_code(r->currency) : "");
        if (approved)
            eng_ro_i64(w->ro, r->restock_qty);
        else
            eng_ro_sep(w->ro);
        eng_ro_str(w->ro, approved && r->warehouse ? r->warehouse : "");
        eng_ro_str(w->ro, eng_return_status_name(r->status));
        /* The order's channel: with the order id, what identifies it (history reads a
         * ledger's returned units by the pair). */
        eng_text channel = r->channel;
        if (r->original)
            channel = (eng_text){r->original->channel, (uint32_t)r->original->channel_len};
        eng_ro_text(w->ro, channel);
        w_end(w);
        if (approved && eng_channel_sums_add(&ws->tally.by_channel, NULL, channel.p, channel.len,
                                             r->currency, 0, r->refund_minor) != ENG_OK) {
            free(list);
            return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing the returns ledger");
        }
        out->ledger_rows++;
        out->returns_by_status[r->status]++;
        if (approved) {
            out->ledger_refund[r->currency] += r->refund_minor;
            out->ledger_resent +=
                eng_history_has_request(n->history, r->request_id.p, r->request_id.len);
        }
    }
    free(list);
    return ENG_OK;
}

/* ---- returns_analysis.csv ---- */

static eng_rc write_analysis(writer *w, worker_state *ws)
{
    (void)ws;
    static const char *const cols[] = {"sku",      "name",          "reason",
                                       "requests", "units",         "refund_amount",
                                       "currency", "shipped_units", "return_rate_pct"};
    const eng_products *n = w->ctx->night;
    eng_ro_header(w->ro, cols, sizeof cols / sizeof *cols);
    char rate[24];
    for (size_t i = 0; i < w->ctx->report->n_analysis && w->rc == ENG_OK; i++) {
        const eng_analysis_row *a = &w->ctx->report->analysis[i];
        const eng_product *p = eng_catalog_get(n->setup->catalog, (uint32_t)a->product);
        eng_ro_str(w->ro, p->sku);
        eng_ro_str(w->ro, p->name);
        eng_ro_str(w->ro, a->reason);
        eng_ro_i64(w->ro, (int64_t)a->requests);
        eng_ro_i64(w->ro, a->units);
        eng_ro_money(w->ro, a->refund_minor, a->currency);
        eng_ro_str(w->ro, fmt_currency_code(a->currency));
        eng_ro_i64(w->ro, a->shipped);
        eng_analysis_rate(a, rate);
        eng_ro_str(w->ro, rate);
        w_end(w);
    }
    w->ctx->out->analysis_rows = w->ctx->report->n_analysis;
    return ENG_OK;
}

/* ---- routing.csv ---- */

/* One warehouse's reason, as README "routing.csv" words it. */
static void put_reason(fmt_buf *b, const eng_products *n, const eng_route_note *note,
                       const eng_order *o)
{
    const char *sku = note->product >= 0
                          ? eng_catalog_get(n->setup->catalog, (uint32_t)note->product)->sku
                          : "";
    switch ((eng_why)note->why) {
    case ENG_WHY_NOT_NEEDED:
        fmt_buf_puts(b, "not needed");
        break;
    case ENG_WHY_OVER_MAX_SPLIT:
        fmt_buf_puts(b, "over max_split");
        break;
    case ENG_WHY_NO_SKU:
        fmt_buf_puts(b, "no ");
        fmt_buf_puts(b, sku);
        break;
    case ENG_WHY_SHORT:
        fmt_buf_puts(b, "short by ");
        fmt_buf_put_i64(b, note->qty);
        fmt_buf_puts(b, " of ");
        fmt_buf_puts(b, sku);
        break;
    case ENG_WHY_RESERVED:
        fmt_buf_puts(b, sku);
        fmt_buf_puts(b, " reserved for other channels");
        break;
    case ENG_WHY_CAPPED: {
        eng_text ch = head_text(o, ENG_HT_CHANNEL);
        fmt_buf_puts(b, "cap of ");
        fmt_buf_puts(b, sku);
        fmt_buf_puts(b, " for channel ");
        fmt_buf_put(b, ch.p, ch.len);
        fmt_buf_puts(b, " reached");
        break;
    }
    case ENG_WHY_NOT_FOR_CHANNEL: {
        eng_text ch = head_text(o, ENG_HT_CHANNEL);
        fmt_buf_puts(b, "not for channel ");
        fmt_buf_put(b, ch.p, ch.len);
        break;
    }
    case ENG_WHY_NOT_ON_ROUTE:
        fmt_buf_puts(b, "not on the route");
        break;
    case ENG_WHY_MIN_FILL_LINE:
    case ENG_WHY_CHOSEN_WAITS:
        fmt_buf_puts(b, "min_fill_line_pct not met for ");
        fmt_buf_puts(b, sku);
        break;
    case ENG_WHY_MIN_FILL_ORDER:
        fmt_buf_puts(b, "min_fill_order_pct not met");
        break;
    case ENG_WHY_FREED_LATER:
        fmt_buf_puts(b, "units given back after its turn");
        break;
    default:
        break;
    }
}

/* One order's row: rank (blank for one after the cut-off), order, status, the route key
 * that matched, its warehouses in the order tried, those it ships from, and why not the
 * others. */
static void routing_row(writer *w, worker_state *ws, const eng_order *o, size_t rank,
                        const eng_routing *rt)
{
    const eng_products *n = w->ctx->night;
    const eng_inventory *inv = n->setup->inventory;
    eng_row_out *ro = w->ro;
    if (rank)
        eng_ro_i64(ro, (int64_t)rank);
    else
        eng_ro_sep(ro);
    eng_ro_field(ro, o->id, eng_order_id_len(o));
    eng_ro_text(ro, head_text(o, ENG_HT_CHANNEL));
    eng_ro_str(ro, eng_status_name((eng_status)o->status));
    eng_ro_str(ro, rt->route ? rt->route->key : "");
    fmt_buf *cand = &ws->head, *chosen = &ws->mid, *skipped = &ws->tail;
    cand->len = chosen->len = skipped->len = 0;
    for (uint32_t p = 0; p < rt->n_notes; p++) {
        const eng_route_note *note = &rt->notes[p];
        const char *wh = eng_inventory_warehouse(inv, note->rank);
        if (p < rt->n_listed) {
            if (cand->len)
                fmt_buf_putc(cand, ';');
            fmt_buf_puts(cand, wh);
        }
        if (note->why == ENG_WHY_CHOSEN || note->why == ENG_WHY_CHOSEN_WAITS) {
            if (chosen->len)
                fmt_buf_putc(chosen, ';');
            fmt_buf_puts(chosen, wh);
            if (note->why == ENG_WHY_CHOSEN)
                continue;
        }
        /* a warehouse off the route under route_mode = only was never a candidate */
        if (note->why == ENG_WHY_AFTER_CUTOFF || note->why == ENG_WHY_NOT_ON_ROUTE)
            continue;
        if (skipped->len)
            fmt_buf_puts(skipped, "; ");
        fmt_buf_puts(skipped, wh);
        fmt_buf_puts(skipped, ": ");
        put_reason(skipped, n, note, o);
    }
    if (o->code == ENG_CODE_AFTER_CUTOFF)
        fmt_buf_puts(skipped, "after the cut-off");
    eng_ro_field(ro, cand->p ? cand->p : "", cand->len);
    eng_ro_field(ro, chosen->p ? chosen->p : "", chosen->len);
    eng_ro_field(ro, skipped->p ? skipped->p : "", skipped->len);
    w_end(w);
}

/* In rank order, the order of the decisions, in ranges of ranked orders; then the orders
 * held by the cut-off, which were not ranked, in order_status.csv's order. */
static eng_rc write_routing(writer *w, worker_state *ws)
{
    static const char *const cols[] = {"rank",  "order_id",   "channel", "status",
                                       "route", "candidates", "chosen",  "skipped"};
    const eng_products *n = w->ctx->night;
    const eng_allocation *al = n->alloc;
    size_t lo, hi;
    range_start(w, cols, sizeof cols / sizeof *cols, &lo, &hi);
    size_t n_wh = eng_inventory_warehouse_count(n->setup->inventory);
    for (size_t r = lo; r < hi && w->rc == ENG_OK; r++) {
        /* Rank order is random in memory: without asking ahead, the row waited on each
         * order's id (nine tenths of its time). */
        if (r + 16 < hi)
            __builtin_prefetch(al->ranked[r + 16]);
        if (r + 8 < hi) {
            const eng_order *ahead = al->ranked[r + 8];
            __builtin_prefetch(ahead->id - sizeof(uint32_t)); /* its length, then its text */
            __builtin_prefetch(ahead->head);
        }
        routing_row(w, ws, al->ranked[r], r + 1, &al->routing[r]);
    }
    if (w->range + 1 < w->file->n_ranges)
        return ENG_OK; /* the last range adds the orders held by the cut-off */
    eng_route_note *held = calloc(n_wh ? n_wh : 1, sizeof *held);
    if (!held)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing routing.csv");
    for (size_t i = 0; i < n->book->n_orders && w->rc == ENG_OK; i++) {
        const eng_order *o = n->book->orders[i];
        if (o->code != ENG_CODE_AFTER_CUTOFF)
            continue;
        const fmt_wh_rule *route;
        uint32_t *ranks = ws->ranks;
        size_t k = eng_routes_of(al->routes, o->head, ranks, &route);
        for (size_t p = 0; p < k; p++)
            held[p] = (eng_route_note){ranks[p], ENG_WHY_AFTER_CUTOFF, -1, 0};
        eng_routing rt = {route, held, (uint32_t)k, (uint32_t)k, -1};
        routing_row(w, ws, o, 0, &rt);
    }
    free(held);
    return ENG_OK;
}

typedef eng_rc (*write_fn)(writer *w, worker_state *ws);

static const write_fn writers[OUT_COUNT] = {
    [OUT_SLIPS] = write_slips,           [OUT_PICKLIST] = write_picklist,
    [OUT_STATUS] = write_status,         [OUT_BACKORDERS] = write_backorders,
    [OUT_EXCEPTIONS] = write_exceptions, [OUT_INVENTORY] = write_inventory,
    [OUT_ALERTS] = write_alerts,         [OUT_LEDGER] = write_ledger,
    [OUT_ANALYSIS] = write_analysis,     [OUT_TOTALS] = write_totals,
    [OUT_ROUTING] = write_routing,
};

static eng_rc output_task(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    out_ctx *c = ctx;
    size_t t = 0;
    while (t + 1 < OUT_COUNT && c->files[c->task_file[t + 1]].first_task <= i)
        t++;
    size_t file = c->task_file[t];
    worker_state *ws = &c->workers[worker];
    writer w;
    w_open(&w, c, file, i - c->files[file].first_task, ws, err);
    eng_rc rc = w_finish(&w, writers[file](&w, ws));
    if (rc != ENG_OK && rc != ENG_INTERNAL) {
        /* A range that failed on its own, not one that stopped for a failed range: what
         * the run reports. */
        pthread_mutex_lock(&c->fail_mu);
        if (c->fail_rc == ENG_OK) {
            c->fail_rc = rc;
            c->fail_err = *err;
        }
        pthread_mutex_unlock(&c->fail_mu);
    }
    return rc;
}

static eng_rc tally_init(tally *t, size_t n_cur, size_t n_slots, size_t n_products)
{
    memset(t, 0, sizeof *t);
    t->slip_amount = calloc(n_cur, sizeof *t->slip_amount);
    t->status_amount = calloc(n_cur, sizeof *t->status_amount);
    t->backordered_amount = calloc(n_cur, sizeof *t->backordered_amount);
    t->rejected_amount = calloc(n_cur, sizeof *t->rejected_amount);
    t->currency_seen = calloc(n_cur, 1);
    t->slip_units = calloc(n_slots ? n_slots : 1, sizeof *t->slip_units);
    t->slip_count = calloc(n_slots ? n_slots : 1, sizeof *t->slip_count);
    t->slip_stamp = calloc(n_slots ? n_slots : 1, sizeof *t->slip_stamp);
    t->backorder_units = calloc(n_products ? n_products : 1, sizeof *t->backorder_units);
    t->backorder_lines = calloc(n_products ? n_products : 1, sizeof *t->backorder_lines);
    return t->slip_amount && t->status_amount && t->backordered_amount && t->rejected_amount &&
                   t->currency_seen && t->slip_units && t->slip_count && t->slip_stamp &&
                   t->backorder_units && t->backorder_lines
               ? ENG_OK
               : ENG_NOMEM;
}

static void tally_release(tally *t)
{
    free(t->slip_amount);
    free(t->status_amount);
    free(t->backordered_amount);
    free(t->rejected_amount);
    free(t->currency_seen);
    free(t->slip_units);
    free(t->slip_count);
    free(t->slip_stamp);
    free(t->backorder_units);
    free(t->backorder_lines);
    eng_channel_sums_release(&t->by_channel);
    eng_channel_sums_release(&t->status_by_channel);
}

static eng_rc tally_add(eng_outputs *out, const tally *t, size_t n_cur, size_t n_slots,
                        size_t n_products)
{
    out->totals_rows += t->totals_rows;
    out->slips += t->slips;
    out->slip_rows += t->slip_rows;
    out->status_rows += t->status_rows;
    out->backorder_rows += t->backorder_rows;
    for (int s = 0; s < ENG_ST_COUNT; s++)
        out->status_by[s] += t->status_by[s];
    for (size_t k = 0; k < n_cur; k++) {
        out->slip_amount[k] += t->slip_amount[k];
        out->status_amount[k] += t->status_amount[k];
        out->backordered_amount[k] += t->backordered_amount[k];
        out->rejected_amount[k] += t->rejected_amount[k];
        out->currency_seen[k] |= t->currency_seen[k];
    }
    for (size_t s = 0; s < n_slots; s++)
        out->slip_units[s] += t->slip_units[s];
    for (size_t p = 0; p < n_products; p++) {
        out->backorder_units[p] += t->backorder_units[p];
        out->backorder_lines[p] += t->backorder_lines[p];
    }
    ENG_TRY(eng_channel_sums_merge(&out->status_by_channel, &t->status_by_channel));
    return eng_channel_sums_merge(&out->by_channel, &t->by_channel);
}

/* Which files are cut into ranges, and how many: the big ones, by orders. */
static void plan_ranges(out_ctx *c)
{
    const eng_products *n = c->night;
    /* Small files first: they are one task each, and the ranges after them share the
     * threads evenly to the end. The pick list counts what the slips ranges counted, so
     * it comes last, when slips.csv is usually long done (it waits if not; tasks are
     * taken in order, so every slips range has a worker by then). */
    static const size_t order[OUT_COUNT] = {
        OUT_EXCEPTIONS, OUT_INVENTORY,  OUT_ALERTS, OUT_LEDGER, OUT_ANALYSIS, OUT_ROUTING,
        OUT_SLIPS,      OUT_BACKORDERS, OUT_STATUS, OUT_TOTALS, OUT_PICKLIST};
    size_t task = 0;
    for (size_t k = 0; k < OUT_COUNT; k++) {
        out_file *f = &c->files[order[k]];
        c->task_file[k] = order[k];
        f->n_items =
            order[k] == OUT_SLIPS || order[k] == OUT_ROUTING ? n->alloc->n_ranked
            : order[k] == OUT_BACKORDERS || order[k] == OUT_STATUS || order[k] == OUT_TOTALS
                ? n->book->n_orders
                : 0;
        f->n_ranges = f->n_items / ORDERS_PER_RANGE + 1;
        if (order[k] == OUT_ROUTING && !n->alloc->routing)
            f->n_ranges = 0; /* not written: no task */
        f->first_task = task;
        task += f->n_ranges;
    }
    c->n_tasks = task;
}

eng_rc eng_outputs_write(const eng_products *n, const eng_report *report, eng_outdir *od,
                         int compress, eng_pool *pool, eng_outputs *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    size_t n_cur = (size_t)fmt_currency_count();
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    size_t n_wh = eng_inventory_warehouse_count(n->setup->inventory);
    size_t n_products = eng_catalog_count(n->setup->catalog);
    out->backorder_units = calloc(n_products ? n_products : 1, sizeof *out->backorder_units);
    out->backorder_lines = calloc(n_products ? n_products : 1, sizeof *out->backorder_lines);
    out->slip_amount = calloc(n_cur, sizeof *out->slip_amount);
    out->status_amount = calloc(n_cur, sizeof *out->status_amount);
    out->backordered_amount = calloc(n_cur, sizeof *out->backordered_amount);
    out->rejected_amount = calloc(n_cur, sizeof *out->rejected_amount);
    out->currency_seen = calloc(n_cur, 1);
    out->ledger_refund = calloc(n_cur, sizeof *out->ledger_refund);
    out->slip_units = calloc(n_slots ? n_slots : 1, sizeof *out->slip_units);
    out_ctx *c = calloc(1, sizeof *c);
    if (!out->slip_amount || !out->status_amount || !out->ledger_refund || !out->slip_units || !c ||
        !out->backorder_units || !out->backorder_lines || !out->backordered_amount ||
        !out->rejected_amount || !out->currency_seen) {
        free(c);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing outputs");
    }
    c->night = n;
    c->report = report;
    c->totals = report->totals;
    c->out = out;
    c->n_workers = eng_pool_threads(pool);
    pthread_mutex_init(&c->fail_mu, NULL);
    for (size_t i = 0; i < OUT_COUNT; i++) {
        pthread_mutex_init(&c->files[i].mu, NULL);
        pthread_cond_init(&c->files[i].turn_changed, NULL);
    }
    eng_rc rc = eng_cells_build(&c->cells, n->setup->catalog, n->setup->inventory);
    c->workers = calloc(c->n_workers, sizeof *c->workers);
    if (rc == ENG_OK && !c->workers)
        rc = ENG_NOMEM;
    for (unsigned k = 0; rc == ENG_OK && k < c->n_workers; k++) {
        worker_state *ws = &c->workers[k];
        rc = tally_init(&ws->tally, n_cur, n_slots, n_products);
        if (rc == ENG_OK && !(ws->ranks = malloc((n_wh ? n_wh : 1) * sizeof *ws->ranks)))
            rc = ENG_NOMEM;
    }
    if (rc != ENG_OK)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory writing outputs");
    plan_ranges(c);
    /* routing.csv, the last, only under routes */
    out->n_files = n->alloc->routing ? OUT_COUNT : OUT_COUNT - 1;
    for (size_t i = 0; rc == ENG_OK && i < out->n_files; i++) {
        eng_output_file *f = &out->files[i];
        snprintf(f->name, sizeof f->name, "%s%s", out_names[i], compress ? ".zst" : "");
        rc = eng_outdir_create(od, f->name, compress, &c->files[i].sink, err);
    }
    if (rc == ENG_OK) {
        rc = eng_pool_for(pool, c->n_tasks, output_task, c, err);
        if (rc != ENG_OK && c->fail_rc != ENG_OK) {
            rc = c->fail_rc;
            *err = c->fail_err;
        }
    }
    for (unsigned k = 0; c->workers && k < c->n_workers; k++) {
        worker_state *ws = &c->workers[k];
        if (rc == ENG_OK && tally_add(out, &ws->tally, n_cur, n_slots, n_products) != ENG_OK)
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory writing outputs");
        tally_release(&ws->tally);
        free(ws->ranks);
        fmt_buf_release(&ws->ro.buf);
        fmt_buf_release(&ws->head);
        fmt_buf_release(&ws->mid);
        fmt_buf_release(&ws->tail);
    }
    eng_channel_sums_sort(&out->by_channel);
    eng_channel_sums_sort(&out->status_by_channel);
    for (size_t i = 0; i < OUT_COUNT; i++) {
        fmt_sink_free(c->files[i].sink); /* left open only by a failure */
        pthread_mutex_destroy(&c->files[i].mu);
        pthread_cond_destroy(&c->files[i].turn_changed);
    }
    pthread_mutex_destroy(&c->fail_mu);
    free(c->workers);
    eng_cells_release(&c->cells);
    free(c);
    return rc;
}

void eng_outputs_release(eng_outputs *out)
{
    free(out->slip_amount);
    free(out->status_amount);
    free(out->slip_units);
    free(out->ledger_refund);
    out->ledger_refund = NULL;
    eng_channel_sums_release(&out->by_channel);
    eng_channel_sums_release(&out->status_by_channel);
    out->slip_amount = out->status_amount = NULL;
    out->slip_units = NULL;
    free(out->backorder_units);
    free(out->backorder_lines);
    free(out->backordered_amount);
    free(out->rejected_amount);
    free(out->currency_seen);
    out->backordered_amount = out->rejected_amount = NULL;
    out->currency_seen = NULL;
    out->backorder_units = NULL;
    out->backorder_lines = NULL;
}
