/* eBay Seller Hub "Orders" report (Reports > Downloads > Orders, a comma CSV with most
 * fields quoted), read into canonical rows.
 *
 * Shape of the file. Line 1 is blank or bare commas, then the header, often a padding row
 * of bare commas, the order rows, and a footer: another row of bare commas,
 * `83 record(s) downloaded, from Sep-03-26 to Sep-04-26` (some reports split it into
 * `83,record(s) downloaded,from ...`) and `Seller ID : outfitters_eu`. The engine finds
 * the header past the leading blank records (ingest.c, first_record); the transform marks
 * every row of bare commas and the two footer lines as not order data (out->skip). Only
 * those: any other row, even one with broken values, goes to the engine, which reports
 * it.
 *
 * A single-item order is one row holding everything. A multi-item order is one SUMMARY
 * row (Item Number, Custom Label and Quantity blank; buyer, ship-to, Shipping And
 * Handling, taxes, Total Price of the whole order) followed by one row per item with the
 * same Order Number, whose buyer and ship-to fields are blank. The summary row becomes a
 * head_only row: order-level values and no line. A row without those three item fields
 * that has a Sold For and no ship-to is not a summary but an item row that lost its item
 * fields: it stays a line, so the engine reports it rather than the order shipping
 * without it.
 *
 * A row "speaks for the order" when it is a summary row or has a ship-to (Ship To Name,
 * Address 1, City or Country): a single-item row, or an item row that repeats the
 * order's values. Only such rows give the order its ship-to, shipping, tax and total,
 * and its state. An item row without a ship-to is one item of a multi-item order: any
 * Shipping And Handling, tax or Total Price written on it can only be that item's share,
 * since the summary states them for the whole order, so it is not taken as the order's
 * (it would otherwise contradict the summary: INCONSISTENT_ORDER).
 *
 * Mapping (marketplace column -> canonical column):
 *   Order Number -> order_id (="..." protection removed); Sale Date -> order_time;
 *   Custom Label -> sku; Quantity -> qty; Sold For (the unit price) -> unit_price;
 *   the currency the amounts name -> currency; "ebay" -> channel (every row);
 *   Buyer Username -> customer_id; Ship To Name -> ship_name; Ship To Address 1 and
 *   Ship To Address 2 -> ship_street ("Address 1, Address 2"); Ship To City -> ship_city;
 *   Ship To State -> ship_region; Ship To Zip -> ship_postal; Ship To Country ->
 *   ship_country; Shipping Service -> ship_service; Shipping And Handling -> shipping;
 *   Seller Collected Tax (+ eBay-collected tax and fees, see below) -> tax;
 *   Total Price -> order_total; Payment Method -> payment_gateway; marketplace_tax y
 *   when eBay Collected Tax is above zero, n when it is zero and Seller Collected Tax
 *   is above zero (blank when neither). The report has no discount column: discount stays
 *   blank. eBay UK's spellings are read too: Post To Name/Address 1/
 *   Address 2/City/County/Postcode/Country, Postage And Packaging, Dispatched On Date,
 *   Delivery Service, Tyre Recycling Fee.
 *   Buyer Address 1/2, City, State, Zip, Country are the buyer's registered address, not
 *   where the parcel goes: never used as the ship-to, so an order without Ship To fields
 *   is reported as having no ship-to rather than sent to the wrong place.
 *
 * Amounts carry their currency in their text: "$43.00" and "US $43.00" (USD),
 * "AU $3,000.00" (AUD), "EUR 90,00" (EUR, decimal comma), "£24.00" (GBP); they are read
 * with fmt_layout_money (an unreadable one passes unchanged: BAD_NUMBER). The row's
 * currency is the one its amounts name. All amounts of an order must name the same
 * currency: when the amounts of one row disagree, the row's currency is the codes joined
 * in order of appearance ("USD/EUR"), which is no ISO code, so the engine rejects the
 * order with CURRENCY_MISMATCH quoting both; when rows disagree, the engine's rule for
 * order-level values gives INCONSISTENT_ORDER naming the other row's line. An order no
 * amount of which names a currency has none (MISSING_FIELD currency).
 *
 * Total Price is checked (order_total). It is items + Shipping And Handling + Seller
 * Collected Tax, plus what eBay collects for the tax authorities (eBay Collected Tax and
 * the per-type fees: recycling fees, Additional Fee, Lumber Fee, Prepaid Wireless Fee,
 * Road Improvement And Food Delivery Fee) when the report's column "eBay Collected Tax
 * and Fees Included in Total" says so. eBay's order API states that collect-and-remit
 * tax is included in the order total (pricingSummary.total, totalDueSeller), so a blank
 * or absent flag counts as included; "No" (n, false, 0) leaves them out. Those amounts
 * together are the canonical tax. "eBay Collected Charges" is counted only when no
 * per-type fee is above zero, since it may be their total (counted twice otherwise).
 *
 * Dates are MON-DD-YY ("Sep-04-26"; MON-DD-YYYY and a trailing " hh:mm:ss" are read
 * too). The report gives no time and no zone: an order's time is the start of its sale
 * day in UTC, which is how the engine reads any plain date, so orders of one day rank by
 * order_id. (eBay writes the day in the site's own time; a date cannot say more.)
 *
 * States. The Seller Hub orders report has no order status, cancellation or refund
 * column (refunds show in eBay's transaction report), so no ORDER_CANCELLED is read and
 * none is made up: a cancelled order still in the file is read like any other, so
 * download the orders awaiting shipment. What the report does say:
 *   Shipped On Date filled on a row that speaks for the order -> ALREADY_FULFILLED (the
 *   order's own state: no exception, nothing ships); on an item row of a multi-item
 *   order -> that item is not shipped again (the order is ALREADY_FULFILLED when every
 *   item is, else the other items ship).
 *   Paid On Date blank on the row that states the Total Price -> AWAITING_PAYMENT: the
 *   buyer has not paid, nothing ships.
 *
 * No item_key: a report lists each line once, and a byte-identical repeat is already
 * DUPLICATE_ROW. */
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "num.h"
#include "table.h"

enum {
    E_ORDER,
    E_SKU,
    E_QTY,
    E_PRICE,
    E_SALE_DATE,
    E_RECORD,
    E_ITEM,
    E_BUYER,
    E_SHIP_NAME,
    E_SHIP_ADDR1,
    E_SHIP_ADDR2,
    E_SHIP_CITY,
    E_SHIP_STATE,
    E_SHIP_ZIP,
    E_SHIP_COUNTRY,
    E_SERVICE,
    E_SHIPPING,
    E_SELLER_TAX,
    E_EBAY_TAX,
    E_FEE_EWASTE, /* the per-type fees eBay collects, E_FEE_EWASTE .. E_FEE_ROAD */
    E_FEE_MATTRESS,
    E_FEE_BATTERY,
    E_FEE_WHITE_GOODS,
    E_FEE_TIRE,
    E_FEE_ADDITIONAL,
    E_FEE_LUMBER,
    E_FEE_WIRELESS,
    E_FEE_ROAD,
    E_CHARGES,
    E_INCLUDED,
    E_TOTAL,
    E_PAID,
    E_SHIPPED,
    E_PAYMENT,
    E_COUNT
};

static const fmt_column ebay_columns[E_COUNT] = {
    {"Order Number", 1},
    {"Custom Label", 1},
    {"Quantity", 1},
    {"Sold For", 1},
    {"Sale Date", 1},
    {"Sales Record Number", 0},
    {"Item Number", 0},
    {"Buyer Username", 0},
    {"Ship To Name", 0},
    {"Ship To Address 1", 0},
    {"Ship To Address 2", 0},
    {"Ship To City", 0},
    {"Ship To State", 0},
    {"Ship To Zip", 0},
    {"Ship To Country", 0},
    {"Shipping Service", 0},
    {"Shipping And Handling", 0},
    {"Seller Collected Tax", 0},
    {"eBay Collected Tax", 0},
    {"Electronic Waste Recycling Fee", 0},
    {"Mattress Recycling Fee", 0},
    {"Battery Recycling Fee", 0},
    {"White Goods Disposal Tax", 0},
    {"Tire Recycling Fee", 0},
    {"Additional Fee", 0},
    {"Lumber Fee", 0},
    {"Prepaid Wireless Fee", 0},
    {"Road Improvement And Food Delivery Fee", 0},
    {"eBay Collected Charges", 0},
    {"eBay Collected Tax and Fees Included in Total", 0},
    {"Total Price", 0},
    {"Paid On Date", 0},
    {"Shipped On Date", 0},
    {"Payment Method", 0},
};

/* eBay UK's names for the same columns, used when the US name is absent. */
static const struct {
    int col;
    const char *name;
} uk_names[] = {
    {E_SHIP_NAME, "Post To Name"},         {E_SHIP_ADDR1, "Post To Address 1"},
    {E_SHIP_ADDR2, "Post To Address 2"},   {E_SHIP_CITY, "Post To City"},
    {E_SHIP_STATE, "Post To County"},      {E_SHIP_ZIP, "Post To Postcode"},
    {E_SHIP_COUNTRY, "Post To Country"},   {E_SERVICE, "Delivery Service"},
    {E_SHIPPING, "Postage And Packaging"}, {E_FEE_TIRE, "Tyre Recycling Fee"},
    {E_SHIPPED, "Dispatched On Date"},
};

#define N_UK (sizeof uk_names / sizeof *uk_names)

/* The amounts that may make up the canonical tax: Seller Collected Tax, eBay Collected
 * Tax, the per-type fees and eBay Collected Charges. */
#define MAX_TAXES (2 + (E_FEE_ROAD - E_FEE_EWASTE + 1) + 1)

static int ebay_detect(const fmt_layout *l, const fmt_csv_fields *header)
{
    (void)l;
    static const char *const sig[] = {"Sales Record Number", "Order Number", "Buyer Username",
                                      "Item Number",         "Custom Label", "Sold For",
                                      "Total Price",         "Sale Date",    "Paid On Date"};
    int n = fmt_layout_count_cols(header, sig, sizeof sig / sizeof *sig);
    return n >= 4 ? n : 0;
}

static eng_rc ebay_bind(const fmt_layout *l, const fmt_csv_fields *header, void **bind,
                        eng_err *err)
{
    int *col = malloc(E_COUNT * sizeof *col);
    if (!col)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = fmt_header_map(header, ebay_columns, E_COUNT, col, l->name, err);
    fmt_column uk[N_UK];
    int uk_col[N_UK];
    for (size_t k = 0; k < N_UK; k++)
        uk[k] = (fmt_column){uk_names[k].name, 0};
    /* The UK names go through the same map, so a UK column given twice is refused too. */
    if (rc == ENG_OK)
        rc = fmt_header_map(header, uk, N_UK, uk_col, l->name, err);
    if (rc != ENG_OK) {
        free(col);
        return rc;
    }
    for (size_t k = 0; k < N_UK; k++)
        if (col[uk_names[k].col] < 0)
            col[uk_names[k].col] = uk_col[k];
    *bind = col;
    return ENG_OK;
}

static void ebay_unbind(void *bind)
{
    free(bind);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
}

/* Whether v starts with word (ASCII case ignored). */
static int starts_with(fmt_str v, const char *word)
{
    size_t n = strlen(word);
    if (v.len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(v.p[i]) != lower(word[i]))
            return 0;
    return 1;
}

/* Whether word occurs in v (ASCII case ignored). */
static int contains(fmt_str v, const char *word)
{
    for (size_t i = 0; i + strlen(word) <= v.len; i++)
        if (starts_with((fmt_str){v.p + i, v.len - i}, word))
            return 1;
    return 0;
}

static int all_digits(fmt_str v)
{
    if (v.len == 0)
        return 0;
    for (size_t i = 0; i < v.len; i++)
        if (v.p[i] < '0' || v.p[i] > '9')
            return 0;
    return 1;
}

/* A row of bare commas, "83 record(s) downloaded, from ... to ..." (or the count in a
 * field of its own), or "Seller ID : name". Footer lines are written from the first
 * field whatever the header's column order, so the fields are read by position. */
static int is_footer(const fmt_csv_fields *rec)
{
    size_t n = fmt_csv_count(rec);
    int blank = 1;
    for (size_t i = 0; i < n && blank; i++)
        blank = fmt_layout_trim(fmt_csv_field(rec, i)).len == 0;
    if (blank)
        return 1;
    fmt_str first = fmt_layout_trim(fmt_layout_field(rec, 0)),
            second = fmt_layout_trim(fmt_layout_field(rec, 1));
    if (contains(first, "record(s) downloaded"))
        return 1;
    if (all_digits(first) && starts_with(second, "record(s) downloaded"))
        return 1;
    if (starts_with(first, "seller id")) {
        fmt_str rest = fmt_layout_trim((fmt_str){first.p + 9, first.len - 9});
        return rest.len && rest.p[0] == ':';
    }
    return 0;
}

/* The distinct currencies a row's amounts name, in order of appearance. */
typedef struct currencies {
    const char *code[4];
    size_t n;
    int more; /* more distinct codes than fit: they are all wrong anyway */
} currencies;

/* An amount as a plain decimal, noting the currency it names; text that is no amount
 * passes unchanged (the engine reports BAD_NUMBER). */
static fmt_str amount(fmt_out *out, fmt_str v, currencies *cur)
{
    fmt_str plain;
    const char *code;
    if (fmt_layout_money(out, v, &plain, &code) != 0)
        return v;
    if (*code) {
        size_t k = 0;
        while (k < cur->n && strcmp(cur->code[k], code) != 0)
            k++;
        if (k == cur->n && k < sizeof cur->code / sizeof *cur->code)
            cur->code[cur->n++] = code;
        else if (k == cur->n)
            cur->more = 1;
    }
    return plain;
}

/* The row's currency: its one code, blank, or the codes joined by "/" when they
 * disagree. */
static fmt_str currency_of(fmt_out *out, const currencies *cur)
{
    if (cur->n == 0)
        return (fmt_str){"", 0};
    if (cur->n == 1)
        return (fmt_str){cur->code[0], strlen(cur->code[0])};
    char buf[64];
    size_t len = 0;
    for (size_t k = 0; k < cur->n; k++) {
        size_t n = strlen(cur->code[k]);
        if (len + n + 6 > sizeof buf)
            break;
        if (k)
            buf[len++] = '/';
        memcpy(buf + len, cur->code[k], n);
        len += n;
    }
    if (cur->more) {
        memcpy(buf + len, "/...", 4);
        len += 4;
    }
    return fmt_out_text(out, buf, len);
}

/* The sum of n amounts (plain decimals) as text in out's arena: blank when all are
 * blank, the one value as written when only one is given, and the first value that is
 * not a plain decimal unchanged, so that the engine names it (BAD_NUMBER on tax). */
static fmt_str sum(fmt_out *out, const fmt_str *v, size_t n)
{
    fmt_str one = {"", 0};
    size_t given = 0;
    int max_frac = 0;
    fmt_dec d[MAX_TAXES];
    for (size_t i = 0; i < n && i < MAX_TAXES; i++) {
        if (v[i].len == 0)
            continue;
        if (fmt_dec_parse(v[i].p, v[i].len, &d[i]) != FMT_NUM_OK)
            return v[i];
        if (d[i].frac > max_frac)
            max_frac = d[i].frac;
        one = v[i];
        given++;
    }
    if (given <= 1)
        return one;
    /* 128 bits: a sum beyond 64 bits is written out, and the engine reports it too large. */
    unsigned __int128 total = 0;
    for (size_t i = 0; i < n && i < MAX_TAXES; i++) {
        if (v[i].len == 0)
            continue;
        unsigned __int128 m = (unsigned __int128)d[i].mant;
        for (int k = d[i].frac; k < max_frac; k++)
            m *= 10;
        total += m;
    }
    char digits[48];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(total % 10));
        total /= 10;
    } while (total || nd <= (size_t)max_frac);
    char buf[50];
    size_t len = 0;
    while (nd) {
        if (nd == (size_t)max_frac)
            buf[len++] = '.';
        buf[len++] = digits[--nd];
    }
    return fmt_out_text(out, buf, len);
}

/* 1 when the eBay-collected amounts are part of Total Price: the flag column says so, is
 * blank, or is absent (see the header comment). */
static int ebay_amounts_in_total(fmt_str flag)
{
    static const char *const no[] = {"no", "n", "false", "0"};
    for (size_t k = 0; k < sizeof no / sizeof *no; k++)
        if (fmt_header_name_eq(flag, no[k]))
            return 0;
    return 1;
}

/* "y" when eBay collected tax, "n" when only the seller did, blank when neither did or
 * an amount is unreadable (BAD_NUMBER names it on tax). */
static fmt_str who_collected(fmt_str ebay_tax, fmt_str seller_tax)
{
    fmt_dec e = {0, 0}, s = {0, 0};
    if ((ebay_tax.len && fmt_dec_parse(ebay_tax.p, ebay_tax.len, &e) != FMT_NUM_OK) ||
        (seller_tax.len && fmt_dec_parse(seller_tax.p, seller_tax.len, &s) != FMT_NUM_OK))
        return (fmt_str){"", 0};
    if (e.mant > 0)
        return (fmt_str){"y", 1};
    return s.mant > 0 ? (fmt_str){"n", 1} : (fmt_str){"", 0};
}

/* Sale Date as ISO 8601: "Sep-04-26" -> "2026-09-04T00:00:00Z". A value that fits no
 * pattern passes unchanged (BAD_DATE). */
static eng_rc sale_date(fmt_out *out, fmt_str v, fmt_str *iso)
{
    static const char *const patterns[] = {"MON-DD-YYYY hh:mm:ss", "MON-DD-YY hh:mm:ss",
                                           "MON-DD-YYYY", "MON-DD-YY"};
    *iso = v;
    for (size_t k = 0; k < sizeof patterns / sizeof *patterns; k++) {
        fmt_str d = fmt_layout_date(out, v, patterns[k], "Z");
        if (!d.p)
            return ENG_NOMEM;
        if (d.p != v.p || d.len != v.len) {
            *iso = d;
            break;
        }
    }
    return ENG_OK;
}

/* "Address 1, Address 2", or whichever is given; {NULL, 0} when out of memory. */
static fmt_str street(fmt_out *out, fmt_str a1, fmt_str a2)
{
    if (a2.len == 0)
        return a1;
    if (a1.len == 0)
        return a2;
    size_t len = a1.len + 2 + a2.len;
    char *buf = eng_arena_alloc(out->mem, len + 1, 1);
    if (!buf)
        return (fmt_str){NULL, 0};
    memcpy(buf, a1.p, a1.len);
    memcpy(buf + a1.len, ", ", 2);
    memcpy(buf + a1.len + 2, a2.p, a2.len);
    buf[len] = '\0';
    return (fmt_str){buf, len};
}

static eng_rc ebay_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                             fmt_out *out)
{
    (void)l;
    const int *col = bind;
    if (is_footer(rec)) {
        out->skip = 1;
        return ENG_OK;
    }
    fmt_out_row *r = fmt_out_add(out);
    if (!r)
        return ENG_NOMEM;
    fmt_str f[E_COUNT];
    for (int k = 0; k < E_COUNT; k++)
        f[k] = fmt_layout_trim(fmt_layout_field(rec, col[k]));

    int ship_to =
        f[E_SHIP_NAME].len || f[E_SHIP_ADDR1].len || f[E_SHIP_CITY].len || f[E_SHIP_COUNTRY].len;
    /* A row with a price but no item fields and no ship-to is an item row that lost its
     * item fields, not a summary: as a line it is reported (MISSING_FIELD) instead of
     * silently dropped from its order. */
    int summary = !f[E_ITEM].len && !f[E_SKU].len && !f[E_QTY].len && (!f[E_PRICE].len || ship_to);
    int whole = summary || ship_to; /* the row speaks for the order */

    currencies cur = {{NULL}, 0, 0};
    fmt_str price = amount(out, f[E_PRICE], &cur);
    fmt_str shipping = amount(out, f[E_SHIPPING], &cur);
    fmt_str total = amount(out, f[E_TOTAL], &cur);
    fmt_str seller_tax = amount(out, f[E_SELLER_TAX], &cur);
    fmt_str ebay_tax = amount(out, f[E_EBAY_TAX], &cur);
    fmt_str fees[E_FEE_ROAD - E_FEE_EWASTE + 1];
    int fee_above_zero = 0;
    for (int k = E_FEE_EWASTE; k <= E_FEE_ROAD; k++) {
        fmt_dec d;
        fees[k - E_FEE_EWASTE] = amount(out, f[k], &cur);
        fmt_str v = fees[k - E_FEE_EWASTE];
        if (v.len && (fmt_dec_parse(v.p, v.len, &d) != FMT_NUM_OK || d.mant > 0))
            fee_above_zero = 1;
    }
    fmt_str charges = amount(out, f[E_CHARGES], &cur);

    r->v[FMT_COL_ORDER_ID] = fmt_layout_unprotect(f[E_ORDER]);
    ENG_TRY(sale_date(out, f[E_SALE_DATE], &r->v[FMT_COL_ORDER_TIME]));
    r->v[FMT_COL_CHANNEL] = (fmt_str){"ebay", 4};
    r->v[FMT_COL_CUSTOMER_ID] = f[E_BUYER];
    r->v[FMT_COL_CURRENCY] = currency_of(out, &cur);
    if (summary) {
        r->head_only = 1; /* a Sold For on a summary row is not a line */
    } else {
        r->v[FMT_COL_SKU] = f[E_SKU];
        r->v[FMT_COL_QTY] = f[E_QTY];
        r->v[FMT_COL_UNIT_PRICE] = price;
    }
    if (whole) {
        r->v[FMT_COL_SHIP_NAME] = f[E_SHIP_NAME];
        r->v[FMT_COL_SHIP_STREET] = street(out, f[E_SHIP_ADDR1], f[E_SHIP_ADDR2]);
        r->v[FMT_COL_SHIP_CITY] = f[E_SHIP_CITY];
        r->v[FMT_COL_SHIP_REGION] = f[E_SHIP_STATE];
        r->v[FMT_COL_SHIP_POSTAL] = fmt_layout_unprotect(f[E_SHIP_ZIP]);
        r->v[FMT_COL_SHIP_COUNTRY] = f[E_SHIP_COUNTRY];
        r->v[FMT_COL_SHIP_SERVICE] = f[E_SERVICE];
        r->v[FMT_COL_SHIPPING] = shipping;
        r->v[FMT_COL_ORDER_TOTAL] = total;
        fmt_str taxes[MAX_TAXES];
        size_t n_taxes = 0;
        taxes[n_taxes++] = seller_tax;
        if (ebay_amounts_in_total(f[E_INCLUDED])) {
            taxes[n_taxes++] = ebay_tax;
            for (int k = E_FEE_EWASTE; k <= E_FEE_ROAD; k++)
                taxes[n_taxes++] = fees[k - E_FEE_EWASTE];
            if (!fee_above_zero)
                taxes[n_taxes++] = charges;
        }
        r->v[FMT_COL_TAX] = sum(out, taxes, n_taxes);
        r->v[FMT_COL_MARKETPLACE_TAX] = who_collected(ebay_tax, seller_tax);
        r->v[FMT_COL_PAYMENT_GATEWAY] = f[E_PAYMENT];
    }
    for (int c = 0; c < FMT_COL_COUNT; c++)
        if (!r->v[c].p)
            return ENG_NOMEM;

    if (f[E_SHIPPED].len) {
        if (whole)
            r->order_state = FMT_STATE_FULFILLED;
        else
            r->line_state = FMT_STATE_FULFILLED; /* this item went out; the others still ship */
    } else if (whole && col[E_PAID] >= 0 && f[E_TOTAL].len && !f[E_PAID].len) {
        r->order_state = FMT_STATE_UNPAID;
    }
    return ENG_OK;
}

/* The column each canonical value is read from (source_column), the US or UK name the
 * header has. Made up or read from several columns: channel, currency (the one the
 * amounts name), ship_street and tax (unless the file has only one of their columns). */
static const int ebay_source[][2] = {
    {FMT_COL_ORDER_ID, E_ORDER},
    {FMT_COL_ORDER_TIME, E_SALE_DATE},
    {FMT_COL_SKU, E_SKU},
    {FMT_COL_QTY, E_QTY},
    {FMT_COL_UNIT_PRICE, E_PRICE},
    {FMT_COL_CUSTOMER_ID, E_BUYER},
    {FMT_COL_SHIP_NAME, E_SHIP_NAME},
    {FMT_COL_SHIP_CITY, E_SHIP_CITY},
    {FMT_COL_SHIP_REGION, E_SHIP_STATE},
    {FMT_COL_SHIP_POSTAL, E_SHIP_ZIP},
    {FMT_COL_SHIP_COUNTRY, E_SHIP_COUNTRY},
    {FMT_COL_SHIP_SERVICE, E_SERVICE},
    {FMT_COL_SHIPPING, E_SHIPPING},
    {FMT_COL_ORDER_TOTAL, E_TOTAL},
    {FMT_COL_PAYMENT_GATEWAY, E_PAYMENT},
};

static int ebay_source_column(const fmt_layout *l, const void *bind, fmt_col c)
{
    (void)l;
    const int *col = bind;
    if (c == FMT_COL_SHIP_STREET)
        return fmt_layout_one_col(&col[E_SHIP_ADDR1], 2);
    if (c == FMT_COL_TAX)
        return fmt_layout_one_col(&col[E_SELLER_TAX], E_CHARGES - E_SELLER_TAX + 1);
    return fmt_layout_source(ebay_source, sizeof ebay_source / sizeof *ebay_source, col, c);
}

const fmt_layout fmt_layout_ebay = {
    .name = "ebay",
    .dialect = {',', '"', 0},
    .legacy_encoding = "WINDOWS-1252",
    .detect = ebay_detect,
    .bind = ebay_bind,
    .unbind = ebay_unbind,
    .transform = ebay_transform,
    .source_column = ebay_source_column,
};
