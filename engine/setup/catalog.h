/* The product catalog: what can be sold, and at what price floor in each currency.
 *
 * A SKU may have one row per currency (a price list per currency): its rows make one
 * product with one price per row, and must agree on everything but the currency and the
 * prices. Loaded once before orders, then read-only, so any thread may look up SKUs
 * without locks. Reference data must be clean (SPEC): a malformed row, a blank SKU, a
 * SKU twice in one currency, rows of one SKU that differ in more than their prices, a
 * bad price, an unknown currency or a bad flag refuses the run. */
#ifndef ENG_CATALOG_H
#define ENG_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

/* A product's prices in one currency, in its minor units. */
typedef struct eng_price {
    int16_t currency; /* fmt_currency index */
    int64_t list_minor;
    int64_t min_minor;
    uint64_t line; /* the catalog row's line, for messages */
} eng_price;

typedef struct eng_product {
    const char *sku; /* NUL-terminated, owned by the catalog */
    const char *name;
    const char *bin; /* "" when the catalog has no bin */
    const char *status;
    uint32_t sku_len;
    int active;            /* status is "active" (any case) */
    int returnable;        /* returnable column, default yes */
    int32_t return_window; /* days, or -1 to use the policy's */
    uint32_t n_prices;     /* >= 1: one per row of the SKU, in file order */
    /* The first row's prices in the product itself, where every order line reads them
     * (most SKUs have one currency); the other rows' in `more` (n_prices - 1 of them). */
    eng_price price;
    const eng_price *more;
} eng_product;

/* The product's i-th price (i < n_prices), in the order of the catalog's rows. */
static inline const eng_price *eng_product_price_at(const eng_product *p, uint32_t i)
{
    return i == 0 ? &p->price : &p->more[i - 1];
}

/* The product's prices in currency, or NULL when the catalog has no row of the SKU in
 * it (CURRENCY_MISMATCH). */
static inline const eng_price *eng_product_price(const eng_product *p, int currency)
{
    if (p->price.currency == currency)
        return &p->price;
    for (uint32_t i = 1; i < p->n_prices; i++)
        if (p->more[i - 1].currency == currency)
            return &p->more[i - 1];
    return NULL;
}

typedef struct eng_catalog eng_catalog;

/* Read and check the catalog at path. ENG_REFUSED with file, line and field in err;
 * ENG_NOMEM. path is borrowed for the catalog's life. */
eng_rc eng_catalog_load(const char *path, eng_catalog **out, eng_err *err);

/* The same, read from encoding (run --encoding, an iconv name; NULL: UTF-8). */
eng_rc eng_catalog_load_encoded(const char *path, const char *encoding, eng_catalog **out,
                                eng_err *err);
void eng_catalog_free(eng_catalog *c);

size_t eng_catalog_count(const eng_catalog *c);
const eng_product *eng_catalog_get(const eng_catalog *c, uint32_t idx);

/* Index of a SKU (exact bytes) or -1. Thread-safe. */
int32_t eng_catalog_find(const eng_catalog *c, const char *sku, size_t len);

/* eng_catalog_find, and whether the product is active (0 when there is none) from the
 * index itself: every order line asks, and the product's record is a cache miss away. */
int32_t eng_catalog_lookup(const eng_catalog *c, const char *sku, size_t len, int *active);

/* Bytes and SHA-256 of the file as read, for the manifest. */
uint64_t eng_catalog_file_bytes(const eng_catalog *c);
const char *eng_catalog_file_sha256(const eng_catalog *c);
/* The number of the file's last line when it has no line end (cut short?), else 0. */
uint64_t eng_catalog_unended_line(const eng_catalog *c);
/* The encoding it was read from ("WINDOWS-1252" by --encoding, "UTF-16"), NULL: UTF-8. */
const char *eng_catalog_encoding(const eng_catalog *c);

#endif
