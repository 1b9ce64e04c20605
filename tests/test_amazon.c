/* Tests of formats/amazon: recognising both Amazon order reports by their header (and
 * not the canonical or Shopify headers), bind's refusals, and the transform of one record
 * for every quirk the layout's header comment lists (line totals, states, item keys and
 * update times, joined address lines, continuation and cancelled rows, amounts, ids), plus
 * a Windows-1252 file decoded and read end to end.
 *
 * Each transform test starts from a clean row of one report (seller_vals, all_vals) with
 * a few columns replaced, so the replaced values are the only thing under test. Records
 * are split with the layout's own dialect (tab, no quoting), as the engine does. Letters
 * beyond ASCII are escapes: UTF-8 in hex, or in octal where a hex escape would run on into
 * the next letter ("\303\237e" is "ße"). */
#include "../formats/canon.h"
#include "../formats/layout.h"
#include "../formats/source.h"
#include "testutil.h"

/* The seller-fulfilled order report, one clean item row. */
static const char *const seller_cols[] = {
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "buyer-email",
    "buyer-name",
    "sku",
    "product-name",
    "quantity-purchased",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "ship-service-level",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "ship-phone-number",
    "fulfillment-channel",
    "last-updated-date",
};
static const char *const seller_vals[] = {
    "302-4471829-1093145",
    "52064839271634",
    "2026-11-26T09:15:02+01:00",
    "2026-11-26T09:16:40+01:00",
    "x7k2m9p4qd1h3vz@marketplace.amazon.de",
    "J\xC3\xBCrgen M\xC3\xBCller",
    "CANDLE-CIT",
    "Citronella-Kerze in der Dose",
    "3",
    "EUR",
    "20.00",
    "3.19",
    "4.99",
    "0.80",
    "Standard",
    "J\xC3\xBCrgen M\xC3\xBCller",
    "Lindenstra\303\237e 12",
    "",
    "",
    "M\xC3\xBCnchen",
    "Bayern",
    "80331",
    "DE",
    "+49 89 2315 8841",
    "Merchant",
    "2026-11-26T09:47:10+01:00",
};
#define N_SELLER (sizeof seller_cols / sizeof *seller_cols)

/* The All Orders report, one clean item row: no street, no recipient. */
static const char *const all_cols[] = {
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
};
static const char *const all_vals[] = {
    "303-5902214-7738016",
    "",
    "2026-11-26T09:31:18+00:00",
    "2026-11-26T09:33:02+00:00",
    "Unshipped",
    "Merchant",
    "Amazon.de",
    "Expedited",
    "Kompakter Gaskocher",
    "STOVE-GAS-1",
    "B0B6TX9C3P",
    "Unshipped",
    "1",
    "EUR",
    "39.90",
    "6.37",
    "4.99",
    "0.80",
    "Stuttgart",
    "Baden-W\xC3\xBCrttemberg",
    "70173",
    "DE",
};
#define N_ALL (sizeof all_cols / sizeof *all_cols)

/* One column's replacement value; a list ends with {NULL, NULL}. */
typedef struct kv {
    const char *col;
    const char *val;
} kv;

static const fmt_layout *amz;
static fmt_csv_fields *hdr, *rec;
static void *bnd;
static fmt_out out;
static char line[4096];

static void setup(void)
{
    amz = fmt_layout_find("amazon");
    cr_assert_not_null(amz, "the amazon layout is not registered");
    hdr = fmt_csv_fields_new(amz->dialect);
    rec = fmt_csv_fields_new(amz->dialect);
    cr_assert(hdr && rec);
    cr_assert_eq(fmt_out_init(&out), ENG_OK);
    bnd = NULL;
    tu_dir_new();
}

static void teardown(void)
{
    if (bnd)
        amz->unbind(bnd);
    fmt_out_release(&out);
    fmt_csv_fields_free(hdr);
    fmt_csv_fields_free(rec);
    tu_dir_remove();
}

TestSuite(amazon, .init = setup, .fini = teardown);

/* vals joined by tabs into line, with the columns named in changes replaced. */
static const char *join(const char *const *cols, const char *const *vals, size_t n,
                        const kv *changes)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = vals[i];
        for (const kv *c = changes; c && c->col; c++)
            if (strcmp(c->col, cols[i]) == 0)
                v = c->val;
        int k = snprintf(line + o, sizeof line - o, "%s%s", i ? "\t" : "", v);
        cr_assert(k >= 0 && (size_t)k < sizeof line - o);
        o += (size_t)k;
    }
    return line;
}

static void split(fmt_csv_fields *f, const char *text)
{
    cr_assert_eq(fmt_csv_split(f, text, strlen(text)), ENG_OK, "cannot split '%s'", text);
}

/* Bind the layout to a header of cols; returns bind's result (err filled). */
static eng_rc bind_header(const char *const *cols, size_t n, eng_err *err)
{
    split(hdr, join(cols, cols, n, NULL));
    memset(err, 0, sizeof *err);
    if (bnd)
        amz->unbind(bnd);
    bnd = NULL;
    return amz->bind(amz, hdr, &bnd, err);
}

/* Transform one record of a report whose clean row is vals, with changes applied;
 * returns the single canonical row it makes. */
static const fmt_out_row *run(const char *const *cols, const char *const *vals, size_t n,
                              const kv *changes)
{
    eng_err err;
    cr_assert_eq(bind_header(cols, n, &err), ENG_OK, "bind: %s", err.msg);
    split(rec, join(cols, vals, n, changes));
    fmt_out_reset(&out);
    cr_assert_eq(amz->transform(amz, bnd, rec, &out), ENG_OK);
    cr_assert_eq(out.n, 1, "%zu rows, want 1", out.n);
    cr_assert_null(out.malformed);
    cr_assert_eq(out.skip, 0);
    return &out.rows[0];
}

static const fmt_out_row *seller(const kv *changes)
{
    return run(seller_cols, seller_vals, N_SELLER, changes);
}

static const fmt_out_row *all_orders(const kv *changes)
{
    return run(all_cols, all_vals, N_ALL, changes);
}

static void assert_text(fmt_str got, const char *want, const char *what)
{
    cr_assert(got.p != NULL, "%s is NULL", what);
    cr_assert(got.len == strlen(want) && memcmp(got.p, want, got.len) == 0,
              "%s is '%.*s', want '%s'", what, (int)got.len, got.p, want);
}

static void assert_col(const fmt_out_row *r, fmt_col c, const char *want)
{
    assert_text(r->v[c], want, fmt_col_name(c));
}

/* ---- the layout's shape ---- */

Test(amazon, reads_tab_separated_text_without_quoting_and_windows_1252)
{
    cr_assert_eq(amz->dialect.delim, '\t');
    cr_assert_lt(amz->dialect.quote, 0);
    cr_assert_str_eq(amz->legacy_encoding, "WINDOWS-1252");
    cr_assert_str_eq(amz->name, "amazon");
}

/* ---- detection ---- */

Test(amazon, detect_picks_amazon_for_the_seller_fulfilled_report_header)
{
    split(hdr, join(seller_cols, seller_cols, N_SELLER, NULL));
    cr_assert_eq(fmt_layout_detect(hdr), amz);
}

Test(amazon, detect_picks_amazon_for_the_all_orders_report_header)
{
    split(hdr, join(all_cols, all_cols, N_ALL, NULL));
    cr_assert_eq(fmt_layout_detect(hdr), amz);
}

Test(amazon, detect_picks_canonical_for_the_canonical_header)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    const char *h = "order_id,order_time,sku,qty,unit_price,currency,ship_name,ship_street";
    cr_assert_eq(fmt_csv_split(f, h, strlen(h)), ENG_OK);
    cr_assert_eq(fmt_layout_detect(f), fmt_layout_find("canonical"));
    cr_assert_eq(amz->detect(amz, f), 0, "sku alone is not an Amazon signature");
    fmt_csv_fields_free(f);
}

Test(amazon, detect_picks_shopify_for_the_shopify_header)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    const char *h = "Name,Email,Financial Status,Fulfillment Status,Currency,Created at,"
                    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku";
    cr_assert_eq(fmt_csv_split(f, h, strlen(h)), ENG_OK);
    cr_assert_eq(fmt_layout_detect(f), fmt_layout_find("shopify"));
    cr_assert_eq(amz->detect(amz, f), 0);
    fmt_csv_fields_free(f);
}

Test(amazon, detect_needs_four_signature_columns)
{
    split(hdr, "order-id\tsku\titem-price\tship-notes");
    cr_assert_eq(amz->detect(amz, hdr), 0, "three signature columns are not enough");
    split(hdr, "order-id\tsku\titem-price\tpurchase-date");
    cr_assert_eq(amz->detect(amz, hdr), 4);
}

Test(amazon, detect_scores_the_signature_columns_of_the_report_it_matches)
{
    split(hdr, join(seller_cols, seller_cols, N_SELLER, NULL));
    cr_assert_eq(amz->detect(amz, hdr), 10, "every seller report signature column");
    split(hdr, join(all_cols, all_cols, N_ALL, NULL));
    cr_assert_eq(amz->detect(amz, hdr), 12, "every All Orders signature column");
}

/* ---- bind ---- */

Test(amazon, bind_refuses_a_seller_report_without_item_price_naming_column_and_layout)
{
    const char *cols[] = {"order-id", "order-item-id",      "purchase-date",
                          "sku",      "quantity-purchased", "currency"};
    eng_err err;
    cr_assert_eq(bind_header(cols, sizeof cols / sizeof *cols, &err), ENG_REFUSED);
    cr_assert_null(bnd);
    cr_assert_str_eq(err.field, "item-price");
    cr_assert(strstr(err.msg, "\"item-price\"") && strstr(err.msg, "amazon"), "%s", err.msg);
}

Test(amazon, bind_refuses_an_all_orders_report_without_order_status)
{
    const char *cols[] = {"amazon-order-id", "purchase-date", "sku",
                          "quantity",        "currency",      "item-price"};
    eng_err err;
    cr_assert_eq(bind_header(cols, sizeof cols / sizeof *cols, &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "order-status");
    cr_assert(strstr(err.msg, "\"order-status\"") && strstr(err.msg, "amazon"), "%s", err.msg);
}

Test(amazon, bind_refuses_a_header_without_an_order_id_naming_both_reports)
{
    const char *cols[] = {"purchase-date", "sku", "quantity-purchased", "currency", "item-price"};
    eng_err err;
    cr_assert_eq(bind_header(cols, sizeof cols / sizeof *cols, &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "order-id");
    cr_assert(strstr(err.msg, "\"order-id\"") && strstr(err.msg, "\"amazon-order-id\"") &&
                  strstr(err.msg, "amazon"),
              "%s", err.msg);
}

Test(amazon, bind_refuses_a_column_given_twice)
{
    const char *cols[] = {"order-id", "purchase-date", "sku", "quantity-purchased",
                          "currency", "item-price",    "sku"};
    eng_err err;
    cr_assert_eq(bind_header(cols, sizeof cols / sizeof *cols, &err), ENG_REFUSED);
    cr_assert(strstr(err.msg, "\"sku\" appears twice"), "%s", err.msg);
}

Test(amazon, bind_accepts_a_seller_report_without_the_optional_columns)
{
    /* fulfillment-channel and last-updated-date may be absent. */
    const char *cols[] = {"order-id",           "purchase-date", "sku",
                          "quantity-purchased", "currency",      "item-price"};
    const char *vals[] = {"302-1", "2026-11-26T09:15:02+01:00", "CANDLE-CIT", "1", "EUR", "7.90"};
    const fmt_out_row *r = run(cols, vals, 6, NULL);
    assert_col(r, FMT_COL_ORDER_ID, "302-1");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
    cr_assert_eq(r->updated_ns, 0);
}

/* ---- transform: the mapping ---- */

Test(amazon, seller_row_maps_every_canonical_column)
{
    const fmt_out_row *r = seller(NULL);
    assert_col(r, FMT_COL_ORDER_ID, "302-4471829-1093145");
    assert_col(r, FMT_COL_ORDER_TIME, "2026-11-26T09:15:02+01:00");
    assert_col(r, FMT_COL_SKU, "CANDLE-CIT");
    assert_col(r, FMT_COL_QTY, "3");
    assert_col(r, FMT_COL_UNIT_PRICE, "20.00");
    assert_col(r, FMT_COL_CURRENCY, "EUR");
    assert_col(r, FMT_COL_CHANNEL, "amazon");
    assert_col(r, FMT_COL_PRIORITY, "");
    assert_col(r, FMT_COL_CUSTOMER_ID, "x7k2m9p4qd1h3vz@marketplace.amazon.de");
    assert_col(r, FMT_COL_SHIP_NAME, "J\xC3\xBCrgen M\xC3\xBCller");
    assert_col(r, FMT_COL_SHIP_STREET, "Lindenstra\303\237e 12");
    assert_col(r, FMT_COL_SHIP_CITY, "M\xC3\xBCnchen");
    assert_col(r, FMT_COL_SHIP_REGION, "Bayern");
    assert_col(r, FMT_COL_SHIP_POSTAL, "80331");
    assert_col(r, FMT_COL_SHIP_COUNTRY, "DE");
    assert_col(r, FMT_COL_SHIP_SERVICE, "Standard");
    assert_col(r, FMT_COL_OPEN_QTY, "");
    cr_assert_eq(r->head_only, 0);
}

Test(amazon, all_orders_row_has_no_street_and_no_recipient)
{
    const fmt_out_row *r = all_orders(NULL);
    assert_col(r, FMT_COL_ORDER_ID, "303-5902214-7738016");
    assert_col(r, FMT_COL_SKU, "STOVE-GAS-1");
    assert_col(r, FMT_COL_QTY, "1");
    assert_col(r, FMT_COL_UNIT_PRICE, "39.90");
    assert_col(r, FMT_COL_CHANNEL, "amazon");
    assert_col(r, FMT_COL_SHIP_SERVICE, "Expedited");
    assert_col(r, FMT_COL_SHIP_CITY, "Stuttgart");
    assert_col(r, FMT_COL_SHIP_POSTAL, "70173");
    assert_col(r, FMT_COL_SHIP_COUNTRY, "DE");
    /* The engine makes these MISSING_FIELD on the order's first row. */
    assert_col(r, FMT_COL_SHIP_NAME, "");
    assert_col(r, FMT_COL_SHIP_STREET, "");
    assert_col(r, FMT_COL_CUSTOMER_ID, "");
    cr_assert_eq(r->order_state, FMT_STATE_NONE, "Unshipped is ours to ship");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
}

Test(amazon, item_price_is_the_line_total_not_the_unit_price)
{
    /* 3 candles for 20.00: the engine keeps 20.00 as the line amount and shows 6.67. */
    const fmt_out_row *r = seller(NULL);
    cr_assert_eq(r->line_total, 1);
    assert_col(r, FMT_COL_UNIT_PRICE, "20.00");
    cr_assert_eq(all_orders(NULL)->line_total, 1);
}

Test(amazon, per_item_tax_and_shipping_stay_out_of_the_order_level_amounts)
{
    /* item-tax 3.19, shipping-price 4.99, shipping-tax 0.80 belong to this item only;
     * the canonical ones would be read as the whole order's. */
    const fmt_out_row *r = seller(NULL);
    assert_col(r, FMT_COL_TAX, "");
    assert_col(r, FMT_COL_SHIPPING, "");
    assert_col(r, FMT_COL_DISCOUNT, "");
    assert_col(r, FMT_COL_ORDER_TOTAL, "");
}

Test(amazon, purchase_date_with_an_offset_passes_unchanged)
{
    const fmt_out_row *r =
        seller((const kv[]){{"purchase-date", "2026-11-26T09:15:02+01:00"}, {NULL, NULL}});
    assert_col(r, FMT_COL_ORDER_TIME, "2026-11-26T09:15:02+01:00");
}

Test(amazon, purchase_date_in_utc_passes_unchanged)
{
    const fmt_out_row *r =
        seller((const kv[]){{"purchase-date", "2026-11-26T08:15:02Z"}, {NULL, NULL}});
    assert_col(r, FMT_COL_ORDER_TIME, "2026-11-26T08:15:02Z");
}

Test(amazon, unreadable_purchase_date_passes_unchanged_for_bad_date)
{
    const fmt_out_row *r =
        seller((const kv[]){{"purchase-date", "26.11.2026 09:15"}, {NULL, NULL}});
    assert_col(r, FMT_COL_ORDER_TIME, "26.11.2026 09:15");
}

Test(amazon, address_lines_are_joined_with_commas)
{
    const fmt_out_row *r =
        seller((const kv[]){{"ship-address-1", "c/o B\303\244ckerei Schr\303\266der"},
                            {"ship-address-2", "Marktplatz 3"},
                            {"ship-address-3", "Hinterhaus"},
                            {NULL, NULL}});
    assert_col(r, FMT_COL_SHIP_STREET,
               "c/o B\303\244ckerei Schr\303\266der, Marktplatz 3, Hinterhaus");
}

Test(amazon, blank_address_lines_are_skipped)
{
    /* Amazon.de may leave address-1 blank and write the street in address-2. */
    const fmt_out_row *r = seller(
        (const kv[]){{"ship-address-1", ""}, {"ship-address-2", "Marktplatz 3"}, {NULL, NULL}});
    assert_col(r, FMT_COL_SHIP_STREET, "Marktplatz 3");
}

Test(amazon, no_address_line_gives_a_blank_street)
{
    const fmt_out_row *r = seller((const kv[]){{"ship-address-1", ""}, {NULL, NULL}});
    assert_col(r, FMT_COL_SHIP_STREET, "");
}

Test(amazon, spreadsheet_protected_ids_and_postal_codes_are_unprotected)
{
    const fmt_out_row *r = seller((const kv[]){{"order-id", "=\"302-4471829-1093145\""},
                                               {"ship-postal-code", "'01067"},
                                               {"order-item-id", "=\"52064839271634\""},
                                               {NULL, NULL}});
    assert_col(r, FMT_COL_ORDER_ID, "302-4471829-1093145");
    assert_col(r, FMT_COL_SHIP_POSTAL, "01067");
    assert_text(r->item_key, "52064839271634", "item_key");
}

Test(amazon, a_quote_in_a_value_is_ordinary_text)
{
    /* No quoting in Amazon reports: 24" stays 24", and the field count is right. */
    const fmt_out_row *r = seller((const kv[]){{"product-name", "Poster 24\" x 36\", \"Sunset\""},
                                               {"recipient-name", "Anna \"Anni\" Schr\303\266der"},
                                               {NULL, NULL}});
    cr_assert_eq(fmt_csv_count(rec), N_SELLER);
    assert_col(r, FMT_COL_SHIP_NAME, "Anna \"Anni\" Schr\303\266der");
}

/* ---- transform: amounts ---- */

Test(amazon, decimal_comma_item_price_is_normalised)
{
    const fmt_out_row *r = seller((const kv[]){{"item-price", "20,00"}, {NULL, NULL}});
    assert_col(r, FMT_COL_UNIT_PRICE, "20.00");
}

Test(amazon, unreadable_item_price_passes_unchanged_for_bad_number)
{
    const fmt_out_row *r = seller((const kv[]){{"item-price", "n/a"}, {NULL, NULL}});
    assert_col(r, FMT_COL_UNIT_PRICE, "n/a");
    cr_assert_eq(r->line_total, 1);
}

Test(amazon, currency_comes_from_the_currency_column)
{
    const fmt_out_row *r =
        seller((const kv[]){{"currency", "GBP"}, {"item-price", "48.00"}, {NULL, NULL}});
    assert_col(r, FMT_COL_CURRENCY, "GBP");
}

Test(amazon, blank_currency_is_taken_from_the_price_when_it_names_one)
{
    const fmt_out_row *r =
        seller((const kv[]){{"currency", ""}, {"item-price", "EUR 20.00"}, {NULL, NULL}});
    assert_col(r, FMT_COL_CURRENCY, "EUR");
    assert_col(r, FMT_COL_UNIT_PRICE, "20.00");
}

Test(amazon, blank_item_price_stays_blank)
{
    /* A Pending order in the All Orders report has no price yet. */
    const fmt_out_row *r = all_orders((const kv[]){{"item-price", ""}, {NULL, NULL}});
    assert_col(r, FMT_COL_UNIT_PRICE, "");
}

/* ---- transform: states ---- */

Test(amazon, fulfillment_channel_amazon_is_fulfilled_by_marketplace_on_line_and_order)
{
    const fmt_out_row *r = all_orders(
        (const kv[]){{"fulfillment-channel", "Amazon"}, {"order-status", "Shipped"}, {NULL, NULL}});
    cr_assert_eq(r->line_state, FMT_STATE_BY_MARKETPLACE);
    cr_assert_eq(r->order_state, FMT_STATE_BY_MARKETPLACE, "FBA beats Shipped");
}

Test(amazon, fulfillment_channel_afn_in_the_seller_report_is_fulfilled_by_marketplace)
{
    const fmt_out_row *r = seller((const kv[]){{"fulfillment-channel", "AFN"}, {NULL, NULL}});
    cr_assert_eq(r->line_state, FMT_STATE_BY_MARKETPLACE);
    cr_assert_eq(r->order_state, FMT_STATE_BY_MARKETPLACE);
}

Test(amazon, fulfillment_channel_merchant_has_no_state)
{
    const fmt_out_row *r = seller((const kv[]){{"fulfillment-channel", "Merchant"}, {NULL, NULL}});
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
}

Test(amazon, order_status_cancelled_is_order_cancelled)
{
    cr_assert_eq(all_orders((const kv[]){{"order-status", "Cancelled"}, {NULL, NULL}})->order_state,
                 FMT_STATE_CANCELLED);
    cr_assert_eq(all_orders((const kv[]){{"order-status", "Canceled"}, {NULL, NULL}})->order_state,
                 FMT_STATE_CANCELLED);
}

Test(amazon, cancelled_beats_fulfilled_by_amazon)
{
    const fmt_out_row *r = all_orders((const kv[]){
        {"order-status", "Cancelled"}, {"fulfillment-channel", "Amazon"}, {NULL, NULL}});
    cr_assert_eq(r->order_state, FMT_STATE_CANCELLED);
}

Test(amazon, order_status_shipped_is_already_fulfilled)
{
    cr_assert_eq(all_orders((const kv[]){{"order-status", "Shipped"}, {NULL, NULL}})->order_state,
                 FMT_STATE_FULFILLED);
    cr_assert_eq(
        all_orders((const kv[]){{"order-status", "InvoiceUnconfirmed"}, {NULL, NULL}})->order_state,
        FMT_STATE_FULFILLED);
}

Test(amazon, order_status_pending_is_awaiting_payment)
{
    cr_assert_eq(all_orders((const kv[]){{"order-status", "Pending"}, {NULL, NULL}})->order_state,
                 FMT_STATE_UNPAID);
    cr_assert_eq(all_orders((const kv[]){{"order-status", "PendingAvailability"}, {NULL, NULL}})
                     ->order_state,
                 FMT_STATE_UNPAID);
}

Test(amazon, order_status_unshipped_and_partially_shipped_are_ours_to_ship)
{
    cr_assert_eq(all_orders((const kv[]){{"order-status", "Unshipped"}, {NULL, NULL}})->order_state,
                 FMT_STATE_NONE);
    cr_assert_eq(
        all_orders((const kv[]){{"order-status", "PartiallyShipped"}, {NULL, NULL}})->order_state,
        FMT_STATE_NONE);
}

Test(amazon, order_status_is_matched_ignoring_case)
{
    cr_assert_eq(all_orders((const kv[]){{"order-status", "SHIPPED"}, {NULL, NULL}})->order_state,
                 FMT_STATE_FULFILLED);
}

Test(amazon, item_status_cancelled_cancels_only_that_line)
{
    const fmt_out_row *r = all_orders((const kv[]){
        {"order-status", "PartiallyShipped"}, {"item-status", "Cancelled"}, {NULL, NULL}});
    cr_assert_eq(r->line_state, FMT_STATE_CANCELLED);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
    cr_assert_eq(r->head_only, 0, "quantity 1 still makes a line");
}

Test(amazon, item_status_shipped_line_is_already_fulfilled)
{
    const fmt_out_row *r = all_orders((const kv[]){
        {"order-status", "PartiallyShipped"}, {"item-status", "Shipped"}, {NULL, NULL}});
    cr_assert_eq(r->line_state, FMT_STATE_FULFILLED);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
}

Test(amazon, cancelled_item_with_quantity_zero_is_no_line_but_keeps_its_key)
{
    /* Otherwise its "0" would be BAD_QTY and reject the rest of a partly cancelled
     * order; the key still replaces the item's older rows. */
    const fmt_out_row *r = all_orders((const kv[]){
        {"item-status", "Cancelled"}, {"quantity", "0"}, {"item-price", ""}, {NULL, NULL}});
    cr_assert_eq(r->head_only, 1);
    assert_text(r->item_key, "STOVE-GAS-1|B0B6TX9C3P", "item_key");
    assert_col(r, FMT_COL_ORDER_TIME, "2026-11-26T09:31:18+00:00");
}

Test(amazon, cancelled_order_with_quantity_zero_is_no_line)
{
    const fmt_out_row *r =
        all_orders((const kv[]){{"order-status", "Cancelled"}, {"quantity", "0"}, {NULL, NULL}});
    cr_assert_eq(r->head_only, 1);
    cr_assert_eq(r->order_state, FMT_STATE_CANCELLED);
}

Test(amazon, quantity_zero_of_a_live_item_passes_on_for_bad_qty)
{
    const fmt_out_row *r = all_orders((const kv[]){{"quantity", "0"}, {NULL, NULL}});
    cr_assert_eq(r->head_only, 0);
    assert_col(r, FMT_COL_QTY, "0");
}

/* ---- transform: repeated items ---- */

Test(amazon, seller_item_key_is_the_order_item_id_and_update_time_its_last_update)
{
    const fmt_out_row *r = seller(NULL);
    assert_text(r->item_key, "52064839271634", "item_key");
    /* 2026-11-26T08:47:10Z */
    cr_assert_eq(r->updated_ns, INT64_C(1795682830) * 1000000000);
}

Test(amazon, all_orders_item_key_is_sku_and_asin)
{
    const fmt_out_row *r = all_orders(NULL);
    assert_text(r->item_key, "STOVE-GAS-1|B0B6TX9C3P", "item_key");
    /* 2026-11-26T09:33:02Z */
    cr_assert_eq(r->updated_ns, INT64_C(1795685582) * 1000000000);
}

Test(amazon, a_later_last_updated_date_gives_a_later_update_time)
{
    int64_t pending = all_orders((const kv[]){{"order-status", "Pending"},
                                              {"last-updated-date", "2026-11-26T07:12:40+00:00"},
                                              {NULL, NULL}})
                          ->updated_ns;
    int64_t paid =
        all_orders((const kv[]){{"last-updated-date", "2026-11-26T07:58:03+00:00"}, {NULL, NULL}})
            ->updated_ns;
    cr_assert_eq(paid - pending, INT64_C(2723) * 1000000000);
}

Test(amazon, update_times_compare_as_instants_whatever_the_offset)
{
    int64_t utc =
        all_orders((const kv[]){{"last-updated-date", "2026-11-26T07:12:40Z"}, {NULL, NULL}})
            ->updated_ns;
    int64_t berlin =
        all_orders((const kv[]){{"last-updated-date", "2026-11-26T08:12:40+01:00"}, {NULL, NULL}})
            ->updated_ns;
    cr_assert_eq(utc, berlin);
}

Test(amazon, blank_or_unreadable_last_updated_date_counts_as_oldest)
{
    cr_assert_eq(seller((const kv[]){{"last-updated-date", ""}, {NULL, NULL}})->updated_ns, 0);
    cr_assert_eq(seller((const kv[]){{"last-updated-date", "yesterday"}, {NULL, NULL}})->updated_ns,
                 0);
}

Test(amazon, blank_order_item_id_falls_back_to_sku_without_asin)
{
    const fmt_out_row *r = seller((const kv[]){{"order-item-id", ""}, {NULL, NULL}});
    assert_text(r->item_key, "CANDLE-CIT|", "item_key");
}

Test(amazon, continuation_row_is_order_level_only_and_replaces_nothing)
{
    /* Amazon splits an order with many promotions over several lines, "leaving most of
     * the columns blank". */
    const fmt_out_row *r = seller((const kv[]){{"sku", ""},
                                               {"product-name", ""},
                                               {"quantity-purchased", ""},
                                               {"item-price", ""},
                                               {"purchase-date", ""},
                                               {"recipient-name", ""},
                                               {NULL, NULL}});
    cr_assert_eq(r->head_only, 1);
    cr_assert_eq(r->item_key.len, 0, "a key would replace the item it continues");
    assert_col(r, FMT_COL_ORDER_ID, "302-4471829-1093145");
    assert_col(r, FMT_COL_CHANNEL, "");
}

Test(amazon, row_with_only_a_blank_sku_is_a_line_for_missing_field)
{
    const fmt_out_row *r = seller((const kv[]){{"sku", ""}, {NULL, NULL}});
    cr_assert_eq(r->head_only, 0);
    assert_col(r, FMT_COL_SKU, "");
    assert_col(r, FMT_COL_QTY, "3");
}

/* ---- a Windows-1252 file, decoded as the engine does ---- */

Test(amazon, windows_1252_file_reads_as_utf8_names)
{
    /* "Jürgen Müller" in Windows-1252: ü is the single byte 0xFC, ß is 0xDF. */
    const char text[] =
        "order-id\torder-item-id\tpurchase-date\tsku\tquantity-purchased\t"
        "currency\titem-price\trecipient-name\tship-address-1\tship-city\t"
        "ship-country\r\n"
        "302-4471829-1093145\t52064839271634\t2026-11-26T09:15:02+01:00\t"
        "TENT-2P-ALP\t1\tEUR\t189.00\tJ\xFCrgen M\xFCller\tLindenstra\337e 12\tM\xFCnchen\tDE\r\n";
    char path[512];
    tu_write(tu_path(path, sizeof path, "orders.txt"), text, sizeof text - 1);
    eng_err err;
    memset(&err, 0, sizeof err);
    fmt_source *s = NULL;
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(fmt_source_set_encoding(s, amz->legacy_encoding, &err), ENG_OK, "%s", err.msg);
    char buf[1024];
    size_t len = 0, n;
    do {
        cr_assert_eq(fmt_source_read(s, buf + len, sizeof buf - len, &n, &err), ENG_OK);
        len += n;
    } while (n > 0 && len < sizeof buf);
    fmt_source_close(s);

    fmt_csv_iter it;
    fmt_csv_iter_init(&it, buf, len, 1, amz->dialect);
    fmt_str r;
    uint64_t at;
    cr_assert(fmt_csv_iter_next(&it, &r, &at));
    cr_assert_eq(fmt_csv_split(hdr, r.p, r.len), ENG_OK);
    cr_assert_eq(fmt_layout_detect(hdr), amz, "detected on the decoded header");
    cr_assert_eq(amz->bind(amz, hdr, &bnd, &err), ENG_OK, "%s", err.msg);
    cr_assert(fmt_csv_iter_next(&it, &r, &at));
    cr_assert_eq(at, 2);
    cr_assert_eq(fmt_csv_split(rec, r.p, r.len), ENG_OK);
    fmt_out_reset(&out);
    cr_assert_eq(amz->transform(amz, bnd, rec, &out), ENG_OK);
    assert_col(&out.rows[0], FMT_COL_SHIP_NAME, "J\xC3\xBCrgen M\xC3\xBCller");
    assert_col(&out.rows[0], FMT_COL_SHIP_STREET, "Lindenstra\303\237e 12");
    assert_col(&out.rows[0], FMT_COL_SHIP_CITY, "M\xC3\xBCnchen");
}

/* ---- source_column: the report's column an exception names ---- */

static int index_of(const char *const *cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return (int)i;
    cr_assert_fail("no column %s", name);
    return -1;
}

Test(amazon, exceptions_name_the_files_own_column)
{
    eng_err err;
    cr_assert_eq(bind_header(seller_cols, N_SELLER, &err), ENG_OK, "bind: %s", err.msg);
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_SKU), index_of(seller_cols, N_SELLER, "sku"));
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_UNIT_PRICE),
                 index_of(seller_cols, N_SELLER, "item-price"));
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_QTY),
                 index_of(seller_cols, N_SELLER, "quantity-purchased"));
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_ORDER_ID),
                 index_of(seller_cols, N_SELLER, "order-id"));
    /* Made up, or from several columns. */
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_CHANNEL), -1);
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_SHIP_STREET), -1);
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_TAX), -1);
}

Test(amazon, exceptions_name_the_all_orders_reports_own_column)
{
    eng_err err;
    cr_assert_eq(bind_header(all_cols, N_ALL, &err), ENG_OK, "bind: %s", err.msg);
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_ORDER_ID),
                 index_of(all_cols, N_ALL, "amazon-order-id"));
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_QTY), index_of(all_cols, N_ALL, "quantity"));
    /* No recipient or address column: orders are told why they cannot ship. */
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_SHIP_NAME), FMT_LAYOUT_NO_COLUMN);
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_SHIP_STREET), FMT_LAYOUT_NO_COLUMN);
    /* A single address line is the street's only column. */
    const char *const one_line[] = {"order-id",          "purchase-date", "sku",
                                    "currency",          "item-price",    "ship-address-1",
                                    "quantity-purchased"};
    cr_assert_eq(bind_header(one_line, 7, &err), ENG_OK, "bind: %s", err.msg);
    cr_expect_eq(amz->source_column(amz, bnd, FMT_COL_SHIP_STREET), 5);
}
