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
 *     in the sequential model too. This holds even while lines of orders that will be
 *     backordered still hold their units, since demand(p) counts them as well.
 *   - every other product is *contended*. A slot belongs to one product, so contended and
 *     uncontended counters are disjoint.
 * The run is then:
 *   1. rank (parallel, one run per partition of the book, then a merge): the valid
 *      orders in rank order, and demand(p) on the way, which picks the contended SKUs.
 *   2. extract (parallel, any order): every uncontended line is served from w*(p) at
 *      once. An order with no contended line is then complete (its status follows from
 *      its lines alone) and is settled here; the others are flagged ENG_ORD_CONTENDED.
 *   3. walk (one thread, rank order): the contended lines of the flagged orders, under
 *      the policy. This is the sequential model restricted to the contended counters,
 *      and the uncontended lines it skips always succeed in that model, so each
 *      contended counter sees the same values and each contended line gets the same
 *      result. A ship_complete order with a line that does not fit gives back every
 *      line it holds, contended or not, before any later order runs, as in the model.
 *      Each flagged order is settled as soon as its lines are done, and every order
 *      gets its slip numbers, in rank order.
 * Hence each order's outcome and slip numbers equal the sequential ones, for any
 * number of threads.
 *
 * Under routes, channel lists, split, reserves or caps (issue 14, route.h, share.h) each
 * order tries its own list of warehouses and weighs its lines together, so the unit is
 * the order: a product is uncontended only when *abundant* (find_contended), and an
 * order of abundant products alone is walked on any thread during extract (every line
 * fits wherever it looks, so its own list and split decide); every other order is walked
 * whole in rank order (walk_routed_order), what of its turn does not depend on the stock
 * (its list, routing.csv's notes before it, NO_ALLOWED_WAREHOUSE, its reserve channel)
 * worked out during extract on all threads (prepare_routed). Under shortage_rule =
 * proportional those orders share in rounds instead (fair.h); the min_fill keys then
 * hold back shipments below them and give the units to a last pass (min_fill_pass).
 *
 * Why the walk is serial and not split by connected components of the "shares a
 * contended product" graph, as before: on the 1M-line bench night one component held
 * 286,497 of the 332,493 valid orders, so components bought no parallelism, while
 * planning them cost three more passes over every order. The walk prefetches the
 * records ahead of it; what needs no rank order runs on all threads.
 *
 * Scratch memory is kept small on purpose: on the 2-core VM the first touch of a page
 * costs 11-16 us (heap.h), so a buffer of 24 bytes per order costs about as much as one more
 * cache miss per order, and a night's keys at once (40 MB at 5M lines) were the peak of
 * the run. Hence keys per partition, sorted in place and dropped once the partition's run
 * is written, and no list of contended lines.
 *
 * Memory ordering: the counters are relaxed atomics (stock.c says why that suffices).
 * Each task writes only its own partition's run, its worker's demand row, or its own
 * chunk's orders and lines; eng_pool_for()'s return orders those writes before the merge
 * and the walk read them. */
#include "alloc.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/heap.h"
#include "../base/kmerge.h"
#include "../base/text.h"
#include "../base/warn.h"
#include "../intake/history.h"
#include "rank.h"
#include "route.h"
#include "explain.h"
#include "fair.h"
#include "share.h"

/* Ranked orders per task in the parallel passes: enough tasks to even out threads on a
 * busy machine, few enough that the pool's lock is not the cost. */
#define CHUNK 4096

/* How many orders ahead the walk asks for order records (and half as far for their
 * lines): the misses then overlap instead of being waited for one at a time. */
#define AHEAD 16

typedef struct alloc_ctx {
    const eng_setup *setup;
    eng_book *book;
    const eng_history *history;
    eng_allocation *al;
    size_t n_products;
    /* ranking: each partition's valid orders in rank order (a run), then merged */
    eng_order **runs; /* book->n_orders places; partition p's run starts at run_at[p] */
    size_t run_at[ENG_PARTS];
    size_t run_len[ENG_PARTS];
    unsigned n_workers;
    int64_t *demand; /* a row of n_products per worker; row 0 ends as the total */
    /* under routes, a row of n_slots per worker (row 0 the total): the units of every
     * line whose order lists the slot's warehouse, all it could ever be asked */
    int64_t *slot_demand;
    size_t n_slots;
    int64_t cutoff_ns; /* later orders wait for tomorrow (policy cutoff); INT64_MAX: none */
    /* passes over al->ranked, CHUNK orders per task */
    const uint8_t *contended;
    size_t n_chunks;
    /* the serial walk under reserves and caps: who the current order takes stock as */
    eng_shares *shares;
    int who;
} alloc_ctx;

const eng_part *eng_alloc_line_parts(const eng_line *ln, eng_part *one)
{
    if (ln->n_parts > 1)
        return eng_line_parts(ln);
    one->slot = eng_line_one_slot(ln);
    one->qty = eng_line_shipped(ln);
    return one;
}

static void undo_line(eng_stock *st, eng_line *ln)
{
    eng_part one;
    const eng_part *parts = eng_alloc_line_parts(ln, &one);
    for (uint32_t k = 0; k < ln->n_parts; k++)
        eng_stock_release(st, parts[k].slot, parts[k].qty);
    ln->n_parts = 0;
    eng_line_set(ln, ENG_LQ_SHIPPED, 0);
}

/* Serve the line whole from the first of slots[0..n) that covers it (under reserves and
 * caps, that the current order's channel may take whole). */
static int place_whole_in(const alloc_ctx *a, eng_line *ln, const uint32_t *slots, size_t n)
{
    int64_t qty = eng_line_qty(ln);
    for (size_t k = 0; k < n; k++) {
        if (a->shares &&
            eng_shares_room(a->shares, a->al->stock, slots[k], (uint32_t)ln->product, a->who) < qty)
            continue;
        if (eng_stock_reserve(a->al->stock, slots[k], qty) == ENG_OK) {
            if (a->shares)
                eng_shares_take(a->shares, slots[k], (uint32_t)ln->product, a->who, qty);
            eng_line_set_one_slot(ln, slots[k]);
            ln->n_parts = 1;
            eng_line_set(ln, ENG_LQ_SHIPPED, eng_line_qty(ln));
            return 1;
        }
    }
    return 0;
}

/* The warehouses one order ships from so far, under split = line with max_split: a new
 * one may be taken while fewer than cap are. */
typedef struct split_cap {
    uint8_t *used;  /* by warehouse rank */
    uint32_t *list; /* the ranks used, n_used of them */
    size_t n_used, cap;
} split_cap;

static int cap_allows(const split_cap *sc, uint32_t rank)
{
    return !sc || sc->used[rank] || sc->n_used < sc->cap;
}

static void cap_take(split_cap *sc, uint32_t rank)
{
    if (sc && !sc->used[rank]) {
        assert(sc->n_used < sc->cap);
        sc->used[rank] = 1;
        sc->list[sc->n_used++] = rank;
    }
}

static void cap_reset(split_cap *sc)
{
    for (size_t i = 0; i < sc->n_used; i++)
        sc->used[sc->list[i]] = 0;
    sc->n_used = 0;
}

/* Partial policy, after place_whole_in failed: what each of slots[0..n) has, in order
 * (with sc, only from the warehouses it allows, as they are taken). */
static eng_rc place_units_in(const alloc_ctx *a, eng_line *ln, const uint32_t *slots, size_t n,
                             split_cap *sc, eng_arena *mem)
{
    const eng_inventory *inv = a->setup->inventory;
    eng_part tmp[64];
    eng_part *parts = n <= 64 ? tmp : malloc(n * sizeof *parts);
    if (!parts)
        return ENG_NOMEM;
    int64_t want = eng_line_qty(ln);
    uint32_t k = 0;
    for (size_t s = 0; s < n && want > 0; s++) {
        uint32_t rank = eng_inventory_slot(inv, slots[s])->wh_rank;
        if (!cap_allows(sc, rank))
            continue;
        int64_t upto = want;
        if (a->shares) {
            int64_t room =
                eng_shares_room(a->shares, a->al->stock, slots[s], (uint32_t)ln->product, a->who);
            upto = room < want ? room : want;
            if (upto == 0)
                continue;
        }
        int64_t got = eng_stock_reserve_upto(a->al->stock, slots[s], upto);
        if (got > 0) {
            if (a->shares)
                eng_shares_take(a->shares, slots[s], (uint32_t)ln->product, a->who, got);
            cap_take(sc, rank);
            parts[k].slot = slots[s];
            parts[k].qty = got;
            k++;
            want -= got;
        }
    }
    eng_line_set(ln, ENG_LQ_SHIPPED, eng_line_qty(ln) - want);
    ln->n_parts = k;
    eng_rc rc = ENG_OK;
    if (k == 1) {
        eng_line_set_one_slot(ln, parts[0].slot); /* its qty is the line's shipped */
    } else if (k > 1) {
        eng_part *kept = eng_arena_alloc(mem, k * sizeof *kept, _Alignof(eng_part));
        eng_line_set_parts(ln, kept);
        if (kept) {
            memcpy(kept, parts, k * sizeof *parts);
        } else {
            ln->n_parts = 0; /* the run stops; nothing may read a list that is not there */
            rc = ENG_NOMEM;
        }
    }
    if (parts != tmp)
        free(parts);
    return rc;
}

/* The line's product's slots in warehouse order (without routes). */
static const uint32_t *product_slots(const alloc_ctx *a, const eng_line *ln, size_t *n)
{
    return eng_inventory_product_slots(a->setup->inventory, (uint32_t)ln->product, n);
}

static int place_whole(const alloc_ctx *a, eng_line *ln)
{
    size_t n;
    const uint32_t *slots = product_slots(a, ln, &n);
    return place_whole_in(a, ln, slots, n);
}

static eng_rc place_units(const alloc_ctx *a, eng_line *ln, eng_arena *mem)
{
    size_t n;
    const uint32_t *slots = product_slots(a, ln, &n);
    return place_units_in(a, ln, slots, n, NULL, mem);
}

/* The product's slots in the order's warehouses (ranks[0..n)), in that order, into out. */
static size_t routed_slots(const alloc_ctx *a, uint32_t product, const uint32_t *ranks, size_t n,
                           uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t s = eng_routes_slot(a->al->routes, product, ranks[i]);
        if (s >= 0)
            out[k++] = (uint32_t)s;
    }
    return k;
}

/* The product's slots in warehouses ranks[0..n), in that order, placed whole: the line goes
 * to the first of them that covers it (split = line, and each member of a tried set). */
static int place_whole_among(const alloc_ctx *a, eng_line *ln, const uint32_t *ranks, size_t n,
                             uint32_t *slots)
{
    return place_whole_in(a, ln, slots, routed_slots(a, (uint32_t)ln->product, ranks, n, slots));
}

/* The order gives back everything it holds, and its takes of reserves and caps. */
static void undo_order(const alloc_ctx *a, eng_order *o)
{
    for (uint32_t k = 0; k < o->n_lines; k++)
        undo_line(a->al->stock, &o->lines[k]);
    if (a->shares)
        eng_shares_undo(a->shares);
}

/* split = fewest: sets of k of the order's n warehouses (positions in its list), k = 1 up
 * to cap, each k in lexicographic order of positions, each line placed whole in the first
 * member that covers it; the first set that places every line keeps what it placed.
 * Returns whether one did; at most FMT_SPLIT_MAX_SETS sets are tried. The walk is serial,
 * so a set is tried by reserving for real and given back when it fails. */
static int ship_from_fewest(const alloc_ctx *a, eng_order *o, const uint32_t *ranks, size_t n,
                            size_t cap, uint32_t *slots)
{
    uint32_t pos[64], members[64];
    size_t tried = 0;
    if (cap > 64)
        cap = 64; /* beyond 64 positions the set count passes FMT_SPLIT_MAX_SETS anyway */
    for (size_t k = 1; k <= cap; k++) {
        for (size_t i = 0; i < k; i++)
            pos[i] = (uint32_t)i;
        for (;;) {
            if (tried++ == FMT_SPLIT_MAX_SETS)
                return 0;
            for (size_t i = 0; i < k; i++)
                members[i] = ranks[pos[i]];
            uint32_t placed = 0;
            while (placed < o->n_lines &&
                   (eng_line_qty(&o->lines[placed]) == 0 ||
                    place_whole_among(a, &o->lines[placed], members, k, slots)))
                placed++;
            if (placed == o->n_lines)
                return 1;
            undo_order(a, o);
            /* next set of k positions in lexicographic order */
            size_t i = k;
            while (i > 0 && pos[i - 1] == n - k + i - 1)
                i--;
            if (i == 0)
                break;
            pos[i - 1]++;
            for (size_t j = i; j < k; j++)
                pos[j] = pos[j - 1] + 1;
        }
    }
    return 0;
}

/* Under routes, channel lists or split (fmt_policy_sources_per_order), one order in rank
 * order. An order with a line whose SKU has an inventory row but none in its warehouses
 * is NO_ALLOWED_WAREHOUSE (decided before anything is placed, so the code does not depend
 * on which line failed first); under ship_complete it places nothing. split = line takes
 * each line from the first of its warehouses that covers it, a new warehouse only while
 * the order uses fewer than max_split. split = fewest or single ships the order whole
 * from the fewest warehouses it can; when no set does, ship_complete leaves it open and
 * partial falls back to split = line within the first max_split warehouses of its list. */
/* What an order's turn needs that does not depend on the stock: its warehouse list into
 * ranks (returns its length), routing.csv's notes before its turn, and whether it is
 * NO_ALLOWED_WAREHOUSE. Any thread may work it out; extract does for the orders the serial
 * walk will take, so that the walk only reads it back (prepared). */
static size_t prepare_routed(const alloc_ctx *a, eng_order *o, uint32_t *ranks, eng_routing *why)
{
    const fmt_wh_rule *route;
    size_t n = eng_routes_of(a->al->routes, o->head, ranks, &route);
    eng_explain_before(a->setup->inventory, a->al->routes, ranks, n, route, why->notes, why);
    if (eng_routes_order_lacks(a->al->routes, a->setup->inventory, o, ranks, n))
        o->flags |= ENG_ORD_NO_ALLOWED;
    why->who =
        a->shares ? eng_shares_channel(a->shares, eng_head_text(o->head, ENG_HT_CHANNEL)) : -1;
    return n;
}

static eng_rc walk_routed_order(alloc_ctx *a, eng_order *o, uint32_t *ranks, uint32_t *slots,
                                split_cap *sc, eng_routing *why, int prepared, eng_arena *mem)
{
    const eng_inventory *inv = a->setup->inventory;
    const fmt_policy *pol = &a->setup->policy;
    size_t n = why->n_listed;
    if (prepared) {
        for (size_t p = 0; p < n; p++)
            ranks[p] = why->notes[p].rank; /* eng_explain_before keeps the list first */
    } else {
        n = prepare_routed(a, o, ranks, why);
    }
    int partial = pol->allocation == FMT_ALLOC_PARTIAL;
    if (a->shares) {
        a->who = why->who;
        eng_shares_begin(a->shares);
    }
    if ((o->flags & ENG_ORD_NO_ALLOWED) && !partial)
        return ENG_OK;
    size_t cap = fmt_policy_split_cap(pol, n);
    split_cap *line_cap = NULL;
    if (pol->split != FMT_SPLIT_LINE) {
        if (!(o->flags & ENG_ORD_NO_ALLOWED) && ship_from_fewest(a, o, ranks, n, cap, slots))
            return ENG_OK;
        if (!partial)
            return ENG_OK;
        n = cap;
    } else if (cap < n) {
        line_cap = sc;
        line_cap->cap = cap;
    }
    eng_rc rc = ENG_OK;
    for (uint32_t i = 0; i < o->n_lines && rc == ENG_OK; i++) {
        eng_line *ln = &o->lines[i];
        if (eng_line_qty(ln) == 0)
            continue;
        size_t n_slots = 0;
        for (size_t w = 0; w < n; w++) {
            int64_t s = cap_allows(line_cap, ranks[w])
                            ? eng_routes_slot(a->al->routes, (uint32_t)ln->product, ranks[w])
                            : -1;
            if (s >= 0)
                slots[n_slots++] = (uint32_t)s;
        }
        if (place_whole_in(a, ln, slots, n_slots)) {
            cap_take(line_cap, eng_inventory_slot(inv, eng_line_one_slot(ln))->wh_rank);
            continue;
        }
        if (partial) {
            /* which warehouses the cap leaves open changes as the units are taken */
            n_slots = routed_slots(a, (uint32_t)ln->product, ranks, n, slots);
            rc = place_units_in(a, ln, slots, n_slots, line_cap, mem);
            continue;
        }
        undo_order(a, o);
        break;
    }
    if (line_cap)
        cap_reset(line_cap);
    return rc;
}

/* ---- reading ahead ---- */

static void prefetch_order(const eng_order *o)
{
    __builtin_prefetch(o, 1);
    __builtin_prefetch((const char *)o + sizeof *o - 1, 1);
}

static void prefetch_lines(const eng_order *o)
{
    for (uint32_t i = 0; i < o->n_lines && i < 8; i++) {
        __builtin_prefetch(&o->lines[i], 1);
        __builtin_prefetch((const char *)&o->lines[i] + sizeof o->lines[i] - 1, 1);
    }
}

/* Ask for the records a loop over list[0, n) will need at index i + AHEAD (the order)
 * and i + AHEAD / 2 (its lines; with only_flagged, only an ENG_ORD_CONTENDED order's). */
static void prefetch_ahead(eng_order *const *list, size_t i, size_t n, int only_flagged)
{
    if (i + AHEAD < n)
        prefetch_order(list[i + AHEAD]);
    if (i + AHEAD / 2 < n && (!only_flagged || (list[i + AHEAD / 2]->flags & ENG_ORD_CONTENDED)))
        prefetch_lines(list[i + AHEAD / 2]);
}

/* ---- ranking and demand ---- */

/* One partition: its valid orders sorted by rank into its run, and the units they ask
 * per product added to the worker's row of demand. A partition's orders are in id order
 * (the book sorted them) and hold every order of their ids, so the index of the first of
 * equal ids is a valid id place (rank.h). */
static eng_rc rank_task(void *ctx, size_t p, unsigned worker, eng_err *err)
{
    alloc_ctx *a = ctx;
    eng_partition *part = &a->book->parts[p];
    size_t n = part->n_orders;
    a->run_len[p] = 0;
    if (n == 0)
        return ENG_OK;
    eng_order **list = malloc(n * sizeof *list);
    eng_rank_key *keys = malloc(n * sizeof *keys);
    if (!list || !keys) {
        free(list);
        free(keys);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    }
    int64_t *demand = a->demand + (size_t)worker * a->n_products;
    int64_t *slot_demand = a->slot_demand ? a->slot_demand + (size_t)worker * a->n_slots : NULL;
    size_t n_wh = eng_inventory_warehouse_count(a->setup->inventory);
    uint32_t *ranks = slot_demand ? malloc((n_wh ? n_wh : 1) * sizeof *ranks) : NULL;
    if (slot_demand && !ranks) {
        free(list);
        free(keys);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    }
    size_t place = 0, k = 0;
    for (size_t j = 0; j < n; j++) {
        eng_order *o = &part->orders[j];
        list[j] = o;
        if (j + AHEAD < n) {
            __builtin_prefetch(part->orders[j + AHEAD].head); /* its time and priority */
            prefetch_lines(&part->orders[j + AHEAD]);
        }
        if (j > 0 && eng_order_cmp_id(&part->orders[j - 1], o) != 0)
            place = j;
        if (o->status != ENG_ST_BACKORDERED) /* valid, not yet allocated */
            continue;
        if (eng_order_time_ns(o) > a->cutoff_ns) {
            /* Ordered after tonight's cut-off: it waits for tomorrow's run, open and
             * unranked, so it reserves nothing and is no alert demand. */
            o->code = ENG_CODE_AFTER_CUTOFF;
            continue;
        }
        eng_rank_key_set(&keys[k++], o, (uint32_t)place, (uint32_t)j);
        size_t n_ranks = slot_demand ? eng_routes_of(a->al->routes, o->head, ranks, NULL) : 0;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            int64_t qty = eng_line_qty(&o->lines[i]);
            if (qty == 0)
                continue; /* shipped before, or not ours to ship: asks for nothing */
            int64_t *d = &demand[o->lines[i].product];
            if (__builtin_add_overflow(*d, qty, d))
                *d = INT64_MAX;
            for (size_t w = 0; w < n_ranks; w++) {
                int64_t s = eng_routes_slot(a->al->routes, (uint32_t)o->lines[i].product, ranks[w]);
                if (s >= 0 && __builtin_add_overflow(slot_demand[s], qty, &slot_demand[s]))
                    slot_demand[s] = INT64_MAX;
            }
        }
    }
    free(ranks);
    eng_rank_sort_keys(keys, k, list);
    eng_order **run = a->runs + a->run_at[p];
    for (size_t i = 0; i < k; i++)
        run[i] = list[keys[i].pos];
    a->run_len[p] = k;
    free(keys);
    free(list);
    return ENG_OK;
}

/* The partitions' runs as the runs of one merge (base/kmerge): keyed by (priority,
 * time), orders that tie on both compared whole. */
static const void *run_order(const void *ctx, size_t r, size_t i)
{
    const alloc_ctx *a = ctx;
    return a->runs[a->run_at[r] + i];
}

static void rank_merge_key(const void *elem, uint64_t key[2])
{
    eng_rank_key k;
    eng_rank_key_set(&k, elem, 0, 0);
    key[0] = k.prio;
    key[1] = k.time;
}

static int rank_merge_cmp(const void *x, const void *y)
{
    return eng_rank_cmp(x, y);
}

static void rank_merge_ahead(const void *next, const void *after)
{
    __builtin_prefetch(((const eng_order *)next)->head);
    if (after)
        __builtin_prefetch(after);
}

/* Merge the runs into the allocation's ranked list; add the workers' demand rows into
 * row 0 (saturating sums of non-negative terms do not depend on the order of the terms). */
static eng_rc merge_runs(alloc_ctx *a, eng_pool *pool, eng_err *err)
{
    eng_allocation *n = a->al;
    eng_kmerge merge = {ENG_PARTS,      a->run_len,      a, run_order, rank_merge_key,
                        rank_merge_cmp, rank_merge_ahead};
    ENG_TRY(eng_kmerge_run(pool, &merge, n->ranked, err));
    n->n_ranked = 0;
    for (size_t r = 0; r < ENG_PARTS; r++)
        n->n_ranked += a->run_len[r];
    for (size_t w = 1; w < a->n_workers; w++) {
        const int64_t *row = a->demand + w * a->n_products;
        for (size_t p = 0; p < a->n_products; p++)
            if (__builtin_add_overflow(a->demand[p], row[p], &a->demand[p]))
                a->demand[p] = INT64_MAX;
        const int64_t *srow = a->slot_demand ? a->slot_demand + w * a->n_slots : NULL;
        for (size_t s = 0; srow && s < a->n_slots; s++)
            if (__builtin_add_overflow(a->slot_demand[s], srow[s], &a->slot_demand[s]))
                a->slot_demand[s] = INT64_MAX;
    }
    return ENG_OK;
}

/* Products whose demand does not fit their first stocked warehouse. Under routes (and
 * split, reserves, caps) orders of one SKU try different warehouses, so a SKU is left to
 * the serial walk unless it is *abundant*: no cap names it, and every one of its slots has
 * free, beyond what reserves keep, all the units of the lines whose orders list that
 * warehouse (slot_demand), everything it could ever be asked. Then every line of it fits
 * wherever it looks, whatever other orders did before, so an order of abundant SKUs alone
 * gets the same warehouses in any order of execution: its own list and split decide. */
static void find_contended(const alloc_ctx *a, uint8_t *contended)
{
    const eng_inventory *inv = a->setup->inventory;
    for (size_t p = 0; p < a->n_products; p++) {
        if (a->demand[p] == 0)
            continue;
        size_t n_slots;
        const uint32_t *slots = eng_inventory_product_slots(inv, (uint32_t)p, &n_slots);
        if (a->al->routes) {
            int abundant = !(a->shares && eng_shares_capped(a->shares, (uint32_t)p));
            for (size_t k = 0; k < n_slots && abundant; k++) {
                int64_t kept = a->shares ? eng_shares_kept(a->shares, slots[k]) : 0;
                abundant =
                    eng_stock_available(a->al->stock, slots[k]) - kept >= a->slot_demand[slots[k]];
            }
            contended[p] = !abundant;
            continue;
        }
        /* Counters as they stand after returns and exchanges: what orders compete for. */
        int64_t first_free = 0;
        for (size_t k = 0; k < n_slots && first_free == 0; k++)
            first_free = eng_stock_available(a->al->stock, slots[k]);
        contended[p] = a->demand[p] > first_free;
    }
}

static eng_rc rank_and_plan(alloc_ctx *a, eng_pool *pool, uint8_t *contended, eng_err *err)
{
    const eng_book *n = a->book;
    if (n->n_orders > UINT32_MAX)
        return ENG_FAIL(err, ENG_NOMEM, "too many orders to rank (%zu)", n->n_orders);
    /* A run's places are its partition's orders, valid or not: no count is needed first. */
    for (size_t p = 0, at = 0; p < ENG_PARTS; p++) {
        a->run_at[p] = at;
        at += n->parts[p].n_orders;
    }
    a->runs = malloc((n->n_orders ? n->n_orders : 1) * sizeof *a->runs);
    a->demand = calloc(a->n_workers * (a->n_products ? a->n_products : 1), sizeof *a->demand);
    a->n_slots = eng_inventory_count(a->setup->inventory);
    if (a->al->routes)
        a->slot_demand =
            calloc(a->n_workers * (a->n_slots ? a->n_slots : 1), sizeof *a->slot_demand);
    eng_rc rc = ENG_OK;
    if (!a->runs || !a->demand || (a->al->routes && !a->slot_demand))
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    if (rc == ENG_OK)
        rc = eng_pool_for(pool, ENG_PARTS, rank_task, a, err);
    if (rc == ENG_OK)
        rc = merge_runs(a, pool, err);
    if (rc == ENG_OK)
        find_contended(a, contended);
    free(a->runs);
    free(a->demand);
    free(a->slot_demand);
    return rc;
}

/* ---- settling an order ---- */

size_t eng_alloc_order_warehouses(const eng_inventory *inv, const eng_order *o, uint32_t *ranks,
                                  size_t cap)
{
    size_t k = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        eng_part one;
        const eng_part *parts = eng_alloc_line_parts(ln, &one);
        for (uint32_t j = 0; j < ln->n_parts; j++) {
            uint32_t r = eng_inventory_slot(inv, parts[j].slot)->wh_rank;
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

/* Status and status-row figures of an order whose lines hold their results; returns
 * the slips it needs. (An order after the cut-off is never ranked: rank_task leaves it
 * BACKORDERED with AFTER_CUTOFF and its figures as ordered.) */
static uint32_t settle_order(const eng_inventory *inv, eng_order *o, uint32_t *ranks, size_t n_wh)
{
    int64_t shipped_units = 0, outstanding = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        outstanding += eng_line_qty(&o->lines[i]);
        shipped_units += eng_line_shipped(&o->lines[i]);
    }
    if (shipped_units == outstanding)
        o->status = ENG_ST_SHIPPED;
    else if (shipped_units == 0)
        o->status = ENG_ST_BACKORDERED;
    else
        o->status = ENG_ST_PARTIAL;
    /* SPEC: INSUFFICIENT_STOCK is the status code of an order left open; under routes
     * NO_ALLOWED_WAREHOUSE for one with a SKU its warehouses lack (walk_routed_order). */
    if (o->status == ENG_ST_BACKORDERED || o->status == ENG_ST_PARTIAL)
        o->code = (o->flags & ENG_ORD_NO_ALLOWED) ? ENG_CODE_NO_ALLOWED_WAREHOUSE
                                                  : ENG_CODE_INSUFFICIENT_STOCK;
    else
        o->code = ENG_CODE_NONE; /* shipped whole on a second pass (reserve_release) */
    if (o->status != ENG_ST_SHIPPED && o->status != ENG_ST_PARTIAL) {
        o->n_slips = 0; /* it may have shipped in part before a min_fill held it */
        return 0;
    }
    o->n_slips = (uint32_t)eng_alloc_order_warehouses(inv, o, ranks, n_wh);
    o->lines_out = 0;
    o->units = 0;
    o->amount_minor = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        int64_t shipped = eng_line_shipped(ln), before = eng_line_before(ln);
        if (shipped == 0)
            continue;
        o->lines_out++;
        o->units += shipped;
        o->amount_minor += eng_line_amount(ln, before + shipped) - eng_line_amount(ln, before);
    }
    return o->n_slips;
}

/* ---- 1. extract ---- */

static size_t chunk_end(const alloc_ctx *a, size_t c)
{
    size_t to = (c + 1) * CHUNK;
    return to < a->al->n_ranked ? to : a->al->n_ranked;
}

/* Under routes, an order of abundant SKUs only (find_contended) walked on this worker:
 * with a copy of the context that takes no reserves or caps (they never bind such a SKU,
 * and their counters belong to the serial walk). */
static eng_rc extract_routed(const alloc_ctx *a, eng_order *o, size_t r, uint32_t *route_ranks,
                             uint32_t *route_slots, split_cap *sc, uint32_t *ranks, size_t n_wh)
{
    alloc_ctx local = *a;
    local.shares = NULL;
    local.who = -1;
    eng_routing *why = &a->al->routing[r];
    ENG_TRY(walk_routed_order(&local, o, route_ranks, route_slots, sc, why, 0, NULL));
    settle_order(a->setup->inventory, o, ranks, n_wh);
    eng_explain_after(a->setup->inventory, a->al->routes, a->al->stock, NULL, -1, &a->setup->policy,
                      o, why);
    return ENG_OK;
}

static eng_rc extract_task(void *ctx, size_t c, unsigned worker, eng_err *err)
{
    (void)worker;
    alloc_ctx *a = ctx;
    const eng_allocation *n = a->al;
    const eng_inventory *inv = a->setup->inventory;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    size_t room = n_wh ? n_wh : 1;
    uint32_t *ranks = malloc(room * sizeof *ranks);
    uint32_t *route_ranks = n->routes ? malloc(room * sizeof *route_ranks) : NULL;
    uint32_t *route_slots = n->routes ? malloc(room * sizeof *route_slots) : NULL;
    split_cap sc = {n->routes ? calloc(room, 1) : NULL,
                    n->routes ? malloc(room * sizeof *sc.list) : NULL, 0, 0};
    eng_rc rc = ENG_OK;
    if (!ranks || (n->routes && (!route_ranks || !route_slots || !sc.used || !sc.list)))
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    size_t to = chunk_end(a, c);
    for (size_t r = c * CHUNK; r < to && rc == ENG_OK; r++) {
        prefetch_ahead(n->ranked, r, to, 0);
        eng_order *o = n->ranked[r];
        for (uint32_t i = 0; i < o->n_lines; i++) {
            eng_line *ln = &o->lines[i];
            if (eng_line_qty(ln) == 0)
                continue;
            if (a->contended[ln->product])
                o->flags |= ENG_ORD_CONTENDED;
            else if (!n->routes && !place_whole(a, ln))
                rc =
                    ENG_FAIL(err, ENG_BROKEN, "uncontended SKU %" PRId32 " ran short", ln->product);
        }
        if (o->flags & ENG_ORD_CONTENDED) {
            /* the serial walk's turn of it, but for the stock, here on all threads */
            if (n->routes)
                (void)prepare_routed(a, o, route_ranks, &n->routing[r]);
            continue;
        }
        if (n->routes) {
            if (extract_routed(a, o, r, route_ranks, route_slots, &sc, ranks, n_wh) != ENG_OK)
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
        } else {
            settle_order(inv, o, ranks, n_wh); /* complete already: no line waits */
        }
    }
    free(ranks);
    free(route_ranks);
    free(route_slots);
    free(sc.used);
    free(sc.list);
    return rc;
}

/* ---- 2b. reserve_release = second_pass ---- */

/* An open line's remaining units, from what the reserves let go: what each of the order's
 * warehouses ranks[0..n) has, in that order, a new warehouse only while the order uses
 * fewer than cap; merged into the line's parts (one per slot). */
static eng_rc place_rest(const alloc_ctx *a, eng_line *ln, const uint32_t *ranks, size_t n,
                         split_cap *sc, eng_arena *mem)
{
    const eng_inventory *inv = a->setup->inventory;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    eng_part one, tmp[64];
    const eng_part *had = eng_alloc_line_parts(ln, &one);
    uint32_t k0 = ln->n_parts, k = k0;
    size_t room_parts = k0 + n_wh + 1;
    eng_part *parts = room_parts <= 64 ? tmp : malloc(room_parts * sizeof *parts);
    if (!parts)
        return ENG_NOMEM;
    memcpy(parts, had, k * sizeof *parts);
    int64_t want = eng_line_qty(ln) - eng_line_shipped(ln);
    for (size_t w = 0; w < n && want > 0; w++) {
        int64_t s = eng_routes_slot(a->al->routes, (uint32_t)ln->product, ranks[w]);
        if (s < 0 || !cap_allows(sc, ranks[w]))
            continue;
        int64_t room = a->shares ? eng_shares_room(a->shares, a->al->stock, (uint32_t)s,
                                                   (uint32_t)ln->product, a->who)
                                 : want;
        int64_t got = eng_stock_reserve_upto(a->al->stock, (uint32_t)s, room < want ? room : want);
        if (got == 0)
            continue;
        if (a->shares)
            eng_shares_take(a->shares, (uint32_t)s, (uint32_t)ln->product, a->who, got);
        cap_take(sc, ranks[w]);
        want -= got;
        uint32_t at = 0;
        while (at < k && parts[at].slot != (uint32_t)s)
            at++;
        if (at == k)
            parts[k++] = (eng_part){(uint32_t)s, 0};
        parts[at].qty += got;
    }
    eng_rc rc = ENG_OK;
    eng_line_set(ln, ENG_LQ_SHIPPED, eng_line_qty(ln) - want);
    ln->n_parts = k;
    eng_routes_sort_parts(inv, ranks, n, parts, k);
    if (k == 1) {
        eng_line_set_one_slot(ln, parts[0].slot); /* its qty is the line's shipped */
    } else if (k > 1) {
        /* the arena only when the line had fewer parts than it has now */
        eng_part *kept = k == k0 ? eng_line_parts(ln)
                                 : eng_arena_alloc(mem, k * sizeof *kept, _Alignof(eng_part));
        if (kept) {
            memcpy(kept, parts, k * sizeof *parts);
            eng_line_set_parts(ln, kept);
        } else {
            ln->n_parts = k0; /* the run stops; the list it had is still there */
            rc = ENG_NOMEM;
        }
    }
    if (parts != tmp)
        free(parts);
    return rc;
}

/* An order still open tries again, in rank order, with the stock as it stands: one that
 * holds nothing (and has no line waiting under min_fill_line_pct) is walked again whole;
 * any other's open lines, but those that wait, take what each of its warehouses has now,
 * through its warehouses as its first turn allowed them (the first max_split of its list
 * when split is fewest or single; under max_split, new ones only while it uses fewer). */
static eng_rc turn_again(alloc_ctx *a, eng_order *o, size_t r, uint32_t *ranks,
                         uint32_t *route_ranks, uint32_t *route_slots, split_cap *sc,
                         eng_arena *mem)
{
    eng_allocation *n = a->al;
    const eng_inventory *inv = a->setup->inventory;
    const fmt_policy *pol = &a->setup->policy;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    int waiting = 0;
    for (uint32_t i = 0; i < o->n_lines; i++)
        waiting |= o->lines[i].waits;
    if (o->status == ENG_ST_BACKORDERED && !waiting) {
        o->flags &= ~ENG_ORD_NO_ALLOWED; /* the walk decides it again */
        return walk_routed_order(a, o, route_ranks, route_slots, sc, &n->routing[r], 0, mem);
    }
    size_t k = eng_routes_of(n->routes, o->head, route_ranks, NULL);
    size_t cap = fmt_policy_split_cap(pol, k);
    if (a->shares) {
        a->who = eng_shares_channel(a->shares, eng_head_text(o->head, ENG_HT_CHANNEL));
        eng_shares_begin(a->shares);
    }
    if (pol->split != FMT_SPLIT_LINE)
        k = cap; /* its fallback's warehouses */
    sc->cap = pol->split == FMT_SPLIT_LINE ? cap : k;
    size_t used = eng_alloc_order_warehouses(inv, o, ranks, n_wh);
    for (size_t u = 0; u < used; u++)
        cap_take(sc, ranks[u]);
    eng_rc rc = ENG_OK;
    for (uint32_t i = 0; i < o->n_lines && rc == ENG_OK; i++)
        if (!o->lines[i].waits && eng_line_shipped(&o->lines[i]) < eng_line_qty(&o->lines[i]))
            rc = place_rest(a, &o->lines[i], route_ranks, k, sc, mem);
    cap_reset(sc);
    return rc;
}

/* reserve_release = second_pass: after every order had its turn, the reserves let go of
 * what they kept, and each order still open tries again (turn_again; caps still hold). */
static eng_rc second_pass(alloc_ctx *a, uint32_t *ranks, uint32_t *route_ranks,
                          uint32_t *route_slots, split_cap *sc, eng_arena *mem)
{
    eng_allocation *n = a->al;
    const eng_inventory *inv = a->setup->inventory;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    eng_shares_release_reserves(a->shares);
    for (size_t r = 0; r < n->n_ranked; r++) {
        eng_order *o = n->ranked[r];
        if (!(o->flags & ENG_ORD_CONTENDED) ||
            (o->status != ENG_ST_BACKORDERED && o->status != ENG_ST_PARTIAL))
            continue;
        ENG_TRY(turn_again(a, o, r, ranks, route_ranks, route_slots, sc, mem));
        if (eng_shares_failed(a->shares))
            return ENG_NOMEM;
        settle_order(inv, o, ranks, n_wh);
        eng_explain_after(inv, n->routes, n->stock, a->shares, a->who, &a->setup->policy, o,
                          &n->routing[r]);
    }
    return ENG_OK;
}

/* ---- 2c. min_fill_line_pct, min_fill_order_pct ---- */

/* Line ln of an order of channel who gives back all it holds, for good; routing.csv
 * names reason at each warehouse it gave back. */
static void give_back_line(const alloc_ctx *a, int who, eng_line *ln, eng_routing *why,
                           eng_why reason)
{
    const eng_inventory *inv = a->setup->inventory;
    eng_part one;
    const eng_part *parts = eng_alloc_line_parts(ln, &one);
    for (uint32_t k = 0; k < ln->n_parts; k++) {
        eng_stock_release(a->al->stock, parts[k].slot, parts[k].qty);
        if (a->shares)
            eng_shares_return(a->shares, parts[k].slot, (uint32_t)ln->product, who, parts[k].qty);
        eng_explain_min_fill(why, eng_inventory_slot(inv, parts[k].slot)->wh_rank, reason,
                             ln->product);
    }
    ln->n_parts = 0;
    eng_line_set(ln, ENG_LQ_SHIPPED, 0);
}

/* The minima on o as it stands: a line that ships some of its units, but fewer than
 * min_fill_line_pct of them, gives them back and waits; then an order that ships some,
 * but fewer than min_fill_order_pct of its units, gives back all and waits. Returns
 * whether it gave back any. A shipment that met them once only grows after, so applied
 * again after a later turn they take back only that turn's new shipments. */
static int hold_below_fill(const alloc_ctx *a, eng_order *o, eng_routing *why)
{
    const fmt_policy *pol = &a->setup->policy;
    /* An uncontended order was placed in extract without the shares (its SKUs abundant,
     * no cap naming them): what it gives back was never counted there, so it goes back to
     * the stock alone. (Returned to the shares, it drove a channel's shipped count below
     * zero and refilled a reserve it never took from: stress_alloc, ENG_SEED=1796661300.) */
    int who = a->shares && (o->flags & ENG_ORD_CONTENDED)
                  ? eng_shares_channel(a->shares, eng_head_text(o->head, ENG_HT_CHANNEL))
                  : -1;
    int gave = 0;
    int64_t shipped = 0, outstanding = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        eng_line *ln = &o->lines[i];
        int64_t got = eng_line_shipped(ln), qty = eng_line_qty(ln);
        if (fmt_policy_below_fill(got, qty, pol->min_fill_line_bp)) {
            give_back_line(a, who, ln, why, ENG_WHY_MIN_FILL_LINE);
            ln->waits = 1;
            gave = 1;
            got = 0;
        }
        shipped += got;
        outstanding += qty;
    }
    if (fmt_policy_below_fill(shipped, outstanding, pol->min_fill_order_bp)) {
        for (uint32_t i = 0; i < o->n_lines; i++)
            if (o->lines[i].n_parts > 0)
                give_back_line(a, who, &o->lines[i], why, ENG_WHY_MIN_FILL_ORDER);
        o->flags |= ENG_ORD_WAITS;
        gave = 1;
    }
    return gave;
}

/* An order that shipped in part and gave it all back shows, as every order that ships
 * nothing, what it ordered (the orders stage's figures, which settle_order replaced). */
static void show_ordered(eng_order *o)
{
    if (o->status != ENG_ST_BACKORDERED)
        return;
    o->lines_out = o->n_lines;
    o->units = 0;
    o->amount_minor = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        o->units += eng_line_ordered(ln);
        o->amount_minor += eng_line_amount(ln, eng_line_ordered(ln));
    }
}

/* Once every order had its turns, shipments below the minima wait (hold_below_fill), and
 * the units they leave go to the still-open lines in a last pass in rank order: each
 * order with a line open that does not wait takes its turn again (turn_again), and keeps
 * what it took only where that meets the minima. Orders whose shipments changed are
 * explained again against the stock as the pass left it. */
static eng_rc min_fill_pass(alloc_ctx *a, uint32_t *ranks, uint32_t *route_ranks,
                            uint32_t *route_slots, split_cap *sc, eng_arena *mem)
{
    eng_allocation *n = a->al;
    const eng_inventory *inv = a->setup->inventory;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    uint8_t *changed = calloc(n->n_ranked ? n->n_ranked : 1, 1);
    if (!changed)
        return ENG_NOMEM;
    for (size_t r = 0; r < n->n_ranked; r++) {
        eng_order *o = n->ranked[r];
        if (o->status == ENG_ST_PARTIAL && hold_below_fill(a, o, &n->routing[r])) {
            settle_order(inv, o, ranks, n_wh);
            show_ordered(o);
            changed[r] = 1;
        }
    }
    eng_rc rc = ENG_OK;
    for (size_t r = 0; r < n->n_ranked && rc == ENG_OK; r++) {
        eng_order *o = n->ranked[r];
        if (!(o->flags & ENG_ORD_CONTENDED) || (o->flags & ENG_ORD_WAITS) ||
            (o->status != ENG_ST_BACKORDERED && o->status != ENG_ST_PARTIAL))
            continue;
        int open = 0;
        for (uint32_t i = 0; i < o->n_lines; i++)
            open |=
                !o->lines[i].waits && eng_line_shipped(&o->lines[i]) < eng_line_qty(&o->lines[i]);
        if (!open)
            continue;
        rc = turn_again(a, o, r, ranks, route_ranks, route_slots, sc, mem);
        if (rc == ENG_OK && a->shares && eng_shares_failed(a->shares))
            rc = ENG_NOMEM;
        if (rc != ENG_OK)
            break;
        int gave = hold_below_fill(a, o, &n->routing[r]);
        settle_order(inv, o, ranks, n_wh);
        if (gave)
            show_ordered(o);
        changed[r] = 1;
    }
    for (size_t r = 0; r < n->n_ranked && rc == ENG_OK; r++) {
        eng_order *o = n->ranked[r];
        if (!changed[r])
            continue;
        int who =
            a->shares ? eng_shares_channel(a->shares, eng_head_text(o->head, ENG_HT_CHANNEL)) : -1;
        eng_explain_after(inv, n->routes, n->stock, a->shares, who, &a->setup->policy, o,
                          &n->routing[r]);
    }
    free(changed);
    return rc;
}

/* ---- 2b'. shortage_rule = proportional ---- */

/* The contended orders share the stock in rounds (fair.h); then each is settled and
 * explained, against the stock as the rounds left it. What of a turn does not depend on
 * the stock (routing.csv's notes before it, its channel) extract prepared for each
 * contended order (prepare_routed): proportional always routes. */
static eng_rc walk_proportional(alloc_ctx *a, uint32_t *ranks, eng_arena *mem, eng_err *err)
{
    eng_allocation *n = a->al;
    const eng_inventory *inv = a->setup->inventory;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    ENG_TRY(eng_fair_share(&a->setup->policy, inv, n->routes, n->stock, a->shares, n->ranked,
                           n->n_ranked, mem, err));
    for (size_t r = 0; r < n->n_ranked; r++) {
        eng_order *o = n->ranked[r];
        if (!(o->flags & ENG_ORD_CONTENDED))
            continue;
        settle_order(inv, o, ranks, n_wh);
        eng_explain_after(inv, n->routes, n->stock, a->shares, n->routing[r].who, &a->setup->policy,
                          o, &n->routing[r]);
    }
    return ENG_OK;
}

/* ---- 2. walk ---- */

/* Contended lines of the flagged orders in rank order; then each such order is settled
 * while its records are in cache, and every order gets its slip numbers. */
static eng_rc walk(alloc_ctx *a, eng_arena *mem, eng_err *err)
{
    eng_allocation *n = a->al;
    const eng_inventory *inv = a->setup->inventory;
    int partial = a->setup->policy.allocation == FMT_ALLOC_PARTIAL;
    size_t n_wh = eng_inventory_warehouse_count(inv);
    uint32_t *ranks = malloc((n_wh ? n_wh : 1) * sizeof *ranks);
    uint32_t *route_ranks = malloc((n_wh ? n_wh : 1) * sizeof *route_ranks);
    uint32_t *route_slots = malloc((n_wh ? n_wh : 1) * sizeof *route_slots);
    split_cap sc = {calloc(n_wh ? n_wh : 1, 1), malloc((n_wh ? n_wh : 1) * sizeof *sc.list), 0, 0};
    if (!ranks || !route_ranks || !route_slots || !sc.used || !sc.list) {
        free(ranks);
        free(route_ranks);
        free(route_slots);
        free(sc.used);
        free(sc.list);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    }
    /* After history's numbers of the same date (an earlier wave); exchange replacements
     * come first. */
    uint64_t first = eng_history_last_slip(a->history) + n->n_exchange_slips + 1, next = first;
    /* reserve_release = second_pass, the min_fill keys and proportional shares decide
     * orders again once every order had its turn, so slips are numbered after them */
    const fmt_policy *pol = &a->setup->policy;
    int second = n->routes && a->shares && pol->second_pass;
    int proportional = n->routes && pol->shortage == FMT_SHORTAGE_PROPORTIONAL;
    int min_fill = n->routes && (pol->min_fill_line_bp > 0 || pol->min_fill_order_bp > 0);
    int late = second || proportional || min_fill;
    eng_rc rc = ENG_OK;
    if (proportional)
        rc = walk_proportional(a, ranks, mem, err);
    for (size_t r = 0; r < n->n_ranked && rc == ENG_OK && !proportional; r++) {
        prefetch_ahead(n->ranked, r, n->n_ranked, 1);
        eng_order *o = n->ranked[r];
        if ((o->flags & ENG_ORD_CONTENDED) && n->routes) {
            if (walk_routed_order(a, o, route_ranks, route_slots, &sc, &n->routing[r], 1, mem) !=
                    ENG_OK ||
                (a->shares && eng_shares_failed(a->shares)))
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
            settle_order(inv, o, ranks, n_wh);
            if (rc == ENG_OK)
                eng_explain_after(inv, n->routes, n->stock, a->shares, a->who, pol, o,
                                  &n->routing[r]);
        } else if (o->flags & ENG_ORD_CONTENDED) {
            for (uint32_t i = 0; i < o->n_lines; i++) {
                eng_line *ln = &o->lines[i];
                if (eng_line_qty(ln) == 0 || !a->contended[ln->product] || place_whole(a, ln))
                    continue;
                if (partial) {
                    if (place_units(a, ln, mem) != ENG_OK)
                        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
                    continue;
                }
                /* ship_complete: the order holds nothing; its later lines are not tried */
                undo_order(a, o);
                break;
            }
            settle_order(inv, o, ranks, n_wh);
        }
        if (!late && (o->status == ENG_ST_SHIPPED || o->status == ENG_ST_PARTIAL)) {
            o->first_slip = next;
            next += o->n_slips;
        }
    }
    if (second && rc == ENG_OK &&
        second_pass(a, ranks, route_ranks, route_slots, &sc, mem) != ENG_OK)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    if (min_fill && rc == ENG_OK &&
        min_fill_pass(a, ranks, route_ranks, route_slots, &sc, mem) != ENG_OK)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    if (late && rc == ENG_OK) {
        for (size_t r = 0; r < n->n_ranked; r++) {
            eng_order *o = n->ranked[r];
            if (o->status == ENG_ST_SHIPPED || o->status == ENG_ST_PARTIAL) {
                o->first_slip = next;
                next += o->n_slips;
            }
        }
    }
    n->n_slips = next - first;
    free(ranks);
    free(route_ranks);
    free(route_slots);
    free(sc.used);
    free(sc.list);
    return rc;
}

/* ---- the stage ---- */

eng_rc eng_allocation_prepare(const eng_setup *setup, eng_allocation **out, eng_err *err)
{
    const eng_inventory *inv = setup->inventory;
    size_t n_slots = eng_inventory_count(inv);
    eng_allocation *al = calloc(1, sizeof *al);
    eng_rc rc = ENG_OK;
    if (al) {
        al->initial_free = calloc(n_slots ? n_slots : 1, sizeof *al->initial_free);
        al->restocked = calloc(n_slots ? n_slots : 1, sizeof *al->restocked);
    }
    if (!al || !al->initial_free || !al->restocked)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    if (rc == ENG_OK)
        rc = eng_stock_new(n_slots, &al->stock, err);
    /* Before returns: an exchange replacement follows its original order's route. */
    if (rc == ENG_OK)
        rc = eng_routes_new(&setup->policy, setup->inventory, &al->routes, err);
    if (rc != ENG_OK) {
        eng_allocation_free(al);
        return rc;
    }
    for (uint32_t s = 0; s < n_slots; s++) {
        const eng_slot *sl = eng_inventory_slot(inv, s);
        int64_t free_units = sl->on_hand - sl->safety_stock;
        if (free_units < 0)
            free_units = 0;
        al->initial_free[s] = free_units;
        eng_stock_init_slot(al->stock, s, free_units);
    }
    *out = al;
    return ENG_OK;
}

static int channel_carried(const eng_book *book, const char *channel)
{
    size_t len = strlen(channel);
    for (size_t o = 0; o < book->n_orders; o++) {
        eng_text ch = eng_head_text(book->orders[o]->head, ENG_HT_CHANNEL);
        if (ch.len == len && memcmp(ch.p, channel, len) == 0)
            return 1;
    }
    return 0;
}

/* "; the closest channel tonight is \"ebay\"" (what, quoted name) into out, when the
 * nearest is a slip of the keyboard away; else "". */
static void hint(const char *name, const eng_text_nearest *near, const char *what, char *out,
                 size_t cap)
{
    size_t d = near->folded;
    out[0] = '\0';
    if (near->best && (d <= 2 || d <= strlen(name) / 3)) {
        char quoted[64];
        eng_text_quote(quoted, sizeof quoted, near->best, near->best_len);
        snprintf(out, cap, "; the closest %s is %s", what, quoted);
    }
}

static void closest_channel(const eng_book *book, const char *name, char *out, size_t cap)
{
    eng_text_nearest near = {0};
    for (size_t o = 0; o < book->n_orders; o++) {
        eng_text ch = eng_head_text(book->orders[o]->head, ENG_HT_CHANNEL);
        if (!near.best || ch.len != near.best_len || memcmp(ch.p, near.best, ch.len) != 0)
            eng_text_nearest_offer(&near, name, strlen(name), ch.p, ch.len);
    }
    hint(name, &near, "channel tonight", out, cap);
}

static void closest_sku(const eng_catalog *cat, const char *name, char *out, size_t cap)
{
    eng_text_nearest near = {0};
    for (uint32_t p = 0; p < eng_catalog_count(cat); p++) {
        const char *sku = eng_catalog_get(cat, p)->sku;
        eng_text_nearest_offer(&near, name, strlen(name), sku, strlen(sku));
    }
    hint(name, &near, "SKU in the catalog", out, cap);
}

/* A reserve or cap naming a channel no order carries, or a SKU the catalog lacks. */
static eng_rc warn_share(const eng_setup *setup, const eng_book *book, const fmt_share_rule *r)
{
    const char *path = setup->sources[setup->first_reference + 2].path;
    char hint[128];
    if (!channel_carried(book, r->channel)) {
        closest_channel(book, r->channel, hint, sizeof hint);
        ENG_TRY(eng_warn(setup->warnings, setup->first_reference + 2, r->line,
                         "%s:%llu: %s names channel \"%s\", which no order carries tonight%s", path,
                         (unsigned long long)r->line, r->key, r->channel, hint));
    }
    if (r->sku && eng_catalog_find(setup->catalog, r->sku, strlen(r->sku)) < 0) {
        closest_sku(setup->catalog, r->sku, hint, sizeof hint);
        ENG_TRY(eng_warn(setup->warnings, setup->first_reference + 2, r->line,
                         "%s:%llu: %s names SKU \"%s\", which the catalog lacks%s", path,
                         (unsigned long long)r->line, r->key, r->sku, hint));
    }
    return ENG_OK;
}

/* A key whose list of warehouses is empty leaves its orders nowhere to ship from under
 * route_mode = only (a channel's list always): allowed, but more often a slip. */
static eng_rc warn_empty(const eng_setup *setup, const fmt_wh_rule *rule, const char *what)
{
    const char *path = setup->sources[setup->first_reference + 2].path;
    return eng_warn(setup->warnings, setup->first_reference + 2, rule->line,
                    "%s:%llu: %s lists no warehouse, so %s ship from nowhere tonight "
                    "(NO_ALLOWED_WAREHOUSE); give it warehouses or remove the key",
                    path, (unsigned long long)rule->line, rule->key, what);
}

/* A channel the policy gives warehouses, a reserve or a cap that no order of tonight
 * carries: a typo, or a channel that sold nothing. A warning, not a refusal (issue 14);
 * so is a reserve or cap for a SKU the catalog lacks, and an empty list of warehouses. */
static eng_rc warn_unused_channels(const eng_setup *setup, const eng_book *book)
{
    const fmt_policy *pol = &setup->policy;
    char hint[128];
    for (size_t i = 0; i < pol->n_routes; i++)
        if (pol->routes[i].n_names == 0 && pol->route_only)
            ENG_TRY(warn_empty(setup, &pol->routes[i], "the orders it matches"));
    for (size_t i = 0; i < pol->n_channels; i++) {
        const fmt_wh_rule *c = &pol->channels[i];
        if (c->n_names == 0)
            ENG_TRY(warn_empty(setup, c, "its channel's orders"));
        if (c->kind == 1)
            continue; /* channel_warehouses.default */
        if (!channel_carried(book, c->match)) {
            /* a channel key means a policy file: its source is there */
            const char *path = setup->sources[setup->first_reference + 2].path;
            closest_channel(book, c->match, hint, sizeof hint);
            ENG_TRY(eng_warn(setup->warnings, setup->first_reference + 2, c->line,
                             "%s:%llu: %s names channel \"%s\", which no order carries tonight%s",
                             path, (unsigned long long)c->line, c->key, c->match, hint));
        }
    }
    for (size_t i = 0; i < pol->n_reserves; i++)
        ENG_TRY(warn_share(setup, book, &pol->reserves[i]));
    for (size_t i = 0; i < pol->n_caps; i++)
        ENG_TRY(warn_share(setup, book, &pol->caps[i]));
    return ENG_OK;
}

eng_rc eng_allocation_run(const eng_setup *setup, eng_book *book, const eng_history *history,
                          eng_allocation *al, eng_err *err)
{
    eng_pool *pool = setup->pool;
    al->ranked = malloc((book->n_orders ? book->n_orders : 1) * sizeof *al->ranked);
    if (!al->ranked)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    al->n_ranked = 0;
    alloc_ctx a;
    memset(&a, 0, sizeof a);
    a.setup = setup;
    a.book = book;
    a.history = history;
    a.al = al;
    a.n_products = eng_catalog_count(setup->catalog);
    a.n_workers = eng_pool_threads(pool);
    a.cutoff_ns = fmt_policy_cutoff_ns(&setup->policy, setup->run_date);
    /* Reserves and caps are shares of the stock as returns and exchanges left it. */
    if (eng_shares_new(&setup->policy, setup->catalog, setup->inventory, al->stock, &al->shares,
                       err) != ENG_OK)
        return err ? err->rc : ENG_NOMEM;
    a.shares = al->shares;
    a.who = -1;
    if (warn_unused_channels(setup, book) != ENG_OK)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory recording a warning");
    uint8_t *contended = calloc(a.n_products ? a.n_products : 1, 1);
    if (!contended)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    eng_rc rc = rank_and_plan(&a, pool, contended, err);
    a.contended = contended;
    a.n_chunks = (al->n_ranked + CHUNK - 1) / CHUNK;
    if (rc == ENG_OK) {
        /* Only the walk splits lines, on the calling thread: one arena. */
        al->mem = eng_arena_new(1u << 16);
        if (!al->mem)
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
    }
    if (rc == ENG_OK && al->routes) {
        /* routing.csv's facts, per ranked order, each with a note per warehouse; their
         * pages mapped in one go, cheaper than a fault each on first touch */
        size_t n_wh = eng_inventory_warehouse_count(setup->inventory);
        if (n_wh > ENG_ROUTE_MAX_WAREHOUSES)
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "the inventory names %zu warehouses; routing "
                          "policies take at most %u",
                          n_wh, ENG_ROUTE_MAX_WAREHOUSES);
        size_t n_notes = al->n_ranked * n_wh;
        if (rc == ENG_OK) {
            al->routing = malloc((al->n_ranked ? al->n_ranked : 1) * sizeof *al->routing);
            al->notes = malloc((n_notes ? n_notes : 1) * sizeof *al->notes);
            if (!al->routing || !al->notes)
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory allocating stock");
        }
        if (rc == ENG_OK) {
            eng_heap_prefault(al->routing, al->n_ranked * sizeof *al->routing);
            eng_heap_prefault(al->notes, n_notes * sizeof *al->notes);
            memset(al->routing, 0, al->n_ranked * sizeof *al->routing);
        }
        for (size_t r = 0; rc == ENG_OK && r < al->n_ranked; r++)
            al->routing[r].notes = &al->notes[r * n_wh];
    }
    if (rc == ENG_OK)
        rc = eng_pool_for(pool, a.n_chunks, extract_task, &a, err);
    if (rc == ENG_OK)
        rc = walk(&a, al->mem, err);
    free(contended);
    return rc;
}

void eng_allocation_free(eng_allocation *al)
{
    if (!al)
        return;
    eng_stock_free(al->stock);
    eng_routes_free(al->routes);
    eng_shares_free(al->shares);
    free(al->routing);
    free(al->notes);
    free(al->initial_free);
    free(al->restocked);
    free(al->ranked);
    eng_arena_free(al->mem);
    free(al);
}
