/* History, streamed, and invariant 5.
 *
 * Every --history file is read once, row by row (eng_vscan), and only what tonight needs
 * is kept:
 *   - per line of tonight's orders (channel, order id, SKU): the units history slips
 *     shipped (v->hist_units), which the line no longer owes tonight;
 *   - per (order id, SKU) that tonight's ledger approves a return of: the units and
 *     amount history slips shipped, and the units earlier ledgers approved (v->paid);
 *   - per request id tonight's ledger approves: its approvals in earlier ledgers.
 * So memory grows with tonight's orders and requests, never with the history's length (a
 * year of nights is a few GB of CSV). A slip line or approved request found in two files
 * (a plain copy next to its .zst) counts once, as the run counts it; the set that tells
 * holds only the rows kept. A slips file without a channel column (an older slipway)
 * matches tonight's lines by order id and SKU alone.
 *
 * Invariant 5, with history:
 *   - per order and SKU, what history slips shipped plus what tonight's slips ship is at
 *     most what tonight's order asks for (exchange replacement lines aside);
 *   - no request approved tonight was approved in an earlier ledger or twice tonight;
 *   - per order and SKU that tonight's ledger approves a return of, units approved over
 *     the earlier ledgers and tonight's are at most the units history slips shipped
 *     (only those: an earlier ledger may return what a night older than the history
 *     given shipped).
 * Without history (the run had no --history) there is nothing to compare against: the
 * invariant is reported as not checked, not as holding. */
#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "../../formats/num.h"
#include "verify_int.h"

enum {
    H_SLIP_NO,
    H_REQUEST_ID,
    H_DECISION,
    H_ORDER_ID,
    H_CHANNEL,
    H_LINE_NO,
    H_SKU,
    H_QTY,
    H_LINE_AMOUNT,
    H_CURRENCY,
    H_WAREHOUSE,
    H_COUNT
};

/* Both kinds of file; which columns exist tells the kind, as the run tells it. */
static const fmt_column hist_cols[H_COUNT] = {
    {"slip_no", 0},     {"request_id", 0}, {"decision", 0},  {"order_id", 0},
    {"channel", 0},     {"line_no", 0},    {"sku", 0},       {"qty", 0},
    {"line_amount", 0}, {"currency", 0},   {"warehouse", 0},
};
static const int slips_required[] = {H_ORDER_ID, H_SKU, H_QTY, H_LINE_AMOUNT, H_CURRENCY};
static const int ledger_required[] = {H_REQUEST_ID, H_ORDER_ID, H_SKU, H_QTY, H_DECISION};

typedef struct load {
    eng_vrun *v;
    eng_vmap *seen;     /* kept slip lines and approved requests, to count each once */
    eng_vmap *id_skus;  /* "id\x1fsku" of tonight's lines, for slips without a channel */
    uint32_t *id_first; /* by id_skus id: its first pair_skus id */
    uint32_t *id_next;  /* by pair_skus id: the next one of the same id and SKU */
    fmt_buf key;
    uint64_t repeated;
} load;

static int is_approved(const char *decision)
{
    return fmt_header_name_eq((fmt_str){decision, strlen(decision)}, "APPROVED");
}

/* What tonight's ledger asks of history: its approved pairs and request ids. */
static eng_rc register_ledger(eng_vrun *v, fmt_buf *key)
{
    size_t cap_paid = 0, cap_req = 0;
    /* An order is (channel, order id): a ledger that names the channel is matched by it. */
    v->paid_by_channel = v->ledger && eng_vtable_has(v->ledger, LG_CHANNEL);
    for (size_t r = 0; v->ledger && r < eng_vtable_rows(v->ledger); r++) {
        if (!is_approved(eng_vtable_get(v->ledger, r, LG_DECISION)))
            continue;
        if (eng__verify_paid_key(v, key, eng_vtable_get(v->ledger, r, LG_CHANNEL),
                                 eng_vtable_get(v->ledger, r, LG_ORDER_ID),
                                 eng_vtable_get(v->ledger, r, LG_SKU)) != 0)
            return ENG_NOMEM;
        int added;
        int64_t k = eng_vmap_add(v->paid_keys, key->p, key->len, &added);
        eng_vpaid *p = k < 0 ? NULL : eng__verify_fit(v->paid, &cap_paid, (size_t)k, sizeof *p, 64);
        if (!p)
            return ENG_NOMEM;
        v->paid = p;
        if (added)
            p[k].cur = -1;
        const char *req = eng_vtable_get(v->ledger, r, LG_REQUEST_ID);
        k = eng_vmap_add(v->hist_requests, req, strlen(req), NULL);
        int64_t *count =
            k < 0 ? NULL
                  : eng__verify_fit(v->hist_request_count, &cap_req, (size_t)k, sizeof *count, 64);
        if (!count)
            return ENG_NOMEM;
        v->hist_request_count = count;
    }
    /* Arrays cover every key, even when the ledger approved nothing. */
    size_t n = eng_vmap_count(v->paid_keys);
    eng_vpaid *p = eng__verify_fit(v->paid, &cap_paid, n, sizeof *p, 64);
    int64_t *count = eng__verify_fit(v->hist_request_count, &cap_req,
                                     eng_vmap_count(v->hist_requests), sizeof *count, 64);
    if (p)
        v->paid = p;
    if (count)
        v->hist_request_count = count;
    return p && count ? ENG_OK : ENG_NOMEM;
}

/* The id-only index of tonight's lines, built when a slips file lacks a channel column. */
static eng_rc index_ids(load *l)
{
    eng_vrun *v = l->v;
    size_t n = eng_vmap_count(v->pair_skus);
    l->id_skus = eng_vmap_new();
    l->id_first = malloc((n ? n : 1) * sizeof *l->id_first);
    l->id_next = malloc((n ? n : 1) * sizeof *l->id_next);
    uint32_t *last = malloc((n ? n : 1) * sizeof *last);
    eng_rc rc = ENG_NOMEM;
    if (!l->id_skus || !l->id_first || !l->id_next || !last)
        goto done;
    for (size_t k = 0; k < n; k++) {
        /* the key is "channel\x1fid\x1fsku": drop the channel */
        const char *key = eng_vmap_key(v->pair_skus, (int64_t)k, NULL);
        const char *rest = strchr(key, ENG_VMAP_SEP) + 1;
        int added;
        int64_t id = eng_vmap_add(l->id_skus, rest, strlen(rest), &added);
        if (id < 0)
            goto done;
        l->id_next[k] = ENG_VNONE;
        if (added)
            l->id_first[id] = (uint32_t)k;
        else
            l->id_next[last[id]] = (uint32_t)k;
        last[id] = (uint32_t)k;
    }
    rc = ENG_OK;
done:
    free(last);
    return rc;
}

/* 1 when the row was counted already (in another file): key in l->key. */
static int repeated(load *l, int *out)
{
    int added;
    if (eng_vmap_add(l->seen, l->key.p, l->key.len, &added) < 0)
        return -1;
    *out = !added;
    l->repeated += (uint64_t)!added;
    return 0;
}

static eng_rc slip_row(load *l, const eng_vscan *s, int has_channel)
{
    eng_vrun *v = l->v;
    const char *id = eng_vscan_get(s, H_ORDER_ID), *sku = eng_vscan_get(s, H_SKU);
    int64_t qty, psk = -1, paid = -1, amount = 0;
    if (eng__verify_count(eng_vscan_get(s, H_QTY), 0, &qty) != 0)
        return ENG_OK; /* the run refuses such history: it cannot have counted it */
    if (v->hist_units && has_channel) {
        if (eng__verify_key(&l->key, eng_vscan_get(s, H_CHANNEL), id, sku) != 0)
            return ENG_NOMEM;
        psk = eng_vmap_find(v->pair_skus, l->key.p, l->key.len);
    }
    if (eng__verify_key(&l->key, id, sku, NULL) != 0)
        return ENG_NOMEM;
    int64_t by_id = v->hist_units && !has_channel && l->id_skus
                        ? eng_vmap_find(l->id_skus, l->key.p, l->key.len)
                        : -1;
    if (eng__verify_paid_key(v, &l->key, has_channel ? eng_vscan_get(s, H_CHANNEL) : NULL, id,
                             sku) != 0)
        return ENG_NOMEM;
    paid = l->key.len ? eng_vmap_find(v->paid_keys, l->key.p, l->key.len) : -1;
    if (psk < 0 && by_id < 0 && paid < 0)
        return ENG_OK; /* nothing tonight asks about this order and SKU */
    const char *cur = eng_vscan_get(s, H_CURRENCY), *amt = eng_vscan_get(s, H_LINE_AMOUNT);
    if (eng__verify_minor(amt, cur, &amount) != 0)
        amount = 0;
    char q[24], a[24];
    snprintf(q, sizeof q, "%lld", (long long)qty);
    snprintf(a, sizeof a, "%lld", (long long)amount);
    /* A slip line found again counts once; the key has the order and channel, as the
     * run's has: two waves of one date numbered alike are two shipments. */
    l->key.len = 0;
    const char *parts[] = {"S",
                           eng_vscan_get(s, H_SLIP_NO),
                           eng_vscan_get(s, H_LINE_NO),
                           has_channel ? eng_vscan_get(s, H_CHANNEL) : "",
                           id,
                           sku,
                           eng_vscan_get(s, H_WAREHOUSE),
                           q,
                           a};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        fmt_buf_puts(&l->key, parts[i]);
        fmt_buf_putc(&l->key, ENG_VMAP_SEP);
    }
    int seen;
    if (l->key.failed || repeated(l, &seen) != 0)
        return ENG_NOMEM;
    if (seen)
        return ENG_OK;
    if (psk >= 0 && __builtin_add_overflow(v->hist_units[psk], qty, &v->hist_units[psk]))
        v->hist_units[psk] = INT64_MAX;
    for (uint32_t k = by_id >= 0 ? l->id_first[by_id] : ENG_VNONE; k != ENG_VNONE;
         k = l->id_next[k])
        if (__builtin_add_overflow(v->hist_units[k], qty, &v->hist_units[k]))
            v->hist_units[k] = INT64_MAX;
    if (paid >= 0) {
        eng_vpaid *p = &v->paid[paid];
        p->amount += amount;
        if (__builtin_add_overflow(p->units, qty, &p->units))
            p->units = INT64_MAX;
        p->cur = fmt_currency_find(cur, strlen(cur));
    }
    return ENG_OK;
}

static eng_rc ledger_row(load *l, const eng_vscan *s)
{
    eng_vrun *v = l->v;
    if (!is_approved(eng_vscan_get(s, H_DECISION)))
        return ENG_OK;
    const char *req = eng_vscan_get(s, H_REQUEST_ID);
    int64_t asked = eng_vmap_find(v->hist_requests, req, strlen(req));
    if (eng__verify_paid_key(v, &l->key,
                             eng_vscan_has(s, H_CHANNEL) ? eng_vscan_get(s, H_CHANNEL) : NULL,
                             eng_vscan_get(s, H_ORDER_ID), eng_vscan_get(s, H_SKU)) != 0)
        return ENG_NOMEM;
    int64_t paid = l->key.len ? eng_vmap_find(v->paid_keys, l->key.p, l->key.len) : -1;
    if (asked < 0 && paid < 0)
        return ENG_OK;
    if (eng__verify_key(&l->key, "R", req, NULL) != 0)
        return ENG_NOMEM;
    int seen;
    if (repeated(l, &seen) != 0)
        return ENG_NOMEM;
    if (seen)
        return ENG_OK;
    if (asked >= 0)
        v->hist_request_count[asked]++;
    int64_t qty;
    if (paid >= 0 && eng__verify_count(eng_vscan_get(s, H_QTY), 0, &qty) == 0 &&
        __builtin_add_overflow(v->paid[paid].returned, qty, &v->paid[paid].returned))
        v->paid[paid].returned = INT64_MAX;
    return ENG_OK;
}

static eng_rc stream_file(load *l, eng_vinput *in)
{
    eng_vrun *v = l->v;
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_vscan *s = NULL;
    eng_rc rc = eng_vscan_open(in->path, in->path, hist_cols, H_COUNT, 1, &s, &err);
    if (rc == ENG_NOMEM)
        return rc;
    if (rc != ENG_OK) {
        eng_vreport_unreadable(v->report, "history %s: %s", in->path, err.msg);
        in->unreadable = 1;
        return ENG_OK;
    }
    int is_slips = eng_vscan_has(s, H_SLIP_NO);
    int is_ledger = !is_slips && eng_vscan_has(s, H_REQUEST_ID) && eng_vscan_has(s, H_DECISION);
    const int *required = is_slips ? slips_required : ledger_required;
    size_t n_required = is_slips ? sizeof slips_required / sizeof *slips_required
                                 : sizeof ledger_required / sizeof *ledger_required;
    if (!is_slips && !is_ledger) {
        eng_vreport_unreadable(v->report,
                               "history %s: neither a slips.csv (slip_no) nor a "
                               "returns_ledger.csv (request_id, decision)",
                               in->path);
        in->unreadable = 1;
        goto done;
    }
    for (size_t k = 0; k < n_required; k++)
        if (!eng_vscan_has(s, (size_t)required[k])) {
            eng_vreport_unreadable(v->report, "history %s: required column \"%s\" is missing",
                                   in->path, hist_cols[required[k]].name);
            in->unreadable = 1;
            goto done;
        }
    int has_channel = eng_vscan_has(s, H_CHANNEL);
    if (is_slips && !has_channel && v->hist_units && !l->id_skus && (rc = index_ids(l)) != ENG_OK)
        goto done;
    int got;
    while ((got = eng_vscan_next(s, &err)) == 1) {
        rc = is_slips ? slip_row(l, s, has_channel) : ledger_row(l, s);
        if (rc != ENG_OK)
            goto done;
    }
    if (got < 0) {
        if (err.rc == ENG_NOMEM) {
            rc = ENG_NOMEM;
            goto done;
        }
        eng_vreport_unreadable(v->report, "history %s: %s", in->path, err.msg);
        in->unreadable = 1;
    }
done:
    eng_vscan_close(s);
    return rc;
}

eng_rc eng__verify_history_load(eng_vrun *v)
{
    if (!v->history_given)
        return ENG_OK;
    load l;
    memset(&l, 0, sizeof l);
    l.v = v;
    fmt_buf_init(&l.key);
    l.seen = eng_vmap_new();
    v->paid_keys = eng_vmap_new();
    v->hist_requests = eng_vmap_new();
    size_t n_psk = v->pair_skus ? eng_vmap_count(v->pair_skus) : 0;
    if (v->orders_read)
        v->hist_units = calloc(n_psk ? n_psk : 1, sizeof *v->hist_units);
    eng_rc rc = ENG_NOMEM;
    if (!l.seen || !v->paid_keys || !v->hist_requests || (v->orders_read && !v->hist_units))
        goto done;
    if ((rc = register_ledger(v, &l.key)) != ENG_OK)
        goto done;
    for (size_t i = 0; i < v->n_inputs && rc == ENG_OK; i++)
        if (strcmp(v->inputs[i].role, "history") == 0 && !v->inputs[i].refused)
            rc = stream_file(&l, &v->inputs[i]);
done:
    eng_vmap_free(l.seen);
    eng_vmap_free(l.id_skus);
    free(l.id_first);
    free(l.id_next);
    fmt_buf_release(&l.key);
    return rc;
}

/* ---- invariant 5 ---- */

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
    if (!v->orders_read) {
        eng_vreport_unchecked(v->report, 5,
                              "the orders files could not be read, so what each order asks for "
                              "is unknown");
        return ENG_OK;
    }
    const eng_vtable *sl = v->slips, *lg = v->ledger;
    size_t n_psk = eng_vmap_count(v->pair_skus);
    int64_t *ordered = calloc(n_psk ? n_psk : 1, sizeof *ordered);
    int64_t *tonight = calloc(n_psk ? n_psk : 1, sizeof *tonight);
    uint64_t *first = calloc(n_psk ? n_psk : 1, sizeof *first);
    int64_t *returned_tonight = calloc(eng_vmap_count(v->paid_keys) + 1, sizeof(int64_t));
    eng_vmap *requests = eng_vmap_new();
    fmt_buf key;
    fmt_buf_init(&key);
    eng_rc rc = ENG_NOMEM;
    if (!ordered || !tonight || !first || !returned_tonight || !requests)
        goto done;
    /* What each (channel, order id, SKU) asks for: the order of the earliest file. */
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        const eng_vorder *o = &v->orders[oid];
        if (o->flags & (ENG_VO_RESENT | ENG_VO_ESCAPED))
            continue;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            const eng_vline *ln = &v->lines[o->first_line + i];
            if (ln->pair_sku != ENG_VNONE &&
                __builtin_add_overflow(ordered[ln->pair_sku], ln->ordered, &ordered[ln->pair_sku]))
                ordered[ln->pair_sku] = INT64_MAX;
        }
    }
    size_t n_checked = 0;
    for (size_t r = 0; r < eng_vtable_rows(sl); r++) {
        const char *id = eng_vtable_get(sl, r, SL_ORDER_ID);
        if (eng_vmap_find(v->return_nos, id, strlen(id)) >= 0)
            continue; /* an exchange replacement ships no order line */
        const char *sku = eng_vtable_get(sl, r, SL_SKU);
        int64_t q;
        if (eng__verify_count(eng_vtable_get(sl, r, SL_QTY), 0, &q) != 0)
            continue;
        if (eng__verify_key(&key, eng_vtable_get(sl, r, SL_CHANNEL), id, sku) != 0)
            goto done;
        int64_t k = eng_vmap_find(v->pair_skus, key.p, key.len);
        if (k < 0) {
            eng_vreport_broken(v->report, 5,
                               "%s:%llu: order %s SKU %s ships %lld units; tonight's orders "
                               "files ask for none",
                               eng_vtable_label(sl), (unsigned long long)eng_vtable_line(sl, r), id,
                               sku, (long long)q);
            continue;
        }
        if (tonight[k] == 0)
            first[k] = eng_vtable_line(sl, r);
        if (__builtin_add_overflow(tonight[k], q, &tonight[k]))
            tonight[k] = INT64_MAX;
    }
    for (size_t k = 0; k < n_psk; k++) {
        if (tonight[k] == 0)
            continue;
        n_checked++;
        int64_t hist = v->hist_units ? v->hist_units[k] : 0;
        if (hist <= INT64_MAX - tonight[k] && hist + tonight[k] <= ordered[k])
            continue;
        const char *pk = eng_vmap_key(v->pair_skus, (int64_t)k, NULL);
        const char *id = strchr(pk, ENG_VMAP_SEP) + 1;
        const char *sku = strchr(id, ENG_VMAP_SEP) + 1;
        eng_vreport_broken(v->report, 5,
                           "order %.*s SKU %s: history slips shipped %lld, %s ships %lld more "
                           "(first at line %llu), the order asks for %lld",
                           (int)(sku - 1 - id), id, sku, (long long)hist, eng_vtable_label(sl),
                           (long long)tonight[k], (unsigned long long)first[k],
                           (long long)ordered[k]);
    }
    for (size_t r = 0; r < eng_vtable_rows(lg); r++) {
        if (!is_approved(eng_vtable_get(lg, r, LG_DECISION)))
            continue;
        const char *req = eng_vtable_get(lg, r, LG_REQUEST_ID);
        int added;
        if (eng_vmap_add(requests, req, strlen(req), &added) < 0)
            goto done;
        int64_t h = eng_vmap_find(v->hist_requests, req, strlen(req));
        if (!added || (h >= 0 && v->hist_request_count[h] > 0))
            eng_vreport_broken(v->report, 5,
                               "%s:%llu: request %s is approved again; %s already approved it",
                               eng_vtable_label(lg), (unsigned long long)eng_vtable_line(lg, r),
                               req, added ? "an earlier ledger" : "an earlier row");
        int64_t q;
        if (eng__verify_paid_key(v, &key, eng_vtable_get(lg, r, LG_CHANNEL),
                                 eng_vtable_get(lg, r, LG_ORDER_ID),
                                 eng_vtable_get(lg, r, LG_SKU)) != 0)
            goto done;
        int64_t p = eng_vmap_find(v->paid_keys, key.p, key.len);
        if (p >= 0 && eng__verify_count(eng_vtable_get(lg, r, LG_QTY), 0, &q) == 0 &&
            __builtin_add_overflow(returned_tonight[p], q, &returned_tonight[p]))
            returned_tonight[p] = INT64_MAX;
    }
    /* Only where tonight approves: earlier ledgers may return what nights older than the
     * given history shipped. */
    for (size_t p = 0; p < eng_vmap_count(v->paid_keys); p++) {
        const eng_vpaid *pd = &v->paid[p];
        int64_t all = pd->returned > INT64_MAX - returned_tonight[p]
                          ? INT64_MAX
                          : pd->returned + returned_tonight[p];
        if (returned_tonight[p] == 0 || all <= pd->units)
            continue;
        /* The key is [channel SEP] id SEP sku. */
        const char *pk = eng_vmap_key(v->paid_keys, (int64_t)p, NULL);
        const char *sku = strrchr(pk, ENG_VMAP_SEP) + 1;
        const char *id = pk, *channel = "";
        int channel_len = 0;
        if (v->paid_by_channel) {
            id = strchr(pk, ENG_VMAP_SEP) + 1;
            channel = pk;
            channel_len = (int)(id - 1 - pk);
        }
        eng_vreport_broken(v->report, 5,
                           "order %.*s%s%.*s SKU %s: %s approves %lld units for return, %lld "
                           "over all ledgers, history slips shipped %lld",
                           (int)(sku - 1 - id), id, channel_len ? " on channel " : "", channel_len,
                           channel, sku, eng_vtable_label(lg), (long long)returned_tonight[p],
                           (long long)all, (long long)pd->units);
    }
    eng_vreport_detail(v->report, 5,
                       "%zu order lines ship within what history left open; %zu approved "
                       "requests, none twice",
                       n_checked, eng_vmap_count(requests));
    rc = ENG_OK;
done:
    free(ordered);
    free(tonight);
    free(first);
    free(returned_tonight);
    eng_vmap_free(requests);
    fmt_buf_release(&key);
    return rc;
}
