/* Tests of formats/woocommerce: detection against the other layouts, the bind refusals
 * that name the column and the layout, and the transform of one order record into
 * canonical rows for every quirk the layout documents (packed line_item_N cells, line
 * totals, day-first dates, statuses, the tax and total rules, multi-line and quoted
 * fields).
 *
 * Records are built from the sample's header (legacy column names, as the export plugins
 * write them) with every field quoted like the plugins quote them; a test overrides only
 * the fields it is about, so those are the only thing that can be wrong. */
#include <stdarg.h>

#include "../formats/layout.h"
#include "testutil.h"

TestSuite(woocommerce);

/* The sample file's header and a clean processing order with one item. */
static const char *const std_cols[] = {
    "order_id",           "order_number",      "order_date",         "status",
    "billing_first_name", "billing_last_name", "billing_email",      "shipping_first_name",
    "shipping_last_name", "shipping_company",  "shipping_address_1", "shipping_address_2",
    "shipping_city",      "shipping_state",    "shipping_postcode",  "shipping_country",
    "shipping_method",    "order_currency",    "cart_discount",      "order_shipping",
    "order_shipping_tax", "order_tax",         "order_total",        "customer_note",
    "line_item_1",        "line_item_2",       "line_item_3",
};
#define N_STD (sizeof std_cols / sizeof *std_cols)

static const char *const std_vals[N_STD] = {
    "5101",
    "5101",
    "25-11-2026 08:14:22",
    "wc-processing",
    "Anna",
    "Schmidt",
    "anna.schmidt@example.de",
    "Anna",
    "Schmidt",
    "",
    "Lindenstraße 14",
    "",
    "Berlin",
    "",
    "10115",
    "DE",
    "DHL Paket",
    "EUR",
    "0.00",
    "4.95",
    "0.94",
    "35.91",
    "230.80",
    "",
    ("name:Alpine 2-person dome tent|product_id:13|sku:TENT-2P-ALP|quantity:1|total:189.00|"
     "tax:35.91"),
    "",
    "",
};

static fmt_csv_fields *header, *record;
static void *bound;
static const fmt_layout *woo;
static fmt_out out;
static char header_line[4096], record_line[8192];

static void cleanup(void)
{
    if (bound)
        woo->unbind(bound);
    bound = NULL;
    fmt_out_release(&out);
    fmt_csv_fields_free(header);
    fmt_csv_fields_free(record);
    header = record = NULL;
}

/* A row of fields, each quoted with quotes doubled, as the export plugins write it. */
static void csv_line(char *dst, size_t cap, const char *const *vals, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            dst[k++] = ',';
        dst[k++] = '"';
        for (const char *p = vals[i]; *p; p++) {
            if (*p == '"')
                dst[k++] = '"';
            dst[k++] = *p;
        }
        dst[k++] = '"';
        cr_assert_lt(k + 8, cap, "test record too long");
    }
    dst[k] = '\0';
}

/* Split header_line into header; bind it. Returns bind's result, err filled. */
static eng_rc bind_header(eng_err *err)
{
    woo = fmt_layout_find("woocommerce");
    cr_assert_not_null(woo, "woocommerce layout not registered");
    header = fmt_csv_fields_new(woo->dialect);
    cr_assert_not_null(header);
    cr_assert_eq(fmt_csv_split(header, header_line, strlen(header_line)), ENG_OK);
    memset(err, 0, sizeof *err);
    return woo->bind(woo, header, &bound, err);
}

/* Bind header_line, split record_line, transform it into out. */
static void transform_lines(void)
{
    eng_err err;
    cr_assert_eq(bind_header(&err), ENG_OK, "bind: %s", err.msg);
    record = fmt_csv_fields_new(woo->dialect);
    cr_assert_not_null(record);
    cr_assert_eq(fmt_csv_split(record, record_line, strlen(record_line)), ENG_OK,
                 "record is not well-formed CSV: %s", record_line);
    cr_assert_eq(fmt_csv_count(record), fmt_csv_count(header));
    cr_assert_eq(fmt_out_init(&out), ENG_OK);
    cr_assert_eq(woo->transform(woo, bound, record, &out), ENG_OK);
}

/* Columns cols with values vals, then the overrides (name, value pairs, NULL-ended). */
static void transform_over(const char *const *cols, const char *const *vals, size_t n, va_list ap)
{
    const char *v[64];
    cr_assert_leq(n, 64u);
    memcpy(v, vals, n * sizeof *v);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        const char *value = va_arg(ap, const char *);
        size_t i = 0;
        while (i < n && strcmp(cols[i], name) != 0)
            i++;
        cr_assert_lt(i, n, "no column %s", name);
        v[i] = value;
    }
    csv_line(header_line, sizeof header_line, cols, n);
    csv_line(record_line, sizeof record_line, v, n);
    transform_lines();
}

/* The standard record with some fields replaced: woo_std("status", "wc-completed", NULL). */
static void woo_std(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    /* first is the first override's name (or NULL): put it back in front. */
    const char *v[N_STD];
    memcpy(v, std_vals, sizeof v);
    for (const char *name = first; name; name = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        size_t i = 0;
        while (i < N_STD && strcmp(std_cols[i], name) != 0)
            i++;
        cr_assert_lt(i, N_STD, "no column %s", name);
        v[i] = value;
    }
    va_end(ap);
    csv_line(header_line, sizeof header_line, std_cols, N_STD);
    csv_line(record_line, sizeof record_line, v, N_STD);
    transform_lines();
}

/* A header of its own (for the tax_total, fee_total and shipping_method_title variants):
 * cols and vals, then overrides. */
static void woo_cols(const char *const *cols, const char *const *vals, size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
    transform_over(cols, vals, n, ap);
    va_end(ap);
}

static void assert_str(fmt_str s, const char *want)
{
    cr_assert(s.len == strlen(want) && memcmp(s.p, want, s.len) == 0, "got \"%.*s\", want \"%s\"",
              (int)s.len, s.p ? s.p : "(null)", want);
}

static void assert_col(size_t row, fmt_col c, const char *want)
{
    cr_assert_lt(row, out.n, "only %zu rows", out.n);
    cr_assert_not_null(out.rows[row].v[c].p, "%s is NULL", fmt_col_name(c));
    assert_str(out.rows[row].v[c], want);
}

static void assert_ok_rows(size_t n)
{
    cr_assert_null(out.malformed, "malformed: %s", out.malformed);
    cr_assert_eq(out.n, n, "%zu rows, want %zu", out.n, n);
}

/* ---- detection ---- */

static const fmt_layout *detect_line(const char *line)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    cr_assert_eq(fmt_csv_split(f, line, strlen(line)), ENG_OK);
    const fmt_layout *l = fmt_layout_detect(f);
    fmt_csv_fields_free(f);
    return l;
}

Test(woocommerce, detect_picks_woocommerce_for_its_header)
{
    csv_line(header_line, sizeof header_line, std_cols, N_STD);
    cr_assert_eq(detect_line(header_line), fmt_layout_find("woocommerce"));
}

Test(woocommerce, detect_picks_woocommerce_for_a_plugin_header_with_other_names)
{
    /* The Order Export & Import plugin's names: order_number first, tax_total. */
    cr_assert_eq(detect_line("order_number,order_date,status,shipping_total,tax_total,order_total,"
                             "order_currency,billing_email,shipping_first_name,"
                             "shipping_address_1,line_item_1,line_item_2"),
                 fmt_layout_find("woocommerce"));
}

Test(woocommerce, detect_picks_canonical_for_a_canonical_header)
{
    cr_assert_eq(detect_line("order_id,order_time,sku,qty,unit_price,currency,ship_name,"
                             "ship_street,ship_city,ship_country,order_total"),
                 fmt_layout_find("canonical"));
}

Test(woocommerce, detect_picks_shopify_for_a_shopify_header)
{
    cr_assert_eq(detect_line("Name,Email,Financial Status,Created at,Lineitem quantity,"
                             "Lineitem name,Lineitem price,Lineitem sku,Currency,Total"),
                 fmt_layout_find("shopify"));
}

Test(woocommerce, detect_needs_a_line_item_column)
{
    /* Every WooCommerce order column but the items: not ours (nothing could be read). */
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    const char *line = "order_id,order_date,status,order_currency,billing_email,"
                       "shipping_first_name,shipping_address_1,shipping_postcode,customer_note";
    cr_assert_eq(fmt_csv_split(f, line, strlen(line)), ENG_OK);
    const fmt_layout *l = fmt_layout_find("woocommerce");
    cr_assert_eq(l->detect(l, f), 0);
    fmt_csv_fields_free(f);
}

Test(woocommerce, detect_ignores_line_item_lookalikes)
{
    /* line_item_0, line_item_x and line_item_1_name are not item columns. */
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    const char *line = "order_id,order_date,status,order_currency,billing_email,"
                       "line_item_0,line_item_x,line_item_1_name";
    cr_assert_eq(fmt_csv_split(f, line, strlen(line)), ENG_OK);
    const fmt_layout *l = fmt_layout_find("woocommerce");
    cr_assert_eq(l->detect(l, f), 0);
    fmt_csv_fields_free(f);
}

/* ---- bind ---- */

/* Bind the standard header without column `drop` (NULL: keep all). */
static eng_rc bind_without(const char *drop, eng_err *err)
{
    const char *cols[N_STD];
    size_t n = 0;
    for (size_t i = 0; i < N_STD; i++)
        if (!drop || strcmp(std_cols[i], drop) != 0)
            cols[n++] = std_cols[i];
    csv_line(header_line, sizeof header_line, cols, n);
    return bind_header(err);
}

Test(woocommerce, bind_refuses_missing_order_date_naming_column_and_layout, .fini = cleanup)
{
    eng_err err;
    cr_assert_eq(bind_without("order_date", &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "order_date");
    cr_assert(strstr(err.msg, "\"order_date\"") && strstr(err.msg, "woocommerce"), "%s", err.msg);
    cr_assert_null(bound);
}

Test(woocommerce, bind_refuses_missing_status, .fini = cleanup)
{
    /* Without status a cancelled order would ship. */
    eng_err err;
    cr_assert_eq(bind_without("status", &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "status");
    cr_assert(strstr(err.msg, "woocommerce"), "%s", err.msg);
}

Test(woocommerce, bind_refuses_missing_currency_naming_both_names, .fini = cleanup)
{
    eng_err err;
    cr_assert_eq(bind_without("order_currency", &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "order_currency");
    cr_assert(strstr(err.msg, "\"order_currency\" (or \"currency\")") &&
                  strstr(err.msg, "woocommerce header"),
              "%s", err.msg);
}

Test(woocommerce, bind_refuses_when_neither_order_id_nor_order_number, .fini = cleanup)
{
    csv_line(header_line, sizeof header_line, std_cols + 2, N_STD - 2);
    eng_err err;
    cr_assert_eq(bind_header(&err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "order_id");
    cr_assert(strstr(err.msg, "\"order_id\" (or \"order_number\")") &&
                  strstr(err.msg, "woocommerce"),
              "%s", err.msg);
}

Test(woocommerce, bind_refuses_a_header_without_item_columns, .fini = cleanup)
{
    csv_line(header_line, sizeof header_line, std_cols, N_STD - 3);
    eng_err err;
    cr_assert_eq(bind_header(&err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "line_item_1");
    cr_assert(strstr(err.msg, "\"line_item_1\"") && strstr(err.msg, "woocommerce"), "%s", err.msg);
}

Test(woocommerce, bind_refuses_an_item_number_twice, .fini = cleanup)
{
    /* line_item_2 and Line_Item_02 are the same column. */
    snprintf(header_line, sizeof header_line,
             "order_id,order_date,status,order_currency,line_item_1,line_item_2,Line_Item_02");
    eng_err err;
    cr_assert_eq(bind_header(&err), ENG_REFUSED);
    cr_assert(strstr(err.msg, "line_item_2") && strstr(err.msg, "twice") &&
                  strstr(err.msg, "columns 6 and 7"),
              "%s", err.msg);
}

Test(woocommerce, bind_uses_order_number_without_an_order_id_column, .fini = cleanup)
{
    static const char *const cols[] = {"order_number", "order_date", "status", "currency",
                                       "line_item_1"};
    static const char *const vals[] = {"WC-1042", "25-11-2026 08:14:22", "processing", "EUR",
                                       "sku:TENT-2P-ALP|quantity:1|total:189.00"};
    woo_cols(cols, vals, 5, NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_ORDER_ID, "WC-1042");
    assert_col(0, FMT_COL_CURRENCY, "EUR");
}

Test(woocommerce, bind_prefers_order_id_over_order_number, .fini = cleanup)
{
    woo_std("order_id", "5101", "order_number", "WC-5101", NULL);
    assert_col(0, FMT_COL_ORDER_ID, "5101");
}

/* ---- items ---- */

Test(woocommerce, one_row_per_item_with_order_values_on_the_first, .fini = cleanup)
{
    woo_std("line_item_2",
            "name:Self-inflating mat 5 cm|product_id:24|sku:MAT-SI-51|quantity:2|"
            "total:119.80|tax:22.76",
            "line_item_3", "name:Enamel camping mug|sku:MUG-ENAM-35|quantity:1|total:12.90",
            "order_tax", "60.11", "order_total", "331.00", NULL);
    assert_ok_rows(3);
    assert_col(0, FMT_COL_SKU, "TENT-2P-ALP");
    assert_col(1, FMT_COL_SKU, "MAT-SI-51");
    assert_col(1, FMT_COL_QTY, "2");
    assert_col(1, FMT_COL_UNIT_PRICE, "119.80");
    assert_col(2, FMT_COL_SKU, "MUG-ENAM-35");
    for (size_t i = 0; i < 3; i++)
        assert_col(i, FMT_COL_ORDER_ID, "5101");
    assert_col(0, FMT_COL_ORDER_TOTAL, "331.00");
    assert_col(0, FMT_COL_CHANNEL, "woocommerce");
    /* Later rows inherit: no order-level value of their own. */
    for (size_t i = 1; i < 3; i++)
        for (int c = 0; c < FMT_COL_COUNT; c++)
            if (fmt_col_is_order_level((fmt_col)c))
                assert_col(i, (fmt_col)c, "");
}

Test(woocommerce, item_total_is_the_line_total, .fini = cleanup)
{
    /* 3 mugs at 12.90 less a 15% coupon: total 32.89 is the line, not the unit. */
    woo_std("line_item_1",
            "name:Enamel camping mug 350 ml|product_id:40|sku:MUG-ENAM-35|quantity:3|total:32.89|"
            "sub_total:38.70|tax:6.91",
            NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_QTY, "3");
    assert_col(0, FMT_COL_UNIT_PRICE, "32.89");
    cr_assert_eq(out.rows[0].line_total, 1);
    cr_assert_eq(out.rows[0].head_only, 0);
}

Test(woocommerce, items_follow_column_numbers_not_file_order, .fini = cleanup)
{
    /* line_item_10 is after line_item_2 although the file puts it first. */
    snprintf(header_line, sizeof header_line,
             "order_id,order_date,status,order_currency,line_item_10,line_item_2,line_item_1");
    snprintf(record_line, sizeof record_line,
             "7,25-11-2026 08:14:22,processing,EUR,sku:C|quantity:1|total:3.00,"
             "sku:B|quantity:1|total:2.00,sku:A|quantity:1|total:1.00");
    transform_lines();
    assert_ok_rows(3);
    assert_col(0, FMT_COL_SKU, "A");
    assert_col(1, FMT_COL_SKU, "B");
    assert_col(2, FMT_COL_SKU, "C");
    assert_col(0, FMT_COL_ORDER_TIME, "2026-11-25T08:14:22Z");
}

Test(woocommerce, blank_item_cells_are_no_items, .fini = cleanup)
{
    /* The export pads shorter orders with blank cells up to the longest order. */
    woo_std("line_item_1", "", "line_item_2", "  ", "line_item_3",
            "name:Tarp|sku:TARP-3X3|quantity:1|total:49.90", NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_SKU, "TARP-3X3");
    assert_col(0, FMT_COL_CURRENCY, "EUR"); /* the first row made carries the order */
}

Test(woocommerce, item_without_sku_key_leaves_sku_blank, .fini = cleanup)
{
    /* The engine then reports MISSING_FIELD sku on the order. */
    woo_std("line_item_2", "name:Handmade wool socks|product_id:88|quantity:2|total:24.00", NULL);
    assert_ok_rows(2);
    assert_col(1, FMT_COL_SKU, "");
    assert_col(1, FMT_COL_QTY, "2");
    assert_col(1, FMT_COL_UNIT_PRICE, "24.00");
}

Test(woocommerce, item_with_empty_sku_value_leaves_sku_blank, .fini = cleanup)
{
    woo_std("line_item_1", "name:Handmade wool socks|product_id:88|sku:|quantity:2|total:24.00",
            NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_SKU, "");
}

Test(woocommerce, item_without_quantity_or_total_leaves_them_blank, .fini = cleanup)
{
    /* MISSING_FIELD qty and unit_price follow in the engine. */
    woo_std("line_item_1", "name:Alpine tent|sku:TENT-2P-ALP", NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_QTY, "");
    assert_col(0, FMT_COL_UNIT_PRICE, "");
}

Test(woocommerce, item_cell_that_is_not_pairs_is_malformed_naming_the_column, .fini = cleanup)
{
    woo_std("line_item_2", "Alpine tent x1", NULL);
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "line_item_2") &&
                  strstr(out.malformed, "\"Alpine tent x1\" is not a key:value pair"),
              "%s", out.malformed);
    /* The order id is still known, so the engine rejects the whole order. */
    cr_assert_geq(out.n, 1u);
    assert_col(0, FMT_COL_ORDER_ID, "5101");
}

Test(woocommerce, item_cell_with_only_unknown_keys_is_malformed, .fini = cleanup)
{
    woo_std("line_item_1", "product_id:13|colour:green", NULL);
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "line_item_1") &&
                  strstr(out.malformed, "none of the keys name:, sku:, quantity:, total:"),
              "%s", out.malformed);
}

Test(woocommerce, item_key_twice_is_malformed, .fini = cleanup)
{
    /* A name holding "|sku:" cannot be told from the key: refuse to guess. */
    woo_std("line_item_1", "name:Gift box |sku: see label|sku:TENT-2P-ALP|quantity:1|total:189.00",
            NULL);
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "line_item_1") && strstr(out.malformed, "sku: twice"), "%s",
              out.malformed);
}

Test(woocommerce, piece_without_colon_after_a_number_key_is_malformed, .fini = cleanup)
{
    woo_std("line_item_1", "name:Tent|sku:TENT-2P-ALP|quantity:1|2|total:189.00", NULL);
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "\"2\" is not a key:value pair"), "%s", out.malformed);
}

Test(woocommerce, item_name_may_hold_colons_and_bars, .fini = cleanup)
{
    woo_std("line_item_1",
            "name:Wool picnic blanket | 130 x 170 cm: grey|product_id:70|sku:BLANKET-WOOL|"
            "quantity:1|total:59.00",
            NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_SKU, "BLANKET-WOOL");
    assert_col(0, FMT_COL_QTY, "1");
    assert_col(0, FMT_COL_UNIT_PRICE, "59.00");
}

Test(woocommerce, item_meta_pairs_are_ignored, .fini = cleanup)
{
    woo_std("line_item_1",
            "name:Parachute hammock - Olive|product_id:61|variation_id:64|sku:HAMMOCK-PAR|"
            "quantity:1|total:39.90|tax:8.78|tax_data:{\"total\":{\"3\":\"8.78\"}}|"
            "pa_colour:olive|_reduced_stock:1",
            NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_SKU, "HAMMOCK-PAR");
    assert_col(0, FMT_COL_UNIT_PRICE, "39.90");
}

Test(woocommerce, item_keys_in_any_order_and_case_with_blanks, .fini = cleanup)
{
    woo_std("line_item_1", "Total: 189.00 | QTY: 1 | SKU: TENT-2P-ALP | Name: Alpine tent", NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_SKU, "TENT-2P-ALP");
    assert_col(0, FMT_COL_QTY, "1");
    assert_col(0, FMT_COL_UNIT_PRICE, "189.00");
}

Test(woocommerce, item_total_with_currency_sign_is_normalised, .fini = cleanup)
{
    woo_std("line_item_1", "sku:TENT-2P-ALP|quantity:1|total:€189,00", NULL);
    assert_col(0, FMT_COL_UNIT_PRICE, "189.00");
}

Test(woocommerce, unreadable_item_values_pass_unchanged, .fini = cleanup)
{
    /* The engine reports BAD_QTY and BAD_NUMBER with the value as written. */
    woo_std("line_item_1", "sku:TENT-2P-ALP|quantity:one|total:n/a", NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_QTY, "one");
    assert_col(0, FMT_COL_UNIT_PRICE, "n/a");
}

Test(woocommerce, order_without_items_is_one_summary_row, .fini = cleanup)
{
    /* The engine then says the order has no item lines (MISSING_FIELD sku). */
    woo_std("line_item_1", "", NULL);
    assert_ok_rows(1);
    cr_assert_eq(out.rows[0].head_only, 1);
    assert_col(0, FMT_COL_ORDER_ID, "5101");
    assert_col(0, FMT_COL_CURRENCY, "EUR");
}

/* ---- dates ---- */

Test(woocommerce, day_first_date_becomes_iso_utc, .fini = cleanup)
{
    woo_std("order_date", "16-05-2026 07:32:06", NULL);
    assert_col(0, FMT_COL_ORDER_TIME, "2026-05-16T07:32:06Z");
}

Test(woocommerce, day_first_date_without_seconds, .fini = cleanup)
{
    woo_std("order_date", "5-1-2026 7:05", NULL);
    assert_col(0, FMT_COL_ORDER_TIME, "2026-01-05T07:05:00Z");
}

Test(woocommerce, day_first_date_alone, .fini = cleanup)
{
    woo_std("order_date", "16-05-2026", NULL);
    assert_col(0, FMT_COL_ORDER_TIME, "2026-05-16T00:00:00Z");
}

Test(woocommerce, iso_date_passes_unchanged, .fini = cleanup)
{
    woo_std("order_date", "2026-11-26 09:15:02", NULL);
    assert_col(0, FMT_COL_ORDER_TIME, "2026-11-26 09:15:02");
}

Test(woocommerce, unreadable_date_passes_unchanged, .fini = cleanup)
{
    /* BAD_DATE in the engine, quoting this. */
    woo_std("order_date", "yesterday 09:15", NULL);
    assert_col(0, FMT_COL_ORDER_TIME, "yesterday 09:15");
}

/* ---- statuses ---- */

static fmt_state state_of(const char *status)
{
    woo_std("status", status, NULL);
    cr_assert_null(out.malformed, "%s: %s", status, out.malformed);
    fmt_state st = out.rows[0].order_state;
    cleanup();
    return st;
}

Test(woocommerce, processing_ships_with_or_without_prefix, .fini = cleanup)
{
    cr_assert_eq(state_of("processing"), FMT_STATE_NONE);
    cr_assert_eq(state_of("wc-processing"), FMT_STATE_NONE);
    cr_assert_eq(state_of("Processing"), FMT_STATE_NONE);
}

Test(woocommerce, completed_is_already_fulfilled, .fini = cleanup)
{
    cr_assert_eq(state_of("completed"), FMT_STATE_FULFILLED);
    cr_assert_eq(state_of("wc-completed"), FMT_STATE_FULFILLED);
}

Test(woocommerce, cancelled_failed_and_refunded_are_cancelled, .fini = cleanup)
{
    cr_assert_eq(state_of("wc-cancelled"), FMT_STATE_CANCELLED);
    cr_assert_eq(state_of("failed"), FMT_STATE_CANCELLED);
    cr_assert_eq(state_of("wc-refunded"), FMT_STATE_CANCELLED);
}

Test(woocommerce, pending_and_on_hold_await_payment, .fini = cleanup)
{
    cr_assert_eq(state_of("wc-pending"), FMT_STATE_UNPAID);
    cr_assert_eq(state_of("on-hold"), FMT_STATE_UNPAID);
    cr_assert_eq(state_of("On hold"), FMT_STATE_UNPAID);
    cr_assert_eq(state_of("Pending payment"), FMT_STATE_UNPAID);
    cr_assert_eq(state_of("wc-checkout-draft"), FMT_STATE_UNPAID);
}

Test(woocommerce, state_is_on_the_first_row_only, .fini = cleanup)
{
    woo_std("status", "wc-cancelled", "line_item_2", "sku:MAT-SI-51|quantity:1|total:59.90", NULL);
    assert_ok_rows(2);
    cr_assert_eq(out.rows[0].order_state, FMT_STATE_CANCELLED);
    cr_assert_eq(out.rows[1].order_state, FMT_STATE_NONE);
    cr_assert_eq(out.rows[1].line_state, FMT_STATE_NONE);
}

Test(woocommerce, unknown_status_is_malformed_naming_it, .fini = cleanup)
{
    /* A shop's custom status is not guessed at: nothing ships until someone looks. */
    woo_std("status", "wc-shipped", NULL);
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "status \"wc-shipped\""), "%s", out.malformed);
    assert_col(0, FMT_COL_ORDER_ID, "5101");
}

Test(woocommerce, blank_status_is_malformed, .fini = cleanup)
{
    woo_std("status", "", NULL);
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "status \"\""), "%s", out.malformed);
}

/* ---- ship-to ---- */

Test(woocommerce, ship_to_comes_from_the_shipping_columns, .fini = cleanup)
{
    woo_std("billing_first_name", "Hans", "billing_last_name", "Payer", "shipping_postcode",
            "'01069", "shipping_state", "SN", NULL);
    assert_col(0, FMT_COL_SHIP_NAME, "Anna Schmidt");
    assert_col(0, FMT_COL_SHIP_STREET, "Lindenstraße 14");
    assert_col(0, FMT_COL_SHIP_CITY, "Berlin");
    assert_col(0, FMT_COL_SHIP_REGION, "SN");
    assert_col(0, FMT_COL_SHIP_POSTAL, "01069"); /* spreadsheet protection removed */
    assert_col(0, FMT_COL_SHIP_COUNTRY, "DE");
    assert_col(0, FMT_COL_SHIP_SERVICE, "DHL Paket");
    assert_col(0, FMT_COL_CUSTOMER_ID, "anna.schmidt@example.de");
}

Test(woocommerce, company_follows_the_name, .fini = cleanup)
{
    woo_std("shipping_first_name", "Jonas", "shipping_last_name", "Weber", "shipping_company",
            "Bergsport Weber GmbH", NULL);
    assert_col(0, FMT_COL_SHIP_NAME, "Jonas Weber, Bergsport Weber GmbH");
}

Test(woocommerce, company_alone_is_the_name, .fini = cleanup)
{
    woo_std("shipping_first_name", "", "shipping_last_name", "", "shipping_company",
            "Bergsport Weber GmbH", NULL);
    assert_col(0, FMT_COL_SHIP_NAME, "Bergsport Weber GmbH");
}

Test(woocommerce, address_2_follows_address_1, .fini = cleanup)
{
    woo_std("shipping_address_2", "Hinterhaus, 2. OG", NULL);
    assert_col(0, FMT_COL_SHIP_STREET, "Lindenstraße 14, Hinterhaus, 2. OG");
}

Test(woocommerce, billing_address_is_never_the_ship_to, .fini = cleanup)
{
    /* A virtual or local pickup order: the engine reports the missing ship-to. */
    woo_std("shipping_first_name", "", "shipping_last_name", "", "shipping_address_1", "",
            "shipping_city", "", "shipping_postcode", "", "shipping_country", "", NULL);
    assert_col(0, FMT_COL_SHIP_NAME, "");
    assert_col(0, FMT_COL_SHIP_STREET, "");
    assert_col(0, FMT_COL_SHIP_COUNTRY, "");
}

Test(woocommerce, shipping_method_title_wins_over_method_id, .fini = cleanup)
{
    static const char *const cols[] = {"order_id",       "order_date",      "status",
                                       "order_currency", "shipping_method", "shipping_method_title",
                                       "line_item_1"};
    static const char *const vals[] = {"9",
                                       "25-11-2026 08:14:22",
                                       "processing",
                                       "EUR",
                                       "flat_rate:3",
                                       "DHL Paket (2-3 days)",
                                       "sku:A|quantity:1|total:1.00"};
    woo_cols(cols, vals, 7, NULL);
    assert_col(0, FMT_COL_SHIP_SERVICE, "DHL Paket (2-3 days)");
    cleanup();
    woo_cols(cols, vals, 7, "shipping_method_title", "", NULL);
    assert_col(0, FMT_COL_SHIP_SERVICE, "flat_rate:3");
}

/* Issue 16: the gateway's id names who pays out; its title only when the id is blank. */
Test(woocommerce, payment_method_id_wins_over_its_title, .fini = cleanup)
{
    static const char *const cols[] = {"order_id",       "order_date",     "status",
                                       "order_currency", "payment_method", "payment_method_title",
                                       "line_item_1"};
    static const char *const vals[] = {"9",
                                       "25-11-2026 08:14:22",
                                       "processing",
                                       "EUR",
                                       "stripe",
                                       "Credit Card (Stripe)",
                                       "sku:A|quantity:1|total:1.00"};
    woo_cols(cols, vals, 7, NULL);
    assert_col(0, FMT_COL_PAYMENT_GATEWAY, "stripe");
    cleanup();
    woo_cols(cols, vals, 7, "payment_method", "", NULL);
    assert_col(0, FMT_COL_PAYMENT_GATEWAY, "Credit Card (Stripe)");
}

/* ---- quoting and line breaks ---- */

Test(woocommerce, multi_line_note_and_doubled_quotes_still_map, .fini = cleanup)
{
    /* Regression (2026-11-26 sample, order 5102): a customer note over two lines with
     * doubled quotes, and an item name with doubled quotes, written as the plugin writes
     * them. */
    woo_std("customer_note",
            "Please leave the parcel with the neighbours\nThe \"blue\" mug is a present.",
            "line_item_1",
            "name:Picture frame 5\"x7\" oak|product_id:77|sku:FRAME-5X7|quantity:2|total:33.80",
            NULL);
    cr_assert(strstr(record_line, "The \"\"blue\"\" mug") && strstr(record_line, "5\"\"x7\"\""),
              "the test record should hold doubled quotes: %s", record_line);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_SKU, "FRAME-5X7");
    assert_col(0, FMT_COL_QTY, "2");
    assert_col(0, FMT_COL_UNIT_PRICE, "33.80");
    assert_col(0, FMT_COL_ORDER_TOTAL, "230.80");
}

Test(woocommerce, address_over_two_lines_is_joined, .fini = cleanup)
{
    woo_std("shipping_address_1", "Rue Haute 112\r\n  Boîte 4\n", NULL);
    assert_col(0, FMT_COL_SHIP_STREET, "Rue Haute 112, Boîte 4");
}

Test(woocommerce, record_after_a_multi_line_record_keeps_its_line, .fini = cleanup)
{
    /* The file's line numbers (exceptions.csv) count the breaks inside quotes: the
     * record after a two-line note starts on line 4, and both records map. */
    csv_line(header_line, sizeof header_line, std_cols, N_STD);
    const char *v[N_STD];
    memcpy(v, std_vals, sizeof v);
    v[23] = "first line\nsecond \"line\"";
    char one[2048], two[2048], file[16384];
    csv_line(one, sizeof one, v, N_STD);
    v[0] = "5102";
    v[23] = "";
    csv_line(two, sizeof two, v, N_STD);
    snprintf(file, sizeof file, "%s\n%s\n%s\n", header_line, one, two);

    fmt_csv_iter it;
    fmt_csv_iter_init(&it, file, strlen(file), 1, fmt_layout_find("woocommerce")->dialect);
    fmt_str rec;
    uint64_t line;
    uint64_t lines[3];
    char recs[3][2048];
    size_t n = 0;
    while (n < 3 && fmt_csv_iter_next(&it, &rec, &line)) {
        lines[n] = line;
        snprintf(recs[n], sizeof recs[n], "%.*s", (int)rec.len, rec.p);
        n++;
    }
    cr_assert_eq(n, 3u);
    cr_assert_eq(lines[0], 1u);
    cr_assert_eq(lines[1], 2u);
    cr_assert_eq(lines[2], 4u);
    snprintf(record_line, sizeof record_line, "%s", recs[2]);
    transform_lines();
    assert_ok_rows(1);
    assert_col(0, FMT_COL_ORDER_ID, "5102");
}

/* ---- totals ---- */

Test(woocommerce, tax_adds_shipping_tax_to_order_tax, .fini = cleanup)
{
    /* 189.00 + 4.95 + (35.91 + 0.94) = 230.80: the engine's sum matches order_total. */
    woo_std(NULL);
    assert_col(0, FMT_COL_SHIPPING, "4.95");
    assert_col(0, FMT_COL_TAX, "36.85");
    assert_col(0, FMT_COL_ORDER_TOTAL, "230.80");
}

Test(woocommerce, coupon_discount_is_not_subtracted_again, .fini = cleanup)
{
    /* The line total 32.89 is already after the 5.81 coupon. */
    woo_std("cart_discount", "5.81", "line_item_1", "sku:MUG-ENAM-35|quantity:3|total:32.89",
            "order_shipping", "6.90", "order_shipping_tax", "1.45", "order_tax", "6.91",
            "order_total", "48.15", NULL);
    assert_col(0, FMT_COL_DISCOUNT, "");
    assert_col(0, FMT_COL_TAX, "8.36");
    assert_col(0, FMT_COL_ORDER_TOTAL, "48.15");
}

Test(woocommerce, sums_of_different_decimals_are_exact, .fini = cleanup)
{
    woo_std("order_tax", "5.7", "order_shipping_tax", "0.945", NULL);
    assert_col(0, FMT_COL_TAX, "6.645"); /* too many digits for EUR: the engine says so */
}

Test(woocommerce, unreadable_tax_passes_unchanged, .fini = cleanup)
{
    woo_std("order_tax", "n/a", NULL);
    assert_col(0, FMT_COL_TAX, "n/a");
}

Test(woocommerce, amounts_with_currency_signs_are_normalised, .fini = cleanup)
{
    woo_std("order_shipping", "€4,95", "order_total", "230,80 €", NULL);
    assert_col(0, FMT_COL_SHIPPING, "4.95");
    assert_col(0, FMT_COL_ORDER_TOTAL, "230.80");
}

static const char *const plugin_cols[] = {
    "order_number",   "order_date",         "status",      "order_currency",
    "shipping_total", "shipping_tax_total", "tax_total",   "fee_total",
    "discount_total", "order_total",        "line_item_1",
};
static const char *const plugin_vals[] = {
    "5101",
    "2026-11-25 08:14:22",
    "processing",
    "EUR",
    "4.95",
    "0.94",
    "36.85",
    "0.00",
    "0.00",
    "230.80",
    "sku:TENT-2P-ALP|quantity:1|total:189.00",
};
#define N_PLUGIN (sizeof plugin_cols / sizeof *plugin_cols)

Test(woocommerce, tax_total_already_holds_shipping_tax, .fini = cleanup)
{
    woo_cols(plugin_cols, plugin_vals, N_PLUGIN, NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_TAX, "36.85");
    assert_col(0, FMT_COL_SHIPPING, "4.95");
    assert_col(0, FMT_COL_ORDER_TOTAL, "230.80");
}

Test(woocommerce, positive_fee_is_added_to_shipping, .fini = cleanup)
{
    /* A 2.50 cash-on-delivery fee (its tax is inside tax_total). */
    woo_cols(plugin_cols, plugin_vals, N_PLUGIN, "fee_total", "2.50", "tax_total", "37.33",
             "order_total", "233.78", NULL);
    assert_col(0, FMT_COL_SHIPPING, "7.45");
    assert_col(0, FMT_COL_DISCOUNT, "");
    assert_col(0, FMT_COL_ORDER_TOTAL, "233.78");
}

Test(woocommerce, negative_fee_is_the_discount, .fini = cleanup)
{
    woo_cols(plugin_cols, plugin_vals, N_PLUGIN, "fee_total", "-10.00", "order_total", "220.80",
             NULL);
    assert_col(0, FMT_COL_SHIPPING, "4.95");
    assert_col(0, FMT_COL_DISCOUNT, "10.00");
}

Test(woocommerce, discount_total_is_not_the_discount, .fini = cleanup)
{
    woo_cols(plugin_cols, plugin_vals, N_PLUGIN, "discount_total", "12.00", NULL);
    assert_col(0, FMT_COL_DISCOUNT, "");
}

static const char *const no_ship_tax_cols[] = {
    "order_id",       "order_date", "status",      "order_currency",
    "order_shipping", "order_tax",  "order_total", "line_item_1",
};

Test(woocommerce, order_total_is_dropped_when_shipping_tax_is_unknown, .fini = cleanup)
{
    /* order_tax without a shipping tax column, and shipping charged: was it taxed? */
    static const char *const vals[] = {"1",          "25-11-2026 08:14:22",
                                       "processing", "EUR",
                                       "4.95",       "35.91",
                                       "230.80",     "sku:TENT-2P-ALP|quantity:1|total:189.00"};
    woo_cols(no_ship_tax_cols, vals, 8, NULL);
    assert_col(0, FMT_COL_ORDER_TOTAL, "");
    assert_col(0, FMT_COL_TAX, "35.91");
    assert_col(0, FMT_COL_SHIPPING, "4.95");
}

Test(woocommerce, order_total_is_kept_without_shipping_charge, .fini = cleanup)
{
    /* No shipping charged, so no shipping tax: the total can be checked. */
    static const char *const vals[] = {"1",          "25-11-2026 08:14:22",
                                       "processing", "EUR",
                                       "0.00",       "35.91",
                                       "224.91",     "sku:TENT-2P-ALP|quantity:1|total:189.00"};
    woo_cols(no_ship_tax_cols, vals, 8, NULL);
    assert_col(0, FMT_COL_ORDER_TOTAL, "224.91");
}

Test(woocommerce, order_total_is_dropped_without_any_tax_column, .fini = cleanup)
{
    static const char *const cols[] = {"order_id", "order_date",  "status",
                                       "currency", "order_total", "line_item_1"};
    static const char *const vals[] = {
        "1", "25-11-2026 08:14:22", "processing", "EUR", "189.00", "sku:A|quantity:1|total:189.00"};
    woo_cols(cols, vals, 6, NULL);
    assert_ok_rows(1);
    assert_col(0, FMT_COL_ORDER_TOTAL, "");
    assert_col(0, FMT_COL_TAX, "");
}

/* ---- source_column: the export's column an exception names ---- */

static int std_index(const char *name)
{
    for (size_t i = 0; i < N_STD; i++)
        if (strcmp(std_cols[i], name) == 0)
            return (int)i;
    cr_assert_fail("no column %s", name);
    return -1;
}

Test(woocommerce, exceptions_name_the_files_own_column, .fini = cleanup)
{
    woo_std(NULL);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_ORDER_ID), std_index("order_id"));
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_CURRENCY), std_index("order_currency"));
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_SHIP_SERVICE),
                 std_index("shipping_method"));
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_SHIPPING), std_index("order_shipping"));
    /* The item cells feed sku, qty and unit_price, whatever their number. */
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_SKU), -1);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_QTY), -1);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_UNIT_PRICE), -1);
    /* Made up, or joined from several columns. */
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_CHANNEL), -1);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_SHIP_NAME), -1);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_TAX), -1); /* order_tax + shipping tax */
}

Test(woocommerce, exceptions_name_the_alternative_the_header_has, .fini = cleanup)
{
    static const char *const cols[] = {"order_number", "order_date", "status",     "currency",
                                       "tax_total",    "fee_total",  "line_item_1"};
    static const char *const vals[] = {"WC-1042",
                                       "25-11-2026 08:14:22",
                                       "processing",
                                       "EUR",
                                       "0.00",
                                       "-5.00",
                                       "sku:TENT-2P-ALP|quantity:1|total:189.00"};
    woo_cols(cols, vals, 7, NULL);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_ORDER_ID), 0);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_CURRENCY), 3);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_TAX), 4);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_DISCOUNT), 5);
    cr_expect_eq(woo->source_column(woo, bound, FMT_COL_SHIPPING), 5); /* fee_total alone */
}
