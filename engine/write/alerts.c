/* Alerts. Demand is counted where SPEC says: a served line (or part of one) against the
 * slot that served it, an unserved quantity against the first slot of its product in
 * warehouse order, or, for a product with no inventory row, against the first
 * warehouse of all. Under routes (issue 14) an unserved quantity counts against the
 * product's first slot among the order's own warehouses, and when none of them stocks it
 * (NO_ALLOWED_WAREHOUSE) against its first slot in warehouse order, as before. */
#include "alerts.h"

#include <stdlib.h>
#include <string.h>

#include "../allocate/alloc.h"
#include "../allocate/returns.h"
#include "../allocate/route.h"

/* Demand is a sum of order quantities, each up to 2^63-1: it saturates rather than wraps
 * (a demand that large is a shortfall either way). */
static void add_saturating(int64_t *d, int64_t v)
{
    if (__builtin_add_overflow(*d, v, d))
        *d = INT64_MAX;
}

/* One slice of the ranked orders, summed into its own arrays. */
typedef struct totals_slice {
    int64_t *shipped, *demand, *unstocked; /* per slot, per slot, per product */
} totals_slice;

typedef struct totals_ctx {
    const eng_products *night;
    totals_slice *slices;
    size_t n_slices;
} totals_ctx;

static eng_rc sum_slice(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    (void)worker;
    const totals_ctx *c = ctx;
    const eng_products *n = c->night;
    totals_slice *t = &c->slices[i];
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    size_t n_products = eng_catalog_count(n->setup->catalog);
    t->shipped = calloc(n_slots ? n_slots : 1, sizeof *t->shipped);
    t->demand = calloc(n_slots ? n_slots : 1, sizeof *t->demand);
    t->unstocked = calloc(n_products ? n_products : 1, sizeof *t->unstocked);
    if (!t->shipped || !t->demand || !t->unstocked)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory computing stock totals");
    const eng_routes *routes = n->alloc->routes;
    uint32_t *ranks = NULL;
    size_t n_ranks = 0;
    if (routes &&
        !(ranks = malloc((eng_inventory_warehouse_count(n->setup->inventory) + 1) * sizeof *ranks)))
        return ENG_FAIL(err, ENG_NOMEM, "out of memory computing stock totals");
    size_t lo = n->alloc->n_ranked * i / c->n_slices,
           hi = n->alloc->n_ranked * (i + 1) / c->n_slices;
    for (size_t r = lo; r < hi; r++) {
        const eng_order *o = n->alloc->ranked[r];
        int listed = 0; /* the order's warehouses, once a line of it is open */
        for (uint32_t l = 0; l < o->n_lines; l++) {
            const eng_line *ln = &o->lines[l];
            eng_part one;
            const eng_part *parts = eng_alloc_line_parts(ln, &one);
            for (uint32_t k = 0; k < ln->n_parts; k++) {
                t->shipped[parts[k].slot] += parts[k].qty; /* <= the slot's stock */
                add_saturating(&t->demand[parts[k].slot], parts[k].qty);
            }
            int64_t open = eng_line_qty(ln) - eng_line_shipped(ln);
            if (open == 0)
                continue;
            if (routes && !listed++)
                n_ranks = eng_routes_of(routes, o->head, ranks, NULL);
            int64_t routed =
                routes ? eng_routes_first_slot(routes, (uint32_t)ln->product, ranks, n_ranks) : -1;
            size_t ns;
            const uint32_t *slots =
                eng_inventory_product_slots(n->setup->inventory, (uint32_t)ln->product, &ns);
            if (routed >= 0)
                add_saturating(&t->demand[routed], open);
            else
                add_saturating(ns ? &t->demand[slots[0]] : &t->unstocked[ln->product], open);
        }
    }
    free(ranks);
    return ENG_OK;
}

static void free_slices(totals_slice *slices, size_t n)
{
    for (size_t i = 0; slices && i < n; i++) {
        free(slices[i].shipped);
        free(slices[i].demand);
        free(slices[i].unstocked);
    }
    free(slices);
}

eng_rc eng_alerts_totals(const eng_products *n, eng_slot_totals *t, eng_err *err)
{
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    size_t n_products = eng_catalog_count(n->setup->catalog);
    size_t cap = n_slots ? n_slots : 1;
    memset(t, 0, sizeof *t);
    t->shipped = calloc(cap, sizeof *t->shipped);
    t->demand = calloc(cap, sizeof *t->demand);
    t->restocked = calloc(cap, sizeof *t->restocked);
    t->after = calloc(cap, sizeof *t->after);
    t->product_unstocked_demand = calloc(n_products ? n_products : 1, sizeof(int64_t));
    /* The ranked orders in a slice per thread, each summed on its own, then the slices
     * added up: the units are never negative, so a sum that saturates at INT64_MAX is the
     * same whatever the slices (min(a + b + c, MAX) in any grouping). */
    totals_ctx c = {n, NULL, eng_pool_threads(n->setup->pool)};
    if (c.n_slices == 0 || n->alloc->n_ranked < 4096)
        c.n_slices = 1;
    c.slices = calloc(c.n_slices, sizeof *c.slices);
    eng_rc rc = t->shipped && t->demand && t->restocked && t->after &&
                        t->product_unstocked_demand && c.slices
                    ? ENG_OK
                    : ENG_FAIL(err, ENG_NOMEM, "out of memory computing stock totals");
    if (rc == ENG_OK)
        rc = eng_pool_for(n->setup->pool, c.n_slices, sum_slice, &c, err);
    for (size_t i = 0; rc == ENG_OK && i < c.n_slices; i++) {
        for (size_t s = 0; s < n_slots; s++) {
            t->shipped[s] += c.slices[i].shipped[s];
            add_saturating(&t->demand[s], c.slices[i].demand[s]);
        }
        for (size_t p = 0; p < n_products; p++)
            add_saturating(&t->product_unstocked_demand[p], c.slices[i].unstocked[p]);
    }
    free_slices(c.slices, c.n_slices);
    if (rc != ENG_OK) {
        eng_alerts_totals_release(t);
        return rc;
    }
    /* Exchange replacements take stock like orders: their units are demand too. */
    for (size_t i = 0; n->returns && i < n->returns->n; i++) {
        const eng_return *r = &n->returns->items[i];
        if (r->status == ENG_RS_EXCHANGE_SHIPPED) {
            t->shipped[r->ship_slot] += r->qty;
            add_saturating(&t->demand[r->ship_slot], r->qty);
        } else if (r->status == ENG_RS_EXCHANGE_BACKORDERED && r->product >= 0) {
            size_t ns;
            const uint32_t *slots =
                eng_inventory_product_slots(n->setup->inventory, (uint32_t)r->product, &ns);
            add_saturating(ns ? &t->demand[slots[0]] : &t->product_unstocked_demand[r->product],
                           r->qty);
        }
    }
    if (n->alloc->restocked)
        memcpy(t->restocked, n->alloc->restocked, n_slots * sizeof *t->restocked);
    for (uint32_t s = 0; s < n_slots; s++) {
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, s);
        int64_t taken =
            n->alloc->initial_free[s] + t->restocked[s] - eng_stock_available(n->alloc->stock, s);
        t->after[s] = sl->on_hand - taken + t->restocked[s];
    }
    return ENG_OK;
}

void eng_alerts_totals_release(eng_slot_totals *t)
{
    free(t->shipped);
    free(t->demand);
    free(t->restocked);
    free(t->after);
    free(t->product_unstocked_demand);
    memset(t, 0, sizeof *t);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* suggested = max(reorder_qty, reorder_point + shortfall - on_hand), saturating. */
static int64_t suggest(int64_t reorder_qty, int64_t reorder_point, int64_t shortfall,
                       int64_t on_hand)
{
    int64_t s;
    if (__builtin_add_overflow(reorder_point, shortfall, &s))
        s = INT64_MAX;
    s = s - on_hand; /* on_hand >= 0 and s >= 0: cannot overflow */
    return max64(reorder_qty, s);
}

static int cmp_alert(const void *x, const void *y)
{
    const eng_alert *a = x, *b = y;
    int c = strcmp(a->sku, b->sku);
    return c ? c : strcmp(a->warehouse, b->warehouse);
}

eng_rc eng_alerts_compute(const eng_products *n, const eng_slot_totals *t, eng_alert **out,
                          size_t *n_out, eng_err *err)
{
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    size_t n_products = eng_catalog_count(n->setup->catalog);
    eng_alert *list = malloc((n_slots + n_products + 1) * sizeof *list);
    if (!list)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory computing alerts");
    size_t k = 0;
    for (uint32_t s = 0; s < n_slots; s++) {
        const eng_slot *sl = eng_inventory_slot(n->setup->inventory, s);
        int64_t allocatable = max64(0, sl->on_hand - sl->safety_stock);
        int64_t covered;
        if (__builtin_add_overflow(allocatable, t->restocked[s], &covered))
            covered = INT64_MAX;
        int64_t shortfall = max64(0, t->demand[s] - covered);
        int64_t after = t->after[s];
        eng_code code = ENG_CODE_NONE;
        if (shortfall > 0 || (after == 0 && t->demand[s] > 0))
            code = ENG_CODE_STOCKOUT;
        else if (after > 0 && after <= sl->reorder_point)
            code = ENG_CODE_LOW_STOCK;
        if (code == ENG_CODE_NONE)
            continue;
        eng_alert *a = &list[k++];
        a->sku = sl->sku;
        a->warehouse = eng_inventory_warehouse(n->setup->inventory, sl->wh_rank);
        a->on_hand = after;
        a->reorder_point = sl->reorder_point;
        a->demand = t->demand[s];
        a->shortfall = shortfall;
        a->suggested = suggest(sl->reorder_qty, sl->reorder_point, shortfall, after);
        a->code = code;
    }
    for (uint32_t p = 0; p < n_products; p++) {
        int64_t d = t->product_unstocked_demand[p];
        if (d == 0)
            continue;
        eng_alert *a = &list[k++];
        a->sku = eng_catalog_get(n->setup->catalog, p)->sku;
        a->warehouse = eng_inventory_warehouse(n->setup->inventory, 0);
        a->on_hand = 0;
        a->reorder_point = 0;
        a->demand = d;
        a->shortfall = d;
        a->suggested = d;
        a->code = ENG_CODE_STOCKOUT;
    }
    qsort(list, k, sizeof *list, cmp_alert);
    *out = list;
    *n_out = k;
    return ENG_OK;
}
