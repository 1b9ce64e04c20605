/* Invariant 5: with history, nothing ships or refunds twice.
 *
 *   - per order and SKU, what history slips shipped plus what tonight's slips ship is at
 *     most what tonight's orders files ask for (exchange replacement lines aside);
 *   - no request approved tonight was approved in an earlier ledger or twice tonight;
 *   - per order and SKU that tonight's ledger approves a return of, units approved over
 *     the earlier ledgers and tonight's are at most the units history slips shipped
 *     (only those: an earlier ledger may return what a night older than the history
 *     given shipped).
 * Without history (the run had no --history) there is nothing to compare against: the
 * invariant is reported as not checked, not as holding. */
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

typedef struct pair {
    int64_t hist_shipped;
    int64_t tonight;
    int64_t returned;
    int64_t returned_tonight;
    uint64_t first_line;
} pair;

typedef struct tally {
    eng_vmap *map;
    pair *p;
    size_t cap;
    fmt_buf key;
} tally;

static int64_t pair_of(tally *t, const char *id, const char *sku)
{
    t->key.len = 0;
    fmt_buf_puts(&t->key, id);
    fmt_buf_putc(&t->key, ENG_VMAP_SEP);
    fmt_buf_puts(&t->key, sku);
    if (t->key.failed)
        return -1;
    int64_t k = eng_vmap_add(t->map, t->key.p, t->key.len, NULL);
    if (k < 0)
        return -1;
    pair *p = eng__verify_fit(t->p, &t->cap, (size_t)k, sizeof *p, 1024);
    if (!p)
        return -1;
    t->p = p;
    return k;
}

static eng_rc check(eng_vrun *v, tally *t, eng_vmap *requests, eng_vmap *exchanges)
{
    const eng_vtable *sl = v->slips, *lg = v->ledger;
    for (size_t r = 0; r < eng_vtable_rows(lg); r++) {
        const char *no = eng_vtable_get(lg, r, LG_RETURN_NO);
        if (*no && eng_vmap_add(exchanges, no, strlen(no), NULL) < 0)
            return ENG_NOMEM;
    }
    for (size_t h = 0; h < v->n_hist_slips; h++) {
        const eng_vtable *hs = v->hist_slips[h];
        for (size_t r = 0; r < eng_vtable_rows(hs); r++) {
            int64_t q,
                k = pair_of(t, eng_vtable_get(hs, r, SL_ORDER_ID), eng_vtable_get(hs, r, SL_SKU));
            if (k < 0)
                return ENG_NOMEM;
            if (eng__verify_count(eng_vtable_get(hs, r, SL_QTY), 0, &q) == 0)
                t->p[k].hist_shipped += q;
        }
    }
    for (size_t r = 0; r < eng_vtable_rows(sl); r++) {
        const char *id = eng_vtable_get(sl, r, SL_ORDER_ID);
        if (eng_vmap_find(exchanges, id, strlen(id)) >= 0)
            continue;
        int64_t q, k = pair_of(t, id, eng_vtable_get(sl, r, SL_SKU));
        if (k < 0)
            return ENG_NOMEM;
        if (eng__verify_count(eng_vtable_get(sl, r, SL_QTY), 0, &q) == 0)
            t->p[k].tonight += q;
        if (!t->p[k].first_line)
            t->p[k].first_line = eng_vtable_line(sl, r);
    }
    /* Approved requests of earlier ledgers, then tonight's. */
    for (size_t h = 0; h <= v->n_hist_ledgers; h++) {
        const eng_vtable *l = h < v->n_hist_ledgers ? v->hist_ledgers[h] : lg;
        for (size_t r = 0; r < eng_vtable_rows(l); r++) {
            if (strcmp(eng_vtable_get(l, r, LG_DECISION), "APPROVED") != 0)
                continue;
            const char *req = eng_vtable_get(l, r, LG_REQUEST_ID);
            int added;
            if (eng_vmap_add(requests, req, strlen(req), &added) < 0)
                return ENG_NOMEM;
            if (!added && l == lg)
                eng_vreport_broken(v->report, 5,
                                   "%s:%llu: request %s is approved again; an earlier ledger or "
                                   "row already approved it",
                                   eng_vtable_label(l), (unsigned long long)eng_vtable_line(l, r),
                                   req);
            int64_t q,
                k = pair_of(t, eng_vtable_get(l, r, LG_ORDER_ID), eng_vtable_get(l, r, LG_SKU));
            if (k < 0)
                return ENG_NOMEM;
            if (eng__verify_count(eng_vtable_get(l, r, LG_QTY), 0, &q) == 0) {
                t->p[k].returned += q;
                if (l == lg)
                    t->p[k].returned_tonight += q;
            }
        }
    }
    size_t n_pairs = eng_vmap_count(t->map), n_checked = 0;
    for (size_t k = 0; k < n_pairs; k++) {
        const pair *p = &t->p[k];
        size_t len;
        const char *key = eng_vmap_key(t->map, (int64_t)k, &len);
        const char *sku = strchr(key, ENG_VMAP_SEP) + 1;
        int id_len = (int)(sku - 1 - key);
        /* Only where tonight approves: earlier ledgers may return what nights older than
         * the given history shipped. */
        if (p->returned_tonight > 0 && p->returned > p->hist_shipped)
            eng_vreport_broken(v->report, 5,
                               "order %.*s SKU %s: %s approves %lld units for return, %lld over "
                               "all ledgers, history slips shipped %lld",
                               id_len, key, sku, eng_vtable_label(lg),
                               (long long)p->returned_tonight, (long long)p->returned,
                               (long long)p->hist_shipped);
        if (p->tonight == 0 || !v->ordered)
            continue;
        n_checked++;
        int64_t o = eng_vmap_find(v->ordered, key, len);
        int64_t ordered = o >= 0 ? v->ordered_qty[o] : 0;
        if (p->hist_shipped + p->tonight > ordered)
            eng_vreport_broken(v->report, 5,
                               "order %.*s SKU %s: history slips shipped %lld, %s ships %lld more "
                               "(first at line %llu), the order asks for %lld",
                               id_len, key, sku, (long long)p->hist_shipped, eng_vtable_label(sl),
                               (long long)p->tonight, (unsigned long long)p->first_line,
                               (long long)ordered);
    }
    if (!v->ordered)
        eng_vreport_unchecked(v->report, 5,
                              "the orders files could not be read, so what each order asks for "
                              "is unknown");
    else
        eng_vreport_detail(v->report, 5,
                           "%zu order lines ship within what history left open; %zu approved "
                           "requests, none twice",
                           n_checked, eng_vmap_count(requests));
    return ENG_OK;
}

eng_rc eng__verify_history(eng_vrun *v)
{
    if (!v->history_given) {
        eng_vreport_unchecked(v->report, 5,
                              "needs the earlier nights' slips and ledgers (--history); the run "
                              "had none");
        return ENG_OK;
    }
    if (!v->slips || !v->ledger) {
        eng_vreport_unchecked(v->report, 5,
                              "needs slips.csv and returns_ledger.csv, and one could not be read");
        return ENG_OK;
    }
    tally t = {eng_vmap_new(), NULL, 0, {0}};
    fmt_buf_init(&t.key);
    eng_vmap *requests = eng_vmap_new(), *exchanges = eng_vmap_new();
    eng_rc rc = ENG_NOMEM;
    if (t.map && requests && exchanges)
        rc = check(v, &t, requests, exchanges);
    eng_vmap_free(t.map);
    free(t.p);
    fmt_buf_release(&t.key);
    eng_vmap_free(requests);
    eng_vmap_free(exchanges);
    return rc;
}
