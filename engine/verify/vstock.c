/* Invariants 1 and 2, per SKU and warehouse (a slot): tonight's slips against the input
 * inventory and the returns ledger's restocks, and tomorrow's inventory.csv against the
 * arithmetic. A slot is keyed "SKU\x1fwarehouse"; a blank or absent warehouse is MAIN. */
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

typedef struct slot {
    int64_t before;
    int64_t safety;
    int64_t shipped;
    int64_t restocked;
    int64_t after;
    uint64_t after_line;
    unsigned in_before : 1, in_after : 1;
} slot;

typedef struct tally {
    eng_vmap *map;
    slot *slots;
    size_t cap;
    fmt_buf key;
} tally;

static int64_t slot_of(tally *t, const char *sku, const char *wh)
{
    t->key.len = 0;
    fmt_buf_puts(&t->key, sku);
    fmt_buf_putc(&t->key, ENG_VMAP_SEP);
    fmt_buf_puts(&t->key, *wh ? wh : "MAIN");
    if (t->key.failed)
        return -1;
    int64_t id = eng_vmap_add(t->map, t->key.p, t->key.len, NULL);
    if (id < 0)
        return -1;
    slot *s = eng__verify_fit(t->slots, &t->cap, (size_t)id, sizeof *s, 256);
    if (!s)
        return -1;
    t->slots = s;
    return id;
}

/* Lines of slips.csv that ship from one slot, for a finding. */
static void slot_lines(const eng_vtable *slips, const char *sku, const char *wh, char *dst,
                       size_t cap)
{
    uint64_t lines[11];
    size_t n = 0, total = 0;
    for (size_t r = 0; r < eng_vtable_rows(slips); r++)
        if (strcmp(eng_vtable_get(slips, r, SL_SKU), sku) == 0 &&
            strcmp(eng_vtable_get(slips, r, SL_WAREHOUSE), wh) == 0) {
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

static int bad_number(eng_vrun *v, const eng_vtable *t, size_t r, const char *col, const char *val)
{
    eng_vreport_unreadable(v->report, "%s:%llu: %s \"%.40s\" is not a whole number >= 0",
                           eng_vtable_label(t), (unsigned long long)eng_vtable_line(t, r), col,
                           val);
    return 0;
}

eng_rc eng__verify_stock(eng_vrun *v)
{
    if (!v->slips || !v->inventory_before || !v->inventory || !v->ledger) {
        const char *why = "needs slips.csv, returns_ledger.csv, inventory.csv and the input "
                          "inventory, and one could not be read";
        eng_vreport_unchecked(v->report, 1, "%s", why);
        eng_vreport_unchecked(v->report, 2, "%s", why);
        return ENG_OK;
    }
    tally t = {eng_vmap_new(), NULL, 0, {0}};
    fmt_buf_init(&t.key);
    eng_rc rc = ENG_NOMEM;
    if (!t.map)
        goto done;
    const eng_vtable *in = v->inventory_before;
    for (size_t r = 0; r < eng_vtable_rows(in); r++) {
        const char *sku = eng_vtable_get(in, r, IV_SKU);
        const char *wh = eng_vtable_get(in, r, IV_WAREHOUSE);
        int64_t id = slot_of(&t, sku, wh);
        if (id < 0)
            goto done;
        slot *s = &t.slots[id];
        const char *oh = eng_vtable_get(in, r, IV_ON_HAND);
        const char *ss = eng_vtable_get(in, r, IV_SAFETY_STOCK);
        if (eng__verify_count(oh, 0, &s->before) != 0)
            bad_number(v, in, r, "on_hand", oh);
        if (eng__verify_count(ss, 1, &s->safety) != 0)
            bad_number(v, in, r, "safety_stock", ss);
        s->in_before = 1;
    }
    const eng_vtable *sl = v->slips;
    for (size_t r = 0; r < eng_vtable_rows(sl); r++) {
        int64_t id =
            slot_of(&t, eng_vtable_get(sl, r, SL_SKU), eng_vtable_get(sl, r, SL_WAREHOUSE));
        if (id < 0)
            goto done;
        int64_t q;
        const char *qty = eng_vtable_get(sl, r, SL_QTY);
        if (eng__verify_count(qty, 0, &q) != 0)
            bad_number(v, sl, r, "qty", qty);
        else
            t.slots[id].shipped += q;
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
        int64_t id =
            slot_of(&t, eng_vtable_get(lg, r, LG_SKU), eng_vtable_get(lg, r, LG_WAREHOUSE));
        if (id < 0)
            goto done;
        t.slots[id].restocked += q;
    }
    const eng_vtable *out = v->inventory;
    for (size_t r = 0; r < eng_vtable_rows(out); r++) {
        const char *sku = eng_vtable_get(out, r, IV_SKU);
        const char *wh = eng_vtable_get(out, r, IV_WAREHOUSE);
        int64_t id = slot_of(&t, sku, wh);
        if (id < 0)
            goto done;
        slot *s = &t.slots[id];
        if (s->in_after) {
            eng_vreport_broken(v->report, 2, "SKU %s at %s has two rows in %s (lines %llu, %llu)",
                               sku, *wh ? wh : "MAIN", eng_vtable_label(out),
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
                               oh, sku, *wh ? wh : "MAIN");
            continue;
        }
        s->after = after;
        s->after_line = eng_vtable_line(out, r);
        s->in_after = 1;
    }

    size_t n_slots = eng_vmap_count(t.map), n_shipping = 0;
    char lines[200];
    for (size_t id = 0; id < n_slots; id++) {
        const slot *s = &t.slots[id];
        const char *key = eng_vmap_key(t.map, (int64_t)id, NULL);
        const char *wh = strchr(key, ENG_VMAP_SEP) + 1;
        int sku_len = (int)(wh - 1 - key);
        char sku[256];
        snprintf(sku, sizeof sku, "%.*s", sku_len, key);
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
    rc = ENG_OK;
done:
    eng_vmap_free(t.map);
    free(t.slots);
    fmt_buf_release(&t.key);
    return rc;
}
