/* Digit loops with explicit overflow checks; the only arithmetic is int64 with
 * __builtin_*_overflow, so no value is ever rounded. */
#include "num.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Accumulate digits s[i..] into *acc until a non-digit; returns the index reached or
 * -1 on overflow. *n_digits counts them. */
static long digits(const char *s, size_t len, size_t i, int64_t *acc, size_t *n_digits)
{
    for (; i < len && is_digit(s[i]); i++) {
        if (__builtin_mul_overflow(*acc, 10, acc) || __builtin_add_overflow(*acc, s[i] - '0', acc))
            return -1;
        (*n_digits)++;
    }
    return (long)i;
}

fmt_num_rc fmt_dec_parse(const char *s, size_t len, fmt_dec *out)
{
    if (len == 0)
        return FMT_NUM_SYNTAX;
    if (s[0] == '-')
        return FMT_NUM_NEGATIVE;
    int64_t mant = 0;
    size_t int_digits = 0, frac_digits = 0;
    long i = digits(s, len, 0, &mant, &int_digits);
    if (i < 0)
        return FMT_NUM_OVERFLOW;
    if (int_digits == 0)
        return FMT_NUM_SYNTAX;
    if ((size_t)i < len) {
        if (s[i] != '.')
            return FMT_NUM_SYNTAX;
        i = digits(s, len, (size_t)i + 1, &mant, &frac_digits);
        if (i < 0)
            return FMT_NUM_OVERFLOW;
        if (frac_digits == 0 || (size_t)i != len)
            return FMT_NUM_SYNTAX;
        if (frac_digits > FMT_DEC_MAX_FRAC)
            return FMT_NUM_PRECISION;
    }
    out->mant = mant;
    out->frac = (uint8_t)frac_digits;
    return FMT_NUM_OK;
}

static const int64_t pow10_table[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

fmt_num_rc fmt_dec_to_minor(fmt_dec d, int minor_digits, int64_t *out)
{
    if (d.frac > minor_digits)
        return FMT_NUM_PRECISION;
    int64_t v;
    if (__builtin_mul_overflow(d.mant, pow10_table[minor_digits - d.frac], &v))
        return FMT_NUM_OVERFLOW;
    *out = v;
    return FMT_NUM_OK;
}

int fmt_dec_cmp(fmt_dec a, fmt_dec b)
{
    /* Scale both to FMT_DEC_MAX_FRAC digits in 128 bits: no overflow possible. */
    __int128 x = (__int128)a.mant * pow10_table[FMT_DEC_MAX_FRAC - a.frac];
    __int128 y = (__int128)b.mant * pow10_table[FMT_DEC_MAX_FRAC - b.frac];
    return (x > y) - (x < y);
}

fmt_num_rc fmt_qty_parse(const char *s, size_t len, int64_t *out)
{
    if (len == 0)
        return FMT_NUM_SYNTAX;
    if (s[0] == '-')
        return FMT_NUM_NEGATIVE;
    int64_t v = 0;
    size_t n = 0;
    long i = digits(s, len, 0, &v, &n);
    if (i < 0)
        return FMT_NUM_OVERFLOW;
    if (n == 0 || (size_t)i != len)
        return FMT_NUM_SYNTAX;
    if (v == 0)
        return FMT_NUM_ZERO;
    *out = v;
    return FMT_NUM_OK;
}

fmt_num_rc fmt_int_parse(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    /* Accumulate negatively so that INT64_MIN is representable. */
    int64_t v = 0;
    size_t n = 0;
    for (; i < len && is_digit(s[i]); i++, n++) {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, s[i] - '0', &v))
            return FMT_NUM_OVERFLOW;
    }
    if (n == 0 || i != len)
        return FMT_NUM_SYNTAX;
    if (!neg) {
        if (v == INT64_MIN)
            return FMT_NUM_OVERFLOW;
        v = -v;
    }
    *out = v;
    return FMT_NUM_OK;
}

fmt_num_rc fmt_ppm_parse(const char *s, size_t len, int64_t *out)
{
    if (len == 0)
        return FMT_NUM_SYNTAX;
    if (s[0] == '-')
        return FMT_NUM_NEGATIVE;
    int64_t v = 0;
    size_t int_digits = 0, frac_digits = 0;
    long i = digits(s, len, 0, &v, &int_digits);
    if (i < 0 || v > 1000000)
        return FMT_NUM_OVERFLOW;
    if (int_digits == 0)
        return FMT_NUM_SYNTAX;
    v *= 1000000;
    if ((size_t)i < len) {
        if (s[i] != '.')
            return FMT_NUM_SYNTAX;
        int64_t f = 0;
        i = digits(s, len, (size_t)i + 1, &f, &frac_digits);
        if (i < 0 || frac_digits > 6)
            return FMT_NUM_PRECISION;
        if (frac_digits == 0 || (size_t)i != len)
            return FMT_NUM_SYNTAX;
        v += f * pow10_table[6 - frac_digits];
        if (v > INT64_C(1000000000000))
            return FMT_NUM_OVERFLOW;
    }
    *out = v;
    return FMT_NUM_OK;
}

fmt_num_rc fmt_decimal_comma(const char *s, size_t len, char *dst, size_t cap, const char **out,
                             size_t *out_len)
{
    size_t i = 0, n = 0;
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        if (n < cap)
            dst[n++] = s[0];
        i = 1;
    }
    size_t group = 0; /* digits in the current group of the whole part */
    int grouped = 0;  /* a thousands point was seen */
    for (; i < len && s[i] != ','; i++) {
        if (is_digit(s[i])) {
            group++;
            if (grouped && group > 3)
                return FMT_NUM_SYNTAX; /* "1.2345" */
            if (n == cap)
                return FMT_NUM_OVERFLOW;
            dst[n++] = s[i];
        } else if (s[i] == '.') {
            /* The first group has 1-3 digits, each later one exactly 3. */
            if (group == 0 || group > 3 || (grouped && group != 3))
                return FMT_NUM_SYNTAX;
            grouped = 1;
            group = 0;
        } else {
            return FMT_NUM_SYNTAX;
        }
    }
    if (group == 0 || (grouped && group != 3))
        return FMT_NUM_SYNTAX; /* "", ",5", "1.", "1.23" */
    if (i < len) {             /* the comma, then the decimals */
        size_t decimals = 0;
        if (n == cap)
            return FMT_NUM_OVERFLOW;
        dst[n++] = '.';
        for (i++; i < len; i++, decimals++) {
            if (!is_digit(s[i]))
                return FMT_NUM_SYNTAX;
            if (n == cap)
                return FMT_NUM_OVERFLOW;
            dst[n++] = s[i];
        }
        if (decimals == 0)
            return FMT_NUM_SYNTAX; /* "12," */
    }
    *out = dst;
    *out_len = n;
    return FMT_NUM_OK;
}

int fmt_is_scientific(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    while (i < len && is_digit(s[i]))
        i++, digits++;
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == '.' || s[i] == ',')) {
        size_t frac = 0;
        for (i++; i < len && is_digit(s[i]); i++)
            frac++;
        if (frac == 0)
            return 0;
    }
    if (i + 2 > len || (s[i] != 'E' && s[i] != 'e') || (s[i + 1] != '+' && s[i + 1] != '-'))
        return 0;
    size_t exp = 0;
    for (i += 2; i < len && is_digit(s[i]); i++)
        exp++;
    return exp > 0 && i == len;
}

const char *fmt_num_rc_text(fmt_num_rc rc)
{
    switch (rc) {
    case FMT_NUM_OK:
        return "ok";
    case FMT_NUM_SYNTAX:
        return "is not a plain decimal number";
    case FMT_NUM_NEGATIVE:
        return "is negative";
    case FMT_NUM_OVERFLOW:
        return "is too large (over 64 bits)";
    case FMT_NUM_PRECISION:
        return "has more digits after the point than allowed";
    case FMT_NUM_ZERO:
        return "is zero";
    }
    return "is not a number";
}
