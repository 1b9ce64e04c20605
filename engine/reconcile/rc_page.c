/* report.html of a reconcile folder: what finance looks at first. The figures at a
 * glance (data-k: reconcile_summary.json's paths), orders by status, open items by age
 * and the oldest of them, the payouts (a marketplace's own inconsistency marked), and the
 * fees. Lists are read back from the CSV files just written, so the page shows what they
 * hold; it names no path of this machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/csv.h"
#include "../../formats/html.h"
#include "../../formats/isotime.h"
#include "../../formats/sink.h"
#include "../../formats/table.h"
#include "rc_match.h"

#define TOP 40 /* rows of a list shown */

/* The first TOP rows of the output `name`'s columns cols as a table; a column whose name
 * is in highlight is marked when not 0.00. -1 when the file cannot be read. */
static int csv_table(fmt_buf *b, eng_outdir *od, const char *name, const fmt_column *cols,
                     size_t n_cols, unsigned numeric, int highlight, eng_err *err)
{
    fmt_table *t = NULL;
    if (fmt_table_open_at(eng_outdir_fd(od), name, cols, n_cols, name, &t, err) != ENG_OK)
        return -1;
    const char *heads[16];
    for (size_t k = 0; k < n_cols && k < 16; k++)
        heads[k] = cols[k].name;
    fmt_html_table_head(b, heads, n_cols < 16 ? n_cols : 16, numeric);
    uint64_t rows = 0;
    int rc = 0;
    while (1) {
        int got = fmt_table_next(t, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (!fmt_table_row_ok(t) || rows++ >= TOP)
            continue;
        fmt_buf_puts(b, "<tr>");
        for (size_t k = 0; k < n_cols && k < 16; k++) {
            fmt_str v = fmt_csv_unguard(fmt_table_get(t, k));
            int mark = highlight == (int)k && v.len && !(v.len == 4 && !memcmp(v.p, "0.00", 4));
            fmt_buf_puts(b, mark               ? "<td class=\"n broken\">"
                            : numeric >> k & 1 ? "<td class=\"n\">"
                                               : "<td>");
            fmt_html_text(b, v.p, v.len);
            fmt_buf_puts(b, "</td>");
        }
        fmt_buf_puts(b, "</tr>\n");
    }
    fmt_table_close(t);
    fmt_html_table_end(b);
    fmt_html_more(b, TOP, rows, name);
    if (!rows)
        fmt_html_none(b, "None.");
    return rc;
}

eng_rc eng__rc_page_write(const rc_state *rc, const rc_totals *t, uint64_t inconsistent,
                          eng_outdir *od, rc_input *file, eng_err *err)
{
    fmt_buf b;
    fmt_buf_init(&b);
    char date[11], title[48];
    fmt_isodate_format(rc->args->as_of, date);
    snprintf(title, sizeof title, "slipway reconciliation as of %s", date);
    fmt_html_begin(&b, title);
    fmt_buf_puts(&b, "<h1>Reconciliation as of <span data-k=\"as_of\">");
    fmt_buf_puts(&b, date);
    fmt_buf_puts(&b, "</span></h1>\n<p class=\"sub\">What the marketplaces paid and refunded "
                     "against what slipway shipped and refunded, per channel, order and "
                     "currency. Every figure is in reconcile_summary.json and the CSV files "
                     "beside this page.</p>\n<div class=\"kpis\">\n");
    uint64_t orders = 0;
    for (int s = 0; s < RC_ST_COUNT; s++)
        orders += t->by_status[s];
    fmt_html_kpi(&b, "payout_lines.total", rc->n_lines, "payout lines", 0);
    fmt_html_kpi(&b, "payout_lines.unattributed", t->unattributed, "not an order's", 0);
    fmt_html_kpi(&b, "payout_lines.unclassified", t->unclassified, "unclassified",
                 t->unclassified > 0);
    fmt_html_kpi(&b, "payouts.total", rc->n_payouts, "payouts", 0);
    fmt_html_kpi(&b, "payouts.lines_differ_from_declared", inconsistent,
                 "differ from their declared total", inconsistent > 0);
    fmt_html_kpi(&b, "orders.total", orders, "orders", 0);
    fmt_html_kpi(&b, "orders.MATCHED", t->by_status[RC_ST_MATCHED], "matched", 0);
    fmt_html_kpi(&b, "open_items.total", t->open, "open items", t->open > 0);
    fmt_html_kpi(&b, "exceptions", rc->n_exc, "exceptions", rc->n_exc > 0);
    fmt_buf_puts(&b, "</div>\n<h2>Orders by status</h2>\n");
    fmt_html_bar bars[RC_ST_COUNT];
    size_t n = 0;
    for (int s = 0; s < RC_ST_COUNT; s++) {
        if (!t->by_status[s])
            continue;
        memset(&bars[n], 0, sizeof bars[n]);
        bars[n].label = eng_rc_status_names[s];
        bars[n].part[0] = t->by_status[s];
        n++;
    }
    if (n)
        fmt_html_bars(&b, "orders by status", bars, n, NULL, 1);
    else
        fmt_html_none(&b, "No orders: nothing shipped, was refunded or paid.");
    static const char *const buckets[4] = {"0-30 days", "31-60 days", "61-90 days", "over 90 days"};
    static const char *const bucket_keys[4] = {"open_items.age_0_30", "open_items.age_31_60",
                                               "open_items.age_61_90", "open_items.age_over_90"};
    fmt_buf_puts(&b, "<h2>Open items by age</h2>\n");
    fmt_html_bar ages[4];
    memset(ages, 0, sizeof ages);
    for (int k = 0; k < 4; k++) {
        ages[k].label = buckets[k];
        ages[k].part[0] = t->ageing[k];
    }
    fmt_html_bars(&b, "open items by age", ages, 4, NULL, 1);
    static const char *const age_cols[] = {"age", "open items"};
    fmt_html_table_head(&b, age_cols, 2, 2);
    for (int k = 0; k < 4; k++) {
        fmt_buf_puts(&b, "<tr><td>");
        fmt_buf_puts(&b, buckets[k]);
        fmt_buf_puts(&b, "</td><td class=\"n\" data-k=\"");
        fmt_buf_puts(&b, bucket_keys[k]);
        fmt_buf_puts(&b, "\">");
        fmt_buf_put_u64(&b, t->ageing[k]);
        fmt_buf_puts(&b, "</td></tr>\n");
    }
    fmt_html_table_end(&b);
    int bad = 0;
    static const fmt_column open_cols[] = {{"since", 1},    {"age_days", 1}, {"channel", 1},
                                           {"order_id", 1}, {"currency", 1}, {"status", 1},
                                           {"code", 1},     {"amount", 1},   {"detail", 1}};
    fmt_buf_puts(&b, "<h2>Oldest open items</h2>\n");
    bad |= csv_table(&b, od, "open_items.csv", open_cols, 9, 0x82, -1, err);
    static const fmt_column payout_cols[] = {
        {"layout", 1},       {"channel", 1},  {"payout_id", 1}, {"currency", 1},
        {"deposit_date", 1}, {"declared", 1}, {"lines_sum", 1}, {"difference", 1},
        {"sales", 1},        {"refunds", 1},  {"fees", 1},      {"reserves", 1}};
    fmt_buf_puts(&b, "<h2>Payouts</h2>\n<p>A difference is the marketplace's own: its lines do "
                     "not add up to the total it declares.</p>\n");
    bad |= bad ? 0 : csv_table(&b, od, "payouts.csv", payout_cols, 12, 0xfe0, 7, err);
    static const fmt_column fee_cols[] = {{"channel", 1}, {"currency", 1}, {"fee", 1},
                                          {"amount", 1},  {"sales", 1},    {"share_pct", 1}};
    fmt_buf_puts(&b, "<h2>Fees</h2>\n");
    bad |= bad ? 0 : csv_table(&b, od, "fees.csv", fee_cols, 6, 0x38, -1, err);
    fmt_html_end(&b);
    eng_rc r = ENG_OK;
    if (bad)
        r = err->rc != ENG_OK ? err->rc
                              : ENG_FAIL(err, ENG_NOMEM, "out of memory writing report.html");
    else if (b.failed)
        r = ENG_FAIL(err, ENG_NOMEM, "out of memory writing report.html");
    if (r == ENG_OK)
        r = eng_outdir_write_file(od, "report.html", b.p, b.len, &file->bytes, file->sha256, err);
    fmt_buf_release(&b);
    return r;
}
