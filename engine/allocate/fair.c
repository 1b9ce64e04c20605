/* Proportional shares (fair.h). The rounds run on one thread over the contended orders
 * only: an order of abundant SKUs (alloc.c) finds every warehouse covering every line,
 * so its lines ask their first allowed warehouse in round one and get it whole, which is
 * what extract gave them on any thread.
 *
 * Arithmetic: units x ask fits 128 bits (both below 2^63), and the floors of the shares
 * sum to at most the units shared, so the units left over are fewer than the askers:
 * each gets at most one. Asks of one slot sum below 2^63 x lines, in 128 bits too. */
#include "fair.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct fair_order {
    eng_order *o;
    int who;                      /* its channel for reserves and caps */
    uint32_t first_rank, n_ranks; /* its warehouses in ranks[first_rank..) */
    uint32_t cap, n_used;         /* max_split, and the warehouses it ships from */
    uint32_t first_line, n_lines; /* its wanting lines in lines[first_line..) */
} fair_order;

typedef struct fair_line {
    eng_line *ln;
    int64_t want;
    size_t order; /* in orders */
} fair_line;

typedef struct fair_ask {
    uint32_t line, pos; /* the asker, and the place of the warehouse in its order's list */
    uint32_t slot, seq; /* seq: rank order, then line order */
    uint32_t product;
    int32_t who; /* the order's channel for reserves and caps (share.h), -1 none */
    int64_t qty, got;
    int64_t part, share; /* what apportion shares out, and what it gives */
    __int128 rem;
} fair_ask;

typedef struct fair {
    const eng_routes *routes;
    eng_stock *st;
    eng_shares *sh; /* reserves and caps, or NULL */
    eng_arena *mem;
    fair_order *orders;
    size_t n_orders;
    fair_line *lines;
    size_t n_lines;
    uint32_t *ranks;
    uint8_t *used;  /* per order's place: it ships from that warehouse */
    uint8_t *asked; /* per line, n_ranks of its order: it asked that warehouse */
    size_t *asked_at;
    uint8_t *fresh; /* per order's place, this round: asked, not yet shipped from */
    fair_ask *asks;
    size_t n_asks;
} fair;

/* Add qty units from slot to the line's parts: a new part, as every slot is asked once. */
static eng_rc line_add(eng_line *ln, uint32_t slot, int64_t qty, eng_arena *mem)
{
    int64_t shipped = eng_line_shipped(ln) + qty;
    if (ln->n_parts == 0) {
        eng_line_set_one_slot(ln, slot);
    } else {
        eng_part one;
        const eng_part *had;
        if (ln->n_parts == 1) {
            one.slot = eng_line_one_slot(ln);
            one.qty = eng_line_shipped(ln);
            had = &one;
        } else {
            had = eng_line_parts(ln);
        }
        eng_part *parts =
            eng_arena_alloc(mem, (ln->n_parts + 1) * sizeof *parts, _Alignof(eng_part));
        if (!parts)
            return ENG_NOMEM;
        memcpy(parts, had, ln->n_parts * sizeof *parts);
        parts[ln->n_parts] = (eng_part){slot, qty};
        eng_line_set_parts(ln, parts);
    }
    ln->n_parts++;
    eng_line_set(ln, ENG_LQ_SHIPPED, shipped);
    return ENG_OK;
}

/* The line's ask this round: the place of the first warehouse it has not asked that
 * max_split allows and whose free units cover what it wants, else of the first with any;
 * -1 for none. */
static int64_t choose(const fair *f, const fair_order *fo, size_t li, uint32_t n_fresh)
{
    const fair_line *fl = &f->lines[li];
    const uint8_t *asked = f->asked + f->asked_at[li];
    int64_t any = -1;
    for (uint32_t p = 0; p < fo->n_ranks; p++) {
        size_t at = fo->first_rank + p;
        if (asked[p] || !(f->used[at] || f->fresh[at] || fo->n_used + n_fresh < fo->cap))
            continue;
        int64_t s = eng_routes_slot(f->routes, (uint32_t)fl->ln->product, f->ranks[at]);
        if (s < 0)
            continue;
        int64_t room =
            f->sh ? eng_shares_room(f->sh, f->st, (uint32_t)s, (uint32_t)fl->ln->product, fo->who)
                  : eng_stock_available(f->st, (uint32_t)s);
        if (room >= fl->want)
            return p;
        if (room > 0 && any < 0)
            any = p;
    }
    return any;
}

static int by_slot(const void *x, const void *y)
{
    const fair_ask *a = x, *b = y;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Channel, then product, then rank order: a channel's asks of one slot, or of one SKU. */
static int by_channel(const void *x, const void *y)
{
    const fair_ask *a = x, *b = y;
    if (a->who != b->who)
        return a->who < b->who ? -1 : 1;
    if (a->product != b->product)
        return a->product < b->product ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int by_remainder(const void *x, const void *y)
{
    const fair_ask *a = x, *b = y;
    if (a->rem != b->rem)
        return a->rem > b->rem ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Share units among asks[0..k) by their part: all of it when the parts fit, else each
 * floor(units x part / parts) and the rest one each by largest remainder, ties in rank
 * order; into share. Reorders asks. */
static void apportion(fair_ask *asks, size_t k, int64_t units)
{
    __int128 parts = 0;
    for (size_t i = 0; i < k; i++)
        parts += asks[i].part;
    if (parts <= units) {
        for (size_t i = 0; i < k; i++)
            asks[i].share = asks[i].part;
        return;
    }
    int64_t left = units;
    for (size_t i = 0; i < k; i++) {
        __int128 scaled = (__int128)units * asks[i].part;
        asks[i].share = (int64_t)(scaled / parts);
        asks[i].rem = scaled % parts;
        left -= asks[i].share;
    }
    assert(left >= 0 && (size_t)left < k);
    qsort(asks, k, sizeof *asks, by_remainder);
    for (size_t i = 0; i < (size_t)left; i++)
        asks[i].share++;
}

/* A channel's asks of one SKU in a round past what its cap still allows are cut to it,
 * in proportion. Reorders asks. */
static void cut_to_caps(fair *f)
{
    qsort(f->asks, f->n_asks, sizeof *f->asks, by_channel);
    for (size_t i = 0, j; i < f->n_asks; i = j) {
        fair_ask *a = &f->asks[i];
        for (j = i + 1;
             j < f->n_asks && f->asks[j].who == a->who && f->asks[j].product == a->product; j++)
            ;
        int64_t cap = eng_shares_cap_left(f->sh, a->product, a->who);
        if (cap < 0)
            continue;
        for (size_t k = i; k < j; k++)
            f->asks[k].part = f->asks[k].qty;
        apportion(a, j - i, cap);
        for (size_t k = i; k < j; k++)
            f->asks[k].qty = f->asks[k].share;
    }
}

/* One slot's askers asks[0..k): each its share, from its channel's reserve there first
 * (each channel's askers share what it keeps), then from the units no reserve keeps (all
 * askers share what they still ask). */
static void serve_slot(fair *f, fair_ask *asks, size_t k)
{
    uint32_t slot = asks[0].slot;
    for (size_t i = 0; i < k; i++)
        asks[i].got = 0;
    int64_t common = eng_stock_available(f->st, slot);
    if (f->sh) {
        common -= eng_shares_kept(f->sh, slot);
        qsort(asks, k, sizeof *asks, by_channel);
        for (size_t i = 0, j; i < k; i = j) {
            for (j = i + 1; j < k && asks[j].who == asks[i].who; j++)
                ;
            int64_t kept = eng_shares_reserve_left(f->sh, slot, asks[i].who);
            if (kept == 0)
                continue;
            for (size_t n = i; n < j; n++)
                asks[n].part = asks[n].qty;
            apportion(&asks[i], j - i, kept);
            for (size_t n = i; n < j; n++)
                asks[n].got = asks[n].share;
        }
    }
    for (size_t i = 0; i < k; i++)
        asks[i].part = asks[i].qty - asks[i].got;
    apportion(asks, k, common);
    int64_t given = 0;
    for (size_t i = 0; i < k; i++) {
        asks[i].got += asks[i].share;
        given += asks[i].got;
    }
    if (given > 0) {
        eng_rc rc = eng_stock_reserve(f->st, slot, given);
        assert(rc == ENG_OK); /* one thread: the free units read above are there */
        (void)rc;
    }
    for (size_t i = 0; f->sh && i < k; i++)
        if (asks[i].got > 0)
            eng_shares_take(f->sh, slot, asks[i].product, asks[i].who, asks[i].got);
}

/* One round: every wanting line asks; returns how many did. */
static eng_rc round_once(fair *f, size_t *n_asked)
{
    f->n_asks = 0;
    for (size_t o = 0; o < f->n_orders; o++) {
        fair_order *fo = &f->orders[o];
        uint32_t n_fresh = 0;
        for (uint32_t i = 0; i < fo->n_lines; i++) {
            size_t li = fo->first_line + i;
            if (f->lines[li].want == 0)
                continue;
            int64_t p = choose(f, fo, li, n_fresh);
            if (p < 0)
                continue;
            size_t at = fo->first_rank + (size_t)p;
            f->asked[f->asked_at[li] + (size_t)p] = 1;
            if (!f->used[at] && !f->fresh[at]) {
                f->fresh[at] = 1;
                n_fresh++;
            }
            fair_ask *a = &f->asks[f->n_asks];
            a->line = (uint32_t)li;
            a->pos = (uint32_t)p;
            a->product = (uint32_t)f->lines[li].ln->product;
            a->who = fo->who;
            a->slot = (uint32_t)eng_routes_slot(f->routes, a->product, f->ranks[at]);
            a->seq = (uint32_t)f->n_asks;
            a->qty = f->lines[li].want;
            a->rem = 0;
            f->n_asks++;
        }
        for (uint32_t p = 0; p < fo->n_ranks; p++)
            f->fresh[fo->first_rank + p] = 0;
    }
    *n_asked = f->n_asks;
    if (f->n_asks == 0)
        return ENG_OK;
    if (f->sh) {
        eng_shares_begin(f->sh); /* the takes are for good: no log to keep */
        cut_to_caps(f);
    }
    qsort(f->asks, f->n_asks, sizeof *f->asks, by_slot);
    for (size_t i = 0, j; i < f->n_asks; i = j) {
        for (j = i + 1; j < f->n_asks && f->asks[j].slot == f->asks[i].slot; j++)
            ;
        serve_slot(f, &f->asks[i], j - i);
    }
    /* A line asks once a round: the order its asks are applied in does not matter. */
    for (size_t i = 0; i < f->n_asks; i++) {
        fair_ask *a = &f->asks[i];
        if (a->got == 0)
            continue;
        fair_line *fl = &f->lines[a->line];
        ENG_TRY(line_add(fl->ln, a->slot, a->got, f->mem));
        fl->want -= a->got;
    }
    /* which warehouses each order ships from now */
    for (size_t i = 0; i < f->n_asks; i++) {
        const fair_ask *a = &f->asks[i];
        if (a->got == 0)
            continue;
        size_t o = f->lines[a->line].order;
        size_t at = f->orders[o].first_rank + a->pos;
        if (!f->used[at]) {
            f->used[at] = 1;
            f->orders[o].n_used++;
        }
    }
    return ENG_OK;
}

/* The contended orders, their warehouses and wanting lines. */
static eng_rc gather(fair *f, const fmt_policy *pol, const eng_inventory *inv,
                     eng_order *const *ranked, size_t n)
{
    size_t n_wh = eng_inventory_warehouse_count(inv), n_orders = 0, n_lines = 0;
    for (size_t r = 0; r < n; r++)
        if (ranked[r]->flags & ENG_ORD_CONTENDED) {
            n_orders++;
            n_lines += ranked[r]->n_lines;
        }
    f->orders = malloc((n_orders ? n_orders : 1) * sizeof *f->orders);
    f->lines = malloc((n_lines ? n_lines : 1) * sizeof *f->lines);
    f->asked_at = malloc((n_lines ? n_lines : 1) * sizeof *f->asked_at);
    f->asks = malloc((n_lines ? n_lines : 1) * sizeof *f->asks);
    size_t rank_room = n_orders * (n_wh ? n_wh : 1) + 1;
    f->ranks = malloc(rank_room * sizeof *f->ranks);
    f->used = calloc(rank_room, 1);
    f->fresh = calloc(rank_room, 1);
    if (!f->orders || !f->lines || !f->asked_at || !f->asks || !f->ranks || !f->used || !f->fresh)
        return ENG_NOMEM;
    size_t n_ranks = 0, n_asked = 0;
    for (size_t r = 0; r < n; r++) {
        eng_order *o = ranked[r];
        if (!(o->flags & ENG_ORD_CONTENDED))
            continue;
        fair_order *fo = &f->orders[f->n_orders++];
        uint32_t *ranks = f->ranks + n_ranks;
        size_t k = eng_routes_of(f->routes, o->head, ranks, NULL);
        if (eng_routes_order_lacks(f->routes, inv, o, ranks, k))
            o->flags |= ENG_ORD_NO_ALLOWED;
        int who = f->sh ? eng_shares_channel(f->sh, eng_head_text(o->head, ENG_HT_CHANNEL)) : -1;
        *fo = (fair_order){o,
                           who,
                           (uint32_t)n_ranks,
                           (uint32_t)k,
                           (uint32_t)fmt_policy_split_cap(pol, k),
                           0,
                           (uint32_t)f->n_lines,
                           0};
        n_ranks += k;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            eng_line *ln = &o->lines[i];
            if (eng_line_qty(ln) == 0)
                continue;
            f->asked_at[f->n_lines] = n_asked;
            f->lines[f->n_lines++] = (fair_line){ln, eng_line_qty(ln), f->n_orders - 1};
            fo->n_lines++;
            n_asked += k;
        }
    }
    f->asked = calloc(n_asked ? n_asked : 1, 1);
    return f->asked ? ENG_OK : ENG_NOMEM;
}

eng_rc eng_fair_share(const fmt_policy *pol, const eng_inventory *inv, const eng_routes *routes,
                      eng_stock *st, eng_shares *sh, eng_order *const *ranked, size_t n,
                      eng_arena *mem, eng_err *err)
{
    fair f;
    memset(&f, 0, sizeof f);
    f.routes = routes;
    f.st = st;
    f.sh = sh;
    f.mem = mem;
    eng_rc rc = gather(&f, pol, inv, ranked, n);
    for (size_t asked = 1; rc == ENG_OK && asked > 0;)
        rc = round_once(&f, &asked);
    for (size_t i = 0; rc == ENG_OK && i < f.n_lines; i++) {
        eng_line *ln = f.lines[i].ln;
        const fair_order *fo = &f.orders[f.lines[i].order];
        if (ln->n_parts > 1)
            eng_routes_sort_parts(inv, f.ranks + fo->first_rank, fo->n_ranks, eng_line_parts(ln),
                                  ln->n_parts);
    }
    free(f.orders);
    free(f.lines);
    free(f.asked_at);
    free(f.asks);
    free(f.ranks);
    free(f.used);
    free(f.fresh);
    free(f.asked);
    if (rc == ENG_OK && sh && eng_shares_failed(sh))
        rc = ENG_NOMEM;
    if (rc != ENG_OK)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory sharing stock in proportion");
    return ENG_OK;
}
