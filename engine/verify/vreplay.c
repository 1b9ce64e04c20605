/* The replay (README "slipway verify", invariant 8; issue 14): under a routed policy,
 * verify walks the night's orders again with its own allocator, written from the README's
 * rules apart from engine/allocate, and each order must get exactly what its slips ship.
 *
 * The walk takes routing.csv's ranked orders in its order (vrouting.c proves that order
 * is rank order) and starts from each slot's free units before orders and the reserves
 * and caps of vshare.c. For each order: its warehouses (vroute.c); NO_ALLOWED_WAREHOUSE
 * when a SKU with inventory rows has none there (nothing under ship_complete); split =
 * fewest or single tries sets of k of its warehouses, k = 1 up to max_split, in
 * lexicographic order of places, each line whole in the first member that covers it, at
 * most 4,096 sets; otherwise (and in partial's fallback, through the first max_split
 * warehouses) line by line, each line whole in the first warehouse that covers it, a new
 * warehouse only while fewer than max_split are used, and under partial what each has;
 * ship_complete gives everything back when a line fails. A channel may take from a slot
 * its free units less the other channels' reserves left there, and no more than its cap
 * leaves of the SKU; its takes use its own reserve first.
 *
 * When an order's lines differ from its slips, the finding names both, and the walk goes
 * on from what the slips really took, so one difference is reported once. Under the
 * shortage rules later passes change earlier orders: vlate.c decides every order first
 * and compares at the end. */
#include <stdlib.h>
#include <string.h>

#include "vreplay.h"

#define INV ENG_VCHECK_STATUS

int64_t eng__replay_room(const replay *p, uint32_t slot, uint32_t sku, int who)
{
    int64_t r = p->free_units[slot];
    if (p->nc) {
        r -= p->kept_total[slot] - (who >= 0 ? p->kept[slot * p->nc + (size_t)who] : 0);
        int64_t cap = who >= 0 ? p->cap_left[sku * p->nc + (size_t)who] : -1;
        if (cap >= 0 && cap < r)
            r = cap;
    }
    return r > 0 ? r : 0;
}

void eng__replay_take(replay *p, uint32_t slot, uint32_t sku, int who, int64_t qty)
{
    take t = {slot, sku, who, qty, 0};
    p->free_units[slot] -= qty;
    if (p->nc && who >= 0) {
        int64_t *own = &p->kept[slot * p->nc + (size_t)who];
        t.from_reserve = qty < *own ? qty : *own;
        *own -= t.from_reserve;
        p->kept_total[slot] -= t.from_reserve;
        p->shipped_at[slot * p->nc + (size_t)who] += qty;
        int64_t *cap = &p->cap_left[sku * p->nc + (size_t)who];
        if (*cap >= 0)
            *cap -= qty;
    }
    take *grown = eng__verify_fit(p->log, &p->cap_log, p->n_log, sizeof *grown, 64);
    if (!grown) {
        p->failed = 1;
        return;
    }
    p->log = grown;
    p->log[p->n_log++] = t;
}

static void undo_all(replay *p, const eng_vorder *o)
{
    for (size_t i = p->n_log; i-- > 0;) {
        const take *t = &p->log[i];
        p->free_units[t->slot] += t->qty;
        if (p->nc && t->who >= 0) {
            p->kept[t->slot * p->nc + (size_t)t->who] += t->from_reserve;
            p->kept_total[t->slot] += t->from_reserve;
            p->shipped_at[t->slot * p->nc + (size_t)t->who] -= t->qty;
            int64_t *cap = &p->cap_left[t->sku * p->nc + (size_t)t->who];
            if (*cap >= 0)
                *cap += t->qty;
        }
    }
    p->n_log = 0;
    memset(p->n_mine, 0, o->n_lines * sizeof *p->n_mine);
    for (size_t w = 0; w < p->v->n_warehouses; w++)
        p->used[w] = 0;
    p->n_used = 0;
}

void eng__replay_add_part(replay *p, uint32_t line, uint32_t slot, int64_t qty)
{
    part *list = &p->mine[(size_t)line * (p->v->n_warehouses + 1)];
    uint32_t at = 0;
    while (at < p->n_mine[line] && list[at].slot != slot)
        at++;
    if (at == p->n_mine[line])
        list[p->n_mine[line]++] = (part){slot, 0};
    list[at].qty += qty; /* a second pass adds to a line's part of a slot */
    uint32_t w = p->v->slots[slot].wh;
    p->n_used += !p->used[w];
    p->used[w] = 1;
}

int eng__replay_ours(const eng_vline *ln)
{
    return ln->outstanding > 0 && ln->line_state == 0 && ln->sku != ENG_VNONE;
}

/* Line i (ln) whole from warehouse w when its channel may take that much there now. */
static int take_whole(replay *p, uint32_t i, const eng_vline *ln, uint32_t w, int who)
{
    uint32_t s = eng__verify_allowed_slot(p->v, ln->sku, &w, 1);
    if (s == ENG_VNONE || eng__replay_room(p, s, ln->sku, who) < ln->outstanding)
        return 0;
    eng__replay_take(p, s, ln->sku, who, ln->outstanding);
    eng__replay_add_part(p, i, s, ln->outstanding);
    return 1;
}

/* Each line whole in the first of members[0..k) that covers it; 1 when all placed. */
static int ship_in_set(replay *p, const eng_vorder *o, const uint32_t *members, size_t k, int who)
{
    const eng_vrun *v = p->v;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (!eng__replay_ours(ln))
            continue;
        int placed = 0;
        for (size_t m = 0; m < k && !placed; m++)
            placed = take_whole(p, i, ln, members[m], who);
        if (!placed)
            return 0;
    }
    return 1;
}

/* split = fewest: sets by size, then by places; at most FMT_SPLIT_MAX_SETS. */
static int ship_fewest(replay *p, const eng_vorder *o, size_t n, size_t cap, int who)
{
    size_t tried = 0, pos[64];
    uint32_t members[64];
    for (size_t k = 1; k <= cap && k <= 64; k++) {
        for (size_t i = 0; i < k; i++)
            pos[i] = i;
        for (;;) {
            if (tried++ == FMT_SPLIT_MAX_SETS)
                return 0;
            for (size_t i = 0; i < k; i++)
                members[i] = p->ranks[pos[i]];
            if (ship_in_set(p, o, members, k, who))
                return 1;
            undo_all(p, o);
            size_t i = k; /* the next set of k places */
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

/* Up to want units of line i (ln) from what each of ranks[0..n) has, in that order; with
 * capped, a new warehouse only while the order uses fewer than cap. */
void eng__replay_take_units(replay *p, uint32_t i, const eng_vline *ln, int64_t want, size_t n,
                       size_t cap, int capped, int who)
{
    for (size_t k = 0; k < n && want > 0; k++) {
        uint32_t w = p->ranks[k];
        if (capped && !p->used[w] && p->n_used >= cap)
            continue;
        uint32_t s = eng__verify_allowed_slot(p->v, ln->sku, &w, 1);
        int64_t got = s == ENG_VNONE ? 0 : eng__replay_room(p, s, ln->sku, who);
        if (got > want)
            got = want;
        if (got <= 0)
            continue;
        eng__replay_take(p, s, ln->sku, who, got);
        eng__replay_add_part(p, i, s, got);
        want -= got;
    }
}

/* Line by line through ranks[0..n); with capped, a new warehouse only below cap. */
static int ship_lines(replay *p, const eng_vorder *o, size_t n, size_t cap, int capped, int who,
                      int partial)
{
    const eng_vrun *v = p->v;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (!eng__replay_ours(ln))
            continue;
        int placed = 0;
        for (size_t k = 0; k < n && !placed; k++) {
            uint32_t w = p->ranks[k];
            if (capped && !p->used[w] && p->n_used >= cap)
                continue;
            placed = take_whole(p, i, ln, w, who);
        }
        if (placed)
            continue;
        if (!partial)
            return 0;
        eng__replay_take_units(p, i, ln, ln->outstanding, n, cap, capped, who);
    }
    return 1;
}

/* The replay's parts of o's lines, in p->mine. */
void eng__replay_walk(replay *p, const eng_vorder *o)
{
    const eng_vrun *v = p->v;
    const fmt_policy *pol = &v->policy;
    int partial = pol->allocation == FMT_ALLOC_PARTIAL;
    int who = eng__verify_share_who(v, o);
    size_t n = eng__verify_allowed(v, o, p->ranks);
    int no_allowed = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (eng__replay_ours(ln) && eng__verify_first_slot(v, ln->sku) != ENG_VNONE &&
            eng__verify_allowed_slot(v, ln->sku, p->ranks, n) == ENG_VNONE)
            no_allowed = 1;
    }
    if (no_allowed && !partial)
        return;
    size_t cap = fmt_policy_split_cap(pol, n);
    if (pol->split != FMT_SPLIT_LINE) {
        if (!no_allowed && ship_fewest(p, o, n, cap, who))
            return;
        if (partial)
            (void)ship_lines(p, o, cap, cap, 0, who, 1);
        return;
    }
    if (!ship_lines(p, o, n, cap, cap < n, who, partial))
        undo_all(p, o);
}

static void describe(const eng_vrun *v, const part *parts, size_t n, char *dst, size_t cap)
{
    size_t o = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(dst + o, cap - o, "%s%lld from %s", i ? ", " : "",
                              (long long)parts[i].qty, v->warehouses[v->slots[parts[i].slot].wh]);
    if (n == 0)
        snprintf(dst, cap, "nothing");
}

/* The slips' parts of line i of o into got (up to n_warehouses + 1); their count. */
static size_t slips_parts(const eng_vrun *v, const eng_vline *ln, part *got)
{
    size_t k = 0;
    for (int32_t r = ln->first_part; r >= 0 && k <= v->n_warehouses; r = v->part_next[r]) {
        int64_t q;
        uint32_t s = eng__verify_slot(v, eng_vtable_get(v->slips, (size_t)r, SL_SKU),
                                      eng_vtable_get(v->slips, (size_t)r, SL_WAREHOUSE));
        if (s == ENG_VNONE || eng__verify_count(eng_vtable_get(v->slips, (size_t)r, SL_QTY), 0, &q))
            continue; /* invariants 1 and 7 name such a row */
        got[k++] = (part){s, q};
    }
    return k;
}

static int same_parts(const part *a, size_t na, const part *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;
        while (j < nb && !(b[j].slot == a[i].slot && b[j].qty == a[i].qty))
            j++;
        if (j == nb)
            return 0;
    }
    return 1;
}

int eng__replay_report(replay *p, const eng_vorder *o, part *got)
{
    eng_vrun *v = p->v;
    size_t stride = v->n_warehouses + 1;
    int differs = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        size_t n_got = slips_parts(v, ln, got);
        const part *mine = &p->mine[(size_t)i * stride];
        if (same_parts(mine, p->n_mine[i], got, n_got))
            continue;
        char want_text[200], got_text[200];
        describe(v, mine, p->n_mine[i], want_text, sizeof want_text);
        describe(v, got, n_got, got_text, sizeof got_text);
        eng_vreport_broken(v->report, INV,
                           "order %s (%s:%llu) line %u: replaying the night in rank order under "
                           "the policy ships %s; %s ships %s",
                           eng__verify_order_id(v, o), v->inputs[o->file].recorded,
                           (unsigned long long)o->line, ln->line_no, want_text,
                           eng_vtable_label(v->slips), got_text);
        differs = 1;
    }
    return differs;
}

/* Compare o's replayed lines with its slips; on a difference take what the slips took
 * instead. */
static void settle(replay *p, const eng_vorder *o, part *got)
{
    eng_vrun *v = p->v;
    int differs = eng__replay_report(p, o, got);
    if (!differs)
        return;
    undo_all(p, o);
    int who = eng__verify_share_who(v, o);
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        size_t n_got = slips_parts(v, ln, got);
        for (size_t k = 0; k < n_got; k++)
            eng__replay_take(p, got[k].slot, ln->sku, who, got[k].qty);
    }
}

/* Whether the replay left an order's lines short of their outstanding units. */
static int left_open(const replay *p, const eng_vorder *o)
{
    const eng_vrun *v = p->v;
    size_t stride = v->n_warehouses + 1;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (!eng__replay_ours(ln))
            continue;
        int64_t got = 0;
        for (uint32_t k = 0; k < p->n_mine[i]; k++)
            got += p->mine[(size_t)i * stride + k].qty;
        if (got < ln->outstanding)
            return 1;
    }
    return 0;
}

/* Keep an open order's first-pass parts for the second pass. */
static void hold(replay *p, const eng_vorder *o)
{
    size_t stride = p->v->n_warehouses + 1;
    held *g = eng__verify_fit(p->held, &p->cap_held, p->n_held, sizeof *g, 64);
    if (!g) {
        p->failed = 1;
        return;
    }
    p->held = g;
    held *h = &p->held[p->n_held++];
    h->o = o;
    h->first = p->n_held_parts;
    h->n = 0;
    for (uint32_t i = 0; i < o->n_lines; i++)
        for (uint32_t k = 0; k < p->n_mine[i]; k++) {
            held_part *gp =
                eng__verify_fit(p->held_parts, &p->cap_held_parts, p->n_held_parts, sizeof *gp, 64);
            if (!gp) {
                p->failed = 1;
                return;
            }
            p->held_parts = gp;
            const part *m = &p->mine[(size_t)i * stride + k];
            p->held_parts[p->n_held_parts++] = (held_part){i, m->slot, m->qty};
            h->n++;
        }
}

void eng__replay_begin(replay *p, const eng_vorder *o)
{
    p->n_log = 0;
    memset(p->n_mine, 0, o->n_lines * sizeof *p->n_mine);
    for (size_t w = 0; w < p->v->n_warehouses; w++)
        p->used[w] = 0;
    p->n_used = 0;
}

/* The second pass for one held order: the reserves let go; one that holds nothing is
 * walked again whole; a PARTIAL one's open lines take what each of its warehouses has
 * now (the first max_split of its list under fewest or single; a new one only while it
 * uses fewer than max_split), added to its parts. Its first-pass takes are given back and
 * taken again so that a difference found after can be undone whole. */
static void second_turn(replay *p, const held *h)
{
    const eng_vrun *v = p->v;
    const eng_vorder *o = h->o;
    const fmt_policy *pol = &v->policy;
    int who = eng__verify_share_who(v, o);
    eng__replay_begin(p, o);
    if (h->n == 0) {
        eng__replay_walk(p, o);
        return;
    }
    for (size_t k = 0; k < h->n; k++) {
        const held_part *hp = &p->held_parts[h->first + k];
        uint32_t sku = v->lines[o->first_line + hp->line].sku;
        p->free_units[hp->slot] += hp->qty;
        if (p->nc && who >= 0) {
            p->shipped_at[hp->slot * p->nc + (size_t)who] -= hp->qty;
            if (p->cap_left[sku * p->nc + (size_t)who] >= 0)
                p->cap_left[sku * p->nc + (size_t)who] += hp->qty;
        }
        eng__replay_take(p, hp->slot, sku, who, hp->qty);
        eng__replay_add_part(p, hp->line, hp->slot, hp->qty);
    }
    size_t n = eng__verify_allowed(v, o, p->ranks);
    size_t cap = fmt_policy_split_cap(pol, n);
    if (pol->split != FMT_SPLIT_LINE)
        n = cap;
    size_t stride = v->n_warehouses + 1;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (!eng__replay_ours(ln))
            continue;
        int64_t want = ln->outstanding;
        for (uint32_t k = 0; k < p->n_mine[i]; k++)
            want -= p->mine[(size_t)i * stride + k].qty;
        if (want > 0)
            eng__replay_take_units(p, i, ln, want, n, cap, 1, who);
    }
}

eng_rc eng__replay_fit_lines(replay *p, const eng_vorder *o)
{
    if (o->n_lines <= p->lines_cap)
        return ENG_OK;
    size_t want = o->n_lines * 2, stride = p->v->n_warehouses + 1;
    part *mine = realloc(p->mine, want * stride * sizeof *mine);
    if (!mine)
        return ENG_NOMEM;
    p->mine = mine;
    uint32_t *n_mine = realloc(p->n_mine, want * sizeof *n_mine);
    if (!n_mine)
        return ENG_NOMEM;
    p->n_mine = n_mine;
    p->lines_cap = want;
    return ENG_OK;
}

static eng_rc setup(replay *p)
{
    eng_vrun *v = p->v;
    p->nc = eng__verify_share_channels(v);
    size_t ns = v->n_slots ? v->n_slots : 1, nk = eng_vmap_count(v->skus) + 1;
    p->free_units = malloc(ns * sizeof *p->free_units);
    p->kept = calloc(ns * (p->nc ? p->nc : 1), sizeof *p->kept);
    p->kept_total = calloc(ns, sizeof *p->kept_total);
    p->shipped_at = calloc(ns * (p->nc ? p->nc : 1), sizeof *p->shipped_at);
    p->cap_left = malloc(nk * (p->nc ? p->nc : 1) * sizeof *p->cap_left);
    p->ranks = malloc((v->n_warehouses + 1) * sizeof *p->ranks);
    p->used = calloc(v->n_warehouses + 1, 1);
    if (!p->free_units || !p->kept || !p->kept_total || !p->shipped_at || !p->cap_left ||
        !p->ranks || !p->used)
        return ENG_NOMEM;
    for (uint32_t s = 0; s < v->n_slots; s++) {
        p->free_units[s] = eng__verify_free_start(v, s);
        for (size_t c = 0; c < p->nc; c++) {
            p->kept[s * p->nc + c] = eng__verify_reserve_start(v, s, (int)c);
            p->kept_total[s] += p->kept[s * p->nc + c];
        }
    }
    for (size_t k = 0; k + 1 < nk; k++)
        for (size_t c = 0; c < p->nc; c++)
            p->cap_left[k * p->nc + c] = eng__verify_cap_start(v, (uint32_t)k, (int)c);
    return ENG_OK;
}

eng_rc eng__verify_replay(eng_vrun *v)
{
    if (!eng__verify_routed(v))
        return ENG_OK;
    if (!v->routing || !v->shares || !v->part_next || !v->status) {
        eng_vreport_unchecked(v->report, INV,
                              "the replay needs routing.csv, slips.csv, order_status.csv and "
                              "the inventory, and one could not be read");
        return ENG_OK;
    }
    replay p;
    memset(&p, 0, sizeof p);
    p.v = v;
    /* the engine's second pass needs reserves or caps to let go of */
    int second = v->policy.second_pass && (v->policy.n_reserves || v->policy.n_caps);
    /* proportional shares and the min_fill keys decide orders again after every turn */
    int late = v->policy.shortage == FMT_SHORTAGE_PROPORTIONAL || v->policy.min_fill_line_bp > 0 ||
               v->policy.min_fill_order_bp > 0;
    const eng_vorder **orders = NULL;
    size_t n_orders = 0, cap_orders = 0;
    part *got = malloc((v->n_warehouses + 1) * sizeof *got);
    eng_rc rc = got ? setup(&p) : ENG_NOMEM;
    const eng_vtable *rt = v->routing;
    for (size_t r = 0; rc == ENG_OK && r < eng_vtable_rows(rt); r++) {
        if (!*eng_vtable_get(rt, r, RT_RANK))
            continue; /* held by the cut-off: not walked tonight */
        const eng_vorder *o = eng__verify_find_order(v, eng_vtable_get(rt, r, RT_CHANNEL),
                                                     eng_vtable_get(rt, r, RT_ORDER_ID));
        if (!o)
            continue; /* vrouting.c named the row */
        if (late) {
            const eng_vorder **grown =
                eng__verify_fit(orders, &cap_orders, n_orders, sizeof *grown, 256);
            if (!grown) {
                rc = ENG_NOMEM;
                break;
            }
            orders = grown;
            orders[n_orders++] = o;
            continue;
        }
        rc = eng__replay_fit_lines(&p, o);
        if (rc != ENG_OK)
            break;
        eng__replay_begin(&p, o);
        eng__replay_walk(&p, o);
        if (second && left_open(&p, o))
            hold(&p, o); /* judged after its second turn */
        else
            settle(&p, o, got);
        if (p.failed)
            rc = ENG_NOMEM;
        p.n_orders++;
    }
    if (rc == ENG_OK && late)
        rc = eng__replay_late(&p, orders, n_orders, got);
    if (rc == ENG_OK && second && !late) {
        /* every order had its turn: the reserves let go, the open ones try again */
        memset(p.kept, 0, v->n_slots * (p.nc ? p.nc : 1) * sizeof *p.kept);
        memset(p.kept_total, 0, (v->n_slots ? v->n_slots : 1) * sizeof *p.kept_total);
        for (size_t h = 0; h < p.n_held && rc == ENG_OK; h++) {
            second_turn(&p, &p.held[h]);
            settle(&p, p.held[h].o, got);
            if (p.failed)
                rc = ENG_NOMEM;
        }
    }
    if (rc == ENG_OK)
        eng_vreport_detail_more(v->report, INV,
                                "replayed in rank order, each of %zu orders gets what its "
                                "slips ship",
                                p.n_orders);
    free(orders);
    free(got);
    free(p.free_units);
    free(p.kept);
    free(p.kept_total);
    free(p.shipped_at);
    free(p.cap_left);
    free(p.log);
    free(p.ranks);
    free(p.used);
    free(p.mine);
    free(p.n_mine);
    free(p.held);
    free(p.held_parts);
    return rc;
}
