/* The run's own account of itself. Invariants are recounted from the figures the CSV
 * writers accumulated row by row (slip units per slot, slip amounts per currency, status
 * rows), not from the allocator's bookkeeping, so a writer or allocator bug shows up as
 * a broken invariant instead of being restated as true. */
#include "summary.h"

#include "../book/error_rate.h"

#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/json.h"
#include "../../formats/sink.h"
#include "../allocate/alloc.h"
#include "../intake/history.h"
#include "../allocate/returns.h"

static void set(eng_invariant *inv, const char *name, eng_check state, const char *detail)
{
    inv->name = name;
    inv->state = state;
    snprintf(inv->detail, sizeof inv->detail, "%s", detail);
}

static int64_t max0(int64_t v)
{
    return v > 0 ? v : 0;
}

/* One SKU of one order for invariant 5. */
typedef struct sku_units {
    int32_t product;
    int64_t ordered;
    int64_t tonight;
} sku_units;

static int cmp_sku_units(const void *x, const void *y)
{
    const sku_units *a = x, *b = y;
    return (a->product > b->product) - (a->product < b->product);
}

/* Tonight's units come from the lines' parts (what the writers wrote), history's from its
 * recount of distinct slip rows (eng_hist_line.shipped_rows): a wrong history merge or a
 * wrong outstanding shows here instead of being restated. O(lines log lines) per order. */
uint64_t eng_summary_resend_lines(const eng_products *n)
{
    uint64_t twice = 0;
    sku_units *units = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < n->book->n_orders; i++) {
        const eng_order *o = n->book->orders[i];
        eng_text channel = eng_head_text(o->head, ENG_HT_CHANNEL);
        const eng_hist_order *ho =
            eng_history_order(n->history, channel.p, channel.len, o->id, eng_order_id_len(o));
        if (!n->history || !ho || o->n_lines == 0)
            continue;
        if (o->n_lines > cap) {
            free(units);
            cap = o->n_lines;
            if (!(units = malloc(cap * sizeof *units)))
                return UINT64_MAX;
        }
        size_t m = 0;
        for (uint32_t k = 0; k < o->n_lines; k++) {
            const eng_line *ln = &o->lines[k];
            if (ln->product < 0)
                continue;
            eng_part one;
            const eng_part *parts = eng_alloc_line_parts(ln, &one);
            int64_t shipped = 0;
            for (uint32_t q = 0; q < ln->n_parts; q++)
                shipped += parts[q].qty;
            units[m++] = (sku_units){ln->product, eng_line_ordered(ln), shipped};
        }
        qsort(units, m, sizeof *units, cmp_sku_units);
        for (size_t a = 0; a < m;) {
            size_t b = a;
            int64_t ordered = 0, tonight = 0;
            for (; b < m && units[b].product == units[a].product; b++) {
                ordered += units[b].ordered;
                tonight += units[b].tonight;
            }
            const eng_product *prod =
                eng_catalog_get(n->setup->catalog, (uint32_t)units[a].product);
            const eng_hist_line *hl = eng_history_line(ho, prod->sku, prod->sku_len);
            int64_t before = hl ? hl->shipped_rows : 0;
            twice += tonight > (ordered > before ? ordered - before : 0);
            a = b;
        }
    }
    free(units);
    return twice;
}

int eng_summary_check(const eng_products *n, const eng_slot_totals *t, const eng_outputs *out,
                      eng_invariant inv[ENG_N_INVARIANTS])
{
    char d[240];
    size_t n_slots = eng_inventory_count(n->setup->inventory);

    /* 1. Nothing oversells. */
    size_t oversold = 0, first = 0;
    for (size_t s = 0; s < n_slots; s++) {
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, (uint32_t)s);
        int64_t allowed = max0(sl->on_hand - sl->safety_stock) + t->restocked[s];
        if (out->slip_units[s] > allowed && oversold++ == 0)
            first = s;
    }
    if (oversold) {
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, (uint32_t)first);
        snprintf(d, sizeof d, "%zu slot(s) oversold, first %s in %s: %lld on slips", oversold,
                 sl->sku, eng_inventory_warehouse(n->setup->inventory, sl->wh_rank),
                 (long long)out->slip_units[first]);
    } else {
        snprintf(d, sizeof d, "%zu SKU-warehouse slots checked", n_slots);
    }
    set(&inv[0], "no_oversell", oversold ? ENG_CHECK_BROKEN : ENG_CHECK_HOLDS, d);

    /* 2. Stock arithmetic: tomorrow's on_hand from the counters equals before minus what
     * the slips carry plus restocks. */
    size_t wrong = 0;
    for (size_t s = 0; s < n_slots; s++) {
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, (uint32_t)s);
        if (t->after[s] != sl->on_hand - out->slip_units[s] + t->restocked[s] && wrong++ == 0)
            first = s;
    }
    if (wrong)
        snprintf(d, sizeof d, "%zu slot(s) disagree, first %s", wrong,
                 eng_inventory_slot(n->setup->inventory, (uint32_t)first)->sku);
    else
        snprintf(d, sizeof d, "on_hand_after = on_hand_before - shipped + restocked for %zu slots",
                 n_slots);
    set(&inv[1], "stock_arithmetic", wrong ? ENG_CHECK_BROKEN : ENG_CHECK_HOLDS, d);

    /* 3. Every order has one status row; every row is in an order or named. */
    uint64_t data_rows = 0, rows_in_orders = 0, standalone = 0, unnamed = 0;
    for (size_t f = 0; f < n->setup->n_order_files; f++)
        data_rows += n->batches->files[f].data_rows;
    for (size_t i = 0; i < n->book->n_orders; i++)
        rows_in_orders += n->book->orders[i]->n_rows;
    for (size_t b = 0; b < n->batches->n; b++) {
        standalone += n->batches->items[b]->standalone_rows;
        unnamed += n->batches->items[b]->unnamed_rows;
    }
    uint64_t orders = n->book->n_orders - n->book->n_aside;
    int ok3 =
        out->status_rows == orders && rows_in_orders + standalone == data_rows && unnamed == 0;
    char aside[64] = "";
    if (n->book->n_aside) /* a copy set aside has no status row: its rows are exceptions */
        snprintf(aside, sizeof aside, " (and %llu cop%s set aside)",
                 (unsigned long long)n->book->n_aside, n->book->n_aside == 1 ? "y" : "ies");
    snprintf(d, sizeof d,
             "%llu orders%s, %llu status rows; %llu rows = %llu in orders + %llu named alone",
             (unsigned long long)orders, aside, (unsigned long long)out->status_rows,
             (unsigned long long)data_rows, (unsigned long long)rows_in_orders,
             (unsigned long long)standalone);
    set(&inv[2], "orders_accounted", ok3 ? ENG_CHECK_HOLDS : ENG_CHECK_BROKEN, d);

    /* 4. Amounts reconcile per currency. */
    int bad_cur = -1;
    for (int c = 0; c < fmt_currency_count() && bad_cur < 0; c++)
        if (out->slip_amount[c] != out->status_amount[c])
            bad_cur = c;
    /* Ledger refunds as written against the decisions' refunds. */
    int bad_refund = -1;
    int64_t *approved = calloc((size_t)fmt_currency_count(), sizeof *approved);
    uint64_t n_approved = 0;
    for (size_t i = 0; approved && n->returns && i < n->returns->n; i++) {
        const eng_return *r = &n->returns->items[i];
        if (r->status != ENG_RS_REJECTED) {
            approved[r->currency] += r->refund_minor;
            n_approved++;
        }
    }
    for (int c = 0; approved && c < fmt_currency_count() && bad_refund < 0; c++)
        if (out->ledger_refund[c] != approved[c])
            bad_refund = c;
    if (!approved)
        bad_refund = 0;
    free(approved);
    if (bad_cur >= 0)
        snprintf(d, sizeof d, "slip line amounts and shipped order amounts differ in %s",
                 fmt_currency_code(bad_cur));
    else if (bad_refund >= 0)
        snprintf(d, sizeof d, "ledger refunds and approved refunds differ in %s",
                 fmt_currency_code(bad_refund));
    else
        snprintf(d, sizeof d,
                 "slip line amounts equal SHIPPED and PARTIAL order amounts (exchange lines "
                 "0) and ledger refunds equal approved refunds (%llu) in every currency",
                 (unsigned long long)n_approved);
    set(&inv[3], "amounts_reconcile",
        bad_cur >= 0 || bad_refund >= 0 ? ENG_CHECK_BROKEN : ENG_CHECK_HOLDS, d);

    /* Nothing ships or refunds twice: no line ships more than history left open, no
     * approved return was already in an earlier ledger. */
    if (!n->history) {
        set(&inv[4], "resend_ships_nothing_twice", ENG_CHECK_NOT_RUN,
            "needs --history (earlier nights' slips and ledgers); none given");
    } else {
        uint64_t twice = eng_summary_resend_lines(n);
        if (twice == UINT64_MAX)
            snprintf(d, sizeof d, "could not be checked: out of memory");
        else
            snprintf(d, sizeof d,
                     "%llu lines ship units history already shipped; %llu approved returns "
                     "were already in an earlier ledger",
                     (unsigned long long)twice, (unsigned long long)out->ledger_resent);
        set(&inv[4], "resend_ships_nothing_twice",
            twice || out->ledger_resent ? ENG_CHECK_BROKEN : ENG_CHECK_HOLDS, d);
    }
    set(&inv[5], "manifest_matches", ENG_CHECK_NOT_RUN,
        "manifest.json is written last; `slipway verify DIR` checks it");

    int all = 1;
    for (int i = 0; i < ENG_N_INVARIANTS; i++)
        all &= inv[i].state != ENG_CHECK_BROKEN;
    return all;
}

static void put_amount(fmt_json *j, const char *key, __int128 v, int currency)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_put_minor128(&b, v, fmt_currency_minor_digits(currency));
    fmt_json_strn(j, key, b.p ? b.p : "", b.len);
    fmt_buf_release(&b);
}

eng_rc eng_summary_write(const eng_products *n, const eng_outputs *out, const eng_report *report,
                         const eng_invariant inv[ENG_N_INVARIANTS], eng_outdir *od,
                         eng_output_file *file, eng_err *err)
{
    (void)report; /* the analysis goes to its own file; summary.json keeps counts only */
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    char date[11];
    fmt_isodate_format(n->setup->run_date, date);

    uint64_t data_rows = 0, resent = n->book->n_aside, dup_rows = 0;
    for (size_t f = 0; f < n->setup->n_order_files; f++)
        data_rows += n->batches->files[f].data_rows;
    dup_rows = out->exceptions_by_code[ENG_CODE_DUPLICATE_ROW];

    fmt_json_object_begin(&j, NULL);
    fmt_json_str(&j, "run_date", date);
    fmt_json_array_begin(&j, "inputs");
    for (size_t f = 0; f < n->setup->first_history_file + n->setup->n_history_files; f++) {
        const eng_source *s = &n->setup->sources[f];
        const eng_file_facts *facts = eng_products_facts(n, f);
        uint64_t bad = 0;
        if (f < n->setup->n_order_files)
            bad = eng_error_rate_of_orders(n->batches, f).bad;
        else if (f < n->setup->first_return_file + n->setup->n_return_files)
            bad = eng_returns_error_rate(n->returns, f - n->setup->first_return_file).bad;
        fmt_json_object_begin(&j, NULL);
        fmt_json_str(&j, "path", s->path);
        fmt_json_str(&j, "role", s->role);
        fmt_json_str(&j, "format", facts->format ? facts->format : "");
        if (facts->encoding)
            fmt_json_str(&j, "encoding", facts->encoding);
        if (facts->date_order) /* its dates were a spreadsheet's: verify reads them so */
            fmt_json_str(&j, "date_order", facts->date_order);
        fmt_json_u64(&j, "rows", facts->data_rows);
        fmt_json_u64(&j, "bad_rows", bad);
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);

    fmt_json_object_begin(&j, "orders");
    fmt_json_u64(&j, "read", n->book->n_orders - n->book->n_aside);
    fmt_json_u64(&j, "shipped", out->status_by[ENG_ST_SHIPPED]);
    fmt_json_u64(&j, "partial", out->status_by[ENG_ST_PARTIAL]);
    fmt_json_u64(&j, "backordered", out->status_by[ENG_ST_BACKORDERED]);
    fmt_json_u64(&j, "rejected", out->status_by[ENG_ST_REJECTED]);
    fmt_json_u64(&j, "resent_duplicates", resent);
    /* Orders the marketplace itself settled: not errors, counted apart. */
    fmt_json_object_begin(&j, "marketplace_states");
    for (int st = ENG_ST_STATE + 1; st < ENG_ST_COUNT; st++)
        fmt_json_u64(&j, eng_status_name((eng_status)st), out->status_by[st]);
    fmt_json_object_end(&j);
    fmt_json_object_end(&j);

    fmt_json_object_begin(&j, "lines");
    fmt_json_u64(&j, "read", data_rows);
    fmt_json_u64(&j, "repeated_rows", dup_rows);
    fmt_json_u64(&j, "slip_rows", out->slip_rows);
    fmt_json_u64(&j, "backorder_rows", out->backorder_rows);
    fmt_json_object_end(&j);

    fmt_json_u64(&j, "slips", out->slips);
    fmt_json_u64(&j, "picklist_rows", out->picklist_rows);

    fmt_json_object_begin(&j, "exceptions");
    fmt_json_u64(&j, "total", out->exception_rows);
    fmt_json_object_begin(&j, "by_code");
    for (int c = 1; c < ENG_CODE_COUNT; c++)
        if (out->exceptions_by_code[c])
            fmt_json_u64(&j, eng_code_name((eng_code)c), out->exceptions_by_code[c]);
    fmt_json_object_end(&j);
    fmt_json_object_end(&j);

    fmt_json_object_begin(&j, "returns");
    fmt_json_u64(&j, "read", out->ledger_rows);
    fmt_json_u64(&j, "approved", out->ledger_rows - out->returns_by_status[ENG_RS_REJECTED]);
    for (int st = 0; st < 5; st++)
        fmt_json_u64(&j, eng_return_status_name((eng_return_status)st), out->returns_by_status[st]);
    fmt_json_u64(&j, "analysis_rows", out->analysis_rows);
    fmt_json_object_end(&j);

    fmt_json_object_begin(&j, "alerts");
    fmt_json_u64(&j, "total", out->alert_rows);
    fmt_json_u64(&j, "STOCKOUT", out->alerts_by_code[ENG_CODE_STOCKOUT]);
    fmt_json_u64(&j, "LOW_STOCK", out->alerts_by_code[ENG_CODE_LOW_STOCK]);
    fmt_json_object_end(&j);

    /* Amounts per currency, in decimal text from integer minor units. */
    fmt_json_array_begin(&j, "amounts");
    for (int c = 0; c < fmt_currency_count(); c++) {
        if (!out->currency_seen[c] && out->status_amount[c] == 0 && out->ledger_refund[c] == 0)
            continue;
        fmt_json_object_begin(&j, NULL);
        fmt_json_str(&j, "currency", fmt_currency_code(c));
        put_amount(&j, "shipped", out->status_amount[c], c);
        put_amount(&j, "backordered", out->backordered_amount[c], c);
        put_amount(&j, "rejected", out->rejected_amount[c], c);
        put_amount(&j, "refunded", out->ledger_refund[c], c);
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);
    /* What each channel owes and was refunded: the start of reconciling its payouts. */
    fmt_json_array_begin(&j, "by_channel");
    for (size_t i = 0; i < out->by_channel.n; i++) {
        const eng_channel_sum *e = &out->by_channel.items[i];
        fmt_json_object_begin(&j, NULL);
        fmt_json_strn(&j, "channel", e->channel, e->len);
        fmt_json_str(&j, "currency", fmt_currency_code(e->currency));
        put_amount(&j, "shipped", e->shipped, e->currency);
        put_amount(&j, "refunded", e->refunded, e->currency);
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);

    fmt_json_array_begin(&j, "invariants");
    for (int i = 0; i < ENG_N_INVARIANTS; i++) {
        fmt_json_object_begin(&j, NULL);
        fmt_json_u64(&j, "id", (uint64_t)i + 1);
        fmt_json_str(&j, "name", inv[i].name);
        if (inv[i].state == ENG_CHECK_NOT_RUN)
            fmt_json_null(&j, "holds");
        else
            fmt_json_bool(&j, "holds", inv[i].state == ENG_CHECK_HOLDS);
        fmt_json_str(&j, "detail", inv[i].detail);
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);
    /* Always present, [] when none, so a script can read it without checking. */
    fmt_json_array_begin(&j, "warnings");
    for (size_t i = 0; i < eng_warnings_count(n->setup->warnings); i++)
        fmt_json_str(&j, NULL, eng_warnings_text(n->setup->warnings, i));
    fmt_json_array_end(&j);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);

    eng_rc rc = ENG_OK;
    if (b.failed)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory writing the summary");
    if (rc == ENG_OK) {
        snprintf(file->name, sizeof file->name, "summary.json");
        rc = eng_outdir_write_file(od, file->name, b.p, b.len, &file->bytes, file->sha256, err);
    }
    fmt_buf_release(&b);
    return rc;
}

/* "label EUR 12.50, USD 3.00" for the non-zero currencies, or "label none". */
static void print_amounts(FILE *f, const char *label, const __int128 *per_currency)
{
    fprintf(f, "%s", label);
    const char *sep = " ";
    int any = 0;
    for (int c = 0; c < fmt_currency_count(); c++) {
        if (per_currency[c] == 0)
            continue;
        fmt_buf b;
        fmt_buf_init(&b);
        fmt_buf_put_minor128(&b, per_currency[c], fmt_currency_minor_digits(c));
        fprintf(f, "%s%s %.*s", sep, fmt_currency_code(c), b.p ? (int)b.len : 0, b.p ? b.p : "");
        fmt_buf_release(&b);
        sep = ", ";
        any = 1;
    }
    fprintf(f, "%s\n", any ? "" : " none");
}

/* A channel as the terminal may show it: at most 40 bytes, a control byte as '?', so a
 * file cannot move the cursor or ring the bell; "(none)" when blank. */
static void print_channel(FILE *f, const eng_channel_sum *e)
{
    if (e->len == 0) {
        fprintf(f, "(none)");
        return;
    }
    for (uint32_t i = 0; i < e->len && i < 40; i++) {
        unsigned char c = (unsigned char)e->channel[i];
        fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
    }
}

/* "  by channel     shopify EUR 125.60 (refunded 10.00), ebay USD 3.00": the first few,
 * the rest in summary.json. */
static void print_by_channel(FILE *f, const eng_channel_sums *by)
{
    enum { SHOWN = 8 };
    if (by->n == 0)
        return;
    fprintf(f, "  by channel    ");
    for (size_t i = 0; i < by->n && i < SHOWN; i++) {
        const eng_channel_sum *e = &by->items[i];
        int digits = fmt_currency_minor_digits(e->currency);
        fmt_buf b;
        fmt_buf_init(&b);
        fmt_buf_put_minor128(&b, e->shipped, digits);
        fprintf(f, "%s", i ? ", " : " ");
        print_channel(f, e);
        fprintf(f, " %s %.*s", fmt_currency_code(e->currency), b.p ? (int)b.len : 0,
                b.p ? b.p : "");
        if (e->refunded) {
            b.len = 0;
            fmt_buf_put_minor128(&b, e->refunded, digits);
            fprintf(f, " (refunded %.*s)", b.p ? (int)b.len : 0, b.p ? b.p : "");
        }
        fmt_buf_release(&b);
    }
    if (by->n > SHOWN)
        fprintf(f, ", %zu more in summary.json", by->n - SHOWN);
    fprintf(f, "\n");
}

/* "s" unless there is exactly one: "1 line", "2 lines", "0 lines". */
static const char *plural(uint64_t count)
{
    return count == 1 ? "" : "s";
}

void eng_summary_print(FILE *f, const eng_products *n, const eng_outputs *out,
                       const eng_report *report, const eng_invariant inv[ENG_N_INVARIANTS],
                       const char *dir, double seconds)
{
    char date[11];
    fmt_isodate_format(n->setup->run_date, date);
    uint64_t rows = 0;
    for (size_t i = 0; i < n->setup->n_order_files; i++)
        rows += n->batches->files[i].data_rows;
    if (dir)
        fprintf(f, "slipway run %s -> %s\n", date, dir);
    else
        fprintf(f, "slipway run %s\n", date);
    fprintf(f, "  orders read    %llu (%llu line%s from %zu file%s:",
            (unsigned long long)(n->book->n_orders - n->book->n_aside), (unsigned long long)rows,
            plural(rows), n->setup->n_order_files, plural(n->setup->n_order_files));
    for (size_t i = 0; i < n->setup->n_order_files; i++) {
        const char *enc = n->batches->files[i].encoding;
        fprintf(f, "%s%s", i ? ", " : " ", n->batches->files[i].format);
        if (enc && *enc && strcmp(enc, "UTF-8") != 0)
            fprintf(f, " in %s", enc);
    }
    if (n->book->n_aside)
        fprintf(f, "; %llu cop%s set aside", (unsigned long long)n->book->n_aside,
                n->book->n_aside == 1 ? "y" : "ies");
    fprintf(f, ")\n");
    fprintf(f, "  shipped        %llu   partial %llu   backordered %llu   rejected %llu\n",
            (unsigned long long)out->status_by[ENG_ST_SHIPPED],
            (unsigned long long)out->status_by[ENG_ST_PARTIAL],
            (unsigned long long)out->status_by[ENG_ST_BACKORDERED],
            (unsigned long long)out->status_by[ENG_ST_REJECTED]);
    const char *sep = ":  ";
    uint64_t settled = 0;
    for (int st = ENG_ST_STATE + 1; st < ENG_ST_COUNT; st++)
        settled += out->status_by[st];
    if (settled) {
        fprintf(f, "  marketplace    %llu", (unsigned long long)settled);
        for (int st = ENG_ST_STATE + 1; st < ENG_ST_COUNT; st++)
            if (out->status_by[st]) {
                fprintf(f, "%s%s %llu", sep, eng_status_name((eng_status)st),
                        (unsigned long long)out->status_by[st]);
                sep = ", ";
            }
        fprintf(f, "\n");
    }
    fprintf(f, "  slips          %llu (%llu line%s)\n", (unsigned long long)out->slips,
            (unsigned long long)out->slip_rows, plural(out->slip_rows));
    fprintf(f, "  exceptions     %llu", (unsigned long long)out->exception_rows);
    sep = ":  ";
    for (int c = 1; c < ENG_CODE_COUNT; c++) {
        if (!out->exceptions_by_code[c])
            continue;
        fprintf(f, "%s%s %llu", sep, eng_code_name((eng_code)c),
                (unsigned long long)out->exceptions_by_code[c]);
        sep = ", ";
    }
    fprintf(f, "\n  stock alerts   %llu:  STOCKOUT %llu, LOW_STOCK %llu\n",
            (unsigned long long)out->alert_rows,
            (unsigned long long)out->alerts_by_code[ENG_CODE_STOCKOUT],
            (unsigned long long)out->alerts_by_code[ENG_CODE_LOW_STOCK]);
    print_amounts(f, "  shipped amount", out->status_amount);
    print_by_channel(f, &out->by_channel);
    if (n->returns || n->history) {
        fprintf(f,
                "  returns        %llu:  restocked %llu, closed %llu, exchanges %llu "
                "(backordered %llu), rejected %llu\n",
                (unsigned long long)out->ledger_rows,
                (unsigned long long)out->returns_by_status[ENG_RS_RESTOCKED],
                (unsigned long long)out->returns_by_status[ENG_RS_CLOSED],
                (unsigned long long)(out->returns_by_status[ENG_RS_EXCHANGE_SHIPPED] +
                                     out->returns_by_status[ENG_RS_EXCHANGE_BACKORDERED]),
                (unsigned long long)out->returns_by_status[ENG_RS_EXCHANGE_BACKORDERED],
                (unsigned long long)out->returns_by_status[ENG_RS_REJECTED]);
        print_amounts(f, "  refunded      ", out->ledger_refund);
        char rate[24];
        for (size_t i = 0; i < report->n_analysis && i < 3; i++) {
            const eng_analysis_row *a = &report->analysis[i];
            eng_analysis_rate(a, rate);
            fprintf(f, "  %s %-14.60s %s%% returned (%lld of %lld): \"%.40s\"\n",
                    i ? "              " : "top returns   ",
                    eng_catalog_get(n->setup->catalog, (uint32_t)a->product)->sku,
                    rate[0] ? rate : "-", (long long)a->units, (long long)a->shipped,
                    a->reason[0] ? a->reason : "(no reason)");
        }
    }
    int broken = 0;
    for (int i = 0; i < ENG_N_INVARIANTS; i++)
        broken += inv[i].state == ENG_CHECK_BROKEN;
    fprintf(f, "  invariants     %s\n", broken ? "BROKEN (see summary.json)" : "hold");
    if (seconds < 0)
        return;
    fprintf(f, "  time           %.3f s (%.0f lines/s, %u thread%s)\n", seconds,
            seconds > 0 ? (double)rows / seconds : 0.0, n->setup->threads,
            plural(n->setup->threads));
}

eng_rc eng_summary_text_write(const eng_products *night, const eng_outputs *out,
                              const eng_report *report, const eng_invariant inv[ENG_N_INVARIANTS],
                              eng_outdir *od, eng_output_file *file, eng_err *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing summary.txt");
    eng_summary_print(f, night, out, report, inv, NULL, -1);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(text);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing summary.txt");
    }
    snprintf(file->name, sizeof file->name, "summary.txt");
    eng_rc rc = eng_outdir_write_file(od, file->name, text, len, &file->bytes, file->sha256, err);
    free(text);
    return rc;
}
