/* Stock on hand per SKU and warehouse (a *slot*), the warehouses in allocation order,
 * and the input's own columns so that tomorrow's inventory.csv keeps them.
 *
 * Warehouse order: the policy's warehouse_order first, then every other warehouse in
 * byte order of its name (SPEC). A slot's `wh_rank` is its warehouse's place in that
 * order; the slots of each SKU are listed in rank order. Read-only after load. */
#ifndef ENG_INVENTORY_H
#define ENG_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/buf.h"
#include "../../formats/policy.h"
#include "catalog.h"
#include "../core/err.h"

typedef struct eng_slot {
    const char *sku; /* owned by the inventory */
    int32_t product; /* catalog index, or -1 for a SKU the catalog lacks */
    uint32_t wh_rank;
    int64_t on_hand;
    int64_t reorder_point;
    int64_t reorder_qty;
    int64_t safety_stock;
    uint64_t line; /* physical line in the input */
} eng_slot;

typedef struct eng_inventory eng_inventory;

/* Read and check the inventory. ENG_REFUSED for a malformed row, a duplicate SKU and
 * warehouse, a negative or non-integer count; ENG_NOMEM. */
eng_rc eng_inventory_load(const char *path, const eng_catalog *cat, const fmt_policy *pol,
                          eng_inventory **out, eng_err *err);

/* The same, read from encoding (run --encoding, an iconv name; NULL: UTF-8). */
eng_rc eng_inventory_load_encoded(const char *path, const char *encoding, const eng_catalog *cat,
                                  const fmt_policy *pol, eng_inventory **out, eng_err *err);
void eng_inventory_free(eng_inventory *inv);

size_t eng_inventory_count(const eng_inventory *inv);
const eng_slot *eng_inventory_slot(const eng_inventory *inv, uint32_t slot);

/* Slots of a catalog product in warehouse order; *n = 0 when it has none. */
const uint32_t *eng_inventory_product_slots(const eng_inventory *inv, uint32_t product, size_t *n);

/* Warehouse names by rank; rank 0 is the first in allocation order ("MAIN" when there are
 * no warehouses at all). */
size_t eng_inventory_warehouse_count(const eng_inventory *inv);
const char *eng_inventory_warehouse(const eng_inventory *inv, uint32_t rank);

/* The input's columns, for writing tomorrow's inventory: count, header name, the text of
 * column i in slot's row, and which column is on_hand. */
size_t eng_inventory_n_cols(const eng_inventory *inv);
const char *eng_inventory_col_name(const eng_inventory *inv, size_t i);
const char *eng_inventory_field(const eng_inventory *inv, uint32_t slot, size_t i);
size_t eng_inventory_on_hand_col(const eng_inventory *inv);

uint64_t eng_inventory_file_bytes(const eng_inventory *inv);
const char *eng_inventory_file_sha256(const eng_inventory *inv);
/* The number of the file's last line when it has no line end (cut short?), else 0. */
uint64_t eng_inventory_unended_line(const eng_inventory *inv);
/* The encoding it was read from ("WINDOWS-1252" by --encoding, "UTF-16"), NULL: UTF-8. */
const char *eng_inventory_encoding(const eng_inventory *inv);

#endif
