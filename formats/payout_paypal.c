/* PayPal's activity download (Reports, Activity download, "Balance affecting", CSV):
 * comma CSV, every field quoted, one row per balance transaction, in the account's
 * language. Two header sets are read:
 *
 *   English  Date, Time, TimeZone, Name, Type, Status, Currency, Gross, Fee, Net, ...,
 *            Transaction ID, ..., Reference Txn ID, Invoice Number, ..., Balance Impact;
 *            numbers "1,234.56", dates MM/DD/YYYY
 *   German   Datum, Uhrzeit, Zeitzone, Name, Typ, Status, Währung, Brutto, Gebühr, Netto,
 *            ..., Transaktionscode, ..., Zugehöriger Transaktionscode, Rechnungsnummer,
 *            ..., Auswirkung auf Guthaben; numbers "1.234,56", dates DD.MM.YYYY
 *
 * Gross and Fee become lines (Net = Gross + Fee; a fee is negative when charged):
 *   payments (Express Checkout Payment, Website Payment, General Payment, Subscription
 *   Payment, Mobile Payment, eBay Auction Payment; PayPal Express-Zahlung, Zahlung,
 *   Handyzahlung, Abonnementzahlung, eBay-Auktionszahlung) -> sale, fee;
 *   Payment Refund, Rückzahlung -> refund, fee_refund; Chargeback, Payment Reversal ->
 *   chargeback; Chargeback Fee -> fee; General Currency Conversion, (Allgemeine)
 *   Währungsumrechnung -> fx; General Withdrawal, Allgemeine Abbuchung, Von Nutzer
 *   eingeleitete Abbuchung -> payout (to the bank); a hold (Hold on ..., Einbehaltung ...)
 *   -> reserve_held, its reversal (Reversal of ..., Rückbuchung ...) -> reserve_released;
 *   Bank Deposit to PP Account, Bankgutschrift -> adjustment; any other -> unclassified.
 * A row whose Balance Impact is Memo (an authorisation: no money moved), or whose Status
 * is not Completed/Abgeschlossen, is no line.
 *
 * PayPal has no payouts of its own: the lines are the account's balance (payout id
 * blank), and a withdrawal is that balance's payout line. The order is the Invoice
 * Number (reconcile takes a policy's prefix off it: WooCommerce's "WC-"); the channel is
 * "woocommerce" unless the policy says otherwise (README, "Reconciliation"). Names,
 * e-mail addresses and postal addresses are never read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payout.h"
#include "table.h"

enum { P_DATE, P_TYPE, P_STATUS, P_CURRENCY, P_GROSS, P_FEE, P_TXN, P_INVOICE, P_IMPACT, P_COUNT };

static const fmt_column english[P_COUNT] = {
    {"Date", 1}, {"Type", 1},           {"Status", 1},         {"Currency", 1},       {"Gross", 1},
    {"Fee", 1},  {"Transaction ID", 1}, {"Invoice Number", 0}, {"Balance Impact", 0},
};

static const fmt_column german[P_COUNT] = {
    {"Datum", 1},
    {"Typ", 1},
    {"Status", 1},
    {"Währung", 1},
    {"Brutto", 1},
    {"Gebühr", 1},
    {"Transaktionscode", 1},
    {"Rechnungsnummer", 0},
    {"Auswirkung auf Guthaben", 0},
};

typedef struct paypal_bind {
    int col[P_COUNT];
    int german; /* decimal commas, dates day first */
} paypal_bind;

static int paypal_detect(const fmt_payout_layout *layout, const fmt_csv_fields *header)
{
    (void)layout;
    static const char *const en[] = {"Date",  "Time", "TimeZone", "Type",          "Status",
                                     "Gross", "Fee",  "Net",      "Transaction ID"};
    static const char *const de[] = {"Datum",  "Uhrzeit", "Zeitzone",
                                     "Typ",    "Status",  "Brutto",
                                     "Gebühr", "Netto",   "Transaktionscode"};
    int a = fmt_payout_signature(header, en, sizeof en / sizeof *en, 6),
        b = fmt_payout_signature(header, de, sizeof de / sizeof *de, 6);
    return a > b ? a : b;
}

static eng_rc paypal_bind_header(const fmt_payout_layout *layout, const fmt_csv_fields *header,
                                 void **bind, eng_err *err)
{
    (void)layout;
    paypal_bind *b = malloc(sizeof *b);
    if (!b)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    static const char *const de_sig[] = {"Datum", "Brutto", "Transaktionscode"};
    b->german = fmt_payout_signature(header, de_sig, 3, 2) > 0;
    eng_rc rc = fmt_header_map(header, b->german ? german : english, P_COUNT, b->col,
                               b->german ? "paypal (German)" : "paypal", err);
    if (rc != ENG_OK) {
        free(b);
        return rc;
    }
    *bind = b;
    return ENG_OK;
}

static int is(fmt_str v, const char *word)
{
    return fmt_header_name_eq(v, word);
}

static int starts(fmt_str v, const char *word)
{
    size_t n = strlen(word);
    return v.len >= n && fmt_header_name_eq((fmt_str){v.p, n}, word);
}

static fmt_ptype classify(fmt_str t, int negative)
{
    if (is(t, "Payment Refund") || is(t, "Rückzahlung"))
        return FMT_PT_REFUND;
    if (is(t, "Chargeback Fee"))
        return FMT_PT_FEE;
    if (is(t, "Chargeback") || is(t, "Payment Reversal") ||
        fmt_payout_has(t, "Rückbuchung einer Zahlung"))
        return FMT_PT_CHARGEBACK;
    if (fmt_payout_has(t, "Currency Conversion") || fmt_payout_has(t, "Währungsumrechnung"))
        return FMT_PT_FX;
    if (fmt_payout_has(t, "Withdrawal") ||
        (fmt_payout_has(t, "Abbuchung") && !fmt_payout_has(t, "Kreditkarte")))
        return FMT_PT_PAYOUT;
    if (starts(t, "Reversal of") || starts(t, "Rückbuchung"))
        return FMT_PT_RESERVE_RELEASED;
    if (fmt_payout_has(t, "Hold") || fmt_payout_has(t, "Einbehaltung"))
        return negative ? FMT_PT_RESERVE_HELD : FMT_PT_RESERVE_RELEASED;
    if (fmt_payout_has(t, "Bank Deposit") || fmt_payout_has(t, "Bankgutschrift"))
        return FMT_PT_ADJUSTMENT;
    if (fmt_payout_has(t, "Payment") || fmt_payout_has(t, "Zahlung"))
        return FMT_PT_SALE;
    return FMT_PT_UNCLASSIFIED;
}

static eng_rc paypal_transform(const void *bind, const fmt_csv_fields *rec, fmt_pout *out)
{
    const paypal_bind *b = bind;
    fmt_str f[P_COUNT];
    int blank = 1;
    for (int k = 0; k < P_COUNT; k++) {
        f[k] = fmt_payout_field(rec, b->col[k]);
        blank &= f[k].len == 0;
    }
    /* no money moved: an authorisation (Memo), or not completed yet */
    if (blank || is(f[P_IMPACT], "Memo") || is(f[P_IMPACT], "Memo-Buchung") ||
        is(f[P_IMPACT], "Hinweis") ||
        (f[P_STATUS].len && !is(f[P_STATUS], "Completed") && !is(f[P_STATUS], "Abgeschlossen"))) {
        out->skip = 1;
        return ENG_OK;
    }
    fmt_str gross = fmt_payout_amount(out, f[P_GROSS], b->german, 0);
    fmt_str fee = fmt_payout_amount(out, f[P_FEE], b->german, 0);
    fmt_str date = fmt_payout_date(out, f[P_DATE], !b->german);
    if (!gross.p || !fee.p || !date.p)
        return ENG_NOMEM;
    int negative = gross.len && gross.p[0] == '-';
    fmt_ptype main = classify(f[P_TYPE], negative);
    for (int part = 0; part < 2; part++) {
        fmt_str amount = part ? fee : gross;
        int zero = 1;
        for (size_t i = 0; i < amount.len; i++)
            zero &= !(amount.p[i] >= '1' && amount.p[i] <= '9');
        if (part && (zero || !f[P_FEE].len))
            continue;
        fmt_ptype t = main;
        if (part)
            t = amount.len && amount.p[0] == '-' ? FMT_PT_FEE : FMT_PT_FEE_REFUND;
        fmt_pline *l = fmt_pout_add(out, t);
        if (!l)
            return ENG_NOMEM;
        l->txn_id = f[P_TXN];
        l->order_id = f[P_INVOICE];
        l->currency = f[P_CURRENCY];
        l->amount = amount;
        l->date = date;
        l->code = f[P_TYPE];
        if (part) { /* "Express Checkout Payment fee": a fee, not a sale */
            char code[96];
            int n = snprintf(code, sizeof code, "%.*s fee",
                             (int)(f[P_TYPE].len > 80 ? 80 : f[P_TYPE].len), f[P_TYPE].p);
            if (!(l->code = fmt_pout_text(out, code, (size_t)n)).p)
                return ENG_NOMEM;
        }
        l->col[FMT_PL_AMOUNT] = b->col[part ? P_FEE : P_GROSS];
        l->col[FMT_PL_CURRENCY] = b->col[P_CURRENCY];
        l->col[FMT_PL_DATE] = b->col[P_DATE];
    }
    return ENG_OK;
}

static void paypal_unbind(void *bind)
{
    free(bind);
}

const fmt_payout_layout fmt_payout_paypal = {
    .name = "paypal",
    .channel = "woocommerce",
    .order_prefix = "WC-",
    .dialect = {',', '"', 0},
    .detect = paypal_detect,
    .bind = paypal_bind_header,
    .unbind = paypal_unbind,
    .transform = paypal_transform,
};
