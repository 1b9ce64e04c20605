/* Numbers as they appear in input text, parsed without floating point.
 *
 * Money is read in two steps because a row's currency may sit on another row of its
 * order: fmt_dec_parse() keeps the written digits as an integer mantissa and the count
 * of digits after the point, and fmt_dec_to_minor() scales that to minor units once the
 * currency (and so its ISO 4217 exponent) is known. */
#ifndef FMT_NUM_H
#define FMT_NUM_H

#include <stddef.h>
#include <stdint.h>

/* A non-negative decimal as written: value = mant / 10^frac. */
typedef struct fmt_dec {
    int64_t mant;
    uint8_t frac; /* digits after the point, at most FMT_DEC_MAX_FRAC */
} fmt_dec;

#define FMT_DEC_MAX_FRAC 4 /* the largest ISO 4217 exponent (CLF, UYW) */

typedef enum fmt_num_rc {
    FMT_NUM_OK = 0,
    FMT_NUM_SYNTAX,    /* not a plain decimal: letters, separators, exponent, empty */
    FMT_NUM_NEGATIVE,  /* a minus sign */
    FMT_NUM_OVERFLOW,  /* more than 64 bits */
    FMT_NUM_PRECISION, /* more digits after the point than allowed */
    FMT_NUM_ZERO,      /* zero where a positive value is required */
} fmt_num_rc;

/* Plain decimal "19.99", "7", "0.5": digits, optionally a point and at least one
 * digit after it. No sign, no exponent, no thousands separators, no spaces. */
fmt_num_rc fmt_dec_parse(const char *s, size_t len, fmt_dec *out);

/* Value in minor units for a currency with `minor_digits` digits (0..4). FMT_NUM_PRECISION
 * when the text has more digits after the point than the currency, FMT_NUM_OVERFLOW when
 * the result exceeds int64. */
fmt_num_rc fmt_dec_to_minor(fmt_dec d, int minor_digits, int64_t *out);

/* Compare two decimals by value (-1, 0, 1): "10.0" equals "10.00". */
int fmt_dec_cmp(fmt_dec a, fmt_dec b);

/* A positive whole number of units: digits only, at least 1, at most INT64_MAX. */
fmt_num_rc fmt_qty_parse(const char *s, size_t len, int64_t *out);

/* A whole number, optionally signed ("-3", "+10", "0"), within int64. */
fmt_num_rc fmt_int_parse(const char *s, size_t len, int64_t *out);

/* A share written as a decimal ("0.05", "12.5") in millionths: 0.05 -> 50000. At most six
 * digits after the point; FMT_NUM_OVERFLOW above 10^12. */
fmt_num_rc fmt_ppm_parse(const char *s, size_t len, int64_t *out);

/* A number as a spreadsheet writes it where the comma is the decimal mark (Excel's
 * semicolon-separated CSV in most of Europe): "12,50", "1.234,50", "1.000", "-3", "7"
 * into the plain form "12.50", "1234.50", "1000", "-3", "7" in dst (cap bytes, not
 * terminated), *out pointing at it. A "." separates thousands only: it must follow a first
 * group of 1-3 digits and stand between groups of exactly three ("12.5", "1.23,4",
 * "1234.567" are FMT_NUM_SYNTAX, not guessed). At most one comma, with a digit after it.
 * A leading sign is kept. Anything else is FMT_NUM_SYNTAX too. */
fmt_num_rc fmt_decimal_comma(const char *s, size_t len, char *dst, size_t cap, const char **out,
                             size_t *out_len);

/* 1 when s is a number in a spreadsheet's scientific notation ("3.76E+18", "3,76E+18",
 * "1E+15"): what Excel shows, and saves, for a long numeric id it has turned into a
 * number, whose last digits are then lost. */
int fmt_is_scientific(const char *s, size_t len);

/* Why a value of a decimal-comma file was refused, after its name and value. */
#define FMT_DECIMAL_COMMA_RULE                                                           \
    "is not a number where a comma marks the decimals: write 12,50, or 1.234,50 with a " \
    "point grouping thousands"

/* Human text for a parse result ("has more than 64 bits"). */
const char *fmt_num_rc_text(fmt_num_rc rc);

#endif
