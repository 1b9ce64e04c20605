/* Tests of engine/ingest: every row-level code raised by eng_ingest_record() on one
 * canonical record (the row's flags, worst code, product and quantity, and the exception
 * with its code, field, line and quoted value), each limit on both sides, and the
 * grouping of a batch's rows by partition.
 *
 * Each test feeds one record built from a clean canonical row with one field replaced,
 * so the replaced field is the only thing that can be wrong. */
#include "../engine/setup/catalog.h"
#include "../engine/intake/ingest.h"
#include "../formats/canon.h"
#include "testutil.h"

/* The clean row, one value per canonical column (SPEC's column order). */
static const char *const clean[FMT_COL_COUNT] = {
    "A-1",                  /* order_id */
    "2026-11-26T10:00:00Z", /* order_time */
    "TENT",                 /* sku */
    "2",                    /* qty */
    "100.00",               /* unit_price */
    "EUR",                  /* currency */
    "shop",                 /* channel */
    "1",                    /* priority */
    "C-9",                  /* customer_id */
    "Ann Example",          /* ship_name */
    "Main St 1",            /* ship_street */
    "Berlin",               /* ship_city */
    "",                     /* ship_region */
    "10115",                /* ship_postal */
    "DE",                   /* ship_country */
    "standard",             /* ship_service */
    "200.00",               /* order_total */
    "0.00",                 /* shipping */
    "0.00",                 /* tax */
    "0.00",                 /* discount */
    "",                     /* open_qty */
    "",                     /* line_amount */
    "Yes",                  /* marketplace_tax */
    "Market Pay",           /* payment_gateway */
};

#define LINE 7 /* physical line every test record claims to start on */

static eng_catalog *cat;
static eng_batch *batch;
static eng_rowstore *store; /* where eng_ingest_partition puts the rows */
static eng_ingest_worker *worker;
static eng_intern *intern; /* as a night has one: heads share repeated texts */
static eng_layout layout;
static int cols[FMT_COL_COUNT];
static const char *names[FMT_COL_COUNT];
static char rec[1024];

static char cat_path[512]; /* borrowed by the catalog for its life */

static void setup(void)
{
    tu_dir_new();
    char *path = cat_path;
    const char *csv = "sku,name,status,list_price,min_price,currency\n"
                      "TENT,Tent 2P,active,100.00,80.00,EUR\n"
                      "OLD-LAMP,Old lamp,discontinued,10.00,5.00,EUR\n"
                      "MUG,Mug,active,5.00,4.00,EUR\n";
    tu_write(tu_path(path, sizeof cat_path, "catalog.csv"), csv, strlen(csv));
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_catalog_load(path, &cat, &err), ENG_OK, "catalog: %s", err.msg);
    batch = calloc(1, sizeof *batch);
    store = eng_rowstore_new(1, 0);
    cr_assert_not_null(store);
    cr_assert_not_null(batch);
    batch->mem = eng_arena_new(4096);
    cr_assert_not_null(batch->mem);
    batch->file = 3;
    intern = eng_intern_new(eng_sip_key_random());
    cr_assert_not_null(intern);
    worker = eng_ingest_worker_new(eng_sip_key_random(), intern);
    cr_assert_not_null(worker);
    /* The canonical layout bound to a header in SPEC's column order. */
    for (int c = 0; c < FMT_COL_COUNT; c++) {
        cols[c] = c;
        names[c] = fmt_col_name((fmt_col)c);
    }
    layout.layout = fmt_layout_find("canonical");
    cr_assert_not_null(layout.layout);
    layout.bind = cols;
    layout.n_header = FMT_COL_COUNT;
    layout.header_names = names;
}

static void teardown(void)
{
    eng_batch_free(batch);
    eng_rowstore_free(store);
    eng_ingest_worker_free(worker);
    eng_intern_free(intern);
    eng_catalog_free(cat);
    tu_dir_remove();
}

TestSuite(ingest, .init = setup, .fini = teardown);

/* The clean row with column c's raw text replaced by v and column d's by w (written as
 * is: the caller quotes them when needed). c or d < 0 changes nothing. */
static const char *row_with2(int c, const char *v, int d, const char *w)
{
    size_t o = 0;
    for (int i = 0; i < FMT_COL_COUNT; i++) {
        const char *f = i == c ? v : i == d ? w : clean[i];
        int n = snprintf(rec + o, sizeof rec - o, "%s%s", i ? "," : "", f);
        cr_assert(n >= 0 && (size_t)n < sizeof rec - o);
        o += (size_t)n;
    }
    return rec;
}

static const char *row_with(int c, const char *v)
{
    return row_with2(c, v, -1, NULL);
}

/* Feed one raw record; returns its row. */
static eng_row *feed(const char *text)
{
    cr_assert_eq(eng_ingest_record(batch, worker, &layout, cat, text, strlen(text), LINE, LINE),
                 ENG_OK);
    cr_assert_gt(batch->n_rows, 0);
    return &batch->rows[batch->n_rows - 1];
}

static eng_row *feed_with(int c, const char *v)
{
    return feed(row_with(c, v));
}

/* The batch holds exactly one exception and it says code, field, line, and a message
 * containing `part` (NULL: not checked). */
static const eng_exc *assert_one(eng_code code, const char *field, const char *part)
{
    cr_assert_eq(batch->exc.n, 1, "%zu exceptions, want 1 (first: %s %s)", batch->exc.n,
                 batch->exc.n ? eng_code_name((eng_code)batch->exc.items[0].code) : "-",
                 batch->exc.n ? batch->exc.items[0].message : "-");
    const eng_exc *e = &batch->exc.items[0];
    cr_assert_str_eq(eng_code_name((eng_code)e->code), eng_code_name(code));
    cr_assert_str_eq(e->field, field);
    cr_assert_eq(e->line, LINE);
    cr_assert_eq(e->file, 3);
    if (part)
        cr_assert(strstr(e->message, part) != NULL, "message '%s' lacks '%s'", e->message, part);
    return e;
}

static void assert_no_exception(const eng_row *row)
{
    cr_assert_eq(batch->exc.n, 0, "unexpected %s: %s",
                 batch->exc.n ? eng_code_name((eng_code)batch->exc.items[0].code) : "",
                 batch->exc.n ? batch->exc.items[0].message : "");
    cr_assert_eq(row->flags & (ENG_ROW_FAULT | ENG_ROW_BAD), 0);
    cr_assert_eq(row->worst, ENG_CODE_NONE);
}

/* ---- a clean row ---- */

Test(ingest, clean_row_has_no_exception_and_keeps_its_values)
{
    eng_row *r = feed_with(-1, NULL);
    assert_no_exception(r);
    cr_assert_eq(r->flags, ENG_ROW_QTY_OK | ENG_ROW_PRICE_OK | ENG_ROW_GIVEN_ALL,
                 "every required value is given");
    cr_assert_eq(eng_row_line(r), LINE);
    cr_assert_eq(r->file, 3);
    cr_assert_str_eq(r->order_id, "A-1");
    cr_assert_eq(eng_row_id_len(r), 3);
    cr_assert_null(r->extra, "a row of small numbers and no line id needs no extra");
    cr_assert_eq(sizeof(eng_row), 64, "one per order line until its partition is built");
    cr_assert_eq(sizeof(eng_row_extra), 24, "every row of an Amazon or Tmall night has one");
    cr_assert_eq(r->product, eng_catalog_find(cat, "TENT", 4));
    cr_assert_eq(r->product, 0);
    cr_assert_eq(eng_row_qty(r), 2);
    cr_assert_eq(eng_row_unit_price(r).mant, 10000);
    cr_assert_eq(eng_row_unit_price(r).frac, 2);
}

Test(ingest, line_amount_is_the_lines_amount_and_unit_price_is_not_read)
{
    /* backorders.csv of a marketplace line total: 2 tents for 199.99, shown as 100.00 */
    eng_row *r = feed_with(FMT_COL_LINE_AMOUNT, "199.99");
    assert_no_exception(r);
    cr_assert_eq(r->flags & ~ENG_ROW_GIVEN_ALL,
                 ENG_ROW_QTY_OK | ENG_ROW_PRICE_OK | ENG_ROW_LINE_TOTAL);
    cr_assert_eq(eng_row_unit_price(r).mant, 19999);
    cr_assert_eq(eng_row_unit_price(r).frac, 2);
}

Test(ingest, blank_line_amount_leaves_the_unit_price)
{
    eng_row *r = feed_with(FMT_COL_LINE_AMOUNT, "");
    cr_assert_eq(r->flags & ~ENG_ROW_GIVEN_ALL, ENG_ROW_QTY_OK | ENG_ROW_PRICE_OK);
    cr_assert_eq(eng_row_unit_price(r).mant, 10000);
}

Test(ingest, clean_row_keeps_order_level_fields_in_its_head)
{
    eng_row *r = feed_with(-1, NULL);
    cr_assert_not_null(r->head);
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_CHANNEL).p, "shop");
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_SHIP_CITY).p, "Berlin");
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_SHIP_REGION).p, "");
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_CURRENCY).p, "EUR");
    cr_assert_eq(eng_head_priority(r->head), 1);
    /* 2026-11-26 is day 20783 since 1970-01-01; 10:00 is 36000 s later. */
    cr_assert_eq(r->head->time_ns, (20783LL * 86400 + 36000) * 1000000000LL);
    cr_assert_eq(eng_head_money(r->head, ENG_HM_ORDER_TOTAL).mant, 20000);
    cr_assert(r->head->present & (1u << FMT_COL_ORDER_TOTAL));
    cr_assert_not(r->head->present & (1u << FMT_COL_SHIP_REGION), "blank region is present");
}

Test(ingest, continuation_row_with_blank_order_fields_has_no_head)
{
    eng_row *r = feed("A-1,,MUG,1,5.00,,,,,,,,,,,,,,,,,,,");
    assert_no_exception(r);
    cr_assert_null(r->head);
    cr_assert_eq(r->product, 2);
}

/* ---- the head's texts: repeated ones shared, own ones inline ---- */

Test(ingest, heads_with_the_same_repeated_texts_share_one_tuple)
{
    const eng_head *a = feed_with(-1, NULL)->head;
    const eng_head *b = feed_with(FMT_COL_SHIP_NAME, "Bo Other")->head;
    const eng_head *c = feed_with(FMT_COL_SHIP_COUNTRY, "AT")->head;
    cr_assert_neq(a, b, "a name of its own makes a head of its own");
    cr_assert_eq(a->common, b->common);
    cr_assert_neq(c->common, a->common);
    cr_assert_eq(eng_intern_count(intern), 2);
    cr_assert_str_eq(eng_head_text(b, ENG_HT_SHIP_NAME).p, "Bo Other");
    cr_assert_str_eq(eng_head_text(c, ENG_HT_SHIP_COUNTRY).p, "AT");
    cr_assert_str_eq(eng_head_text(c, ENG_HT_SHIP_NAME).p, "Ann Example");
    cr_assert_str_eq(eng_head_text(c, ENG_HT_SHIP_SERVICE).p, "standard");
    cr_assert_str_eq(eng_head_text(c, ENG_HT_SHIP_POSTAL).p, "10115");
    cr_assert_str_eq(eng_head_text(c, ENG_HT_CUSTOMER_ID).p, "C-9");
}

Test(ingest, a_head_keeps_only_its_amounts_that_are_not_zero)
{
    const eng_head *h = feed_with(-1, NULL)->head;
    cr_assert_eq(h->money_kept, (1u << ENG_HM_ORDER_TOTAL) | ENG_HEAD_KEEPS_PRIORITY,
                 "0.00 takes no room");
    cr_assert_eq(eng_head_priority(h), 1);
    cr_assert_eq(eng_head_money(h, ENG_HM_ORDER_TOTAL).mant, 20000);
    cr_assert_eq(eng_head_money(h, ENG_HM_SHIPPING).mant, 0);
    cr_assert_eq(eng_head_money(h, ENG_HM_SHIPPING).frac, 2, "0.00 keeps its two digits");
    const eng_head *d = feed_with(FMT_COL_DISCOUNT, "1.5")->head;
    cr_assert_eq(d->money_kept,
                 (1u << ENG_HM_ORDER_TOTAL) | (1u << ENG_HM_DISCOUNT) | ENG_HEAD_KEEPS_PRIORITY);
    cr_assert_eq(eng_head_priority(d), 1, "the priority follows the amounts");
    cr_assert_eq(eng_head_money(d, ENG_HM_ORDER_TOTAL).mant, 20000);
    cr_assert_eq(eng_head_money(d, ENG_HM_DISCOUNT).mant, 15);
    cr_assert_eq(eng_head_money(d, ENG_HM_DISCOUNT).frac, 1);
    cr_assert_eq(eng_head_money(d, ENG_HM_TAX).mant, 0);
    cr_assert_str_eq(eng_head_text(d, ENG_HT_CUSTOMER_ID).p, "C-9", "texts follow the amounts");
    const eng_head *blank = feed_with(FMT_COL_PRIORITY, "")->head;
    cr_assert_eq(blank->money_kept, 1u << ENG_HM_ORDER_TOTAL, "a blank priority takes no room");
    cr_assert_eq(eng_head_priority(blank), 0);
    cr_assert_str_eq(eng_head_text(blank, ENG_HT_CUSTOMER_ID).p, "C-9");
    cr_assert_str_eq(eng_head_text(d, ENG_HT_SHIP_POSTAL).p, "10115");
}

Test(ingest, a_long_repeated_text_stays_with_its_head)
{
    char channel[101];
    memset(channel, 'c', 100);
    channel[100] = '\0';
    const eng_head *a = feed_with(FMT_COL_CHANNEL, channel)->head;
    const eng_head *b = feed(row_with(FMT_COL_CHANNEL, channel))->head;
    cr_assert_eq(a, b, "the same values on the next row share the head");
    feed_with(FMT_COL_ORDER_ID, "A-2");
    const eng_head *c = feed_with(FMT_COL_CHANNEL, channel)->head;
    cr_assert_neq(a->common, c->common, "a 100-byte channel is not shared");
    cr_assert_eq(eng_head_text(c, ENG_HT_CHANNEL).len, 100);
    cr_assert_str_eq(eng_head_text(c, ENG_HT_CHANNEL).p, channel);
    cr_assert_eq(eng_intern_count(intern), 1, "only the clean row's texts are in the table");
}

Test(ingest, the_intern_table_shares_texts_up_to_64_bytes_and_65536_tuples)
{
    eng_intern *t = eng_intern_new(eng_sip_key_random());
    cr_assert_not_null(t);
    eng_intern_cache cache;
    memset(&cache, 0, sizeof cache);
    eng_text texts[ENG_HT_COUNT];
    for (int i = 0; i < ENG_HT_COUNT; i++)
        texts[i] = (eng_text){"", 0};
    char channel[66];
    memset(channel, 'c', 65);
    channel[65] = '\0';
    texts[ENG_HT_CHANNEL] = (eng_text){channel, 64};
    const eng_head_common *first = eng_intern_common(t, &cache, texts);
    cr_assert_not_null(first, "64 bytes are shared");
    cr_assert_eq(first->text[ENG_HC_CHANNEL].len, 64);
    texts[ENG_HT_CHANNEL].len = 65;
    cr_assert_null(eng_intern_common(t, &cache, texts), "65 bytes are not");
    char name[16];
    for (unsigned k = 1; k < 65536; k++) {
        int n = snprintf(name, sizeof name, "ch%u", k);
        texts[ENG_HT_CHANNEL] = (eng_text){name, (uint32_t)n};
        cr_assert_not_null(eng_intern_common(t, &cache, texts), "tuple %u", k);
    }
    cr_assert_eq(eng_intern_count(t), 65536);
    texts[ENG_HT_CHANNEL] = (eng_text){"one more", 8};
    cr_assert_null(eng_intern_common(t, &cache, texts), "the table is full");
    texts[ENG_HT_CHANNEL] = (eng_text){channel, 64};
    eng_intern_cache cold;
    memset(&cold, 0, sizeof cold);
    cr_assert_eq(eng_intern_common(t, &cold, texts), first, "a full table still finds its own");
    cr_assert_eq(eng_intern_count(t), 65536);
    eng_intern_free(t);
}

Test(ingest, own_texts_over_64_kib_are_read_back_whole)
{
    enum { LONG = 70000 };
    char *street = malloc(LONG + 1), *text = malloc(LONG + 1024);
    cr_assert(street && text);
    memset(street, 's', LONG);
    street[LONG] = '\0';
    size_t o = 0;
    for (int i = 0; i < FMT_COL_COUNT; i++)
        o += (size_t)sprintf(text + o, "%s%s", i ? "," : "",
                             i == FMT_COL_SHIP_STREET ? street : clean[i]);
    const eng_head *h = feed(text)->head;
    cr_assert(h->wide);
    cr_assert_eq(eng_head_text(h, ENG_HT_SHIP_STREET).len, LONG);
    cr_assert_eq(memcmp(eng_head_text(h, ENG_HT_SHIP_STREET).p, street, LONG + 1), 0);
    cr_assert_str_eq(eng_head_text(h, ENG_HT_CUSTOMER_ID).p, "C-9");
    cr_assert_str_eq(eng_head_text(h, ENG_HT_SHIP_NAME).p, "Ann Example");
    cr_assert_str_eq(eng_head_text(h, ENG_HT_SHIP_CITY).p, "Berlin");
    cr_assert_str_eq(eng_head_text(h, ENG_HT_SHIP_REGION).p, "");
    cr_assert_str_eq(eng_head_text(h, ENG_HT_SHIP_POSTAL).p, "10115");
    cr_assert_str_eq(eng_head_text(h, ENG_HT_SHIP_COUNTRY).p, "DE");
    cr_assert_not(feed_with(-1, NULL)->head->wide);
    free(street);
    free(text);
}

Test(ingest, a_row_keeps_which_required_values_it_gives_valid_or_not)
{
    eng_row *r = feed_with(FMT_COL_SHIP_CITY, "");
    cr_assert_eq(r->flags & ENG_ROW_GIVEN_ALL,
                 ENG_ROW_GIVEN_ALL & ~(1u << (ENG_ROW_GIVEN_SHIFT + 4)),
                 "ship_city (required value 4) is blank");
    cr_assert_eq(eng_required_col(4), FMT_COL_SHIP_CITY);
    r = feed_with(FMT_COL_ORDER_TIME, "yesterday");
    cr_assert_eq(r->flags & ENG_ROW_GIVEN_ALL, ENG_ROW_GIVEN_ALL, "an invalid time is given");
    cr_assert_not(r->head->present & (1u << FMT_COL_ORDER_TIME));
    r = feed("A-1,,MUG,1,5.00,,,,,,,,,,,,,,,,,,,");
    cr_assert_eq(r->flags & ENG_ROW_GIVEN_ALL, 0, "a continuation row gives none");
    r = feed("A-1,2026-11-26,MUG");
    cr_assert_eq(r->flags & ENG_ROW_GIVEN_ALL, ENG_ROW_GIVEN_ALL, "a malformed row gives all");
}

/* ---- MALFORMED_ROW ---- */

Test(ingest, row_with_one_field_too_few_is_malformed)
{
    /* 23 fields: the comma between qty and unit_price is missing. */
    eng_row *r = feed("A-1,2026-11-26T10:00:00Z,TENT,2100.00,EUR,shop,1,C-9,Ann Example,"
                      "Main St 1,Berlin,,10115,DE,standard,200.00,0.00,0.00,0.00,,,y,");
    assert_one(ENG_CODE_MALFORMED_ROW, "", "the row has 23 fields, the header has 24");
    cr_assert_eq(r->worst, ENG_CODE_MALFORMED_ROW);
    cr_assert_eq(r->flags & (ENG_ROW_FAULT | ENG_ROW_BAD), ENG_ROW_FAULT | ENG_ROW_BAD);
    cr_assert_eq(r->flags & ENG_ROW_GIVEN_ALL, ENG_ROW_GIVEN_ALL,
                 "a malformed row's fields cannot be trusted");
    cr_assert_str_eq(r->order_id, "A-1", "the row still belongs to its order");
    cr_assert_str_eq(batch->exc.items[0].record_id, "A-1");
}

Test(ingest, row_with_one_field_too_many_is_malformed)
{
    char text[1100];
    snprintf(text, sizeof text, "%s,extra", row_with(-1, NULL));
    eng_row *r = feed(text);
    assert_one(ENG_CODE_MALFORMED_ROW, "", "the row has 25 fields, the header has 24");
    cr_assert_eq(r->worst, ENG_CODE_MALFORMED_ROW);
}

Test(ingest, stray_quote_in_unquoted_field_is_malformed)
{
    eng_row *r = feed_with(FMT_COL_SHIP_STREET, "Unit 5\"x7 Speicherhof");
    assert_one(ENG_CODE_MALFORMED_ROW, "", "not well-formed CSV");
    cr_assert_eq(r->worst, ENG_CODE_MALFORMED_ROW);
    cr_assert_eq(r->flags & ENG_ROW_BAD, ENG_ROW_BAD);
}

Test(ingest, quoted_field_with_comma_and_doubled_quote_is_well_formed)
{
    eng_row *r = feed_with(FMT_COL_SHIP_STREET, "\"Unit 5\"\"x7, Speicherhof\"");
    assert_no_exception(r);
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_SHIP_STREET).p, "Unit 5\"x7, Speicherhof");
}

/* ---- BAD_ENCODING ---- */

Test(ingest, invalid_utf8_names_the_column_and_the_byte)
{
    eng_row *r = feed_with(FMT_COL_SHIP_CITY, "Orl\xE9"
                                              "ans");
    assert_one(ENG_CODE_BAD_ENCODING, "ship_city", "byte 0xE9 at position 4");
    cr_assert(strstr(batch->exc.items[0].message, "\"Orl\\xE9ans\"") != NULL, "%s",
              batch->exc.items[0].message);
    cr_assert_eq(r->worst, ENG_CODE_BAD_ENCODING);
    cr_assert_eq(r->flags & ENG_ROW_BAD, ENG_ROW_BAD);
}

Test(ingest, invalid_utf8_is_kept_escaped_so_outputs_stay_utf8)
{
    eng_row *r = feed_with(FMT_COL_SHIP_CITY, "Orl\xE9"
                                              "ans");
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_SHIP_CITY).p, "Orl\\xE9ans");
}

Test(ingest, valid_multibyte_utf8_is_accepted)
{
    eng_row *r = feed_with(FMT_COL_SHIP_CITY, "M\xC3\xBCnchen");
    assert_no_exception(r);
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_SHIP_CITY).p, "M\xC3\xBCnchen");
}

/* ---- MISSING_FIELD ---- */

Test(ingest, blank_order_id_is_missing_and_row_has_no_order)
{
    eng_row *r = feed_with(FMT_COL_ORDER_ID, "");
    const eng_exc *e = assert_one(ENG_CODE_MISSING_FIELD, "order_id", "order_id is blank");
    cr_assert_null(r->order_id);
    cr_assert_str_eq(e->record_id, "");
    cr_assert_eq(r->worst, ENG_CODE_MISSING_FIELD);
    cr_assert_eq(r->flags & ENG_ROW_BAD, ENG_ROW_BAD);
}

Test(ingest, blank_sku_is_missing)
{
    eng_row *r = feed_with(FMT_COL_SKU, "");
    assert_one(ENG_CODE_MISSING_FIELD, "sku", "sku is blank");
    cr_assert_eq(r->product, -1);
    cr_assert_eq(r->worst, ENG_CODE_MISSING_FIELD);
}

Test(ingest, blank_qty_is_missing_not_bad_qty)
{
    eng_row *r = feed_with(FMT_COL_QTY, "");
    assert_one(ENG_CODE_MISSING_FIELD, "qty", "qty is blank");
    cr_assert_eq(r->flags & ENG_ROW_QTY_OK, 0);
    cr_assert_eq(r->flags & ENG_ROW_PRICE_OK, ENG_ROW_PRICE_OK);
}

Test(ingest, blank_unit_price_is_missing)
{
    eng_row *r = feed_with(FMT_COL_UNIT_PRICE, "");
    assert_one(ENG_CODE_MISSING_FIELD, "unit_price", "unit_price is blank");
    cr_assert_eq(r->flags & ENG_ROW_PRICE_OK, 0);
    cr_assert_eq(r->flags & ENG_ROW_QTY_OK, ENG_ROW_QTY_OK);
}

/* ---- exceptions name the file's own column ---- */

Test(ingest, exceptions_name_the_files_own_column)
{
    const fmt_layout *l = layout.layout;
    for (int c = 0; c < FMT_COL_COUNT; c++)
        if (c != FMT_COL_UNIT_PRICE)
            cr_expect_eq(l->source_column(l, cols, (fmt_col)c), c, "%s", fmt_col_name((fmt_col)c));
    /* With a line_amount column a row's price is read from either. */
    cr_expect_eq(l->source_column(l, cols, FMT_COL_UNIT_PRICE), -1);
    /* A header in another order, without the optional columns. */
    fmt_csv_fields *h = fmt_csv_fields_new(l->dialect);
    cr_assert_not_null(h);
    const char *text = "sku,qty,unit_price,currency,order_time,order_id";
    cr_assert_eq(fmt_csv_split(h, text, strlen(text)), ENG_OK);
    void *b = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(l->bind(l, h, &b, &err), ENG_OK, "%s", err.msg);
    cr_expect_eq(l->source_column(l, b, FMT_COL_SKU), 0);
    cr_expect_eq(l->source_column(l, b, FMT_COL_ORDER_ID), 5);
    cr_expect_eq(l->source_column(l, b, FMT_COL_CHANNEL), FMT_LAYOUT_NO_COLUMN);
    l->unbind(b);
    fmt_csv_fields_free(h);
}

Test(ingest, blank_value_names_the_files_column_in_field_and_message)
{
    layout.col_label[FMT_COL_SKU] = "Lineitem sku";
    feed_with(FMT_COL_SKU, "");
    assert_one(ENG_CODE_MISSING_FIELD, "Lineitem sku", "Lineitem sku is blank");
}

/* ---- BAD_NUMBER ---- */

static void assert_bad_price(const char *raw, const char *shown)
{
    eng_row *r = feed_with(FMT_COL_UNIT_PRICE, raw);
    char want[80];
    snprintf(want, sizeof want, "unit_price \"%s\"", shown);
    assert_one(ENG_CODE_BAD_NUMBER, "unit_price", want);
    cr_assert_eq(r->flags & ENG_ROW_PRICE_OK, 0);
    cr_assert_eq(r->worst, ENG_CODE_BAD_NUMBER);
    cr_assert_eq(r->flags & ENG_ROW_BAD, ENG_ROW_BAD);
}

Test(ingest, decimal_comma_price_is_bad_number)
{
    assert_bad_price("\"12,50\"", "12,50");
}

Test(ingest, letters_price_is_bad_number)
{
    assert_bad_price("abc", "abc");
}

Test(ingest, negative_price_is_bad_number)
{
    assert_bad_price("-5.00", "-5.00");
}

Test(ingest, exponent_price_is_bad_number)
{
    assert_bad_price("1e3", "1e3");
}

Test(ingest, price_of_19_nines_overflows_and_is_bad_number)
{
    assert_bad_price("9999999999999999999", "9999999999999999999");
}

Test(ingest, price_one_above_int64_max_is_bad_number)
{
    assert_bad_price("9223372036854775808", "9223372036854775808");
}

Test(ingest, price_of_int64_max_minor_digits_parses)
{
    eng_row *r = feed_with(FMT_COL_UNIT_PRICE, "9223372036854775807");
    assert_no_exception(r);
    cr_assert_eq(eng_row_unit_price(r).mant, INT64_MAX);
    cr_assert_eq(eng_row_unit_price(r).frac, 0);
}

Test(ingest, price_with_four_decimals_parses_at_row_level)
{
    /* Four is the most any ISO 4217 currency has; the currency's own limit is checked
     * once the order's currency is known (orders stage). */
    eng_row *r = feed_with(FMT_COL_UNIT_PRICE, "1.2345");
    assert_no_exception(r);
    cr_assert_eq(eng_row_unit_price(r).mant, 12345);
    cr_assert_eq(eng_row_unit_price(r).frac, 4);
}

Test(ingest, price_with_five_decimals_is_bad_number)
{
    assert_bad_price("1.23456", "1.23456");
}

Test(ingest, zero_price_is_accepted_at_row_level)
{
    /* 0.00 is a valid amount; the price floor is an order-level check. */
    eng_row *r = feed_with(FMT_COL_UNIT_PRICE, "0.00");
    assert_no_exception(r);
}

Test(ingest, bad_order_total_is_bad_number_and_not_kept)
{
    eng_row *r = feed_with(FMT_COL_ORDER_TOTAL, "abc");
    assert_one(ENG_CODE_BAD_NUMBER, "order_total", "order_total \"abc\"");
    cr_assert_not(r->head->present & (1u << FMT_COL_ORDER_TOTAL));
    cr_assert(r->head->present & (1u << FMT_COL_SHIPPING));
    cr_assert_eq(r->worst, ENG_CODE_BAD_NUMBER);
}

/* Issue 16: whether the marketplace collected the tax is kept as y or n, whatever the
 * file's spelling; anything else is named, never guessed. */
Test(ingest, marketplace_tax_is_kept_as_y_or_n)
{
    eng_row *r = feed_with(-1, NULL);
    assert_no_exception(r);
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_MARKETPLACE_TAX).p, "y");
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_PAYMENT_GATEWAY).p, "Market Pay");
    r = feed_with(FMT_COL_MARKETPLACE_TAX, "FALSE");
    cr_assert_str_eq(eng_head_text(r->head, ENG_HT_MARKETPLACE_TAX).p, "n");
}

Test(ingest, marketplace_tax_not_y_or_n_is_bad_value)
{
    eng_row *r = feed_with(FMT_COL_MARKETPLACE_TAX, "maybe");
    assert_one(ENG_CODE_BAD_VALUE, "marketplace_tax", "marketplace_tax \"maybe\" is not y or n");
    cr_assert_not(r->head->present & (1u << FMT_COL_MARKETPLACE_TAX));
    cr_assert_eq(r->worst, ENG_CODE_BAD_VALUE);
}

Test(ingest, negative_discount_is_bad_number)
{
    feed_with(FMT_COL_DISCOUNT, "-1.00");
    assert_one(ENG_CODE_BAD_NUMBER, "discount", "discount \"-1.00\"");
}

Test(ingest, word_priority_is_bad_number)
{
    eng_row *r = feed_with(FMT_COL_PRIORITY, "high");
    assert_one(ENG_CODE_BAD_NUMBER, "priority", "priority \"high\" is not a whole number");
    cr_assert_not(r->head->present & (1u << FMT_COL_PRIORITY));
}

Test(ingest, negative_priority_is_a_valid_whole_number)
{
    eng_row *r = feed_with(FMT_COL_PRIORITY, "-3");
    assert_no_exception(r);
    cr_assert_eq(eng_head_priority(r->head), -3);
}

Test(ingest, fractional_priority_is_bad_number)
{
    feed_with(FMT_COL_PRIORITY, "1.5");
    assert_one(ENG_CODE_BAD_NUMBER, "priority", "\"1.5\"");
}

/* ---- BAD_QTY ---- */

static void assert_bad_qty(const char *raw)
{
    eng_row *r = feed_with(FMT_COL_QTY, raw);
    char want[80];
    snprintf(want, sizeof want, "qty \"%s\" is not a positive whole number", raw);
    assert_one(ENG_CODE_BAD_QTY, "qty", want);
    cr_assert_eq(r->flags & ENG_ROW_QTY_OK, 0);
    cr_assert_eq(r->worst, ENG_CODE_BAD_QTY);
    cr_assert_eq(r->flags & ENG_ROW_BAD, ENG_ROW_BAD);
}

Test(ingest, zero_qty_is_bad_qty)
{
    assert_bad_qty("0");
}

Test(ingest, fractional_qty_is_bad_qty)
{
    assert_bad_qty("1.5");
}

Test(ingest, negative_qty_is_bad_qty)
{
    assert_bad_qty("-2");
}

Test(ingest, word_qty_is_bad_qty)
{
    assert_bad_qty("two");
}

/* Issue 5 (hostile input), 2026-11-27: the message says the value is too large rather
 * than "not a positive whole number", which it is. */
Test(ingest, qty_one_above_int64_max_is_bad_qty)
{
    eng_row *r = feed_with(FMT_COL_QTY, "9223372036854775808");
    assert_one(ENG_CODE_BAD_QTY, "qty", "qty \"9223372036854775808\" is too large (over 64 bits)");
    cr_assert_eq(r->flags & ENG_ROW_QTY_OK, 0);
    cr_assert_eq(r->worst, ENG_CODE_BAD_QTY);
}

Test(ingest, qty_of_one_is_accepted)
{
    eng_row *r = feed_with(FMT_COL_QTY, "1");
    assert_no_exception(r);
    cr_assert_eq(eng_row_qty(r), 1);
    cr_assert_eq(r->flags & ENG_ROW_QTY_OK, ENG_ROW_QTY_OK);
}

Test(ingest, qty_of_int64_max_is_accepted)
{
    eng_row *r = feed_with(FMT_COL_QTY, "9223372036854775807");
    assert_no_exception(r);
    cr_assert_eq(eng_row_qty(r), INT64_MAX);
    cr_assert_eq(r->qty, ENG_ROW_IN_EXTRA, "past 32 bits the quantity is kept in the extra");
}

/* A row keeps its numbers in 32 bits and the few larger ones in its extra: each side of
 * the boundary reads back as given. */
Test(ingest, numbers_past_32_bits_read_back_whole)
{
    static const struct {
        const char *qty, *price;
        int64_t want_qty, want_mant;
        int narrow;
    } cases[] = {
        {"2147483647", "21474836.47", INT32_MAX, INT32_MAX, 1},
        {"2147483648", "21474836.48", INT64_C(2147483648), INT64_C(2147483648), 0},
        {"5000000000", "7.00", INT64_C(5000000000), 700, 0},
        {"7", "92233720368547758.07", 7, INT64_MAX, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t before = batch->n_rows;
        const eng_row *r =
            feed(row_with2(FMT_COL_QTY, cases[i].qty, FMT_COL_UNIT_PRICE, cases[i].price));
        cr_assert_eq(batch->n_rows, before + 1);
        cr_assert_eq(eng_row_qty(r), cases[i].want_qty, "%s", cases[i].qty);
        cr_assert_eq(eng_row_unit_price(r).mant, cases[i].want_mant, "%s", cases[i].price);
        cr_assert_eq(eng_row_unit_price(r).frac, 2);
        cr_assert_eq(r->extra == NULL, cases[i].narrow, "%s/%s", cases[i].qty, cases[i].price);
        if (r->extra)
            cr_assert_not_null(r->extra->big,
                               "the large values are kept in the extra's side record");
    }
}

/* Line numbers past 32 bits (a file of more than 4,294,967,294 lines) are kept whole. */
Test(ingest, line_numbers_past_32_bits_read_back_whole)
{
    const char *text = row_with(-1, NULL);
    uint64_t lines[] = {UINT32_MAX - 1, UINT32_MAX, UINT64_C(5000000000)};
    for (size_t i = 0; i < 3; i++) {
        size_t before = batch->n_rows;
        cr_assert_eq(
            eng_ingest_record(batch, worker, &layout, cat, text, strlen(text), lines[i], lines[i]),
            ENG_OK);
        const eng_row *r = &batch->rows[before];
        cr_assert_eq(eng_row_line(r), lines[i]);
        cr_assert_eq(r->extra == NULL, i == 0);
    }
}

/* ---- BAD_DATE ---- */

static void assert_bad_date(const char *raw)
{
    eng_row *r = feed_with(FMT_COL_ORDER_TIME, raw);
    char want[80];
    snprintf(want, sizeof want, "order_time \"%s\"", raw);
    assert_one(ENG_CODE_BAD_DATE, "order_time", want);
    cr_assert_eq(r->worst, ENG_CODE_BAD_DATE);
    cr_assert_eq(r->flags & ENG_ROW_BAD, ENG_ROW_BAD);
    cr_assert_not(r->head->present & (1u << FMT_COL_ORDER_TIME));
}

static void assert_good_date(const char *raw, int64_t want_ns)
{
    eng_row *r = feed_with(FMT_COL_ORDER_TIME, raw);
    assert_no_exception(r);
    cr_assert_eq(r->head->time_ns, want_ns, "%s", raw);
}

Test(ingest, month_13_is_bad_date)
{
    assert_bad_date("2026-13-01T10:00:00Z");
}

Test(ingest, year_1969_is_bad_date)
{
    assert_bad_date("1969-12-31T23:59:59Z");
}

Test(ingest, year_1970_first_instant_is_accepted)
{
    assert_good_date("1970-01-01T00:00:00Z", 0);
}

Test(ingest, year_2100_is_bad_date)
{
    assert_bad_date("2100-01-01T00:00:00Z");
}

Test(ingest, last_second_of_2099_is_accepted)
{
    /* 2099-12-31 is day 47481 since 1970-01-01. */
    assert_good_date("2099-12-31T23:59:59Z", (47481LL * 86400 + 86399) * 1000000000LL);
}

Test(ingest, plain_date_is_midnight_utc)
{
    assert_good_date("2026-11-26", 20783LL * 86400 * 1000000000LL);
}

Test(ingest, offset_time_is_read_as_utc_instant)
{
    assert_good_date("2026-11-26T11:00:00+01:00", (20783LL * 86400 + 36000) * 1000000000LL);
}

Test(ingest, text_date_is_bad_date)
{
    assert_bad_date("yesterday");
}

/* ---- catalog checks ---- */

Test(ingest, unknown_sku_quotes_the_sku)
{
    eng_row *r = feed_with(FMT_COL_SKU, "TENT-3P");
    assert_one(ENG_CODE_UNKNOWN_SKU, "sku", "SKU \"TENT-3P\" is not in the catalog");
    cr_assert_eq(r->product, -1);
    cr_assert_eq(r->worst, ENG_CODE_UNKNOWN_SKU);
    cr_assert_eq(r->flags & ENG_ROW_FAULT, ENG_ROW_FAULT);
    cr_assert_eq(r->flags & ENG_ROW_BAD, 0, "UNKNOWN_SKU does not count towards the error rate");
}

Test(ingest, sku_lookup_is_case_sensitive)
{
    feed_with(FMT_COL_SKU, "tent");
    assert_one(ENG_CODE_UNKNOWN_SKU, "sku", "\"tent\"");
}

Test(ingest, discontinued_sku_is_inactive_and_names_its_status)
{
    eng_row *r = feed_with(FMT_COL_SKU, "OLD-LAMP");
    assert_one(ENG_CODE_SKU_INACTIVE, "sku", "\"OLD-LAMP\" has catalog status \"discontinued\"");
    cr_assert_eq(r->product, 1, "the product is still known");
    cr_assert_eq(r->worst, ENG_CODE_SKU_INACTIVE);
    cr_assert_eq(r->flags & ENG_ROW_BAD, 0, "SKU_INACTIVE does not count towards the error rate");
}

/* ---- several codes on one row ---- */

Test(ingest, row_with_two_problems_gets_two_exceptions_and_the_lower_code_as_worst)
{
    /* UNKNOWN_SKU comes after BAD_QTY in SPEC's order. */
    char text[1024];
    snprintf(text, sizeof text, "%s", row_with(FMT_COL_SKU, "NOPE"));
    char *qty = strstr(text, ",2,100.00");
    cr_assert_not_null(qty);
    qty[1] = '0';
    eng_row *r = feed(text);
    cr_assert_eq(batch->exc.n, 2);
    cr_assert_eq(r->worst, ENG_CODE_BAD_QTY);
    int seen_qty = 0, seen_sku = 0;
    for (size_t i = 0; i < batch->exc.n; i++) {
        seen_qty += batch->exc.items[i].code == ENG_CODE_BAD_QTY;
        seen_sku += batch->exc.items[i].code == ENG_CODE_UNKNOWN_SKU;
    }
    cr_assert_eq(seen_qty, 1);
    cr_assert_eq(seen_sku, 1);
}

/* ---- UNSAFE_TEXT ----
 * Regression (issue 12 item 4 and issue 15, 2026-12-06): order ids, SKUs and postal
 * codes are matched and written exactly, so one a spreadsheet would run as a formula (or
 * one that would need the guard's extra ') is refused at the source rather than altered;
 * free text is kept and guarded on output, and the canonical layout reads a guarded
 * value back without its guard. */

Test(ingest, formula_led_order_id_is_unsafe_text_and_faults_the_row)
{
    eng_row *r = feed_with(FMT_COL_ORDER_ID, "=1+2");
    const eng_exc *e = assert_one(ENG_CODE_UNSAFE_TEXT, "order_id",
                                  "order_id \"=1+2\" starts with \"=\", which a spreadsheet runs "
                                  "as a formula; slipway never changes ids, so correct it at "
                                  "the source");
    cr_assert_str_eq(e->record_id, "=1+2");
    cr_assert_str_eq(r->order_id, "=1+2"); /* still its order, which is then rejected */
    cr_assert_eq(r->worst, ENG_CODE_UNSAFE_TEXT);
    cr_assert_eq(r->flags & (ENG_ROW_FAULT | ENG_ROW_BAD), ENG_ROW_FAULT | ENG_ROW_BAD);
}

Test(ingest, every_formula_lead_of_an_order_id_is_unsafe_text)
{
    static const char *const ids[] = {"+1", "-1", "@A", "\"\tA\"", "\"\rA\"", "'=1", "''A"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        batch->exc.n = 0;
        eng_row *r = feed_with(FMT_COL_ORDER_ID, ids[i]);
        cr_expect_eq(r->worst, ENG_CODE_UNSAFE_TEXT, "order id %s: %s", ids[i],
                     batch->exc.n ? batch->exc.items[0].message : "no exception");
    }
}

Test(ingest, quote_led_order_id_that_needs_no_guard_is_accepted)
{
    eng_row *r = feed_with(FMT_COL_ORDER_ID, "'s-1");
    assert_no_exception(r);
    cr_assert_str_eq(r->order_id, "'s-1");
}

Test(ingest, formula_led_sku_is_unsafe_text_not_unknown_sku)
{
    eng_row *r = feed_with(FMT_COL_SKU, "-TENT");
    assert_one(ENG_CODE_UNSAFE_TEXT, "sku", "slipway never changes SKUs");
    cr_assert_eq(r->product, -1);
}

Test(ingest, formula_led_postal_code_is_unsafe_text)
{
    feed_with(FMT_COL_SHIP_POSTAL, "+31");
    assert_one(ENG_CODE_UNSAFE_TEXT, "ship_postal",
               "ship_postal \"+31\" starts with \"+\", which a spreadsheet runs as a formula; "
               "slipway never changes postal codes");
}

Test(ingest, quote_then_formula_order_id_names_both_characters)
{
    feed_with(FMT_COL_ORDER_ID, "'=3");
    assert_one(ENG_CODE_UNSAFE_TEXT, "order_id",
               "order_id \"'=3\" starts with \"'=\", which outputs would have to write with "
               "one more \"'\"");
}

/* UNSAFE_TEXT ranks right after BAD_ENCODING, before every other code. */
Test(ingest, unsafe_text_outranks_a_bad_qty_on_the_same_row)
{
    char text[1024];
    snprintf(text, sizeof text, "%s", row_with(FMT_COL_SKU, "@TENT"));
    char *qty = strstr(text, ",2,100.00");
    cr_assert_not_null(qty);
    qty[1] = '0';
    eng_row *r = feed(text);
    cr_assert_eq(batch->exc.n, 2);
    cr_assert_eq(r->worst, ENG_CODE_UNSAFE_TEXT);
    cr_assert_lt(ENG_CODE_BAD_ENCODING, ENG_CODE_UNSAFE_TEXT);
    cr_assert_lt(ENG_CODE_UNSAFE_TEXT, ENG_CODE_MISSING_FIELD);
    cr_assert(eng_code_counts_as_bad(ENG_CODE_UNSAFE_TEXT));
}

Test(ingest, formula_led_free_text_is_kept_as_written)
{
    char text[1024];
    snprintf(text, sizeof text, "%s", row_with(FMT_COL_SHIP_NAME, "\"=HYPERLINK(\"\"x\"\")\""));
    eng_row *r = feed(text);
    assert_no_exception(r);
    eng_text t = eng_head_text(r->head, ENG_HT_SHIP_NAME);
    cr_assert(t.len == strlen("=HYPERLINK(\"x\")") && memcmp(t.p, "=HYPERLINK(\"x\")", t.len) == 0);
}

/* backorders.csv fed back as orders: its free text comes back without the writer's
 * guard; ids and other text with a ' of their own are left as they are. */
Test(ingest, canonical_layout_reads_guarded_free_text_without_its_guard)
{
    static const struct {
        int col;
        eng_ht slot;
        const char *raw, *want;
    } cases[] = {
        {FMT_COL_CHANNEL, ENG_HT_CHANNEL, "'=web", "=web"},
        {FMT_COL_CUSTOMER_ID, ENG_HT_CUSTOMER_ID, "'-42", "-42"},
        {FMT_COL_SHIP_NAME, ENG_HT_SHIP_NAME, "''=x", "'=x"},
        {FMT_COL_SHIP_STREET, ENG_HT_SHIP_STREET, "'+1 Main St", "+1 Main St"},
        {FMT_COL_SHIP_CITY, ENG_HT_SHIP_CITY, "'s-Hertogenbosch", "'s-Hertogenbosch"},
        {FMT_COL_SHIP_REGION, ENG_HT_SHIP_REGION, "'@SUM(A1)", "@SUM(A1)"},
        {FMT_COL_SHIP_COUNTRY, ENG_HT_SHIP_COUNTRY, "'@NL", "@NL"},
        {FMT_COL_SHIP_SERVICE, ENG_HT_SHIP_SERVICE, "'\tExpress", "\tExpress"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        batch->exc.n = 0;
        eng_row *r = feed_with(cases[i].col, cases[i].raw);
        assert_no_exception(r);
        eng_text t = eng_head_text(r->head, cases[i].slot);
        cr_expect(t.len == strlen(cases[i].want) && memcmp(t.p, cases[i].want, t.len) == 0,
                  "%s \"%s\" read as \"%.*s\"", fmt_col_name((fmt_col)cases[i].col), cases[i].raw,
                  (int)t.len, t.p);
    }
}

/* ---- rows of a batch ---- */

Test(ingest, open_qty_is_kept_when_given)
{
    eng_row *r = feed_with(FMT_COL_OPEN_QTY, "0");
    cr_assert_eq(eng_row_open_qty(r), 0);
    cr_assert_eq(r->worst, ENG_CODE_NONE);
}

Test(ingest, blank_open_qty_means_no_bound)
{
    eng_row *r = feed_with(-1, NULL);
    cr_assert_eq(eng_row_open_qty(r), -1);
}

Test(ingest, negative_open_qty_is_bad_qty)
{
    eng_row *r = feed_with(FMT_COL_OPEN_QTY, "-1");
    cr_assert_eq(r->worst, ENG_CODE_BAD_QTY);
    cr_assert_eq(eng_row_open_qty(r), -1);
}

Test(ingest, rows_keep_their_line_numbers)
{
    cr_assert_eq(
        eng_ingest_record(batch, worker, &layout, cat, row_with(-1, NULL), strlen(rec), 2, 2),
        ENG_OK);
    cr_assert_eq(
        eng_ingest_record(batch, worker, &layout, cat, row_with(-1, NULL), strlen(rec), 5, 5),
        ENG_OK);
    cr_assert_eq(batch->n_rows, 2);
    cr_assert_eq(batch->rows[0].line, 2);
    cr_assert_eq(batch->rows[1].line, 5);
}

Test(ingest, identical_records_have_the_same_rec_digest)
{
    feed_with(-1, NULL);
    feed_with(-1, NULL);
    feed_with(FMT_COL_QTY, "3");
    cr_assert_eq(memcmp(batch->rows[0].rec_digest, batch->rows[1].rec_digest, 16), 0);
    cr_assert_neq(memcmp(batch->rows[0].rec_digest, batch->rows[2].rec_digest, 16), 0);
}

/* Regression (issue 12, 2026-12-06): repeated rows were matched on raw bytes, so the
 * same record re-quoted, or with trailing blanks, shipped twice. The digest is of the
 * fields after unquoting and trimming. */
Test(ingest, a_requoted_record_has_the_same_digest)
{
    feed_with(-1, NULL);
    feed_with(FMT_COL_SHIP_NAME, "\"Ann Example\"");
    feed_with(FMT_COL_ORDER_ID, "\"A-1\"");
    cr_assert_eq(memcmp(batch->rows[0].rec_digest, batch->rows[1].rec_digest, 16), 0);
    cr_assert_eq(memcmp(batch->rows[0].rec_digest, batch->rows[2].rec_digest, 16), 0);
}

Test(ingest, blanks_around_a_field_do_not_change_the_digest)
{
    feed_with(-1, NULL);
    feed_with(FMT_COL_SHIP_CITY, "\"Berlin  \"");
    feed_with(FMT_COL_SHIP_CITY, "\" \tBerlin\"");
    feed_with(FMT_COL_SHIP_CITY, "Berlin ");
    for (int i = 1; i < 4; i++)
        cr_assert_eq(memcmp(batch->rows[0].rec_digest, batch->rows[i].rec_digest, 16), 0, "%d", i);
}

Test(ingest, records_differing_in_any_field_differ)
{
    feed_with(-1, NULL);
    feed_with(FMT_COL_CUSTOMER_ID, "C-10"); /* not an order-line value */
    feed_with(FMT_COL_SHIP_CITY, "Berlin B");
    feed_with(FMT_COL_SHIP_REGION, "\" \""); /* blank after trimming: the same */
    cr_assert_neq(memcmp(batch->rows[0].rec_digest, batch->rows[1].rec_digest, 16), 0);
    cr_assert_neq(memcmp(batch->rows[0].rec_digest, batch->rows[2].rec_digest, 16), 0);
    cr_assert_eq(memcmp(batch->rows[0].rec_digest, batch->rows[3].rec_digest, 16), 0);
}

/* Field boundaries count: "Ann Ex","ampleMain" is not "Ann Example","Main". */
Test(ingest, moving_text_between_fields_changes_the_digest)
{
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", row_with(FMT_COL_SHIP_STREET, "Main"));
    char *name = strstr(a, "Ann Example,Main");
    cr_assert_not_null(name);
    memcpy(b, a, sizeof b);
    memcpy(b + (name - a), "Ann Ex,ampleMain", 16);
    feed(a);
    feed(b);
    cr_assert_eq(batch->n_rows, 2);
    cr_assert_neq(memcmp(batch->rows[0].rec_digest, batch->rows[1].rec_digest, 16), 0);
}

/* Feed the clean row with order id `id` and quantity qty (which tells the rows apart). */
static void feed_order_qty(const char *id, const char *qty)
{
    feed(row_with2(FMT_COL_ORDER_ID, id, FMT_COL_QTY, qty));
}

/* The partition whose range holds row k, ENG_PARTS for the rows without an id. */
static int partition_at(size_t k)
{
    for (int p = 0; p < ENG_PARTS; p++)
        if (k >= batch->part_start[p] && k < batch->part_start[p + 1])
            return p;
    return ENG_PARTS;
}

Test(ingest, partition_groups_rows_of_one_order_in_row_order)
{
    feed_order_qty("A-1", "1");
    feed_order_qty("B-2", "2");
    feed_order_qty("A-1", "3");
    feed_order_qty("", "4"); /* no order: its exception goes with it */
    feed_order_qty("B-2", "5");
    feed_order_qty("A-1", "6");
    cr_assert_eq(batch->exc.n, 1);
    cr_assert_eq(eng_ingest_partition(batch, store, 0), ENG_OK);
    cr_assert_eq(batch->n_rows, 6);
    cr_assert_eq(batch->part_start[0], 0);
    cr_assert_eq(batch->part_start[ENG_PARTS], 5, "the row without order id is last");
    cr_assert_null(batch->rows, "the rows moved to their partitions");
    cr_assert_null(eng_batch_row(batch, 5)->order_id);
    cr_assert_eq(eng_row_qty(eng_batch_row(batch, 5)), 4);
    cr_assert_eq(batch->exc.items[0].row, 5, "the exception follows its row");
    /* Each order's rows are together in one partition, in the order read. */
    int64_t want_a[] = {1, 3, 6}, want_b[] = {2, 5};
    size_t at_a = 0, at_b = 0;
    int pa = -1, pb = -1;
    for (size_t k = 0; k < 5; k++) {
        const eng_row *r = eng_batch_row(batch, (uint32_t)k);
        int p = partition_at(k);
        cr_assert_eq(r, &batch->part_rows[p][k - batch->part_start[p]]);
        if (strcmp(r->order_id, "A-1") == 0) {
            cr_assert(pa < 0 || pa == partition_at(k));
            pa = partition_at(k);
            cr_assert_eq(eng_row_qty(r), want_a[at_a++]);
        } else {
            cr_assert_str_eq(r->order_id, "B-2");
            cr_assert(pb < 0 || pb == partition_at(k));
            pb = partition_at(k);
            cr_assert_eq(eng_row_qty(r), want_b[at_b++]);
        }
    }
    cr_assert_eq(at_a, 3);
    cr_assert_eq(at_b, 2);
    cr_assert_lt(pa, ENG_PARTS);
    cr_assert_lt(pb, ENG_PARTS);
}

Test(ingest, partition_of_an_empty_batch_is_empty)
{
    cr_assert_eq(eng_ingest_partition(batch, store, 0), ENG_OK);
    for (int p = 0; p <= ENG_PARTS; p++) {
        cr_assert_eq(batch->part_start[p], 0);
        cr_assert_null(batch->part_rows[p]);
    }
}
