/* The replay where an order's turn is not the last word (README "slipway verify"; issue
 * 14): under shortage_rule = proportional, whose rounds share each short warehouse among
 * every line asking it at once, and under min_fill_line_pct and min_fill_order_pct, whose
 * shipments below the minima wait and leave their units to a last pass. Written from the
 * README's rules apart from engine/allocate.
 *
 * So the replay keeps every order's parts for the whole night (a list per line), decides
 * them all, and only then compares each order with its slips, in rank order. A difference
 * is reported and not taken back, so one can show at several orders.
 *
 * The steps, in the engine's order:
 *   1. each order's turn in rank order (vreplay.c's walk), or under proportional the
 *      rounds: every line still wanting units asks one more of its order's warehouses
 *      (not asked yet, allowed by max_split counting the warehouses its order ships from
 *      and those its earlier lines asked this round): the first whose free units cover
 *      what it wants, else the first with any. A slot whose askers want more than it has
 *      gives each floor(free x ask / asked) and the rest one unit each by largest
 *      remainder, ties in rank order then line order. Until no line asks. Under reserves
 *      and caps a line covers what its channel may take there; a channel asking more
 *      of a SKU in a round than its cap allows has its asks cut to it so first, and a
 *      slot serves each channel from its own reserve so first, then all from the rest;
 *   2. reserve_release = second_pass: the reserves let go, every order still open takes
 *      its turn again;
 *   3. the minima, in rank order: a line shipping some, but fewer than min_fill_line_pct
 *      of its units, gives them back and waits; then an order shipping some, but fewer
 *      than min_fill_order_pct, gives back all and waits. A channel's reserve at a slot
 *      then keeps again start - min(start, what its shipments still take there)
 *      (unless released);
 *   4. the last pass, in rank order: each order with a line open that does not wait takes
 *      its turn again (one holding nothing and with no waiting line is walked whole, any
 *      other's open lines take what each of its warehouses has), and the minima apply to
 *      what it then ships. */
#include <stdlib.h>
#include <string.h>

#include "vreplay.h"

#define INV ENG_VCHECK_STATUS

typedef struct npart {
    uint32_t slot;
    int32_t next; /* the line's next part, -1 none */
    int64_t qty;
} npart;

typedef struct late {
    replay *p;
    const eng_vorder *const *orders;
    size_t n;
    int32_t *head; /* per line of v->lines: its first part, -1 none */
    npart *parts;  /* every line's parts, in lists */
    size_t n_parts, cap_parts;
    uint8_t *waits; /* per line of v->lines: below min_fill_line_pct */
    uint8_t *held;  /* per order of orders: below min_fill_order_pct */
} late;

/* The current order's parts (p->mine) become o's parts for the night. */
static void save(late *l, const eng_vorder *o)
{
    replay *p = l->p;
    size_t stride = p->v->n_warehouses + 1;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        int32_t *head = &l->head[o->first_line + i];
        *head = -1;
        for (uint32_t k = p->n_mine[i]; k-- > 0;) {
            npart *grown = eng__verify_fit(l->parts, &l->cap_parts, l->n_parts, sizeof *grown, 256);
            if (!grown) {
                p->failed = 1;
                return;
            }
            l->parts = grown;
            const part *m = &p->mine[(size_t)i * stride + k];
            l->parts[l->n_parts] = (npart){m->slot, *head, m->qty};
            *head = (int32_t)l->n_parts++;
        }
    }
}

/* o's parts for the night into p->mine, as its current order (no stock moves). */
static void load(late *l, const eng_vorder *o)
{
    eng__replay_begin(l->p, o);
    for (uint32_t i = 0; i < o->n_lines; i++)
        for (int32_t k = l->head[o->first_line + i]; k >= 0; k = l->parts[k].next)
            eng__replay_add_part(l->p, i, l->parts[k].slot, l->parts[k].qty);
}

static int64_t shipped_of(const late *l, size_t line)
{
    int64_t n = 0;
    for (int32_t k = l->head[line]; k >= 0; k = l->parts[k].next)
        n += l->parts[k].qty;
    return n;
}

/* ---- 1. proportional rounds ---- */

typedef struct rline {
    const eng_vorder *o;
    size_t order; /* in l->orders */
    uint32_t i;   /* the line in its order */
    int64_t want;
    size_t asked_at; /* its asked flags, one per place of its order's list */
} rline;

typedef struct rask {
    size_t line, seq;
    uint32_t slot, place, sku;
    int who; /* the order's channel for reserves and caps */
    int64_t qty, got;
    int64_t part, given; /* what divide() shares out, and what it gives */
    __int128 rem;
} rask;

typedef struct rounds {
    size_t *first_place; /* per order: its places in places[] */
    size_t *n_places;
    size_t *cap, *n_used;
    uint32_t *places; /* warehouse ranks */
    uint8_t *used, *fresh;
    rline *lines;
    size_t n_lines;
    uint8_t *asked;
    rask *asks;
} rounds;

static int ask_order(const void *x, const void *y)
{
    const rask *a = x, *b = y;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int ask_channel(const void *x, const void *y)
{
    const rask *a = x, *b = y;
    if (a->who != b->who)
        return a->who < b->who ? -1 : 1;
    if (a->sku != b->sku)
        return a->sku < b->sku ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int ask_remainder(const void *x, const void *y)
{
    const rask *a = x, *b = y;
    if (a->rem != b->rem)
        return a->rem > b->rem ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The place line ln asks this round, or -1. */
static long pick(const late *l, const rounds *R, const rline *ln, size_t n_fresh)
{
    const eng_vrun *v = l->p->v;
    uint32_t sku = v->lines[ln->o->first_line + ln->i].sku;
    size_t at = R->first_place[ln->order];
    long any = -1;
    for (size_t q = 0; q < R->n_places[ln->order]; q++) {
        if (R->asked[ln->asked_at + q])
            continue;
        if (!R->used[at + q] && !R->fresh[at + q] &&
            R->n_used[ln->order] + n_fresh >= R->cap[ln->order])
            continue;
        uint32_t s = eng__verify_allowed_slot(v, sku, &R->places[at + q], 1);
        if (s == ENG_VNONE)
            continue;
        int64_t room = eng__replay_room(l->p, s, sku, eng__verify_share_who(v, ln->o));
        if (room >= ln->want)
            return (long)q;
        if (room > 0 && any < 0)
            any = (long)q;
    }
    return any;
}

/* units shared among a[0..k) by part into given: every part when they fit, else
 * floor(units x part / parts) each and one more each for the largest remainders, the
 * earlier asker first on a tie. Reorders a. */
static void divide(rask *a, size_t k, int64_t units)
{
    __int128 parts = 0;
    for (size_t i = 0; i < k; i++)
        parts += a[i].part;
    if (parts <= units) {
        for (size_t i = 0; i < k; i++)
            a[i].given = a[i].part;
        return;
    }
    int64_t rest = units;
    for (size_t i = 0; i < k; i++) {
        a[i].given = (int64_t)((__int128)units * a[i].part / parts);
        a[i].rem = (__int128)units * a[i].part % parts;
        rest -= a[i].given;
    }
    qsort(a, k, sizeof *a, ask_remainder);
    for (size_t i = 0; i < k && rest > 0; i++, rest--)
        a[i].given++;
}

/* A channel asking more of a SKU this round than its cap still allows: its asks cut to
 * the cap, in proportion. */
static void cap_asks(late *l, rask *a, size_t n)
{
    const replay *p = l->p;
    if (!p->nc)
        return;
    qsort(a, n, sizeof *a, ask_channel);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && a[j].who == a[i].who && a[j].sku == a[i].sku; j++)
            ;
        if (a[i].who < 0 || p->cap_left[a[i].sku * p->nc + (size_t)a[i].who] < 0)
            continue;
        for (size_t k = i; k < j; k++)
            a[k].part = a[k].qty;
        divide(&a[i], j - i, p->cap_left[a[i].sku * p->nc + (size_t)a[i].who]);
        for (size_t k = i; k < j; k++)
            a[k].qty = a[k].given;
    }
}

/* One slot's askers: each channel's from what its reserve keeps there, then all of them
 * from what no reserve keeps. */
static void serve(late *l, rask *a, size_t k)
{
    replay *p = l->p;
    uint32_t s = a[0].slot;
    int64_t unreserved = p->free_units[s] - (p->nc ? p->kept_total[s] : 0);
    for (size_t i = 0; i < k; i++)
        a[i].got = 0;
    if (p->nc) {
        qsort(a, k, sizeof *a, ask_channel);
        for (size_t i = 0, j; i < k; i = j) {
            for (j = i + 1; j < k && a[j].who == a[i].who; j++)
                ;
            if (a[i].who < 0 || p->kept[s * p->nc + (size_t)a[i].who] == 0)
                continue;
            for (size_t n = i; n < j; n++)
                a[n].part = a[n].qty;
            divide(&a[i], j - i, p->kept[s * p->nc + (size_t)a[i].who]);
            for (size_t n = i; n < j; n++)
                a[n].got = a[n].given;
        }
    }
    for (size_t i = 0; i < k; i++)
        a[i].part = a[i].qty - a[i].got;
    divide(a, k, unreserved);
    for (size_t i = 0; i < k; i++) {
        a[i].got += a[i].given;
        if (a[i].got > 0)
            eng__replay_take(p, s, a[i].sku, a[i].who, a[i].got);
    }
}

static eng_rc proportional(late *l)
{
    const eng_vrun *v = l->p->v;
    const fmt_policy *pol = &v->policy;
    size_t n_wh = v->n_warehouses ? v->n_warehouses : 1, n_lines = 0;
    for (size_t o = 0; o < l->n; o++)
        n_lines += l->orders[o]->n_lines;
    rounds R;
    memset(&R, 0, sizeof R);
    size_t n = l->n ? l->n : 1;
    R.first_place = malloc(n * sizeof *R.first_place);
    R.n_places = malloc(n * sizeof *R.n_places);
    R.cap = malloc(n * sizeof *R.cap);
    R.n_used = calloc(n, sizeof *R.n_used);
    R.places = malloc(n * n_wh * sizeof *R.places);
    R.used = calloc(n * n_wh, 1);
    R.fresh = calloc(n * n_wh, 1);
    R.lines = malloc((n_lines ? n_lines : 1) * sizeof *R.lines);
    R.asks = malloc((n_lines ? n_lines : 1) * sizeof *R.asks);
    eng_rc rc = ENG_OK;
    if (!R.first_place || !R.n_places || !R.cap || !R.n_used || !R.places || !R.used || !R.fresh ||
        !R.lines || !R.asks)
        rc = ENG_NOMEM;
    size_t n_asked = 0;
    for (size_t o = 0; rc == ENG_OK && o < l->n; o++) {
        const eng_vorder *vo = l->orders[o];
        R.first_place[o] = o * n_wh;
        R.n_places[o] = eng__verify_allowed(v, vo, &R.places[o * n_wh]);
        R.cap[o] = fmt_policy_split_cap(pol, R.n_places[o]);
        for (uint32_t i = 0; i < vo->n_lines; i++)
            if (eng__replay_ours(&v->lines[vo->first_line + i])) {
                R.lines[R.n_lines++] =
                    (rline){vo, o, i, v->lines[vo->first_line + i].outstanding, n_asked};
                n_asked += R.n_places[o];
            }
    }
    if (rc == ENG_OK && !(R.asked = calloc(n_asked ? n_asked : 1, 1)))
        rc = ENG_NOMEM;
    /* each order's parts as the rounds give them */
    for (size_t o = 0; rc == ENG_OK && o < l->n; o++) {
        eng__replay_begin(l->p, l->orders[o]);
        save(l, l->orders[o]);
    }
    for (size_t n_asks = 1; rc == ENG_OK && n_asks > 0;) {
        n_asks = 0;
        for (size_t k = 0; k < R.n_lines;) {
            size_t order = R.lines[k].order, n_fresh = 0;
            for (; k < R.n_lines && R.lines[k].order == order; k++) {
                rline *ln = &R.lines[k];
                if (ln->want == 0)
                    continue;
                long q = pick(l, &R, ln, n_fresh);
                if (q < 0)
                    continue;
                size_t at = R.first_place[order] + (size_t)q;
                R.asked[ln->asked_at + (size_t)q] = 1;
                if (!R.used[at] && !R.fresh[at]) {
                    R.fresh[at] = 1;
                    n_fresh++;
                }
                uint32_t sku = v->lines[ln->o->first_line + ln->i].sku;
                rask *a = &R.asks[n_asks];
                memset(a, 0, sizeof *a);
                a->line = k;
                a->seq = n_asks;
                a->slot = eng__verify_allowed_slot(v, sku, &R.places[at], 1);
                a->place = (uint32_t)q;
                a->sku = sku;
                a->who = eng__verify_share_who(v, ln->o);
                a->qty = ln->want;
                n_asks++;
            }
            memset(&R.fresh[R.first_place[order]], 0, R.n_places[order]);
        }
        l->p->n_log = 0; /* takes for good: nothing to give back */
        cap_asks(l, R.asks, n_asks);
        qsort(R.asks, n_asks, sizeof *R.asks, ask_order);
        for (size_t i = 0, j; i < n_asks; i = j) {
            for (j = i + 1; j < n_asks && R.asks[j].slot == R.asks[i].slot; j++)
                ;
            serve(l, &R.asks[i], j - i);
        }
        for (size_t i = 0; i < n_asks; i++) {
            const rask *a = &R.asks[i];
            if (a->got == 0)
                continue;
            rline *ln = &R.lines[a->line];
            ln->want -= a->got;
            npart *grown = eng__verify_fit(l->parts, &l->cap_parts, l->n_parts, sizeof *grown, 256);
            if (!grown) {
                rc = ENG_NOMEM;
                break;
            }
            l->parts = grown;
            int32_t *head = &l->head[ln->o->first_line + ln->i];
            l->parts[l->n_parts] = (npart){a->slot, *head, a->got};
            *head = (int32_t)l->n_parts++;
            size_t at = R.first_place[ln->order] + a->place;
            if (!R.used[at]) {
                R.used[at] = 1;
                R.n_used[ln->order]++;
            }
        }
    }
    free(R.first_place);
    free(R.n_places);
    free(R.cap);
    free(R.n_used);
    free(R.places);
    free(R.used);
    free(R.fresh);
    free(R.lines);
    free(R.asks);
    free(R.asked);
    return rc;
}

/* ---- 2-4. turns again, minima ---- */

/* Order o takes its turn again: walked whole when it holds nothing and no line of it
 * waits; else its open lines that do not wait take what each of its warehouses has (the
 * first max_split of its list under fewest or single; a new one only while it uses fewer
 * than max_split). */
static void turn_again(late *l, const eng_vorder *o)
{
    replay *p = l->p;
    const eng_vrun *v = p->v;
    const fmt_policy *pol = &v->policy;
    int holds = 0, waiting = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        holds |= l->head[o->first_line + i] >= 0;
        waiting |= l->waits[o->first_line + i];
    }
    if (!holds && !waiting) {
        eng__replay_begin(p, o);
        eng__replay_walk(p, o);
        save(l, o);
        return;
    }
    load(l, o);
    int who = eng__verify_share_who(v, o);
    size_t n = eng__verify_allowed(v, o, p->ranks);
    size_t cap = fmt_policy_split_cap(pol, n);
    if (pol->split != FMT_SPLIT_LINE)
        n = cap;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (!eng__replay_ours(ln) || l->waits[o->first_line + i])
            continue;
        int64_t want = ln->outstanding - shipped_of(l, o->first_line + i);
        if (want > 0)
            eng__replay_take_units(p, i, ln, want, n, cap, 1, who);
    }
    save(l, o);
}

/* Line (of v->lines) of o gives back every unit it ships, for good. */
static void give_back(late *l, const eng_vorder *o, size_t line)
{
    replay *p = l->p;
    const eng_vrun *v = p->v;
    int who = eng__verify_share_who(v, o);
    uint32_t sku = v->lines[line].sku;
    for (int32_t k = l->head[line]; k >= 0; k = l->parts[k].next) {
        uint32_t s = l->parts[k].slot;
        int64_t q = l->parts[k].qty;
        p->free_units[s] += q;
        if (!p->nc || who < 0)
            continue;
        int64_t *cap = &p->cap_left[sku * p->nc + (size_t)who];
        if (*cap >= 0)
            *cap += q;
        /* the reserve keeps start - min(start, what the channel still ships there) */
        int64_t start = eng__verify_reserve_start(v, s, who);
        int64_t *shipped = &p->shipped_at[s * p->nc + (size_t)who];
        int64_t before = *shipped < start ? *shipped : start;
        *shipped -= q;
        int64_t after = *shipped < start ? *shipped : start;
        if (p->released)
            continue;
        p->kept[s * p->nc + (size_t)who] += before - after;
        p->kept_total[s] += before - after;
    }
    l->head[line] = -1;
}

static int below(int64_t shipped, int64_t outstanding, int32_t bp)
{
    /* shipped / outstanding < bp / 10000, in integers */
    return bp > 0 && shipped > 0 && (__int128)shipped * 10000 < (__int128)outstanding * bp;
}

/* The minima on order o (index k in orders) as it stands. */
static void minima(late *l, size_t k)
{
    const eng_vorder *o = l->orders[k];
    const eng_vrun *v = l->p->v;
    int64_t shipped = 0, outstanding = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        size_t line = o->first_line + i;
        const eng_vline *ln = &v->lines[line];
        if (!eng__replay_ours(ln))
            continue;
        int64_t got = shipped_of(l, line);
        if (below(got, ln->outstanding, v->policy.min_fill_line_bp)) {
            give_back(l, o, line);
            l->waits[line] = 1;
            got = 0;
        }
        shipped += got;
        outstanding += ln->outstanding;
    }
    if (below(shipped, outstanding, v->policy.min_fill_order_bp)) {
        for (uint32_t i = 0; i < o->n_lines; i++)
            give_back(l, o, o->first_line + i);
        l->held[k] = 1;
    }
}

/* Whether o has a line of ours still open (waiting ones count with waiting). */
static int open_lines(const late *l, const eng_vorder *o, int with_waiting)
{
    const eng_vrun *v = l->p->v;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        size_t line = o->first_line + i;
        const eng_vline *ln = &v->lines[line];
        if (eng__replay_ours(ln) && (with_waiting || !l->waits[line]) &&
            shipped_of(l, line) < ln->outstanding)
            return 1;
    }
    return 0;
}

eng_rc eng__replay_late(replay *p, const eng_vorder *const *orders, size_t n, part *got)
{
    eng_vrun *v = p->v;
    const fmt_policy *pol = &v->policy;
    late l;
    memset(&l, 0, sizeof l);
    l.p = p;
    l.orders = orders;
    l.n = n;
    l.head = malloc((v->n_lines ? v->n_lines : 1) * sizeof *l.head);
    l.waits = calloc(v->n_lines ? v->n_lines : 1, 1);
    l.held = calloc(n ? n : 1, 1);
    eng_rc rc = l.head && l.waits && l.held ? ENG_OK : ENG_NOMEM;
    if (rc == ENG_OK)
        memset(l.head, 0xff, (v->n_lines ? v->n_lines : 1) * sizeof *l.head);
    for (size_t k = 0; rc == ENG_OK && k < n; k++)
        rc = eng__replay_fit_lines(p, orders[k]);
    if (rc == ENG_OK && pol->shortage == FMT_SHORTAGE_PROPORTIONAL) {
        rc = proportional(&l);
    } else {
        for (size_t k = 0; rc == ENG_OK && k < n; k++) {
            eng__replay_begin(p, orders[k]);
            eng__replay_walk(p, orders[k]);
            save(&l, orders[k]);
        }
    }
    if (rc == ENG_OK && pol->second_pass && (pol->n_reserves || pol->n_caps)) {
        memset(p->kept, 0, v->n_slots * (p->nc ? p->nc : 1) * sizeof *p->kept);
        memset(p->kept_total, 0, (v->n_slots ? v->n_slots : 1) * sizeof *p->kept_total);
        p->released = 1;
        for (size_t k = 0; k < n; k++)
            if (open_lines(&l, orders[k], 1))
                turn_again(&l, orders[k]);
    }
    if (rc == ENG_OK && (pol->min_fill_line_bp > 0 || pol->min_fill_order_bp > 0)) {
        for (size_t k = 0; k < n; k++)
            minima(&l, k);
        for (size_t k = 0; k < n; k++) {
            if (l.held[k] || !open_lines(&l, orders[k], 0))
                continue;
            turn_again(&l, orders[k]);
            minima(&l, k);
        }
    }
    for (size_t k = 0; rc == ENG_OK && k < n; k++) {
        load(&l, orders[k]);
        (void)eng__replay_report(p, orders[k], got);
    }
    if (rc == ENG_OK && p->failed)
        rc = ENG_NOMEM;
    p->n_orders = n;
    free(l.head);
    free(l.waits);
    free(l.held);
    free(l.parts);
    return rc;
}
