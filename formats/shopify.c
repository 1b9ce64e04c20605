/* Shopify's orders export (orders_export.csv): one row per line item, rows of an order
 * consecutive and sharing `Name` (#1001); order-level columns filled on the first row
 * only, which the canonical model's inheritance already handles.
 *
 * Mapping (see README "Marketplace layouts"):
 *   order_id Name, order_time Created at ("2025-05-11 09:55:16 -0400"), sku Lineitem sku,
 *   qty Lineitem quantity, unit_price Lineitem price, currency Currency, customer_id Email,
 *   ship_* Shipping Name/Street/City/Province/Zip/Country, ship_service Shipping Method,
 *   order_total Total, shipping Shipping, tax Taxes (+ Duties), discount Discount Amount,
 *   payment_gateway Payment Method ("Shopify Payments", "PayPal Express Checkout"),
 *   channel "shopify".
 * Totals: Shopify's Total is Subtotal + Shipping + Taxes + Duties, Subtotal being the
 * lines less Discount Amount. Duties have no canonical column, so they count as tax. A
 * shop whose prices include tax (the EU default) states Taxes for information only:
 * Total = Subtotal + Shipping (+ Duties). Such an order is recognised by its own numbers
 * (Taxes above zero and not in Total) and its tax is then Duties alone, so the engine's
 * total rule holds for both kinds of shop.
 * States: Cancelled at set, or Financial Status refunded/voided -> ORDER_CANCELLED;
 * Financial Status pending or expired (the card authorisation lapsed) -> AWAITING_PAYMENT;
 * Fulfillment Status fulfilled -> ALREADY_FULFILLED; a line with Lineitem fulfillment status
 * fulfilled is not shipped again; Lineitem requires shipping false -> the line never ships
 * (NO_SHIPPING_NEEDED when no line needs shipping). Zips lose a leading apostrophe. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "num.h"
#include "table.h"

enum {
    S_NAME,
    S_CREATED,
    S_SKU,
    S_QTY,
    S_PRICE,
    S_CURRENCY,
    S_EMAIL,
    S_SHIP_NAME,
    S_SHIP_STREET,
    S_SHIP_CITY,
    S_SHIP_PROVINCE,
    S_SHIP_ZIP,
    S_SHIP_COUNTRY,
    S_SHIP_METHOD,
    S_TOTAL,
    S_SHIPPING,
    S_TAXES,
    S_DISCOUNT,
    S_FINANCIAL,
    S_FULFILLMENT,
    S_CANCELLED_AT,
    S_REQUIRES_SHIPPING,
    S_LINE_FULFILLMENT,
    S_SUBTOTAL,
    S_DUTIES,
    S_PAYMENT_METHOD,
    S_COUNT
};

static const fmt_column shopify_columns[S_COUNT] = {
    {"Name", 1},
    {"Created at", 1},
    {"Lineitem sku", 1},
    {"Lineitem quantity", 1},
    {"Lineitem price", 1},
    {"Currency", 1},
    {"Email", 0},
    {"Shipping Name", 0},
    {"Shipping Street", 0},
    {"Shipping City", 0},
    {"Shipping Province", 0},
    {"Shipping Zip", 0},
    {"Shipping Country", 0},
    {"Shipping Method", 0},
    {"Total", 0},
    {"Shipping", 0},
    {"Taxes", 0},
    {"Discount Amount", 0},
    {"Financial Status", 0},
    {"Fulfillment Status", 0},
    {"Cancelled at", 0},
    {"Lineitem requires shipping", 0},
    {"Lineitem fulfillment status", 0},
    {"Subtotal", 0},
    {"Duties", 0},
    {"Payment Method", 0},
};

static int shopify_detect(const fmt_layout *l, const fmt_csv_fields *header)
{
    (void)l;
    static const char *const sig[] = {"Name",           "Lineitem sku",     "Lineitem quantity",
                                      "Lineitem price", "Financial Status", "Created at"};
    int n = fmt_layout_count_cols(header, sig, sizeof sig / sizeof *sig);
    return n >= 4 ? n : 0;
}

static eng_rc shopify_bind(const fmt_layout *l, const fmt_csv_fields *header, void **bind,
                           eng_err *err)
{
    int *col = malloc(S_COUNT * sizeof *col);
    if (!col)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = fmt_header_map(header, shopify_columns, S_COUNT, col, l->name, err);
    if (rc != ENG_OK) {
        free(col);
        return rc;
    }
    *bind = col;
    return ENG_OK;
}

static void shopify_unbind(void *bind)
{
    free(bind);
}

static int is(fmt_str v, const char *word)
{
    return fmt_header_name_eq(v, word);
}

/* "2025-05-11 09:55:16 -0400" -> "2025-05-11 09:55:16-0400" (our ISO reader takes a
 * zone right after the seconds). Other text passes unchanged. */
static fmt_str shopify_time(fmt_out *out, fmt_str v)
{
    if (v.len == 25 && v.p[19] == ' ' && (v.p[20] == '+' || v.p[20] == '-')) {
        char buf[24];
        memcpy(buf, v.p, 19);
        memcpy(buf + 19, v.p + 20, 5);
        return fmt_out_text(out, buf, 24);
    }
    return v;
}

/* A plain decimal in ten-thousandths, keeping how many digits it was written with. */
static int amount(fmt_str v, int64_t *x, int *frac)
{
    fmt_dec d;
    if (v.len == 0) {
        *x = 0;
        return 1;
    }
    if (fmt_dec_parse(v.p, v.len, &d) != FMT_NUM_OK || fmt_dec_to_minor(d, 4, x) != FMT_NUM_OK ||
        *x > INT64_MAX / 4)
        return 0; /* (a quarter of the range: the sums below cannot overflow) */
    if (d.frac > *frac)
        *frac = d.frac;
    return 1;
}

/* The canonical tax of a first row: Taxes + Duties, or Duties alone when Total shows the
 * taxes inside the prices (see the header comment). Taxes as written when there is
 * nothing to add or take out, or a value is not a plain decimal (the engine reports it). */
static fmt_str shopify_tax(fmt_out *out, const fmt_str *f)
{
    int64_t sub, ship, tax, duties, total;
    int frac = 0;
    if (!f[S_TAXES].len || !f[S_TOTAL].len || !f[S_SUBTOTAL].len ||
        !amount(f[S_SUBTOTAL], &sub, &frac) || !amount(f[S_SHIPPING], &ship, &frac) ||
        !amount(f[S_TAXES], &tax, &frac) || !amount(f[S_DUTIES], &duties, &frac) ||
        !amount(f[S_TOTAL], &total, &frac))
        return f[S_TAXES];
    int inclusive = tax > 0 && sub + ship + duties == total;
    if (!inclusive && duties == 0)
        return f[S_TAXES];
    int64_t t = (inclusive ? 0 : tax) + duties, scale = 1;
    for (int k = frac; k < 4; k++)
        scale *= 10;
    t /= scale; /* exact: every value had at most frac digits */
    char buf[32];
    int64_t unit = 1;
    for (int k = 0; k < frac; k++)
        unit *= 10;
    int n = frac ? snprintf(buf, sizeof buf, "%lld.%0*lld", (long long)(t / unit), frac,
                            (long long)(t % unit))
                 : snprintf(buf, sizeof buf, "%lld", (long long)t);
    return fmt_out_text(out, buf, (size_t)n);
}

static eng_rc shopify_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                                fmt_out *out)
{
    (void)l;
    const int *col = bind;
    fmt_out_row *r = fmt_out_add(out);
    if (!r)
        return ENG_NOMEM;
    fmt_str f[S_COUNT];
    for (int k = 0; k < S_COUNT; k++)
        f[k] = fmt_layout_field(rec, col[k]);
    r->v[FMT_COL_ORDER_ID] = f[S_NAME];
    r->v[FMT_COL_ORDER_TIME] = shopify_time(out, f[S_CREATED]);
    r->v[FMT_COL_SKU] = f[S_SKU];
    r->v[FMT_COL_QTY] = f[S_QTY];
    r->v[FMT_COL_UNIT_PRICE] = f[S_PRICE];
    r->v[FMT_COL_CURRENCY] = f[S_CURRENCY];
    r->v[FMT_COL_CUSTOMER_ID] = f[S_EMAIL];
    r->v[FMT_COL_SHIP_NAME] = f[S_SHIP_NAME];
    r->v[FMT_COL_SHIP_STREET] = f[S_SHIP_STREET];
    r->v[FMT_COL_SHIP_CITY] = f[S_SHIP_CITY];
    r->v[FMT_COL_SHIP_REGION] = f[S_SHIP_PROVINCE];
    r->v[FMT_COL_SHIP_POSTAL] = fmt_layout_unprotect(f[S_SHIP_ZIP]);
    r->v[FMT_COL_SHIP_COUNTRY] = f[S_SHIP_COUNTRY];
    r->v[FMT_COL_SHIP_SERVICE] = f[S_SHIP_METHOD];
    r->v[FMT_COL_ORDER_TOTAL] = f[S_TOTAL];
    r->v[FMT_COL_SHIPPING] = f[S_SHIPPING];
    r->v[FMT_COL_TAX] = shopify_tax(out, f);
    r->v[FMT_COL_DISCOUNT] = f[S_DISCOUNT];
    r->v[FMT_COL_PAYMENT_GATEWAY] = f[S_PAYMENT_METHOD];
    /* The channel is stated on the first row only, like the other order-level values. */
    if (f[S_CREATED].len)
        r->v[FMT_COL_CHANNEL] = (fmt_str){"shopify", 7};
    if (f[S_CANCELLED_AT].len || is(f[S_FINANCIAL], "refunded") || is(f[S_FINANCIAL], "voided"))
        r->order_state = FMT_STATE_CANCELLED;
    else if (is(f[S_FULFILLMENT], "fulfilled"))
        r->order_state = FMT_STATE_FULFILLED;
    else if (is(f[S_FINANCIAL], "pending") || is(f[S_FINANCIAL], "expired"))
        r->order_state = FMT_STATE_UNPAID;
    if (is(f[S_REQUIRES_SHIPPING], "false"))
        r->line_state = FMT_STATE_NO_SHIPPING;
    else if (is(f[S_LINE_FULFILLMENT], "fulfilled"))
        r->line_state = FMT_STATE_FULFILLED;
    return ENG_OK;
}

/* The column each canonical value is read from (source_column); channel is made up. */
static const int shopify_source[][2] = {
    {FMT_COL_ORDER_ID, S_NAME},
    {FMT_COL_ORDER_TIME, S_CREATED},
    {FMT_COL_SKU, S_SKU},
    {FMT_COL_QTY, S_QTY},
    {FMT_COL_UNIT_PRICE, S_PRICE},
    {FMT_COL_CURRENCY, S_CURRENCY},
    {FMT_COL_CUSTOMER_ID, S_EMAIL},
    {FMT_COL_SHIP_NAME, S_SHIP_NAME},
    {FMT_COL_SHIP_STREET, S_SHIP_STREET},
    {FMT_COL_SHIP_CITY, S_SHIP_CITY},
    {FMT_COL_SHIP_REGION, S_SHIP_PROVINCE},
    {FMT_COL_SHIP_POSTAL, S_SHIP_ZIP},
    {FMT_COL_SHIP_COUNTRY, S_SHIP_COUNTRY},
    {FMT_COL_SHIP_SERVICE, S_SHIP_METHOD},
    {FMT_COL_ORDER_TOTAL, S_TOTAL},
    {FMT_COL_SHIPPING, S_SHIPPING},
    {FMT_COL_DISCOUNT, S_DISCOUNT},
    {FMT_COL_PAYMENT_GATEWAY, S_PAYMENT_METHOD},
};

static int shopify_source_column(const fmt_layout *l, const void *bind, fmt_col c)
{
    (void)l;
    const int *col = bind;
    if (c == FMT_COL_TAX) /* Taxes, plus Duties when the file has them */
        return col[S_DUTIES] < 0 ? fmt_layout_bound(col[S_TAXES]) : -1;
    return fmt_layout_source(shopify_source, sizeof shopify_source / sizeof *shopify_source, col,
                             c);
}

const fmt_layout fmt_layout_shopify = {
    .name = "shopify",
    .dialect = {',', '"', 0},
    .legacy_encoding = "WINDOWS-1252",
    .detect = shopify_detect,
    .bind = shopify_bind,
    .unbind = shopify_unbind,
    .transform = shopify_transform,
    .source_column = shopify_source_column,
};
