/* UTF-8 validation for input text (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). NUL is refused too: no legitimate field holds it, and C strings
 * would silently cut the value there. */
#ifndef FMT_UTF8_H
#define FMT_UTF8_H

#include <stddef.h>

/* Length of the valid prefix of s: len when all of s is valid. */
size_t fmt_utf8_valid_prefix(const char *s, size_t len);

#endif
