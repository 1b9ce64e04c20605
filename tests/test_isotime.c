/* Tests of formats/isotime: ISO 8601 text to UTC nanoseconds and back, civil-date
 * arithmetic, and the 1970..2099 year range, each limit on both sides.
 *
 * Expected instants were computed by hand and checked with `date -u -d ... +%s`:
 * 2026-11-26T21:04:05Z = 1795727045 s; 2026-11-26 = day 20783 since 1970-01-01. */
#include "../formats/isotime.h"
#include "testutil.h"

#define NS                INT64_C(1000000000)
#define T_20261126_210405 (INT64_C(1795727045) * NS)

static int parse(const char *s, int64_t *ns)
{
    return fmt_isotime_parse(s, strlen(s), ns);
}

static int parse_date(const char *s, int32_t *days)
{
    return fmt_isodate_parse(s, strlen(s), days);
}

static void assert_instant(const char *s, int64_t want)
{
    int64_t ns = 0;
    cr_assert_eq(parse(s, &ns), 0, "\"%s\" was refused", s);
    cr_assert_eq(ns, want, "\"%s\" read as %lld ns, want %lld", s, (long long)ns, (long long)want);
}

static void assert_refused(const char *s)
{
    int64_t ns = 12345;
    cr_assert_eq(parse(s, &ns), -1, "\"%s\" was accepted as %lld ns", s, (long long)ns);
    cr_assert_eq(ns, 12345, "\"%s\": output written on failure", s);
}

/* ---- forms ---- */

Test(isotime, parses_utc_time_with_z)
{
    assert_instant("2026-11-26T21:04:05Z", T_20261126_210405);
}

Test(isotime, parses_lower_case_z)
{
    assert_instant("2026-11-26T21:04:05z", T_20261126_210405);
}

Test(isotime, reads_time_without_zone_as_utc)
{
    assert_instant("2026-11-26T21:04:05", T_20261126_210405);
}

Test(isotime, parses_space_instead_of_t)
{
    assert_instant("2026-11-26 21:04:05Z", T_20261126_210405);
}

Test(isotime, parses_offset_with_colon)
{
    /* 22:04:05 at +01:00 is 21:04:05Z. */
    assert_instant("2026-11-26T22:04:05+01:00", T_20261126_210405);
}

Test(isotime, parses_offset_without_colon)
{
    assert_instant("2026-11-26T22:04:05+0100", T_20261126_210405);
}

Test(isotime, parses_offset_of_hours_only)
{
    assert_instant("2026-11-26T22:04:05+01", T_20261126_210405);
}

Test(isotime, parses_negative_offset_with_minutes)
{
    /* 15:34:05 at -05:30 is 21:04:05Z. */
    assert_instant("2026-11-26T15:34:05-05:30", T_20261126_210405);
}

Test(isotime, offset_can_move_the_instant_to_another_day)
{
    /* 2026-11-27T01:00:00+04:00 is 2026-11-26T21:00:00Z. */
    assert_instant("2026-11-27T01:00:00+04:00", T_20261126_210405 - (4 * 60 + 5) * NS);
}

Test(isotime, parses_date_only_as_midnight_utc)
{
    assert_instant("2026-11-26", INT64_C(20783) * FMT_NS_PER_DAY);
    assert_instant("1970-01-01", 0);
}

Test(isotime, parses_one_fraction_digit)
{
    assert_instant("2026-11-26T21:04:05.5Z", T_20261126_210405 + NS / 2);
}

Test(isotime, parses_nine_fraction_digits)
{
    assert_instant("2026-11-26T21:04:05.123456789Z", T_20261126_210405 + 123456789);
    assert_instant("2026-11-26T21:04:05.000000001Z", T_20261126_210405 + 1);
}

Test(isotime, refuses_ten_fraction_digits)
{
    assert_refused("2026-11-26T21:04:05.1234567890Z");
}

Test(isotime, refuses_point_without_fraction_digits)
{
    assert_refused("2026-11-26T21:04:05.Z");
}

Test(isotime, parses_fraction_with_offset)
{
    assert_instant("2026-11-26T22:04:05.25+01:00", T_20261126_210405 + NS / 4);
}

/* ---- ranges of each part ---- */

Test(isotime, accepts_month_12_refuses_month_13_and_00)
{
    int64_t ns;
    cr_assert_eq(parse("2026-12-01T00:00:00Z", &ns), 0);
    assert_refused("2026-13-01T00:00:00Z");
    assert_refused("2026-00-01T00:00:00Z");
}

Test(isotime, accepts_day_31_refuses_day_32_and_00)
{
    int64_t ns;
    cr_assert_eq(parse("2026-01-31", &ns), 0);
    assert_refused("2026-01-32");
    assert_refused("2026-01-00");
}

Test(isotime, accepts_april_30_refuses_april_31)
{
    int64_t ns;
    cr_assert_eq(parse("2026-04-30", &ns), 0);
    assert_refused("2026-04-31");
}

Test(isotime, refuses_february_30)
{
    assert_refused("2028-02-30T10:00:00Z");
}

Test(isotime, accepts_hour_23_refuses_hour_24)
{
    assert_instant("2026-11-26T23:00:00Z", INT64_C(20783) * FMT_NS_PER_DAY + 23 * 3600 * NS);
    assert_refused("2026-11-26T24:00:00Z");
}

Test(isotime, accepts_minute_and_second_59_refuses_60)
{
    int64_t ns;
    cr_assert_eq(parse("2026-11-26T10:59:59Z", &ns), 0);
    assert_refused("2026-11-26T10:60:00Z");
    assert_refused("2026-11-26T10:00:60Z");
}

Test(isotime, accepts_offset_23_59_refuses_offset_hour_24_and_minute_60)
{
    int64_t ns;
    cr_assert_eq(parse("2026-11-26T10:00:00+23:59", &ns), 0);
    assert_refused("2026-11-26T10:00:00+24:00");
    assert_refused("2026-11-26T10:00:00+01:60");
}

Test(isotime, refuses_malformed_offsets)
{
    assert_refused("2026-11-26T10:00:00+1");
    assert_refused("2026-11-26T10:00:00+01:0");
    assert_refused("2026-11-26T10:00:00+010");
    assert_refused("2026-11-26T10:00:00 +01:00");
}

/* Regression, found 2026-11-27: "+01:" was read as "+01:00" (formats/isotime.c, the zone
 * minutes are optional even after a colon). */
Test(isotime, refuses_offset_with_dangling_colon)
{
    assert_refused("2026-11-26T10:00:00+01:");
}

Test(isotime, refuses_garbage)
{
    assert_refused("");
    assert_refused("hello");
    assert_refused("2026/11/26");
    assert_refused("26-11-2026");
    assert_refused("2026-1-26");
    assert_refused("2026-11-26T");
    assert_refused("2026-11-26T21");
    assert_refused("2026-11-26T2104");
    assert_refused("20261126T210405Z");
}

Test(isotime, refuses_trailing_text)
{
    assert_refused("2026-11-26T21:04:05Zjunk");
    assert_refused("2026-11-26T21:04:05Z ");
    assert_refused("2026-11-26x");
    assert_refused("2026-11-26T21:04:05+01:00:00");
}

/* ---- year range and leap years ---- */

Test(isotime, accepts_year_1970_refuses_1969)
{
    int64_t ns;
    cr_assert_eq(parse("1970-01-01T00:00:00Z", &ns), 0);
    cr_assert_eq(ns, 0);
    assert_refused("1969-12-31T23:59:59Z");
}

Test(isotime, accepts_year_2099_refuses_2100)
{
    assert_instant("2099-12-31", INT64_C(47481) * FMT_NS_PER_DAY);
    assert_refused("2100-01-01");
}

/* Issue 5 (hostile input), 2026-11-27: the instant decides, not the written year, so
 * that a time written back in UTC (backorders.csv) reads again. */
Test(isotime, instant_at_epoch_accepted_half_hour_before_refused)
{
    /* 1970-01-01T01:00:00+01:00 is the epoch itself; 00:30+01:00 is 1969-12-31T23:30Z. */
    assert_instant("1970-01-01T01:00:00+01:00", 0);
    assert_refused("1970-01-01T00:30:00+01:00");
}

Test(isotime, instant_before_2100_accepted_half_hour_after_refused)
{
    /* 2099-12-31T22:59:59-01:00 is 23:59:59Z; 23:30-01:00 is 2100-01-01T00:30Z. */
    assert_instant("2099-12-31T22:59:59-01:00", INT64_C(47482) * FMT_NS_PER_DAY - NS);
    assert_refused("2099-12-31T23:30:00-01:00");
}

Test(isotime, feb_29_on_leap_year_accepted)
{
    assert_instant("2024-02-29", INT64_C(19782) * FMT_NS_PER_DAY);
}

Test(isotime, feb_29_on_non_leap_year_refused)
{
    assert_refused("2026-02-29");
    assert_refused("2025-02-29T12:00:00Z");
}

Test(isotime, feb_29_of_2000_accepted_by_the_400_year_rule)
{
    int64_t ns;
    cr_assert_eq(parse("2000-02-29", &ns), 0);
}

/* ---- fmt_isodate_parse ---- */

Test(isotime, isodate_parses_days_since_epoch)
{
    int32_t d = -1;
    cr_assert_eq(parse_date("1970-01-01", &d), 0);
    cr_assert_eq(d, 0);
    cr_assert_eq(parse_date("2026-11-27", &d), 0);
    cr_assert_eq(d, 20784);
}

Test(isotime, isodate_accepts_2099_12_31_refuses_2100_01_01)
{
    int32_t d = -1;
    cr_assert_eq(parse_date("2099-12-31", &d), 0);
    cr_assert_eq(d, 47481);
    cr_assert_eq(parse_date("2100-01-01", &d), -1);
}

Test(isotime, isodate_refuses_1969_12_31)
{
    int32_t d = 7;
    cr_assert_eq(parse_date("1969-12-31", &d), -1);
    cr_assert_eq(d, 7);
}

Test(isotime, isodate_refuses_a_time_after_the_date)
{
    int32_t d;
    cr_assert_eq(parse_date("2026-11-27T00:00:00Z", &d), -1);
    cr_assert_eq(parse_date("2026-11-27 ", &d), -1);
}

/* ---- formatting ---- */

static void assert_format(int64_t ns, const char *want)
{
    char dst[40];
    size_t n = fmt_isotime_format(ns, dst);
    cr_assert_str_eq(dst, want);
    cr_assert_eq(n, strlen(want));
}

Test(isotime, format_writes_whole_seconds_without_fraction)
{
    assert_format(T_20261126_210405, "2026-11-26T21:04:05Z");
}

Test(isotime, format_round_trips_parsed_text)
{
    int64_t ns;
    cr_assert_eq(parse("2026-11-26T21:04:05Z", &ns), 0);
    assert_format(ns, "2026-11-26T21:04:05Z");
}

Test(isotime, format_writes_half_second_as_point_5)
{
    assert_format(T_20261126_210405 + NS / 2, "2026-11-26T21:04:05.5Z");
}

Test(isotime, format_drops_trailing_zeros_of_fraction)
{
    assert_format(T_20261126_210405 + 123000000, "2026-11-26T21:04:05.123Z");
    assert_format(T_20261126_210405 + 1, "2026-11-26T21:04:05.000000001Z");
}

Test(isotime, format_epoch_and_just_before_it)
{
    assert_format(0, "1970-01-01T00:00:00Z");
    assert_format(-3600 * NS, "1969-12-31T23:00:00Z");
}

Test(isotime, format_normalises_offsets_to_utc)
{
    int64_t ns;
    cr_assert_eq(parse("2026-11-27T01:30:00.250+04:00", &ns), 0);
    assert_format(ns, "2026-11-26T21:30:00.25Z");
}

Test(isotime, isodate_format_and_compact)
{
    char full[11], compact[9];
    fmt_isodate_format(20784, full);
    fmt_isodate_compact(20784, compact);
    cr_assert_str_eq(full, "2026-11-27");
    cr_assert_str_eq(compact, "20261127");
    fmt_isodate_format(0, full);
    cr_assert_str_eq(full, "1970-01-01");
}

/* ---- days <-> civil ---- */

Test(isotime, days_from_civil_known_dates)
{
    cr_assert_eq(fmt_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(fmt_days_from_civil(1970, 1, 2), 1);
    cr_assert_eq(fmt_days_from_civil(1969, 12, 31), -1);
    cr_assert_eq(fmt_days_from_civil(2000, 1, 1), 10957);
    cr_assert_eq(fmt_days_from_civil(2000, 3, 1), 11017);
    cr_assert_eq(fmt_days_from_civil(2024, 2, 29), 19782);
    cr_assert_eq(fmt_days_from_civil(2026, 11, 26), 20783);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

Test(isotime, every_day_from_1969_to_2100_converts_both_ways)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int32_t expect = fmt_days_from_civil(1969, 1, 1);
    cr_assert_eq(expect, -365);
    for (int y = 1969; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            int last = dim[m - 1] + (m == 2 && is_leap(y));
            for (int d = 1; d <= last; d++, expect++) {
                cr_assert_eq(fmt_days_from_civil(y, m, d), expect, "%04d-%02d-%02d", y, m, d);
                int yy, mm, dd;
                fmt_civil_from_days(expect, &yy, &mm, &dd);
                cr_assert(yy == y && mm == m && dd == d,
                          "day %d gave %04d-%02d-%02d, want "
                          "%04d-%02d-%02d",
                          expect, yy, mm, dd, y, m, d);
            }
        }
    }
}

/* The formatter writes digits by hand; printf is the reference, over the whole range of
 * 64-bit nanoseconds (years 1677 to 2262), fractions of every length included. */
static size_t reference_format(int64_t ns, char *dst)
{
    int64_t days = ns / FMT_NS_PER_DAY, rem = ns % FMT_NS_PER_DAY;
    if (rem < 0) {
        rem += FMT_NS_PER_DAY;
        days--;
    }
    int y, m, d;
    fmt_civil_from_days((int32_t)days, &y, &m, &d);
    int64_t secs = rem / 1000000000, frac = rem % 1000000000;
    int n = snprintf(dst, 40, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac) {
        int digits = 9;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        n += snprintf(dst + n, (size_t)(40 - n), ".%0*lld", digits, (long long)frac);
    }
    dst[n++] = 'Z';
    dst[n] = '\0';
    return (size_t)n;
}

Test(isotime, format_agrees_with_printf_over_the_whole_range)
{
    uint64_t x = 0x9E3779B97F4A7C15u;
    const int64_t edges[] = {
        INT64_MIN,      INT64_MAX,      0, -1, 1, 999999999, -999999999, 1000000000, 86399999999999,
        86400000000000, -86400000000000};
    for (int i = 0; i < 200000; i++) {
        int64_t ns;
        if (i < (int)(sizeof edges / sizeof *edges)) {
            ns = edges[i];
        } else {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ns = (int64_t)x;
            if (i % 3 == 0)
                ns -= ns % 1000000; /* milliseconds */
            else if (i % 3 == 1)
                ns -= ns % 1000000000; /* whole seconds */
        }
        char got[40], want[40];
        size_t n = fmt_isotime_format(ns, got);
        size_t wn = reference_format(ns, want);
        cr_assert_str_eq(got, want, "ns %lld", (long long)ns);
        cr_assert_eq(n, wn);
    }
}

/* ---- dates a spreadsheet rewrote (issue 15) ---- */

static const char *sheet_iso(const char *s, fmt_date_order order)
{
    static char buf[20];
    if (fmt_sheet_date_iso(s, strlen(s), order, buf) != 0)
        return "ERROR";
    buf[19] = '\0';
    return buf;
}

Test(isotime, sheet_dates_are_read_in_the_order_given)
{
    cr_assert_str_eq(sheet_iso("26/11/2026 15:22", FMT_DATE_DMY), "2026-11-26T15:22:00");
    cr_assert_str_eq(sheet_iso("26.11.2026", FMT_DATE_DMY), "2026-11-26T00:00:00");
    cr_assert_str_eq(sheet_iso("11/26/2026 3:22 PM", FMT_DATE_MDY), "2026-11-26T15:22:00");
    cr_assert_str_eq(sheet_iso("11/26/2026 12:05:09 am", FMT_DATE_MDY), "2026-11-26T00:05:09");
    cr_assert_str_eq(sheet_iso("3/4/2026", FMT_DATE_DMY), "2026-04-03T00:00:00");
    cr_assert_str_eq(sheet_iso("3/4/2026", FMT_DATE_MDY), "2026-03-04T00:00:00");
    cr_assert_str_eq(sheet_iso("26/11/2026", FMT_DATE_MDY), "ERROR"); /* no month 26 */
    cr_assert_str_eq(sheet_iso("29/02/2025", FMT_DATE_DMY), "ERROR"); /* not a leap year */
    cr_assert_str_eq(sheet_iso("26/11/26", FMT_DATE_DMY), "ERROR");   /* 2-digit year */
    cr_assert_str_eq(sheet_iso("2026-11-26", FMT_DATE_DMY), "ERROR"); /* ISO is not one */
    cr_assert_str_eq(sheet_iso("26/11/2026 25:00", FMT_DATE_DMY), "ERROR");
    cr_assert_str_eq(sheet_iso("26/11/2026 13:00 PM", FMT_DATE_DMY), "ERROR");
    cr_assert_str_eq(sheet_iso("26/11-2026", FMT_DATE_DMY), "ERROR"); /* mixed separators */
    cr_assert_str_eq(sheet_iso("26-11-2026", FMT_DATE_DMY), "ERROR"); /* a mistyped ISO date */
}

Test(isotime, sheet_date_orders_say_which_reading_is_possible)
{
    const unsigned dmy = 1u << FMT_DATE_DMY, mdy = 1u << FMT_DATE_MDY;
    cr_assert_eq(fmt_sheet_date_orders("26/11/2026", 10), dmy);
    cr_assert_eq(fmt_sheet_date_orders("11/26/2026", 10), mdy);
    cr_assert_eq(fmt_sheet_date_orders("03/04/2026", 10), dmy | mdy);
    cr_assert_eq(fmt_sheet_date_orders("2026-11-26T10:00:00Z", 20), 0u);
    cr_assert_eq(fmt_sheet_date_orders("31/31/2026", 10), 0u);
    cr_assert_eq(fmt_sheet_date_orders("03.11.2026", 10), dmy); /* points: day first */
}
