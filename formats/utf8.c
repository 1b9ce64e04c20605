/* Byte-at-a-time validation with an ASCII fast path (eight bytes at a time when none has
 * the high bit set). The ranges are RFC 3629's table 3-7 ("Well-Formed UTF-8 Byte
 * Sequences"). */
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t fmt_utf8_valid_prefix(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            /* No high bit and no zero byte: all eight are ASCII 1..127. */
            if (!(w & UINT64_C(0x8080808080808080)) &&
                !((w - UINT64_C(0x0101010101010101)) & ~w & UINT64_C(0x8080808080808080))) {
                i += 8;
                continue;
            }
        }
        unsigned char c = s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return i;
        }
        if (i + need >= len)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return i;
        i += need + 1;
    }
    return len;
}

size_t fmt_utf8_clean_prefix(const char *s, size_t len)
{
    size_t ok = fmt_utf8_valid_prefix(s, len);
    /* Valid UTF-8 holds EF BB BF only as U+FEFF itself (a byte sequence cannot start
     * inside another), so a plain search finds exactly the marks. */
    for (size_t i = 0; i + 3 <= ok; i++) {
        const char *e = memchr(s + i, '\xEF', ok - i);
        if (!e)
            break;
        i = (size_t)(e - s);
        if (i + 3 <= ok && memcmp(e, "\xEF\xBB\xBF", 3) == 0)
            return i;
    }
    return ok;
}

void fmt_utf8_explain(char *dst, size_t cap, const char *s, size_t len, size_t at)
{
    if (at < len && s[at] == '\0')
        snprintf(dst, cap, "holds a NUL byte at position %zu", at + 1);
    else if (at + 3 <= len && memcmp(s + at, "\xEF\xBB\xBF", 3) == 0)
        snprintf(dst, cap,
                 "holds a byte order mark (U+FEFF) at position %zu: are two files joined "
                 "here?",
                 at + 1);
    else if (at < len)
        snprintf(dst, cap, "is not valid UTF-8 (byte 0x%02X at position %zu)", (unsigned char)s[at],
                 at + 1);
    else
        snprintf(dst, cap, "is clean text");
}
