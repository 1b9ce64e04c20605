/* CSV writers. Each file is formatted into a buffer that is handed to its sink every
 * megabyte, so memory stays flat however large the night. The files are independent,
 * so each is one pool task; a task writes only its own file and its own counters in
 * eng_outputs (distinct fields), and eng_pool_for()'s return publishes them.
 *
 * Every sort here is total, so output bytes never depend on thread count. Every text
 * cell is written through the spreadsheet formula guard (w_field). */
#include "outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/csv.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/sink.h"
#include "../allocate/alloc.h"
#include "../intake/history.h"
#include "../allocate/returns.h"

#define FLUSH_AT (1u << 20)

/* ---- a CSV file being written ---- */

typedef struct writer {
    fmt_sink *sink;
    fmt_buf buf;
    int row_started;
    eng_rc rc;
    eng_err *err;
} writer;

static eng_rc w_open(writer *w, eng_outdir *od, const char *name, int compress, eng_err *err)
{
    memset(w, 0, sizeof *w);
    fmt_buf_init(&w->buf);
    w->err = err;
    return eng_outdir_create(od, name, compress, &w->sink, err);
}

/* Every text cell goes through the spreadsheet guard (issue 15, formats/csv.h): finance
 * opens these files in a spreadsheet, where a ship-to name "=HYPERLINK(...)" from a
 * hostile order file would be a live formula. Ids, SKUs, postal codes and warehouses that
 * would need a guard were refused at input, so the guard never alters them on a row that
 * was accepted. Numbers are written by w_i64 and w_money, never guarded: a negative
 * priority is a number to a spreadsheet, and none of our other numbers can be negative. */
static void w_field(writer *w, const char *s, size_t len)
{
    if (w->row_started)
        fmt_buf_putc(&w->buf, ',');
    w->row_started = 1;
    fmt_csv_put_text(&w->buf, s, len);
}

static void w_str(writer *w, const char *s)
{
    w_field(w, s, strlen(s));
}

static void w_text(writer *w, eng_text t)
{
    w_field(w, t.p ? t.p : "", t.p ? t.len : 0);
}

static void w_i64(writer *w, int64_t v)
{
    if (w->row_started)
        fmt_buf_putc(&w->buf, ',');
    w->row_started = 1;
    fmt_buf_put_i64(&w->buf, v);
}

static void w_money(writer *w, int64_t minor, int currency)
{
    if (w->row_started)
        fmt_buf_putc(&w->buf, ',');
    w->row_started = 1;
    if (currency >= 0)
        fmt_buf_put_minor(&w->buf, minor, fmt_currency_minor_digits(currency));
}

static void w_end(writer *w)
{
    fmt_buf_putc(&w->buf, '\n');
    w->row_started = 0;
    if (w->buf.len >= FLUSH_AT && w->rc == ENG_OK) {
        if (w->buf.failed)
            w->rc = ENG_FAIL(w->err, ENG_NOMEM, "out of memory formatting output");
        else
            w->rc = fmt_sink_write(w->sink, w->buf.p, w->buf.len, w->err);
        w->buf.len = 0;
    }
}

static void w_header(writer *w, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        w_str(w, cols[i]);
    w_end(w);
}

/* ---- cells written on many rows, formatted once ----
 *
 * A night of millions of lines repeats the same few thousand SKUs, names, bins and
 * warehouses, and every line of an order repeats its order's id and ship-to. Each such
 * cell is formatted once (spreadsheet guard and CSV quoting applied) and a row copies its
 * bytes, where it used to scan every byte of every cell again. */
typedef struct cell {
    uint32_t off, len; /* in cells.text */
} cell;

typedef struct cells {
    fmt_buf text;
    cell *sku, *name, *bin; /* per product */
    cell *warehouse;        /* per warehouse rank */
    cell *currency;         /* per fmt_currency index */
} cells;

static cell cell_add(cells *c, const char *s, size_t len)
{
    cell x = {(uint32_t)c->text.len, 0};
    fmt_csv_put_text(&c->text, s, len);
    x.len = (uint32_t)(c->text.len - x.off);
    return x;
}

static eng_rc cells_build(cells *c, const eng_catalog *cat, const eng_inventory *inv, eng_err *err)
{
    memset(c, 0, sizeof *c);
    fmt_buf_init(&c->text);
    size_t n_products = eng_catalog_count(cat), n_wh = eng_inventory_warehouse_count(inv);
    int n_cur = fmt_currency_count();
    c->sku = malloc((n_products ? n_products : 1) * sizeof *c->sku);
    c->name = malloc((n_products ? n_products : 1) * sizeof *c->name);
    c->bin = malloc((n_products ? n_products : 1) * sizeof *c->bin);
    c->warehouse = malloc((n_wh ? n_wh : 1) * sizeof *c->warehouse);
    c->currency = malloc((size_t)n_cur * sizeof *c->currency);
    if (!c->sku || !c->name || !c->bin || !c->warehouse || !c->currency)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing outputs");
    for (size_t p = 0; p < n_products; p++) {
        const eng_product *pr = eng_catalog_get(cat, (uint32_t)p);
        c->sku[p] = cell_add(c, pr->sku, strlen(pr->sku));
        c->name[p] = cell_add(c, pr->name, strlen(pr->name));
        c->bin[p] = cell_add(c, pr->bin, strlen(pr->bin));
    }
    for (size_t r = 0; r < n_wh; r++) {
        const char *wh = eng_inventory_warehouse(inv, (uint32_t)r);
        c->warehouse[r] = cell_add(c, wh, strlen(wh));
    }
    for (int k = 0; k < n_cur; k++)
        c->currency[k] = cell_add(c, fmt_currency_code(k), strlen(fmt_currency_code(k)));
    if (c->text.failed || c->text.len > UINT32_MAX)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing outputs");
    return ENG_OK;
}

static void cells_release(cells *c)
{
    fmt_buf_release(&c->text);
    free(c->sku);
    free(c->name);
    free(c->bin);
    free(c->warehouse);
    free(c->currency);
}

/* A cell formatted already, as the next field of the row. */
static void w_cell(writer *w, const cells *c, cell x)
{
    if (w->row_started)
        fmt_buf_putc(&w->buf, ',');
    w->row_started = 1;
    fmt_buf_put(&w->buf, c->text.p + x.off, x.len);
}

/* Fields formatted already ("a,b,c" without a leading comma), as the next fields. */
static void w_fields(writer *w, const fmt_buf *b)
{
    if (w->row_started)
        fmt_buf_putc(&w->buf, ',');
    w->row_started = 1;
    fmt_buf_put(&w->buf, b->p, b->len);
}

/* Text cells into b, comma-separated, each through the guard and quoting. */
static void put_texts(fmt_buf *b, const eng_text *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fmt_buf_putc(b, ',');
        fmt_csv_put_text(b, t[i].p ? t[i].p : "", t[i].p ? t[i].len : 0);
    }
}

static eng_rc w_close(writer *w, eng_output_file *f)
{
    eng_rc rc = w->rc;
    if (rc == ENG_OK && w->buf.failed)
        rc = ENG_FAIL(w->err, ENG_NOMEM, "out of memory formatting output");
    if (rc == ENG_OK && w->buf.len)
        rc = fmt_sink_write(w->sink, w->buf.p, w->buf.len, w->err);
    if (rc == ENG_OK)
        rc = fmt_sink_close(w->sink, w->err);
    if (rc == ENG_OK) {
        f->bytes = fmt_sink_bytes(w->sink);
        memcpy(f->sha256, fmt_sink_sha256(w->sink), sizeof f->sha256);
    }
    fmt_sink_free(w->sink);
    fmt_buf_release(&w->buf);
    return rc;
}

/* ---- shared helpers ---- */

void eng_outputs_slip_no(char *dst, int32_t run_date, uint64_t n)
{
    char day[9];
    fmt_isodate_compact(run_date, day);
    snprintf(dst, 40, "OUT-%s-%06llu", day, (unsigned long long)n);
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

static const char *product_sku(const eng_products *n, int32_t product)
{
    /* -1 only for a line that is not ours to ship and named no catalog product. */
    return product >= 0 ? eng_catalog_get(n->setup->catalog, (uint32_t)product)->sku : "";
}

typedef struct out_task {
    const eng_products *night;
    const cells *cells;
    const eng_slot_totals *totals;
    const eng_report *report;
    int compress;
    eng_outputs *out;
    eng_outdir *od;
} out_task;

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
    OUT_COUNT
};

static const char *const out_names[OUT_COUNT] = {
    "slips.csv",     "picklist.csv", "order_status.csv",   "backorders.csv",       "exceptions.csv",
    "inventory.csv", "alerts.csv",   "returns_ledger.csv", "returns_analysis.csv",
};

/* ---- slips.csv ---- */

void eng_outputs_return_no(char *dst, int32_t run_date, uint64_t n)
{
    char day[9];
    fmt_isodate_compact(run_date, day);
    snprintf(dst, 40, "RMA-%s-%06llu", day, (unsigned long long)n);
}

/* Exchange replacements have the first slip numbers: one line each, order_id the return
 * number, price 0, shipped to the original order's address. */
static void write_exchange_slips(out_task *t, writer *w, const char *ship_date)
{
    const eng_products *n = t->night;
    eng_outputs *out = t->out;
    char slip_no[40], rma[40];
    for (size_t i = 0; n->returns && i < n->returns->n && w->rc == ENG_OK; i++) {
        const eng_return *r = &n->returns->items[i];
        if (r->status != ENG_RS_EXCHANGE_SHIPPED)
            continue;
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, r->ship_slot);
        const eng_product *p = eng_catalog_get(n->setup->catalog, (uint32_t)r->product);
        eng_outputs_slip_no(slip_no, n->setup->run_date, r->slip);
        eng_outputs_return_no(rma, n->setup->run_date, r->rma);
        w_str(w, slip_no);
        w_str(w, rma);
        w_text(w, r->original->text[ENG_HT_CHANNEL]);
        w_i64(w, 1);
        w_str(w, p->sku);
        w_str(w, p->name);
        w_i64(w, r->qty);
        w_money(w, 0, r->currency);
        w_money(w, 0, r->currency);
        w_str(w, fmt_currency_code(r->currency));
        w_str(w, eng_inventory_warehouse(n->setup->inventory, sl->wh_rank));
        w_str(w, p->bin);
        for (int f = ENG_HT_SHIP_NAME; f <= ENG_HT_SHIP_SERVICE; f++)
            w_text(w, r->original->text[f]);
        w_str(w, ship_date);
        w_end(w);
        out->slips++;
        out->slip_rows++;
        out->slip_units[r->ship_slot] += r->qty;
    }
}

static eng_rc write_slips(out_task *t, writer *w)
{
    static const char *const cols[] = {"slip_no",     "order_id",     "channel",      "line_no",
                                       "sku",         "name",         "qty",          "unit_price",
                                       "line_amount", "currency",     "warehouse",    "bin",
                                       "ship_name",   "ship_street",  "ship_city",    "ship_region",
                                       "ship_postal", "ship_country", "ship_service", "ship_date"};
    const eng_products *n = t->night;
    eng_outputs *out = t->out;
    w_header(w, cols, sizeof cols / sizeof *cols);
    size_t n_wh = eng_inventory_warehouse_count(n->setup->inventory);
    uint32_t *ranks = malloc((n_wh ? n_wh : 1) * sizeof *ranks);
    if (!ranks)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing slips");
    char ship_date[11], slip_no[40];
    fmt_isodate_format(n->setup->run_date, ship_date);
    write_exchange_slips(t, w, ship_date);
    const cells *c = t->cells;
    fmt_buf head, tail; /* an order's id and channel; its ship-to and the ship date */
    fmt_buf_init(&head);
    fmt_buf_init(&tail);
    for (size_t r = 0; r < n->alloc->n_ranked && w->rc == ENG_OK; r++) {
        prefetch_ahead(n->alloc->ranked, r, n->alloc->n_ranked);
        const eng_order *o = n->alloc->ranked[r];
        if (o->n_slips == 0)
            continue;
        size_t k = eng_alloc_order_warehouses(n->setup->inventory, o, ranks, n_wh);
        head.len = tail.len = 0;
        eng_text id_channel[2] = {{o->id, o->id_len}, head_text(o, ENG_HT_CHANNEL)};
        put_texts(&head, id_channel, 2);
        eng_text ship_to[ENG_HT_SHIP_SERVICE - ENG_HT_SHIP_NAME + 2];
        for (int f = ENG_HT_SHIP_NAME; f <= ENG_HT_SHIP_SERVICE; f++)
            ship_to[f - ENG_HT_SHIP_NAME] = head_text(o, (eng_ht)f);
        ship_to[ENG_HT_SHIP_SERVICE - ENG_HT_SHIP_NAME + 1] = (eng_text){ship_date, 10};
        put_texts(&tail, ship_to, sizeof ship_to / sizeof *ship_to);
        for (size_t s = 0; s < k; s++) {
            eng_outputs_slip_no(slip_no, n->setup->run_date, o->first_slip + s);
            out->slips++;
            for (uint32_t i = 0; i < o->n_lines; i++) {
                const eng_line *ln = &o->lines[i];
                eng_part one;
                const eng_part *parts = eng_alloc_line_parts(ln, &one);
                for (uint32_t j = 0; j < ln->n_parts; j++) {
                    const eng_slot *sl = eng_inventory_slot(n->setup->inventory, parts[j].slot);
                    if (sl->wh_rank != ranks[s])
                        continue;
                    /* Units before this part: history's, then the line's earlier parts. */
                    int64_t from = ln->before;
                    for (uint32_t e = 0; e < j; e++)
                        from += parts[e].qty;
                    int64_t amount =
                        eng_line_amount(ln, from + parts[j].qty) - eng_line_amount(ln, from);
                    w_str(w, slip_no);
                    w_fields(w, &head);
                    w_i64(w, ln->line_no);
                    w_cell(w, c, c->sku[ln->product]);
                    w_cell(w, c, c->name[ln->product]);
                    w_i64(w, parts[j].qty);
                    w_money(w, ln->unit_minor, o->currency);
                    w_money(w, amount, o->currency);
                    w_cell(w, c, c->currency[o->currency]);
                    w_cell(w, c, c->warehouse[sl->wh_rank]);
                    w_cell(w, c, c->bin[ln->product]);
                    w_fields(w, &tail);
                    w_end(w);
                    out->slip_rows++;
                    out->slip_amount[o->currency] += amount;
                    out->slip_units[parts[j].slot] += parts[j].qty;
                }
            }
        }
    }
    free(ranks);
    eng_rc rc = head.failed || tail.failed
                    ? ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing slips")
                    : ENG_OK;
    fmt_buf_release(&head);
    fmt_buf_release(&tail);
    return rc;
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

static eng_rc write_picklist(out_task *t, writer *w)
{
    static const char *const cols[] = {"warehouse", "bin", "sku", "name", "qty", "slips"};
    const eng_products *n = t->night;
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    size_t n_wh = eng_inventory_warehouse_count(n->setup->inventory);
    uint64_t *slips = calloc(n_slots ? n_slots : 1, sizeof *slips);
    uint64_t *stamp = calloc(n_slots ? n_slots : 1, sizeof *stamp); /* last slip counted */
    pick_row *rows = malloc((n_slots ? n_slots : 1) * sizeof *rows);
    uint32_t *ranks = malloc((n_wh ? n_wh : 1) * sizeof *ranks);
    eng_rc rc = ENG_OK;
    if (!slips || !stamp || !rows || !ranks) {
        rc = ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing the pick list");
        goto done;
    }
    /* A slip takes from a slot once, however many of its lines share the slot. Slip
     * numbers start at 1, so 0 in stamp means "none yet". */
    for (size_t r = 0; r < n->alloc->n_ranked; r++) {
        prefetch_ahead(n->alloc->ranked, r, n->alloc->n_ranked);
        const eng_order *o = n->alloc->ranked[r];
        if (o->n_slips == 0)
            continue;
        size_t k = eng_alloc_order_warehouses(n->setup->inventory, o, ranks, n_wh);
        for (uint32_t i = 0; i < o->n_lines; i++) {
            const eng_line *ln = &o->lines[i];
            eng_part one;
            const eng_part *parts = eng_alloc_line_parts(ln, &one);
            for (uint32_t j = 0; j < ln->n_parts; j++) {
                uint32_t s = parts[j].slot;
                uint32_t rank = eng_inventory_slot(n->setup->inventory, s)->wh_rank;
                size_t which = 0;
                while (which < k && ranks[which] != rank)
                    which++;
                uint64_t slip = o->first_slip + which;
                if (stamp[s] != slip) {
                    stamp[s] = slip;
                    slips[s]++;
                }
            }
        }
    }
    /* Exchange replacements ship on slips of their own, one slot each. */
    for (size_t i = 0; n->returns && i < n->returns->n; i++)
        if (n->returns->items[i].status == ENG_RS_EXCHANGE_SHIPPED)
            slips[n->returns->items[i].ship_slot]++;
    size_t m = 0;
    for (uint32_t s = 0; s < n_slots; s++) {
        if (t->totals->shipped[s] == 0)
            continue;
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, s);
        const eng_product *p = eng_catalog_get(n->setup->catalog, (uint32_t)sl->product);
        pick_row *pr = &rows[m++];
        pr->warehouse = eng_inventory_warehouse(n->setup->inventory, sl->wh_rank);
        pr->bin = p->bin;
        pr->sku = p->sku;
        pr->name = p->name;
        pr->qty = t->totals->shipped[s];
        pr->slips = slips[s];
    }
    qsort(rows, m, sizeof *rows, cmp_pick);
    w_header(w, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < m; i++) {
        w_str(w, rows[i].warehouse);
        w_str(w, rows[i].bin);
        w_str(w, rows[i].sku);
        w_str(w, rows[i].name);
        w_i64(w, rows[i].qty);
        w_i64(w, (int64_t)rows[i].slips);
        w_end(w);
    }
    t->out->picklist_rows = m;
done:
    free(slips);
    free(stamp);
    free(rows);
    free(ranks);
    return rc;
}

/* ---- order_status.csv ---- */

static eng_rc write_status(out_task *t, writer *w)
{
    static const char *const cols[] = {"order_id", "channel", "status",   "lines",
                                       "units",    "amount",  "currency", "code"};
    const eng_products *n = t->night;
    eng_outputs *out = t->out;
    w_header(w, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < n->book->n_orders && w->rc == ENG_OK; i++) {
        prefetch_ahead(n->book->orders, i, n->book->n_orders);
        const eng_order *o = n->book->orders[i];
        w_field(w, o->id, o->id_len);
        w_text(w, head_text(o, ENG_HT_CHANNEL));
        w_str(w, eng_status_name((eng_status)o->status));
        w_i64(w, o->lines_out);
        w_i64(w, o->units);
        w_money(w, o->amount_minor, o->currency);
        w_text(w, head_text(o, ENG_HT_CURRENCY));
        w_str(w, eng_code_name((eng_code)o->code));
        w_end(w);
        out->status_rows++;
        out->status_by[o->status]++;
        if (o->status == ENG_ST_SHIPPED || o->status == ENG_ST_PARTIAL)
            out->status_amount[o->currency] += o->amount_minor;
    }
    return ENG_OK;
}

/* ---- backorders.csv ---- */

static void w_head_money(writer *w, const eng_order *o, eng_hm m, fmt_col c)
{
    if (!o->head || !(o->head->present & (1u << c))) {
        w_field(w, "", 0);
        return;
    }
    int64_t minor = 0;
    /* Valid orders converted every given amount already; cannot fail here. */
    (void)fmt_dec_to_minor(eng_head_money(o->head, m), fmt_currency_minor_digits(o->currency),
                           &minor);
    w_money(w, minor, o->currency);
}

static eng_rc write_backorders(out_task *t, writer *w)
{
    static const char *const cols[] = {
        "order_id",    "order_time",  "sku",          "qty",          "unit_price",  "currency",
        "channel",     "priority",    "customer_id",  "ship_name",    "ship_street", "ship_city",
        "ship_region", "ship_postal", "ship_country", "ship_service", "order_total", "shipping",
        "tax",         "discount",    "line_no",      "open_qty",     "code",        "line_amount"};
    const eng_products *n = t->night;
    w_header(w, cols, sizeof cols / sizeof *cols);
    char when[40];
    for (size_t i = 0; i < n->book->n_orders && w->rc == ENG_OK; i++) {
        prefetch_ahead(n->book->orders, i, n->book->n_orders);
        const eng_order *o = n->book->orders[i];
        if (o->status != ENG_ST_BACKORDERED && o->status != ENG_ST_PARTIAL)
            continue;
        fmt_isotime_format(o->time_ns, when);
        for (uint32_t k = 0; k < o->n_lines; k++) {
            const eng_line *ln = &o->lines[k];
            int64_t open = ln->qty - ln->shipped; /* outstanding tonight, less shipped */
            w_field(w, o->id, o->id_len);
            w_str(w, when);
            w_str(w, product_sku(n, ln->product));
            w_i64(w, ln->ordered);
            w_money(w, ln->unit_minor, o->currency);
            w_text(w, head_text(o, ENG_HT_CURRENCY));
            w_text(w, head_text(o, ENG_HT_CHANNEL));
            if (o->head && (o->head->present & (1u << FMT_COL_PRIORITY)))
                w_i64(w, o->priority);
            else
                w_field(w, "", 0);
            w_text(w, head_text(o, ENG_HT_CUSTOMER_ID));
            for (int f = ENG_HT_SHIP_NAME; f <= ENG_HT_SHIP_SERVICE; f++)
                w_text(w, head_text(o, (eng_ht)f));
            w_head_money(w, o, ENG_HM_ORDER_TOTAL, FMT_COL_ORDER_TOTAL);
            w_head_money(w, o, ENG_HM_SHIPPING, FMT_COL_SHIPPING);
            w_head_money(w, o, ENG_HM_TAX, FMT_COL_TAX);
            w_head_money(w, o, ENG_HM_DISCOUNT, FMT_COL_DISCOUNT);
            w_i64(w, ln->line_no);
            w_i64(w, open);
            w_str(w, open > 0 ? "INSUFFICIENT_STOCK" : "");
            /* Exact even for a marketplace's line total, which unit_price rounds; last, so
             * SPEC's columns keep their places. */
            w_money(w, eng_line_amount(ln, ln->ordered), o->currency);
            w_end(w);
            t->out->backorder_rows++;
        }
    }
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

static eng_rc write_exceptions(out_task *t, writer *w)
{
    static const char *const cols[] = {"source", "line", "record_id", "code", "field", "message"};
    const eng_products *n = t->night;
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
    w_header(w, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < k && w->rc == ENG_OK; i++) {
        const eng_exc *e = list[i];
        w_str(w, n->setup->sources[e->file].path);
        if (e->line)
            w_i64(w, (int64_t)e->line);
        else
            w_field(w, "", 0);
        w_str(w, e->record_id);
        w_str(w, eng_code_name((eng_code)e->code));
        w_str(w, e->field);
        w_str(w, e->message);
        w_end(w);
        t->out->exceptions_by_code[e->code]++;
    }
    t->out->exception_rows = k;
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

static eng_rc write_inventory(out_task *t, writer *w)
{
    const eng_inventory *inv = t->night->setup->inventory;
    size_t n_slots = eng_inventory_count(inv), n_cols = eng_inventory_n_cols(inv);
    uint32_t *order = malloc((n_slots ? n_slots : 1) * sizeof *order);
    if (!order)
        return ENG_FAIL(w->err, ENG_NOMEM, "out of memory writing the inventory");
    for (uint32_t s = 0; s < n_slots; s++)
        order[s] = s;
    sort_inv = inv;
    qsort(order, n_slots, sizeof *order, cmp_slot);
    for (size_t c = 0; c < n_cols; c++)
        w_str(w, eng_inventory_col_name(inv, c));
    w_end(w);
    size_t on_hand_col = eng_inventory_on_hand_col(inv);
    for (size_t i = 0; i < n_slots && w->rc == ENG_OK; i++) {
        uint32_t s = order[i];
        for (size_t c = 0; c < n_cols; c++) {
            if (c == on_hand_col)
                w_i64(w, t->totals->after[s]);
            else
                w_str(w, eng_inventory_field(inv, s, c));
        }
        w_end(w);
    }
    t->out->inventory_rows = n_slots;
    free(order);
    return ENG_OK;
}

/* ---- alerts.csv ---- */

static eng_rc write_alerts(out_task *t, writer *w)
{
    static const char *const cols[] = {"sku",    "warehouse", "on_hand",       "reorder_point",
                                       "demand", "shortfall", "suggested_qty", "code"};
    w_header(w, cols, sizeof cols / sizeof *cols);
    for (size_t i = 0; i < t->report->n_alerts && w->rc == ENG_OK; i++) {
        const eng_alert *a = &t->report->alerts[i];
        w_str(w, a->sku);
        w_str(w, a->warehouse);
        w_i64(w, a->on_hand);
        w_i64(w, a->reorder_point);
        w_i64(w, a->demand);
        w_i64(w, a->shortfall);
        w_i64(w, a->suggested);
        w_str(w, eng_code_name(a->code));
        w_end(w);
        t->out->alerts_by_code[a->code]++;
    }
    t->out->alert_rows = t->report->n_alerts;
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

static eng_rc write_ledger(out_task *t, writer *w)
{
    static const char *const cols[] = {"return_no",   "request_id", "order_id",      "sku",
                                       "qty",         "reason",     "condition",     "resolution",
                                       "decision",    "code",       "refund_amount", "currency",
                                       "restock_qty", "warehouse",  "status",        "channel"};
    const eng_products *n = t->night;
    eng_outputs *out = t->out;
    w_header(w, cols, sizeof cols / sizeof *cols);
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
        w_str(w, approved ? rma : "");
        w_text(w, r->request_id);
        w_text(w, r->order_id);
        w_text(w, r->sku);
        if (r->qty > 0)
            w_i64(w, r->qty);
        else
            w_field(w, "", 0);
        w_text(w, r->reason);
        w_text(w, r->condition);
        /* A rejected request shows what was asked (BAD_VALUE names it); blank is refund. */
        if (!approved && r->resolution.len)
            w_text(w, r->resolution);
        else
            w_str(w, r->exchange ? "exchange" : "refund");
        w_str(w, approved ? "APPROVED" : "REJECTED");
        w_str(w, eng_code_name(r->code));
        if (approved)
            w_money(w, r->refund_minor, r->currency);
        else
            w_field(w, "", 0);
        w_str(w, r->currency >= 0 ? fmt_currency_code(r->currency) : "");
        if (approved)
            w_i64(w, r->restock_qty);
        else
            w_field(w, "", 0);
        w_str(w, approved && r->warehouse ? r->warehouse : "");
        w_str(w, eng_return_status_name(r->status));
        /* The order's channel: with the order id, what identifies it (history reads a
         * ledger's returned units by the pair). */
        if (r->original)
            w_field(w, r->original->channel, r->original->channel_len);
        else
            w_text(w, r->channel);
        w_end(w);
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

static eng_rc write_analysis(out_task *t, writer *w)
{
    static const char *const cols[] = {"sku",      "name",          "reason",
                                       "requests", "units",         "refund_amount",
                                       "currency", "shipped_units", "return_rate_pct"};
    const eng_products *n = t->night;
    w_header(w, cols, sizeof cols / sizeof *cols);
    char rate[24];
    for (size_t i = 0; i < t->report->n_analysis && w->rc == ENG_OK; i++) {
        const eng_analysis_row *a = &t->report->analysis[i];
        const eng_product *p = eng_catalog_get(n->setup->catalog, (uint32_t)a->product);
        w_str(w, p->sku);
        w_str(w, p->name);
        w_str(w, a->reason);
        w_i64(w, (int64_t)a->requests);
        w_i64(w, a->units);
        w_money(w, a->refund_minor, a->currency);
        w_str(w, fmt_currency_code(a->currency));
        w_i64(w, a->shipped);
        eng_analysis_rate(a, rate);
        w_str(w, rate);
        w_end(w);
    }
    t->out->analysis_rows = t->report->n_analysis;
    return ENG_OK;
}

static eng_rc output_task(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    (void)worker;
    out_task *t = ctx;
    writer w;
    ENG_TRY(w_open(&w, t->od, t->out->files[i].name, t->compress, err));
    eng_rc rc;
    switch (i) {
    case OUT_SLIPS:
        rc = write_slips(t, &w);
        break;
    case OUT_PICKLIST:
        rc = write_picklist(t, &w);
        break;
    case OUT_STATUS:
        rc = write_status(t, &w);
        break;
    case OUT_BACKORDERS:
        rc = write_backorders(t, &w);
        break;
    case OUT_EXCEPTIONS:
        rc = write_exceptions(t, &w);
        break;
    case OUT_INVENTORY:
        rc = write_inventory(t, &w);
        break;
    case OUT_ALERTS:
        rc = write_alerts(t, &w);
        break;
    case OUT_LEDGER:
        rc = write_ledger(t, &w);
        break;
    default:
        rc = write_analysis(t, &w);
        break;
    }
    if (rc != ENG_OK) {
        fmt_sink_free(w.sink);
        fmt_buf_release(&w.buf);
        return rc;
    }
    return w_close(&w, &t->out->files[i]);
}

eng_rc eng_outputs_write(const eng_products *n, const eng_report *report, eng_outdir *od,
                         int compress, eng_pool *pool, eng_outputs *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    int n_cur = fmt_currency_count();
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    out->slip_amount = calloc((size_t)n_cur, sizeof *out->slip_amount);
    out->status_amount = calloc((size_t)n_cur, sizeof *out->status_amount);
    out->ledger_refund = calloc((size_t)n_cur, sizeof *out->ledger_refund);
    out->slip_units = calloc(n_slots ? n_slots : 1, sizeof *out->slip_units);
    out_task *t = calloc(1, sizeof *t);
    if (!out->slip_amount || !out->status_amount || !out->ledger_refund || !out->slip_units || !t) {
        free(t);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing outputs");
    }
    cells c;
    eng_rc rc = cells_build(&c, n->setup->catalog, n->setup->inventory, err);
    if (rc != ENG_OK) {
        cells_release(&c);
        free(t);
        return rc;
    }
    t->night = n;
    t->cells = &c;
    t->totals = report->totals;
    t->report = report;
    t->compress = compress;
    t->out = out;
    t->od = od;
    for (size_t i = 0; i < OUT_COUNT; i++) {
        eng_output_file *f = &out->files[i];
        snprintf(f->name, sizeof f->name, "%s%s", out_names[i], compress ? ".zst" : "");
    }
    out->n_files = OUT_COUNT;
    rc = eng_pool_for(pool, OUT_COUNT, output_task, t, err);
    cells_release(&c);
    free(t);
    return rc;
}

void eng_outputs_release(eng_outputs *out)
{
    free(out->slip_amount);
    free(out->status_amount);
    free(out->slip_units);
    free(out->ledger_refund);
    out->ledger_refund = NULL;
    out->slip_amount = out->status_amount = NULL;
    out->slip_units = NULL;
}
