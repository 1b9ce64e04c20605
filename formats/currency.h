/* ISO 4217 currency codes and their minor-unit exponents (EUR 2, JPY 0, KWD 3). */
#ifndef FMT_CURRENCY_H
#define FMT_CURRENCY_H

#include <stddef.h>

/* Index of an active ISO 4217 code (exact, upper case, three letters) or -1. Indexes are
 * stable for the run and dense from 0, so they can index per-currency arrays. */
int fmt_currency_find(const char *code, size_t len);

/* Number of known currencies (the bound for indexes). */
int fmt_currency_count(void);

/* Code ("EUR") and digits after the point (2) of a known index. */
const char *fmt_currency_code(int idx);
int fmt_currency_minor_digits(int idx);

#endif
