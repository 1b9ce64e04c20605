/* Countries as exports write them: ISO 3166-1 alpha-2 codes, or names ("United States",
 * "Deutschland"), so that one route key (route.US) serves every channel (issue 14). */
#ifndef FMT_COUNTRY_H
#define FMT_COUNTRY_H

#include <stddef.h>

/* The alpha-2 code of country text s (len bytes), trimmed and ASCII case-folded, into
 * code (3 bytes, upper case): the text itself when it is two ASCII letters (UK as GB,
 * for which ISO reserves it), else the code
 * of a name the table knows (the ISO short names in English, common alternatives and
 * the names in the country's own language, such as "USA", "UK", "Deutschland",
 * "Nederland"). Returns 1, or 0 (code "") for text that is neither. */
int fmt_country_alpha2(const char *s, size_t len, char code[3]);

#endif
