/* Allocation.
 *
 * The sequential model (SPEC): take valid orders in rank order; serve each line from the
 * first warehouse, in warehouse order, whose free units cover it whole (ship_complete: if
 * some line cannot be covered, the order reserves nothing and is backordered; partial:
 * an uncovered line takes what each warehouse has, in order, and the rest stays open).
 *
 * How threads reproduce it exactly. Let demand(p) be the units all valid orders ask of
 * product p, and w*(p) the first of p's slots (warehouse order) with free units > 0.
 *   - p is *uncontended* when demand(p) <= free(w*(p)). Then, in any order of execution,
 *     every line of p finds w*(p) covering it: earlier slots have 0 free (no line fits),
 *     and w*(p) always keeps at least demand(p) minus what other lines hold, which is at
 *     least this line's qty. So a line of p is served from w*(p) whatever else happens,
 *     in the sequential model too.
 *   - every other product is *contended*. Orders are linked when they share a contended
 *     product; each connected component (union-find over contended products) is handed
 *     to one task, which walks its orders in rank order. A contended counter is touched
 *     by one task only, in the same order as the sequential model, so it sees the same
 *     values; the order's uncontended lines always succeed, as above.
 *   - orders with no contended line always ship in full; they run in chunks on all
 *     threads with no ordering at all.
 * Hence each order's outcome equals the sequential one, and slip numbers, assigned
 * afterwards in rank order, are identical for any thread count.
 *
 * Memory ordering: the counters are relaxed atomics (stock.c says why that suffices).
 * Each task writes its orders' results into those orders only; eng_pool_for()'s return
 * orders all of them before the numbering pass reads them. */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#include "rank.h"

typedef struct alloc_ctx {
    eng_night *night;
    uint32_t *comp_orders; /* ranked indexes grouped by component */
    uint32_t *comp_start;  /* n_comps + 1 */
    size_t n_comps;
    uint32_t *free_orders; /* ranked indexes of uncontended orders */
    size_t n_free;
    size_t free_chunk;
    eng_arena **mem; /* per worker, for split lines */
} alloc_ctx;

const eng_part *eng_alloc_line_parts(const eng_line *ln)
{
    return ln->n_parts > 1 ? ln->parts : &ln->one;
}

static void undo_line(eng_stock *st, eng_line *ln)
{
    const eng_part *parts = eng_alloc_line_parts(ln);
    for (uint32_t k = 0; k < ln->n_parts; k++)
        eng_stock_release(st, parts[k].slot, parts[k].qty);
    ln->n_parts = 0;
    ln->shipped = 0;
}

/* Serve the line whole from the first slot that covers it. */
static int place_whole(const eng_night *n, eng_line *ln)
{
    size_t n_slots;
    const uint32_t *slots =
        eng_inventory_product_slots(n->inventory, (uint32_t)ln->product, &n_slots);
    for (size_t k = 0; k < n_slots; k++) {
        if (eng_stock_reserve(n->stock, slots[k], ln->qty) == ENG_OK) {
            ln->one.slot = slots[k];
            ln->one.qty = ln->qty;
            ln->n_parts = 1;
            ln->shipped = ln->qty;
            return 1;
        }
    }
    return 0;
}

/* Partial policy, after place_whole failed: what each slot has, in order. */
static eng_rc place_units(const eng_night *n, eng_line *ln, eng_arena *mem)
{
    size_t n_slots;
    const uint32_t *slots =
        eng_inventory_product_slots(n->inventory, (uint32_t)ln->product, &n_slots);
    eng_part tmp[64];
    eng_part *parts = n_slots <= 64 ? tmp : malloc(n_slots * sizeof *parts);
    if (!parts)
        return ENG_NOMEM;
    int64_t want = ln->qty;
    uint32_t k = 0;
    for (size_t s = 0; s < n_slots && want > 0; s++) {
        int64_t got = eng_stock_reserve_upto(n->stock, slots[s], want);
        if (got > 0) {
            parts[k].slot = slots[s];
            parts[k].qty = got;
            k++;
            want -= got;
        }
    }
    ln->shipped = ln->qty - want;
    ln->n_parts = k;
    eng_rc rc = ENG_OK;
    if (k == 1) {
        ln->one = parts[0];
    } else if (k > 1) {
        ln->parts = eng_arena_alloc(mem, k * sizeof *ln->parts, _Alignof(eng_part));
        if (ln->parts)
            memcpy(ln->parts, parts, k * sizeof *parts);
        else
            rc = ENG_NOMEM;
    }
    if (parts != tmp)
        free(parts);
    return rc;
}

static eng_rc allocate_order(const eng_night *n, eng_order *o, eng_arena *mem)
{
    int partial = n->policy.allocation == FMT_ALLOC_PARTIAL;
    int64_t shipped_units = 0, outstanding = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        eng_line *ln = &o->lines[i];
        outstanding += ln->qty;
        if (ln->qty == 0)
            continue; /* shipped on an earlier night */
        if (place_whole(n, ln)) {
            shipped_units += ln->shipped;
            continue;
        }
        if (!partial) {
            for (uint32_t k = 0; k < i; k++)
                undo_line(n->stock, &o->lines[k]);
            o->status = ENG_ST_BACKORDERED;
            return ENG_OK;
        }
        ENG_TRY(place_units(n, ln, mem));
        shipped_units += ln->shipped;
    }
    if (shipped_units == outstanding)
        o->status = ENG_ST_SHIPPED;
    else if (shipped_units == 0)
        o->status = ENG_ST_BACKORDERED;
    else
        o->status = ENG_ST_PARTIAL;
    return ENG_OK;
}

static eng_rc alloc_task(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    alloc_ctx *a = ctx;
    eng_night *n = a->night;
    eng_rc rc = ENG_OK;
    if (i < a->n_comps) {
        for (uint32_t k = a->comp_start[i]; k < a->comp_start[i + 1] && rc == ENG_OK; k++)
            rc = allocate_order(n, n->ranked[a->comp_orders[k]], a->mem[worker]);
    } else {
        size_t from = (i - a->n_comps) * a->free_chunk;
        size_t to = from + a->free_chunk < a->n_free ? from + a->free_chunk : a->n_free;
        for (size_t k = from; k < to && rc == ENG_OK; k++)
            rc = allocate_order(n, n->ranked[a->free_orders[k]], a->mem[worker]);
    }
    if (rc != ENG_OK)
        return ENG_FAIL(err, rc, "out of memory allocating stock");
    return ENG_OK;
}

/* ---- contention analysis ---- */

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    /* The smaller index becomes the root: components are then named the same way on
     * every run (it does not change results, only makes debugging repeatable). */
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

static void init_stock(eng_night *n)
{
    size_t n_slots = eng_inventory_count(n->inventory);
    for (uint32_t s = 0; s < n_slots; s++) {
        const eng_slot *sl = eng_inventory_slot(n->inventory, s);
        int64_t free_units = sl->on_hand - sl->safety_stock;
        if (free_units < 0)
            free_units = 0;
        n->initial_free[s] = free_units;
        eng_stock_init_slot(n->stock, s, free_units);
    }
}

/* Products whose demand does not fit their first stocked warehouse. */
static eng_rc find_contended(const eng_night *n, uint8_t *contended, eng_err *err)
{
    size_t n_products = eng_catalog_count(n->catalog);
    int64_t *demand = calloc(n_products ? n_products : 1, sizeof *demand);
    if (!demand)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    for (size_t r = 0; r < n->n_ranked; r++) {
        const eng_order *o = n->ranked[r];
        for (uint32_t i = 0; i < o->n_lines; i++) {
            if (o->lines[i].qty == 0)
                continue; /* shipped before, or not ours to ship: asks for nothing */
            int64_t *d = &demand[o->lines[i].product];
            if (__builtin_add_overflow(*d, o->lines[i].qty, d))
                *d = INT64_MAX;
        }
    }
    for (size_t p = 0; p < n_products; p++) {
        if (demand[p] == 0)
            continue;
        size_t n_slots;
        const uint32_t *slots = eng_inventory_product_slots(n->inventory, (uint32_t)p, &n_slots);
        /* Counters as they stand after returns and exchanges: what orders compete for. */
        int64_t first_free = 0;
        for (size_t k = 0; k < n_slots && first_free == 0; k++)
            first_free = eng_stock_available(n->stock, slots[k]);
        contended[p] = demand[p] > first_free;
    }
    free(demand);
    return ENG_OK;
}

/* Group contended orders into components; fills the ctx lists (caller frees). */
static eng_rc plan(eng_night *n, alloc_ctx *a, const uint8_t *contended, eng_err *err)
{
    size_t n_products = eng_catalog_count(n->catalog);
    uint32_t *parent = malloc((n_products ? n_products : 1) * sizeof *parent);
    uint32_t *comp_of_root = malloc((n_products ? n_products : 1) * sizeof *comp_of_root);
    uint32_t *order_comp = malloc((n->n_ranked ? n->n_ranked : 1) * sizeof *order_comp);
    uint32_t *free_orders = malloc((n->n_ranked ? n->n_ranked : 1) * sizeof *free_orders);
    if (!parent || !comp_of_root || !order_comp || !free_orders) {
        free(parent);
        free(comp_of_root);
        free(order_comp);
        free(free_orders);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    }
    for (uint32_t p = 0; p < n_products; p++) {
        parent[p] = p;
        comp_of_root[p] = UINT32_MAX;
    }
    for (size_t r = 0; r < n->n_ranked; r++) {
        eng_order *o = n->ranked[r];
        int64_t first = -1;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            uint32_t p = (uint32_t)o->lines[i].product;
            if (o->lines[i].qty == 0 || !contended[p])
                continue;
            if (first < 0)
                first = p;
            else
                uf_union(parent, (uint32_t)first, p);
        }
        if (first >= 0)
            o->flags |= ENG_ORD_CONTENDED;
    }
    /* Components numbered by their first order in rank order. */
    size_t n_comps = 0, n_free = 0;
    for (size_t r = 0; r < n->n_ranked; r++) {
        eng_order *o = n->ranked[r];
        if (!(o->flags & ENG_ORD_CONTENDED)) {
            free_orders[n_free++] = (uint32_t)r;
            order_comp[r] = UINT32_MAX;
            continue;
        }
        uint32_t root = 0;
        for (uint32_t i = 0; i < o->n_lines; i++)
            if (o->lines[i].qty > 0 && contended[o->lines[i].product]) {
                root = uf_find(parent, (uint32_t)o->lines[i].product);
                break;
            }
        if (comp_of_root[root] == UINT32_MAX)
            comp_of_root[root] = (uint32_t)n_comps++;
        order_comp[r] = comp_of_root[root];
    }
    uint32_t *comp_start = calloc(n_comps + 1, sizeof *comp_start);
    uint32_t *comp_orders = malloc((n->n_ranked - n_free + 1) * sizeof *comp_orders);
    if (!comp_start || !comp_orders) {
        free(comp_start);
        free(comp_orders);
        free(parent);
        free(comp_of_root);
        free(order_comp);
        free(free_orders);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    }
    for (size_t r = 0; r < n->n_ranked; r++)
        if (order_comp[r] != UINT32_MAX)
            comp_start[order_comp[r] + 1]++;
    for (size_t c = 0; c < n_comps; c++)
        comp_start[c + 1] += comp_start[c];
    uint32_t *fill = malloc((n_comps + 1) * sizeof *fill);
    if (fill) {
        memcpy(fill, comp_start, (n_comps + 1) * sizeof *fill);
        for (size_t r = 0; r < n->n_ranked; r++) /* rank order within each component */
            if (order_comp[r] != UINT32_MAX)
                comp_orders[fill[order_comp[r]]++] = (uint32_t)r;
    }
    free(fill);
    free(parent);
    free(comp_of_root);
    free(order_comp);
    a->comp_start = comp_start;
    a->comp_orders = comp_orders;
    a->n_comps = n_comps;
    a->free_orders = free_orders;
    a->n_free = n_free;
    if (!fill)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    return ENG_OK;
}

size_t eng_alloc_order_warehouses(const eng_night *n, const eng_order *o, uint32_t *ranks,
                                  size_t cap)
{
    size_t k = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        const eng_part *parts = eng_alloc_line_parts(ln);
        for (uint32_t j = 0; j < ln->n_parts; j++) {
            uint32_t r = eng_inventory_slot(n->inventory, parts[j].slot)->wh_rank;
            size_t at = 0;
            while (at < k && ranks[at] < r)
                at++;
            if (at < k && ranks[at] == r)
                continue;
            if (k == cap)
                continue; /* cap is the warehouse count: cannot happen */
            memmove(ranks + at + 1, ranks + at, (k - at) * sizeof *ranks);
            ranks[at] = r;
            k++;
        }
    }
    return k;
}

/* Slip numbers in rank order; status-row figures for shipped orders. */
static eng_rc number_slips(eng_night *n, eng_err *err)
{
    size_t n_wh = eng_inventory_warehouse_count(n->inventory);
    uint32_t *ranks = malloc((n_wh ? n_wh : 1) * sizeof *ranks);
    if (!ranks)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory numbering slips");
    uint64_t next = n->n_exchange_slips + 1; /* exchange replacements come first */
    for (size_t r = 0; r < n->n_ranked; r++) {
        eng_order *o = n->ranked[r];
        /* SPEC: INSUFFICIENT_STOCK is the status code of an order left open. */
        if (o->status == ENG_ST_BACKORDERED || o->status == ENG_ST_PARTIAL)
            o->code = ENG_CODE_INSUFFICIENT_STOCK;
        if (o->status != ENG_ST_SHIPPED && o->status != ENG_ST_PARTIAL)
            continue;
        o->n_slips = (uint32_t)eng_alloc_order_warehouses(n, o, ranks, n_wh);
        o->first_slip = next;
        next += o->n_slips;
        o->lines_out = 0;
        o->units = 0;
        o->amount_minor = 0;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            const eng_line *ln = &o->lines[i];
            if (ln->shipped == 0)
                continue;
            o->lines_out++;
            o->units += ln->shipped;
            o->amount_minor +=
                eng_line_amount(ln, ln->before + ln->shipped) - eng_line_amount(ln, ln->before);
        }
    }
    n->n_slips = next - 1 - n->n_exchange_slips;
    free(ranks);
    return ENG_OK;
}

eng_rc eng_alloc_prepare(eng_night *n, eng_err *err)
{
    size_t n_slots = eng_inventory_count(n->inventory);
    n->initial_free = calloc(n_slots ? n_slots : 1, sizeof *n->initial_free);
    n->restocked = calloc(n_slots ? n_slots : 1, sizeof *n->restocked);
    if (!n->initial_free || !n->restocked)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    ENG_TRY(eng_stock_new(n_slots, &n->stock, err));
    init_stock(n);
    return ENG_OK;
}

eng_rc eng_alloc_run(eng_night *n, eng_pool *pool, eng_err *err)
{
    n->ranked = malloc((n->n_orders ? n->n_orders : 1) * sizeof *n->ranked);
    if (!n->ranked)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    n->n_ranked = 0;
    for (size_t i = 0; i < n->n_orders; i++)
        if (n->orders[i]->status == ENG_ST_BACKORDERED) /* valid, not yet allocated */
            n->ranked[n->n_ranked++] = n->orders[i];
    eng_rank_sort(n->ranked, n->n_ranked);

    size_t n_products = eng_catalog_count(n->catalog);
    uint8_t *contended = calloc(n_products ? n_products : 1, 1);
    if (!contended)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    alloc_ctx a;
    memset(&a, 0, sizeof a);
    a.night = n;
    eng_rc rc = find_contended(n, contended, err);
    if (rc == ENG_OK)
        rc = plan(n, &a, contended, err);
    free(contended);
    unsigned n_workers = eng_pool_threads(pool);
    if (rc == ENG_OK) {
        n->alloc_mem = calloc(n_workers, sizeof *n->alloc_mem);
        if (!n->alloc_mem)
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
        else
            n->n_alloc_mem = n_workers;
        for (unsigned w = 0; rc == ENG_OK && w < n_workers; w++)
            if (!(n->alloc_mem[w] = eng_arena_new(1u << 16)))
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    }
    if (rc == ENG_OK) {
        a.mem = n->alloc_mem;
        a.free_chunk = 4096;
        size_t n_free_tasks = (a.n_free + a.free_chunk - 1) / a.free_chunk;
        rc = eng_pool_for(pool, a.n_comps + n_free_tasks, alloc_task, &a, err);
    }
    free(a.comp_start);
    free(a.comp_orders);
    free(a.free_orders);
    if (rc == ENG_OK)
        rc = number_slips(n, err);
    return rc;
}
