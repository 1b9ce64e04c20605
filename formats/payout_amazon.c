/* Amazon's settlement report, flat file V2 (Seller Central: Reports, Payments, All
 * Statements, "Flat File V2"): tab-separated text without quoting, one row per amount
 * component of a transaction, and first a summary row of the settlement alone
 * (settlement-id, start and end dates, deposit-date, total-amount, currency) whose
 * total-amount is the deposit: the payout's declared total.
 *
 * Each other row is one signed line; its type is read from transaction-type, amount-type
 * and amount-description (the three joined with '/' are the line's code):
 *   Order    ItemPrice Principal, GiftWrap -> sale; Shipping -> shipping; Tax,
 *            ShippingTax, GiftWrapTax -> tax; Promotion -> promotion; ItemFees -> fee;
 *            ItemWithheldTax (a marketplace facilitator's tax) -> tax_withheld
 *   Refund   ItemPrice and Promotion -> refund; ItemFees -> fee_refund (fee when
 *            negative: RefundCommission); ItemWithheldTax -> tax_withheld
 *   a transaction-type with "Chargeback" -> chargeback (its ItemFees: fee_refund, fee)
 *   ServiceFee, Subscription Fee, FBA storage and other fee descriptions -> fee;
 *   "Cost of Advertising" (amount-type) -> advertising; "FBA Inventory Reimbursement"
 *   (amount-type) -> reimbursement
 *   Previous Reserve Amount Balance -> reserve_released; Current Reserve Amount ->
 *   reserve_held; reimbursements (REVERSAL_REIMBURSEMENT, WAREHOUSE_DAMAGE, ...) ->
 *   reimbursement; anything else -> unclassified (kept, listed).
 * Order ids are Amazon's (303-1234567-1234567), as its order reports name them; the
 * channel is "amazon". Amounts: a plain decimal, or with a decimal comma in the EU
 * marketplaces' files ("-12,34", "1.234,56"), read by whichever mark comes last. Dates:
 * posted-date-time ("2026-11-01 07:00:00 UTC", ISO with an offset, or "01.11.2026
 * 07:00:00 UTC"), else posted-date (MM/DD/YY as Amazon documents it). The
 * report has no transaction id: identical rows of one settlement are told apart by their
 * occurrence (reconcile). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payout.h"
#include "table.h"

enum {
    A_SETTLEMENT,
    A_DEPOSIT_DATE,
    A_TOTAL,
    A_CURRENCY,
    A_TXN_TYPE,
    A_ORDER,
    A_AMOUNT_TYPE,
    A_DESCRIPTION,
    A_AMOUNT,
    A_POSTED,
    A_POSTED_TIME,
    A_START,
    A_COUNT
};

static const fmt_column amazon_columns[A_COUNT] = {
    {"settlement-id", 1}, {"deposit-date", 0},       {"total-amount", 1},
    {"currency", 1},      {"transaction-type", 1},   {"order-id", 1},
    {"amount-type", 1},   {"amount-description", 1}, {"amount", 1},
    {"posted-date", 0},   {"posted-date-time", 0},   {"settlement-start-date", 0},
};

static int amazon_detect(const fmt_payout_layout *layout, const fmt_csv_fields *header)
{
    (void)layout;
    static const char *const sig[] = {"settlement-id", "total-amount",       "transaction-type",
                                      "amount-type",   "amount-description", "posted-date"};
    return fmt_payout_signature(header, sig, sizeof sig / sizeof *sig, 4);
}

static eng_rc amazon_bind(const fmt_payout_layout *layout, const fmt_csv_fields *header,
                          void **bind, eng_err *err)
{
    (void)layout;
    return fmt_payout_bind_columns(header, amazon_columns, A_COUNT, "amazon-settlement", bind, err);
}

static int is(fmt_str v, const char *word)
{
    return fmt_header_name_eq(v, word);
}

/* The line's type from its three describing columns and the sign of its amount. */
static fmt_ptype classify(fmt_str txn, fmt_str type, fmt_str desc, int negative)
{
    if (fmt_payout_has(desc, "Previous Reserve"))
        return FMT_PT_RESERVE_RELEASED;
    if (fmt_payout_has(desc, "Current Reserve"))
        return FMT_PT_RESERVE_HELD;
    if (fmt_payout_has(txn, "Advertising") || fmt_payout_has(type, "Advertising") ||
        fmt_payout_has(desc, "Advertising"))
        return FMT_PT_ADVERTISING;
    if (fmt_payout_has(type, "Reimbursement") || fmt_payout_has(txn, "Reimbursement"))
        return FMT_PT_REIMBURSEMENT;
    if (fmt_payout_has(txn, "Chargeback"))
        return is(type, "ItemFees") ? (negative ? FMT_PT_FEE : FMT_PT_FEE_REFUND)
                                    : FMT_PT_CHARGEBACK;
    if (is(type, "ItemWithheldTax") || fmt_payout_has(desc, "MarketplaceFacilitator"))
        return FMT_PT_TAX_WITHHELD;
    if (is(txn, "Order")) {
        if (is(type, "ItemFees"))
            return FMT_PT_FEE;
        if (is(type, "Promotion"))
            return FMT_PT_PROMOTION;
        if (is(type, "ItemPrice")) {
            if (is(desc, "Principal") || is(desc, "GiftWrap"))
                return FMT_PT_SALE;
            if (is(desc, "Shipping"))
                return FMT_PT_SHIPPING;
            if (fmt_payout_has(desc, "Tax"))
                return FMT_PT_TAX;
        }
        return FMT_PT_UNCLASSIFIED;
    }
    if (is(txn, "Refund")) {
        if (is(type, "ItemFees"))
            return negative ? FMT_PT_FEE : FMT_PT_FEE_REFUND;
        if (is(type, "ItemPrice") || is(type, "Promotion"))
            return FMT_PT_REFUND;
        return FMT_PT_UNCLASSIFIED;
    }
    if (fmt_payout_has(desc, "Reimbursement") || fmt_payout_has(desc, "REIMBURSEMENT") ||
        fmt_payout_has(desc, "WAREHOUSE_DAMAGE") || fmt_payout_has(desc, "WAREHOUSE_LOST") ||
        fmt_payout_has(txn, "Reimbursement"))
        return FMT_PT_REIMBURSEMENT;
    if (fmt_payout_has(txn, "ServiceFee") || fmt_payout_has(txn, "Subscription") ||
        fmt_payout_has(desc, "Fee") || fmt_payout_has(desc, "Subscription"))
        return negative ? FMT_PT_FEE : FMT_PT_FEE_REFUND;
    return FMT_PT_UNCLASSIFIED;
}

/* A decimal comma when a comma is the value's last mark. */
static int comma_last(fmt_str v)
{
    for (size_t i = v.len; i > 0; i--) {
        if (v.p[i - 1] == ',')
            return 1;
        if (v.p[i - 1] == '.')
            return 0;
    }
    return 0;
}

static eng_rc amazon_transform(const void *bind, const fmt_csv_fields *rec, fmt_pout *out)
{
    const int *col = bind;
    fmt_str f[A_COUNT];
    int blank = 1;
    for (int k = 0; k < A_COUNT; k++) {
        f[k] = fmt_payout_field(rec, col[k]);
        blank &= f[k].len == 0;
    }
    if (blank) {
        out->skip = 1;
        return ENG_OK;
    }
    /* posted-date-time first: Amazon documents posted-date as MM/DD/YY, yet files show
     * DD/MM/YY there too, while posted-date-time is always year first. */
    fmt_str date = fmt_payout_date(out, f[A_POSTED_TIME].len ? f[A_POSTED_TIME] : f[A_POSTED], 1);
    if (!date.p)
        return ENG_NOMEM;
    if (f[A_TOTAL].len) { /* the summary row: the settlement as a whole */
        out->has_declared = 1;
        out->declared.payout_id = f[A_SETTLEMENT];
        out->declared.currency = f[A_CURRENCY];
        out->declared.total = fmt_payout_amount(out, f[A_TOTAL], comma_last(f[A_TOTAL]), 0);
        out->declared.date = fmt_payout_date(out, f[A_DEPOSIT_DATE], 0);
        out->declared.col = col[A_TOTAL];
        if (!out->declared.total.p || !out->declared.date.p)
            return ENG_NOMEM;
        if (!f[A_AMOUNT].len)
            return ENG_OK;
    }
    fmt_str amount = fmt_payout_amount(out, f[A_AMOUNT], comma_last(f[A_AMOUNT]), 0);
    if (!amount.p)
        return ENG_NOMEM;
    int negative = amount.len && amount.p[0] == '-';
    fmt_pline *l =
        fmt_pout_add(out, classify(f[A_TXN_TYPE], f[A_AMOUNT_TYPE], f[A_DESCRIPTION], negative));
    if (!l)
        return ENG_NOMEM;
    l->payout_id = f[A_SETTLEMENT];
    l->order_id = f[A_ORDER];
    l->currency = f[A_CURRENCY];
    l->amount = amount;
    l->date = date;
    l->col[FMT_PL_AMOUNT] = col[A_AMOUNT];
    l->col[FMT_PL_CURRENCY] = col[A_CURRENCY];
    l->col[FMT_PL_DATE] = f[A_POSTED_TIME].len ? col[A_POSTED_TIME] : col[A_POSTED];
    char code[200];
    int n =
        snprintf(code, sizeof code, "%.*s/%.*s/%.*s",
                 (int)(f[A_TXN_TYPE].len > 60 ? 60 : f[A_TXN_TYPE].len), f[A_TXN_TYPE].p,
                 (int)(f[A_AMOUNT_TYPE].len > 60 ? 60 : f[A_AMOUNT_TYPE].len), f[A_AMOUNT_TYPE].p,
                 (int)(f[A_DESCRIPTION].len > 60 ? 60 : f[A_DESCRIPTION].len), f[A_DESCRIPTION].p);
    l->code = fmt_pout_text(out, code, (size_t)n);
    return l->code.p ? ENG_OK : ENG_NOMEM;
}

const fmt_payout_layout fmt_payout_amazon = {
    .name = "amazon-settlement",
    .channel = "amazon",
    .dialect = {'\t', -1, 0},
    .detect = amazon_detect,
    .bind = amazon_bind,
    .unbind = fmt_payout_unbind,
    .transform = amazon_transform,
};
