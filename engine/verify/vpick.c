/* Check 9: the pick list and the alerts, recounted from the slips, the stock and the
 * orders.
 *
 * Pick list: per warehouse and SKU that tonight's slips take from (exchange replacements
 * included), the units, the number of different slips taking from it, and the catalog's
 * bin and name; nothing else.
 *
 * Alerts (README "Rules: Alerts"), per slot of the input inventory:
 *   demand    = units the slips ship from it, plus the units valid orders left open on
 *               lines whose SKU has it as first warehouse (warehouse order; under routes
 *               the first of the order's own warehouses that stocks it, if one does), plus the
 *               units of EXCHANGE_BACKORDERED requests likewise;
 *   shortfall = max(0, demand - max(0, on_hand - safety_stock) - restocked);
 *   on hand after = on_hand - shipped + restocked;
 *   STOCKOUT when shortfall > 0 or on hand after is 0 with demand > 0, else LOW_STOCK
 *   when 0 < on hand after <= reorder_point; suggested_qty = max(reorder_qty,
 *   reorder_point + shortfall - on hand after).
 * A catalog SKU with no inventory row that valid orders (or a waiting exchange) want is a
 * STOCKOUT at the first warehouse of all, on_hand 0, shortfall and suggested_qty its
 * demand. A valid order is one of check 8's: a status row, no rejecting exception, no
 * marketplace status, something outstanding; one after the policy's cut-off is no demand
 * tonight. Sums saturate, as the run's do. */
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

#define INV ENG_VCHECK_PICK

static void add_sat(int64_t *d, int64_t v)
{
    if (__builtin_add_overflow(*d, v, d))
        *d = INT64_MAX;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* ---- pick list ---- */

typedef struct pick {
    int64_t qty;
    int64_t slips;
    int64_t row; /* first slips.csv row */
} pick;

static eng_rc check_picklist(eng_vrun *v, fmt_buf *key)
{
    const eng_vtable *sl = v->slips, *pk = v->picklist;
    eng_vmap *want = eng_vmap_new(), *slips = eng_vmap_new();
    pick *p = NULL;
    size_t cap = 0;
    uint8_t *found = NULL;
    eng_rc rc = ENG_NOMEM;
    if (!want || !slips)
        goto done;
    for (size_t r = 0; r < eng_vtable_rows(sl); r++) {
        const char *wh = eng_vtable_get(sl, r, SL_WAREHOUSE), *sku = eng_vtable_get(sl, r, SL_SKU);
        if (eng__verify_key(key, wh, sku, NULL) != 0)
            goto done;
        int added;
        int64_t k = eng_vmap_add(want, key->p, key->len, &added);
        pick *grown = k < 0 ? NULL : eng__verify_fit(p, &cap, (size_t)k, sizeof *p, 256);
        if (!grown)
            goto done;
        p = grown;
        if (added)
            p[k].row = (int64_t)r;
        int64_t q;
        if (eng__verify_count(eng_vtable_get(sl, r, SL_QTY), 0, &q) == 0)
            add_sat(&p[k].qty, q);
        if (eng__verify_key(key, wh, sku, eng_vtable_get(sl, r, SL_SLIP_NO)) != 0 ||
            eng_vmap_add(slips, key->p, key->len, &added) < 0)
            goto done;
        p[k].slips += added;
    }
    found = calloc(eng_vmap_count(want) + 1, 1);
    if (!found)
        goto done;
    char qty[24], n_slips[24];
    for (size_t r = 0; r < eng_vtable_rows(pk); r++) {
        const char *wh = eng_vtable_get(pk, r, PK_WAREHOUSE), *sku = eng_vtable_get(pk, r, PK_SKU);
        unsigned long long line = (unsigned long long)eng_vtable_line(pk, r);
        if (eng__verify_key(key, wh, sku, NULL) != 0)
            goto done;
        int64_t k = eng_vmap_find(want, key->p, key->len);
        if (k < 0 || found[k]) {
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: %s %s of SKU %s at %s; %s takes %s from it",
                               eng_vtable_label(pk), line, k < 0 ? "picks" : "picks again",
                               eng_vtable_get(pk, r, PK_QTY), sku, wh, eng_vtable_label(sl),
                               k < 0 ? "nothing" : "it once");
            continue;
        }
        found[k] = 1;
        int64_t cat = eng__verify_catalog_row(v, sku);
        const char *bin = cat >= 0 ? eng_vtable_get(v->catalog, (size_t)cat, CT_BIN)
                                   : eng_vtable_get(sl, (size_t)p[k].row, SL_BIN);
        const char *name = cat >= 0 ? eng_vtable_get(v->catalog, (size_t)cat, CT_NAME)
                                    : eng_vtable_get(sl, (size_t)p[k].row, SL_NAME);
        snprintf(qty, sizeof qty, "%lld", (long long)p[k].qty);
        snprintf(n_slips, sizeof n_slips, "%lld", (long long)p[k].slips);
        const struct {
            int col;
            const char *name, *want;
        } cols[] = {{PK_BIN, "bin", bin},
                    {PK_NAME, "name", name},
                    {PK_QTY, "qty", qty},
                    {PK_SLIPS, "slips", n_slips}};
        for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
            const char *got = eng_vtable_get(pk, r, (size_t)cols[i].col);
            if (strcmp(got, cols[i].want) != 0)
                eng_vreport_broken(v->report, INV,
                                   "%s:%llu: SKU %s at %s %s %.60s; recounted %.60s from %s",
                                   eng_vtable_label(pk), line, sku, wh, cols[i].name, got,
                                   cols[i].want, eng_vtable_label(sl));
        }
    }
    for (size_t k = 0; k < eng_vmap_count(want); k++)
        if (!found[k]) {
            size_t r = (size_t)p[k].row;
            eng_vreport_broken(v->report, INV,
                               "%s takes %lld of SKU %s from %s (first at line %llu), but %s has "
                               "no row for it",
                               eng_vtable_label(sl), (long long)p[k].qty,
                               eng_vtable_get(sl, r, SL_SKU), eng_vtable_get(sl, r, SL_WAREHOUSE),
                               (unsigned long long)eng_vtable_line(sl, r), eng_vtable_label(pk));
        }
    rc = ENG_OK;
done:
    eng_vmap_free(want);
    eng_vmap_free(slips);
    free(p);
    free(found);
    return rc;
}

/* ---- alerts ---- */

typedef struct alert {
    const char *sku;
    const char *warehouse;
    int64_t on_hand, reorder_point, demand, shortfall, suggested;
    const char *code;
} alert;

/* Units wanted of a SKU that nothing shipped: against its first warehouse (under routes
 * the first of the order's own warehouses that stocks it, ranks[0..n_ranks), when there
 * is one), or for a catalog SKU without stock, apart. */
static void open_demand(const eng_vrun *v, int64_t *demand, int64_t *unstocked, uint32_t sku,
                        int64_t units, const uint32_t *ranks, size_t n_ranks)
{
    uint32_t s = ranks ? eng__verify_allowed_slot(v, sku, ranks, n_ranks) : ENG_VNONE;
    if (s == ENG_VNONE)
        s = eng__verify_first_slot(v, sku);
    if (s != ENG_VNONE)
        add_sat(&demand[s], units);
    else if (eng__verify_catalog_row(v, eng_vmap_key(v->skus, sku, NULL)) >= 0)
        add_sat(&unstocked[sku], units);
}

static int is_valid(const eng_vrun *v, const eng_vorder *o)
{
    if (o->status_row < 0 || (o->flags & (ENG_VO_REJECTED | ENG_VO_RESENT)) || o->state)
        return 0;
    for (uint32_t i = 0; i < o->n_lines; i++)
        if (v->lines[o->first_line + i].outstanding > 0)
            return 1;
    return 0;
}

static void compare_alert(eng_vrun *v, const alert *a, size_t r)
{
    const eng_vtable *al = v->alerts;
    unsigned long long line = (unsigned long long)eng_vtable_line(al, r);
    const struct {
        int col;
        const char *name;
        int64_t want;
    } nums[] = {{AL_ON_HAND, "on_hand", a->on_hand},
                {AL_REORDER_POINT, "reorder_point", a->reorder_point},
                {AL_DEMAND, "demand", a->demand},
                {AL_SHORTFALL, "shortfall", a->shortfall},
                {AL_SUGGESTED, "suggested_qty", a->suggested}};
    char want[24];
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        snprintf(want, sizeof want, "%lld", (long long)nums[i].want);
        const char *got = eng_vtable_get(al, r, (size_t)nums[i].col);
        if (strcmp(got, want) != 0)
            eng_vreport_broken(v->report, INV, "%s:%llu: SKU %s at %s %s %.40s; recounted %s",
                               eng_vtable_label(al), line, a->sku, a->warehouse, nums[i].name, got,
                               want);
    }
    const char *code = eng_vtable_get(al, r, AL_CODE);
    if (strcmp(code, a->code) != 0)
        eng_vreport_broken(v->report, INV, "%s:%llu: SKU %s at %s code %.40s; recounted %s",
                           eng_vtable_label(al), line, a->sku, a->warehouse, code, a->code);
}

static eng_rc check_alerts(eng_vrun *v, fmt_buf *key, size_t *n_alerts)
{
    const eng_vtable *lg = v->ledger;
    for (size_t r = 0; r < eng_vtable_rows(lg); r++) {
        const char *sku = eng_vtable_get(lg, r, LG_SKU);
        if (strcmp(eng_vtable_get(lg, r, LG_STATUS), "EXCHANGE_BACKORDERED") == 0 &&
            eng__verify_sku(v, sku, strlen(sku)) == ENG_VNONE)
            return ENG_NOMEM;
    }
    size_t n_skus = eng_vmap_count(v->skus);
    int64_t *demand = calloc(v->n_slots ? v->n_slots : 1, sizeof *demand);
    int64_t *unstocked = calloc(n_skus ? n_skus : 1, sizeof *unstocked);
    alert *list = malloc((v->n_slots + n_skus + 1) * sizeof *list);
    eng_vmap *rows = eng_vmap_new();
    int64_t *row_of = NULL;
    uint8_t *used = calloc(eng_vtable_rows(v->alerts) + 1, 1);
    uint32_t *ranks = eng__verify_routed(v) ? malloc((v->n_warehouses + 1) * sizeof *ranks) : NULL;
    size_t cap = 0, n = 0;
    eng_rc rc = ENG_NOMEM;
    if (!demand || !unstocked || !list || !rows || !used || (eng__verify_routed(v) && !ranks))
        goto done;
    for (size_t s = 0; s < v->n_slots; s++)
        demand[s] = v->slots[s].shipped;
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        const eng_vorder *o = &v->orders[oid];
        if (!is_valid(v, o) || eng__verify_after_cutoff(v, o))
            continue; /* an order after the cut-off waits for tomorrow: no demand tonight */
        size_t n_ranks = ranks ? eng__verify_allowed(v, o, ranks) : 0;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            const eng_vline *ln = &v->lines[o->first_line + i];
            if (ln->outstanding > ln->shipped && ln->sku != ENG_VNONE)
                open_demand(v, demand, unstocked, ln->sku, ln->outstanding - ln->shipped, ranks,
                            n_ranks);
        }
    }
    for (size_t r = 0; r < eng_vtable_rows(lg); r++) {
        int64_t q;
        const char *sku = eng_vtable_get(lg, r, LG_SKU);
        if (strcmp(eng_vtable_get(lg, r, LG_STATUS), "EXCHANGE_BACKORDERED") != 0 ||
            eng__verify_count(eng_vtable_get(lg, r, LG_QTY), 0, &q) != 0)
            continue;
        int64_t id = eng_vmap_find(v->skus, sku, strlen(sku)); /* added above */
        if (id >= 0) /* exchanges: warehouse order, as the run takes them */
            open_demand(v, demand, unstocked, (uint32_t)id, q, NULL, 0);
    }
    for (size_t s = 0; s < v->n_slots; s++) {
        const eng_vslot *sl = &v->slots[s];
        if (!sl->in_before)
            continue;
        int64_t covered;
        if (__builtin_add_overflow(max64(0, sl->before - sl->safety), sl->restocked, &covered))
            covered = INT64_MAX;
        int64_t shortfall = max64(0, demand[s] - covered);
        int64_t after = sl->before - sl->shipped + sl->restocked;
        const char *code = NULL;
        if (shortfall > 0 || (after == 0 && demand[s] > 0))
            code = "STOCKOUT";
        else if (after > 0 && after <= sl->reorder_point)
            code = "LOW_STOCK";
        if (!code)
            continue;
        int64_t sug;
        if (__builtin_add_overflow(sl->reorder_point, shortfall, &sug))
            sug = INT64_MAX;
        sug = max64(sl->reorder_qty, sug - after);
        list[n++] = (alert){eng_vmap_key(v->skus, sl->sku, NULL),
                            v->warehouses[sl->wh],
                            after,
                            sl->reorder_point,
                            demand[s],
                            shortfall,
                            sug,
                            code};
    }
    for (size_t k = 0; k < n_skus; k++)
        if (unstocked[k] > 0)
            list[n++] = (alert){eng_vmap_key(v->skus, k, NULL),
                                v->warehouses[0],
                                0,
                                0,
                                unstocked[k],
                                unstocked[k],
                                unstocked[k],
                                "STOCKOUT"};
    const eng_vtable *al = v->alerts;
    for (size_t r = 0; r < eng_vtable_rows(al); r++) {
        if (eng__verify_key(key, eng_vtable_get(al, r, AL_SKU), eng_vtable_get(al, r, AL_WAREHOUSE),
                            NULL) != 0)
            goto done;
        int added;
        int64_t k = eng_vmap_add(rows, key->p, key->len, &added);
        int64_t *grown =
            k < 0 ? NULL : eng__verify_fit(row_of, &cap, (size_t)k, sizeof *row_of, 64);
        if (!grown)
            goto done;
        row_of = grown;
        if (added)
            row_of[k] = (int64_t)r;
    }
    for (size_t i = 0; i < n; i++) {
        const alert *a = &list[i];
        if (eng__verify_key(key, a->sku, a->warehouse, NULL) != 0)
            goto done;
        int64_t k = eng_vmap_find(rows, key->p, key->len);
        if (k < 0) {
            eng_vreport_broken(v->report, INV,
                               "SKU %s at %s is a %s (on hand after %lld, demand %lld, shortfall "
                               "%lld), but %s has no row for it",
                               a->sku, a->warehouse, a->code, (long long)a->on_hand,
                               (long long)a->demand, (long long)a->shortfall, eng_vtable_label(al));
            continue;
        }
        used[row_of[k]] = 1;
        compare_alert(v, a, (size_t)row_of[k]);
    }
    for (size_t r = 0; r < eng_vtable_rows(al); r++)
        if (!used[r])
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: SKU %s at %s needs no alert (or has one row already): "
                               "recounted, its stock covers tonight's demand above the reorder "
                               "point",
                               eng_vtable_label(al), (unsigned long long)eng_vtable_line(al, r),
                               eng_vtable_get(al, r, AL_SKU), eng_vtable_get(al, r, AL_WAREHOUSE));
    *n_alerts = n;
    rc = ENG_OK;
done:
    free(ranks);
    free(demand);
    free(unstocked);
    free(list);
    eng_vmap_free(rows);
    free(row_of);
    free(used);
    return rc;
}

eng_rc eng__verify_pick(eng_vrun *v)
{
    fmt_buf key;
    fmt_buf_init(&key);
    eng_rc rc = ENG_OK;
    int picked = 0, alerted = 0;
    size_t n_alerts = 0;
    if (v->slips && v->picklist) {
        rc = check_picklist(v, &key);
        picked = 1;
    }
    /* The catalog tells a SKU without stock that orders want (an alert of its own) from
     * one that is no product at all. */
    if (rc == ENG_OK && v->alerts && v->slot_keys && v->orders_read && v->status && v->ledger &&
        v->catalog) {
        rc = check_alerts(v, &key, &n_alerts);
        alerted = 1;
    }
    fmt_buf_release(&key);
    if (rc != ENG_OK)
        return rc;
    if (!picked && !alerted)
        eng_vreport_unchecked(v->report, INV,
                              "needs picklist.csv or alerts.csv, and the files they are recounted "
                              "from; one could not be read");
    else
        eng_vreport_detail(v->report, INV, "%s%s%s", picked ? "picklist.csv sums the slips" : "",
                           picked && alerted ? "; " : "",
                           alerted ? "alerts.csv recounted from stock and demand" : "");
    (void)n_alerts;
    return ENG_OK;
}
