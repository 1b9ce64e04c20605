/* Reserves and caps. Each slot keeps, per channel a reserve names, the units of its
 * reserve still unused, and their sum; each product keeps, per channel a cap names, the
 * units the cap still allows. Invariant, from the start on: a slot's free units are at
 * least the sum of the reserves left there, because a take never passes
 * eng_shares_room, which leaves every other channel's reserve alone:
 *   free - q >= others + (own - min(q, own))  whenever  q <= free - others. */
#include "share.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct take {
    uint32_t slot, product;
    int who;
    int64_t from_reserve, qty;
} take;

struct eng_shares {
    const char **channels; /* distinct channels of the keys, in order of first key */
    size_t n_channels;
    size_t n_slots, n_products;
    int64_t *reserve_left;   /* n_slots x n_channels, NULL without reserves */
    int64_t *reserve_start;  /* the same at the start */
    int64_t *reserved_total; /* per slot: the sum of reserve_left */
    /* n_slots x n_channels: the units each channel's standing takes ship from the slot;
     * its reserve there keeps start - min(start, them) until released */
    int64_t *shipped_at;
    int64_t *cap_left;       /* n_products x n_channels (INT64_MAX: no cap), NULL without caps */
    int64_t *cap_start;
    int released; /* reserve_release = second_pass let go of the reserves */
    take *log; /* this order's takes (eng_shares_begin) */
    size_t n_log, cap_log;
    int failed;
};

static int channel_index(const char **channels, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(channels[i], name) == 0)
            return (int)i;
    return -1;
}

int eng_shares_channel(const eng_shares *sh, eng_text ch)
{
    for (size_t i = 0; i < sh->n_channels; i++)
        if (strlen(sh->channels[i]) == ch.len && memcmp(sh->channels[i], ch.p, ch.len) == 0)
            return (int)i;
    return -1;
}

/* Catalog ids of the rules' SKUs (-1 for `*`, and for a SKU the catalog lacks, which
 * then matches no product). */
static int32_t *rule_products(const fmt_share_rule *rules, size_t n, const eng_catalog *cat)
{
    int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    if (ids)
        for (size_t i = 0; i < n; i++)
            ids[i] = rules[i].sku ? eng_catalog_find(cat, rules[i].sku, strlen(rules[i].sku)) : -1;
    return ids;
}

/* Whether rule i is the one for product p: its own SKU, or `*` with no SKU key of the same
 * channel for p. */
static int rule_applies(const fmt_share_rule *rules, size_t n, const int32_t *ids, size_t i,
                        int32_t p)
{
    if (rules[i].sku)
        return ids[i] == p;
    for (size_t j = 0; j < n; j++)
        if (rules[j].sku && ids[j] == p && strcmp(rules[j].channel, rules[i].channel) == 0)
            return 0;
    return 1;
}

static eng_rc set_reserves(eng_shares *sh, const fmt_policy *pol, const int32_t *ids,
                           const eng_inventory *inv, const eng_stock *st, eng_err *err)
{
    size_t cells = sh->n_slots * sh->n_channels;
    sh->reserve_left = calloc(cells ? cells : 1, sizeof *sh->reserve_left);
    sh->reserve_start = calloc(cells ? cells : 1, sizeof *sh->reserve_start);
    sh->reserved_total = calloc(sh->n_slots ? sh->n_slots : 1, sizeof *sh->reserved_total);
    sh->shipped_at = calloc(cells ? cells : 1, sizeof *sh->shipped_at);
    if (!sh->reserve_left || !sh->reserve_start || !sh->reserved_total || !sh->shipped_at)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory setting up reserves");
    for (uint32_t s = 0; s < sh->n_slots; s++) {
        const eng_slot *sl = eng_inventory_slot(inv, s);
        if (sl->product < 0)
            continue; /* a SKU the catalog lacks is never allocated */
        int64_t free_units = eng_stock_available(st, s), given = 0;
        for (size_t i = 0; i < pol->n_reserves; i++) {
            if (!rule_applies(pol->reserves, pol->n_reserves, ids, i, sl->product))
                continue;
            int64_t want = fmt_share_units(&pol->reserves[i], free_units, 1);
            int64_t kept = want < free_units - given ? want : free_units - given;
            int who = channel_index(sh->channels, sh->n_channels, pol->reserves[i].channel);
            sh->reserve_left[s * sh->n_channels + (size_t)who] += kept;
            given += kept;
        }
        sh->reserved_total[s] = given;
    }
    memcpy(sh->reserve_start, sh->reserve_left, cells * sizeof *sh->reserve_left);
    return ENG_OK;
}

static eng_rc set_caps(eng_shares *sh, const fmt_policy *pol, const int32_t *ids,
                       const eng_inventory *inv, const eng_stock *st, eng_err *err)
{
    size_t cells = sh->n_products * sh->n_channels;
    sh->cap_left = malloc((cells ? cells : 1) * sizeof *sh->cap_left);
    sh->cap_start = malloc((cells ? cells : 1) * sizeof *sh->cap_start);
    if (!sh->cap_left || !sh->cap_start)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory setting up caps");
    for (size_t c = 0; c < cells; c++)
        sh->cap_left[c] = INT64_MAX;
    for (uint32_t p = 0; p < sh->n_products; p++) {
        size_t n_slots;
        const uint32_t *slots = eng_inventory_product_slots(inv, p, &n_slots);
        int64_t total = 0; /* the SKU's free units over all warehouses, saturating */
        for (size_t k = 0; k < n_slots; k++)
            if (__builtin_add_overflow(total, eng_stock_available(st, slots[k]), &total))
                total = INT64_MAX;
        for (size_t i = 0; i < pol->n_caps; i++) {
            if (!rule_applies(pol->caps, pol->n_caps, ids, i, (int32_t)p))
                continue;
            int who = channel_index(sh->channels, sh->n_channels, pol->caps[i].channel);
            sh->cap_left[p * sh->n_channels + (size_t)who] =
                fmt_share_units(&pol->caps[i], total, 0);
        }
    }
    memcpy(sh->cap_start, sh->cap_left, cells * sizeof *sh->cap_left);
    return ENG_OK;
}

eng_rc eng_shares_new(const fmt_policy *pol, const eng_catalog *cat, const eng_inventory *inv,
                      const eng_stock *st, eng_shares **out, eng_err *err)
{
    *out = NULL;
    if (pol->n_reserves == 0 && pol->n_caps == 0)
        return ENG_OK;
    eng_shares *sh = calloc(1, sizeof *sh);
    if (!sh)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory setting up reserves");
    sh->n_slots = eng_inventory_count(inv);
    sh->n_products = eng_catalog_count(cat);
    sh->channels = malloc((pol->n_reserves + pol->n_caps + 1) * sizeof *sh->channels);
    int32_t *reserve_ids = rule_products(pol->reserves, pol->n_reserves, cat);
    int32_t *cap_ids = rule_products(pol->caps, pol->n_caps, cat);
    eng_rc rc = ENG_OK;
    if (!sh->channels || !reserve_ids || !cap_ids)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory setting up reserves");
    for (size_t i = 0; rc == ENG_OK && i < pol->n_reserves + pol->n_caps; i++) {
        const char *ch =
            i < pol->n_reserves ? pol->reserves[i].channel : pol->caps[i - pol->n_reserves].channel;
        if (channel_index(sh->channels, sh->n_channels, ch) < 0)
            sh->channels[sh->n_channels++] = ch;
    }
    if (rc == ENG_OK && pol->n_reserves)
        rc = set_reserves(sh, pol, reserve_ids, inv, st, err);
    if (rc == ENG_OK && pol->n_caps)
        rc = set_caps(sh, pol, cap_ids, inv, st, err);
    free(reserve_ids);
    free(cap_ids);
    if (rc != ENG_OK) {
        eng_shares_free(sh);
        return rc;
    }
    *out = sh;
    return ENG_OK;
}

void eng_shares_free(eng_shares *sh)
{
    if (!sh)
        return;
    free(sh->channels);
    free(sh->reserve_left);
    free(sh->reserve_start);
    free(sh->reserved_total);
    free(sh->shipped_at);
    free(sh->cap_left);
    free(sh->cap_start);
    free(sh->log);
    free(sh);
}

int64_t eng_shares_room(const eng_shares *sh, const eng_stock *st, uint32_t slot, uint32_t product,
                        int who)
{
    return eng_shares_room_plus(sh, st, slot, product, who, 0);
}

int64_t eng_shares_room_plus(const eng_shares *sh, const eng_stock *st, uint32_t slot,
                             uint32_t product, int who, int64_t cap_back)
{
    int64_t room = eng_stock_available(st, slot);
    if (sh->reserve_left) {
        int64_t own = who >= 0 ? sh->reserve_left[slot * sh->n_channels + (size_t)who] : 0;
        room -= sh->reserved_total[slot] - own;
        assert(room >= own); /* the invariant at the top */
    }
    if (sh->cap_left && who >= 0) {
        int64_t cap = sh->cap_left[product * sh->n_channels + (size_t)who];
        if (cap != INT64_MAX && cap + cap_back < room)
            room = cap + cap_back;
    }
    return room > 0 ? room : 0;
}

void eng_shares_take(eng_shares *sh, uint32_t slot, uint32_t product, int who, int64_t qty)
{
    take t = {slot, product, who, 0, qty};
    if (who >= 0 && sh->reserve_left) {
        int64_t *own = &sh->reserve_left[slot * sh->n_channels + (size_t)who];
        t.from_reserve = qty < *own ? qty : *own;
        *own -= t.from_reserve;
        sh->reserved_total[slot] -= t.from_reserve;
        sh->shipped_at[slot * sh->n_channels + (size_t)who] += qty;
    }
    if (who >= 0 && sh->cap_left) {
        int64_t *cap = &sh->cap_left[product * sh->n_channels + (size_t)who];
        assert(*cap >= qty);
        if (*cap != INT64_MAX)
            *cap -= qty;
    }
    if (sh->n_log == sh->cap_log) {
        size_t grown_cap = sh->cap_log ? sh->cap_log * 2 : 16;
        take *grown = realloc(sh->log, grown_cap * sizeof *grown);
        if (!grown) {
            sh->failed = 1;
            return;
        }
        sh->log = grown;
        sh->cap_log = grown_cap;
    }
    sh->log[sh->n_log++] = t;
}

void eng_shares_begin(eng_shares *sh)
{
    sh->n_log = 0;
}

void eng_shares_undo(eng_shares *sh)
{
    for (size_t i = sh->n_log; i-- > 0;) {
        const take *t = &sh->log[i];
        if (t->who < 0)
            continue;
        if (sh->reserve_left) {
            sh->reserve_left[t->slot * sh->n_channels + (size_t)t->who] += t->from_reserve;
            sh->reserved_total[t->slot] += t->from_reserve;
            sh->shipped_at[t->slot * sh->n_channels + (size_t)t->who] -= t->qty;
        }
        if (sh->cap_left) {
            int64_t *cap = &sh->cap_left[t->product * sh->n_channels + (size_t)t->who];
            if (*cap != INT64_MAX)
                *cap += t->qty;
        }
    }
    sh->n_log = 0;
}

int eng_shares_failed(const eng_shares *sh)
{
    return sh->failed;
}

int64_t eng_shares_reserved(const eng_shares *sh, uint32_t slot, int who)
{
    if (!sh->reserve_start || who < 0)
        return 0;
    return sh->reserve_start[slot * sh->n_channels + (size_t)who];
}

int64_t eng_shares_cap(const eng_shares *sh, uint32_t product, int who)
{
    if (!sh->cap_left || who < 0)
        return -1;
    int64_t cap = sh->cap_start[product * sh->n_channels + (size_t)who];
    return cap == INT64_MAX ? -1 : cap;
}

int64_t eng_shares_reserve_left(const eng_shares *sh, uint32_t slot, int who)
{
    if (!sh->reserve_left || who < 0)
        return 0;
    return sh->reserve_left[slot * sh->n_channels + (size_t)who];
}

int64_t eng_shares_cap_left(const eng_shares *sh, uint32_t product, int who)
{
    if (!sh->cap_left || who < 0)
        return -1;
    int64_t cap = sh->cap_left[product * sh->n_channels + (size_t)who];
    return cap == INT64_MAX ? -1 : cap;
}

void eng_shares_release_reserves(eng_shares *sh)
{
    sh->released = 1;
    if (!sh->reserve_left)
        return;
    memset(sh->reserve_left, 0, sh->n_slots * sh->n_channels * sizeof *sh->reserve_left);
    memset(sh->reserved_total, 0, sh->n_slots * sizeof *sh->reserved_total);
}

void eng_shares_give_back(eng_shares *sh, uint32_t product, int who, int64_t qty)
{
    if (!sh->cap_left || who < 0)
        return;
    int64_t *cap = &sh->cap_left[product * sh->n_channels + (size_t)who];
    if (*cap != INT64_MAX)
        *cap += qty;
}

void eng_shares_return(eng_shares *sh, uint32_t slot, uint32_t product, int who, int64_t qty)
{
    eng_shares_give_back(sh, product, who, qty);
    if (!sh->reserve_left || who < 0)
        return;
    size_t at = slot * sh->n_channels + (size_t)who;
    int64_t start = sh->reserve_start[at], before = sh->shipped_at[at];
    assert(before >= qty);
    sh->shipped_at[at] = before - qty;
    if (sh->released)
        return;
    /* what the reserve keeps follows what the channel still ships there */
    int64_t back = (before < start ? before : start) - (before - qty < start ? before - qty : start);
    sh->reserve_left[at] += back;
    sh->reserved_total[slot] += back;
}

int64_t eng_shares_kept(const eng_shares *sh, uint32_t slot)
{
    return sh->reserved_total ? sh->reserved_total[slot] : 0;
}

int eng_shares_capped(const eng_shares *sh, uint32_t product)
{
    for (size_t c = 0; sh->cap_left && c < sh->n_channels; c++)
        if (sh->cap_start[product * sh->n_channels + c] != INT64_MAX)
            return 1;
    return 0;
}
