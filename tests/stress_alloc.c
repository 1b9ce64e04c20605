/* Differential stress test of the threaded pipeline against a sequential model.
 *
 * Each round writes a random night (hot SKUs that run out, several warehouses, safety
 * stock, priorities and tied order times, both allocation policies), runs ingest, order
 * checks and allocation in-process with 1, 2, 4 and 8 threads and small ingest chunks,
 * and compares every order's outcome with a plain single-threaded allocator written
 * here from SPEC's words: take orders in rank order, serve each line from the first
 * warehouse that covers it whole; ship_complete backorders an order with any uncovered
 * line, partial takes what each warehouse has in order. Built under ThreadSanitizer by
 * `make stress`.
 *
 * Half the rounds add issue 14's sourcing keys (routes by country and route.default,
 * route_mode, a channel's warehouse list, split = line | fewest | single, max_split),
 * and the model follows the words for them: the order's list from the most
 * specific route, filtered by its channel's list, then (prefer) the other warehouses;
 * NO_ALLOWED_WAREHOUSE when a SKU with inventory rows has none in the list; split = line
 * line by line, a new warehouse only while fewer than max_split are used; fewest and
 * single try sets of k positions for k = 1, 2, ... in lexicographic order, each line
 * whole in the first member covering it, the first set that ships the order wins, at
 * most 4,096 sets; when none does, ship_complete backorders and partial goes line by
 * line through the first max_split warehouses of the list. Reserves and caps (a channel
 * takes what other channels' reserves leave, its own reserve first, within its cap),
 * and reserve_release = second_pass (the reserves let go after every order's turn; open
 * orders try again in rank order).
 *
 * Six more rounds take the shortage rules under partial: shortage_rule = proportional
 * (split = line; rounds in which every line still wanting asks one more warehouse of its
 * order's list, the first covering what it wants or else the first with any units, a new
 * warehouse only while the order ships from or asked this round fewer than max_split; a
 * slot asked for more than it has gives floor(free x ask / demand) and the rest one unit
 * each by largest remainder, ties in rank order; a channel's asks of a SKU past its cap
 * cut to it first, and each channel served from its own reserve first) in three of them, and min_fill_line_pct and min_fill_order_pct in all six and in some sourced
 * rounds (a partial shipment below them is given back and waits, then a last pass in
 * rank order offers the stock to the open lines, keeping what meets the minima).
 *
 * Seed: ENG_SEED (default: time), printed first; a failure names its round. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/allocate/alloc.h"
#include "../engine/intake/ingest.h"
#include "../engine/book/orders.h"
#include "../engine/base/pool.h"

static int passed, failed;

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next() % n);
}

static void check(int ok, const char *label, const char *what)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "FAILED: %s: %s\n", label, what);
}

#define N_PRODUCTS   30
#define N_WAREHOUSES 3
#define N_COUNTRIES  4

static const char *const wh_names[N_WAREHOUSES] = {"EAST", "MAIN", "WEST"};
static const char *const countries[N_COUNTRIES] = {"DE", "US", "FR", "GB"};

/* Issue 14's keys of a round, as the model reads them. A list holds indexes into
 * wh_names; n < 0: the key is not set. */
typedef struct wh_list {
    int n;
    unsigned wh[N_WAREHOUSES];
} wh_list;

/* A reserve.* or cap.* key: channel 0 shop, 1 amazon; product a catalog index (P00 is
 * 0), -1 for `*`; amount units, or hundredths of a percent with pct. */
typedef struct share_rule {
    int ch, product, pct;
    int64_t amount;
} share_rule;

typedef struct sourcing {
    int on;
    share_rule reserves[3], caps[3];
    int n_reserves, n_caps;
    int second_pass; /* reserve_release = second_pass */
    wh_list route[N_COUNTRIES + 1]; /* by country; [N_COUNTRIES]: route.default */
    int only;
    wh_list amazon; /* channel_warehouses.amazon */
    int split;      /* 0 line, 1 fewest, 2 single */
    unsigned max_split;
    int proportional;            /* shortage_rule = proportional */
    int32_t line_bp, order_bp;   /* min_fill_*_pct in hundredths, 0: none */
} sourcing;

typedef struct night_files {
    char dir[64];
    char catalog[96];
    char inventory[96];
    char policy[96];
    char orders[2][96];
    int partial;
    sourcing src;
} night_files;

static void random_list(wh_list *l, int may_be_empty)
{
    l->n = 0;
    unsigned want = (may_be_empty ? 0 : 1) + pick(N_WAREHOUSES + (may_be_empty ? 1 : 0));
    if (want > N_WAREHOUSES)
        want = N_WAREHOUSES;
    while ((unsigned)l->n < want) {
        unsigned w = pick(N_WAREHOUSES);
        int seen = 0;
        for (int i = 0; i < l->n; i++)
            seen |= l->wh[i] == w;
        if (!seen)
            l->wh[l->n++] = w;
    }
}

static void print_list(FILE *f, const char *key, const wh_list *l)
{
    fprintf(f, "%s =", key);
    for (int i = 0; i < l->n; i++)
        fprintf(f, "%s %s", i ? "," : "", wh_names[l->wh[i]]);
    fprintf(f, "\n");
}

/* variant picks split and max_split, so that every round set meets each: line with
 * max_split 1 and 2, fewest with 2 and none, single. A shortage round (partial) has
 * split = line and the minima, and proportional shares in half of them; other partial
 * rounds have the minima one time in three. */
static void write_sourcing(FILE *pol, sourcing *src, int variant, int partial, int shortage)
{
    memset(src, 0, sizeof *src);
    src->on = 1;
    if (partial && (shortage || pick(3) == 0)) {
        static const int32_t fills[4] = {0, 2500, 5000, 3333};
        src->line_bp = fills[pick(4)];
        src->order_bp = fills[pick(4)];
        if (src->line_bp)
            fprintf(pol, "min_fill_line_pct = %d.%02d\n", src->line_bp / 100, src->line_bp % 100);
        if (src->order_bp)
            fprintf(pol, "min_fill_order_pct = %d.%02d%%\n", src->order_bp / 100,
                    src->order_bp % 100);
    }
    src->proportional = shortage && variant % 2 == 0;
    if (src->proportional)
        fprintf(pol, "shortage_rule = proportional\n");
    for (int c = 0; c <= N_COUNTRIES; c++) {
        src->route[c].n = -1;
        if (pick(3) == 0)
            continue;
        random_list(&src->route[c], 1);
        char key[32];
        snprintf(key, sizeof key, "route.%s", c < N_COUNTRIES ? countries[c] : "default");
        print_list(pol, key, &src->route[c]);
    }
    src->only = (int)pick(2);
    fprintf(pol, "route_mode = %s\n", src->only ? "only" : "prefer");
    src->amazon.n = -1;
    if (pick(2)) {
        random_list(&src->amazon, 0);
        print_list(pol, "channel_warehouses.amazon", &src->amazon);
    }
    src->split = shortage ? 0 : variant % 3;
    fprintf(pol, "split = %s\n", src->split == 0 ? "line" : src->split == 1 ? "fewest" : "single");
    static const unsigned caps[6] = {1, 2, 0, 2, 0, 0}; /* 0: none */
    src->max_split = caps[variant % 6];
    static const char *const share_channels[2] = {"shop", "amazon"};
    for (int kind = 0; kind < 2; kind++) {
        share_rule *rules = kind ? src->caps : src->reserves;
        int *n_rules = kind ? &src->n_caps : &src->n_reserves;
        for (int k = 0, want = (int)pick(4); k < want && k < 3; k++) {
            share_rule r = {(int)pick(2), pick(2) ? -1 : (int)pick(6), (int)pick(2), 0};
            r.amount = r.pct ? (pick(5) ? 500 * (int64_t)pick(11) : 1250) : (int64_t)pick(6);
            int repeat = 0;
            for (int j = 0; j < *n_rules; j++)
                repeat |= rules[j].ch == r.ch && rules[j].product == r.product;
            if (repeat)
                continue;
            rules[(*n_rules)++] = r;
            char sku[8], value[16];
            if (r.product < 0)
                snprintf(sku, sizeof sku, "*");
            else
                snprintf(sku, sizeof sku, "P%02d", r.product);
            if (r.pct)
                snprintf(value, sizeof value, "%d.%02d%%", (int)(r.amount / 100),
                         (int)(r.amount % 100));
            else
                snprintf(value, sizeof value, "%d", (int)r.amount);
            fprintf(pol, "%s.%s.%s = %s\n", kind ? "cap" : "reserve", share_channels[r.ch], sku,
                    value);
        }
    }
    src->second_pass = (int)pick(2);
    if (src->second_pass)
        fprintf(pol, "reserve_release = second_pass\n");
    if (src->max_split)
        fprintf(pol, "max_split = %u\n", src->max_split);
}

static void write_night(night_files *f, unsigned n_orders, int sourced, int variant, int shortage)
{
    const char *const *wh = wh_names;
    snprintf(f->dir, sizeof f->dir, "/tmp/slipway-stress.XXXXXX");
    if (!mkdtemp(f->dir))
        abort();
    snprintf(f->catalog, sizeof f->catalog, "%s/catalog.csv", f->dir);
    snprintf(f->inventory, sizeof f->inventory, "%s/inventory.csv", f->dir);
    snprintf(f->policy, sizeof f->policy, "%s/policy.conf", f->dir);
    FILE *c = fopen(f->catalog, "w"), *inv = fopen(f->inventory, "w"), *pol = fopen(f->policy, "w");
    if (!c || !inv || !pol)
        abort();
    fprintf(c, "sku,name,status,list_price,min_price,currency\n");
    fprintf(inv, "sku,warehouse,on_hand,safety_stock\n");
    for (int p = 0; p < N_PRODUCTS; p++) {
        fprintf(c, "P%02d,Product %d,active,10.00,1.00,EUR\n", p, p);
        for (int w = 0; w < N_WAREHOUSES; w++)
            /* about two warehouses per product, some none; P29 everywhere, so that
             * every warehouse the policy names exists */
            if (pick(3) != 0 || p == N_PRODUCTS - 1)
                /* P24-P29 plentiful: under routes their orders go on all threads */
                fprintf(inv, "P%02d,%s,%u,%u\n", p, wh[w],
                        p >= 24 ? 4000 + pick(100) : pick(p < 6 ? 8 : 60), pick(3));
    }
    f->partial = shortage || pick(2);
    unsigned first = pick(N_WAREHOUSES), second = (first + 1 + pick(2)) % N_WAREHOUSES;
    fprintf(pol, "allocation = %s\nwarehouse_order = %s, %s\n",
            f->partial ? "partial" : "ship_complete", wh[first], wh[second]);
    f->src.on = 0;
    if (sourced)
        write_sourcing(pol, &f->src, variant, f->partial, shortage);
    fclose(c);
    fclose(inv);
    fclose(pol);
    for (int k = 0; k < 2; k++) {
        snprintf(f->orders[k], sizeof f->orders[k], "%s/orders%d.csv", f->dir, k);
        FILE *o = fopen(f->orders[k], "w");
        if (!o)
            abort();
        fprintf(o, "order_id,order_time,sku,qty,unit_price,currency,priority,ship_name,"
                   "ship_street,ship_city,ship_country,channel\n");
        for (unsigned i = 0; i < n_orders / 2; i++) {
            unsigned lines = 1 + pick(4);
            unsigned hour = pick(3), minute = pick(2); /* few distinct times: many ties */
            unsigned prio = pick(4) == 0 ? 1 + pick(2) : 0;
            for (unsigned l = 0; l < lines; l++) {
                /* Six hot products take half the lines. */
                unsigned p = pick(2) ? pick(6) : pick(N_PRODUCTS);
                if (l == 0)
                    fprintf(o,
                            "O%d-%05u,2026-11-26T%02u:%02u:00Z,P%02u,%u,10.00,EUR,%u,Ann,"
                            "\"Main St 1, Apt %u\",Town,%s,%s\n",
                            k, i, 10 + hour, minute, p, 1 + pick(5), prio, i,
                            pick(5) ? countries[pick(N_COUNTRIES)] : "NL",
                            pick(3) ? "shop" : pick(2) ? "amazon" : "ebay");
                else
                    fprintf(o, "O%d-%05u,,P%02u,%u,10.00,,,,,,,\n", k, i, p, 1 + pick(5));
            }
        }
        fclose(o);
    }
}

static void remove_night(const night_files *f)
{
    unlink(f->catalog);
    unlink(f->inventory);
    unlink(f->policy);
    unlink(f->orders[0]);
    unlink(f->orders[1]);
    rmdir(f->dir);
}

/* ---- the sequential model ---- */

typedef struct model_line {
    uint32_t n_parts;
    uint32_t slot[N_WAREHOUSES];
    int64_t qty[N_WAREHOUSES];
} model_line;

/* The stages' products of one run up to allocation. */
typedef struct night {
    eng_setup *setup;
    eng_batches *batches;
    eng_book *book;
    eng_allocation *al;
} night;

static int first_cover(const night *n, const int64_t *free_units, int32_t product, int64_t qty,
                       uint32_t *slot)
{
    size_t ns;
    const uint32_t *slots =
        eng_inventory_product_slots(n->setup->inventory, (uint32_t)product, &ns);
    for (size_t k = 0; k < ns; k++)
        if (free_units[slots[k]] >= qty) {
            *slot = slots[k];
            return 1;
        }
    return 0;
}

/* Returns the status the model gives; fills lines. */
static eng_status model_order(const night *n, int64_t *free_units, const eng_order *o,
                              model_line *lines, int partial)
{
    int64_t shipped = 0, ordered = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        model_line *m = &lines[i];
        int64_t qty = eng_line_qty(ln);
        ordered += qty;
        memset(m, 0, sizeof *m);
        uint32_t slot;
        if (first_cover(n, free_units, ln->product, qty, &slot)) {
            free_units[slot] -= qty;
            m->n_parts = 1;
            m->slot[0] = slot;
            m->qty[0] = qty;
            shipped += qty;
            continue;
        }
        if (!partial) {
            for (uint32_t k = 0; k < i; k++)
                for (uint32_t j = 0; j < lines[k].n_parts; j++)
                    free_units[lines[k].slot[j]] += lines[k].qty[j];
            memset(lines, 0, o->n_lines * sizeof *lines);
            return ENG_ST_BACKORDERED;
        }
        size_t ns;
        const uint32_t *slots =
            eng_inventory_product_slots(n->setup->inventory, (uint32_t)ln->product, &ns);
        int64_t want = qty;
        for (size_t k = 0; k < ns && want > 0; k++) {
            int64_t take = free_units[slots[k]] < want ? free_units[slots[k]] : want;
            if (take <= 0)
                continue;
            free_units[slots[k]] -= take;
            m->slot[m->n_parts] = slots[k];
            m->qty[m->n_parts++] = take;
            want -= take;
            shipped += take;
        }
    }
    if (shipped == ordered)
        return ENG_ST_SHIPPED;
    return shipped == 0 ? ENG_ST_BACKORDERED : ENG_ST_PARTIAL;
}

/* ---- the sourcing model (issue 14) ---- */

static int64_t slot_in(const night *n, int32_t product, uint32_t rank)
{
    size_t ns;
    const uint32_t *slots =
        eng_inventory_product_slots(n->setup->inventory, (uint32_t)product, &ns);
    for (size_t k = 0; k < ns; k++)
        if (eng_inventory_slot(n->setup->inventory, slots[k])->wh_rank == rank)
            return slots[k];
    return -1;
}

static int listed(const wh_list *l, unsigned w)
{
    for (int i = 0; i < l->n; i++)
        if (l->wh[i] == w)
            return 1;
    return 0;
}

static int text_is(eng_text t, const char *s)
{
    return t.len == strlen(s) && memcmp(t.p, s, t.len) == 0;
}

/* The order's warehouses as ranks, in the order it tries them. */
static int order_list(const night *n, const sourcing *src, const eng_order *o, uint32_t *list)
{
    const eng_inventory *inv = n->setup->inventory;
    eng_text country = eng_head_text(o->head, ENG_HT_SHIP_COUNTRY);
    const wh_list *route = NULL;
    for (int c = 0; c < N_COUNTRIES; c++)
        if (src->route[c].n >= 0 && text_is(country, countries[c]))
            route = &src->route[c];
    if (!route && src->route[N_COUNTRIES].n >= 0)
        route = &src->route[N_COUNTRIES];
    const wh_list *allow =
        src->amazon.n >= 0 && text_is(eng_head_text(o->head, ENG_HT_CHANNEL), "amazon")
            ? &src->amazon
            : NULL;
    unsigned rank_of[N_WAREHOUSES], wh_of[N_WAREHOUSES];
    size_t n_wh = eng_inventory_warehouse_count(inv);
    if (n_wh != N_WAREHOUSES)
        abort();
    for (uint32_t r = 0; r < n_wh; r++)
        for (unsigned w = 0; w < N_WAREHOUSES; w++)
            if (strcmp(eng_inventory_warehouse(inv, r), wh_names[w]) == 0) {
                rank_of[w] = r;
                wh_of[r] = w;
            }
    int k = 0;
    if (route)
        for (int i = 0; i < route->n; i++)
            if (!allow || listed(allow, route->wh[i]))
                list[k++] = rank_of[route->wh[i]];
    if (route && src->only)
        return k;
    for (uint32_t r = 0; r < n_wh; r++)
        if ((!route || !listed(route, wh_of[r])) && (!allow || listed(allow, wh_of[r])))
            list[k++] = r;
    return k;
}

/* Stock as the sourcing model sees it: free units per slot, and with reserves and caps
 * what each channel's reserve still keeps per slot and what its cap still allows per
 * product (channel 0 shop, 1 amazon; ebay names no key). */
typedef struct mstate {
    int64_t *free_units;
    int64_t *kept;    /* slot x 2 */
    int64_t *allowed; /* product x 2, INT64_MAX: no cap */
    int64_t *shipped; /* slot x 2: what the channel's shipments take there */
    size_t n_slots, n_products;
} mstate;

static int64_t ms_room(const mstate *ms, uint32_t slot, int32_t product, int ch)
{
    int64_t room = ms->free_units[slot];
    for (int c = 0; c < 2; c++)
        if (c != ch)
            room -= ms->kept[slot * 2 + (size_t)c];
    if (ch >= 0 && ms->allowed[(size_t)product * 2 + (size_t)ch] < room)
        room = ms->allowed[(size_t)product * 2 + (size_t)ch];
    return room > 0 ? room : 0;
}

/* "the channel's own shipments use its reserve first" */
static void ms_take(mstate *ms, uint32_t slot, int32_t product, int ch, int64_t qty)
{
    ms->free_units[slot] -= qty;
    if (ch < 0)
        return;
    int64_t *own = &ms->kept[slot * 2 + (size_t)ch];
    *own -= qty < *own ? qty : *own;
    ms->shipped[slot * 2 + (size_t)ch] += qty;
    if (ms->allowed[(size_t)product * 2 + (size_t)ch] != INT64_MAX)
        ms->allowed[(size_t)product * 2 + (size_t)ch] -= qty;
}

static void ms_copy(mstate *to, const mstate *from)
{
    memcpy(to->free_units, from->free_units, from->n_slots * sizeof *to->free_units);
    memcpy(to->kept, from->kept, from->n_slots * 2 * sizeof *to->kept);
    memcpy(to->allowed, from->allowed, from->n_products * 2 * sizeof *to->allowed);
    memcpy(to->shipped, from->shipped, from->n_slots * 2 * sizeof *to->shipped);
}

static void ms_alloc(mstate *ms, size_t n_slots, size_t n_products)
{
    ms->n_slots = n_slots;
    ms->n_products = n_products;
    ms->free_units = calloc(n_slots + 1, sizeof *ms->free_units);
    ms->kept = calloc(n_slots * 2 + 1, sizeof *ms->kept);
    ms->allowed = calloc(n_products * 2 + 1, sizeof *ms->allowed);
    ms->shipped = calloc(n_slots * 2 + 1, sizeof *ms->shipped);
    if (!ms->free_units || !ms->kept || !ms->allowed || !ms->shipped)
        abort();
}

static void ms_release(mstate *ms)
{
    free(ms->free_units);
    free(ms->kept);
    free(ms->allowed);
    free(ms->shipped);
}

/* Whether share rule i of rules[0..n) is the one for product p: its own SKU, or `*`
 * when its channel has no key for p. */
static int share_applies(const share_rule *rules, int n, int i, int32_t p)
{
    if (rules[i].product >= 0)
        return rules[i].product == p;
    for (int j = 0; j < n; j++)
        if (rules[j].product == p && rules[j].ch == rules[i].ch)
            return 0;
    return 1;
}

static int64_t share_units(const share_rule *r, int64_t of, int round_up)
{
    if (!r->pct)
        return r->amount;
    int64_t units = of * r->amount / 10000;
    return units + (round_up && of * r->amount % 10000 != 0);
}

/* The stock orders start from: reserves cut in key order, caps from the SKU's free units
 * over all warehouses. */
static void ms_start(mstate *ms, const night *n, const sourcing *src)
{
    const eng_inventory *inv = n->setup->inventory;
    memcpy(ms->free_units, n->al->initial_free, ms->n_slots * sizeof *ms->free_units);
    for (size_t s = 0; s < ms->n_slots; s++) {
        int32_t p = eng_inventory_slot(inv, (uint32_t)s)->product;
        int64_t f = ms->free_units[s], given = 0;
        ms->kept[s * 2] = ms->kept[s * 2 + 1] = 0;
        for (int i = 0; i < src->n_reserves; i++) {
            if (!share_applies(src->reserves, src->n_reserves, i, p))
                continue;
            int64_t want = share_units(&src->reserves[i], f, 1);
            int64_t k = want < f - given ? want : f - given;
            ms->kept[s * 2 + (size_t)src->reserves[i].ch] += k;
            given += k;
        }
    }
    for (size_t p = 0; p < ms->n_products; p++) {
        size_t ns;
        const uint32_t *slots = eng_inventory_product_slots(inv, (uint32_t)p, &ns);
        int64_t total = 0;
        for (size_t k = 0; k < ns; k++)
            total += ms->free_units[slots[k]];
        ms->allowed[p * 2] = ms->allowed[p * 2 + 1] = INT64_MAX;
        for (int i = 0; i < src->n_caps; i++)
            if (share_applies(src->caps, src->n_caps, i, (int32_t)p))
                ms->allowed[p * 2 + (size_t)src->caps[i].ch] = share_units(&src->caps[i], total, 0);
    }
}

/* split = fewest: the sets of positions by size, then lexicographically, each line whole
 * in the first member covering it; the first that ships the whole order is taken. */
static int model_fewest(const night *n, mstate *ms, mstate *tmp, int ch, const eng_order *o,
                        const uint32_t *list, int n_list, int cap, model_line *lines)
{
    /* every set as its positions, ordered by size then position by position */
    int sets[1 << N_WAREHOUSES][N_WAREHOUSES], size[1 << N_WAREHOUSES], n_sets = 0;
    for (int k = 1; k <= cap; k++)
        for (int mask = 1; mask < (1 << n_list); mask++) {
            if (__builtin_popcount((unsigned)mask) != k)
                continue;
            int at = n_sets++;
            size[at] = 0;
            for (int p = 0; p < n_list; p++)
                if (mask & (1 << p))
                    sets[at][size[at]++] = p;
            /* insert among the sets of this size in lexicographic order */
            while (at > 0 && size[at - 1] == k &&
                   memcmp(sets[at - 1], sets[at], (size_t)k * sizeof(int)) > 0) {
                int t[N_WAREHOUSES];
                memcpy(t, sets[at], sizeof t);
                memcpy(sets[at], sets[at - 1], sizeof t);
                memcpy(sets[at - 1], t, sizeof t);
                at--;
            }
        }
    for (int i = 0; i < n_sets; i++) {
        ms_copy(tmp, ms);
        memset(lines, 0, o->n_lines * sizeof *lines);
        int ok = 1;
        for (uint32_t l = 0; l < o->n_lines && ok; l++) {
            int64_t qty = eng_line_qty(&o->lines[l]);
            int32_t p = o->lines[l].product;
            if (qty == 0)
                continue;
            ok = 0;
            for (int m = 0; m < size[i] && !ok; m++) {
                int64_t s = slot_in(n, p, list[sets[i][m]]);
                if (s >= 0 && ms_room(tmp, (uint32_t)s, p, ch) >= qty) {
                    ms_take(tmp, (uint32_t)s, p, ch, qty);
                    lines[l].n_parts = 1;
                    lines[l].slot[0] = (uint32_t)s;
                    lines[l].qty[0] = qty;
                    ok = 1;
                }
            }
        }
        if (ok) {
            ms_copy(ms, tmp);
            return 1;
        }
    }
    memset(lines, 0, o->n_lines * sizeof *lines);
    return 0;
}

static eng_status model_sourced(const night *n, const sourcing *src, mstate *ms, mstate *tmp,
                                const eng_order *o, model_line *lines, int partial,
                                int *no_allowed)
{
    uint32_t list[N_WAREHOUSES];
    int n_list = order_list(n, src, o, list);
    eng_text channel = eng_head_text(o->head, ENG_HT_CHANNEL);
    int ch = text_is(channel, "shop") ? 0 : text_is(channel, "amazon") ? 1 : -1;
    memset(lines, 0, o->n_lines * sizeof *lines);
    *no_allowed = 0;
    int64_t ordered = 0, shipped = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        size_t ns;
        (void)eng_inventory_product_slots(n->setup->inventory, (uint32_t)o->lines[i].product, &ns);
        int found = 0;
        for (int p = 0; p < n_list; p++)
            found |= slot_in(n, o->lines[i].product, list[p]) >= 0;
        if (eng_line_qty(&o->lines[i]) > 0 && ns > 0 && !found)
            *no_allowed = 1;
        ordered += eng_line_qty(&o->lines[i]);
    }
    if (*no_allowed && !partial)
        return ENG_ST_BACKORDERED;
    int cap = src->split == 2 ? 1 : src->max_split ? (int)src->max_split : n_list;
    if (cap > n_list)
        cap = n_list;
    int upto = n_list, capped = 0;
    if (src->split != 0) {
        if (!*no_allowed && model_fewest(n, ms, tmp, ch, o, list, n_list, cap, lines))
            return ENG_ST_SHIPPED;
        if (!partial)
            return ENG_ST_BACKORDERED;
        upto = cap;
    } else {
        capped = cap < n_list;
    }
    ms_copy(tmp, ms); /* to give back under ship_complete */
    int used[N_WAREHOUSES] = {0}, n_used = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        int64_t qty = eng_line_qty(&o->lines[i]);
        int32_t prod = o->lines[i].product;
        model_line *m = &lines[i];
        if (qty == 0)
            continue;
        int64_t whole = -1;
        uint32_t whole_rank = 0;
        for (int p = 0; p < upto && whole < 0; p++) {
            if (capped && !used[list[p]] && n_used >= cap)
                continue;
            int64_t s = slot_in(n, prod, list[p]);
            if (s >= 0 && ms_room(ms, (uint32_t)s, prod, ch) >= qty) {
                whole = s;
                whole_rank = list[p];
            }
        }
        if (whole >= 0) {
            ms_take(ms, (uint32_t)whole, prod, ch, qty);
            m->n_parts = 1;
            m->slot[0] = (uint32_t)whole;
            m->qty[0] = qty;
            shipped += qty;
            n_used += !used[whole_rank];
            used[whole_rank] = 1;
            continue;
        }
        if (!partial) {
            ms_copy(ms, tmp);
            memset(lines, 0, o->n_lines * sizeof *lines);
            return ENG_ST_BACKORDERED;
        }
        int64_t want = qty;
        for (int p = 0; p < upto && want > 0; p++) {
            if (capped && !used[list[p]] && n_used >= cap)
                continue;
            int64_t s = slot_in(n, prod, list[p]);
            int64_t room = s < 0 ? 0 : ms_room(ms, (uint32_t)s, prod, ch);
            int64_t take = room < want ? room : want;
            if (take <= 0)
                continue;
            ms_take(ms, (uint32_t)s, prod, ch, take);
            m->slot[m->n_parts] = (uint32_t)s;
            m->qty[m->n_parts++] = take;
            want -= take;
            shipped += take;
            n_used += !used[list[p]];
            used[list[p]] = 1;
        }
    }
    if (shipped == ordered)
        return ENG_ST_SHIPPED;
    return shipped == 0 ? ENG_ST_BACKORDERED : ENG_ST_PARTIAL;
}

/* Compare the engine's allocation in n with the model; returns mismatches. */
/* reserve_release = second_pass for an order the first pass left PARTIAL: each open
 * line's rest from what its warehouses have now (the first max_split of the list under
 * fewest or single; a new warehouse only while it uses fewer than max_split), added to
 * its parts. */
/* A line's parts in the order of their warehouses in the order's list (slips take them so). */
static void sort_parts(const night *n, const uint32_t *list, int n_list, model_line *m)
{
    const eng_inventory *inv = n->setup->inventory;
    int place[N_WAREHOUSES];
    for (uint32_t j = 0; j < m->n_parts; j++) {
        uint32_t w = eng_inventory_slot(inv, m->slot[j])->wh_rank;
        place[j] = n_list;
        for (int p = 0; p < n_list; p++)
            if (list[p] == w)
                place[j] = p;
    }
    for (uint32_t i = 1; i < m->n_parts; i++)
        for (uint32_t j = i; j > 0 && place[j - 1] > place[j]; j--) {
            int tp = place[j];
            place[j] = place[j - 1];
            place[j - 1] = tp;
            uint32_t ts = m->slot[j];
            m->slot[j] = m->slot[j - 1];
            m->slot[j - 1] = ts;
            int64_t tq = m->qty[j];
            m->qty[j] = m->qty[j - 1];
            m->qty[j - 1] = tq;
        }
}

static eng_status status_of(const eng_order *o, const model_line *lines)
{
    int64_t ordered = 0, shipped = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        ordered += eng_line_qty(&o->lines[i]);
        for (uint32_t j = 0; j < lines[i].n_parts; j++)
            shipped += lines[i].qty[j];
    }
    if (shipped == ordered)
        return ENG_ST_SHIPPED;
    return shipped == 0 ? ENG_ST_BACKORDERED : ENG_ST_PARTIAL;
}

static eng_status model_rest(const night *n, const sourcing *src, mstate *ms, const eng_order *o,
                             model_line *lines, const uint8_t *waits)
{
    const eng_inventory *inv = n->setup->inventory;
    uint32_t list[N_WAREHOUSES];
    int n_list = order_list(n, src, o, list);
    eng_text channel = eng_head_text(o->head, ENG_HT_CHANNEL);
    int ch = text_is(channel, "shop") ? 0 : text_is(channel, "amazon") ? 1 : -1;
    int cap = src->split == 2 ? 1 : src->max_split ? (int)src->max_split : n_list;
    if (cap > n_list)
        cap = n_list;
    int upto = src->split != 0 ? cap : n_list;
    int used[N_WAREHOUSES] = {0}, n_used = 0;
    for (uint32_t i = 0; i < o->n_lines; i++)
        for (uint32_t j = 0; j < lines[i].n_parts; j++) {
            uint32_t w = eng_inventory_slot(inv, lines[i].slot[j])->wh_rank;
            n_used += !used[w];
            used[w] = 1;
        }
    int64_t ordered = 0, shipped = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        model_line *m = &lines[i];
        int32_t prod = o->lines[i].product;
        int64_t want = eng_line_qty(&o->lines[i]);
        ordered += want;
        for (uint32_t j = 0; j < m->n_parts; j++)
            want -= m->qty[j];
        if (waits && waits[i])
            want = 0;
        for (int p = 0; p < upto && want > 0; p++) {
            if (!used[list[p]] && n_used >= cap)
                continue;
            int64_t s = slot_in(n, prod, list[p]);
            int64_t room = s < 0 ? 0 : ms_room(ms, (uint32_t)s, prod, ch);
            int64_t take = room < want ? room : want;
            if (take <= 0)
                continue;
            ms_take(ms, (uint32_t)s, prod, ch, take);
            uint32_t j = 0;
            while (j < m->n_parts && m->slot[j] != (uint32_t)s)
                j++;
            if (j == m->n_parts) {
                m->slot[j] = (uint32_t)s;
                m->qty[j] = 0;
                m->n_parts++;
            }
            m->qty[j] += take;
            want -= take;
            n_used += !used[list[p]];
            used[list[p]] = 1;
        }
        sort_parts(n, list, n_list, m);
        for (uint32_t j = 0; j < m->n_parts; j++)
            shipped += m->qty[j];
    }
    if (shipped == ordered)
        return ENG_ST_SHIPPED;
    return shipped == 0 ? ENG_ST_BACKORDERED : ENG_ST_PARTIAL;
}

/* units shared among k askers (in rank order) by part[]: all of each part when they fit;
 * else floor(units x part / parts) each, then one more each to the largest remainders,
 * the earlier asker on a tie. */
static void share_out(int64_t units, size_t k, const int64_t *part, int64_t *given)
{
    int64_t parts = 0;
    for (size_t i = 0; i < k; i++)
        parts += part[i];
    if (parts <= units) {
        for (size_t i = 0; i < k; i++)
            given[i] = part[i];
        return;
    }
    int64_t left = units;
    for (size_t i = 0; i < k; i++) {
        given[i] = units * part[i] / parts;
        left -= given[i];
    }
    for (; left > 0; left--) {
        size_t best = 0;
        int64_t best_rem = -1;
        for (size_t i = 0; i < k; i++) {
            if (given[i] > units * part[i] / parts)
                continue; /* had its one */
            if (units * part[i] % parts > best_rem) {
                best = i;
                best_rem = units * part[i] % parts;
            }
        }
        given[best]++;
    }
}

/* shortage_rule = proportional, as the issue words it: rounds over every ranked order
 * (ranked[0..n_ranked), their lines at lines + at[r]); see the top. */
static void model_rounds(const night *n, const sourcing *src, mstate *ms,
                         eng_order *const *ranked, size_t n_ranked, const size_t *at,
                         model_line *all, int *no_allowed)
{
    size_t n_lines = at[n_ranked];
    int64_t *want = calloc(n_lines + 1, sizeof *want);
    uint8_t(*asked)[N_WAREHOUSES] = calloc(n_lines + 1, sizeof *asked);
    uint32_t(*list)[N_WAREHOUSES] = calloc(n_ranked + 1, sizeof *list);
    int *n_list = calloc(n_ranked + 1, sizeof *n_list), *cap = calloc(n_ranked + 1, sizeof *cap);
    uint8_t(*used)[N_WAREHOUSES] = calloc(n_ranked + 1, sizeof *used);
    int *n_used = calloc(n_ranked + 1, sizeof *n_used);
    size_t *ask_line = calloc(n_lines + 1, sizeof *ask_line);
    uint32_t *ask_slot = calloc(n_lines + 1, sizeof *ask_slot), *ask_rank = calloc(n_lines + 1, 4);
    int64_t *got = calloc(n_lines + 1, sizeof *got);
    uint8_t *done = calloc(n_lines + 1, 1);
    int *ask_ch = calloc(n_lines + 1, sizeof *ask_ch);
    int32_t *ask_prod = calloc(n_lines + 1, sizeof *ask_prod);
    int64_t *ask_qty = calloc(n_lines + 1, sizeof *ask_qty);
    size_t *idx = calloc(n_lines + 1, sizeof *idx), *sub = calloc(n_lines + 1, sizeof *sub);
    int64_t *part = calloc(n_lines + 1, sizeof *part), *given = calloc(n_lines + 1, sizeof *given);
    if (!want || !asked || !list || !n_list || !cap || !used || !n_used || !ask_line ||
        !ask_slot || !ask_rank || !got || !done || !ask_ch || !ask_prod || !ask_qty || !idx ||
        !sub || !part || !given)
        abort();
    for (size_t r = 0; r < n_ranked; r++) {
        const eng_order *o = ranked[r];
        n_list[r] = order_list(n, src, o, list[r]);
        cap[r] = src->max_split && (int)src->max_split < n_list[r] ? (int)src->max_split : n_list[r];
        no_allowed[r] = 0;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            size_t ns;
            (void)eng_inventory_product_slots(n->setup->inventory, (uint32_t)o->lines[i].product,
                                              &ns);
            int found = 0;
            for (int p = 0; p < n_list[r]; p++)
                found |= slot_in(n, o->lines[i].product, list[r][p]) >= 0;
            if (eng_line_qty(&o->lines[i]) > 0 && ns > 0 && !found)
                no_allowed[r] = 1;
            want[at[r] + i] = eng_line_qty(&o->lines[i]);
            memset(&all[at[r] + i], 0, sizeof all[0]);
        }
    }
    for (;;) {
        size_t n_asks = 0;
        for (size_t r = 0; r < n_ranked; r++) {
            const eng_order *o = ranked[r];
            eng_text channel = eng_head_text(o->head, ENG_HT_CHANNEL);
            int ch = text_is(channel, "shop") ? 0 : text_is(channel, "amazon") ? 1 : -1;
            uint8_t fresh[N_WAREHOUSES] = {0};
            int n_fresh = 0;
            for (uint32_t i = 0; i < o->n_lines; i++) {
                size_t li = at[r] + i;
                int32_t prod = o->lines[i].product;
                if (want[li] == 0)
                    continue;
                int choice = -1, any = -1;
                for (int p = 0; p < n_list[r] && choice < 0; p++) {
                    uint32_t w = list[r][p];
                    if (asked[li][p] || (!used[r][w] && !fresh[w] && n_used[r] + n_fresh >= cap[r]))
                        continue;
                    int64_t sl = slot_in(n, prod, w);
                    if (sl < 0)
                        continue;
                    int64_t room = ms_room(ms, (uint32_t)sl, prod, ch);
                    if (room >= want[li])
                        choice = p;
                    else if (room > 0 && any < 0)
                        any = p;
                }
                if (choice < 0)
                    choice = any;
                if (choice < 0)
                    continue;
                uint32_t w = list[r][choice];
                asked[li][choice] = 1;
                if (!used[r][w] && !fresh[w]) {
                    fresh[w] = 1;
                    n_fresh++;
                }
                ask_line[n_asks] = li;
                ask_rank[n_asks] = (uint32_t)r;
                ask_slot[n_asks] = (uint32_t)slot_in(n, prod, w);
                ask_ch[n_asks] = ch;
                ask_prod[n_asks] = prod;
                ask_qty[n_asks] = want[li];
                got[n_asks] = 0;
                done[n_asks] = 0;
                n_asks++;
            }
        }
        if (n_asks == 0)
            break;
        /* a channel's asks of a SKU past what its cap allows: cut to it, in proportion */
        for (int c = 0; c < 2; c++)
            for (size_t pr = 0; pr < ms->n_products; pr++) {
                int64_t allowed = ms->allowed[pr * 2 + (size_t)c];
                if (allowed == INT64_MAX)
                    continue;
                size_t k = 0;
                for (size_t a = 0; a < n_asks; a++)
                    if (ask_ch[a] == c && ask_prod[a] == (int32_t)pr)
                        idx[k++] = a;
                for (size_t i = 0; i < k; i++)
                    part[i] = ask_qty[idx[i]];
                share_out(allowed, k, part, given);
                for (size_t i = 0; i < k; i++)
                    ask_qty[idx[i]] = given[i];
            }
        /* each slot's askers, in the order they asked (rank order, then line order): each
         * channel's from its reserve there, then all from what no reserve keeps */
        for (size_t a = 0; a < n_asks; a++) {
            if (done[a])
                continue;
            uint32_t sl = ask_slot[a];
            size_t k = 0;
            for (size_t b = a; b < n_asks; b++)
                if (ask_slot[b] == sl) {
                    idx[k++] = b;
                    done[b] = 1;
                }
            for (int c = 0; c < 2; c++) {
                size_t m = 0;
                for (size_t i = 0; i < k; i++)
                    if (ask_ch[idx[i]] == c)
                        sub[m++] = idx[i];
                for (size_t i = 0; i < m; i++)
                    part[i] = ask_qty[sub[i]];
                share_out(ms->kept[sl * 2 + (size_t)c], m, part, given);
                for (size_t i = 0; i < m; i++)
                    got[sub[i]] = given[i];
            }
            for (size_t i = 0; i < k; i++)
                part[i] = ask_qty[idx[i]] - got[idx[i]];
            share_out(ms->free_units[sl] - ms->kept[sl * 2] - ms->kept[sl * 2 + 1], k, part,
                      given);
            for (size_t i = 0; i < k; i++) {
                got[idx[i]] += given[i];
                if (got[idx[i]] > 0)
                    ms_take(ms, sl, ask_prod[idx[i]], ask_ch[idx[i]], got[idx[i]]);
            }
        }
        for (size_t a = 0; a < n_asks; a++) {
            if (got[a] == 0)
                continue;
            size_t li = ask_line[a], r = ask_rank[a];
            model_line *m = &all[li];
            want[li] -= got[a];
            m->slot[m->n_parts] = ask_slot[a];
            m->qty[m->n_parts++] = got[a];
            uint32_t w = eng_inventory_slot(n->setup->inventory, ask_slot[a])->wh_rank;
            if (!used[r][w]) {
                used[r][w] = 1;
                n_used[r]++;
            }
        }
    }
    for (size_t r = 0; r < n_ranked; r++)
        for (uint32_t i = 0; i < ranked[r]->n_lines; i++)
            sort_parts(n, list[r], n_list[r], &all[at[r] + i]);
    free(want);
    free(asked);
    free(list);
    free(n_list);
    free(cap);
    free(used);
    free(n_used);
    free(ask_line);
    free(ask_slot);
    free(ask_rank);
    free(got);
    free(done);
    free(ask_ch);
    free(ask_prod);
    free(ask_qty);
    free(idx);
    free(sub);
    free(part);
    free(given);
}

static int below_fill(int64_t shipped, int64_t outstanding, int32_t bp)
{
    return bp > 0 && shipped > 0 && shipped * 10000 < outstanding * bp;
}

/* A line gives back all it ships, for good: its channel's cap allows it again and its
 * reserve there, unless the reserves were let go, keeps again what the channel's
 * shipments there no longer use (start - min(start, what they still take)). */
static void model_give_back(const night *n, mstate *ms, const mstate *start, int released,
                            int ch, int32_t prod, model_line *m)
{
    (void)n;
    for (uint32_t j = 0; j < m->n_parts; j++) {
        uint32_t sl = m->slot[j];
        int64_t q = m->qty[j];
        ms->free_units[sl] += q;
        if (ch < 0)
            continue;
        if (ms->allowed[(size_t)prod * 2 + (size_t)ch] != INT64_MAX)
            ms->allowed[(size_t)prod * 2 + (size_t)ch] += q;
        /* the reserve keeps what the channel's shipments there no longer use */
        int64_t first = start->kept[sl * 2 + (size_t)ch], *took = &ms->shipped[sl * 2 + (size_t)ch];
        int64_t before = *took < first ? *took : first;
        *took -= q;
        int64_t after = *took < first ? *took : first;
        if (!released)
            ms->kept[sl * 2 + (size_t)ch] += before - after;
    }
    memset(m, 0, sizeof *m);
}

/* The minima on one order: lines first, then the order. Returns whether it waits whole. */
static int model_minima(const night *n, const sourcing *src, mstate *ms, const mstate *start,
                        int released, const eng_order *o, model_line *lines, uint8_t *waits)
{
    eng_text channel = eng_head_text(o->head, ENG_HT_CHANNEL);
    int ch = text_is(channel, "shop") ? 0 : text_is(channel, "amazon") ? 1 : -1;
    int64_t shipped = 0, ordered = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        int64_t got = 0, qty = eng_line_qty(&o->lines[i]);
        for (uint32_t j = 0; j < lines[i].n_parts; j++)
            got += lines[i].qty[j];
        if (below_fill(got, qty, src->line_bp)) {
            model_give_back(n, ms, start, released, ch, o->lines[i].product, &lines[i]);
            waits[i] = 1;
            got = 0;
        }
        shipped += got;
        ordered += qty;
    }
    if (!below_fill(shipped, ordered, src->order_bp))
        return 0;
    for (uint32_t i = 0; i < o->n_lines; i++)
        model_give_back(n, ms, start, released, ch, o->lines[i].product, &lines[i]);
    return 1;
}

/* Compare the engine's allocation in n with the model; returns mismatches. */
static int compare_with_model(const night *n, int partial, const sourcing *src, const char *label)
{
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    size_t n_products = eng_catalog_count(n->setup->catalog);
    size_t n_ranked = n->al->n_ranked;
    mstate ms, tmp;
    ms_alloc(&ms, n_slots, n_products);
    ms_alloc(&tmp, n_slots, n_products);
    ms_start(&ms, n, src);
    int64_t *free_units = ms.free_units;
    /* every ranked order's lines and outcome, so that a second pass can revisit them */
    size_t *at = malloc((n_ranked + 1) * sizeof *at);
    eng_status *st = malloc((n_ranked + 1) * sizeof *st);
    int *no_allowed = calloc(n_ranked + 1, sizeof *no_allowed);
    if (!at || !st || !no_allowed)
        abort();
    at[0] = 0;
    for (size_t r = 0; r < n_ranked; r++) {
        if (n->al->ranked[r]->n_lines > 64)
            abort();
        at[r + 1] = at[r] + n->al->ranked[r]->n_lines;
    }
    model_line *all = calloc(at[n_ranked] + 1, sizeof *all);
    if (!all)
        abort();
    mstate start;
    ms_alloc(&start, n_slots, n_products);
    ms_copy(&start, &ms);
    if (src->on && src->proportional) {
        model_rounds(n, src, &ms, n->al->ranked, n_ranked, at, all, no_allowed);
        for (size_t r = 0; r < n_ranked; r++)
            st[r] = status_of(n->al->ranked[r], &all[at[r]]);
    } else {
        for (size_t r = 0; r < n_ranked; r++) {
            const eng_order *o = n->al->ranked[r];
            st[r] = src->on ? model_sourced(n, src, &ms, &tmp, o, &all[at[r]], partial,
                                            &no_allowed[r])
                            : model_order(n, free_units, o, &all[at[r]], partial);
        }
    }
    int released = 0;
    if (src->on && src->second_pass && (src->n_reserves || src->n_caps)) {
        memset(ms.kept, 0, n_slots * 2 * sizeof *ms.kept); /* the reserves let go */
        released = 1;
        for (size_t r = 0; r < n_ranked; r++) {
            const eng_order *o = n->al->ranked[r];
            if (st[r] == ENG_ST_BACKORDERED)
                st[r] = model_sourced(n, src, &ms, &tmp, o, &all[at[r]], partial, &no_allowed[r]);
            else if (st[r] == ENG_ST_PARTIAL)
                st[r] = model_rest(n, src, &ms, o, &all[at[r]], NULL);
        }
    }
    if (src->on && (src->line_bp || src->order_bp)) {
        /* the minima, then the last pass for the open lines that do not wait */
        uint8_t *waits = calloc(at[n_ranked] + 1, 1), *held = calloc(n_ranked + 1, 1);
        if (!waits || !held)
            abort();
        for (size_t r = 0; r < n_ranked; r++) {
            held[r] = (uint8_t)model_minima(n, src, &ms, &start, released, n->al->ranked[r],
                                            &all[at[r]], &waits[at[r]]);
            st[r] = status_of(n->al->ranked[r], &all[at[r]]);
        }
        for (size_t r = 0; r < n_ranked; r++) {
            const eng_order *o = n->al->ranked[r];
            model_line *lines = &all[at[r]];
            int open = 0, holds = 0, waiting = 0;
            for (uint32_t i = 0; i < o->n_lines; i++) {
                int64_t got = 0;
                for (uint32_t j = 0; j < lines[i].n_parts; j++)
                    got += lines[i].qty[j];
                holds |= got > 0;
                waiting |= waits[at[r] + i];
                open |= !waits[at[r] + i] && got < eng_line_qty(&o->lines[i]);
            }
            if (held[r] || !open)
                continue;
            if (!holds && !waiting)
                st[r] = model_sourced(n, src, &ms, &tmp, o, lines, partial, &no_allowed[r]);
            else
                st[r] = model_rest(n, src, &ms, o, lines, &waits[at[r]]);
            (void)model_minima(n, src, &ms, &start, released, o, lines, &waits[at[r]]);
            st[r] = status_of(o, lines);
        }
        free(waits);
        free(held);
    }
    ms_release(&start);
    int bad = 0;
    uint64_t slip = 1;
    for (size_t r = 0; r < n_ranked && !bad; r++) {
        const eng_order *o = n->al->ranked[r];
        const model_line *lines = &all[at[r]];
        bad |= st[r] != (eng_status)o->status;
        if (st[r] != ENG_ST_SHIPPED)
            bad |= o->code != (no_allowed[r] ? ENG_CODE_NO_ALLOWED_WAREHOUSE
                                             : ENG_CODE_INSUFFICIENT_STOCK);
        for (uint32_t i = 0; i < o->n_lines && !bad; i++) {
            const eng_line *ln = &o->lines[i];
            eng_part one;
            const eng_part *parts = eng_alloc_line_parts(ln, &one);
            bad |= ln->n_parts != lines[i].n_parts;
            for (uint32_t j = 0; j < ln->n_parts && !bad; j++)
                bad |= parts[j].slot != lines[i].slot[j] || parts[j].qty != lines[i].qty[j];
        }
        if (o->n_slips) {
            bad |= o->first_slip != slip;
            slip += o->n_slips;
        }
        if (bad) {
            fprintf(stderr,
                    "  %s: order %.*s (rank %zu) differs from the model: status %d vs %d, code "
                    "%d (model's no_allowed %d), first slip %llu vs %llu\n",
                    label, (int)eng_order_id_len(o), o->id, r, o->status, st[r], o->code,
                    no_allowed[r], (unsigned long long)o->first_slip, (unsigned long long)slip);
            for (uint32_t i = 0; i < o->n_lines; i++) {
                eng_part one;
                const eng_part *parts = eng_alloc_line_parts(&o->lines[i], &one);
                fprintf(stderr, "    line %u qty %lld: engine", i,
                        (long long)eng_line_qty(&o->lines[i]));
                for (uint32_t j = 0; j < o->lines[i].n_parts; j++)
                    fprintf(stderr, " %u:%lld", parts[j].slot, (long long)parts[j].qty);
                fprintf(stderr, " model");
                for (uint32_t j = 0; j < lines[i].n_parts; j++)
                    fprintf(stderr, " %u:%lld", lines[i].slot[j], (long long)lines[i].qty[j]);
                fprintf(stderr, "\n");
            }
        }
    }
    for (size_t s = 0; s < n_slots && !bad; s++)
        bad |= free_units[s] != eng_stock_available(n->al->stock, (uint32_t)s);
    ms_release(&ms);
    ms_release(&tmp);
    free(all);
    free(at);
    free(st);
    free(no_allowed);
    return bad;
}

/* Run the pipeline up to allocation; a stage error aborts the test. */
static void run_night(const night_files *f, unsigned threads, night *n)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    memset(n, 0, sizeof *n);
    char out[96];
    snprintf(out, sizeof out, "%s/out-%u", f->dir, threads);
    const char *orders[2] = {f->orders[0], f->orders[1]};
    eng_run_args a = {.catalog = f->catalog,
                      .inventory = f->inventory,
                      .policy = f->policy,
                      .out = out,
                      .orders = orders,
                      .n_orders = 2,
                      .threads = threads,
                      .run_date = 20784};
    if (eng_setup_new(&a, &n->setup, &err) != ENG_OK)
        goto fail;
    n->setup->chunk_size = 4096; /* many chunks, so batches really race */
    if (eng_batches_read(n->setup, NULL, &n->batches, &err) ||
        eng_book_build(n->setup, n->batches, NULL, &n->book, &err) ||
        eng_allocation_prepare(n->setup, &n->al, &err) ||
        eng_allocation_run(n->setup, n->book, NULL, n->al, &err))
        goto fail;
    return;
fail:
    eng_err_print(&err);
    abort();
}

static void free_night(night *n)
{
    eng_allocation_free(n->al);
    eng_book_free(n->book);
    eng_batches_free(n->batches);
    eng_setup_free(n->setup); /* removes the uncommitted output folder */
}

int main(void)
{
    const char *env = getenv("ENG_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("stress_alloc: ENG_SEED=%llu\n", (unsigned long long)seed);
    fflush(stdout); /* kept even when an assertion aborts the run */
    static const unsigned thread_counts[] = {1, 2, 4, 8};
    for (int round = 0; round < 18; round++) {
        rng = seed * 2654435761u + (uint64_t)round + 1;
        night_files f;
        write_night(&f, 1200, round >= 6, round >= 12 ? round - 12 : round - 6, round >= 12);
        for (size_t t = 0; t < sizeof thread_counts / sizeof *thread_counts; t++) {
            night n;
            run_night(&f, thread_counts[t], &n);
            char label[64];
            snprintf(label, sizeof label, "round %d, %s%s, %u threads", round,
                     f.partial ? "partial" : "ship_complete",
                     !f.src.on               ? ""
                     : f.src.proportional    ? ", sourced, proportional"
                     : f.src.split == 0      ? ", sourced, split = line"
                     : f.src.split == 1 ? ", sourced, split = fewest"
                                        : ", sourced, split = single",
                     thread_counts[t]);
            check(n.al->n_ranked > 500, label, "the night has enough valid orders");
            check(compare_with_model(&n, f.partial, &f.src, label) == 0, label,
                  "allocation equals the sequential model");
            free_night(&n);
        }
        remove_night(&f);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
