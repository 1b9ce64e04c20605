/* The closest name is the one with the fewest edits when case is ignored (so "east"
 * finds "EAST", not "WEST"), then the fewest counting case, then the first in byte order:
 * the message is the same on every run. */
#include "policy_refs.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/text.h"

/* The stocked warehouse (one with an inventory row) closest to name, or NULL when the
 * inventory has none. */
static const char *closest(const eng_inventory *inv, const uint8_t *stocked, const char *name)
{
    const char *best = NULL;
    size_t best_folded = SIZE_MAX, best_exact = SIZE_MAX, len = strlen(name);
    for (size_t r = 0; r < eng_inventory_warehouse_count(inv); r++) {
        if (!stocked[r])
            continue;
        const char *w = eng_inventory_warehouse(inv, (uint32_t)r);
        size_t folded = eng_text_distance(name, len, w, strlen(w), 1);
        size_t exact = eng_text_distance(name, len, w, strlen(w), 0);
        /* SIZE_MAX (no memory for the table) ranks last, but any name beats none. */
        if (!best || folded < best_folded ||
            (folded == best_folded &&
             (exact < best_exact || (exact == best_exact && strcmp(w, best) < 0)))) {
            best = w;
            best_folded = folded;
            best_exact = exact;
        }
    }
    return best;
}

eng_rc eng_policy_check_warehouses(const fmt_policy *pol, const char *policy_path,
                                   const eng_inventory *inv, eng_err *err)
{
    if (pol->n_warehouse_order == 0)
        return ENG_OK;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    uint8_t *stocked = calloc(n_wh ? n_wh : 1, 1);
    if (!stocked)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory checking the policy");
    for (size_t s = 0; s < eng_inventory_count(inv); s++)
        stocked[eng_inventory_slot(inv, (uint32_t)s)->wh_rank] = 1;
    eng_rc rc = ENG_OK;
    /* The inventory ranks the policy's names first, in the policy's order. */
    for (size_t k = 0; k < pol->n_warehouse_order && rc == ENG_OK; k++) {
        assert(k < n_wh &&
               strcmp(eng_inventory_warehouse(inv, (uint32_t)k), pol->warehouse_order[k]) == 0);
        if (stocked[k])
            continue;
        char name[64], near[64];
        const char *w = pol->warehouse_order[k];
        eng_text_quote(name, sizeof name, w, strlen(w));
        const char *best = closest(inv, stocked, w);
        if (err) {
            err->path = policy_path;
            err->line = pol->warehouse_order_line;
            err->field = "warehouse_order";
        }
        if (!best) {
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "warehouse %s has no inventory row, and the inventory names no "
                          "warehouse; fix the name or the inventory",
                          name);
        } else {
            eng_text_quote(near, sizeof near, best, strlen(best));
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "warehouse %s has no inventory row; the closest the inventory has "
                          "is %s (names must match exactly); fix the name or remove it",
                          name, near);
        }
    }
    free(stocked);
    return rc;
}
