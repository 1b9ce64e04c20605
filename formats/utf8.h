/* UTF-8 validation for input text (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). NUL is refused too: no legitimate field holds it, and C strings
 * would silently cut the value there. */
#ifndef FMT_UTF8_H
#define FMT_UTF8_H

#include <stddef.h>

/* Length of the valid prefix of s: len when all of s is valid. */
size_t fmt_utf8_valid_prefix(const char *s, size_t len);

/* Length of the clean prefix of s: valid UTF-8 (as above) without a byte order mark
 * (U+FEFF). A BOM belongs only at the very start of a file, where the sources drop it;
 * inside a value it is invisible (so "\xEF\xBB\xBFA-1" would pass for order "A-1") and
 * is the seam of two files joined together. len when all of s is clean. */
size_t fmt_utf8_clean_prefix(const char *s, size_t len);

/* Say why s is not clean at offset at (from fmt_utf8_clean_prefix, < len) into dst, e.g.
 * "holds a NUL byte at position 3" or "is not valid UTF-8 (byte 0xFF at position 6)";
 * positions are 1-based bytes. dst holds cap bytes (80 are enough). */
void fmt_utf8_explain(char *dst, size_t cap, const char *s, size_t len, size_t at);

#endif
