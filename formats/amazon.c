/* Amazon order reports: tab-separated text with no quoting at all (a quote is ordinary
 * text), one row per order item, every row repeating the order's values. Files arrive in
 * UTF-8 or Windows-1252; the engine decodes the latter before detection, so the header
 * and every value reach this layout as UTF-8 ("M\xFCller" reads as "Müller").
 *
 * One layout reads both reports a seller downloads; bind tells them apart by the order
 * id column:
 *   - the seller-fulfilled order report ("Unshipped/New orders", order-id, order-item-id,
 *     recipient-name, ship-address-1..3 ...): orders we ship, with their ship-to;
 *   - the All Orders report (amazon-order-id, merchant-order-id, order-status,
 *     fulfillment-channel, sales-channel, asin, item-status ...): every order with its
 *     state, but NO street and no recipient name.
 *
 * Mapping (see README "Amazon"):
 *   order_id      order-id | amazon-order-id (a spreadsheet's ="..." or ' removed)
 *   order_time    purchase-date, ISO 8601 as Amazon writes it (+01:00 or Z): unchanged
 *   sku           sku
 *   qty           quantity-purchased | quantity
 *   unit_price    item-price, the LINE total (line_total = 1): the engine keeps it as
 *                 the line amount and shows total / qty rounded half up as unit price
 *   currency      currency (else the currency item-price names, if it names one)
 *   channel       "amazon" on every row with a purchase-date
 *   customer_id   buyer-email (seller report)
 *   ship_name     recipient-name (seller report)
 *   ship_street   ship-address-1, -2, -3, the non-blank ones joined by ", " (Amazon.de
 *                 puts a company or c/o in address-1 and the street in address-2, or
 *                 leaves address-1 blank)
 *   ship_city, ship_region, ship_postal, ship_country
 *                 ship-city, ship-state, ship-postal-code (leading ' removed),
 *                 ship-country
 *   ship_service  ship-service-level
 *   item_key      order-item-id; in the All Orders report, which has none, sku "|" asin
 *                 (so two rows of one All Orders order with the same SKU and ASIN are
 *                 taken as the same item, the latest one counting)
 *   updated_ns    last-updated-date (blank, absent or unreadable: the oldest, so the
 *                 later line of the file wins among such rows)
 *
 * Not mapped, on purpose: item-tax, shipping-price, shipping-tax, gift-wrap-*, and
 * *-promotion-discount are amounts per ITEM. The canonical shipping, tax and discount are
 * order-level values that must agree on every row of an order (a blank inherits), so a
 * per-item amount cannot be written there without being read as the whole order's, and
 * a transform sees one record at a time, so it cannot sum them. Amazon states no order
 * total either, so nothing needs them: they stay blank, and the order amount is the sum
 * of item-price (VAT included on the European marketplaces, tax excluded on amazon.com
 * where item-tax comes on top).
 *
 * States (the marketplace's verdict: a status, no exception, nothing shipped):
 *   order-status Cancelled (or Canceled)       -> ORDER_CANCELLED
 *   fulfillment-channel Amazon or AFN           -> FULFILLED_BY_MARKETPLACE, on the line
 *        (line_state: its SKU need not be in our catalog, FBA stock is Amazon's) and
 *        on the order (order_state): Amazon's fulfilment channel is a property of the
 *        whole order (it splits a basket into one order per channel), so the status
 *        says who ships it whether Amazon reports it Pending, Shipping or Shipped
 *   order-status Shipped, InvoiceUnconfirmed    -> ALREADY_FULFILLED
 *   order-status Pending, PendingAvailability   -> AWAITING_PAYMENT (payment not yet
 *        authorised; Amazon may still cancel it)
 *   Unshipped, PartiallyShipped, Shipping...    -> none: the order is ours to ship
 *   item-status Cancelled -> that line ORDER_CANCELLED (not shipped; the rest ships)
 *   item-status Shipped   -> that line ALREADY_FULFILLED (not shipped again)
 * When order-status and fulfilment disagree, cancelled wins, then FBA, then the rest.
 *
 * Quirks:
 *   - A cancelled item (item-status or order-status Cancelled) with quantity 0 is not a
 *     line any more: the row carries only order-level values (head_only), keeping its
 *     item key so that it still replaces the item's older rows. Otherwise its "0" would
 *     be a BAD_QTY that rejects the rest of a partly cancelled order.
 *   - A seller-report row with blank sku, quantity and item-price is a continuation line
 *     (Amazon splits an order over several lines when many promotions apply, "leaving
 *     most of the columns blank"): head_only and no item key, so it replaces nothing.
 *     A row that lacks only some of the three is a line and the engine reports what is
 *     missing.
 *   - Overlapping reports repeat an item with a newer order-status and last-updated-date:
 *     the item key and update time let the latest row win (SUPERSEDED_ROW, informational,
 *     on the others), wherever it stands in the file. A re-export concatenated onto
 *     another repeats rows byte for byte: DUPLICATE_ROW on the repeats.
 *   - Amounts go through fmt_layout_money ("24,90" and "EUR 24.90" read as 24.90); text
 *     it cannot read is passed on unchanged, so the engine reports BAD_NUMBER.
 *
 * The All Orders report cannot ship an order by itself: it has no street and no
 * recipient name, so an order in it that is ours to ship (Merchant fulfilled, no state
 * above) is REJECTED with MISSING_FIELD (ship_name, ship_street) on its first row, unless
 * the same order id was read first from a seller-fulfilled report given in an EARLIER
 * --orders file: that order ships from the seller report, and the All Orders copy, read
 * later, is DUPLICATE_ORDER (the engine never merges rows of one id across files). Given
 * the other way round, the All Orders copy is the one REJECTED (MISSING_FIELD) and the
 * seller report's copy is DUPLICATE_ORDER: nothing ships. So pass the seller-fulfilled
 * report first. An All Orders copy that says Cancelled (or Shipped, Pending...) settles
 * the order whatever the order of the files (orders.c's choose_copy). Orders the All
 * Orders report cancels, marks Shipped or Pending, or that Amazon fulfils need no street
 * and get their status from it alone. The MISSING_FIELD of an open Merchant order counts
 * as one bad row towards max_error_rate: in an All Orders report of 100 rows or more,
 * such orders on more than that share of the rows refuse the run (exit 3). */
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "layout.h"
#include "table.h"

enum {
    A_ORDER_ID,
    A_ITEM_ID,
    A_PURCHASE_DATE,
    A_LAST_UPDATED,
    A_BUYER_EMAIL,
    A_SKU,
    A_ASIN,
    A_QTY,
    A_CURRENCY,
    A_ITEM_PRICE,
    A_SHIP_SERVICE,
    A_RECIPIENT,
    A_ADDRESS_1,
    A_ADDRESS_2,
    A_ADDRESS_3,
    A_CITY,
    A_STATE,
    A_POSTAL,
    A_COUNTRY,
    A_FULFILLMENT,
    A_ORDER_STATUS,
    A_ITEM_STATUS,
    A_COUNT
};

/* The two reports, column for column; a column one report lacks is simply not found. */
typedef enum amazon_report { AMAZON_SELLER, AMAZON_ALL_ORDERS } amazon_report;

static const fmt_column seller_columns[A_COUNT] = {
    {"order-id", 1},
    {"order-item-id", 0},
    {"purchase-date", 1},
    {"last-updated-date", 0},
    {"buyer-email", 0},
    {"sku", 1},
    {"asin", 0},
    {"quantity-purchased", 1},
    {"currency", 1},
    {"item-price", 1},
    {"ship-service-level", 0},
    {"recipient-name", 0},
    {"ship-address-1", 0},
    {"ship-address-2", 0},
    {"ship-address-3", 0},
    {"ship-city", 0},
    {"ship-state", 0},
    {"ship-postal-code", 0},
    {"ship-country", 0},
    {"fulfillment-channel", 0},
    {"order-status", 0},
    {"item-status", 0},
};

static const fmt_column all_orders_columns[A_COUNT] = {
    {"amazon-order-id", 1},
    {"order-item-id", 0},
    {"purchase-date", 1},
    {"last-updated-date", 0},
    {"buyer-email", 0},
    {"sku", 1},
    {"asin", 0},
    {"quantity", 1},
    {"currency", 1},
    {"item-price", 1},
    {"ship-service-level", 0},
    {"recipient-name", 0},
    {"ship-address-1", 0},
    {"ship-address-2", 0},
    {"ship-address-3", 0},
    {"ship-city", 0},
    {"ship-state", 0},
    {"ship-postal-code", 0},
    {"ship-country", 0},
    {"fulfillment-channel", 0},
    {"order-status", 1},
    {"item-status", 0},
};

typedef struct amazon_bind {
    amazon_report report;
    int col[A_COUNT];
} amazon_bind;

static int amazon_detect(const fmt_layout *l, const fmt_csv_fields *header)
{
    (void)l;
    static const char *const seller_sig[] = {
        "order-id",   "order-item-id",  "purchase-date",  "payments-date", "quantity-purchased",
        "item-price", "recipient-name", "ship-address-1", "buyer-email",   "sku"};
    static const char *const all_sig[] = {
        "amazon-order-id", "merchant-order-id",   "purchase-date", "last-updated-date",
        "order-status",    "fulfillment-channel", "sales-channel", "item-status",
        "quantity",        "item-price",          "asin",          "sku"};
    int seller = fmt_layout_count_cols(header, seller_sig, sizeof seller_sig / sizeof *seller_sig);
    int all = fmt_layout_count_cols(header, all_sig, sizeof all_sig / sizeof *all_sig);
    int n = seller > all ? seller : all;
    return n >= 4 ? n : 0;
}

static eng_rc amazon_bind_header(const fmt_layout *l, const fmt_csv_fields *header, void **bind,
                                 eng_err *err)
{
    amazon_bind *b = malloc(sizeof *b);
    if (!b)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    const fmt_column *columns;
    if (fmt_layout_col(header, "amazon-order-id") >= 0) {
        b->report = AMAZON_ALL_ORDERS;
        columns = all_orders_columns;
    } else if (fmt_layout_col(header, "order-id") >= 0) {
        b->report = AMAZON_SELLER;
        columns = seller_columns;
    } else {
        free(b);
        if (err)
            err->field = "order-id";
        return ENG_FAIL(err, ENG_REFUSED,
                        "required column \"order-id\" (seller-fulfilled order report) or "
                        "\"amazon-order-id\" (All Orders report) is missing from the %s header; "
                        "check that this is an Amazon order report",
                        l->name);
    }
    eng_rc rc = fmt_header_map(header, columns, A_COUNT, b->col, l->name, err);
    if (rc != ENG_OK) {
        free(b);
        return rc;
    }
    *bind = b;
    return ENG_OK;
}

static void amazon_unbind(void *bind)
{
    free(bind);
}

static int is(fmt_str v, const char *word)
{
    return fmt_header_name_eq(v, word);
}

static int is_cancelled(fmt_str v)
{
    return is(v, "Cancelled") || is(v, "Canceled");
}

/* "0", "00": a quantity of nothing. */
static int is_zero(fmt_str v)
{
    if (v.len == 0)
        return 0;
    for (size_t i = 0; i < v.len; i++)
        if (v.p[i] != '0')
            return 0;
    return 1;
}

/* The non-blank address lines joined by ", "; a single one is returned as it is. */
static fmt_str amazon_street(fmt_out *out, const fmt_str *part, size_t n)
{
    fmt_str only = {"", 0};
    size_t n_given = 0, len = 0;
    for (size_t i = 0; i < n; i++)
        if (part[i].len) {
            only = part[i];
            n_given++;
            len += part[i].len + 2;
        }
    if (n_given <= 1)
        return only;
    char *buf = eng_arena_alloc(out->mem, len + 1, 1);
    if (!buf)
        return (fmt_str){NULL, 0};
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (!part[i].len)
            continue;
        if (at) {
            memcpy(buf + at, ", ", 2);
            at += 2;
        }
        memcpy(buf + at, part[i].p, part[i].len);
        at += part[i].len;
    }
    buf[at] = '\0';
    return (fmt_str){buf, at};
}

/* The line's key: Amazon's order-item-id, or in the All Orders report "sku|asin". */
static fmt_str amazon_item_key(fmt_out *out, const fmt_str *f)
{
    fmt_str id = fmt_layout_unprotect(f[A_ITEM_ID]);
    if (id.len || (f[A_SKU].len == 0 && f[A_ASIN].len == 0))
        return id;
    size_t len = f[A_SKU].len + 1 + f[A_ASIN].len;
    char *buf = eng_arena_alloc(out->mem, len + 1, 1);
    if (!buf)
        return (fmt_str){NULL, 0};
    memcpy(buf, f[A_SKU].p, f[A_SKU].len);
    buf[f[A_SKU].len] = '|';
    memcpy(buf + f[A_SKU].len + 1, f[A_ASIN].p, f[A_ASIN].len);
    buf[len] = '\0';
    return (fmt_str){buf, len};
}

static eng_rc amazon_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                               fmt_out *out)
{
    (void)l;
    const amazon_bind *b = bind;
    fmt_out_row *r = fmt_out_add(out);
    if (!r)
        return ENG_NOMEM;
    fmt_str f[A_COUNT];
    for (int k = 0; k < A_COUNT; k++)
        f[k] = fmt_layout_field(rec, b->col[k]);

    r->v[FMT_COL_ORDER_ID] = fmt_layout_unprotect(f[A_ORDER_ID]);
    r->v[FMT_COL_ORDER_TIME] = f[A_PURCHASE_DATE];
    r->v[FMT_COL_SKU] = f[A_SKU];
    r->v[FMT_COL_QTY] = f[A_QTY];
    const char *named = "";
    if (fmt_layout_money(out, f[A_ITEM_PRICE], &r->v[FMT_COL_UNIT_PRICE], &named) != 0)
        r->v[FMT_COL_UNIT_PRICE] = f[A_ITEM_PRICE]; /* unreadable: the engine says BAD_NUMBER */
    if (!r->v[FMT_COL_UNIT_PRICE].p)
        return ENG_NOMEM;
    r->line_total = 1;
    r->v[FMT_COL_CURRENCY] = f[A_CURRENCY];
    if (f[A_CURRENCY].len == 0 && *named)
        r->v[FMT_COL_CURRENCY] = (fmt_str){named, strlen(named)};
    if (f[A_PURCHASE_DATE].len)
        r->v[FMT_COL_CHANNEL] = (fmt_str){"amazon", 6};
    r->v[FMT_COL_CUSTOMER_ID] = f[A_BUYER_EMAIL];
    r->v[FMT_COL_SHIP_NAME] = f[A_RECIPIENT];
    r->v[FMT_COL_SHIP_STREET] = amazon_street(out, &f[A_ADDRESS_1], 3);
    if (!r->v[FMT_COL_SHIP_STREET].p)
        return ENG_NOMEM;
    r->v[FMT_COL_SHIP_CITY] = f[A_CITY];
    r->v[FMT_COL_SHIP_REGION] = f[A_STATE];
    r->v[FMT_COL_SHIP_POSTAL] = fmt_layout_unprotect(f[A_POSTAL]);
    r->v[FMT_COL_SHIP_COUNTRY] = f[A_COUNTRY];
    r->v[FMT_COL_SHIP_SERVICE] = f[A_SHIP_SERVICE];

    /* The order's verdict: cancelled beats FBA beats the rest. */
    fmt_str status = f[A_ORDER_STATUS];
    int by_amazon = is(f[A_FULFILLMENT], "Amazon") || is(f[A_FULFILLMENT], "AFN");
    int order_cancelled = is_cancelled(status);
    if (order_cancelled)
        r->order_state = FMT_STATE_CANCELLED;
    else if (by_amazon)
        r->order_state = FMT_STATE_BY_MARKETPLACE;
    else if (is(status, "Shipped") || is(status, "InvoiceUnconfirmed"))
        r->order_state = FMT_STATE_FULFILLED;
    else if (is(status, "Pending") || is(status, "PendingAvailability"))
        r->order_state = FMT_STATE_UNPAID;

    /* The line's own verdict. */
    int item_cancelled = is_cancelled(f[A_ITEM_STATUS]);
    if (by_amazon)
        r->line_state = FMT_STATE_BY_MARKETPLACE;
    else if (item_cancelled)
        r->line_state = FMT_STATE_CANCELLED;
    else if (is(f[A_ITEM_STATUS], "Shipped"))
        r->line_state = FMT_STATE_FULFILLED;

    if (b->report == AMAZON_SELLER && f[A_SKU].len == 0 && f[A_QTY].len == 0 &&
        f[A_ITEM_PRICE].len == 0) {
        /* A continuation line (more promotions than one line holds): no item of its
         * own, and it must not replace the item it continues. */
        r->head_only = 1;
        return ENG_OK;
    }
    if ((item_cancelled || order_cancelled) && is_zero(f[A_QTY]))
        r->head_only = 1; /* nothing of the item is ordered any more */
    r->item_key = amazon_item_key(out, f);
    if (!r->item_key.p)
        return ENG_NOMEM;
    if (r->item_key.len && f[A_LAST_UPDATED].len &&
        fmt_isotime_parse(f[A_LAST_UPDATED].p, f[A_LAST_UPDATED].len, &r->updated_ns) != 0)
        r->updated_ns = 0;
    return ENG_OK;
}

/* The column each canonical value is read from (source_column). Made up or read from
 * several columns: channel, currency (else the one item-price names), ship_street (the
 * address lines, unless the file has only one). */
static const int amazon_source[][2] = {
    {FMT_COL_ORDER_ID, A_ORDER_ID},
    {FMT_COL_ORDER_TIME, A_PURCHASE_DATE},
    {FMT_COL_SKU, A_SKU},
    {FMT_COL_QTY, A_QTY},
    {FMT_COL_UNIT_PRICE, A_ITEM_PRICE},
    {FMT_COL_CUSTOMER_ID, A_BUYER_EMAIL},
    {FMT_COL_SHIP_NAME, A_RECIPIENT},
    {FMT_COL_SHIP_CITY, A_CITY},
    {FMT_COL_SHIP_REGION, A_STATE},
    {FMT_COL_SHIP_POSTAL, A_POSTAL},
    {FMT_COL_SHIP_COUNTRY, A_COUNTRY},
    {FMT_COL_SHIP_SERVICE, A_SHIP_SERVICE},
};

static int amazon_source_column(const fmt_layout *l, const void *bind, fmt_col c)
{
    (void)l;
    const amazon_bind *b = bind;
    if (c == FMT_COL_SHIP_STREET)
        return fmt_layout_one_col(&b->col[A_ADDRESS_1], 3);
    return fmt_layout_source(amazon_source, sizeof amazon_source / sizeof *amazon_source, b->col,
                             c);
}

/* The same report opened in a spreadsheet and saved again as "CSV": commas, quotes where
 * a value needs them (so a quote is no longer ordinary text), the same columns. */
const fmt_layout fmt_layout_amazon_csv = {
    .name = "amazon-csv",
    .dialect = {',', '"', 0},
    .legacy_encoding = "WINDOWS-1252",
    .detect = amazon_detect,
    .bind = amazon_bind_header,
    .unbind = amazon_unbind,
    .transform = amazon_transform,
    .source_column = amazon_source_column,
};

const fmt_layout fmt_layout_amazon = {
    .name = "amazon",
    .dialect = {'\t', -1, 0}, /* no quoting, so no ="..." formulas either */
    .legacy_encoding = "WINDOWS-1252",
    .detect = amazon_detect,
    .bind = amazon_bind_header,
    .unbind = amazon_unbind,
    .transform = amazon_transform,
    .source_column = amazon_source_column,
};
