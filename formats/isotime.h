/* ISO 8601 times as UTC instants, in integer nanoseconds since 1970-01-01T00:00:00Z.
 *
 * Accepted: a date "2026-11-26" (that day 00:00Z); a date and time "2026-11-26T21:04:05"
 * with an optional fraction of up to nine digits and a zone "Z", "+01:00", "+0100" or
 * "+01". A space may stand for the "T". A time without a zone is read as UTC. The written
 * year and the UTC instant must both be in 1970..2099 (SPEC), so that every accepted time
 * can be written back in UTC and read again. */
#ifndef FMT_ISOTIME_H
#define FMT_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

#define FMT_NS_PER_DAY INT64_C(86400000000000)

/* 0 and *out_ns on success, -1 when the text is not such a time or out of range. */
int fmt_isotime_parse(const char *s, size_t len, int64_t *out_ns);

/* A plain date "YYYY-MM-DD" in 1970..2099 as days since 1970-01-01; 0 or -1. */
int fmt_isodate_parse(const char *s, size_t len, int32_t *out_days);

/* Days since 1970-01-01 for a valid civil date, and back. */
int32_t fmt_days_from_civil(int y, int m, int d);
void fmt_civil_from_days(int32_t days, int *y, int *m, int *d);

/* ---- dates a spreadsheet rewrote ---- */

/* Excel shows (and saves) a date the way its language does: "26/11/2026 15:22",
 * "26.11.2026", "11/26/2026 3:22 PM". Which number is the day cannot be told from
 * "03/04/2026" alone: a file's dates decide it together (README "Inputs"). */
typedef enum fmt_date_order {
    FMT_DATE_UNKNOWN = 0,
    FMT_DATE_DMY = 1, /* day first: Europe, most of the world */
    FMT_DATE_MDY = 2, /* month first: the United States */
} fmt_date_order;

/* Which orders make s such a date ("D/M/YYYY" or "D.M.YYYY", the latter day first only
 * (German, Russian... write the month first with points nowhere), 1-2 digit day
 * and month, a 4-digit year in 1970..2099, optionally a space and "H:MM", "H:MM:SS", with
 * "AM"/"PM" or not): a bit set of (1 << FMT_DATE_DMY) and (1 << FMT_DATE_MDY); 0 when it
 * is not one under either. */
unsigned fmt_sheet_date_orders(const char *s, size_t len);

/* Such a date under order as ISO text without a zone (read as UTC), "2026-11-26T15:22:00",
 * into dst (19 bytes, not terminated): 0, or -1 when it is not one under that order. */
int fmt_sheet_date_iso(const char *s, size_t len, fmt_date_order order, char dst[19]);

/* Write an instant as "2026-11-26T21:04:05Z" (with ".123" etc. only when the fraction is
 * not zero; trailing zeros dropped). dst must hold 40 bytes; returns the length. */
size_t fmt_isotime_format(int64_t ns, char *dst);

/* Write days as "2026-11-27" (11 bytes with NUL) or "20261127" (9 bytes). */
void fmt_isodate_format(int32_t days, char dst[11]);
void fmt_isodate_compact(int32_t days, char dst[9]);

#endif
