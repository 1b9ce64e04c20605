/* eBay's transaction report (Seller Hub: Payments, Reports, Transaction report): comma
 * CSV, every field quoted, a preamble of report details before the header, "--" for an
 * empty cell. One row per transaction; channel "ebay".
 *
 * The lines of a row add up to its Net amount (in the Payout currency):
 *   Order     Item subtotal -> sale; Shipping and handling -> shipping; Seller collected
 *             tax -> tax; eBay collected tax -> tax and, the same amount, tax_withheld
 *             (the buyer paid it and eBay remits it, so it is in neither Net nor the
 *             seller's pocket); each fee column (Final Value Fee - fixed and - variable,
 *             Regulatory operating fee, Very high "item not as described" fee, Below
 *             standard performance fee, International fee, Deposit processing fee) ->
 *             fee; what is left of Net (a donation, a column the report leaves out) ->
 *             adjustment. Without the item columns (or a blank Item subtotal), Net is the
 *             sale.
 *   Refund    Gross transaction amount -> refund, the rest of Net -> fee_refund (fees
 *             eBay gave back); without Gross, Net.
 *   Payout    Net -> payout (money leaving the eBay balance, negative whatever the sign
 *             written), for the payout the row names: its declared total.
 *   Shipping label, Other fee -> fee; Claim, Payment dispute -> chargeback; Hold,
 *   Reserve -> reserve_held when negative, else reserve_released; Transfer, Credit,
 *   Adjustment -> adjustment; any other type -> unclassified.
 * Order number names the order as eBay's orders report does; Transaction ID is the
 * source's transaction id. Dates: "Nov 27, 2026" (also ISO). Buyer name and address
 * columns are never read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "payout.h"
#include "table.h"

enum {
    E_DATE,
    E_TYPE,
    E_ORDER,
    E_NET,
    E_CURRENCY,
    E_PAYOUT,
    E_TXN,
    E_GROSS,
    E_SUBTOTAL,
    E_SHIPPING,
    E_SELLER_TAX,
    E_EBAY_TAX,
    E_FEE_FIXED, /* E_FEE_FIXED .. E_FEE_DEPOSIT: the fee columns */
    E_FEE_VARIABLE,
    E_FEE_REGULATORY,
    E_FEE_INAD,
    E_FEE_BELOW,
    E_FEE_INTERNATIONAL,
    E_FEE_DEPOSIT,
    E_COUNT
};

static const fmt_column ebay_columns[E_COUNT] = {
    {"Transaction creation date", 1},
    {"Type", 1},
    {"Order number", 1},
    {"Net amount", 1},
    {"Payout currency", 1},
    {"Payout ID", 1},
    {"Transaction ID", 0},
    {"Gross transaction amount", 0},
    {"Item subtotal", 0},
    {"Shipping and handling", 0},
    {"Seller collected tax", 0},
    {"eBay collected tax", 0},
    {"Final Value Fee - fixed", 0},
    {"Final Value Fee - variable", 0},
    {"Regulatory operating fee", 0},
    {"Very high \"item not as described\" fee", 0},
    {"Below standard performance fee", 0},
    {"International fee", 0},
    {"Deposit processing fee", 0},
};

static int ebay_detect(const fmt_payout_layout *layout, const fmt_csv_fields *header)
{
    (void)layout;
    static const char *const sig[] = {"Transaction creation date",
                                      "Type",
                                      "Order number",
                                      "Net amount",
                                      "Payout ID",
                                      "Payout currency",
                                      "Gross transaction amount"};
    return fmt_payout_signature(header, sig, sizeof sig / sizeof *sig, 4);
}

static eng_rc ebay_bind(const fmt_payout_layout *layout, const fmt_csv_fields *header, void **bind,
                        eng_err *err)
{
    (void)layout;
    return fmt_payout_bind_columns(header, ebay_columns, E_COUNT, "ebay-transactions", bind, err);
}

static int is(fmt_str v, const char *word)
{
    return fmt_header_name_eq(v, word);
}

static int negative(fmt_str amount)
{
    return amount.len && amount.p[0] == '-';
}

static int is_zero(fmt_str amount)
{
    for (size_t i = 0; i < amount.len; i++)
        if (amount.p[i] >= '1' && amount.p[i] <= '9')
            return 0;
    return 1;
}

/* a - b (plain decimals with at most 4 digits after the point) as text; {NULL, 0} when
 * either is not one (the caller then leaves the rest out). */
static fmt_str minus(fmt_pout *out, fmt_str a, fmt_str b, int *ok)
{
    int64_t x[2];
    const fmt_str v[2] = {a, b};
    *ok = 1;
    for (int k = 0; k < 2; k++) {
        int neg = v[k].len && v[k].p[0] == '-';
        fmt_dec d;
        if (!v[k].len) {
            x[k] = 0;
        } else if (fmt_dec_parse(v[k].p + neg, v[k].len - (size_t)neg, &d) != FMT_NUM_OK ||
                   fmt_dec_to_minor(d, 4, &x[k]) != FMT_NUM_OK || x[k] > INT64_MAX / 4) {
            *ok = 0;
            return (fmt_str){"", 0};
        } else if (neg) {
            x[k] = -x[k];
        }
    }
    int64_t r = x[0] - x[1];
    char buf[40];
    int64_t m = r < 0 ? -r : r;
    int n = snprintf(buf, sizeof buf, "%s%lld.%04lld", r < 0 ? "-" : "", (long long)(m / 10000),
                     (long long)(m % 10000));
    return fmt_pout_text(out, buf, (size_t)n);
}

static fmt_pline *line(fmt_pout *out, fmt_ptype type, const fmt_str *f, const int *col,
                       fmt_str amount, int amount_col, fmt_str code, fmt_str date)
{
    fmt_pline *l = fmt_pout_add(out, type);
    if (!l)
        return NULL;
    l->payout_id = f[E_PAYOUT];
    l->txn_id = f[E_TXN];
    l->order_id = f[E_ORDER];
    l->currency = f[E_CURRENCY];
    l->amount = amount;
    l->date = date;
    l->code = code;
    l->col[FMT_PL_AMOUNT] = amount_col;
    l->col[FMT_PL_CURRENCY] = col[E_CURRENCY];
    l->col[FMT_PL_DATE] = col[E_DATE];
    return l;
}

static fmt_str column_name(int k)
{
    return (fmt_str){ebay_columns[k].name, strlen(ebay_columns[k].name)};
}

static eng_rc ebay_transform(const void *bind, const fmt_csv_fields *rec, fmt_pout *out)
{
    const int *col = bind;
    fmt_str f[E_COUNT], a[E_COUNT];
    int blank = 1;
    for (int k = 0; k < E_COUNT; k++) {
        f[k] = fmt_payout_field(rec, col[k]);
        blank &= f[k].len == 0;
    }
    if (blank || (!f[E_TYPE].len && !f[E_NET].len)) {
        out->skip = 1; /* a blank line, or report details after the table */
        return ENG_OK;
    }
    for (int k = E_NET; k < E_COUNT; k++) {
        a[k] = k == E_CURRENCY || k == E_PAYOUT || k == E_TXN ? f[k]
                                                              : fmt_payout_amount(out, f[k], 0, 0);
        if (!a[k].p)
            return ENG_NOMEM;
    }
    fmt_str date = fmt_payout_date(out, f[E_DATE], 1);
    if (!date.p)
        return ENG_NOMEM;
    fmt_str type = f[E_TYPE], net = a[E_NET];
    if (is(type, "Order") && col[E_SUBTOTAL] >= 0 && a[E_SUBTOTAL].len) {
        static const struct {
            int k;
            fmt_ptype t;
        } parts[] = {{E_SUBTOTAL, FMT_PT_SALE},      {E_SHIPPING, FMT_PT_SHIPPING},
                     {E_SELLER_TAX, FMT_PT_TAX},     {E_EBAY_TAX, FMT_PT_TAX},
                     {E_FEE_FIXED, FMT_PT_FEE},      {E_FEE_VARIABLE, FMT_PT_FEE},
                     {E_FEE_REGULATORY, FMT_PT_FEE}, {E_FEE_INAD, FMT_PT_FEE},
                     {E_FEE_BELOW, FMT_PT_FEE},      {E_FEE_INTERNATIONAL, FMT_PT_FEE},
                     {E_FEE_DEPOSIT, FMT_PT_FEE}};
        fmt_str rest = net;
        int ok = 1;
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
            int k = parts[i].k;
            if (!a[k].len)
                continue;
            /* a fee written as a positive charge is money out */
            fmt_str v = parts[i].t == FMT_PT_FEE && !negative(a[k])
                            ? fmt_payout_amount(out, f[k], 0, 1)
                            : a[k];
            if (!v.p || !line(out, parts[i].t, f, col, v, col[k], column_name(k), date))
                return ENG_NOMEM;
            if (k != E_EBAY_TAX && ok && !(rest = minus(out, rest, v, &ok)).p)
                return ENG_NOMEM;
            if (k == E_EBAY_TAX) {
                fmt_str w = fmt_payout_amount(out, f[k], 0, 1);
                if (!w.p || !line(out, FMT_PT_TAX_WITHHELD, f, col, w, col[k],
                                  (fmt_str){"eBay collected tax (remitted)", 29}, date))
                    return ENG_NOMEM;
            }
        }
        if (!rest.p)
            return ENG_NOMEM;
        if (ok && !is_zero(rest) &&
            !line(out, FMT_PT_ADJUSTMENT, f, col, rest, col[E_NET],
                  (fmt_str){"Order (rest of Net amount)", 26}, date))
            return ENG_NOMEM;
        return ENG_OK;
    }
    if (is(type, "Refund") && a[E_GROSS].len) {
        int ok;
        fmt_str rest = minus(out, net, a[E_GROSS], &ok);
        if (!line(out, FMT_PT_REFUND, f, col, a[E_GROSS], col[E_GROSS], type, date))
            return ENG_NOMEM;
        if (!rest.p)
            return ENG_NOMEM;
        if (ok && !is_zero(rest) &&
            !line(out, negative(rest) ? FMT_PT_FEE : FMT_PT_FEE_REFUND, f, col, rest, col[E_NET],
                  (fmt_str){"Refund (fees)", 13}, date))
            return ENG_NOMEM;
        return ENG_OK;
    }
    fmt_ptype t;
    fmt_str amount = net;
    if (is(type, "Order"))
        t = FMT_PT_SALE;
    else if (is(type, "Refund"))
        t = FMT_PT_REFUND;
    else if (is(type, "Payout")) {
        t = FMT_PT_PAYOUT;
        if (!negative(net) && net.len)
            amount = fmt_payout_amount(out, f[E_NET], 0, 1);
    } else if (is(type, "Shipping label") || is(type, "Other fee"))
        t = negative(net) ? FMT_PT_FEE : FMT_PT_FEE_REFUND;
    else if (is(type, "Claim") || is(type, "Payment dispute"))
        t = FMT_PT_CHARGEBACK;
    else if (is(type, "Hold") || is(type, "Reserve"))
        t = negative(net) ? FMT_PT_RESERVE_HELD : FMT_PT_RESERVE_RELEASED;
    else if (is(type, "Transfer") || is(type, "Credit") || is(type, "Adjustment"))
        t = FMT_PT_ADJUSTMENT;
    else
        t = FMT_PT_UNCLASSIFIED;
    if (!amount.p || !line(out, t, f, col, amount, col[E_NET], type, date))
        return ENG_NOMEM;
    return ENG_OK;
}

const fmt_payout_layout fmt_payout_ebay = {
    .name = "ebay-transactions",
    .channel = "ebay",
    .dialect = {',', '"', 0},
    .detect = ebay_detect,
    .bind = ebay_bind,
    .unbind = fmt_payout_unbind,
    .transform = ebay_transform,
};
