/* Catalog loader and SKU index. The index is open addressing with linear probing over a
 * power-of-two table at most half full. Every order line looks its SKU up, in a table
 * too large for the cache: a slot holds half the SKU's hash, its length, whether the
 * product is active and (up to 16 bytes) its text, so a lookup reads one slot, where
 * reading the product and then its text cost three cache misses (5% of a run's time). */
#include "catalog.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "../../formats/num.h"
#include "../../formats/table.h"
#include "../../formats/utf8.h"
#include "../core/arena.h"
#include "../base/hash.h"
#include "../base/text.h"

enum { C_SKU, C_NAME, C_STATUS, C_LIST, C_MIN, C_CURRENCY, C_RETURNABLE, C_WINDOW, C_BIN };

static const fmt_column catalog_columns[] = {
    {"sku", 1},       {"name", 1},     {"status", 1},     {"list_price", 1},
    {"min_price", 1}, {"currency", 1}, {"returnable", 0}, {"return_window_days", 0},
    {"bin", 0},
};

#define SLOT_TEXT 16

typedef struct sku_slot {
    uint32_t tag;       /* the top half of the SKU's hash */
    uint32_t product_1; /* product index + 1; 0: the slot is empty */
    uint32_t len;
    uint32_t active; /* the product's */
    union {
        char text[SLOT_TEXT]; /* the SKU, when len <= SLOT_TEXT */
        const char *p;        /* else the product's own copy */
    } sku;
} sku_slot;

static const char *slot_sku(const sku_slot *s)
{
    return s->len <= SLOT_TEXT ? s->sku.text : s->sku.p;
}

struct eng_catalog {
    eng_product *items;
    size_t n;
    size_t cap;
    struct sku_slot *index;
    size_t index_mask;
    eng_arena *mem;
    uint64_t file_bytes;
    char sha256[65];
    uint64_t unended_line; /* the last line, when it has no line end */
    const char *encoding;  /* what --encoding made of it (fmt_table_encoding), NULL: UTF-8 */
};

void eng_catalog_free(eng_catalog *c)
{
    if (!c)
        return;
    free(c->items);
    free(c->index);
    eng_arena_free(c->mem);
    free(c);
}

static int ascii_ieq(fmt_str s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = s.p[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (a != lit[i])
            return 0;
    }
    return 1;
}

/* Refuse the row for one value: `<field> "<value>" <why>`. */
static eng_rc refuse(eng_err *err, const char *field, fmt_str v, const char *why)
{
    if (err)
        err->field = field;
    return ENG_FAIL(err, ENG_REFUSED, "%s \"%.*s\" %s; fix the catalog", field,
                    (int)(v.len > 60 ? 60 : v.len), v.p, why);
}

static eng_rc parse_money(const fmt_table *t, size_t k, int currency, const char *field,
                          int64_t *out, eng_err *err)
{
    char buf[64];
    int ok;
    fmt_str v = fmt_table_number(t, k, buf, sizeof buf, &ok);
    if (!ok)
        return refuse(err, field, v, FMT_DECIMAL_COMMA_RULE);
    fmt_dec d;
    fmt_num_rc rc = fmt_dec_parse(v.p, v.len, &d);
    if (rc == FMT_NUM_OK)
        rc = fmt_dec_to_minor(d, fmt_currency_minor_digits(currency), out);
    if (rc != FMT_NUM_OK) {
        if (err)
            err->field = field;
        return ENG_FAIL(err, ENG_REFUSED, "%s \"%.*s\" %s; fix the catalog", field,
                        (int)(v.len > 40 ? 40 : v.len), v.p, fmt_num_rc_text(rc));
    }
    return ENG_OK;
}

/* Check one row and append it. */
static eng_rc add_row(eng_catalog *c, fmt_table *t, eng_err *err)
{
    if (!fmt_table_row_ok(t))
        return ENG_FAIL(err, ENG_REFUSED,
                        "row is not well-formed CSV or has a different number of fields than "
                        "the header; fix the catalog");
    for (size_t i = 0; i < fmt_table_n_cols(t); i++) {
        fmt_str f = fmt_table_field(t, i);
        size_t ok = fmt_utf8_clean_prefix(f.p, f.len);
        if (ok != f.len) {
            /* A NUL or a byte order mark is not fixed by saving as UTF-8: say which. */
            char why[96];
            fmt_utf8_explain(why, sizeof why, f.p, f.len, ok);
            fmt_str name = fmt_table_col_name(t, i);
            return ENG_FAIL(err, ENG_REFUSED, "column \"%.*s\" %s; %s",
                            (int)(name.len > 40 ? 40 : name.len), name.p, why,
                            ok < fmt_utf8_valid_prefix(f.p, f.len) || f.p[ok] == '\0'
                                ? "fix the catalog"
                                : "save the catalog as UTF-8, or give --encoding windows-1252 "
                                  "if a spreadsheet saved it as \"CSV\"");
        }
    }
    fmt_str sku = fmt_table_get(t, C_SKU);
    if (sku.len == 0)
        return refuse(err, "sku", sku, "is blank");
    ENG_TRY(eng_text_refuse_guarded(err, "sku", sku.p, sku.len, "SKUs", "catalog"));
    fmt_str bin = fmt_table_get(t, C_BIN);
    ENG_TRY(eng_text_refuse_guarded(err, "bin", bin.p, bin.len, "bins", "catalog"));
    fmt_str cur = fmt_table_get(t, C_CURRENCY);
    int currency = fmt_currency_find(cur.p, cur.len);
    if (currency < 0)
        return refuse(err, "currency", cur, "is not an ISO 4217 code (EUR, USD...)");
    eng_product p;
    memset(&p, 0, sizeof p);
    eng_price price;
    memset(&price, 0, sizeof price);
    price.currency = (int16_t)currency;
    ENG_TRY(parse_money(t, C_LIST, currency, "list_price", &price.list_minor, err));
    ENG_TRY(parse_money(t, C_MIN, currency, "min_price", &price.min_minor, err));
    if (price.min_minor > price.list_minor)
        return refuse(err, "min_price", fmt_table_get(t, C_MIN), "is above list_price");
    fmt_str status = fmt_table_get(t, C_STATUS);
    if (status.len == 0)
        return refuse(err, "status", status, "is blank (active makes a product sellable)");
    p.active = ascii_ieq(status, "active");
    fmt_str ret = fmt_table_get(t, C_RETURNABLE);
    if (ret.len == 0 || ascii_ieq(ret, "y") || ascii_ieq(ret, "yes") || ascii_ieq(ret, "true") ||
        ascii_ieq(ret, "1"))
        p.returnable = 1;
    else if (ascii_ieq(ret, "n") || ascii_ieq(ret, "no") || ascii_ieq(ret, "false") ||
             ascii_ieq(ret, "0"))
        p.returnable = 0;
    else
        return refuse(err, "returnable", ret, "is not y or n");
    char win_buf[64];
    int win_ok;
    fmt_str win = fmt_table_number(t, C_WINDOW, win_buf, sizeof win_buf, &win_ok);
    if (!win_ok)
        return refuse(err, "return_window_days", win, FMT_DECIMAL_COMMA_RULE);
    p.return_window = -1;
    if (win.len) {
        int64_t days;
        if (fmt_int_parse(win.p, win.len, &days) != FMT_NUM_OK || days < 0 || days > 36500)
            return refuse(err, "return_window_days", win, "is not a whole number of days");
        p.return_window = (int32_t)days;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        eng_product *grown = realloc(c->items, cap * sizeof *grown);
        if (!grown)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the catalog");
        c->items = grown;
        c->cap = cap;
    }
    fmt_str name = fmt_table_get(t, C_NAME);
    p.sku = eng_arena_strndup(c->mem, sku.p, sku.len);
    p.name = eng_arena_strndup(c->mem, name.p, name.len);
    p.bin = eng_arena_strndup(c->mem, bin.p, bin.len);
    p.status = eng_arena_strndup(c->mem, status.p, status.len);
    if (!p.sku || !p.name || !p.bin || !p.status)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the catalog");
    price.line = fmt_table_line(t);
    p.price = price;
    p.n_prices = 1;
    p.sku_len = (uint32_t)sku.len;
    c->items[c->n++] = p;
    return ENG_OK;
}

/* The column, other than the currency and the prices, in which two rows of one SKU
 * differ, or NULL. */
static const char *differs(const eng_product *a, const eng_product *b)
{
    if (strcmp(a->name, b->name) != 0)
        return "name";
    if (strcmp(a->status, b->status) != 0)
        return "status";
    if (strcmp(a->bin, b->bin) != 0)
        return "bin";
    if (a->returnable != b->returnable)
        return "returnable";
    if (a->return_window != b->return_window)
        return "return_window_days";
    return NULL;
}

/* Row `row` (a product of its own as read) adds its price to product q, the SKU's first
 * row: refused when q already has the currency or the rows differ in another column. */
static eng_rc add_price(eng_catalog *c, eng_product *q, uint64_t q_line, const eng_product *row,
                        uint64_t line, eng_err *err)
{
    if (err)
        err->line = line;
    const eng_price *price = &row->price;
    const eng_price *same = eng_product_price(q, price->currency);
    if (same) {
        if (err)
            err->field = "sku";
        if (q->n_prices == 1)
            return ENG_FAIL(err, ENG_REFUSED,
                            "SKU \"%.60s\" appears twice (first on line %llu); keep one row",
                            q->sku, (unsigned long long)same->line);
        return ENG_FAIL(err, ENG_REFUSED,
                        "SKU \"%.60s\" appears twice in %s (first on line %llu); keep one "
                        "row per currency",
                        q->sku, fmt_currency_code(price->currency), (unsigned long long)same->line);
    }
    const char *column = differs(q, row);
    if (column) {
        if (err)
            err->field = column;
        return ENG_FAIL(err, ENG_REFUSED,
                        "SKU \"%.60s\" has another %s than on line %llu; the rows of one SKU "
                        "may differ only in currency and prices, so fix the catalog",
                        q->sku, column, (unsigned long long)q_line);
    }
    /* Room doubles when the count of other rows reaches a power of two, so a SKU in many
     * currencies copies its prices a logarithmic number of times. */
    uint32_t n_more = q->n_prices - 1;
    eng_price *more = (eng_price *)q->more;
    if ((n_more & (n_more - 1)) == 0) {
        size_t cap = n_more ? 2 * (size_t)n_more : 1;
        more = eng_arena_alloc(c->mem, cap * sizeof *more, _Alignof(eng_price));
        if (!more)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the catalog");
        if (n_more)
            memcpy(more, q->more, n_more * sizeof *more);
    }
    more[n_more] = *price;
    q->more = more;
    q->n_prices++;
    return ENG_OK;
}

/* Index the rows by SKU, a SKU's later rows (other currencies) merged into its first, so
 * that products are the distinct SKUs in the order they first appear. Products are
 * compacted in place: product k is at most row k. */
static eng_rc build_index(eng_catalog *c, uint64_t *lines, eng_err *err)
{
    size_t size = 16;
    while (size < c->n * 2)
        size *= 2;
    c->index = calloc(size, sizeof *c->index);
    if (!c->index)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory indexing the catalog");
    c->index_mask = size - 1;
    size_t n_products = 0;
    for (size_t i = 0; i < c->n; i++) {
        const eng_product *p = &c->items[i];
        uint64_t hash = eng_hash_bytes(p->sku, p->sku_len);
        size_t h = hash & c->index_mask;
        const sku_slot *found = NULL;
        for (; c->index[h].product_1; h = (h + 1) & c->index_mask) {
            const sku_slot *q = &c->index[h];
            if (q->tag == (uint32_t)(hash >> 32) && q->len == p->sku_len &&
                memcmp(slot_sku(q), p->sku, p->sku_len) == 0) {
                found = q;
                break;
            }
        }
        if (found) {
            size_t k = found->product_1 - 1;
            ENG_TRY(add_price(c, &c->items[k], lines[k], p, lines[i], err));
            continue;
        }
        size_t k = n_products++;
        assert(k <= i);
        c->items[k] = *p;
        lines[k] = lines[i];
        p = &c->items[k];
        sku_slot *slot = &c->index[h];
        slot->tag = (uint32_t)(hash >> 32);
        slot->product_1 = (uint32_t)k + 1;
        slot->len = p->sku_len;
        slot->active = p->active != 0;
        if (p->sku_len <= SLOT_TEXT)
            memcpy(slot->sku.text, p->sku, p->sku_len);
        else
            slot->sku.p = p->sku;
    }
    c->n = n_products;
    return ENG_OK;
}

eng_rc eng_catalog_load(const char *path, eng_catalog **out, eng_err *err)
{
    return eng_catalog_load_encoded(path, NULL, out, err);
}

eng_rc eng_catalog_load_encoded(const char *path, const char *encoding, eng_catalog **out,
                                eng_err *err)
{
    eng_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the catalog");
    c->mem = eng_arena_new(1u << 16);
    uint64_t *lines = NULL;
    size_t lines_cap = 0;
    fmt_table *t = NULL;
    eng_rc rc = ENG_OK;
    if (!c->mem) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading the catalog");
        goto done;
    }
    rc = fmt_table_open_encoded(path, encoding, catalog_columns,
                                sizeof catalog_columns / sizeof *catalog_columns, "catalog", &t,
                                err);
    if (rc != ENG_OK)
        goto done;
    int got;
    while ((got = fmt_table_next(t, err)) == 1) {
        if (err) {
            err->path = path;
            err->line = fmt_table_line(t);
            err->field = NULL;
        }
        if (c->n >= UINT32_MAX - 1) {
            rc = ENG_FAIL(err, ENG_REFUSED, "the catalog has more than 4 billion rows");
            goto done;
        }
        rc = add_row(c, t, err);
        if (rc != ENG_OK)
            goto done;
        if (c->n > lines_cap) {
            lines_cap = lines_cap ? lines_cap * 2 : 256;
            uint64_t *grown = realloc(lines, lines_cap * sizeof *grown);
            if (!grown) {
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading the catalog");
                goto done;
            }
            lines = grown;
        }
        lines[c->n - 1] = fmt_table_line(t);
    }
    if (got < 0) {
        rc = err ? err->rc : ENG_REFUSED;
        goto done;
    }
    if (c->n == 0) {
        /* A header and no products is a cut-off export: every order would be REJECTED
         * UNKNOWN_SKU, and a rejected order is not carried to tomorrow (a backordered
         * one would be), all in a run that exits 0. */
        if (err) {
            err->path = path;
            err->line = fmt_table_line(t);
            err->field = NULL;
        }
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "the catalog has a header but no products, so every order would be "
                      "UNKNOWN_SKU; is the export complete?");
        goto done;
    }
    if (err)
        err->path = path;
    rc = build_index(c, lines, err);
    if (rc != ENG_OK)
        goto done;
    fmt_table_digest(t, c->sha256, &c->file_bytes);
    c->unended_line = fmt_table_unended_line(t);
    c->encoding = fmt_table_encoding(t);
done:
    fmt_table_close(t);
    free(lines);
    if (rc != ENG_OK) {
        eng_catalog_free(c);
        return rc;
    }
    *out = c;
    return ENG_OK;
}

size_t eng_catalog_count(const eng_catalog *c)
{
    return c->n;
}

const eng_product *eng_catalog_get(const eng_catalog *c, uint32_t idx)
{
    return &c->items[idx];
}

int32_t eng_catalog_lookup(const eng_catalog *c, const char *sku, size_t len, int *active)
{
    uint64_t hash = eng_hash_bytes(sku, len);
    size_t h = hash & c->index_mask;
    while (c->index[h].product_1) {
        const sku_slot *s = &c->index[h];
        if (s->tag == (uint32_t)(hash >> 32) && s->len == len &&
            memcmp(slot_sku(s), sku, len) == 0) {
            *active = (int)s->active;
            return (int32_t)(s->product_1 - 1);
        }
        h = (h + 1) & c->index_mask;
    }
    *active = 0;
    return -1;
}

int32_t eng_catalog_find(const eng_catalog *c, const char *sku, size_t len)
{
    int active;
    return eng_catalog_lookup(c, sku, len, &active);
}

uint64_t eng_catalog_file_bytes(const eng_catalog *c)
{
    return c->file_bytes;
}

const char *eng_catalog_file_sha256(const eng_catalog *c)
{
    return c->sha256;
}

const char *eng_catalog_encoding(const eng_catalog *c)
{
    return c->encoding;
}

uint64_t eng_catalog_unended_line(const eng_catalog *c)
{
    return c->unended_line;
}
