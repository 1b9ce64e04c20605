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

/* Human text for a parse result ("has more than 64 bits"). */
const char *fmt_num_rc_text(fmt_num_rc rc);

#endif
