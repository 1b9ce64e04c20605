/* Tests of formats/num: decimals, quantities, integers and shares parsed from text without
 * floating point, each limit tested on both sides. */
#include "../formats/num.h"
#include "testutil.h"

static fmt_num_rc dec(const char *s, fmt_dec *d)
{
    return fmt_dec_parse(s, strlen(s), d);
}

static fmt_num_rc qty(const char *s, int64_t *v)
{
    return fmt_qty_parse(s, strlen(s), v);
}

static fmt_num_rc integer(const char *s, int64_t *v)
{
    return fmt_int_parse(s, strlen(s), v);
}

static fmt_num_rc ppm(const char *s, int64_t *v)
{
    return fmt_ppm_parse(s, strlen(s), v);
}

/* Parse s and scale it to a currency of `digits`. */
static fmt_num_rc minor(const char *s, int digits, int64_t *v)
{
    fmt_dec d;
    fmt_num_rc rc = dec(s, &d);
    if (rc != FMT_NUM_OK)
        return rc;
    return fmt_dec_to_minor(d, digits, v);
}

/* ---- fmt_dec_parse ---- */

Test(num, dec_parses_price_with_two_decimals)
{
    fmt_dec d;
    cr_assert_eq(dec("19.99", &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, 1999);
    cr_assert_eq(d.frac, 2);
}

Test(num, dec_parses_whole_number)
{
    fmt_dec d;
    cr_assert_eq(dec("7", &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, 7);
    cr_assert_eq(d.frac, 0);
}

Test(num, dec_keeps_trailing_zeros_as_written)
{
    fmt_dec d;
    cr_assert_eq(dec("10.50", &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, 1050);
    cr_assert_eq(d.frac, 2);
}

Test(num, dec_parses_zero)
{
    fmt_dec d;
    cr_assert_eq(dec("0.00", &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, 0);
    cr_assert_eq(d.frac, 2);
}

Test(num, dec_accepts_four_fraction_digits)
{
    fmt_dec d;
    cr_assert_eq(dec("1.2345", &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, 12345);
    cr_assert_eq(d.frac, 4);
}

Test(num, dec_refuses_five_fraction_digits)
{
    fmt_dec d;
    cr_assert_eq(dec("1.23456", &d), FMT_NUM_PRECISION);
}

Test(num, dec_accepts_int64_max_mantissa)
{
    fmt_dec d;
    cr_assert_eq(dec("9223372036854775807", &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, INT64_MAX);
    cr_assert_eq(dec("922337203685477.5807", &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, INT64_MAX);
    cr_assert_eq(d.frac, 4);
}

Test(num, dec_refuses_mantissa_over_int64)
{
    fmt_dec d;
    cr_assert_eq(dec("9223372036854775808", &d), FMT_NUM_OVERFLOW);
    cr_assert_eq(dec("922337203685477.5808", &d), FMT_NUM_OVERFLOW);
}

Test(num, dec_refuses_minus_sign)
{
    fmt_dec d;
    cr_assert_eq(dec("-1.00", &d), FMT_NUM_NEGATIVE);
}

Test(num, dec_refuses_non_decimal_text)
{
    fmt_dec d;
    const char *bad[] = {"",   "abc", "1,000.00", "1e5",  "+1", " 1", "1 ",
                         "1.", ".5",  "1.2.3",    "0x10", "1O", "١",  "1.5a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(dec(bad[i], &d), FMT_NUM_SYNTAX, "\"%s\" was not refused as syntax", bad[i]);
}

Test(num, dec_leaves_output_untouched_on_error)
{
    fmt_dec d = {42, 1};
    cr_assert_eq(dec("x", &d), FMT_NUM_SYNTAX);
    cr_assert_eq(d.mant, 42);
    cr_assert_eq(d.frac, 1);
}

/* ---- fmt_dec_to_minor ---- */

Test(num, to_minor_scales_to_currency_digits)
{
    int64_t v;
    cr_assert_eq(minor("19.99", 2, &v), FMT_NUM_OK);
    cr_assert_eq(v, 1999);
    cr_assert_eq(minor("19.9", 2, &v), FMT_NUM_OK);
    cr_assert_eq(v, 1990);
    cr_assert_eq(minor("19", 2, &v), FMT_NUM_OK);
    cr_assert_eq(v, 1900);
    cr_assert_eq(minor("0.05", 2, &v), FMT_NUM_OK);
    cr_assert_eq(v, 5);
}

Test(num, to_minor_for_zero_digit_currency)
{
    int64_t v;
    cr_assert_eq(minor("1500", 0, &v), FMT_NUM_OK);
    cr_assert_eq(v, 1500);
}

Test(num, to_minor_refuses_fraction_for_zero_digit_currency)
{
    int64_t v;
    cr_assert_eq(minor("1500.5", 0, &v), FMT_NUM_PRECISION);
    cr_assert_eq(minor("1500.0", 0, &v), FMT_NUM_PRECISION);
}

Test(num, to_minor_accepts_as_many_digits_as_the_currency)
{
    int64_t v;
    cr_assert_eq(minor("1.234", 3, &v), FMT_NUM_OK);
    cr_assert_eq(v, 1234);
    cr_assert_eq(minor("1.2345", 4, &v), FMT_NUM_OK);
    cr_assert_eq(v, 12345);
}

Test(num, to_minor_refuses_one_digit_more_than_the_currency)
{
    int64_t v;
    cr_assert_eq(minor("1.999", 2, &v), FMT_NUM_PRECISION);
    cr_assert_eq(minor("1.2345", 3, &v), FMT_NUM_PRECISION);
}

Test(num, to_minor_reaches_int64_max_exactly)
{
    int64_t v;
    cr_assert_eq(minor("92233720368547758.07", 2, &v), FMT_NUM_OK);
    cr_assert_eq(v, INT64_MAX);
    cr_assert_eq(minor("92233720368547758", 2, &v), FMT_NUM_OK);
    cr_assert_eq(v, INT64_C(9223372036854775800));
}

Test(num, to_minor_refuses_scaling_past_int64_max)
{
    int64_t v = -1;
    cr_assert_eq(minor("92233720368547759", 2, &v), FMT_NUM_OVERFLOW);
    cr_assert_eq(minor("92233720368547758.07", 3, &v), FMT_NUM_OVERFLOW);
    cr_assert_eq(v, -1, "the output was written on failure");
}

/* ---- fmt_dec_cmp ---- */

Test(num, cmp_equal_values_written_differently)
{
    fmt_dec a, b;
    cr_assert_eq(dec("10.0", &a), FMT_NUM_OK);
    cr_assert_eq(dec("10.00", &b), FMT_NUM_OK);
    cr_assert_eq(fmt_dec_cmp(a, b), 0);
}

Test(num, cmp_orders_by_value_not_by_digits)
{
    fmt_dec a, b;
    cr_assert_eq(dec("9.9999", &a), FMT_NUM_OK);
    cr_assert_eq(dec("10", &b), FMT_NUM_OK);
    cr_assert_eq(fmt_dec_cmp(a, b), -1);
    cr_assert_eq(fmt_dec_cmp(b, a), 1);
}

Test(num, cmp_handles_largest_mantissas_without_overflow)
{
    fmt_dec a, b;
    cr_assert_eq(dec("9223372036854775807", &a), FMT_NUM_OK);
    cr_assert_eq(dec("922337203685477.5807", &b), FMT_NUM_OK);
    cr_assert_eq(fmt_dec_cmp(a, b), 1);
    cr_assert_eq(fmt_dec_cmp(b, a), -1);
}

/* ---- fmt_qty_parse ---- */

Test(num, qty_parses_one)
{
    int64_t v;
    cr_assert_eq(qty("1", &v), FMT_NUM_OK);
    cr_assert_eq(v, 1);
}

Test(num, qty_refuses_zero)
{
    int64_t v;
    cr_assert_eq(qty("0", &v), FMT_NUM_ZERO);
    cr_assert_eq(qty("000", &v), FMT_NUM_ZERO);
}

Test(num, qty_accepts_leading_zero)
{
    int64_t v;
    cr_assert_eq(qty("007", &v), FMT_NUM_OK);
    cr_assert_eq(v, 7);
}

Test(num, qty_accepts_int64_max)
{
    int64_t v;
    cr_assert_eq(qty("9223372036854775807", &v), FMT_NUM_OK);
    cr_assert_eq(v, INT64_MAX);
}

Test(num, qty_refuses_int64_max_plus_one)
{
    int64_t v;
    cr_assert_eq(qty("9223372036854775808", &v), FMT_NUM_OVERFLOW);
    cr_assert_eq(qty("99999999999999999999999", &v), FMT_NUM_OVERFLOW);
}

Test(num, qty_refuses_negative)
{
    int64_t v;
    cr_assert_eq(qty("-1", &v), FMT_NUM_NEGATIVE);
}

Test(num, qty_refuses_fractions_and_text)
{
    int64_t v;
    const char *bad[] = {"", "1.0", "1.5", "+1", " 1", "1 ", "1O", "one", "1e3", "1,000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(qty(bad[i], &v), FMT_NUM_SYNTAX, "\"%s\" was not refused as syntax", bad[i]);
}

/* ---- fmt_int_parse ---- */

Test(num, int_parses_signs_and_zero)
{
    int64_t v;
    cr_assert_eq(integer("-3", &v), FMT_NUM_OK);
    cr_assert_eq(v, -3);
    cr_assert_eq(integer("+10", &v), FMT_NUM_OK);
    cr_assert_eq(v, 10);
    cr_assert_eq(integer("0", &v), FMT_NUM_OK);
    cr_assert_eq(v, 0);
}

Test(num, int_accepts_both_int64_limits)
{
    int64_t v;
    cr_assert_eq(integer("9223372036854775807", &v), FMT_NUM_OK);
    cr_assert_eq(v, INT64_MAX);
    cr_assert_eq(integer("-9223372036854775808", &v), FMT_NUM_OK);
    cr_assert_eq(v, INT64_MIN);
}

Test(num, int_refuses_one_past_each_int64_limit)
{
    int64_t v;
    cr_assert_eq(integer("9223372036854775808", &v), FMT_NUM_OVERFLOW);
    cr_assert_eq(integer("-9223372036854775809", &v), FMT_NUM_OVERFLOW);
}

Test(num, int_refuses_bare_sign_and_text)
{
    int64_t v;
    const char *bad[] = {"", "-", "+", "1.0", "--1", "1-", " 1", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(integer(bad[i], &v), FMT_NUM_SYNTAX, "\"%s\" was not refused", bad[i]);
}

/* ---- fmt_ppm_parse ---- */

Test(num, ppm_parses_shares_in_millionths)
{
    int64_t v;
    cr_assert_eq(ppm("0.05", &v), FMT_NUM_OK);
    cr_assert_eq(v, 50000);
    cr_assert_eq(ppm("12.5", &v), FMT_NUM_OK);
    cr_assert_eq(v, 12500000);
    cr_assert_eq(ppm("1", &v), FMT_NUM_OK);
    cr_assert_eq(v, 1000000);
    cr_assert_eq(ppm("0", &v), FMT_NUM_OK);
    cr_assert_eq(v, 0);
}

Test(num, ppm_accepts_six_fraction_digits)
{
    int64_t v;
    cr_assert_eq(ppm("0.000001", &v), FMT_NUM_OK);
    cr_assert_eq(v, 1);
}

Test(num, ppm_refuses_seven_fraction_digits)
{
    int64_t v;
    cr_assert_eq(ppm("0.0000001", &v), FMT_NUM_PRECISION);
}

Test(num, ppm_accepts_ten_to_the_twelfth)
{
    int64_t v;
    cr_assert_eq(ppm("1000000", &v), FMT_NUM_OK);
    cr_assert_eq(v, INT64_C(1000000000000));
}

Test(num, ppm_refuses_whole_part_over_a_million)
{
    int64_t v;
    cr_assert_eq(ppm("1000001", &v), FMT_NUM_OVERFLOW);
}

/* Regression, found 2026-11-27: only the whole part was checked against the limit, so a
 * fraction could carry the value past 10^12 (formats/num.c, fmt_ppm_parse). */
Test(num, ppm_refuses_fraction_above_ten_to_the_twelfth)
{
    /* 1000000.000001 is 10^12 + 1 millionths: above the documented limit. */
    int64_t v = -1;
    cr_assert_eq(ppm("1000000.000001", &v), FMT_NUM_OVERFLOW, "accepted as %lld", (long long)v);
}

Test(num, ppm_refuses_sign_and_text)
{
    int64_t v;
    cr_assert_eq(ppm("-0.5", &v), FMT_NUM_NEGATIVE);
    cr_assert_eq(ppm("", &v), FMT_NUM_SYNTAX);
    cr_assert_eq(ppm(".5", &v), FMT_NUM_SYNTAX);
    cr_assert_eq(ppm("0.", &v), FMT_NUM_SYNTAX);
    cr_assert_eq(ppm("5%", &v), FMT_NUM_SYNTAX);
}

/* ---- fmt_decimal_comma: Excel's numbers where the comma is the decimal mark ---- */

static const char *plain(const char *s)
{
    static char buf[64];
    char dst[40];
    const char *out;
    size_t n;
    if (fmt_decimal_comma(s, strlen(s), dst, sizeof dst, &out, &n) != FMT_NUM_OK)
        return "ERROR";
    snprintf(buf, sizeof buf, "%.*s", (int)n, out);
    return buf;
}

Test(num, decimal_comma_reads_european_numbers)
{
    cr_assert_str_eq(plain("12,50"), "12.50");
    cr_assert_str_eq(plain("1.234,50"), "1234.50");
    cr_assert_str_eq(plain("1.234.567,5"), "1234567.5");
    cr_assert_str_eq(plain("1.000"), "1000");
    cr_assert_str_eq(plain("7"), "7");
    cr_assert_str_eq(plain("0,01"), "0.01");
    cr_assert_str_eq(plain("-3"), "-3");
    cr_assert_str_eq(plain("-1.500,25"), "-1500.25");
}

/* A point is a thousands separator only between groups of three: anything else is an
 * error, never a guess (12.5 could be a price written the English way). */
Test(num, decimal_comma_refuses_what_is_not_thousands_grouping)
{
    static const char *const bad[] = {"12.5",  "1.23,4", "1234.567", "1.2345", ".5",  ",5",
                                      "12,",   "1,2,3",  "1.",       "1..000", "",    "-",
                                      "1 000", "12,5a",  "1.000.00", "1000.000,1x", "E5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_str_eq(plain(bad[i]), "ERROR", "\"%s\" was read", bad[i]);
}

Test(num, decimal_comma_result_parses_as_a_plain_decimal)
{
    char dst[40];
    const char *out;
    size_t n;
    cr_assert_eq(fmt_decimal_comma("1.234,56", 8, dst, sizeof dst, &out, &n), FMT_NUM_OK);
    fmt_dec d;
    cr_assert_eq(fmt_dec_parse(out, n, &d), FMT_NUM_OK);
    cr_assert_eq(d.mant, 123456);
    cr_assert_eq(d.frac, 2);
    cr_assert_eq(fmt_decimal_comma("123456789", 9, dst, 4, &out, &n), FMT_NUM_OVERFLOW);
}

Test(num, scientific_notation_is_what_a_spreadsheet_made_of_a_long_id)
{
    static const char *const yes[] = {"3.76E+18", "3,76E+18", "1E+15", "4.2e-05", "12.5E+3"};
    static const char *const no[] = {"3.76E18", "E+18", "3.E+18", "3.76E+", "302-4471829-1093145",
                                     "#1001",   "1234", "3.76E+18x", "", "ABC-E+1"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert(fmt_is_scientific(yes[i], strlen(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert(!fmt_is_scientific(no[i], strlen(no[i])), "%s", no[i]);
}
