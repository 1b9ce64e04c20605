/* Tests of formats/layout: the helpers every marketplace layout shares -- header lookup
 * (fmt_layout_col, fmt_layout_count_cols, fmt_layout_field), amounts as marketplaces write
 * them (fmt_layout_money), dates in marketplace patterns (fmt_layout_date), ids protected
 * from spreadsheets (fmt_layout_unprotect) -- the registry (fmt_layout_find) and the status
 * names of marketplace states (fmt_state_name).
 *
 * Every expected value is written out by hand from the contract in formats/layout.h. A
 * value the helpers cannot read must come back as written (same bytes), so that the
 * engine's exception quotes what the file says; those tests compare pointers too. */
#include "../formats/isotime.h"
#include "../formats/layout.h"
#include "../formats/source.h"
#include "testutil.h"

static fmt_out out;
static fmt_csv_fields *fields;

static void setup(void)
{
    tu_dir_new();
    cr_assert_eq(fmt_out_init(&out), ENG_OK);
    fields = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(fields);
}

static void teardown(void)
{
    fmt_csv_fields_free(fields);
    fmt_out_release(&out);
    tu_dir_remove();
}

TestSuite(layout, .init = setup, .fini = teardown);

/* ---- helpers of the tests ---- */

/* One CSV line split into the suite's fields (borrowed until the next split). */
static const fmt_csv_fields *split(const char *line)
{
    cr_assert_eq(fmt_csv_split(fields, line, strlen(line)), ENG_OK, "cannot split %s", line);
    return fields;
}

static fmt_str str(const char *s)
{
    return (fmt_str){s, strlen(s)};
}

static int str_is(fmt_str v, const char *want)
{
    return v.len == strlen(want) && memcmp(v.p, want, v.len) == 0;
}

/* fmt_layout_money reads text as the amount and currency given. */
static void money_is(const char *text, const char *amount, const char *currency)
{
    fmt_str got;
    const char *cur = NULL;
    cr_assert_eq(fmt_layout_money(&out, str(text), &got, &cur), 0, "%s: not read", text);
    cr_assert(str_is(got, amount), "%s: amount \"%.*s\", expected \"%s\"", text, (int)got.len,
              got.p, amount);
    cr_assert_not_null(cur);
    cr_assert_str_eq(cur, currency, "%s: currency", text);
}

/* fmt_layout_money finds no sensible reading and hands the text back as written. */
static void money_refused(const char *text)
{
    fmt_str v = str(text), got = {"?", 1};
    const char *cur = NULL;
    int rc = fmt_layout_money(&out, v, &got, &cur);
    cr_expect_eq(rc, -1, "%s: read as \"%.*s\", expected no reading", text, (int)got.len, got.p);
    cr_expect(got.p == v.p && got.len == v.len, "%s: passed on as \"%.*s\"", text, (int)got.len,
              got.p);
}

/* fmt_layout_date makes the ISO text want of text read with pattern and zone. */
static void date_is(const char *text, const char *pattern, const char *zone, const char *want)
{
    fmt_str got = fmt_layout_date(&out, str(text), pattern, zone);
    cr_assert(str_is(got, want), "%s as %s: \"%.*s\", expected \"%s\"", text, pattern, (int)got.len,
              got.p, want);
}

/* fmt_layout_date hands text back as written. */
static void date_unchanged(const char *text, const char *pattern)
{
    fmt_str v = str(text);
    fmt_str got = fmt_layout_date(&out, v, pattern, "+01:00");
    cr_expect(got.p == v.p && got.len == v.len, "%s as %s: made \"%.*s\", expected it unchanged",
              text, pattern, (int)got.len, got.p);
}

/* ---- fmt_layout_col, fmt_layout_count_cols, fmt_layout_field ---- */

Test(layout, col_ignores_case)
{
    const fmt_csv_fields *h = split("Name,Lineitem SKU,CURRENCY");
    cr_assert_eq(fmt_layout_col(h, "name"), 0);
    cr_assert_eq(fmt_layout_col(h, "Lineitem sku"), 1);
    cr_assert_eq(fmt_layout_col(h, "Currency"), 2);
}

Test(layout, col_ignores_blanks_around_a_name)
{
    /* Quoted, so that the blanks reach the helper (libcsv trims unquoted fields). */
    const fmt_csv_fields *h = split("\" Name \",\"\tTotal\t\",\"  Lineitem sku\"");
    cr_assert_eq(fmt_layout_col(h, "Name"), 0);
    cr_assert_eq(fmt_layout_col(h, "Total"), 1);
    cr_assert_eq(fmt_layout_col(h, "Lineitem sku"), 2);
}

Test(layout, col_does_not_ignore_blanks_inside_a_name)
{
    const fmt_csv_fields *h = split("Lineitem  sku,Lineitemsku");
    cr_assert_eq(fmt_layout_col(h, "Lineitem sku"), -1);
}

Test(layout, col_is_minus_one_for_an_absent_name)
{
    const fmt_csv_fields *h = split("Name,Total");
    cr_assert_eq(fmt_layout_col(h, "Subtotal"), -1);
    cr_assert_eq(fmt_layout_col(h, ""), -1);
}

Test(layout, col_gives_the_first_of_a_repeated_name)
{
    const fmt_csv_fields *h = split("Tags,Name,name");
    cr_assert_eq(fmt_layout_col(h, "Name"), 1);
}

/* A byte order mark is dropped by the source before any header reaches a layout
 * (formats/source.c), so the first column of a file with a BOM is found by its name. */
Test(layout, col_finds_the_first_name_of_a_file_with_a_bom)
{
    char path[512];
    const char text[] = "\xEF\xBB\xBF"
                        "Name,Email\n#1001,ann@example.com\n";
    tu_write(tu_path(path, sizeof path, "bom.csv"), text, sizeof text - 1);
    eng_err err;
    memset(&err, 0, sizeof err);
    fmt_source *s = NULL;
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "%s", err.msg);
    const char *p;
    size_t n;
    cr_assert_eq(fmt_source_peek(s, 4096, &p, &n, &err), ENG_OK, "%s", err.msg);
    int complete = 0;
    uint64_t lines = 0;
    size_t len = fmt_csv_record_len(p, n, FMT_CSV, &complete, &lines);
    cr_assert_eq(fmt_csv_split(fields, p, len), ENG_OK);
    cr_expect_eq(fmt_layout_col(fields, "Name"), 0);
    cr_expect_eq(fmt_layout_col(fields, "Email"), 1);
    fmt_source_close(s);
}

Test(layout, count_cols_counts_the_names_present)
{
    const fmt_csv_fields *h = split("Name,Total,Email");
    static const char *const names[] = {"total", "Name", "Subtotal", "Lineitem sku"};
    cr_assert_eq(fmt_layout_count_cols(h, names, 4), 2);
}

Test(layout, count_cols_counts_a_repeated_column_once)
{
    const fmt_csv_fields *h = split("Name,Name,Total");
    static const char *const names[] = {"Name"};
    cr_assert_eq(fmt_layout_count_cols(h, names, 1), 1);
}

Test(layout, count_cols_of_no_names_is_zero)
{
    const fmt_csv_fields *h = split("Name,Total");
    cr_assert_eq(fmt_layout_count_cols(h, NULL, 0), 0);
}

Test(layout, one_col_is_the_only_bound_column)
{
    const int street[3] = {-1, 7, -1};
    cr_expect_eq(fmt_layout_one_col(street, 3), 7);
}

Test(layout, one_col_of_several_bound_columns_is_none)
{
    const int street[3] = {4, 7, -1}; /* address lines 1 and 2 are joined */
    cr_expect_eq(fmt_layout_one_col(street, 3), -1);
}

Test(layout, one_col_of_no_bound_column_says_the_file_has_none)
{
    const int street[3] = {-1, -1, -1};
    cr_expect_eq(fmt_layout_one_col(street, 3), FMT_LAYOUT_NO_COLUMN);
    cr_expect_eq(fmt_layout_bound(-1), FMT_LAYOUT_NO_COLUMN);
    cr_expect_eq(fmt_layout_bound(0), 0);
}

Test(layout, field_gives_the_value_at_an_index)
{
    const fmt_csv_fields *r = split("#1001,,12.90");
    cr_assert(str_is(fmt_layout_field(r, 0), "#1001"));
    cr_assert(str_is(fmt_layout_field(r, 1), ""));
    cr_assert(str_is(fmt_layout_field(r, 2), "12.90"));
}

Test(layout, field_past_the_end_is_blank)
{
    /* A short record (or a column the header lacks, index -1) reads as blank. */
    const fmt_csv_fields *r = split("#1001,12.90");
    fmt_str past = fmt_layout_field(r, 2), far = fmt_layout_field(r, 1000);
    fmt_str absent = fmt_layout_field(r, -1);
    cr_assert_eq(past.len, 0);
    cr_assert_str_eq(past.p, "");
    cr_assert_eq(far.len, 0);
    cr_assert_eq(absent.len, 0);
    cr_assert_str_eq(absent.p, "");
}

/* ---- fmt_layout_money ---- */

Test(layout, money_reads_a_dollar_sign_with_thousands_as_usd)
{
    money_is("$1,234.50", "1234.50", "USD");
}

Test(layout, money_reads_us_dollar_prefix)
{
    money_is("US $43.00", "43.00", "USD");
}

Test(layout, money_reads_australian_dollar_prefix)
{
    money_is("AU $3,000.00", "3000.00", "AUD");
}

Test(layout, money_reads_a_code_and_a_decimal_comma)
{
    money_is("EUR 90,00", "90.00", "EUR");
}

Test(layout, money_reads_point_grouping_and_a_trailing_euro_sign)
{
    money_is("1.234,50 €", "1234.50", "EUR");
}

Test(layout, money_reads_space_grouping)
{
    money_is("1 234,50 €", "1234.50", "EUR");
}

Test(layout, money_reads_a_pound_sign_as_gbp)
{
    money_is("£24.00", "24.00", "GBP");
}

Test(layout, money_reads_a_yen_sign_as_cny)
{
    money_is("¥12.90", "12.90", "CNY");
}

Test(layout, money_reads_a_fullwidth_yen_sign_as_cny)
{
    money_is("￥12.90", "12.90", "CNY");
}

Test(layout, money_reads_a_trailing_yuan_character_as_cny)
{
    money_is("123.45元", "123.45", "CNY");
}

Test(layout, money_without_a_marker_names_no_currency)
{
    money_is("1,234.00", "1234.00", "");
    money_is("19.99", "19.99", "");
}

Test(layout, money_reads_separators_that_only_group_thousands)
{
    /* A comma followed by three digits, or a repeated point, groups thousands. */
    money_is("1,234", "1234", "");
    money_is("1.234.567", "1234567", "");
    money_is("€1.234.567", "1234567", "EUR");
}

Test(layout, money_keeps_a_minus_sign_for_the_engine_to_refuse)
{
    /* SPEC: negative money is BAD_NUMBER; the helper keeps the sign so the engine sees it. */
    money_is("-12.50", "-12.50", "");
}

Test(layout, money_blank_stays_blank)
{
    fmt_str got = {"?", 1};
    const char *cur = NULL;
    cr_assert_eq(fmt_layout_money(&out, str(""), &got, &cur), 0);
    cr_assert_eq(got.len, 0);
    cr_assert_str_eq(cur, "");
    cr_assert_eq(fmt_layout_money(&out, str("   "), &got, &cur), 0);
    cr_assert_eq(got.len, 0);
    cr_assert_str_eq(cur, "");
}

Test(layout, money_refuses_text_without_digits)
{
    money_refused("abc");
    money_refused("$");
    money_refused("n/a");
}

Test(layout, money_refuses_an_unknown_marker)
{
    money_refused("12.00 Euro");
    money_refused("12.00 eur");
    money_refused("12-50");
}

/* Regression, 2026-11-27: separators that group no thousands ("1,2,3") were dropped, so
 * the text read as 123 instead of being passed on for BAD_NUMBER. Fails until the patch
 * proposed for fmt_layout_money (shopify helper report) is applied. */
Test(layout, money_refuses_separators_that_group_no_thousands)
{
    money_refused("1,2,3");
    money_refused("1.2.3");
    money_refused("12,34,5");
}

/* Regression, 2026-11-27: "1.234.50" (a mistyped 1,234.50) read as 123450, a hundred
 * times the amount, with no error. Fails until the proposed patch is applied. */
Test(layout, money_refuses_a_group_of_two_digits)
{
    money_refused("1.234.50");
    money_refused("1,234,50");
}

/* Regression, 2026-11-27: a second decimal point after thousands ("1,234.5.6") came out
 * as "1234.5.6", text that is not in the file. Fails until the proposed patch is applied. */
Test(layout, money_refuses_a_second_decimal_point)
{
    money_refused("1,234.5.6");
    money_refused("1.234,5,6");
}

/* Regression, 2026-11-27: digits on both sides of a marker or a blank ("12€50", "1 2 3")
 * were joined into one number. Fails until the proposed patch is applied. */
Test(layout, money_refuses_digits_split_by_a_marker_or_blank)
{
    money_refused("12€50");
    money_refused("1 2 3");
}

/* ---- fmt_layout_date ---- */

Test(layout, date_reads_a_shopify_time_with_its_own_offset)
{
    date_is("2025-05-11 09:55:16 -0400", "YYYY-MM-DD hh:mm:ss", NULL, "2025-05-11T09:55:16-0400");
}

Test(layout, date_reads_day_first_with_seconds)
{
    date_is("26-11-2026 21:04:05", "DD-MM-YYYY hh:mm:ss", "+01:00", "2026-11-26T21:04:05+01:00");
}

Test(layout, date_reads_one_digit_day_month_and_hour)
{
    date_is("6-1-2026 9:04:05", "DD-MM-YYYY hh:mm:ss", "Z", "2026-01-06T09:04:05Z");
}

Test(layout, date_reads_a_month_name_in_any_case_and_a_two_digit_year)
{
    date_is("Nov-26-26", "MON-DD-YY", "-08:00", "2026-11-26T00:00:00-08:00");
    date_is("NOV-05-26", "MON-DD-YY", "-08:00", "2026-11-05T00:00:00-08:00");
    date_is("jan-01-27", "MON-DD-YY", "-08:00", "2027-01-01T00:00:00-08:00");
}

Test(layout, date_reads_dotted_day_first_without_seconds)
{
    date_is("26.11.2026 21:04", "DD.MM.YYYY hh:mm", "+01:00", "2026-11-26T21:04:00+01:00");
}

Test(layout, date_keeps_the_values_own_zone_over_the_argument)
{
    date_is("2026-11-26 21:04:05Z", "YYYY-MM-DD hh:mm:ss", "+08:00", "2026-11-26T21:04:05Z");
    date_is("2026-11-26 21:04:05+01:00", "YYYY-MM-DD hh:mm:ss", "+08:00",
            "2026-11-26T21:04:05+01:00");
    date_is("2026-11-26 21:04:05-0400", "YYYY-MM-DD hh:mm:ss", "+08:00",
            "2026-11-26T21:04:05-0400");
    date_is("26.11.2026 21:04 +0100", "DD.MM.YYYY hh:mm", "+08:00", "2026-11-26T21:04:00+0100");
}

Test(layout, date_appends_the_zone_argument_when_the_value_has_none)
{
    date_is("2026-11-26 21:04:05", "YYYY-MM-DD hh:mm:ss", "+08:00", "2026-11-26T21:04:05+08:00");
}

Test(layout, date_without_any_zone_reads_as_utc)
{
    fmt_str got = fmt_layout_date(&out, str("26.11.2026 21:04"), "DD.MM.YYYY hh:mm", NULL);
    int64_t ns = 0, want = 0;
    cr_assert_eq(fmt_isotime_parse(got.p, got.len, &ns), 0, "\"%.*s\" is not ISO 8601",
                 (int)got.len, got.p);
    cr_assert_eq(fmt_isotime_parse("2026-11-26T21:04:00Z", 20, &want), 0);
    cr_assert_eq(ns, want);
}

Test(layout, date_that_does_not_fit_the_pattern_is_unchanged)
{
    date_unchanged("2026/11/26 10:00:00", "YYYY-MM-DD hh:mm:ss");
    date_unchanged("2026-11-26", "YYYY-MM-DD hh:mm:ss");             /* ends early */
    date_unchanged("26-11-2026", "YYYY-MM-DD");                      /* two-digit "year" */
    date_unchanged("Nox-26-26", "MON-DD-YY");                        /* no such month */
    date_unchanged("Nov-26-2026", "MON-DD-YY");                      /* "26" left over */
    date_unchanged("2026-11-26 10:00:00 PM", "YYYY-MM-DD hh:mm:ss"); /* no zone */
}

/* Regression, 2026-11-27: text after the pattern that merely starts like a zone ("Zulu",
 * "+abc") was appended, making "2026-11-26T10:00:00Zulu", which is not in the file. Fails
 * until the patch proposed for fmt_layout_date is applied. */
Test(layout, date_with_trailing_text_that_is_no_zone_is_unchanged)
{
    date_unchanged("2026-11-26 10:00:00 Zulu", "YYYY-MM-DD hh:mm:ss");
    date_unchanged("2026-11-26 10:00:00 +abc", "YYYY-MM-DD hh:mm:ss");
    date_unchanged("2026-11-26 10:00:00 -4", "YYYY-MM-DD hh:mm:ss");
}

/* Regression, 2026-11-27: a value that fits the pattern but names no real time
 * ("31.02.2026", month 13, 25 o'clock) was rewritten, so BAD_DATE quoted
 * "2026-02-31T00:00:00" instead of the file's text. Fails until the proposed patch is
 * applied. */
Test(layout, date_that_names_no_real_time_is_unchanged)
{
    date_unchanged("31.02.2026 10:00", "DD.MM.YYYY hh:mm");
    date_unchanged("26.13.2026 10:00", "DD.MM.YYYY hh:mm");
    date_unchanged("26.11.2026 25:00", "DD.MM.YYYY hh:mm");
    date_unchanged("26.11.2026 10:61", "DD.MM.YYYY hh:mm");
}

Test(layout, date_blank_stays_blank)
{
    cr_assert_eq(fmt_layout_date(&out, str(""), "YYYY-MM-DD", "+01:00").len, 0);
    cr_assert_eq(fmt_layout_date(&out, str("  "), "YYYY-MM-DD", "+01:00").len, 0);
}

/* ---- fmt_layout_unprotect ---- */

Test(layout, unprotect_strips_a_formula_wrapper)
{
    cr_assert(str_is(fmt_layout_unprotect(str("=\"123\"")), "123"));
    cr_assert(str_is(fmt_layout_unprotect(str("=\"1234567890123456789\"")), "1234567890123456789"));
}

Test(layout, unprotect_strips_a_leading_apostrophe)
{
    cr_assert(str_is(fmt_layout_unprotect(str("'123")), "123"));
    cr_assert(str_is(fmt_layout_unprotect(str("'07302")), "07302"));
}

Test(layout, unprotect_strips_a_leading_tab)
{
    cr_assert(str_is(fmt_layout_unprotect(str("\t123")), "123"));
}

Test(layout, unprotect_keeps_plain_text)
{
    cr_assert(str_is(fmt_layout_unprotect(str("123")), "123"));
    cr_assert(str_is(fmt_layout_unprotect(str("SW1A 1AA")), "SW1A 1AA"));
    cr_assert(str_is(fmt_layout_unprotect(str("O'Brien")), "O'Brien"));
    cr_assert(str_is(fmt_layout_unprotect(str("=\"123")), "=\"123")); /* not closed */
}

/* ---- registry and state names ---- */

Test(layout, find_gives_each_builtin_by_its_name)
{
    static const char *const names[] = {"canonical",   "shopify", "amazon",
                                        "woocommerce", "ebay",    "tmall"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const fmt_layout *l = fmt_layout_find(names[i]);
        cr_expect_not_null(l, "no layout \"%s\"", names[i]);
        if (l)
            cr_expect_str_eq(l->name, names[i]);
    }
}

Test(layout, find_gives_null_for_an_unknown_name)
{
    cr_assert_null(fmt_layout_find("magento"));
    cr_assert_null(fmt_layout_find(""));
}

Test(layout, state_name_names_each_state)
{
    cr_assert_str_eq(fmt_state_name(FMT_STATE_NONE), "");
    cr_assert_str_eq(fmt_state_name(FMT_STATE_NO_SHIPPING), "NO_SHIPPING_NEEDED");
    cr_assert_str_eq(fmt_state_name(FMT_STATE_BY_MARKETPLACE), "FULFILLED_BY_MARKETPLACE");
    cr_assert_str_eq(fmt_state_name(FMT_STATE_UNPAID), "AWAITING_PAYMENT");
    cr_assert_str_eq(fmt_state_name(FMT_STATE_FULFILLED), "ALREADY_FULFILLED");
    cr_assert_str_eq(fmt_state_name(FMT_STATE_CANCELLED), "ORDER_CANCELLED");
}

Test(layout, state_name_of_a_value_out_of_range_is_blank)
{
    cr_assert_str_eq(fmt_state_name(FMT_STATE_COUNT), "");
    cr_assert_str_eq(fmt_state_name((fmt_state)99), "");
}
