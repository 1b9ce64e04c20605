/* Tests of formats/ebay: the eBay Seller Hub "Orders" report layout. Detection (with the
 * report's leading line of bare commas), the binding and its refusal, and the transform
 * of every quirk: summary rows of multi-item orders (head_only), footer lines (skip, and
 * only those), amounts with their currency in the text, a row whose amounts disagree on
 * the currency, MON-DD-YY dates, the Total Price check and the tax it needs, and the
 * states the report can show (shipped, unpaid).
 *
 * Transform tests build one header and one record from the named values they care about
 * (every other column of a complete single-item order keeps its value from `single`), so
 * the value a test changes is the only thing that differs. End-to-end tests run a whole
 * night on a small file to show what the engine makes of the rows. */
#include "../engine/run.h"
#include "../formats/layout.h"
#include "testutil.h"

/* The columns the transform tests use, in the report's own order. */
static const char *const cols[] = {
    "Sales Record Number",
    "Order Number",
    "Buyer Username",
    "Ship To Name",
    "Ship To Address 1",
    "Ship To Address 2",
    "Ship To City",
    "Ship To State",
    "Ship To Zip",
    "Ship To Country",
    "Item Number",
    "Custom Label",
    "Quantity",
    "Sold For",
    "Shipping And Handling",
    "Seller Collected Tax",
    "eBay Collected Tax",
    "Electronic Waste Recycling Fee",
    "eBay Collected Charges",
    "Total Price",
    "eBay Collected Tax and Fees Included in Total",
    "Sale Date",
    "Paid On Date",
    "Shipped On Date",
    "Shipping Service",
    "Payment Method",
};

#define N_COLS (sizeof cols / sizeof *cols)

#define POUND "\xC2\xA3" /* the pound sign in UTF-8 */

/* A complete single-item order, one value per column of cols. */
static const char *const single[N_COLS] = {
    "5101",                  /* Sales Record Number */
    "11-14201-35502",        /* Order Number */
    "trailrunner_atx",       /* Buyer Username */
    "Megan Alvarez",         /* Ship To Name */
    "4812 Shoal Creek Blvd", /* Ship To Address 1 */
    "",                      /* Ship To Address 2 */
    "Austin",                /* Ship To City */
    "TX",                    /* Ship To State */
    "78756",                 /* Ship To Zip */
    "United States",         /* Ship To Country */
    "395811204371",          /* Item Number */
    "US-TENT-2P",            /* Custom Label */
    "1",                     /* Quantity */
    "$199.00",               /* Sold For */
    "$0.00",                 /* Shipping And Handling */
    "$0.00",                 /* Seller Collected Tax */
    "$16.42",                /* eBay Collected Tax */
    "",                      /* Electronic Waste Recycling Fee */
    "",                      /* eBay Collected Charges */
    "$215.42",               /* Total Price */
    "Yes",                   /* eBay Collected Tax and Fees Included in Total */
    "Sep-04-26",             /* Sale Date */
    "Sep-04-26",             /* Paid On Date */
    "",                      /* Shipped On Date */
    "USPS Ground Advantage", /* Shipping Service */
    "Visa",                  /* Payment Method */
};

static const fmt_layout *ebay;
static fmt_csv_fields *hdr, *fields;
static void *bind;
static fmt_out out;
static char header_text[2048], record_text[4096];

static void setup(void)
{
    tu_dir_new();
    ebay = fmt_layout_find("ebay");
    cr_assert_not_null(ebay, "the ebay layout is not registered");
    hdr = fmt_csv_fields_new(ebay->dialect);
    fields = fmt_csv_fields_new(ebay->dialect);
    cr_assert(hdr && fields);
    cr_assert_eq(fmt_out_init(&out), ENG_OK);
}

static void teardown(void)
{
    if (bind)
        ebay->unbind(bind);
    bind = NULL;
    fmt_out_release(&out);
    fmt_csv_fields_free(hdr);
    fmt_csv_fields_free(fields);
    tu_dir_remove();
}

TestSuite(ebay, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static void put(char *dst, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    cr_assert_lt(*len + n, cap, "test text too long");
    memcpy(dst + *len, s, n + 1);
    *len += n;
}

/* Quoted, as the report quotes its fields. */
static void put_quoted(char *dst, size_t cap, size_t *len, const char *s)
{
    put(dst, cap, len, "\"");
    for (; *s; s++)
        put(dst, cap, len, *s == '"' ? "\"\"" : (char[2]){*s, 0});
    put(dst, cap, len, "\"");
}

/* Split a header line and bind the layout to it. */
static void bind_header(const char *line)
{
    if (bind)
        ebay->unbind(bind);
    bind = NULL;
    cr_assert_eq(fmt_csv_split(hdr, line, strlen(line)), ENG_OK);
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(ebay->bind(ebay, hdr, &bind, &err), ENG_OK, "bind: %s", err.msg);
}

/* Bind to cols, then transform the record of `single` with the name/value pairs of over
 * (NULL-terminated) replaced. */
static void transform(const char *const *over)
{
    size_t len = 0;
    header_text[0] = '\0';
    for (size_t i = 0; i < N_COLS; i++) {
        if (i)
            put(header_text, sizeof header_text, &len, ",");
        put_quoted(header_text, sizeof header_text, &len, cols[i]);
    }
    bind_header(header_text);
    len = 0;
    record_text[0] = '\0';
    for (size_t i = 0; i < N_COLS; i++) {
        const char *v = single[i];
        for (const char *const *o = over; o && *o; o += 2)
            if (strcmp(o[0], cols[i]) == 0)
                v = o[1];
        if (i)
            put(record_text, sizeof record_text, &len, ",");
        put_quoted(record_text, sizeof record_text, &len, v);
    }
    cr_assert_eq(fmt_csv_split(fields, record_text, len), ENG_OK);
    fmt_out_reset(&out);
    cr_assert_eq(ebay->transform(ebay, bind, fields, &out), ENG_OK);
}

/* Transform a raw record line under the header of cols. */
static void transform_line(const char *line)
{
    transform(NULL);
    cr_assert_eq(fmt_csv_split(fields, line, strlen(line)), ENG_OK);
    fmt_out_reset(&out);
    cr_assert_eq(ebay->transform(ebay, bind, fields, &out), ENG_OK);
}

static const fmt_out_row *only_row(void)
{
    cr_assert_eq(out.skip, 0, "the record was skipped");
    cr_assert_eq(out.n, 1u, "expected one canonical row, got %zu", out.n);
    return &out.rows[0];
}

static void assert_val(fmt_col c, const char *want)
{
    fmt_str s = only_row()->v[c];
    cr_assert(s.len == strlen(want) && memcmp(s.p, want, s.len) == 0,
              "%s: got \"%.*s\", want \"%s\"", fmt_col_name(c), (int)s.len, s.p, want);
}

static const fmt_layout *detect_line(const char *line)
{
    cr_assert_eq(fmt_csv_split(hdr, line, strlen(line)), ENG_OK);
    return fmt_layout_detect(hdr);
}

static const char *write_file(const char *name, const char *text)
{
    static char paths[4][512];
    static int next;
    char *path = paths[next++ % 4];
    tu_path(path, sizeof paths[0], name);
    tu_write(path, text, strlen(text));
    return path;
}

#define EBAY_HEADER                                                                        \
    "\"Sales Record Number\",\"Order Number\",\"Buyer Username\",\"Ship To Name\","        \
    "\"Ship To Address 1\",\"Ship To City\",\"Ship To State\",\"Ship To Zip\",\"Ship To "  \
    "Country\",\"Item Number\",\"Custom Label\",\"Quantity\",\"Sold For\",\"Shipping And " \
    "Handling\",\"Total Price\",\"Sale Date\",\"Paid On Date\",\"Shipped On Date\"\n"
#define EBAY_COMMAS ",,,,,,,,,,,,,,,,,\n" /* 18 fields, all blank */

/* Run one night on an eBay orders file (catalog: US-TENT-2P and US-MUG, in USD) into
 * tu_dir/out; returns the exit code. */
static int run_night(const char *orders)
{
    const char *catalog =
        write_file("catalog.csv", "sku,name,status,list_price,min_price,currency\n"
                                  "US-TENT-2P,Tent,active,199.00,159.00,USD\n"
                                  "US-MUG,Mug,active,12.00,9.00,USD\n");
    const char *inventory = write_file("inventory.csv", "sku,on_hand\nUS-TENT-2P,10\nUS-MUG,10\n");
    const char *orders_path = write_file("orders.csv", orders);
    static char out_dir[512];
    tu_path(out_dir, sizeof out_dir, "out");
    eng_run_args a;
    memset(&a, 0, sizeof a);
    a.catalog = catalog;
    a.inventory = inventory;
    a.orders = &orders_path;
    a.n_orders = 1;
    a.out = out_dir;
    a.threads = 1;
    a.run_date = 20784; /* 2026-11-27 */
    a.quiet = 1;
    return eng_run(&a);
}

/* Whole output file of the last run_night(); freed by the caller. */
static char *night_file(const char *name)
{
    char path[600], rel[64];
    snprintf(rel, sizeof rel, "out/%s", name);
    size_t len;
    return tu_read(tu_path(path, sizeof path, rel), &len);
}

static void assert_file(const char *name, const char *want)
{
    char *got = night_file(name);
    cr_assert_str_eq(got, want, "%s differs", name);
    free(got);
}

/* ---- detection ---- */

Test(ebay, detect_picks_ebay_for_a_seller_hub_header)
{
    cr_assert_eq(detect_line(EBAY_HEADER), ebay);
}

Test(ebay, detect_picks_canonical_for_a_canonical_header)
{
    cr_assert_eq(detect_line("order_id,order_time,sku,qty,unit_price,currency,ship_name"),
                 fmt_layout_find("canonical"));
}

Test(ebay, detect_picks_shopify_for_a_shopify_header)
{
    cr_assert_eq(detect_line("Name,Email,Financial Status,Created at,Lineitem quantity,"
                             "Lineitem name,Lineitem price,Lineitem sku,Currency"),
                 fmt_layout_find("shopify"));
}

Test(ebay, detect_needs_four_signature_columns)
{
    /* Three of the signature (Order Number, Custom Label, Sold For) are not enough... */
    cr_assert_eq(fmt_csv_split(hdr, "Order Number,Custom Label,Sold For,Colour", 40), ENG_OK);
    cr_assert_eq(ebay->detect(ebay, hdr), 0);
    /* ...four are. */
    cr_assert_eq(fmt_csv_split(hdr, "Order Number,Custom Label,Sold For,Sale Date", 44), ENG_OK);
    cr_assert_eq(ebay->detect(ebay, hdr), 4);
}

/* The report's first line is bare commas: auto-detection must look past it to the header
 * (engine/intake/ingest.c first_record), and the file must read as eBay. */
Test(ebay, run_detects_the_layout_past_a_leading_line_of_commas)
{
    cr_assert_eq(run_night(EBAY_COMMAS EBAY_HEADER EBAY_COMMAS
                           "\"7\",\"11-1-1\",\"ann\",\"Ann Lee\",\"1 Main St\",\"Austin\",\"TX\","
                           "\"78701\",\"United States\",\"3958\",\"US-MUG\",\"2\",\"$12.00\","
                           "\"$3.00\",\"$27.00\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n"),
                 0);
    char *summary = night_file("summary.json");
    cr_assert_not_null(strstr(summary, "\"format\": \"ebay\""), "%s", summary);
    free(summary);
    assert_file("order_status.csv", "order_id,channel,status,lines,units,amount,currency,code\n"
                                    "11-1-1,ebay,SHIPPED,1,2,24.00,USD,\n");
}

Test(ebay, run_detects_the_layout_past_a_leading_blank_line)
{
    cr_assert_eq(run_night("\n" EBAY_HEADER
                           "\"7\",\"11-1-1\",\"ann\",\"Ann Lee\",\"1 Main St\",\"Austin\",\"TX\","
                           "\"78701\",\"United States\",\"3958\",\"US-MUG\",\"2\",\"$12.00\","
                           "\"$3.00\",\"$27.00\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n"),
                 0);
    assert_file("order_status.csv", "order_id,channel,status,lines,units,amount,currency,code\n"
                                    "11-1-1,ebay,SHIPPED,1,2,24.00,USD,\n");
}

/* ---- binding ---- */

Test(ebay, bind_refuses_a_header_without_custom_label_naming_it_and_the_layout)
{
    const char *line = "Order Number,Quantity,Sold For,Sale Date,Total Price";
    cr_assert_eq(fmt_csv_split(hdr, line, strlen(line)), ENG_OK);
    eng_err err;
    memset(&err, 0, sizeof err);
    void *b = NULL;
    cr_assert_eq(ebay->bind(ebay, hdr, &b, &err), ENG_REFUSED);
    cr_assert_null(b);
    cr_assert_str_eq(err.field, "Custom Label");
    cr_assert_not_null(strstr(err.msg, "\"Custom Label\""), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "ebay"), "%s", err.msg);
}

Test(ebay, bind_refuses_a_column_given_twice)
{
    const char *line = "Order Number,Custom Label,Quantity,Sold For,Sale Date,Post To Name,"
                       "Post To Name";
    cr_assert_eq(fmt_csv_split(hdr, line, strlen(line)), ENG_OK);
    eng_err err;
    memset(&err, 0, sizeof err);
    void *b = NULL;
    cr_assert_eq(ebay->bind(ebay, hdr, &b, &err), ENG_REFUSED);
    cr_assert_not_null(strstr(err.msg, "appears twice"), "%s", err.msg);
}

/* eBay UK spells the ship-to "Post To ...", shipping "Postage And Packaging" and the
 * shipped date "Dispatched On Date". */
Test(ebay, uk_column_names_are_read)
{
    bind_header("Order Number,Custom Label,Quantity,Sold For,Sale Date,Post To Name,"
                "Post To Address 1,Post To City,Post To County,Post To Postcode,Post To Country,"
                "Postage And Packaging,Total Price,Paid On Date,Dispatched On Date");
    const char *line =
        "16-1-1,UK-MUG-TI,1," POUND "24.00,Sep-04-26,Tom Hargreaves,42 Marsden Road,Huddersfield,"
        "West Yorkshire,HD4 6LZ,United Kingdom," POUND "3.95," POUND "27.95,Sep-04-26,Sep-05-26";
    cr_assert_eq(fmt_csv_split(fields, line, strlen(line)), ENG_OK);
    fmt_out_reset(&out);
    cr_assert_eq(ebay->transform(ebay, bind, fields, &out), ENG_OK);
    assert_val(FMT_COL_SHIP_NAME, "Tom Hargreaves");
    assert_val(FMT_COL_SHIP_STREET, "42 Marsden Road");
    assert_val(FMT_COL_SHIP_REGION, "West Yorkshire");
    assert_val(FMT_COL_SHIP_POSTAL, "HD4 6LZ");
    assert_val(FMT_COL_SHIPPING, "3.95");
    assert_val(FMT_COL_CURRENCY, "GBP");
    cr_assert_eq(only_row()->order_state, FMT_STATE_FULFILLED);
}

/* ---- one row, the whole order ---- */

Test(ebay, single_item_row_maps_every_canonical_column)
{
    transform(NULL);
    const fmt_out_row *r = only_row();
    assert_val(FMT_COL_ORDER_ID, "11-14201-35502");
    assert_val(FMT_COL_ORDER_TIME, "2026-09-04T00:00:00Z");
    assert_val(FMT_COL_SKU, "US-TENT-2P");
    assert_val(FMT_COL_QTY, "1");
    assert_val(FMT_COL_UNIT_PRICE, "199.00");
    assert_val(FMT_COL_CURRENCY, "USD");
    assert_val(FMT_COL_CHANNEL, "ebay");
    assert_val(FMT_COL_CUSTOMER_ID, "trailrunner_atx");
    assert_val(FMT_COL_SHIP_NAME, "Megan Alvarez");
    assert_val(FMT_COL_SHIP_STREET, "4812 Shoal Creek Blvd");
    assert_val(FMT_COL_SHIP_CITY, "Austin");
    assert_val(FMT_COL_SHIP_REGION, "TX");
    assert_val(FMT_COL_SHIP_POSTAL, "78756");
    assert_val(FMT_COL_SHIP_COUNTRY, "United States");
    assert_val(FMT_COL_SHIP_SERVICE, "USPS Ground Advantage");
    assert_val(FMT_COL_SHIPPING, "0.00");
    assert_val(FMT_COL_TAX, "16.42"); /* Seller Collected Tax 0.00 + eBay Collected Tax 16.42 */
    assert_val(FMT_COL_ORDER_TOTAL, "215.42");
    assert_val(FMT_COL_DISCOUNT, "");
    cr_assert_eq(r->head_only, 0);
    cr_assert_eq(r->line_total, 0, "Sold For is the unit price");
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
}

Test(ebay, address_2_joins_the_street)
{
    transform((const char *const[]){"Ship To Address 2", "Apt 3B", NULL});
    assert_val(FMT_COL_SHIP_STREET, "4812 Shoal Creek Blvd, Apt 3B");
}

Test(ebay, protected_zip_and_order_number_lose_their_protection)
{
    transform((const char *const[]){"Ship To Zip", "=\"02215\"", "Order Number",
                                    "=\"11-14201-35502\"", NULL});
    assert_val(FMT_COL_SHIP_POSTAL, "02215");
    assert_val(FMT_COL_ORDER_ID, "11-14201-35502");
}

/* ---- multi-item orders ---- */

Test(ebay, summary_row_is_head_only_with_the_order_values)
{
    transform((const char *const[]){"Item Number", "", "Custom Label", "", "Quantity", "",
                                    "Sold For", "", NULL});
    const fmt_out_row *r = only_row();
    cr_assert_eq(r->head_only, 1);
    assert_val(FMT_COL_SKU, "");
    assert_val(FMT_COL_QTY, "");
    assert_val(FMT_COL_UNIT_PRICE, "");
    assert_val(FMT_COL_SHIP_NAME, "Megan Alvarez");
    assert_val(FMT_COL_ORDER_TOTAL, "215.42");
    assert_val(FMT_COL_CURRENCY, "USD");
}

Test(ebay, summary_row_sold_for_is_not_a_line)
{
    transform((const char *const[]){"Item Number", "", "Custom Label", "", "Quantity", "",
                                    "Sold For", "$199.00", NULL});
    cr_assert_eq(only_row()->head_only, 1);
    assert_val(FMT_COL_UNIT_PRICE, "");
}

/* Regression guard: an item row of a multi-item order that lost Item Number, Custom
 * Label and Quantity must not pass for a second summary row (its line would vanish from
 * the order); it stays a line, which the engine reports as MISSING_FIELD. */
Test(ebay, row_with_a_price_but_no_item_fields_and_no_ship_to_is_a_line)
{
    transform((const char *const[]){"Item Number", "", "Custom Label", "", "Quantity", "",
                                    "Ship To Name", "", "Ship To Address 1", "", "Ship To City", "",
                                    "Ship To Country", "", NULL});
    cr_assert_eq(only_row()->head_only, 0);
    assert_val(FMT_COL_UNIT_PRICE, "199.00");
    assert_val(FMT_COL_SKU, "");
    assert_val(FMT_COL_QTY, "");
}

/* An item row of a multi-item order has no ship-to: its own amounts are that item's
 * share, not the order's, so they do not become shipping, tax or total. */
Test(ebay, item_row_without_ship_to_gives_only_the_line)
{
    transform((const char *const[]){"Ship To Name", "", "Ship To Address 1", "", "Ship To City", "",
                                    "Ship To State", "", "Ship To Zip", "", "Ship To Country", "",
                                    "Shipping And Handling", "$4.00", "Total Price", "$203.00",
                                    NULL});
    const fmt_out_row *r = only_row();
    cr_assert_eq(r->head_only, 0);
    assert_val(FMT_COL_SKU, "US-TENT-2P");
    assert_val(FMT_COL_UNIT_PRICE, "199.00");
    assert_val(FMT_COL_CURRENCY, "USD");
    assert_val(FMT_COL_ORDER_TIME, "2026-09-04T00:00:00Z");
    assert_val(FMT_COL_SHIPPING, "");
    assert_val(FMT_COL_TAX, "");
    assert_val(FMT_COL_ORDER_TOTAL, "");
    assert_val(FMT_COL_SHIP_STREET, "");
}

/* A multi-item order: one summary row, two item rows. It ships both items on one slip and
 * the Total Price covers both items plus the summary's shipping. */
Test(ebay, run_ships_a_multi_item_order_as_one_order)
{
    cr_assert_eq(run_night(EBAY_COMMAS EBAY_HEADER
                           "\"8\",\"23-1-1\",\"dan\",\"Dan Oka\",\"2 Elm St\",\"Seattle\",\"WA\","
                           "\"98105\",\"United States\",\"\",\"\",\"\",\"\",\"US $9.95\","
                           "\"US $232.95\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n"
                           "\"9\",\"23-1-1\",\"dan\",\"\",\"\",\"\",\"\",\"\",\"\",\"3951\","
                           "\"US-TENT-2P\",\"1\",\"US $199.00\",\"\",\"\",\"Nov-26-26\","
                           "\"Nov-26-26\",\"\"\n"
                           "\"10\",\"23-1-1\",\"dan\",\"\",\"\",\"\",\"\",\"\",\"\",\"3952\","
                           "\"US-MUG\",\"2\",\"US $12.00\",\"\",\"\",\"Nov-26-26\","
                           "\"Nov-26-26\",\"\"\n" EBAY_COMMAS
                           "\"3 record(s) downloaded, from Nov-26-26 to Nov-26-26\"\n"
                           "\"Seller ID : outfitters_eu\"\n"),
                 0);
    assert_file("order_status.csv", "order_id,channel,status,lines,units,amount,currency,code\n"
                                    "23-1-1,ebay,SHIPPED,2,3,223.00,USD,\n");
    assert_file("exceptions.csv", "source,line,record_id,code,field,message\n");
}

/* Total Price is checked: 199.00 + 2 x 12.00 + 9.95 is 232.95, not 240.00. */
Test(ebay, run_reports_a_total_price_that_does_not_add_up)
{
    cr_assert_eq(run_night(EBAY_HEADER
                           "\"8\",\"23-1-1\",\"dan\",\"Dan Oka\",\"2 Elm St\",\"Seattle\",\"WA\","
                           "\"98105\",\"United States\",\"\",\"\",\"\",\"\",\"US $9.95\","
                           "\"US $240.00\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n"
                           "\"9\",\"23-1-1\",\"dan\",\"\",\"\",\"\",\"\",\"\",\"\",\"3951\","
                           "\"US-TENT-2P\",\"1\",\"US $199.00\",\"\",\"\",\"Nov-26-26\","
                           "\"Nov-26-26\",\"\"\n"
                           "\"10\",\"23-1-1\",\"dan\",\"\",\"\",\"\",\"\",\"\",\"\",\"3952\","
                           "\"US-MUG\",\"2\",\"US $12.00\",\"\",\"\",\"Nov-26-26\","
                           "\"Nov-26-26\",\"\"\n"),
                 0);
    char *exc = night_file("exceptions.csv");
    cr_assert_not_null(strstr(exc, ",2,23-1-1,TOTAL_MISMATCH,Total Price,Total Price 240.00 "
                                   "differs from lines 223.00 + shipping 9.95 + tax 0.00"),
                       "%s", exc);
    free(exc);
}

/* ---- footer and padding lines ---- */

Test(ebay, row_of_bare_commas_is_skipped)
{
    transform_line(",,,,,,,,,,,,,,,,,,,,,,,,");
    cr_assert_eq(out.skip, 1);
    cr_assert_eq(out.n, 0u);
}

Test(ebay, row_of_empty_quoted_fields_is_skipped)
{
    transform_line("\"\",\"\",\"\",\"\"");
    cr_assert_eq(out.skip, 1);
}

Test(ebay, records_downloaded_footer_in_the_first_field_is_skipped)
{
    transform_line("\"83 record(s) downloaded, from Sep-03-26 to Sep-04-26\"");
    cr_assert_eq(out.skip, 1);
}

Test(ebay, records_downloaded_footer_with_the_count_in_its_own_field_is_skipped)
{
    transform_line("83,record(s) downloaded,from Sep-03-26 to Sep-04-26");
    cr_assert_eq(out.skip, 1);
}

Test(ebay, seller_id_footer_is_skipped)
{
    transform_line("\"Seller ID : outfitters_eu\"");
    cr_assert_eq(out.skip, 1);
}

/* Regression guard: only footer lines are skipped. A row with a real order number and
 * broken values must reach the engine, which reports it. */
Test(ebay, row_with_an_order_number_and_broken_values_is_not_skipped)
{
    transform((const char *const[]){"Sold For", "call me", "Sale Date", "yesterday", "Quantity",
                                    "one", NULL});
    assert_val(FMT_COL_ORDER_ID, "11-14201-35502");
    assert_val(FMT_COL_UNIT_PRICE, "call me");   /* unchanged: BAD_NUMBER */
    assert_val(FMT_COL_ORDER_TIME, "yesterday"); /* unchanged: BAD_DATE */
    assert_val(FMT_COL_QTY, "one");              /* unchanged: BAD_QTY */
}

Test(ebay, row_with_only_an_order_number_is_not_skipped)
{
    transform_line(",\"11-14201-35502\",,,,,,,,,,,,,,,,,,,,,,,");
    assert_val(FMT_COL_ORDER_ID, "11-14201-35502");
}

/* The sample's own footer (both lines) and padding rows give no exception. */
Test(ebay, run_reports_nothing_for_padding_and_footer_lines)
{
    cr_assert_eq(run_night(EBAY_COMMAS EBAY_HEADER EBAY_COMMAS
                           "\"7\",\"11-1-1\",\"ann\",\"Ann Lee\",\"1 Main St\",\"Austin\",\"TX\","
                           "\"78701\",\"United States\",\"3958\",\"US-MUG\",\"2\",\"$12.00\","
                           "\"$3.00\",\"$27.00\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n" EBAY_COMMAS
                           "\"1 record(s) downloaded, from Nov-26-26 to Nov-26-26\"\n"
                           "\"Seller ID : outfitters_eu\"\n"),
                 0);
    assert_file("exceptions.csv", "source,line,record_id,code,field,message\n");
    char *summary = night_file("summary.json");
    cr_assert_not_null(strstr(summary, "\"rows\": 1,"), "only the order row is data: %s", summary);
    free(summary);
}

/* ---- amounts and their currency ---- */

Test(ebay, dollar_sign_is_usd)
{
    transform((const char *const[]){"Sold For", "$43.00", NULL});
    assert_val(FMT_COL_UNIT_PRICE, "43.00");
    assert_val(FMT_COL_CURRENCY, "USD");
}

Test(ebay, us_dollar_prefix_is_usd)
{
    transform((const char *const[]){"Sold For", "US $43.00", "Shipping And Handling", "US $0.00",
                                    "Seller Collected Tax", "", "eBay Collected Tax", "US $3.55",
                                    "Total Price", "US $46.55", NULL});
    assert_val(FMT_COL_UNIT_PRICE, "43.00");
    assert_val(FMT_COL_CURRENCY, "USD");
}

Test(ebay, au_dollar_with_thousands_is_aud)
{
    transform((const char *const[]){"Custom Label", "AU-ESKY-45L", "Sold For", "AU $3,000.00",
                                    "Shipping And Handling", "AU $89.00", "Seller Collected Tax",
                                    "AU $0.00", "eBay Collected Tax", "AU $308.90", "Total Price",
                                    "AU $3,397.90", NULL});
    assert_val(FMT_COL_UNIT_PRICE, "3000.00");
    assert_val(FMT_COL_ORDER_TOTAL, "3397.90");
    assert_val(FMT_COL_CURRENCY, "AUD");
}

Test(ebay, eur_code_with_decimal_comma_is_eur)
{
    transform((const char *const[]){"Sold For", "EUR 90,00", "Shipping And Handling", "EUR 4,90",
                                    "Seller Collected Tax", "EUR 0,00", "eBay Collected Tax",
                                    "EUR 0,00", "Total Price", "EUR 94,90", NULL});
    assert_val(FMT_COL_UNIT_PRICE, "90.00");
    assert_val(FMT_COL_SHIPPING, "4.90");
    assert_val(FMT_COL_ORDER_TOTAL, "94.90");
    assert_val(FMT_COL_CURRENCY, "EUR");
}

Test(ebay, pound_sign_is_gbp)
{
    transform((const char *const[]){"Sold For", POUND "24.00", "Shipping And Handling", "",
                                    "Seller Collected Tax", "", "eBay Collected Tax", "",
                                    "Total Price", POUND "24.00", NULL});
    assert_val(FMT_COL_UNIT_PRICE, "24.00");
    assert_val(FMT_COL_CURRENCY, "GBP");
}

/* Decision: amounts of one row naming two currencies make the row's currency "USD/EUR",
 * no ISO code, so the engine rejects the order (CURRENCY_MISMATCH) quoting both. */
Test(ebay, row_amounts_in_two_currencies_give_both_codes)
{
    transform((const char *const[]){"Total Price", "EUR 215,42", NULL});
    assert_val(FMT_COL_CURRENCY, "USD/EUR");
}

Test(ebay, amounts_without_a_currency_mark_give_no_currency)
{
    transform((const char *const[]){"Sold For", "199.00", "Shipping And Handling", "0.00",
                                    "Seller Collected Tax", "0.00", "eBay Collected Tax", "16.42",
                                    "Total Price", "215.42", NULL});
    assert_val(FMT_COL_UNIT_PRICE, "199.00");
    assert_val(FMT_COL_CURRENCY, "");
}

Test(ebay, run_rejects_a_row_with_amounts_in_two_currencies)
{
    cr_assert_eq(run_night(EBAY_HEADER
                           "\"7\",\"11-1-1\",\"ann\",\"Ann Lee\",\"1 Main St\",\"Austin\",\"TX\","
                           "\"78701\",\"United States\",\"3958\",\"US-MUG\",\"2\",\"$12.00\","
                           "\"EUR 3,00\",\"$27.00\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n"),
                 0);
    char *exc = night_file("exceptions.csv");
    cr_assert_not_null(strstr(exc,
                              ",2,11-1-1,CURRENCY_MISMATCH,currency,\"currency \"\"USD/EUR\"\" "
                              "is not an ISO 4217 code\"\n"),
                       "%s", exc);
    free(exc);
    assert_file("order_status.csv", "order_id,channel,status,lines,units,amount,currency,code\n"
                                    "11-1-1,ebay,REJECTED,1,2,,USD/EUR,CURRENCY_MISMATCH\n");
}

/* The summary row says EUR, an item row USD: the order's rows disagree. */
Test(ebay, run_rejects_an_order_whose_rows_name_different_currencies)
{
    cr_assert_eq(run_night(EBAY_HEADER
                           "\"8\",\"23-1-1\",\"dan\",\"Dan Oka\",\"2 Elm St\",\"Seattle\",\"WA\","
                           "\"98105\",\"United States\",\"\",\"\",\"\",\"\",\"EUR 9,95\","
                           "\"EUR 232,95\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n"
                           "\"9\",\"23-1-1\",\"dan\",\"\",\"\",\"\",\"\",\"\",\"\",\"3951\","
                           "\"US-TENT-2P\",\"1\",\"US $199.00\",\"\",\"\",\"Nov-26-26\","
                           "\"Nov-26-26\",\"\"\n"),
                 0);
    char *exc = night_file("exceptions.csv");
    cr_assert_not_null(strstr(exc, ",3,23-1-1,INCONSISTENT_ORDER,currency,\"currency \"\"USD\"\" "
                                   "differs from \"\"EUR\"\" on line 2"),
                       "%s", exc);
    free(exc);
}

/* ---- Total Price and tax ---- */

Test(ebay, seller_and_ebay_collected_tax_add_up_to_the_tax)
{
    transform((const char *const[]){"Seller Collected Tax", "$1.50", "eBay Collected Tax", "$16.42",
                                    NULL});
    assert_val(FMT_COL_TAX, "17.92");
}

Test(ebay, ebay_tax_is_left_out_when_the_report_says_it_is_not_in_the_total)
{
    transform((const char *const[]){"Seller Collected Tax", "$1.50",
                                    "eBay Collected Tax and Fees Included in Total", "No", NULL});
    assert_val(FMT_COL_TAX, "1.50");
}

Test(ebay, ebay_tax_counts_when_the_included_flag_is_blank)
{
    transform((const char *const[]){"eBay Collected Tax and Fees Included in Total", "", NULL});
    assert_val(FMT_COL_TAX, "16.42");
}

Test(ebay, ebay_collected_fees_count_in_the_tax)
{
    transform((const char *const[]){"Electronic Waste Recycling Fee", "$6.00", NULL});
    assert_val(FMT_COL_TAX, "22.42"); /* 0.00 + 16.42 + 6.00 */
}

/* eBay Collected Charges may be the total of the per-type fees: counted only when no
 * per-type fee is above zero, so nothing is counted twice. */
Test(ebay, ebay_collected_charges_count_only_without_per_type_fees)
{
    transform((const char *const[]){"eBay Collected Charges", "$2.00", NULL});
    assert_val(FMT_COL_TAX, "18.42");
    transform((const char *const[]){"Electronic Waste Recycling Fee", "$2.00",
                                    "eBay Collected Charges", "$2.00", NULL});
    assert_val(FMT_COL_TAX, "18.42");
}

Test(ebay, tax_amounts_with_different_decimals_add_exactly)
{
    transform(
        (const char *const[]){"Seller Collected Tax", "$1.5", "eBay Collected Tax", "$0.25", NULL});
    assert_val(FMT_COL_TAX, "1.75");
}

Test(ebay, unreadable_tax_amount_passes_unchanged)
{
    transform((const char *const[]){"Seller Collected Tax", "n/a", NULL});
    assert_val(FMT_COL_TAX, "n/a"); /* the engine reports BAD_NUMBER on tax */
}

/* ---- dates ---- */

Test(ebay, sale_date_mon_dd_yy_is_the_start_of_the_day_utc)
{
    transform((const char *const[]){"Sale Date", "Sep-04-26", NULL});
    assert_val(FMT_COL_ORDER_TIME, "2026-09-04T00:00:00Z");
}

Test(ebay, sale_date_with_a_four_digit_year_is_read)
{
    transform((const char *const[]){"Sale Date", "Dec-31-2026", NULL});
    assert_val(FMT_COL_ORDER_TIME, "2026-12-31T00:00:00Z");
}

Test(ebay, sale_date_with_a_time_keeps_the_time)
{
    transform((const char *const[]){"Sale Date", "Sep-04-26 21:07:45", NULL});
    assert_val(FMT_COL_ORDER_TIME, "2026-09-04T21:07:45Z");
}

Test(ebay, sale_date_in_another_pattern_passes_unchanged)
{
    transform((const char *const[]){"Sale Date", "04/09/2026", NULL});
    assert_val(FMT_COL_ORDER_TIME, "04/09/2026"); /* BAD_DATE in the engine */
}

/* ---- states ---- */

Test(ebay, shipped_on_date_makes_a_single_item_order_already_fulfilled)
{
    transform((const char *const[]){"Shipped On Date", "Sep-05-26", NULL});
    cr_assert_eq(only_row()->order_state, FMT_STATE_FULFILLED);
    cr_assert_eq(only_row()->line_state, FMT_STATE_NONE);
}

Test(ebay, shipped_on_date_on_a_summary_row_makes_the_order_already_fulfilled)
{
    transform((const char *const[]){"Item Number", "", "Custom Label", "", "Quantity", "",
                                    "Shipped On Date", "Sep-05-26", NULL});
    cr_assert_eq(only_row()->head_only, 1);
    cr_assert_eq(only_row()->order_state, FMT_STATE_FULFILLED);
}

Test(ebay, shipped_on_date_on_an_item_row_marks_only_that_line)
{
    transform((const char *const[]){"Ship To Name", "", "Ship To Address 1", "", "Ship To City", "",
                                    "Ship To Country", "", "Shipped On Date", "Sep-05-26", NULL});
    cr_assert_eq(only_row()->order_state, FMT_STATE_NONE);
    cr_assert_eq(only_row()->line_state, FMT_STATE_FULFILLED);
}

Test(ebay, blank_paid_on_date_with_a_total_is_awaiting_payment)
{
    transform((const char *const[]){"Paid On Date", "", NULL});
    cr_assert_eq(only_row()->order_state, FMT_STATE_UNPAID);
}

Test(ebay, blank_paid_on_date_on_an_item_row_says_nothing)
{
    transform((const char *const[]){"Ship To Name", "", "Ship To Address 1", "", "Ship To City", "",
                                    "Ship To Country", "", "Total Price", "", "Paid On Date", "",
                                    NULL});
    cr_assert_eq(only_row()->order_state, FMT_STATE_NONE);
}

Test(ebay, shipped_beats_unpaid)
{
    transform((const char *const[]){"Paid On Date", "", "Shipped On Date", "Sep-05-26", NULL});
    cr_assert_eq(only_row()->order_state, FMT_STATE_FULFILLED);
}

/* In a night: the shipped single-item order gets its state, no exception, no slip. */
Test(ebay, run_gives_a_shipped_order_already_fulfilled)
{
    cr_assert_eq(run_night(EBAY_HEADER
                           "\"7\",\"11-1-1\",\"ann\",\"Ann Lee\",\"1 Main St\",\"Austin\",\"TX\","
                           "\"78701\",\"United States\",\"3958\",\"US-MUG\",\"2\",\"$12.00\","
                           "\"$3.00\",\"$27.00\",\"Nov-25-26\",\"Nov-25-26\",\"Nov-26-26\"\n"),
                 0);
    assert_file("order_status.csv", "order_id,channel,status,lines,units,amount,currency,code\n"
                                    "11-1-1,ebay,ALREADY_FULFILLED,1,2,24.00,USD,\n");
    assert_file("slips.csv", "slip_no,order_id,channel,line_no,sku,name,qty,unit_price,"
                             "line_amount,currency,warehouse,bin,ship_name,ship_street,ship_city,"
                             "ship_region,ship_postal,ship_country,ship_service,ship_date\n");
}

/* One item of a multi-item order already went out: the other one ships. */
Test(ebay, run_ships_the_items_not_yet_shipped)
{
    cr_assert_eq(run_night(EBAY_HEADER
                           "\"8\",\"23-1-1\",\"dan\",\"Dan Oka\",\"2 Elm St\",\"Seattle\",\"WA\","
                           "\"98105\",\"United States\",\"\",\"\",\"\",\"\",\"US $9.95\","
                           "\"US $232.95\",\"Nov-26-26\",\"Nov-26-26\",\"\"\n"
                           "\"9\",\"23-1-1\",\"dan\",\"\",\"\",\"\",\"\",\"\",\"\",\"3951\","
                           "\"US-TENT-2P\",\"1\",\"US $199.00\",\"\",\"\",\"Nov-26-26\","
                           "\"Nov-26-26\",\"Nov-26-26\"\n"
                           "\"10\",\"23-1-1\",\"dan\",\"\",\"\",\"\",\"\",\"\",\"\",\"3952\","
                           "\"US-MUG\",\"2\",\"US $12.00\",\"\",\"\",\"Nov-26-26\","
                           "\"Nov-26-26\",\"\"\n"),
                 0);
    assert_file("order_status.csv", "order_id,channel,status,lines,units,amount,currency,code\n"
                                    "23-1-1,ebay,SHIPPED,1,2,24.00,USD,\n");
}

/* ---- source_column: the report's column an exception names ---- */

Test(ebay, exceptions_name_the_files_own_column)
{
    transform(NULL);
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_SKU), 11);         /* Custom Label */
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_UNIT_PRICE), 13);  /* Sold For */
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_ORDER_ID), 1);     /* Order Number */
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_ORDER_TOTAL), 19); /* Total Price */
    /* Made up, or from several columns. */
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_CHANNEL), -1);
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_CURRENCY), -1);
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_SHIP_STREET), -1);
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_TAX), -1);
}

Test(ebay, exceptions_name_the_uk_column_the_header_has)
{
    bind_header("Order Number,Custom Label,Quantity,Sold For,Sale Date,Post To Name,"
                "Post To Address 1,Post To City,Post To County,Post To Postcode,Post To Country,"
                "Postage And Packaging,Seller Collected Tax,Total Price");
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_SHIP_STREET), 6); /* the only line */
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_SHIP_REGION), 8);
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_SHIPPING), 11);
    cr_expect_eq(ebay->source_column(ebay, bind, FMT_COL_TAX), 12); /* the only tax */
}

/* Issue 16: who collected the tax, and the payment method, for reconciling payouts. */
Test(ebay, ebay_collected_tax_is_marketplace_tax_y_and_payment_method_the_gateway)
{
    transform(NULL);
    assert_val(FMT_COL_MARKETPLACE_TAX, "y");
    assert_val(FMT_COL_PAYMENT_GATEWAY, "Visa");
}

Test(ebay, seller_collected_tax_alone_is_marketplace_tax_n)
{
    const char *over[] = {"eBay Collected Tax", "$0.00", "Seller Collected Tax", "$16.42", NULL};
    transform(over);
    assert_val(FMT_COL_MARKETPLACE_TAX, "n");
}

Test(ebay, no_tax_collected_leaves_marketplace_tax_blank)
{
    const char *over[] = {"eBay Collected Tax", "", "Total Price", "$199.00", NULL};
    transform(over);
    assert_val(FMT_COL_MARKETPLACE_TAX, "");
}
