/* Tests of engine/catalog: loading a clean catalog (values, defaults, lookups) and every
 * refusal of unclean reference data, with the file, line and field it names. */
#include "../engine/setup/catalog.h"
#include "../formats/currency.h"
#include "testutil.h"

#define HEADER "sku,name,status,list_price,min_price,currency\n"
#define HEADER_ALL \
    "sku,name,status,list_price,min_price,currency,returnable,return_window_days,bin\n"

static char path[512]; /* borrowed by the catalog for its life */
static eng_catalog *cat;
static eng_err err;

static void setup(void)
{
    tu_dir_new();
    tu_path(path, sizeof path, "catalog.csv");
    cat = NULL;
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    eng_catalog_free(cat);
    tu_dir_remove();
}

TestSuite(catalog, .init = setup, .fini = teardown);

static eng_rc load(const char *text)
{
    tu_write(path, text, strlen(text));
    return eng_catalog_load(path, &cat, &err);
}

static const eng_product *must_load_one(const char *text, const char *sku)
{
    cr_assert_eq(load(text), ENG_OK, "refused: %s", err.msg);
    int32_t i = eng_catalog_find(cat, sku, strlen(sku));
    cr_assert_geq(i, 0, "%s not found", sku);
    return eng_catalog_get(cat, (uint32_t)i);
}

/* Refused on `line`, naming `field` (NULL: not checked) and a message containing part. */
static void assert_refused(const char *text, uint64_t line, const char *field, const char *part)
{
    cr_assert_eq(load(text), ENG_REFUSED, "accepted:\n%s", text);
    cr_assert_null(cat, "no catalog on refusal");
    cr_assert_eq(err.rc, ENG_REFUSED);
    cr_assert_str_eq(err.path, path);
    cr_assert_eq(err.line, line, "line %llu, want %llu (%s)", (unsigned long long)err.line,
                 (unsigned long long)line, err.msg);
    if (field)
        cr_assert(err.field && strcmp(err.field, field) == 0, "field %s, want %s (%s)",
                  err.field ? err.field : "(none)", field, err.msg);
    if (part)
        cr_assert(strstr(err.msg, part) != NULL, "message '%s' lacks '%s'", err.msg, part);
}

/* ---- clean files ---- */

Test(catalog, loads_every_row_in_file_order)
{
    cr_assert_eq(load(HEADER "TENT,Tent 2P,active,199.00,149.00,EUR\n"
                             "MUG,Mug,active,5.00,4.00,EUR\n"
                             "US-CHAIR,Chair,active,39.99,29.99,USD\n"),
                 ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_catalog_count(cat), 3);
    cr_assert_str_eq(eng_catalog_get(cat, 0)->sku, "TENT");
    cr_assert_str_eq(eng_catalog_get(cat, 1)->sku, "MUG");
    cr_assert_str_eq(eng_catalog_get(cat, 2)->sku, "US-CHAIR");
    cr_assert_eq(eng_catalog_find(cat, "MUG", 3), 1);
}

Test(catalog, keeps_prices_in_minor_units_and_the_currency)
{
    const eng_product *p = must_load_one(HEADER "TENT,Tent 2P,active,199.90,149.5,EUR\n", "TENT");
    cr_assert_eq(p->n_prices, 1);
    cr_assert_eq(p->price.list_minor, 19990);
    cr_assert_eq(p->price.min_minor, 14950);
    cr_assert_eq(p->price.currency, fmt_currency_find("EUR", 3));
    cr_assert_str_eq(p->name, "Tent 2P");
    cr_assert_eq(p->sku_len, 4);
}

Test(catalog, zero_decimal_currency_takes_whole_amounts)
{
    const eng_product *p = must_load_one(HEADER "CUP,Cup,active,1200,1000,JPY\n", "CUP");
    cr_assert_eq(p->price.list_minor, 1200);
    cr_assert_eq(p->price.min_minor, 1000);
}

Test(catalog, optional_columns_default_to_returnable_policy_window_and_no_bin)
{
    const eng_product *p = must_load_one(HEADER "MUG,Mug,active,5.00,4.00,EUR\n", "MUG");
    cr_assert_eq(p->returnable, 1);
    cr_assert_eq(p->return_window, -1);
    cr_assert_str_eq(p->bin, "");
}

Test(catalog, reads_returnable_window_and_bin)
{
    const eng_product *p =
        must_load_one(HEADER_ALL "GAS,Gas cartridge,active,5.60,4.00,EUR,n,14,B-02-02\n", "GAS");
    cr_assert_eq(p->returnable, 0);
    cr_assert_eq(p->return_window, 14);
    cr_assert_str_eq(p->bin, "B-02-02");
}

Test(catalog, columns_are_matched_by_name_in_any_order)
{
    const eng_product *p = must_load_one(
        "currency,min_price,bin,sku,list_price,status,name\nEUR,4.00,A-1,MUG,5.00,active,Mug\n",
        "MUG");
    cr_assert_eq(p->price.list_minor, 500);
    cr_assert_str_eq(p->bin, "A-1");
    cr_assert_str_eq(p->name, "Mug");
}

Test(catalog, quoted_name_with_comma_and_doubled_quotes)
{
    const eng_product *p = must_load_one(
        HEADER "FRAME,\"Picture frame 5\"\"x7\"\", oak\",active,9.00,8.00,EUR\n", "FRAME");
    cr_assert_str_eq(p->name, "Picture frame 5\"x7\", oak");
}

Test(catalog, status_active_in_any_case_is_active)
{
    const eng_product *p = must_load_one(HEADER "MUG,Mug,Active,5.00,4.00,EUR\n", "MUG");
    cr_assert_eq(p->active, 1);
    cr_assert_str_eq(p->status, "Active");
}

Test(catalog, other_status_is_kept_but_not_active)
{
    const eng_product *p = must_load_one(HEADER "LAMP,Lamp,discontinued,5.00,4.00,EUR\n", "LAMP");
    cr_assert_eq(p->active, 0);
    cr_assert_str_eq(p->status, "discontinued");
}

Test(catalog, min_price_equal_to_list_price_is_accepted)
{
    const eng_product *p = must_load_one(HEADER "MUG,Mug,active,5.00,5.00,EUR\n", "MUG");
    cr_assert_eq(p->price.min_minor, p->price.list_minor);
}

Test(catalog, returnable_accepts_y_yes_n_no_in_any_case)
{
    cr_assert_eq(load(HEADER_ALL "A,a,active,1.00,1.00,EUR,Y,,\n"
                                 "B,b,active,1.00,1.00,EUR,yes,,\n"
                                 "C,c,active,1.00,1.00,EUR,N,,\n"
                                 "D,d,active,1.00,1.00,EUR,no,,\n"),
                 ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_catalog_get(cat, 0)->returnable, 1);
    cr_assert_eq(eng_catalog_get(cat, 1)->returnable, 1);
    cr_assert_eq(eng_catalog_get(cat, 2)->returnable, 0);
    cr_assert_eq(eng_catalog_get(cat, 3)->returnable, 0);
}

Test(catalog, return_window_of_zero_days_is_accepted)
{
    const eng_product *p = must_load_one(HEADER_ALL "A,a,active,1.00,1.00,EUR,y,0,\n", "A");
    cr_assert_eq(p->return_window, 0);
}

Test(catalog, find_is_exact_bytes)
{
    must_load_one(HEADER "TENT,Tent,active,1.00,1.00,EUR\n", "TENT");
    cr_assert_eq(eng_catalog_find(cat, "tent", 4), -1);
    cr_assert_eq(eng_catalog_find(cat, "TENT ", 5), -1);
    cr_assert_eq(eng_catalog_find(cat, "TEN", 3), -1);
    cr_assert_eq(eng_catalog_find(cat, "TENTX", 4), 0, "only len bytes are compared");
}

/* The index keeps SKUs up to 16 bytes in its slots and longer ones by pointer, and says
 * whether the product is active without reading the product. */
Test(catalog, lookup_finds_short_and_long_skus_and_says_whether_active)
{
    cr_assert_eq(load(HEADER "SIXTEEN-BYTES-16,a,active,1.00,1.00,EUR\n"
                             "SEVENTEEN-BYTES-1,b,discontinued,1.00,1.00,EUR\n"
                             "A-RATHER-LONG-SKU-OF-FORTY-BYTES-0000001,c,Active,1.00,1.00,EUR\n"
                             "A-RATHER-LONG-SKU-OF-FORTY-BYTES-0000002,d,draft,1.00,1.00,EUR\n"),
                 ENG_OK, "%s", err.msg);
    const char *sku[] = {"SIXTEEN-BYTES-16", "SEVENTEEN-BYTES-1",
                         "A-RATHER-LONG-SKU-OF-FORTY-BYTES-0000001",
                         "A-RATHER-LONG-SKU-OF-FORTY-BYTES-0000002"};
    int want_active[] = {1, 0, 1, 0};
    for (int i = 0; i < 4; i++) {
        int active = -1;
        cr_assert_eq(eng_catalog_lookup(cat, sku[i], strlen(sku[i]), &active), i, "%s", sku[i]);
        cr_assert_eq(active, want_active[i], "%s", sku[i]);
        cr_assert_eq(active, eng_catalog_get(cat, (uint32_t)i)->active != 0);
        cr_assert_eq(eng_catalog_find(cat, sku[i], strlen(sku[i])), i);
    }
    int active = -1;
    cr_assert_eq(eng_catalog_lookup(cat, "SIXTEEN-BYTES-17", 16, &active), -1);
    cr_assert_eq(active, 0, "no product, not active");
    cr_assert_eq(eng_catalog_find(cat, "A-RATHER-LONG-SKU-OF-FORTY-BYTES-0000003", 40), -1);
}

Test(catalog, reports_file_bytes_and_sha256)
{
    const char *text = HEADER "MUG,Mug,active,5.00,4.00,EUR\n";
    cr_assert_eq(load(text), ENG_OK);
    char want[65];
    tu_sha256_hex(text, strlen(text), want);
    cr_assert_eq(eng_catalog_file_bytes(cat), strlen(text));
    cr_assert_str_eq(eng_catalog_file_sha256(cat), want);
}

/* Issue 5 (hostile input), 2026-11-27: a header with no products rejected every order
 * of the night with UNKNOWN_SKU in a run that exited 0. */
Test(catalog, refuses_a_header_with_no_products)
{
    cr_assert_eq(load(HEADER), ENG_REFUSED);
    cr_assert_eq(err.line, 1);
    cr_assert(strstr(err.msg, "no products") != NULL, "%s", err.msg);
}

Test(catalog, one_product_is_enough)
{
    cr_assert_eq(load(HEADER "MUG,Mug,active,8.00,6.00,EUR\n"), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_catalog_count(cat), 1);
}

/* ---- prices per currency (issue 14) ---- */

/* A SKU sold in EUR on one channel and GBP on another was refused as a duplicate SKU. */
Test(catalog, a_sku_may_have_a_row_per_currency)
{
    cr_assert_eq(load(HEADER_ALL "MUG,Mug,active,5.00,4.00,EUR,y,30,A-1\n"
                                 "TENT,Tent,active,199.00,149.00,EUR,y,,B-2\n"
                                 "MUG,Mug,active,4.50,3.50,GBP,y,30,A-1\n"
                                 "MUG,Mug,active,700,500,JPY,y,30,A-1\n"),
                 ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_catalog_count(cat), 2, "one product per SKU");
    cr_assert_eq(eng_catalog_find(cat, "MUG", 3), 0);
    cr_assert_eq(eng_catalog_find(cat, "TENT", 4), 1, "products in order of first rows");
    const eng_product *p = eng_catalog_get(cat, 0);
    cr_assert_eq(p->n_prices, 3);
    int eur = fmt_currency_find("EUR", 3), gbp = fmt_currency_find("GBP", 3),
        jpy = fmt_currency_find("JPY", 3), usd = fmt_currency_find("USD", 3);
    cr_assert_eq(p->price.currency, eur, "file order");
    cr_assert_eq(eng_product_price(p, gbp)->list_minor, 450);
    cr_assert_eq(eng_product_price(p, gbp)->min_minor, 350);
    cr_assert_eq(eng_product_price(p, jpy)->min_minor, 500);
    cr_assert_eq(eng_product_price(p, eur)->min_minor, 400);
    cr_assert_null(eng_product_price(p, usd));
    cr_assert_eq(eng_catalog_get(cat, 1)->n_prices, 1);
}

/* Prices grow by doubling; every one stays where its currency finds it. */
Test(catalog, a_sku_in_many_currencies_keeps_every_price)
{
    static const char *const codes[] = {"EUR", "GBP", "USD", "CHF", "SEK", "NOK", "DKK",
                                        "PLN", "CZK", "HUF", "CAD", "AUD", "NZD", "JPY"};
    enum { N = sizeof codes / sizeof *codes };
    char text[2048];
    size_t len = (size_t)snprintf(text, sizeof text, "%s", HEADER);
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "MUG,Mug,active,%d00,%d00,%s\n",
                                i + 10, i + 1, codes[i]);
    cr_assert_eq(load(text), ENG_OK, "%s", err.msg);
    const eng_product *p = eng_catalog_get(cat, 0);
    cr_assert_eq(eng_catalog_count(cat), 1);
    cr_assert_eq(p->n_prices, N);
    for (int i = 0; i < N; i++) {
        int cur = fmt_currency_find(codes[i], 3);
        const eng_price *pr = eng_product_price(p, cur);
        cr_assert_not_null(pr, "%s", codes[i]);
        int digits = fmt_currency_minor_digits(cur);
        int64_t scale = digits == 0 ? 1 : digits == 2 ? 100 : 1000;
        cr_assert_eq(pr->list_minor, (int64_t)(i + 10) * 100 * scale, "%s", codes[i]);
        cr_assert_eq(pr->line, (uint64_t)i + 2, "%s", codes[i]);
    }
}

Test(catalog, refuses_a_sku_twice_in_one_currency_among_others)
{
    assert_refused(HEADER "MUG,Mug,active,5.00,4.00,EUR\n"
                          "MUG,Mug,active,4.50,3.50,GBP\n"
                          "MUG,Mug,active,6.00,4.00,GBP\n",
                   4, "sku", "appears twice in GBP (first on line 3)");
}

Test(catalog, refuses_rows_of_one_sku_differing_in_more_than_prices)
{
    static const char *const rows[][2] = {
        {"MUG,Mug,active,5.00,4.00,EUR,y,30,A-1\nMUG,Cup,active,4.50,3.50,GBP,y,30,A-1\n", "name"},
        {"MUG,Mug,active,5.00,4.00,EUR,y,30,A-1\nMUG,Mug,retired,4.50,3.50,GBP,y,30,A-1\n",
         "status"},
        {"MUG,Mug,active,5.00,4.00,EUR,y,30,A-1\nMUG,Mug,active,4.50,3.50,GBP,y,30,A-2\n", "bin"},
        {"MUG,Mug,active,5.00,4.00,EUR,y,30,A-1\nMUG,Mug,active,4.50,3.50,GBP,n,30,A-1\n",
         "returnable"},
        {"MUG,Mug,active,5.00,4.00,EUR,y,30,A-1\nMUG,Mug,active,4.50,3.50,GBP,y,,A-1\n",
         "return_window_days"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s", HEADER_ALL, rows[i][0]);
        eng_catalog_free(cat);
        cat = NULL;
        cr_assert_eq(load(text), ENG_REFUSED, "%s accepted", rows[i][1]);
        cr_assert_eq(err.line, 3);
        cr_assert_str_eq(err.field, rows[i][1]);
        cr_assert(strstr(err.msg, "than on line 2"), "%s", err.msg);
    }
}

/* ---- refusals ---- */

Test(catalog, refuses_a_duplicate_sku_naming_both_lines)
{
    assert_refused(HEADER "TENT,Tent,active,1.00,1.00,EUR\n"
                          "MUG,Mug,active,1.00,1.00,EUR\n"
                          "TENT,Tent again,active,2.00,1.00,EUR\n",
                   4, "sku", "first on line 2");
    cr_assert(strstr(err.msg, "\"TENT\"") != NULL, "%s", err.msg);
}

Test(catalog, skus_differing_only_in_case_are_not_duplicates)
{
    cr_assert_eq(load(HEADER "TENT,Tent,active,1.00,1.00,EUR\n"
                             "tent,tent,active,1.00,1.00,EUR\n"),
                 ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_catalog_count(cat), 2);
}

Test(catalog, refuses_an_unknown_currency)
{
    assert_refused(HEADER "MUG,Mug,active,5.00,4.00,EURO\n", 2, "currency", "\"EURO\"");
}

Test(catalog, refuses_a_lower_case_currency)
{
    assert_refused(HEADER "MUG,Mug,active,5.00,4.00,eur\n", 2, "currency", "\"eur\"");
}

Test(catalog, refuses_a_decimal_comma_list_price)
{
    assert_refused(HEADER "MUG,Mug,active,\"5,00\",4.00,EUR\n", 2, "list_price", "\"5,00\"");
}

Test(catalog, refuses_a_negative_min_price)
{
    assert_refused(HEADER "MUG,Mug,active,5.00,-1.00,EUR\n", 2, "min_price", "\"-1.00\"");
}

Test(catalog, refuses_more_decimals_than_the_currency_has)
{
    assert_refused(HEADER "MUG,Mug,active,5.001,4.00,EUR\n", 2, "list_price", "\"5.001\"");
}

Test(catalog, refuses_decimals_for_a_zero_decimal_currency)
{
    assert_refused(HEADER "CUP,Cup,active,1200.5,1000,JPY\n", 2, "list_price", "\"1200.5\"");
}

Test(catalog, refuses_a_blank_list_price)
{
    assert_refused(HEADER "MUG,Mug,active,,4.00,EUR\n", 2, "list_price", NULL);
}

Test(catalog, refuses_min_price_one_cent_above_list_price)
{
    assert_refused(HEADER "MUG,Mug,active,5.00,5.01,EUR\n", 2, "min_price", "above list_price");
}

Test(catalog, refuses_a_blank_status)
{
    assert_refused(HEADER "MUG,Mug,,5.00,4.00,EUR\n", 2, "status", "blank");
}

Test(catalog, refuses_returnable_maybe)
{
    assert_refused(HEADER_ALL "MUG,Mug,active,5.00,4.00,EUR,maybe,,\n", 2, "returnable",
                   "\"maybe\"");
}

Test(catalog, refuses_a_negative_return_window)
{
    assert_refused(HEADER_ALL "MUG,Mug,active,5.00,4.00,EUR,y,-1,\n", 2, "return_window_days",
                   "\"-1\"");
}

Test(catalog, refuses_a_blank_sku)
{
    assert_refused(HEADER "MUG,Mug,active,5.00,4.00,EUR\n,Nameless,active,5.00,4.00,EUR\n", 3,
                   "sku", "blank");
}

Test(catalog, refuses_a_row_with_a_missing_field)
{
    assert_refused(HEADER "MUG,Mug,active,5.00,4.00\n", 2, NULL, "number of fields");
}

Test(catalog, refuses_invalid_utf8_naming_the_column)
{
    assert_refused(HEADER "MUG,Tasse \xE0 caf\xE9,active,5.00,4.00,EUR\n", 2, NULL, "\"name\"");
}

Test(catalog, refuses_a_missing_required_column)
{
    cr_assert_eq(load("sku,name,status,list_price,currency\nMUG,Mug,active,5.00,EUR\n"),
                 ENG_REFUSED);
    cr_assert_null(cat);
    cr_assert(strstr(err.msg, "min_price") != NULL, "%s", err.msg);
    cr_assert_str_eq(err.path, path);
}

Test(catalog, refuses_an_empty_file)
{
    cr_assert_eq(load(""), ENG_REFUSED);
    cr_assert_null(cat);
    cr_assert_str_eq(err.path, path);
}

Test(catalog, refuses_a_missing_file)
{
    cr_assert_eq(eng_catalog_load(path, &cat, &err), ENG_REFUSED);
    cr_assert_null(cat);
}

/* Regression (issue 12 item 4 and issue 15, 2026-12-06): SKUs and bins are matched and
 * printed exactly, so one that outputs would have to write with a spreadsheet guard is
 * refused rather than altered; a name may start with anything (it is guarded). */
Test(catalog, refuses_a_sku_starting_with_a_formula_character)
{
    static const char *const skus[] = {"=1+2",      "+MUG",  "-MUG", "@MUG",
                                       "\"\tMUG\"", "'=MUG", "''MUG"};
    for (size_t i = 0; i < sizeof skus / sizeof *skus; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 HEADER "MUG,Mug,active,5.00,4.00,EUR\n%s,X,active,1.00,1.00,EUR\n", skus[i]);
        assert_refused(text, 3, "sku", "slipway never changes SKUs, so fix the catalog");
    }
}

Test(catalog, refuses_a_bin_starting_with_a_formula_character)
{
    assert_refused(HEADER_ALL "MUG,Mug,active,5.00,4.00,EUR,y,30,-A1\n", 2, "bin",
                   "bin \"-A1\" starts with \"-\", which a spreadsheet runs as a formula; "
                   "slipway never changes bins, so fix the catalog");
}

Test(catalog, keeps_a_quote_led_sku_and_a_formula_led_name)
{
    const eng_product *p = must_load_one(HEADER "'s-MUG,=SUM(A1),active,5.00,4.00,EUR\n", "'s-MUG");
    cr_assert_str_eq(p->name, "=SUM(A1)");
}
