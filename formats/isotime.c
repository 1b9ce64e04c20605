/* Civil-date arithmetic after the proleptic Gregorian algorithms of Howard Hinnant's
 * "chrono-Compatible Low-Level Date Algorithms", written for this range (1970..2099 plus
 * a day of zone offset) with plain ints. */
#include "isotime.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

int32_t fmt_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void fmt_civil_from_days(int32_t days, int *y, int *m, int *d)
{
    int32_t z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

/* Exactly n digits at s[*i]; advances *i. */
static int fixed_digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_date(const char *s, size_t len, size_t *i, int32_t *days)
{
    int y, m, d;
    if (fixed_digits(s, len, i, 4, &y) || *i >= len || s[(*i)++] != '-' ||
        fixed_digits(s, len, i, 2, &m) || *i >= len || s[(*i)++] != '-' ||
        fixed_digits(s, len, i, 2, &d))
        return -1;
    if (y < 1970 || y > 2099 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *days = fmt_days_from_civil(y, m, d);
    return 0;
}

int fmt_isodate_parse(const char *s, size_t len, int32_t *out_days)
{
    size_t i = 0;
    int32_t days;
    if (parse_date(s, len, &i, &days) || i != len)
        return -1;
    *out_days = days;
    return 0;
}

int fmt_isotime_parse(const char *s, size_t len, int64_t *out_ns)
{
    size_t i = 0;
    int32_t days;
    if (parse_date(s, len, &i, &days))
        return -1;
    int64_t ns = (int64_t)days * FMT_NS_PER_DAY;
    if (i == len) {
        *out_ns = ns;
        return 0;
    }
    if (s[i] != 'T' && s[i] != ' ')
        return -1;
    i++;
    int hh, mm, ss = 0;
    if (fixed_digits(s, len, &i, 2, &hh) || i >= len || s[i++] != ':' ||
        fixed_digits(s, len, &i, 2, &mm))
        return -1;
    if (i < len && s[i] == ':') {
        i++;
        if (fixed_digits(s, len, &i, 2, &ss))
            return -1;
    }
    if (hh > 23 || mm > 59 || ss > 59)
        return -1;
    int64_t frac_ns = 0;
    if (i < len && (s[i] == '.' || s[i] == ',')) {
        i++;
        int n = 0;
        int64_t scale = 100000000;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n++) {
            if (n >= 9)
                return -1;
            frac_ns += (s[i] - '0') * scale;
            scale /= 10;
        }
        if (n == 0)
            return -1;
    }
    int64_t offset_s = 0;
    if (i < len) {
        if (s[i] == 'Z' || s[i] == 'z') {
            i++;
        } else if (s[i] == '+' || s[i] == '-') {
            int sign = s[i] == '-' ? -1 : 1;
            i++;
            int oh, om = 0;
            if (fixed_digits(s, len, &i, 2, &oh))
                return -1;
            if (i < len && s[i] == ':') {
                i++;
                if (fixed_digits(s, len, &i, 2, &om)) /* "+01:" needs its minutes */
                    return -1;
            } else if (i < len && fixed_digits(s, len, &i, 2, &om)) {
                return -1;
            }
            if (oh > 23 || om > 59)
                return -1;
            offset_s = sign * (oh * 3600 + om * 60);
        } else {
            return -1;
        }
    }
    if (i != len)
        return -1;
    ns += ((int64_t)hh * 3600 + mm * 60 + ss - offset_s) * INT64_C(1000000000) + frac_ns;
    /* The instant itself must lie in 1970..2099 (SPEC compares times as UTC instants):
     * "1970-01-01T00:30:00+01:00" was accepted, written back in UTC as 1969-12-31T23:30Z
     * to backorders.csv, and that file was then refused BAD_DATE the next night. */
    if (ns < 0 || ns >= INT64_C(47482) * FMT_NS_PER_DAY) /* 2100-01-01T00:00:00Z */
        return -1;
    *out_ns = ns;
    return 0;
}

static char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* The fields of a spreadsheet date, before it is known which of a and b is the day. */
typedef struct sheet_date {
    int a, b, y, hh, mi, ss;
    char sep;
} sheet_date;

static int digits(const char *s, size_t len, size_t *i, size_t min, size_t max, int *out)
{
    size_t at = *i;
    int v = 0;
    while (*i < len && *i - at < max && s[*i] >= '0' && s[*i] <= '9')
        v = v * 10 + (s[(*i)++] - '0');
    *out = v;
    return *i - at >= min ? 0 : -1;
}

static int sheet_fields(const char *s, size_t len, sheet_date *d)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (digits(s, len, &i, 1, 2, &d->a) || i >= len)
        return -1;
    char sep = s[i]; /* "26-11-2026" stays BAD_DATE: too close to a mistyped ISO date */
    if (sep != '/' && sep != '.')
        return -1;
    d->sep = sep;
    i++;
    if (digits(s, len, &i, 1, 2, &d->b) || i >= len || s[i++] != sep ||
        digits(s, len, &i, 4, 4, &d->y))
        return -1;
    d->hh = d->mi = d->ss = 0;
    if (i == len)
        return 0;
    if (s[i] != ' ' && s[i] != 'T')
        return -1;
    i++;
    if (digits(s, len, &i, 1, 2, &d->hh) || i >= len || s[i++] != ':' ||
        digits(s, len, &i, 2, 2, &d->mi))
        return -1;
    if (i < len && s[i] == ':') {
        i++;
        if (digits(s, len, &i, 2, 2, &d->ss))
            return -1;
    }
    if (i < len && s[i] == ' ' && len - i == 3 && (s[i + 2] | 0x20) == 'm' &&
        ((s[i + 1] | 0x20) == 'a' || (s[i + 1] | 0x20) == 'p')) {
        if (d->hh < 1 || d->hh > 12)
            return -1;
        d->hh = d->hh % 12 + ((s[i + 1] | 0x20) == 'p' ? 12 : 0);
        i = len;
    }
    if (i != len || d->hh > 23 || d->mi > 59 || d->ss > 59)
        return -1;
    return 0;
}

static int sheet_valid(const sheet_date *d, fmt_date_order order, int *day, int *month)
{
    if (d->sep == '.' && order == FMT_DATE_MDY)
        return 0; /* "3.11.2026": no language writes the month first with points */
    *day = order == FMT_DATE_DMY ? d->a : d->b;
    *month = order == FMT_DATE_DMY ? d->b : d->a;
    return d->y >= 1970 && d->y <= 2099 && *month >= 1 && *month <= 12 && *day >= 1 &&
           *day <= days_in_month(d->y, *month);
}

unsigned fmt_sheet_date_orders(const char *s, size_t len)
{
    sheet_date d;
    int day, month;
    if (sheet_fields(s, len, &d) != 0)
        return 0;
    return (sheet_valid(&d, FMT_DATE_DMY, &day, &month) ? 1u << FMT_DATE_DMY : 0) |
           (sheet_valid(&d, FMT_DATE_MDY, &day, &month) ? 1u << FMT_DATE_MDY : 0);
}

int fmt_sheet_date_iso(const char *s, size_t len, fmt_date_order order, char dst[19])
{
    sheet_date d;
    int day, month;
    if (sheet_fields(s, len, &d) != 0 || !sheet_valid(&d, order, &day, &month))
        return -1;
    char buf[24];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.y, month, day, d.hh, d.mi, d.ss);
    memcpy(dst, buf, 19);
    return 0;
}

size_t fmt_isotime_format(int64_t ns, char *dst)
{
    int64_t days = ns / FMT_NS_PER_DAY;
    int64_t rem = ns % FMT_NS_PER_DAY;
    if (rem < 0) {
        rem += FMT_NS_PER_DAY;
        days--;
    }
    int y, m, d;
    fmt_civil_from_days((int32_t)days, &y, &m, &d);
    int secs = (int)(rem / 1000000000);
    int64_t frac = rem % 1000000000;
    /* Nanoseconds in 64 bits reach 1677 to 2262, so every part has its fixed width. By
     * hand: snprintf cost a status or backorder row more than the rest of it. */
    assert(y >= 1000 && y <= 9999);
    char *p = put2(put2(dst, y / 100), y % 100);
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    p = put2(p, secs / 3600);
    *p++ = ':';
    p = put2(p, secs / 60 % 60);
    *p++ = ':';
    p = put2(p, secs % 60);
    size_t n = (size_t)(p - dst);
    if (frac) {
        int digits = 9;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        dst[n] = '.';
        for (int i = digits; i > 0; i--) {
            dst[n + (size_t)i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        n += (size_t)digits + 1;
    }
    dst[n++] = 'Z';
    dst[n] = '\0';
    return n;
}

void fmt_isodate_format(int32_t days, char dst[11])
{
    int y, m, d;
    fmt_civil_from_days(days, &y, &m, &d);
    /* Years are 1970..2099 here, so every part has its fixed width. */
    dst[0] = (char)('0' + y / 1000 % 10);
    dst[1] = (char)('0' + y / 100 % 10);
    dst[2] = (char)('0' + y / 10 % 10);
    dst[3] = (char)('0' + y % 10);
    dst[4] = '-';
    dst[5] = (char)('0' + m / 10);
    dst[6] = (char)('0' + m % 10);
    dst[7] = '-';
    dst[8] = (char)('0' + d / 10);
    dst[9] = (char)('0' + d % 10);
    dst[10] = '\0';
}

void fmt_isodate_compact(int32_t days, char dst[9])
{
    char full[11];
    fmt_isodate_format(days, full);
    memcpy(dst, full, 4);
    memcpy(dst + 4, full + 5, 2);
    memcpy(dst + 6, full + 8, 2);
    dst[8] = '\0';
}
