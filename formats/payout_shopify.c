/* Shopify Payments' payout transactions export (Settings, Payments, View payouts, Export
 * transactions): comma CSV, one row per balance transaction, with the payout it went into.
 *
 *   Transaction Date  "2026-11-26 15:22:34 +0100": the line's date
 *   Type              charge -> sale (Amount) and fee (-Fee); refund -> refund (Amount,
 *                     negative) and, when Fee is not 0, fee or fee_refund; chargeback ->
 *                     chargeback (Amount) and fee (-Fee); chargeback won or reversal ->
 *                     chargeback (a positive Amount: the money back); adjustment ->
 *                     adjustment; reserve -> reserve_held (negative) or reserve_released;
 *                     payout -> payout; any other type -> unclassified (kept, listed)
 *   Order             "#1001", as slipway's Shopify orders name it (Name)
 *   Payout ID         the payout; blank while the transaction is not paid out yet
 *   Amount, Fee, Net  Net = Amount - Fee; Fee is a positive charge (its line's code is
 *                     the Type and "fee": "charge fee", "chargeback fee")
 *   Currency          the payout's currency
 * The export has no total per payout (Shopify's payouts export has it): a payout's lines
 * are its total. Nor a transaction id: identical rows are told apart by their occurrence.
 * The channel is "shopify". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payout.h"
#include "table.h"

enum {
    S_DATE,
    S_TYPE,
    S_ORDER,
    S_PAYOUT,
    S_AMOUNT,
    S_FEE,
    S_NET,
    S_CURRENCY,
    S_PAYOUT_DATE,
    S_COUNT
};

static const fmt_column shopify_columns[S_COUNT] = {
    {"Transaction Date", 1}, {"Type", 1}, {"Order", 1}, {"Payout ID", 1},
    {"Amount", 1},           {"Fee", 1},  {"Net", 0},   {"Currency", 1},
    {"Payout Date", 0},
};

static int shopify_detect(const fmt_payout_layout *layout, const fmt_csv_fields *header)
{
    (void)layout;
    static const char *const sig[] = {"Transaction Date", "Type",   "Order", "Payout Status",
                                      "Payout ID",        "Amount", "Fee",   "Net"};
    return fmt_payout_signature(header, sig, sizeof sig / sizeof *sig, 5);
}

static eng_rc shopify_bind(const fmt_payout_layout *layout, const fmt_csv_fields *header,
                           void **bind, eng_err *err)
{
    (void)layout;
    return fmt_payout_bind_columns(header, shopify_columns, S_COUNT, "shopify-payments", bind, err);
}

static int is(fmt_str v, const char *word)
{
    return fmt_header_name_eq(v, word);
}

static int is_zero(fmt_str amount)
{
    for (size_t i = 0; i < amount.len; i++)
        if (amount.p[i] >= '1' && amount.p[i] <= '9')
            return 0;
    return 1;
}

static fmt_pline *line(fmt_pout *out, fmt_ptype type, const fmt_str *f, const int *col,
                       fmt_str amount, int amount_col, fmt_str date)
{
    fmt_pline *l = fmt_pout_add(out, type);
    if (!l)
        return NULL;
    l->payout_id = f[S_PAYOUT];
    l->order_id = f[S_ORDER];
    l->currency = f[S_CURRENCY];
    l->amount = amount;
    l->date = date;
    l->code = f[S_TYPE];
    l->col[FMT_PL_AMOUNT] = amount_col;
    l->col[FMT_PL_CURRENCY] = col[S_CURRENCY];
    l->col[FMT_PL_DATE] = col[S_DATE];
    return l;
}

static eng_rc shopify_transform(const void *bind, const fmt_csv_fields *rec, fmt_pout *out)
{
    const int *col = bind;
    fmt_str f[S_COUNT];
    int blank = 1;
    for (int k = 0; k < S_COUNT; k++) {
        f[k] = fmt_payout_field(rec, col[k]);
        blank &= f[k].len == 0;
    }
    if (blank) {
        out->skip = 1;
        return ENG_OK;
    }
    fmt_str date = fmt_payout_date(out, f[S_DATE], 0);
    fmt_str amount = fmt_payout_amount(out, f[S_AMOUNT], 0, 0);
    fmt_str fee = fmt_payout_amount(out, f[S_FEE], 0, 1); /* a charge: money out */
    if (!date.p || !amount.p || !fee.p)
        return ENG_NOMEM;
    fmt_str type = f[S_TYPE];
    int negative = amount.len && amount.p[0] == '-';
    fmt_ptype main;
    if (is(type, "charge") || is(type, "sale"))
        main = FMT_PT_SALE;
    else if (is(type, "refund"))
        main = FMT_PT_REFUND;
    else if (is(type, "chargeback") || is(type, "chargeback won") ||
             is(type, "chargeback reversal") || is(type, "dispute"))
        main = FMT_PT_CHARGEBACK;
    else if (is(type, "adjustment"))
        main = FMT_PT_ADJUSTMENT;
    else if (is(type, "reserve") || is(type, "reserved funds"))
        main = negative ? FMT_PT_RESERVE_HELD : FMT_PT_RESERVE_RELEASED;
    else if (is(type, "payout"))
        main = FMT_PT_PAYOUT;
    else
        main = FMT_PT_UNCLASSIFIED;
    if (!line(out, main, f, col, amount, col[S_AMOUNT], date))
        return ENG_NOMEM;
    if (f[S_FEE].len && !is_zero(fee)) {
        int fee_back = fee.len && fee.p[0] != '-'; /* a negative Fee: Shopify gave it back */
        fmt_pline *l =
            line(out, fee_back ? FMT_PT_FEE_REFUND : FMT_PT_FEE, f, col, fee, col[S_FEE], date);
        char code[80];
        int n =
            snprintf(code, sizeof code, "%.*s fee", (int)(type.len > 60 ? 60 : type.len), type.p);
        if (!l || !(l->code = fmt_pout_text(out, code, (size_t)n)).p)
            return ENG_NOMEM;
    }
    return ENG_OK;
}

const fmt_payout_layout fmt_payout_shopify = {
    .name = "shopify-payments",
    .channel = "shopify",
    .dialect = {',', '"', 0},
    .detect = shopify_detect,
    .bind = shopify_bind,
    .unbind = fmt_payout_unbind,
    .transform = shopify_transform,
};
