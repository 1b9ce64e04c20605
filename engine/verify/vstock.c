/* The stock, slot by slot, and invariants 1 and 2: tonight's slips against the input
 * inventory and the returns ledger's restocks, and tomorrow's inventory.csv against the
 * arithmetic. A slot is a SKU in a warehouse, keyed "SKU\x1fwarehouse"; a blank or absent
 * warehouse is MAIN. The slots stay in v->slots for the checks that need stock (what could
 * have shipped, the alerts), with each SKU's slots chained in warehouse order (README
 * "Rules: Warehouses": the policy's warehouse_order, then the others by name). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

static const char *wh_name(const char *wh)
{
    return *wh ? wh : "MAIN";
}

static int64_t slot_of(eng_vrun *v, fmt_buf *key, size_t *cap, const char *sku, const char *wh)
{
    if (eng__verify_key(key, sku, wh_name(wh), NULL) != 0)
        return -1;
    int added;
    int64_t id = eng_vmap_add(v->slot_keys, key->p, key->len, &added);
    if (id < 0)
        return -1;
    eng_vslot *s = eng__verify_fit(v->slots, cap, (size_t)id, sizeof *s, 256);
    if (!s)
        return -1;
    v->slots = s;
    if (added) {
        v->n_slots = (size_t)id + 1;
        s[id].sku = eng__verify_sku(v, sku, strlen(sku));
        s[id].next_of_sku = ENG_VNONE;
        if (s[id].sku == ENG_VNONE)
            return -1;
    }
    return id;
}

uint32_t eng__verify_slot(const eng_vrun *v, const char *sku, const char *warehouse)
{
    if (!v->slot_keys)
        return ENG_VNONE;
    fmt_buf key;
    fmt_buf_init(&key);
    int64_t id = eng__verify_key(&key, sku, wh_name(warehouse), NULL) == 0
                     ? eng_vmap_find(v->slot_keys, key.p, key.len)
                     : -1;
    fmt_buf_release(&key);
    return id < 0 ? ENG_VNONE : (uint32_t)id;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Warehouse ranks as the run ranks them, from the input inventory's warehouses; then each
 * SKU's slots chained in that order. */
static int rank_warehouses(eng_vrun *v)
{
    size_t n = 0, n_rest = 0, max = v->policy.n_warehouse_order + v->n_slots + 1;
    const char **names = malloc(max * sizeof *names);
    const char **rest = malloc(max * sizeof *rest);
    if (!names || !rest) {
        free(names);
        free(rest);
        return -1;
    }
    for (size_t i = 0; i < v->policy.n_warehouse_order; i++)
        names[n++] = v->policy.warehouse_order[i];
    for (size_t s = 0; s < v->n_slots; s++)
        if (v->slots[s].in_before)
            rest[n_rest++] = strchr(eng_vmap_key(v->slot_keys, (int64_t)s, NULL), ENG_VMAP_SEP) + 1;
    qsort(rest, n_rest, sizeof *rest, cmp_name);
    for (size_t i = 0; i < n_rest; i++) {
        if (i > 0 && strcmp(rest[i], rest[i - 1]) == 0)
            continue;
        int listed = 0;
        for (size_t k = 0; k < v->policy.n_warehouse_order && !listed; k++)
            listed = strcmp(rest[i], v->policy.warehouse_order[k]) == 0;
        if (!listed)
            names[n++] = rest[i];
    }
    free(rest);
    if (n == 0)
        names[n++] = "MAIN";
    assert(n > 0); /* "MAIN" when nothing names a warehouse, as the run ranks them */
    v->warehouses = names;
    v->n_warehouses = n;
    size_t n_skus = eng_vmap_count(v->skus);
    v->sku_first_slot = malloc((n_skus ? n_skus : 1) * sizeof *v->sku_first_slot);
    if (!v->sku_first_slot)
        return -1;
    v->cap_sku_first = n_skus;
    for (size_t k = 0; k < n_skus; k++)
        v->sku_first_slot[k] = ENG_VNONE;
    for (size_t s = 0; s < v->n_slots; s++) {
        eng_vslot *sl = &v->slots[s];
        const char *wh = strchr(eng_vmap_key(v->slot_keys, (int64_t)s, NULL), ENG_VMAP_SEP) + 1;
        sl->wh = ENG_VNONE; /* a warehouse only the outputs name ranks nowhere */
        for (size_t r = 0; r < n && sl->wh == ENG_VNONE; r++)
            if (strcmp(wh, names[r]) == 0)
                sl->wh = (uint32_t)r;
        if (!sl->in_before)
            continue; /* only input inventory rows are the SKU's stock */
        uint32_t *at = &v->sku_first_slot[sl->sku];
        while (*at != ENG_VNONE && v->slots[*at].wh < sl->wh)
            at = &v->slots[*at].next_of_sku;
        sl->next_of_sku = *at;
        *at = (uint32_t)s;
    }
    return 0;
}

uint32_t eng__verify_first_slot(const eng_vrun *v, uint32_t sku)
{
    return v->sku_first_slot && sku < v->cap_sku_first ? v->sku_first_slot[sku] : ENG_VNONE;
}

int64_t eng__verify_free_end(const eng_vslot *s)
{
    int64_t free_units = s->in_before && s->before > s->safety ? s->before - s->safety : 0;
    return free_units + s->restocked - s->shipped;
}

/* Lines of slips.csv that ship from one slot, for a finding. */
static void slot_lines(const eng_vtable *slips, const char *sku, const char *wh, char *dst,
                       size_t cap)
{
    uint64_t lines[11];
    size_t n = 0, total = 0;
    for (size_t r = 0; r < eng_vtable_rows(slips); r++)
        if (strcmp(eng_vtable_get(slips, r, SL_SKU), sku) == 0 &&
            strcmp(wh_name(eng_vtable_get(slips, r, SL_WAREHOUSE)), wh) == 0) {
            if (n < 11)
                lines[n++] = eng_vtable_line(slips, r);
            total++;
        }
    eng__verify_lines(dst, cap, lines, n);
    if (total > n) {
        size_t o = strlen(dst);
        snprintf(dst + o, cap - o, " (%zu lines in all)", total);
    }
}

static void bad_number(eng_vrun *v, const eng_vtable *t, size_t r, const char *col, const char *val)
{
    eng_vreport_unreadable(v->report, "%s:%llu: %s \"%.40s\" is not a whole number >= 0",
                           eng_vtable_label(t), (unsigned long long)eng_vtable_line(t, r), col,
                           val);
}

/* v->slots from the input inventory, the slips, the ledger's restocks and inventory.csv. */
static eng_rc build_slots(eng_vrun *v)
{
    fmt_buf key;
    fmt_buf_init(&key);
    size_t cap = 0;
    eng_rc rc = ENG_NOMEM;
    v->slot_keys = eng_vmap_new();
    if (!v->slot_keys)
        goto done;
    const eng_vtable *in = v->inventory_before;
    for (size_t r = 0; r < eng_vtable_rows(in); r++) {
        int64_t id = slot_of(v, &key, &cap, eng_vtable_get(in, r, IV_SKU),
                             eng_vtable_get(in, r, IV_WAREHOUSE));
        if (id < 0)
            goto done;
        eng_vslot *s = &v->slots[id];
        const struct {
            int col;
            int64_t *dst;
            int blank_is_zero;
            const char *name;
        } counts[] = {
            {IV_ON_HAND, &s->before, 0, "on_hand"},
            {IV_SAFETY_STOCK, &s->safety, 1, "safety_stock"},
            {IV_REORDER_POINT, &s->reorder_point, 1, "reorder_point"},
            {IV_REORDER_QTY, &s->reorder_qty, 1, "reorder_qty"},
        };
        for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
            const char *text = eng_vtable_get(in, r, (size_t)counts[k].col);
            if (eng__verify_count(text, counts[k].blank_is_zero, counts[k].dst) != 0)
                bad_number(v, in, r, counts[k].name, text);
        }
        s->in_before = 1;
    }
    const eng_vtable *sl = v->slips;
    for (size_t r = 0; r < eng_vtable_rows(sl); r++) {
        int64_t id = slot_of(v, &key, &cap, eng_vtable_get(sl, r, SL_SKU),
                             eng_vtable_get(sl, r, SL_WAREHOUSE));
        if (id < 0)
            goto done;
        int64_t q;
        const char *qty = eng_vtable_get(sl, r, SL_QTY);
        if (eng__verify_count(qty, 0, &q) != 0)
            bad_number(v, sl, r, "qty", qty);
        else if (__builtin_add_overflow(v->slots[id].shipped, q, &v->slots[id].shipped))
            v->slots[id].shipped = INT64_MAX;
    }
    const eng_vtable *lg = v->ledger;
    for (size_t r = 0; r < eng_vtable_rows(lg); r++) {
        const char *rq = eng_vtable_get(lg, r, LG_RESTOCK_QTY);
        int64_t q;
        if (eng__verify_count(rq, 1, &q) != 0) {
            bad_number(v, lg, r, "restock_qty", rq);
            continue;
        }
        if (q == 0)
            continue;
        int64_t id = slot_of(v, &key, &cap, eng_vtable_get(lg, r, LG_SKU),
                             eng_vtable_get(lg, r, LG_WAREHOUSE));
        if (id < 0)
            goto done;
        if (__builtin_add_overflow(v->slots[id].restocked, q, &v->slots[id].restocked))
            v->slots[id].restocked = INT64_MAX;
    }
    const eng_vtable *out = v->inventory;
    for (size_t r = 0; out && r < eng_vtable_rows(out); r++) {
        const char *sku = eng_vtable_get(out, r, IV_SKU);
        const char *wh = eng_vtable_get(out, r, IV_WAREHOUSE);
        int64_t id = slot_of(v, &key, &cap, sku, wh);
        if (id < 0)
            goto done;
        eng_vslot *s = &v->slots[id];
        if (s->in_after) {
            eng_vreport_broken(v->report, 2, "SKU %s at %s has two rows in %s (lines %llu, %llu)",
                               sku, wh_name(wh), eng_vtable_label(out),
                               (unsigned long long)s->after_line,
                               (unsigned long long)eng_vtable_line(out, r));
            continue;
        }
        const char *oh = eng_vtable_get(out, r, IV_ON_HAND);
        int64_t after;
        if (eng__verify_int_text(oh, &after) != 0) {
            eng_vreport_broken(v->report, 2,
                               "%s:%llu: on_hand \"%.40s\" of SKU %s at %s is not a "
                               "whole number",
                               eng_vtable_label(out), (unsigned long long)eng_vtable_line(out, r),
                               oh, sku, wh_name(wh));
            continue;
        }
        s->after = after;
        s->after_line = eng_vtable_line(out, r);
        s->in_after = 1;
    }
    rc = rank_warehouses(v) == 0 ? ENG_OK : ENG_NOMEM;
done:
    fmt_buf_release(&key);
    return rc;
}

eng_rc eng__verify_stock(eng_vrun *v)
{
    /* The slots serve later checks even when tomorrow's inventory.csv is missing. */
    if (v->slips && v->inventory_before && v->ledger)
        ENG_TRY(build_slots(v));
    if (!v->slips || !v->inventory_before || !v->inventory || !v->ledger) {
        const char *why = "needs slips.csv, returns_ledger.csv, inventory.csv and the input "
                          "inventory, and one could not be read";
        eng_vreport_unchecked(v->report, 1, "%s", why);
        eng_vreport_unchecked(v->report, 2, "%s", why);
        return ENG_OK;
    }
    const eng_vtable *sl = v->slips, *in = v->inventory_before, *out = v->inventory;
    size_t n_shipping = 0;
    char lines[200];
    for (size_t id = 0; id < v->n_slots; id++) {
        const eng_vslot *s = &v->slots[id];
        const char *key = eng_vmap_key(v->slot_keys, (int64_t)id, NULL);
        const char *wh = strchr(key, ENG_VMAP_SEP) + 1;
        const char *sku = eng_vmap_key(v->skus, s->sku, NULL);
        n_shipping += s->shipped > 0;
        int64_t free_units = s->before - s->safety > 0 ? s->before - s->safety : 0;
        int64_t allowed = (s->in_before ? free_units : 0) + s->restocked;
        if (s->shipped > allowed) {
            lines[0] = '\0';
            if (eng_vreport_count(v->report, 1) < ENG_VREPORT_SHOW)
                slot_lines(sl, sku, wh, lines, sizeof lines);
            if (s->in_before)
                eng_vreport_broken(v->report, 1,
                                   "SKU %s at %s shipped %lld > available %lld (on_hand %lld - "
                                   "safety_stock %lld + restocked %lld) (%s lines %s)",
                                   sku, wh, (long long)s->shipped, (long long)allowed,
                                   (long long)s->before, (long long)s->safety,
                                   (long long)s->restocked, eng_vtable_label(sl), lines);
            else
                eng_vreport_broken(v->report, 1,
                                   "SKU %s at %s shipped %lld but has no row in the input "
                                   "inventory %s (restocked %lld) (%s lines %s)",
                                   sku, wh, (long long)s->shipped, eng_vtable_label(in),
                                   (long long)s->restocked, eng_vtable_label(sl), lines);
        }
        if (!s->in_before && !s->in_after)
            continue; /* already broken above: nothing to carry */
        if (!s->in_after) {
            eng_vreport_broken(v->report, 2,
                               "SKU %s at %s is in the input inventory %s but has no row in %s",
                               sku, wh, eng_vtable_label(in), eng_vtable_label(out));
            continue;
        }
        if (!s->in_before) {
            eng_vreport_broken(v->report, 2,
                               "%s:%llu: SKU %s at %s is not in the input inventory %s",
                               eng_vtable_label(out), (unsigned long long)s->after_line, sku, wh,
                               eng_vtable_label(in));
            continue;
        }
        int64_t want = s->before - s->shipped + s->restocked;
        if (s->after != want)
            eng_vreport_broken(v->report, 2,
                               "%s:%llu: SKU %s at %s on_hand %lld, expected %lld = %lld before "
                               "- %lld shipped + %lld restocked",
                               eng_vtable_label(out), (unsigned long long)s->after_line, sku, wh,
                               (long long)s->after, (long long)want, (long long)s->before,
                               (long long)s->shipped, (long long)s->restocked);
    }
    eng_vreport_detail(v->report, 1, "%zu SKU-warehouse slots ship, none beyond its free stock",
                       n_shipping);
    eng_vreport_detail(v->report, 2, "%zu slots: on_hand after = before - shipped + restocked",
                       eng_vtable_rows(out));
    return ENG_OK;
}
