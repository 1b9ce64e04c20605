/* Inventory loader. Rows are kept in input order (slot = row index); a per-product list
 * of slots sorted by warehouse rank serves allocation. Duplicate (SKU, warehouse) pairs
 * are found by sorting slot indexes by (SKU, warehouse). */
#include "inventory.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/csv.h"
#include "../../formats/num.h"
#include "../../formats/table.h"
#include "../../formats/utf8.h"
#include "../core/arena.h"
#include "../base/text.h"

enum { I_SKU, I_ON_HAND, I_WAREHOUSE, I_REORDER_POINT, I_REORDER_QTY, I_SAFETY };

static const fmt_column inventory_columns[] = {
    {"sku", 1},           {"on_hand", 1},     {"warehouse", 0},
    {"reorder_point", 0}, {"reorder_qty", 0}, {"safety_stock", 0},
};

struct eng_inventory {
    eng_slot *slots;
    const char **wh_of_slot; /* warehouse name per slot */
    size_t n;
    size_t cap;
    const char **fields; /* n * n_cols texts */
    size_t n_cols;
    const char **col_names;
    size_t on_hand_col;
    const char **warehouses; /* by rank */
    size_t n_warehouses;
    uint32_t *product_slot_start; /* n_products + 1 */
    uint32_t *product_slots;
    eng_arena *mem;
    uint64_t file_bytes;
    char sha256[65];
    uint64_t unended_line; /* the last line, when it has no line end */
    const char *encoding;  /* what --encoding made of it (fmt_table_encoding), NULL: UTF-8 */
};

void eng_inventory_free(eng_inventory *inv)
{
    if (!inv)
        return;
    free(inv->slots);
    free(inv->wh_of_slot);
    free(inv->fields);
    free(inv->col_names);
    free(inv->warehouses);
    free(inv->product_slot_start);
    free(inv->product_slots);
    eng_arena_free(inv->mem);
    free(inv);
}

static eng_rc count_field(const fmt_table *t, size_t k, const char *field, int required,
                          int64_t *out, eng_err *err)
{
    char buf[64];
    int ok;
    fmt_str v = fmt_table_number(t, k, buf, sizeof buf, &ok);
    *out = 0;
    if (v.len == 0 && !required)
        return ENG_OK;
    if (!ok) {
        if (err)
            err->field = field;
        return ENG_FAIL(err, ENG_REFUSED, "%s \"%.*s\" %s; fix the inventory", field,
                        (int)(v.len > 40 ? 40 : v.len), v.p, FMT_DECIMAL_COMMA_RULE);
    }
    int64_t x;
    fmt_num_rc rc = fmt_int_parse(v.p, v.len, &x);
    if (rc != FMT_NUM_OK || x < 0) {
        if (err)
            err->field = field;
        return ENG_FAIL(err, ENG_REFUSED,
                        "%s \"%.*s\" is not a whole number of units >= 0; fix the inventory", field,
                        (int)(v.len > 40 ? 40 : v.len), v.p);
    }
    *out = x;
    return ENG_OK;
}

static eng_rc add_row(eng_inventory *inv, const eng_catalog *cat, fmt_table *t, eng_err *err)
{
    if (!fmt_table_row_ok(t))
        return ENG_FAIL(err, ENG_REFUSED,
                        "row is not well-formed CSV or has a different number of fields than "
                        "the header; fix the inventory");
    for (size_t i = 0; i < inv->n_cols; i++) {
        fmt_str f = fmt_table_field(t, i);
        size_t ok = fmt_utf8_clean_prefix(f.p, f.len);
        if (ok != f.len) {
            /* A NUL or a byte order mark is not fixed by saving as UTF-8: say which. */
            char why[96];
            fmt_utf8_explain(why, sizeof why, f.p, f.len, ok);
            return ENG_FAIL(err, ENG_REFUSED, "column \"%s\" %s; %s", inv->col_names[i], why,
                            ok < fmt_utf8_valid_prefix(f.p, f.len) || f.p[ok] == '\0'
                                ? "fix the inventory"
                                : "save the inventory as UTF-8, or give --encoding "
                                  "windows-1252 if a spreadsheet saved it as \"CSV\"");
        }
    }
    eng_slot s;
    memset(&s, 0, sizeof s);
    fmt_str sku = fmt_table_get(t, I_SKU);
    if (sku.len == 0) {
        if (err)
            err->field = "sku";
        return ENG_FAIL(err, ENG_REFUSED, "sku is blank; fix the inventory");
    }
    ENG_TRY(eng_text_refuse_guarded(err, "sku", sku.p, sku.len, "SKUs", "inventory"));
    fmt_str warehouse = fmt_table_get(t, I_WAREHOUSE);
    ENG_TRY(eng_text_refuse_guarded(err, "warehouse", warehouse.p, warehouse.len, "warehouse names",
                                    "inventory"));
    ENG_TRY(count_field(t, I_ON_HAND, "on_hand", 1, &s.on_hand, err));
    ENG_TRY(count_field(t, I_REORDER_POINT, "reorder_point", 0, &s.reorder_point, err));
    ENG_TRY(count_field(t, I_REORDER_QTY, "reorder_qty", 0, &s.reorder_qty, err));
    ENG_TRY(count_field(t, I_SAFETY, "safety_stock", 0, &s.safety_stock, err));
    fmt_str wh = fmt_table_get(t, I_WAREHOUSE);
    if (wh.len == 0) {
        wh.p = "MAIN";
        wh.len = 4;
    }
    if (inv->n == inv->cap) {
        size_t cap = inv->cap ? inv->cap * 2 : 256;
        eng_slot *slots = realloc(inv->slots, cap * sizeof *slots);
        if (slots)
            inv->slots = slots;
        const char **whs = slots ? realloc(inv->wh_of_slot, cap * sizeof *whs) : NULL;
        if (whs)
            inv->wh_of_slot = whs;
        const char **fields =
            whs ? realloc(inv->fields, cap * (inv->n_cols ? inv->n_cols : 1) * sizeof *fields)
                : NULL;
        if (!fields)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the inventory");
        inv->fields = fields;
        inv->cap = cap;
    }
    s.sku = eng_arena_strndup(inv->mem, sku.p, sku.len);
    const char *wh_name = eng_arena_strndup(inv->mem, wh.p, wh.len);
    if (!s.sku || !wh_name)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the inventory");
    /* inventory.csv is tomorrow's inventory: the columns it carries over come back without
     * the spreadsheet guard its writer put on them (csv.h). The SKU and warehouse cannot
     * carry one (refused above), nor can the counts (whole numbers). */
    for (size_t i = 0; i < inv->n_cols; i++) {
        fmt_str f = fmt_csv_unguard(fmt_table_field(t, i));
        /* A semicolon file's counts ("1.000") go on as tomorrow's plain numbers. */
        int k = fmt_table_wanted_at(t, i), ok;
        char buf[64];
        if (fmt_table_decimal_comma(t) &&
            (k == I_ON_HAND || k == I_REORDER_POINT || k == I_REORDER_QTY || k == I_SAFETY))
            f = fmt_table_number(t, (size_t)k, buf, sizeof buf, &ok);
        const char *copy = eng_arena_strndup(inv->mem, f.p, f.len);
        if (!copy)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the inventory");
        inv->fields[inv->n * inv->n_cols + i] = copy;
    }
    s.product = eng_catalog_find(cat, sku.p, sku.len);
    s.line = fmt_table_line(t);
    inv->wh_of_slot[inv->n] = wh_name;
    inv->slots[inv->n++] = s;
    return ENG_OK;
}

/* qsort context through a file-level pointer is not thread-safe; loading happens once,
 * on the main thread, before any worker starts. */
static const eng_inventory *sort_inv;

static int cmp_sku_wh(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = strcmp(sort_inv->slots[x].sku, sort_inv->slots[y].sku);
    if (c == 0)
        c = strcmp(sort_inv->wh_of_slot[x], sort_inv->wh_of_slot[y]);
    if (c == 0)
        c = (x > y) - (x < y);
    return c;
}

/* A warehouse name and where it comes from: a slot (ranking) or a policy position. */
typedef struct named {
    const char *name;
    uint32_t at;
} named;

static int cmp_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

static int cmp_named_name(const void *key, const void *elem)
{
    return strcmp(((const named *)key)->name, ((const named *)elem)->name);
}

static int cmp_product_rank(const void *a, const void *b)
{
    const eng_slot *x = &sort_inv->slots[*(const uint32_t *)a];
    const eng_slot *y = &sort_inv->slots[*(const uint32_t *)b];
    if (x->product != y->product)
        return x->product < y->product ? -1 : 1;
    return (x->wh_rank > y->wh_rank) - (x->wh_rank < y->wh_rank);
}

/* Rank warehouses: the policy's list, then the rest by name. Slots are sorted by
 * warehouse name once and each run of one name is ranked together, looking the name up
 * in the sorted policy list: n log n. (Searching the name list for every slot was
 * quadratic: a million distinct warehouses took some 19 minutes.) */
static eng_rc rank_warehouses(eng_inventory *inv, const fmt_policy *pol, eng_err *err)
{
    size_t n_pol = pol->n_warehouse_order;
    const char **names = malloc((n_pol + inv->n + 1) * sizeof *names);
    named *by_name = malloc((inv->n ? inv->n : 1) * sizeof *by_name);
    named *listed = malloc((n_pol ? n_pol : 1) * sizeof *listed);
    if (!names || !by_name || !listed) {
        free(names);
        free(by_name);
        free(listed);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory ranking warehouses");
    }
    size_t n = 0;
    for (size_t k = 0; k < n_pol; k++) {
        names[n++] = pol->warehouse_order[k];
        listed[k].name = pol->warehouse_order[k];
        listed[k].at = (uint32_t)k;
    }
    qsort(listed, n_pol, sizeof *listed, cmp_named);
    for (size_t i = 0; i < inv->n; i++) {
        by_name[i].name = inv->wh_of_slot[i];
        by_name[i].at = (uint32_t)i;
    }
    qsort(by_name, inv->n, sizeof *by_name, cmp_named);
    for (size_t i = 0; i < inv->n;) {
        const named *hit =
            n_pol ? bsearch(&by_name[i], listed, n_pol, sizeof *listed, cmp_named_name) : NULL;
        uint32_t rank = hit ? hit->at : (uint32_t)n;
        if (!hit)
            names[n++] = by_name[i].name; /* unlisted names arrive in byte order */
        size_t j = i;
        for (; j < inv->n && strcmp(by_name[j].name, by_name[i].name) == 0; j++)
            inv->slots[by_name[j].at].wh_rank = rank;
        i = j;
    }
    free(by_name);
    free(listed);
    if (n == 0)
        names[n++] = "MAIN";
    inv->warehouses = names;
    inv->n_warehouses = n;
#ifndef NDEBUG
    for (size_t i = 0; i < inv->n; i++)
        assert(strcmp(names[inv->slots[i].wh_rank], inv->wh_of_slot[i]) == 0);
#endif
    return ENG_OK;
}

static eng_rc index_products(eng_inventory *inv, size_t n_products, eng_err *err)
{
    uint32_t *order = malloc((inv->n ? inv->n : 1) * sizeof *order);
    inv->product_slot_start = calloc(n_products + 1, sizeof *inv->product_slot_start);
    inv->product_slots = malloc((inv->n ? inv->n : 1) * sizeof *inv->product_slots);
    if (!order || !inv->product_slot_start || !inv->product_slots) {
        free(order);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory indexing the inventory");
    }
    for (size_t i = 0; i < inv->n; i++)
        order[i] = (uint32_t)i;
    sort_inv = inv;
    /* Duplicates first: adjacent equal (SKU, warehouse) after sorting. */
    qsort(order, inv->n, sizeof *order, cmp_sku_wh);
    for (size_t i = 1; i < inv->n; i++) {
        uint32_t a = order[i - 1], b = order[i];
        if (strcmp(inv->slots[a].sku, inv->slots[b].sku) == 0 &&
            strcmp(inv->wh_of_slot[a], inv->wh_of_slot[b]) == 0) {
            uint32_t later = a > b ? a : b, first = a > b ? b : a;
            if (err) {
                err->line = inv->slots[later].line;
                err->field = "sku";
            }
            free(order);
            return ENG_FAIL(err, ENG_REFUSED,
                            "SKU \"%.60s\" in warehouse \"%.40s\" appears twice (first on line "
                            "%llu); keep one row",
                            inv->slots[b].sku, inv->wh_of_slot[b],
                            (unsigned long long)inv->slots[first].line);
        }
    }
    qsort(order, inv->n, sizeof *order, cmp_product_rank);
    size_t k = 0;
    for (size_t i = 0; i < inv->n; i++) {
        int32_t p = inv->slots[order[i]].product;
        if (p < 0)
            continue; /* not in the catalog: never allocated */
        inv->product_slots[k++] = order[i];
        inv->product_slot_start[p + 1]++;
    }
    for (size_t p = 0; p < n_products; p++)
        inv->product_slot_start[p + 1] += inv->product_slot_start[p];
    free(order);
    return ENG_OK;
}

eng_rc eng_inventory_load(const char *path, const eng_catalog *cat, const fmt_policy *pol,
                          eng_inventory **out, eng_err *err)
{
    return eng_inventory_load_encoded(path, NULL, cat, pol, out, err);
}

eng_rc eng_inventory_load_encoded(const char *path, const char *encoding, const eng_catalog *cat,
                                  const fmt_policy *pol, eng_inventory **out, eng_err *err)
{
    eng_inventory *inv = calloc(1, sizeof *inv);
    if (!inv)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the inventory");
    inv->mem = eng_arena_new(1u << 16);
    fmt_table *t = NULL;
    eng_rc rc = ENG_OK;
    if (!inv->mem) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading the inventory");
        goto done;
    }
    rc = fmt_table_open_encoded(path, encoding, inventory_columns,
                                sizeof inventory_columns / sizeof *inventory_columns, "inventory",
                                &t, err);
    if (rc != ENG_OK)
        goto done;
    inv->n_cols = fmt_table_n_cols(t);
    inv->col_names = calloc(inv->n_cols ? inv->n_cols : 1, sizeof *inv->col_names);
    if (!inv->col_names) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading the inventory");
        goto done;
    }
    for (size_t i = 0; i < inv->n_cols; i++) {
        fmt_str name = fmt_table_col_name(t, i);
        /* A carried-over column's name is written through the guard too. */
        fmt_str shown = fmt_csv_unguard(name);
        inv->col_names[i] = eng_arena_strndup(inv->mem, shown.p, shown.len);
        if (!inv->col_names[i]) {
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading the inventory");
            goto done;
        }
        if (fmt_header_name_eq(name, "on_hand"))
            inv->on_hand_col = i;
    }
    int got;
    while ((got = fmt_table_next(t, err)) == 1) {
        if (err) {
            err->path = path;
            err->line = fmt_table_line(t);
            err->field = NULL;
        }
        if (inv->n >= UINT32_MAX - 1) {
            rc = ENG_FAIL(err, ENG_REFUSED, "the inventory has more than 4 billion rows");
            goto done;
        }
        rc = add_row(inv, cat, t, err);
        if (rc != ENG_OK)
            goto done;
    }
    if (got < 0) {
        rc = err ? err->rc : ENG_REFUSED;
        goto done;
    }
    if (err) {
        err->path = path;
        err->line = 0;
        err->field = NULL;
    }
    rc = rank_warehouses(inv, pol, err);
    if (rc == ENG_OK)
        rc = index_products(inv, eng_catalog_count(cat), err);
    if (rc == ENG_OK) {
        fmt_table_digest(t, inv->sha256, &inv->file_bytes);
        inv->unended_line = fmt_table_unended_line(t);
        inv->encoding = fmt_table_encoding(t);
    }
done:
    fmt_table_close(t);
    if (rc != ENG_OK) {
        eng_inventory_free(inv);
        return rc;
    }
    *out = inv;
    return ENG_OK;
}

size_t eng_inventory_count(const eng_inventory *inv)
{
    return inv->n;
}

const eng_slot *eng_inventory_slot(const eng_inventory *inv, uint32_t slot)
{
    return &inv->slots[slot];
}

const uint32_t *eng_inventory_product_slots(const eng_inventory *inv, uint32_t product, size_t *n)
{
    uint32_t a = inv->product_slot_start[product], b = inv->product_slot_start[product + 1];
    *n = b - a;
    return inv->product_slots + a;
}

size_t eng_inventory_warehouse_count(const eng_inventory *inv)
{
    return inv->n_warehouses;
}

const char *eng_inventory_warehouse(const eng_inventory *inv, uint32_t rank)
{
    return inv->warehouses[rank];
}

size_t eng_inventory_n_cols(const eng_inventory *inv)
{
    return inv->n_cols;
}

const char *eng_inventory_col_name(const eng_inventory *inv, size_t i)
{
    return inv->col_names[i];
}

const char *eng_inventory_field(const eng_inventory *inv, uint32_t slot, size_t i)
{
    return inv->fields[(size_t)slot * inv->n_cols + i];
}

size_t eng_inventory_on_hand_col(const eng_inventory *inv)
{
    return inv->on_hand_col;
}

uint64_t eng_inventory_file_bytes(const eng_inventory *inv)
{
    return inv->file_bytes;
}

const char *eng_inventory_file_sha256(const eng_inventory *inv)
{
    return inv->sha256;
}

const char *eng_inventory_encoding(const eng_inventory *inv)
{
    return inv->encoding;
}

uint64_t eng_inventory_unended_line(const eng_inventory *inv)
{
    return inv->unended_line;
}
