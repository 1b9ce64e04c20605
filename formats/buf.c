/* Appenders for fmt_buf. Growth doubles, so appending n bytes costs O(n) amortised. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fmt_buf_init(fmt_buf *b)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void fmt_buf_release(fmt_buf *b)
{
    free(b->p);
    fmt_buf_init(b);
}

int fmt_buf_grow(fmt_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->cap - b->len >= n)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void fmt_buf_puts(fmt_buf *b, const char *s)
{
    fmt_buf_put(b, s, strlen(s));
}

/* Two digits per division: writers print hundreds of millions of numbers a night. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930"
    "31323334353637383940414243444546474849505152535455565758596061"
    "62636465666768697071727374757677787980818283848586878889909192"
    "93949596979899";

/* v's decimal digits, right-aligned to end at `end`; returns where they start. */
static char *u64_digits(char *end, uint64_t v)
{
    while (v >= 100) {
        unsigned pair = (unsigned)(v % 100) * 2;
        v /= 100;
        *--end = digit_pairs[pair + 1];
        *--end = digit_pairs[pair];
    }
    if (v >= 10) {
        *--end = digit_pairs[v * 2 + 1];
        *--end = digit_pairs[v * 2];
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

void fmt_buf_put_u64(fmt_buf *b, uint64_t v)
{
    char tmp[20];
    char *start = u64_digits(tmp + sizeof tmp, v);
    fmt_buf_put(b, start, (size_t)(tmp + sizeof tmp - start));
}

void fmt_buf_put_i64(fmt_buf *b, int64_t v)
{
    if (v < 0) {
        fmt_buf_putc(b, '-');
        fmt_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        fmt_buf_put_u64(b, (uint64_t)v);
    }
}

void fmt_buf_put_minor128(fmt_buf *b, __int128 v, int minor_digits)
{
    unsigned __int128 mag =
        v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    char tmp[48];
    size_t n = 0;
    /* Digits from the right; pad with zeros so there is at least one integer digit. */
    do {
        tmp[n++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag || n <= (size_t)minor_digits);
    if (v < 0)
        fmt_buf_putc(b, '-');
    if (fmt_buf_reserve(b, n + 1) != 0)
        return;
    while (n) {
        if (n == (size_t)minor_digits && minor_digits > 0)
            b->p[b->len++] = '.';
        b->p[b->len++] = tmp[--n];
    }
}

void fmt_buf_put_minor(fmt_buf *b, int64_t v, int minor_digits)
{
    if (minor_digits < 0 || minor_digits > 18) {
        fmt_buf_put_minor128(b, v, minor_digits);
        return;
    }
    /* 64-bit digits, then the point moved in: the 128-bit path divides in software. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char tmp[24];
    char *end = tmp + sizeof tmp, *start = u64_digits(end, mag);
    while (end - start <= minor_digits) /* at least one digit before the point */
        *--start = '0';
    if (v < 0)
        *--start = '-';
    size_t n = (size_t)(end - start);
    if (minor_digits == 0) {
        fmt_buf_put(b, start, n);
        return;
    }
    if (fmt_buf_reserve(b, n + 1) != 0)
        return;
    char *dst = b->p + b->len;
    size_t whole = n - (size_t)minor_digits;
    memcpy(dst, start, whole);
    dst[whole] = '.';
    memcpy(dst + whole + 1, start + whole, (size_t)minor_digits);
    b->len += n + 1;
}

void fmt_minor128_text(char *dst, size_t cap, __int128 v, int minor_digits)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_put_minor128(&b, v, minor_digits);
    snprintf(dst, cap, "%.*s", b.p ? (int)b.len : 0, b.p ? b.p : "");
    fmt_buf_release(&b);
}
