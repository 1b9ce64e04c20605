/* Stripe's payout reconciliation report, itemized (Dashboard: Reports, Payout
 * reconciliation, "Download" of the itemized balance transactions; what a WooCommerce
 * store using Stripe gets): comma CSV, one row per balance transaction settled in an
 * automatic payout; channel "woocommerce".
 *
 *   automatic_payout_id     the payout (po_...)
 *   balance_transaction_id  the source's transaction id (txn_...)
 *   created_utc, created    "2026-11-27 10:02:11": the date
 *   currency                lower case ("eur"), read upper case
 *   gross, fee, net         in major units ("12.34"); net = gross - fee, a fee positive
 *                           when charged
 *   reporting_category      charge -> sale (gross) and fee (-fee); refund -> refund and
 *                           fee; dispute -> chargeback and fee; dispute_reversal ->
 *                           chargeback (money back); fee, tax (Stripe's tax on its fees)
 *                           -> fee; payout -> payout; risk_reserved_funds,
 *                           connect_reserved_funds -> reserve_held (negative) or
 *                           reserve_released; other_adjustment, charge_failure,
 *                           refund_failure, partial_capture_reversal -> adjustment; any
 *                           other -> unclassified
 *   payment_metadata[order_id]  the order, as the WooCommerce Stripe plugin sets it (the
 *                           order number); without that column, the text after the last
 *                           " - Order " of description ("Shop - Order 5101").
 * Customer name, e-mail and address columns are never read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payout.h"
#include "table.h"

enum {
    T_PAYOUT,
    T_TXN,
    T_CREATED_UTC,
    T_CREATED,
    T_CURRENCY,
    T_GROSS,
    T_FEE,
    T_CATEGORY,
    T_ORDER,
    T_DESCRIPTION,
    T_COUNT
};

static const fmt_column stripe_columns[T_COUNT] = {
    {"automatic_payout_id", 0},
    {"balance_transaction_id", 1},
    {"created_utc", 0},
    {"created", 0},
    {"currency", 1},
    {"gross", 1},
    {"fee", 1},
    {"reporting_category", 1},
    {"payment_metadata[order_id]", 0},
    {"description", 0},
};

static int stripe_detect(const fmt_payout_layout *layout, const fmt_csv_fields *header)
{
    (void)layout;
    static const char *const sig[] = {"automatic_payout_id",
                                      "balance_transaction_id",
                                      "reporting_category",
                                      "gross",
                                      "fee",
                                      "net",
                                      "available_on"};
    return fmt_payout_signature(header, sig, sizeof sig / sizeof *sig, 4);
}

static eng_rc stripe_bind(const fmt_payout_layout *layout, const fmt_csv_fields *header,
                          void **bind, eng_err *err)
{
    (void)layout;
    return fmt_payout_bind_columns(header, stripe_columns, T_COUNT, "stripe", bind, err);
}

static int is(fmt_str v, const char *word)
{
    return fmt_header_name_eq(v, word);
}

static fmt_ptype classify(fmt_str c, int negative)
{
    if (is(c, "charge"))
        return FMT_PT_SALE;
    if (is(c, "refund"))
        return FMT_PT_REFUND;
    if (is(c, "dispute") || is(c, "dispute_reversal"))
        return FMT_PT_CHARGEBACK;
    if (is(c, "fee") || is(c, "tax"))
        return negative ? FMT_PT_FEE : FMT_PT_FEE_REFUND;
    if (is(c, "payout") || is(c, "payout_reversal"))
        return FMT_PT_PAYOUT;
    if (is(c, "risk_reserved_funds") || is(c, "connect_reserved_funds"))
        return negative ? FMT_PT_RESERVE_HELD : FMT_PT_RESERVE_RELEASED;
    if (is(c, "other_adjustment") || is(c, "charge_failure") || is(c, "refund_failure") ||
        is(c, "partial_capture_reversal"))
        return FMT_PT_ADJUSTMENT;
    return FMT_PT_UNCLASSIFIED;
}

/* The order number after the last " - Order " of a charge's description. */
static fmt_str order_in(fmt_str d)
{
    static const char mark[] = " - Order ";
    size_t n = sizeof mark - 1;
    for (size_t i = d.len; i >= n && i > 0; i--)
        if (memcmp(d.p + i - n, mark, n) == 0) {
            /* the number alone: "(Shop - Order 5101)" names 5101, not "5101)" */
            size_t k = i;
            while (k < d.len &&
                   ((d.p[k] >= '0' && d.p[k] <= '9') || (d.p[k] >= 'A' && d.p[k] <= 'Z') ||
                    (d.p[k] >= 'a' && d.p[k] <= 'z') || d.p[k] == '-' || d.p[k] == '_' ||
                    d.p[k] == '#'))
                k++;
            return (fmt_str){d.p + i, k - i};
        }
    return (fmt_str){"", 0};
}

static eng_rc stripe_transform(const void *bind, const fmt_csv_fields *rec, fmt_pout *out)
{
    const int *col = bind;
    fmt_str f[T_COUNT];
    int blank = 1;
    for (int k = 0; k < T_COUNT; k++) {
        f[k] = fmt_payout_field(rec, col[k]);
        blank &= f[k].len == 0;
    }
    if (blank) {
        out->skip = 1;
        return ENG_OK;
    }
    fmt_str gross = fmt_payout_amount(out, f[T_GROSS], 0, 0);
    fmt_str fee = fmt_payout_amount(out, f[T_FEE], 0, 1); /* charged: money out */
    int date_col = f[T_CREATED_UTC].len ? T_CREATED_UTC : T_CREATED;
    fmt_str date = fmt_payout_date(out, f[date_col], 0);
    char cur[8];
    size_t n = f[T_CURRENCY].len < sizeof cur ? f[T_CURRENCY].len : sizeof cur - 1;
    for (size_t i = 0; i < n; i++) {
        char c = f[T_CURRENCY].p[i];
        cur[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
    }
    fmt_str currency = fmt_pout_text(out, cur, n);
    if (!gross.p || !fee.p || !date.p || !currency.p)
        return ENG_NOMEM;
    fmt_str order = f[T_ORDER].len ? f[T_ORDER] : order_in(f[T_DESCRIPTION]);
    int negative = gross.len && gross.p[0] == '-';
    for (int part = 0; part < 2; part++) {
        fmt_str amount = part ? fee : gross;
        int zero = 1;
        for (size_t i = 0; i < amount.len; i++)
            zero &= !(amount.p[i] >= '1' && amount.p[i] <= '9');
        if (part && zero)
            continue;
        fmt_ptype t = part ? (amount.len && amount.p[0] == '-' ? FMT_PT_FEE : FMT_PT_FEE_REFUND)
                           : classify(f[T_CATEGORY], negative);
        fmt_pline *l = fmt_pout_add(out, t);
        if (!l)
            return ENG_NOMEM;
        l->payout_id = f[T_PAYOUT];
        l->txn_id = f[T_TXN];
        l->order_id = order;
        l->currency = currency;
        l->amount = amount;
        l->date = date;
        l->code = f[T_CATEGORY];
        if (part) { /* "charge fee", as Shopify's: a fee, not a sale */
            char code[80];
            int len =
                snprintf(code, sizeof code, "%.*s fee",
                         (int)(f[T_CATEGORY].len > 60 ? 60 : f[T_CATEGORY].len), f[T_CATEGORY].p);
            if (!(l->code = fmt_pout_text(out, code, (size_t)len)).p)
                return ENG_NOMEM;
        }
        l->col[FMT_PL_AMOUNT] = col[part ? T_FEE : T_GROSS];
        l->col[FMT_PL_CURRENCY] = col[T_CURRENCY];
        l->col[FMT_PL_DATE] = col[date_col];
    }
    return ENG_OK;
}

const fmt_payout_layout fmt_payout_stripe = {
    .name = "stripe",
    .channel = "woocommerce",
    .dialect = {',', '"', 0},
    .detect = stripe_detect,
    .bind = stripe_bind,
    .unbind = fmt_payout_unbind,
    .transform = stripe_transform,
};
