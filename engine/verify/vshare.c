/* Reserves and caps (README, "Reserves and caps"), worked out again from the policy and
 * the files, apart from the run's engine/allocate/share.c, and checked as part of
 * invariant 1 (nothing oversells: no channel takes what is kept for another, or more
 * than its cap).
 *
 * Each slot's free units before orders, F, are max(0, on_hand - safety_stock) + restocked
 * - what exchange replacements took there (they come first and are exempt). Reserves of
 * a slot are cut from F in the order of their keys (a SKU key replacing the channel's `*`
 * key), percentages rounded up; a cap is N or P% of the SKU's F over all warehouses,
 * rounded down. Then:
 *   - the channels other than c took at most F - R_c from a slot with reserve R_c for c
 *     (they may use the free units no reserve keeps and their own reserves);
 *   - a channel got at most its cap of a SKU over all warehouses.
 * (Under reserve_release = second_pass only the caps: the reserves let go at the end.)
 * And for "could have shipped" (vstatus.c, vroute.c): a channel's shipments use its own
 * reserve first, so at the end of the night channel d still keeps max(0, R_d - what d
 * took there), and what channel c may still take from a slot is the slot's free units
 * less every other channel's kept units, and at most what its cap leaves. Neither can
 * grow while orders are served, so that too is a bound on what c could take earlier. */
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

struct eng_vshares {
    const char **channels;
    size_t n_channels;
    size_t n_slots, n_skus;
    int64_t *free_start; /* by slot: F */
    int64_t *reserve;    /* slot x channel: R at the start */
    int64_t *took;       /* slot x (channel + 1): units shipped to each channel, last: others */
    int64_t *cap;        /* sku x channel, -1: none */
    int64_t *cap_took;   /* sku x channel */
};

static int channel_index(const eng_vshares *sh, const char *name)
{
    for (size_t i = 0; i < sh->n_channels; i++)
        if (strcmp(sh->channels[i], name) == 0)
            return (int)i;
    return -1;
}

static int64_t sku_id(const eng_vrun *v, const char *sku)
{
    return sku ? eng_vmap_find(v->skus, sku, strlen(sku)) : -1;
}

/* Whether rule i of rules is the one for SKU id k: its own SKU, or `*` when the channel
 * has no key for that SKU. */
static int applies(const eng_vrun *v, const fmt_share_rule *rules, size_t n, size_t i, int64_t k)
{
    if (rules[i].sku)
        return sku_id(v, rules[i].sku) == k;
    for (size_t j = 0; j < n; j++)
        if (rules[j].sku && strcmp(rules[j].channel, rules[i].channel) == 0 &&
            sku_id(v, rules[j].sku) == k)
            return 0;
    return 1;
}

void eng__verify_shares_free(eng_vshares *sh)
{
    if (!sh)
        return;
    free(sh->channels);
    free(sh->free_start);
    free(sh->reserve);
    free(sh->took);
    free(sh->cap);
    free(sh->cap_took);
    free(sh);
}

static eng_rc build(eng_vrun *v, eng_vshares *sh)
{
    const fmt_policy *pol = &v->policy;
    sh->n_slots = v->n_slots;
    sh->n_skus = eng_vmap_count(v->skus);
    sh->channels = malloc((pol->n_reserves + pol->n_caps + 1) * sizeof *sh->channels);
    if (!sh->channels)
        return ENG_NOMEM;
    for (size_t i = 0; i < pol->n_reserves + pol->n_caps; i++) {
        const char *ch =
            i < pol->n_reserves ? pol->reserves[i].channel : pol->caps[i - pol->n_reserves].channel;
        if (channel_index(sh, ch) < 0)
            sh->channels[sh->n_channels++] = ch;
    }
    size_t nc = sh->n_channels, ns = sh->n_slots ? sh->n_slots : 1;
    size_t nk = sh->n_skus ? sh->n_skus : 1;
    sh->free_start = calloc(ns, sizeof *sh->free_start);
    sh->reserve = calloc(ns * nc, sizeof *sh->reserve);
    sh->took = calloc(ns * (nc + 1), sizeof *sh->took);
    sh->cap = malloc(nk * nc * sizeof *sh->cap);
    sh->cap_took = calloc(nk * nc, sizeof *sh->cap_took);
    if (!sh->free_start || !sh->reserve || !sh->took || !sh->cap || !sh->cap_took)
        return ENG_NOMEM;
    for (size_t s = 0; s < sh->n_slots; s++) {
        const eng_vslot *sl = &v->slots[s];
        int64_t f = sl->in_before && sl->before > sl->safety ? sl->before - sl->safety : 0;
        sh->free_start[s] = f + sl->restocked;
    }
    const eng_vtable *t = v->slips;
    for (size_t r = 0; r < eng_vtable_rows(t); r++) {
        const char *id = eng_vtable_get(t, r, SL_ORDER_ID);
        uint32_t s =
            eng__verify_slot(v, eng_vtable_get(t, r, SL_SKU), eng_vtable_get(t, r, SL_WAREHOUSE));
        int64_t q;
        if (s == ENG_VNONE || eng__verify_count(eng_vtable_get(t, r, SL_QTY), 0, &q) != 0)
            continue; /* invariants 1 and 7 name such a row */
        if (eng_vmap_find(v->return_nos, id, strlen(id)) >= 0) {
            sh->free_start[s] -= q; /* an exchange replacement, taken before any order */
            continue;
        }
        int c = channel_index(sh, eng_vtable_get(t, r, SL_CHANNEL));
        int64_t *cell = &sh->took[s * (nc + 1) + (c < 0 ? nc : (size_t)c)];
        if (__builtin_add_overflow(*cell, q, cell))
            *cell = INT64_MAX;
        uint32_t k = v->slots[s].sku;
        if (c >= 0 && k < sh->n_skus &&
            __builtin_add_overflow(sh->cap_took[k * nc + (size_t)c], q,
                                   &sh->cap_took[k * nc + (size_t)c]))
            sh->cap_took[k * nc + (size_t)c] = INT64_MAX;
    }
    for (size_t s = 0; s < sh->n_slots; s++) {
        int64_t f = sh->free_start[s] > 0 ? sh->free_start[s] : 0, given = 0;
        for (size_t i = 0; i < pol->n_reserves; i++) {
            if (!applies(v, pol->reserves, pol->n_reserves, i, v->slots[s].sku))
                continue;
            int64_t want = fmt_share_units(&pol->reserves[i], f, 1);
            int64_t kept = want < f - given ? want : f - given;
            sh->reserve[s * nc + (size_t)channel_index(sh, pol->reserves[i].channel)] += kept;
            given += kept;
        }
    }
    for (size_t k = 0; k < sh->n_skus * nc; k++)
        sh->cap[k] = -1;
    for (size_t k = 0; k < sh->n_skus && pol->n_caps; k++) {
        int64_t total = 0; /* saturating, as the run's */
        for (uint32_t s = eng__verify_first_slot(v, (uint32_t)k); s != ENG_VNONE;
             s = v->slots[s].next_of_sku)
            if (sh->free_start[s] > 0 && __builtin_add_overflow(total, sh->free_start[s], &total))
                total = INT64_MAX;
        for (size_t i = 0; i < pol->n_caps; i++)
            if (applies(v, pol->caps, pol->n_caps, i, (int64_t)k))
                sh->cap[k * nc + (size_t)channel_index(sh, pol->caps[i].channel)] =
                    fmt_share_units(&pol->caps[i], total, 0);
    }
    return ENG_OK;
}

static void check(eng_vrun *v, const eng_vshares *sh)
{
    size_t nc = sh->n_channels;
    /* Under reserve_release = second_pass the reserves let go once every order had its
     * turn, so any channel may end up with them: only the replay can tell. */
    for (size_t s = 0; s < sh->n_slots && !v->policy.second_pass; s++) {
        const char *sku = eng_vmap_key(v->skus, v->slots[s].sku, NULL);
        const char *wh = v->slots[s].wh < v->n_warehouses ? v->warehouses[v->slots[s].wh] : "?";
        int64_t all = 0;
        for (size_t c = 0; c <= nc; c++)
            all += sh->took[s * (nc + 1) + c];
        for (size_t c = 0; c < nc; c++) {
            int64_t r = sh->reserve[s * nc + c];
            int64_t others = all - sh->took[s * (nc + 1) + c];
            if (r > 0 && others > sh->free_start[s] - r)
                eng_vreport_broken(v->report, 1,
                                   "SKU %s at %s: other channels than %s took %lld, but of the "
                                   "%lld free before orders its reserve keeps %lld, leaving them "
                                   "%lld",
                                   sku, wh, sh->channels[c], (long long)others,
                                   (long long)sh->free_start[s], (long long)r,
                                   (long long)(sh->free_start[s] - r));
        }
    }
    for (size_t k = 0; k < sh->n_skus; k++)
        for (size_t c = 0; c < nc; c++) {
            int64_t cap = sh->cap[k * nc + c], got = sh->cap_took[k * nc + c];
            if (cap >= 0 && got > cap)
                eng_vreport_broken(v->report, 1,
                                   "channel %s got %lld of SKU %s tonight; its cap allows %lld",
                                   sh->channels[c], (long long)got,
                                   eng_vmap_key(v->skus, (int64_t)k, NULL), (long long)cap);
        }
}

eng_rc eng__verify_shares(eng_vrun *v)
{
    /* Built for every routed policy: the replay (vreplay.c) starts from its free units. */
    if (!eng__verify_routed(v))
        return ENG_OK;
    if (!v->slots || !v->slips || !v->return_nos) {
        eng_vreport_unchecked(v->report, 1,
                              "reserves and caps need slips.csv, returns_ledger.csv and the "
                              "input inventory, and one could not be read");
        return ENG_OK;
    }
    eng_vshares *sh = calloc(1, sizeof *sh);
    if (!sh)
        return ENG_NOMEM;
    v->shares = sh;
    ENG_TRY(build(v, sh));
    check(v, sh);
    return ENG_OK;
}

int64_t eng__verify_room_end(const eng_vrun *v, uint32_t slot, const eng_vorder *o, int with_cap)
{
    int64_t room = eng__verify_free_end(&v->slots[slot]);
    const eng_vshares *sh = v->shares;
    if (!sh || slot >= sh->n_slots)
        return room;
    size_t nc = sh->n_channels;
    int who = channel_index(sh, eng__verify_head(v, o, FMT_COL_CHANNEL));
    for (size_t c = 0; c < nc; c++) {
        if ((int)c == who)
            continue;
        /* second_pass: an order that ended open was tried again once the reserves kept
         * nothing; one that shipped whole (no cap: with_cap 0) may have had its only turn
         * while they kept all they started with, at most */
        int64_t kept = !v->policy.second_pass
                           ? sh->reserve[slot * nc + c] - sh->took[slot * (nc + 1) + c]
                       : with_cap ? 0
                                  : sh->reserve[slot * nc + c];
        if (kept > 0)
            room -= kept;
    }
    uint32_t k = v->slots[slot].sku;
    if (with_cap && who >= 0 && k < sh->n_skus && sh->cap[k * nc + (size_t)who] >= 0) {
        int64_t left = sh->cap[k * nc + (size_t)who] - sh->cap_took[k * nc + (size_t)who];
        if (left < room)
            room = left;
    }
    return room;
}

int eng__verify_share_who(const eng_vrun *v, const eng_vorder *o)
{
    return v->shares ? channel_index(v->shares, eng__verify_head(v, o, FMT_COL_CHANNEL)) : -1;
}

size_t eng__verify_share_channels(const eng_vrun *v)
{
    return v->shares ? v->shares->n_channels : 0;
}

int64_t eng__verify_free_start(const eng_vrun *v, uint32_t slot)
{
    const eng_vshares *sh = v->shares;
    return sh && slot < sh->n_slots && sh->free_start[slot] > 0 ? sh->free_start[slot] : 0;
}

int64_t eng__verify_reserve_start(const eng_vrun *v, uint32_t slot, int who)
{
    const eng_vshares *sh = v->shares;
    if (!sh || who < 0 || slot >= sh->n_slots)
        return 0;
    return sh->reserve[slot * sh->n_channels + (size_t)who];
}

int64_t eng__verify_cap_start(const eng_vrun *v, uint32_t sku, int who)
{
    const eng_vshares *sh = v->shares;
    if (!sh || who < 0 || sku >= sh->n_skus)
        return -1;
    return sh->cap[sku * sh->n_channels + (size_t)who];
}
