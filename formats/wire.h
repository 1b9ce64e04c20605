/* The binary encoding of the files a sharded night's phases hand each other (exchange.h):
 * unsigned numbers as LEB128 varints, signed ones zigzagged first, byte strings as their
 * length and then their bytes. Small numbers (most quantities, counts, flags) take one
 * byte, so a row costs what its values need, and zstd then squeezes the repeats.
 *
 * Writing appends to a fmt_buf (which remembers an allocation failure); reading walks a
 * wire_in that turns `bad` on any overrun and from then on reads zeros, so a decoder
 * checks once, at the end of a record, and a damaged file can never read past its end. */
#ifndef FMT_WIRE_H
#define FMT_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

static inline void wire_put_u64(fmt_buf *b, uint64_t v)
{
    if (fmt_buf_reserve(b, 10) != 0)
        return;
    unsigned char *p = (unsigned char *)b->p + b->len;
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    b->len += n;
}

static inline void wire_put_i64(fmt_buf *b, int64_t v)
{
    wire_put_u64(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline void wire_put_bytes(fmt_buf *b, const void *p, size_t len)
{
    wire_put_u64(b, len);
    fmt_buf_put(b, p, len);
}

/* A NUL-terminated text; NULL is written as a text of length 0 behind a 0 marker, so
 * that it reads back as NULL (wire_get_text_or_null). */
static inline void wire_put_text_or_null(fmt_buf *b, const char *s)
{
    if (!s) {
        wire_put_u64(b, 0);
        return;
    }
    size_t len = strlen(s);
    wire_put_u64(b, len + 1);
    fmt_buf_put(b, s, len);
}

typedef struct wire_in {
    const unsigned char *p, *end;
    int bad; /* an overrun or an impossible value: the rest reads as zeros */
} wire_in;

static inline void wire_in_init(wire_in *in, const void *p, size_t len)
{
    in->p = (const unsigned char *)p;
    in->end = in->p + len;
    in->bad = 0;
}

static inline int wire_in_done(const wire_in *in)
{
    return in->p == in->end;
}

static inline uint64_t wire_get_u64(wire_in *in)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && in->p < in->end; shift += 7) {
        unsigned char c = *in->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    in->bad = 1;
    in->p = in->end;
    return 0;
}

static inline int64_t wire_get_i64(wire_in *in)
{
    uint64_t z = wire_get_u64(in);
    return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

/* A number that must be at most max (a count, an index): bad beyond it. */
static inline uint64_t wire_get_max(wire_in *in, uint64_t max)
{
    uint64_t v = wire_get_u64(in);
    if (v > max) {
        in->bad = 1;
        in->p = in->end;
        return 0;
    }
    return v;
}

/* Borrowed bytes of a byte string (len in *len); "" with bad set on an overrun. */
static inline const char *wire_get_bytes(wire_in *in, size_t *len)
{
    uint64_t n = wire_get_u64(in);
    if (n > (uint64_t)(in->end - in->p)) {
        in->bad = 1;
        in->p = in->end;
        *len = 0;
        return "";
    }
    const char *s = (const char *)in->p;
    in->p += n;
    *len = (size_t)n;
    return s;
}

/* A text written by wire_put_text_or_null: *is_null set for NULL. */
static inline const char *wire_get_text_or_null(wire_in *in, size_t *len, int *is_null)
{
    uint64_t n = wire_get_u64(in);
    *is_null = n == 0;
    if (n == 0) {
        *len = 0;
        return "";
    }
    if (n - 1 > (uint64_t)(in->end - in->p)) {
        in->bad = 1;
        in->p = in->end;
        *len = 0;
        return "";
    }
    const char *s = (const char *)in->p;
    in->p += n - 1;
    *len = (size_t)(n - 1);
    return s;
}

/* n raw bytes into dst (zeros and bad on an overrun). */
static inline void wire_get_raw(wire_in *in, void *dst, size_t n)
{
    if (n > (size_t)(in->end - in->p)) {
        in->bad = 1;
        in->p = in->end;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, in->p, n);
    in->p += n;
}

#endif
