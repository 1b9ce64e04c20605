/* libFuzzer harness: payout layouts (issue 16).
 *
 * The input is the start of a payout file. For each payout layout, as rc_payouts.c does:
 * the first of the first 30 records its detect() scores is the header; bind it, then
 * transform the next records. Every line's texts must be set (never NULL) and its type
 * one of the known ones. On the input's first bytes, fmt_payout_amount and
 * fmt_payout_date return either the cell as written or a plain signed decimal, an ISO
 * date: what the engine then checks. The input is also read with a payout mapping, and
 * parsed as a mapping itself: refused or a layout, never a crash. */
#include <string.h>

#include "../../formats/isotime.h"
#include "../../formats/payout.h"
#include "fuzz_util.h"

#define HEADER_WITHIN 30
#define MAX_RECORDS   64

static int plain_decimal(fmt_str v)
{
    size_t i = v.len && v.p[0] == '-';
    int digits = 0, point = 0;
    for (; i < v.len; i++) {
        if (v.p[i] == '.' && !point)
            point = 1;
        else if (v.p[i] >= '0' && v.p[i] <= '9')
            digits++;
        else
            return 0;
    }
    return digits > 0;
}

static void check_line(const fmt_pline *l)
{
    const fmt_str *texts[] = {&l->payout_id, &l->txn_id, &l->order_id, &l->currency,
                              &l->amount,    &l->date,   &l->code};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (!texts[i]->p)
            abort();
    if ((int)l->type < 0 || l->type >= FMT_PT_COUNT)
        abort();
}

static void run_layout(const fmt_payout_layout *l, const uint8_t *data, size_t size, fmt_pout *out)
{
    fmt_csv_fields *h = fmt_csv_fields_new(l->dialect), *f = fmt_csv_fields_new(l->dialect);
    if (!h || !f)
        abort();
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, (const char *)data, size, 1, l->dialect);
    fmt_str rec;
    uint64_t line;
    int found = 0;
    for (int r = 0; r < HEADER_WITHIN && !found && fmt_csv_iter_next(&it, &rec, &line); r++) {
        eng_rc rc = fmt_csv_split(h, rec.p, rec.len);
        if (rc == ENG_NOMEM)
            abort();
        found = rc == ENG_OK && l->detect(l, h) > 0;
    }
    void *bind = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    if (found && l->bind(l, h, &bind, &err) == ENG_OK) {
        for (int k = 0; k < MAX_RECORDS && fmt_csv_iter_next(&it, &rec, &line); k++) {
            eng_rc rc = fmt_csv_split(f, rec.p, rec.len);
            if (rc == ENG_NOMEM)
                abort();
            if (rc != ENG_OK)
                continue;
            fmt_pout_reset(out);
            if (l->transform(bind, f, out) != ENG_OK)
                abort(); /* ENG_NOMEM only */
            for (size_t i = 0; i < out->n; i++)
                check_line(&out->lines[i]);
            if (out->has_declared && (!out->declared.total.p || !out->declared.date.p))
                abort();
        }
        l->unbind(bind);
    }
    fmt_csv_fields_free(h);
    fmt_csv_fields_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fmt_pout out;
    if (fmt_pout_init(&out) != ENG_OK)
        abort();
    size_t n;
    const fmt_payout_layout *const *all = fmt_payout_layout_all(&n);
    for (size_t k = 0; k < n; k++)
        run_layout(all[k], data, size, &out);
    static const char map[] = "order_id = Order\namount = Amount\ntype = Type\n"
                              "fee_column = Fee\nfee_sign = positive\ndate = Date\n"
                              "currency_column = Currency\nsale = Sale, charge\n"
                              "refund = Refund\nignore = Info\ndecimal_comma = yes\n";
    const fmt_payout_layout *mapped = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    if (fmt_payout_map_parse("fuzz.map", map, sizeof map - 1, &mapped, &err) != ENG_OK)
        abort();
    run_layout(mapped, data, size, &out);
    fmt_payout_map_free(mapped);
    mapped = NULL;
    eng_rc parsed = fmt_payout_map_parse("input.map", (const char *)data, size, &mapped, &err);
    if ((parsed == ENG_OK) != (mapped != NULL) || (parsed != ENG_OK && parsed != ENG_REFUSED))
        abort();
    if (mapped)
        run_layout(mapped, data, size, &out);
    fmt_payout_map_free(mapped);
    /* the helpers on the raw bytes: what they rewrite is plain */
    fmt_str v = {(const char *)data, size < 64 ? size : 64};
    for (int dc = 0; dc < 2; dc++) {
        fmt_pout_reset(&out);
        fmt_str a = fmt_payout_amount(&out, v, dc, dc);
        if (!a.p || (a.p != fmt_payout_cell(v).p && !plain_decimal(a)))
            abort();
        fmt_str d = fmt_payout_date(&out, v, dc);
        int32_t day;
        if (!d.p ||
            (d.p != fmt_payout_cell(v).p && (d.len != 10 || fmt_isodate_parse(d.p, 10, &day) != 0)))
            abort();
    }
    fmt_pout_release(&out);
    return 0;
}
