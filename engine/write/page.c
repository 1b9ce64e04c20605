/* report.html (page.h). Sections in the order an operations manager reads the night:
 * the figures at a glance and the invariants, orders by status and channel, money per
 * currency and channel, lines per warehouse, exceptions, backorders, stock alerts and
 * returns. Lists are cut to their first rows (TOP); the CSV files have them all. */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/csv.h"
#include "../../formats/currency.h"
#include "../../formats/html.h"
#include "../../formats/isotime.h"
#include "../../formats/num.h"
#include "../../formats/table.h"
#include "../base/vmap.h"
#include "manifest.h"

#define TOP 20 /* rows of a list shown */

/* <td class="n" data-k="key">amount</td>; key NULL: none. */
static void cell_money(fmt_buf *b, const char *key, __int128 v, int cur)
{
    char text[64];
    fmt_minor128_text(text, sizeof text, v, fmt_currency_minor_digits(cur));
    fmt_buf_puts(b, "<td class=\"n\"");
    if (key) {
        fmt_buf_puts(b, " data-k=\"");
        fmt_html_puts(b, key);
        fmt_buf_putc(b, '"');
    }
    fmt_buf_putc(b, '>');
    fmt_buf_puts(b, text);
    fmt_buf_puts(b, "</td>");
}

/* ---- reading back a CSV output ---- */

static fmt_str field(const fmt_table *t, size_t k)
{
    return fmt_table_has(t, k) ? fmt_csv_unguard(fmt_table_get(t, k)) : (fmt_str){"", 0};
}

/* A tally by text key: counts and sums per key, in first-seen order. */
typedef struct tally {
    eng_vmap *keys;
    uint64_t *count;
    int64_t *sum;
    size_t cap;
} tally;

static int tally_add(tally *t, const char *key, size_t len, uint64_t count, int64_t sum)
{
    int64_t id = eng_vmap_add(t->keys, key, len, NULL);
    if (id < 0)
        return -1;
    if ((size_t)id >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        uint64_t *c = realloc(t->count, cap * sizeof *c);
        if (c)
            t->count = c;
        int64_t *s = c ? realloc(t->sum, cap * sizeof *s) : NULL;
        if (!c || !s)
            return -1;
        t->sum = s;
        memset(t->count + t->cap, 0, (cap - t->cap) * sizeof *t->count);
        memset(t->sum + t->cap, 0, (cap - t->cap) * sizeof *t->sum);
        t->cap = cap;
    }
    t->count[id] += count;
    t->sum[id] += sum;
    return 0;
}

static void tally_free(tally *t)
{
    eng_vmap_free(t->keys);
    free(t->count);
    free(t->sum);
}

/* Ids of a tally's keys, largest first by sum (then count), ties in key byte order. */
static const tally *sort_tally;

static int cmp_by_size(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const tally *t = sort_tally;
    if (t->sum[a] != t->sum[b])
        return t->sum[a] > t->sum[b] ? -1 : 1;
    if (t->count[a] != t->count[b])
        return t->count[a] > t->count[b] ? -1 : 1;
    size_t la, lb;
    const char *ka = eng_vmap_key(t->keys, a, &la), *kb = eng_vmap_key(t->keys, b, &lb);
    int c = memcmp(ka, kb, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static uint32_t *ranked(const tally *t, size_t *n)
{
    *n = eng_vmap_count(t->keys);
    uint32_t *ids = malloc((*n ? *n : 1) * sizeof *ids);
    if (!ids)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        ids[i] = (uint32_t)i;
    sort_tally = t; /* one writer at a time: report.html is written by the run's thread */
    qsort(ids, *n, sizeof *ids, cmp_by_size);
    return ids;
}

/* ---- the sections ---- */

static void at_a_glance(fmt_buf *b, const eng_products *n, const eng_outputs *out,
                        const eng_invariant inv[ENG_N_INVARIANTS])
{
    uint64_t read = n->book->n_orders - n->book->n_aside;
    fmt_buf_puts(b, "<div class=\"kpis\">\n");
    fmt_html_kpi(b, "orders.read", read, "orders read", 0);
    fmt_html_kpi(b, "orders.shipped", out->status_by[ENG_ST_SHIPPED], "shipped", 0);
    fmt_html_kpi(b, "orders.partial", out->status_by[ENG_ST_PARTIAL], "partly shipped", 0);
    fmt_html_kpi(b, "orders.backordered", out->status_by[ENG_ST_BACKORDERED], "backordered", 0);
    fmt_html_kpi(b, "orders.rejected", out->status_by[ENG_ST_REJECTED], "rejected",
                 out->status_by[ENG_ST_REJECTED] > 0);
    fmt_html_kpi(b, "slips", out->slips, "slips", 0);
    fmt_html_kpi(b, "lines.slip_rows", out->slip_rows, "slip lines", 0);
    fmt_html_kpi(b, "exceptions.total", out->exception_rows, "exceptions", out->exception_rows > 0);
    fmt_html_kpi(b, "alerts.total", out->alert_rows, "stock alerts", out->alert_rows > 0);
    fmt_html_kpi(b, "returns.read", out->ledger_rows, "returns", 0);
    fmt_buf_puts(b, "</div>\n<h2>Invariants</h2>\n<ul class=\"inv\">\n");
    static const char *const state[] = {"<span class=\"broken\">BROKEN</span>",
                                        "<span class=\"holds\">holds</span>",
                                        "<span class=\"notrun\">not checked here</span>"};
    for (int i = 0; i < ENG_N_INVARIANTS; i++) {
        fmt_buf_puts(b, "<li><b>");
        fmt_buf_put_u64(b, (uint64_t)i + 1);
        fmt_buf_puts(b, " ");
        fmt_html_puts(b, inv[i].name);
        fmt_buf_puts(b, "</b> ");
        fmt_buf_puts(b, state[inv[i].state]);
        fmt_buf_puts(b, "<small>");
        /* `a command` in a detail reads as code, not as backticks */
        const char *d = inv[i].detail;
        int code = 0;
        while (*d) {
            const char *tick = strchr(d, '`');
            size_t len = tick ? (size_t)(tick - d) : strlen(d);
            fmt_html_text(b, d, len);
            if (!tick)
                break;
            fmt_buf_puts(b, code ? "</code>" : "<code>");
            code = !code;
            d = tick + 1;
        }
        fmt_buf_puts(b, code ? "</code></small></li>\n" : "</small></li>\n");
    }
    fmt_buf_puts(b, "</ul>\n");
}

/* The statuses shown as parts of a channel's bar: the four the engine decides and the
 * marketplace's own states together. */
enum { P_SHIPPED, P_PARTIAL, P_BACKORDERED, P_REJECTED, P_MARKETPLACE, P_COUNT };

static int by_channel_status(fmt_buf *b, const eng_outputs *out)
{
    fmt_buf_puts(b, "<h2>Orders by status and channel</h2>\n");
    const eng_channel_sums *s = &out->status_by_channel;
    if (!s->n) {
        fmt_html_none(b, "No orders tonight.");
        return 0;
    }
    static const char *const legend[P_COUNT] = {"shipped", "partly shipped", "backordered",
                                                "rejected", "marketplace states"};
    fmt_html_bar *bars = calloc(s->n, sizeof *bars);
    if (!bars)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        const eng_channel_sum *e = &s->items[i];
        bars[i].label = e->len ? e->channel : "(no channel)";
        bars[i].part[P_SHIPPED] = e->count[ENG_ST_SHIPPED];
        bars[i].part[P_PARTIAL] = e->count[ENG_ST_PARTIAL];
        bars[i].part[P_BACKORDERED] = e->count[ENG_ST_BACKORDERED];
        bars[i].part[P_REJECTED] = e->count[ENG_ST_REJECTED];
        for (int st = ENG_ST_STATE + 1; st < ENG_ST_COUNT; st++)
            bars[i].part[P_MARKETPLACE] += e->count[st];
    }
    fmt_html_bars(b, "orders by status and channel", bars, s->n, legend, P_COUNT);
    free(bars);
    /* the table: a column per status that occurs */
    int used[ENG_ST_COUNT] = {0};
    for (size_t i = 0; i < s->n; i++)
        for (int st = 0; st < ENG_ST_COUNT; st++)
            used[st] |= s->items[i].count[st] > 0;
    fmt_buf_puts(b, "<div class=\"wrap\"><table><thead><tr><th>channel</th>");
    for (int st = 0; st < ENG_ST_COUNT; st++)
        if (used[st]) {
            fmt_buf_puts(b, "<th class=\"n\">");
            fmt_buf_puts(b, eng_status_name((eng_status)st));
            fmt_buf_puts(b, "</th>");
        }
    fmt_buf_puts(b, "<th class=\"n\">orders</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < s->n; i++) {
        const eng_channel_sum *e = &s->items[i];
        uint64_t all = 0;
        fmt_buf_puts(b, "<tr>");
        fmt_html_cell_text(b, e->len ? e->channel : "(no channel)", e->len ? e->len : 12);
        for (int st = 0; st < ENG_ST_COUNT; st++)
            if (used[st]) {
                fmt_html_cell_u64(b, e->count[st]);
                all += e->count[st];
            }
        fmt_html_cell_u64(b, all);
        fmt_buf_puts(b, "</tr>\n");
    }
    fmt_html_table_end(b);
    return 0;
}

/* Per currency: shipped, backordered, rejected and refunded (summary.json "amounts"),
 * and shipped per channel in a chart. */
static int money(fmt_buf *b, const eng_outputs *out)
{
    fmt_buf_puts(b, "<h2>Amounts per currency and channel</h2>\n");
    int n_cur = fmt_currency_count();
    static const char *const cols[] = {"currency", "shipped", "backordered", "rejected",
                                       "refunded"};
    fmt_html_table_head(b, cols, 5, 0x1e);
    for (int c = 0; c < n_cur; c++) {
        if (!out->currency_seen[c] && out->status_amount[c] == 0 && out->ledger_refund[c] == 0)
            continue;
        const char *code = fmt_currency_code(c);
        char key[64];
        fmt_buf_puts(b, "<tr>");
        fmt_html_cell_text(b, code, strlen(code));
        snprintf(key, sizeof key, "amounts.%s.shipped", code);
        cell_money(b, key, out->status_amount[c], c);
        snprintf(key, sizeof key, "amounts.%s.backordered", code);
        cell_money(b, key, out->backordered_amount[c], c);
        snprintf(key, sizeof key, "amounts.%s.rejected", code);
        cell_money(b, key, out->rejected_amount[c], c);
        snprintf(key, sizeof key, "amounts.%s.refunded", code);
        cell_money(b, key, out->ledger_refund[c], c);
        fmt_buf_puts(b, "</tr>\n");
    }
    fmt_html_table_end(b);
    /* shipped per channel, a chart per currency (amounts of two currencies are never
     * drawn on one scale) */
    const eng_channel_sums *by = &out->by_channel;
    fmt_html_bar *bars = calloc(by->n ? by->n : 1, sizeof *bars);
    char(*texts)[64] = calloc(by->n ? by->n : 1, sizeof *texts);
    if (!bars || !texts) {
        free(bars);
        free(texts);
        return -1;
    }
    for (int c = 0; c < n_cur; c++) {
        size_t k = 0;
        for (size_t i = 0; i < by->n; i++) {
            const eng_channel_sum *e = &by->items[i];
            if (e->currency != c)
                continue;
            bars[k].label = e->len ? e->channel : "(no channel)";
            memset(bars[k].part, 0, sizeof bars[k].part);
            bars[k].part[0] = e->shipped > 0 ? (uint64_t)e->shipped : 0;
            fmt_minor128_text(texts[k], sizeof texts[k], e->shipped, fmt_currency_minor_digits(c));
            size_t l = strlen(texts[k]);
            snprintf(texts[k] + l, sizeof texts[k] - l, " %s", fmt_currency_code(c));
            bars[k].value_text = texts[k];
            k++;
        }
        if (!k)
            continue;
        char title[64];
        snprintf(title, sizeof title, "shipped per channel, %s", fmt_currency_code(c));
        fmt_buf_puts(b, "<p>Shipped per channel, ");
        fmt_buf_puts(b, fmt_currency_code(c));
        fmt_buf_puts(b, ":</p>\n");
        fmt_html_bars(b, title, bars, k, NULL, 1);
    }
    if (by->n) { /* the figures summary.json's by_channel has */
        static const char *const ccols[] = {"channel", "currency", "shipped", "refunded"};
        fmt_html_table_head(b, ccols, 4, 0xc);
        for (size_t i = 0; i < by->n; i++) {
            const eng_channel_sum *e = &by->items[i];
            const char *code = fmt_currency_code(e->currency);
            char key[160];
            fmt_buf_puts(b, "<tr>");
            fmt_html_cell_text(b, e->len ? e->channel : "(no channel)", e->len ? e->len : 12);
            fmt_html_cell_text(b, code, strlen(code));
            snprintf(key, sizeof key, "by_channel.%.100s.%s.shipped", e->channel, code);
            cell_money(b, key, e->shipped, e->currency);
            snprintf(key, sizeof key, "by_channel.%.100s.%s.refunded", e->channel, code);
            cell_money(b, key, e->refunded, e->currency);
            fmt_buf_puts(b, "</tr>\n");
        }
        fmt_html_table_end(b);
    }
    free(bars);
    free(texts);
    return 0;
}

static int warehouses(fmt_buf *b, const eng_products *n, const eng_outputs *out)
{
    fmt_buf_puts(b, "<h2>Lines per warehouse</h2>\n");
    const eng_inventory *inv = n->setup->inventory;
    size_t n_wh = eng_inventory_warehouse_count(inv), n_slots = eng_inventory_count(inv);
    uint64_t *lines = calloc(n_wh ? n_wh : 1, sizeof *lines);
    uint64_t *units = calloc(n_wh ? n_wh : 1, sizeof *units);
    fmt_html_bar *bars = calloc(n_wh ? n_wh : 1, sizeof *bars);
    char(*texts)[48] = calloc(n_wh ? n_wh : 1, sizeof *texts);
    if (!lines || !units || !bars || !texts) {
        free(lines);
        free(units);
        free(bars);
        free(texts);
        return -1;
    }
    /* a pick list line is a slot with units on slips */
    for (size_t s = 0; s < n_slots; s++) {
        const eng_slot *slot = eng_inventory_slot(inv, (uint32_t)s);
        if (out->slip_units[s] > 0 && slot->wh_rank < n_wh) {
            lines[slot->wh_rank]++;
            units[slot->wh_rank] += (uint64_t)out->slip_units[s];
        }
    }
    size_t k = 0;
    for (size_t w = 0; w < n_wh; w++) {
        if (!lines[w])
            continue;
        bars[k].label = eng_inventory_warehouse(inv, (uint32_t)w);
        bars[k].part[0] = lines[w];
        snprintf(texts[k], sizeof texts[k], "%llu line%s, %llu unit%s",
                 (unsigned long long)lines[w], lines[w] == 1 ? "" : "s",
                 (unsigned long long)units[w], units[w] == 1 ? "" : "s");
        bars[k].value_text = texts[k];
        k++;
    }
    if (k) {
        fmt_buf_puts(b, "<p>Pick list lines (a SKU in a bin) and units, per warehouse, in "
                        "allocation order:</p>\n");
        fmt_html_bars(b, "pick list lines per warehouse", bars, k, NULL, 1);
    } else {
        fmt_html_none(b, "Nothing ships tonight.");
    }
    free(lines);
    free(units);
    free(bars);
    free(texts);
    return 0;
}

/* exceptions.csv read back: a chart per file stacked by code, and the most frequent
 * (code, field) pairs with where the first is and its message. */
typedef struct example {
    char *where; /* "file:line" */
    char *message;
} example;

static int exceptions(fmt_buf *b, const eng_outputs *out, eng_outdir *od, eng_err *err)
{
    fmt_buf_puts(b, "<h2>Exceptions by file and code</h2>\n");
    if (!out->exception_rows) {
        fmt_html_none(b, "No exceptions: every row of every file was read and checked.");
        return 0;
    }
    enum { X_SOURCE, X_LINE, X_CODE, X_FIELD, X_MESSAGE, X_N };
    static const fmt_column cols[X_N] = {
        {"source", 1}, {"line", 1}, {"code", 1}, {"field", 1}, {"message", 1}};
    const char *name = eng_outputs_file_name(out, "exceptions.csv");
    fmt_table *t = NULL;
    if (!name ||
        fmt_table_open_at(eng_outdir_fd(od), name, cols, X_N, "exceptions", &t, err) != ENG_OK)
        return -1;
    tally files = {eng_vmap_new(), NULL, NULL, 0}, codes = {eng_vmap_new(), NULL, NULL, 0},
          file_code = {eng_vmap_new(), NULL, NULL, 0}, pairs = {eng_vmap_new(), NULL, NULL, 0};
    example *ex = NULL;
    size_t n_ex = 0;
    int rc = files.keys && codes.keys && file_code.keys && pairs.keys ? 0 : -1;
    fmt_buf key;
    fmt_buf_init(&key);
    while (rc == 0) {
        int got = fmt_table_next(t, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (!fmt_table_row_ok(t))
            continue;
        fmt_str src = field(t, X_SOURCE), code = field(t, X_CODE), fld = field(t, X_FIELD);
        key.len = 0;
        fmt_buf_put(&key, code.p, code.len);
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put(&key, fld.p, fld.len);
        if (key.failed || tally_add(&files, src.p, src.len, 1, 1) ||
            tally_add(&codes, code.p, code.len, 1, 1) || tally_add(&pairs, key.p, key.len, 1, 1)) {
            rc = -1;
            break;
        }
        if (eng_vmap_count(pairs.keys) > n_ex) { /* a new pair: this row is its example */
            example *g = realloc(ex, (n_ex + 1) * sizeof *g);
            if (!g) {
                rc = -1;
                break;
            }
            ex = g;
            fmt_str line = field(t, X_LINE), msg = field(t, X_MESSAGE);
            size_t wl = src.len + line.len + 2, ml = msg.len > 300 ? 300 : msg.len;
            ex[n_ex].where = malloc(wl);
            ex[n_ex].message = malloc(ml + 1);
            if (ex[n_ex].where)
                snprintf(ex[n_ex].where, wl, "%.*s:%.*s", (int)src.len, src.p, (int)line.len,
                         line.p);
            if (ex[n_ex].message) {
                memcpy(ex[n_ex].message, msg.p, ml);
                ex[n_ex].message[ml] = '\0';
            }
            n_ex++;
            if (!ex[n_ex - 1].where || !ex[n_ex - 1].message) {
                rc = -1;
                break;
            }
        }
        key.len = 0;
        fmt_buf_put(&key, src.p, src.len);
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put(&key, code.p, code.len);
        if (key.failed || tally_add(&file_code, key.p, key.len, 1, 1)) {
            rc = -1;
            break;
        }
    }
    fmt_table_close(t);
    size_t n_codes = 0, n_files = 0, n_pairs = 0;
    uint32_t *code_rank = rc == 0 ? ranked(&codes, &n_codes) : NULL;
    uint32_t *file_rank = code_rank ? ranked(&files, &n_files) : NULL;
    uint32_t *pair_rank = file_rank ? ranked(&pairs, &n_pairs) : NULL;
    fmt_html_bar *bars = pair_rank ? calloc(n_files ? n_files : 1, sizeof *bars) : NULL;
    if (!bars)
        rc = -1;
    if (rc == 0) {
        /* parts: the most frequent codes, the eighth and later together */
        size_t parts = n_codes < FMT_HTML_SEGMENTS ? n_codes : FMT_HTML_SEGMENTS;
        const char *legend[FMT_HTML_SEGMENTS];
        for (size_t k = 0; k < parts; k++)
            legend[k] = eng_vmap_key(codes.keys, code_rank[k], NULL);
        if (n_codes > FMT_HTML_SEGMENTS)
            legend[FMT_HTML_SEGMENTS - 1] = "other codes";
        size_t shown = n_files < TOP ? n_files : TOP;
        for (size_t i = 0; i < shown; i++) {
            size_t flen;
            const char *file = eng_vmap_key(files.keys, file_rank[i], &flen);
            bars[i].label = file;
            for (size_t k = 0; k < n_codes; k++) {
                size_t clen;
                const char *code = eng_vmap_key(codes.keys, code_rank[k], &clen);
                key.len = 0;
                fmt_buf_put(&key, file, flen);
                fmt_buf_putc(&key, ENG_VMAP_SEP);
                fmt_buf_put(&key, code, clen);
                int64_t id = key.failed ? -1 : eng_vmap_find(file_code.keys, key.p, key.len);
                size_t part = k < FMT_HTML_SEGMENTS ? k : FMT_HTML_SEGMENTS - 1;
                if (id >= 0)
                    bars[i].part[part] += file_code.count[id];
            }
        }
        fmt_html_bars(b, "exceptions by file and code", bars, shown, legend, parts);
        fmt_html_more(b, shown, n_files, "exceptions.csv");
        static const char *const tcols[] = {"code", "field", "rows", "first at", "message"};
        fmt_html_table_head(b, tcols, 5, 0x4);
        size_t rows = n_pairs < TOP ? n_pairs : TOP;
        for (size_t i = 0; i < rows; i++) {
            size_t klen;
            const char *k = eng_vmap_key(pairs.keys, pair_rank[i], &klen);
            const char *sep = memchr(k, ENG_VMAP_SEP, klen);
            size_t code_len = sep ? (size_t)(sep - k) : klen;
            const example *e = &ex[pair_rank[i]];
            fmt_buf_puts(b, "<tr>");
            fmt_html_cell_text(b, k, code_len);
            fmt_html_cell_text(b, sep ? sep + 1 : "", sep ? klen - code_len - 1 : 0);
            fmt_html_cell_u64(b, pairs.count[pair_rank[i]]);
            fmt_html_cell_text(b, e->where, strlen(e->where));
            fmt_html_cell_text(b, e->message, strlen(e->message));
            fmt_buf_puts(b, "</tr>\n");
        }
        fmt_html_table_end(b);
        fmt_html_more(b, rows, n_pairs, "exceptions.csv");
    }
    free(bars);
    free(code_rank);
    free(file_rank);
    free(pair_rank);
    for (size_t i = 0; i < n_ex; i++) {
        free(ex[i].where);
        free(ex[i].message);
    }
    free(ex);
    fmt_buf_release(&key);
    tally_free(&files);
    tally_free(&codes);
    tally_free(&file_code);
    tally_free(&pairs);
    return rc;
}

/* Open units and lines per SKU as backorders.csv holds them (its writers counted them),
 * the most first. */
static const eng_outputs *sort_out;
static const eng_catalog *sort_cat;

static int cmp_backorder(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_out->backorder_units[a] != sort_out->backorder_units[b])
        return sort_out->backorder_units[a] > sort_out->backorder_units[b] ? -1 : 1;
    if (sort_out->backorder_lines[a] != sort_out->backorder_lines[b])
        return sort_out->backorder_lines[a] > sort_out->backorder_lines[b] ? -1 : 1;
    return strcmp(eng_catalog_get(sort_cat, a)->sku, eng_catalog_get(sort_cat, b)->sku);
}

static int backorders(fmt_buf *b, const eng_products *n, const eng_outputs *out)
{
    fmt_buf_puts(b, "<h2>Backorders by SKU</h2>\n");
    const eng_catalog *cat = n->setup->catalog;
    size_t n_products = eng_catalog_count(cat), k = 0;
    uint32_t *ids = malloc((n_products ? n_products : 1) * sizeof *ids);
    if (!ids)
        return -1;
    for (size_t p = 0; p < n_products; p++)
        if (out->backorder_lines[p])
            ids[k++] = (uint32_t)p;
    if (!k) {
        free(ids);
        fmt_html_none(b, "No backorders: every line that could ship shipped.");
        return 0;
    }
    sort_out = out; /* one writer at a time: report.html is written by the run's thread */
    sort_cat = cat;
    qsort(ids, k, sizeof *ids, cmp_backorder);
    size_t shown = k < TOP ? k : TOP;
    fmt_html_bar *bars = calloc(shown, sizeof *bars);
    char(*texts)[48] = calloc(shown, sizeof *texts);
    if (!bars || !texts) {
        free(bars);
        free(texts);
        free(ids);
        return -1;
    }
    for (size_t i = 0; i < shown; i++) {
        bars[i].label = eng_catalog_get(cat, ids[i])->sku;
        bars[i].part[0] = (uint64_t)out->backorder_units[ids[i]];
        int64_t units = out->backorder_units[ids[i]];
        uint64_t lines = out->backorder_lines[ids[i]];
        snprintf(texts[i], sizeof texts[i], "%lld unit%s, %llu line%s", (long long)units,
                 units == 1 ? "" : "s", (unsigned long long)lines, lines == 1 ? "" : "s");
        bars[i].value_text = texts[i];
    }
    fmt_buf_puts(b, "<p>Units still open per SKU (backorders.csv, fed back tomorrow):</p>\n");
    fmt_html_bars(b, "backordered units per SKU", bars, shown, NULL, 1);
    fmt_html_more(b, shown, k, "backorders.csv");
    free(bars);
    free(texts);
    free(ids);
    return 0;
}

static void alerts(fmt_buf *b, const eng_report *report)
{
    fmt_buf_puts(b, "<h2>Stock alerts</h2>\n");
    if (!report->n_alerts) {
        fmt_html_none(b, "No stock alerts.");
        return;
    }
    static const char *const cols[] = {"SKU",        "warehouse", "alert", "on hand",
                                       "reorder at", "demand",    "short", "order"};
    fmt_html_table_head(b, cols, 8, 0xf8);
    size_t shown = report->n_alerts < 2 * TOP ? report->n_alerts : 2 * TOP;
    for (size_t i = 0; i < shown; i++) {
        const eng_alert *a = &report->alerts[i];
        const char *code = eng_code_name(a->code);
        fmt_buf_puts(b, "<tr>");
        fmt_html_cell_text(b, a->sku, strlen(a->sku));
        fmt_html_cell_text(b, a->warehouse, strlen(a->warehouse));
        fmt_html_cell_text(b, code, strlen(code));
        fmt_html_cell_i64(b, a->on_hand);
        fmt_html_cell_i64(b, a->reorder_point);
        fmt_html_cell_i64(b, a->demand);
        fmt_html_cell_i64(b, a->shortfall);
        fmt_html_cell_i64(b, a->suggested);
        fmt_buf_puts(b, "</tr>\n");
    }
    fmt_html_table_end(b);
    fmt_html_more(b, shown, report->n_alerts, "alerts.csv");
}

/* returns_analysis.csv read back: units returned per reason (a chart) and the SKUs with
 * the highest return rate first, as the file ranks them. */
static int returns(fmt_buf *b, const eng_products *n, const eng_outputs *out, eng_outdir *od,
                   eng_err *err)
{
    if (!n->returns && !n->history)
        return 0;
    fmt_buf_puts(b, "<h2>Returns by reason and SKU</h2>\n");
    if (!out->analysis_rows) {
        fmt_html_none(b, "No returns in the window.");
        return 0;
    }
    enum { R_SKU, R_REASON, R_UNITS, R_REFUND, R_CURRENCY, R_SHIPPED, R_RATE, R_N };
    static const fmt_column cols[R_N] = {
        {"sku", 1},      {"reason", 1},        {"units", 1},          {"refund_amount", 1},
        {"currency", 1}, {"shipped_units", 1}, {"return_rate_pct", 1}};
    const char *name = eng_outputs_file_name(out, "returns_analysis.csv");
    fmt_table *t = NULL;
    if (!name || fmt_table_open_at(eng_outdir_fd(od), name, cols, R_N, "returns analysis", &t,
                                   err) != ENG_OK)
        return -1;
    tally reasons = {eng_vmap_new(), NULL, NULL, 0};
    int rc = reasons.keys ? 0 : -1;
    static const char *const tcols[] = {"SKU",      "reason",  "units",
                                        "refunded", "shipped", "returned %"};
    fmt_buf rows;
    fmt_buf_init(&rows);
    uint64_t n_rows = 0;
    while (rc == 0) {
        int got = fmt_table_next(t, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (!fmt_table_row_ok(t))
            continue;
        fmt_str reason = field(t, R_REASON), units = field(t, R_UNITS);
        int64_t u = 0; /* slipway's own file: a whole number, else counted as none */
        if (fmt_int_parse(units.p, units.len, &u) != FMT_NUM_OK)
            u = 0;
        if (tally_add(&reasons, reason.len ? reason.p : "(no reason)", reason.len ? reason.len : 11,
                      1, u) != 0) {
            rc = -1;
            break;
        }
        if (n_rows++ >= TOP)
            continue;
        fmt_str v;
        fmt_buf_puts(&rows, "<tr>");
        v = field(t, R_SKU), fmt_html_cell_text(&rows, v.p, v.len);
        fmt_html_cell_text(&rows, reason.p, reason.len);
        fmt_buf_puts(&rows, "<td class=\"n\">");
        fmt_html_text(&rows, units.p, units.len);
        fmt_buf_puts(&rows, "</td><td class=\"n\">");
        v = field(t, R_REFUND), fmt_html_text(&rows, v.p, v.len);
        fmt_buf_putc(&rows, ' ');
        v = field(t, R_CURRENCY), fmt_html_text(&rows, v.p, v.len);
        fmt_buf_puts(&rows, "</td><td class=\"n\">");
        v = field(t, R_SHIPPED), fmt_html_text(&rows, v.p, v.len);
        fmt_buf_puts(&rows, "</td><td class=\"n\">");
        v = field(t, R_RATE), fmt_html_text(&rows, v.p, v.len);
        fmt_buf_puts(&rows, "</td></tr>\n");
    }
    fmt_table_close(t);
    size_t n_reasons = 0;
    uint32_t *rank = rc == 0 ? ranked(&reasons, &n_reasons) : NULL;
    size_t shown = n_reasons < TOP ? n_reasons : TOP;
    fmt_html_bar *bars = rank ? calloc(shown ? shown : 1, sizeof *bars) : NULL;
    if (!bars || rows.failed)
        rc = -1;
    if (rc == 0) {
        for (size_t i = 0; i < shown; i++) {
            bars[i].label = eng_vmap_key(reasons.keys, rank[i], NULL);
            bars[i].part[0] = (uint64_t)reasons.sum[rank[i]];
        }
        fmt_buf_puts(b, "<p>Units returned per reason:</p>\n");
        fmt_html_bars(b, "units returned per reason", bars, shown, NULL, 1);
        fmt_buf_puts(b, "<p>SKUs by return rate (returns_analysis.csv):</p>\n");
        fmt_html_table_head(b, tcols, 6, 0x3c);
        fmt_buf_put(b, rows.p ? rows.p : "", rows.len);
        fmt_html_table_end(b);
        fmt_html_more(b, TOP, n_rows, "returns_analysis.csv");
    }
    free(bars);
    free(rank);
    fmt_buf_release(&rows);
    tally_free(&reasons);
    return rc;
}

eng_rc eng_page_write(const eng_products *night, const eng_outputs *out, const eng_report *report,
                      const eng_invariant inv[ENG_N_INVARIANTS], eng_outdir *od,
                      eng_output_file *file, eng_err *err)
{
    fmt_buf b;
    fmt_buf_init(&b);
    char date[11];
    fmt_isodate_format(night->setup->run_date, date);
    char title[40];
    snprintf(title, sizeof title, "slipway night %s", date);
    fmt_html_begin(&b, title);
    fmt_buf_puts(&b, "<h1>Night of <span data-k=\"run_date\">");
    fmt_buf_puts(&b, date);
    fmt_buf_puts(&b, "</span></h1>\n<p class=\"sub\">");
    size_t n_files = night->setup->n_order_files;
    fmt_buf_put_u64(&b, n_files);
    fmt_buf_puts(&b, n_files == 1 ? " orders file" : " orders files");
    if (night->returns)
        fmt_buf_puts(&b, ", returns");
    if (night->history)
        fmt_buf_puts(&b, ", with earlier nights as history");
    fmt_buf_puts(&b, "; written by slipway " SLIPWAY_VERSION
                     ". Every figure is in summary.json and the CSV files beside this page "
                     "(manifest.json has their SHA-256).</p>\n");
    eng_rc rc = ENG_OK;
    at_a_glance(&b, night, out, inv);
    if (by_channel_status(&b, out) != 0 || money(&b, out) != 0 || warehouses(&b, night, out) != 0)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory writing report.html");
    if (rc == ENG_OK && exceptions(&b, out, od, err) != 0)
        rc = err->rc != ENG_OK ? err->rc
                               : ENG_FAIL(err, ENG_NOMEM, "out of memory writing report.html");
    if (rc == ENG_OK && backorders(&b, night, out) != 0)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory writing report.html");
    if (rc == ENG_OK)
        alerts(&b, report);
    if (rc == ENG_OK && returns(&b, night, out, od, err) != 0)
        rc = err->rc != ENG_OK ? err->rc
                               : ENG_FAIL(err, ENG_NOMEM, "out of memory writing report.html");
    fmt_html_end(&b);
    if (rc == ENG_OK && b.failed)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory writing report.html");
    if (rc == ENG_OK) {
        snprintf(file->name, sizeof file->name, "report.html");
        rc = eng_outdir_write_file(od, file->name, b.p, b.len, &file->bytes, file->sha256, err);
    }
    fmt_buf_release(&b);
    return rc;
}
