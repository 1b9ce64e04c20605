/* Growable byte buffer and the small appenders every writer shares.
 *
 * Writers format rows into a fmt_buf, then hand the bytes to a sink; keeping the
 * formatting apart from the file lets several threads format at once. A buffer whose
 * allocation failed stays failed (buf->failed) and ignores further appends, so a
 * writer checks once, at the end of a batch, instead of after every field. */
#ifndef FMT_BUF_H
#define FMT_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct fmt_buf {
    char *p;
    size_t len; /* bytes used */
    size_t cap; /* bytes available */
    int failed; /* an allocation failed; contents are incomplete */
} fmt_buf;

/* A borrowed view of text: not NUL-terminated unless said so. */
typedef struct fmt_str {
    const char *p;
    size_t len;
} fmt_str;

void fmt_buf_init(fmt_buf *b);
void fmt_buf_release(fmt_buf *b);

/* The out-of-line half of fmt_buf_reserve: grow (or fail). */
int fmt_buf_grow(fmt_buf *b, size_t n);

/* Make room for n more bytes. Returns 0, or -1 (and sets failed) when out of memory.
 * Inline, as are put and putc below: writers call them for every field and byte of
 * hundreds of MB, and almost always there is room. */
static inline int fmt_buf_reserve(fmt_buf *b, size_t n)
{
    if (!b->failed && b->cap - b->len >= n)
        return 0;
    return fmt_buf_grow(b, n);
}

static inline void fmt_buf_put(fmt_buf *b, const void *src, size_t len)
{
    if (len == 0 || fmt_buf_reserve(b, len) != 0)
        return;
    __builtin_memcpy(b->p + b->len, src, len);
    b->len += len;
}

static inline void fmt_buf_putc(fmt_buf *b, char c)
{
    if (fmt_buf_reserve(b, 1) != 0)
        return;
    b->p[b->len++] = c;
}

void fmt_buf_puts(fmt_buf *b, const char *s);
void fmt_buf_put_u64(fmt_buf *b, uint64_t v);
void fmt_buf_put_i64(fmt_buf *b, int64_t v);

/* Write v, a count of minor units, as decimal text with `minor_digits` digits after
 * the point ("1999", 2 -> "19.99"; "-5", 2 -> "-0.05"). Integer arithmetic only. */
void fmt_buf_put_minor(fmt_buf *b, int64_t v, int minor_digits);

/* Same for a 128-bit total (sums of many amounts). */
void fmt_buf_put_minor128(fmt_buf *b, __int128 v, int minor_digits);

/* That text into dst (cap bytes, NUL-terminated; "" when out of memory), for a message or
 * a page cell. */
void fmt_minor128_text(char *dst, size_t cap, __int128 v, int minor_digits);

#endif
