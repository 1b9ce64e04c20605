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
    eng_text_nearest near = {0};
    for (size_t r = 0; r < eng_inventory_warehouse_count(inv); r++) {
        const char *w = eng_inventory_warehouse(inv, (uint32_t)r);
        if (stocked[r])
            eng_text_nearest_offer(&near, name, strlen(name), w, strlen(w));
    }
    return near.best;
}

/* Refuse name, given by key on line, which no inventory row has. */
static eng_rc refuse_name(const eng_inventory *inv, const uint8_t *stocked, const char *name,
                          const char *policy_path, uint64_t line, const char *field, eng_err *err)
{
    char quoted[64], near[64];
    eng_text_quote(quoted, sizeof quoted, name, strlen(name));
    const char *best = closest(inv, stocked, name);
    if (err) {
        err->path = policy_path;
        err->line = line;
        err->field = field;
    }
    if (!best)
        return ENG_FAIL(err, ENG_REFUSED,
                        "warehouse %s has no inventory row, and the inventory names no "
                        "warehouse; fix the name or the inventory",
                        quoted);
    eng_text_quote(near, sizeof near, best, strlen(best));
    /* "BER; HAM" is two names with the wrong separator more often than one name */
    if (strpbrk(name, ";|/"))
        return ENG_FAIL(err, ENG_REFUSED,
                        "warehouse %s has no inventory row; lists of warehouses are "
                        "comma-separated (\"A, B\"), and the closest single name the "
                        "inventory has is %s",
                        quoted, near);
    return ENG_FAIL(err, ENG_REFUSED,
                    "warehouse %s has no inventory row; the closest the inventory has is %s "
                    "(names must match exactly); fix the name or remove it",
                    quoted, near);
}

/* The rank of the stocked warehouse called name, or -1. */
static int64_t stocked_rank(const eng_inventory *inv, const uint8_t *stocked, const char *name)
{
    for (size_t r = 0; r < eng_inventory_warehouse_count(inv); r++)
        if (stocked[r] && strcmp(eng_inventory_warehouse(inv, (uint32_t)r), name) == 0)
            return (int64_t)r;
    return -1;
}

static eng_rc check_rules(const fmt_wh_rule *rules, size_t n, const char *field,
                          const char *policy_path, const eng_inventory *inv, const uint8_t *stocked,
                          eng_err *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < rules[i].n_names; k++)
            if (stocked_rank(inv, stocked, rules[i].names[k]) < 0)
                return refuse_name(inv, stocked, rules[i].names[k], policy_path, rules[i].line,
                                   field, err);
    return ENG_OK;
}

eng_rc eng_policy_check_warehouses(const fmt_policy *pol, const char *policy_path,
                                   const eng_inventory *inv, eng_err *err)
{
    if (pol->n_warehouse_order == 0 && pol->n_routes == 0 && pol->n_channels == 0)
        return ENG_OK;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    uint8_t *stocked = calloc(n_wh ? n_wh : 1, 1);
    if (!stocked)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory checking the policy");
    for (size_t s = 0; s < eng_inventory_count(inv); s++)
        stocked[eng_inventory_slot(inv, (uint32_t)s)->wh_rank] = 1;
    eng_rc rc = ENG_OK;
    /* The inventory ranks the policy's warehouse_order first, in the policy's order. */
    for (size_t k = 0; k < pol->n_warehouse_order && rc == ENG_OK; k++) {
        assert(k < n_wh &&
               strcmp(eng_inventory_warehouse(inv, (uint32_t)k), pol->warehouse_order[k]) == 0);
        if (!stocked[k])
            rc = refuse_name(inv, stocked, pol->warehouse_order[k], policy_path,
                             pol->warehouse_order_line, "warehouse_order", err);
    }
    if (rc == ENG_OK)
        rc = check_rules(pol->routes, pol->n_routes, "route", policy_path, inv, stocked, err);
    if (rc == ENG_OK)
        rc = check_rules(pol->channels, pol->n_channels, "channel_warehouses", policy_path, inv,
                         stocked, err);
    free(stocked);
    return rc;
}
