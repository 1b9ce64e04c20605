/* Invariant 4, the money finance reconciles payouts against:
 *
 *   - order_totals.csv has one row per order_status.csv row, in the same order, with the
 *     same order id, channel, currency and status; a ship_date (the run date) exactly
 *     when the order shipped tonight (SHIPPED, PARTIAL);
 *   - where its amounts are given, order_total is items + shipping + tax - discount
 *     unless the order was rejected (a stated total that does not add up is
 *     TOTAL_MISMATCH), and items is what verify itself reads the order's lines to be
 *     worth (all ordered units, every line priced);
 *   - summary.json's "by_channel": per channel and currency, shipped is the slips'
 *     line_amount (exchange replacements, at 0, aside) and refunded the ledger's approved
 *     refunds by its channel column.
 * All money is integer minor units; sums are 128-bit. */
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/currency.h"
#include "verify_int.h"

static int currency(const char *code)
{
    return fmt_currency_find(code, strlen(code));
}

static void amount_text(char *dst, size_t cap, __int128 v, int cur)
{
    eng__verify_amount_text(dst, cap, v, cur);
}

/* Amount cell k of totals row r in minor units: 1 when given and read, 0 when blank, -1
 * when unreadable (a finding). */
static int cell_minor(eng_vrun *v, size_t r, size_t k, const char *cur, int64_t *out)
{
    const char *s = eng_vtable_get(v->totals, r, k);
    *out = 0;
    if (!*s)
        return 0;
    if (eng__verify_minor(s, cur, out) == 0)
        return 1;
    eng_vreport_broken(v->report, 4, "%s line %llu: %s \"%.40s\" is not an amount in %s",
                       eng_vtable_label(v->totals),
                       (unsigned long long)eng_vtable_line(v->totals, r),
                       k == OT_ITEMS      ? "items"
                       : k == OT_SHIPPING ? "shipping"
                       : k == OT_TAX      ? "tax"
                       : k == OT_DISCOUNT ? "discount"
                                          : "order_total",
                       s, cur);
    return -1;
}

static void check_rows(eng_vrun *v, const char *run_date)
{
    const eng_vtable *t = v->totals, *st = v->status;
    const char *label = eng_vtable_label(t);
    if (eng_vtable_rows(t) != eng_vtable_rows(st)) {
        eng_vreport_broken(v->report, 4,
                           "%s has %zu rows and %s %zu: each order has one row in both", label,
                           eng_vtable_rows(t), eng_vtable_label(st), eng_vtable_rows(st));
        return;
    }
    static const struct {
        size_t totals, status;
        const char *name;
    } same[] = {{OT_ORDER_ID, ST_ORDER_ID, "order_id"},
                {OT_CHANNEL, ST_CHANNEL, "channel"},
                {OT_CURRENCY, ST_CURRENCY, "currency"},
                {OT_STATUS, ST_STATUS, "status"}};
    for (size_t r = 0; r < eng_vtable_rows(t); r++) {
        unsigned long long line = (unsigned long long)eng_vtable_line(t, r);
        int differs = 0;
        for (size_t k = 0; k < sizeof same / sizeof *same && !differs; k++) {
            const char *a = eng_vtable_get(t, r, same[k].totals),
                       *b = eng_vtable_get(st, r, same[k].status);
            if (strcmp(a, b) != 0) {
                differs = 1;
                eng_vreport_broken(v->report, 4,
                                   "%s line %llu: %s \"%.60s\" but %s line %llu has \"%.60s\"",
                                   label, line, same[k].name, a, eng_vtable_label(st),
                                   (unsigned long long)eng_vtable_line(st, r), b);
            }
        }
        if (differs)
            continue;
        const char *status = eng_vtable_get(t, r, OT_STATUS),
                   *date = eng_vtable_get(t, r, OT_SHIP_DATE);
        int shipped = strcmp(status, "SHIPPED") == 0 || strcmp(status, "PARTIAL") == 0;
        if (shipped ? strcmp(date, run_date) != 0 : *date != '\0')
            eng_vreport_broken(v->report, 4, "%s line %llu: a %s order has ship_date \"%.20s\"; %s",
                               label, line, status, date,
                               shipped ? "it shipped tonight, on the run date"
                                       : "it did not ship tonight");
        const char *cur = eng_vtable_get(t, r, OT_CURRENCY);
        int64_t items, ship, tax, discount, total;
        int gi = cell_minor(v, r, OT_ITEMS, cur, &items),
            gs = cell_minor(v, r, OT_SHIPPING, cur, &ship),
            gt = cell_minor(v, r, OT_TAX, cur, &tax),
            gd = cell_minor(v, r, OT_DISCOUNT, cur, &discount),
            go = cell_minor(v, r, OT_ORDER_TOTAL, cur, &total);
        if (gi < 0 || gs < 0 || gt < 0 || gd < 0 || go < 0)
            continue;
        if (gi == 1 && go == 1 && strcmp(status, "REJECTED") != 0 &&
            (__int128)items + ship + tax - discount != total) {
            char a[48], b[48];
            int c = currency(cur);
            amount_text(a, sizeof a, total, c);
            amount_text(b, sizeof b, (__int128)items + ship + tax - discount, c);
            eng_vreport_broken(v->report, 4,
                               "%s line %llu: order_total %s is not items + shipping + tax - "
                               "discount = %s, and the order was not rejected",
                               label, line, a, b);
        }
    }
}

/* items against the lines verify read for the order. */
static void check_items(eng_vrun *v)
{
    const eng_vtable *t = v->totals;
    for (size_t i = 0; i < v->n_orders; i++) {
        const eng_vorder *o = &v->orders[i];
        if (o->status_row < 0 || (size_t)o->status_row >= eng_vtable_rows(t) || o->currency < 0)
            continue;
        size_t r = (size_t)o->status_row;
        const char *cur = eng_vtable_get(t, r, OT_CURRENCY), *cell = eng_vtable_get(t, r, OT_ITEMS);
        int64_t items;
        if (!*cell || currency(cur) != o->currency || eng__verify_minor(cell, cur, &items) != 0)
            continue;
        __int128 want = 0;
        int priced = o->n_lines > 0;
        for (uint32_t k = 0; k < o->n_lines && priced; k++) {
            const eng_vline *ln = &v->lines[o->first_line + k];
            priced = (ln->flags & ENG_VL_PRICED) && (ln->flags & ENG_VL_QTY_OK);
            want += ln->amount_minor;
        }
        if (priced && want != items) {
            char a[48], b[48];
            amount_text(a, sizeof a, items, o->currency);
            amount_text(b, sizeof b, want, o->currency);
            eng_vreport_broken(v->report, 4,
                               "%s line %llu: items %s, but the order's %u line%s in its orders "
                               "file come to %s",
                               eng_vtable_label(t), (unsigned long long)eng_vtable_line(t, r), a,
                               o->n_lines, o->n_lines == 1 ? "" : "s", b);
        }
    }
}

/* Per (channel, currency) sums, keyed "channel\x1fCUR". */
typedef struct sums {
    eng_vmap *keys;
    __int128 *shipped, *refunded;
    size_t cap;
} sums;

static eng_rc add(sums *s, const char *channel, const char *cur, __int128 shipped,
                  __int128 refunded)
{
    fmt_buf key;
    fmt_buf_init(&key);
    fmt_buf_put(&key, channel, strlen(channel));
    fmt_buf_put(&key, "\x1f", 1);
    fmt_buf_put(&key, cur, strlen(cur));
    int64_t id = key.failed ? -1 : eng_vmap_add(s->keys, key.p, key.len, NULL);
    fmt_buf_release(&key);
    if (id < 0)
        return ENG_NOMEM;
    size_t old = s->cap;
    __int128 *a = eng__verify_fit(s->shipped, &old, (size_t)id, sizeof *a, 16);
    if (!a)
        return ENG_NOMEM;
    s->shipped = a;
    old = s->cap;
    __int128 *b = eng__verify_fit(s->refunded, &old, (size_t)id, sizeof *b, 16);
    if (!b)
        return ENG_NOMEM;
    s->refunded = b;
    s->cap = old;
    s->shipped[id] += shipped;
    s->refunded[id] += refunded;
    return ENG_OK;
}

static eng_rc check_by_channel(eng_vrun *v)
{
    const fmt_json_value *list = fmt_json_member(v->summary, "by_channel");
    if (!list) {
        eng_vreport_broken(v->report, 4, "summary.json has no \"by_channel\"; every run writes it");
        return ENG_OK;
    }
    sums want = {eng_vmap_new(), NULL, NULL, 0}, said = {eng_vmap_new(), NULL, NULL, 0};
    eng_rc rc = want.keys && said.keys ? ENG_OK : ENG_NOMEM;
    const eng_vtable *sl = v->slips, *lg = v->ledger;
    for (size_t r = 0; rc == ENG_OK && r < eng_vtable_rows(sl); r++) {
        const char *id = eng_vtable_get(sl, r, SL_ORDER_ID),
                   *cur = eng_vtable_get(sl, r, SL_CURRENCY);
        int64_t amount;
        if (eng_vmap_find(v->return_nos, id, strlen(id)) >= 0 || currency(cur) < 0 ||
            eng__verify_minor(eng_vtable_get(sl, r, SL_LINE_AMOUNT), cur, &amount) != 0)
            continue; /* an exchange, or a cell invariant 4's slip check names */
        rc = add(&want, eng_vtable_get(sl, r, SL_CHANNEL), cur, amount, 0);
    }
    int ledger_channels = eng_vtable_has(lg, LG_CHANNEL);
    for (size_t r = 0; rc == ENG_OK && ledger_channels && r < eng_vtable_rows(lg); r++) {
        const char *cur = eng_vtable_get(lg, r, LG_CURRENCY);
        int64_t amount;
        if (strcmp(eng_vtable_get(lg, r, LG_DECISION), "APPROVED") != 0 || currency(cur) < 0 ||
            eng__verify_minor(eng_vtable_get(lg, r, LG_REFUND), cur, &amount) != 0)
            continue;
        rc = add(&want, eng_vtable_get(lg, r, LG_CHANNEL), cur, 0, amount);
    }
    for (size_t i = 0; rc == ENG_OK && i < fmt_json_count(list); i++) {
        const fmt_json_value *e = fmt_json_item(list, i);
        const char *ch = fmt_json_member_str(e, "channel"),
                   *cur = fmt_json_member_str(e, "currency"),
                   *s = fmt_json_member_str(e, "shipped"), *f = fmt_json_member_str(e, "refunded");
        int64_t shipped, refunded;
        if (!ch || !cur || !s || !f || eng__verify_minor(s, cur, &shipped) != 0 ||
            eng__verify_minor(f, cur, &refunded) != 0) {
            eng_vreport_broken(v->report, 4,
                               "summary.json by_channel entry %zu is not a channel, currency and "
                               "two amounts in it",
                               i + 1);
            continue;
        }
        rc = add(&said, ch, cur, shipped, refunded);
    }
    /* Every key either side has, compared; a key missing on one side counts as zero there. */
    for (int side = 0; rc == ENG_OK && side < 2; side++) {
        const sums *a = side ? &said : &want, *b = side ? &want : &said;
        for (size_t id = 0; id < eng_vmap_count(a->keys); id++) {
            size_t len;
            const char *key = eng_vmap_key(a->keys, (int64_t)id, &len);
            int64_t other = eng_vmap_find(b->keys, key, len);
            if (side && other >= 0)
                continue; /* compared from the first side */
            __int128 ws = side ? 0 : a->shipped[id], wr = side ? 0 : a->refunded[id];
            __int128 ss = side ? a->shipped[id] : other >= 0 ? b->shipped[other] : 0;
            __int128 sr = side ? a->refunded[id] : other >= 0 ? b->refunded[other] : 0;
            if (!ledger_channels)
                wr = sr; /* an older ledger names no channel: refunds not compared */
            if (ws == ss && wr == sr)
                continue;
            const char *sep = memchr(key, '\x1f', len);
            int c = currency(sep + 1);
            char x[48], y[48], p[48], q[48];
            amount_text(x, sizeof x, ws, c);
            amount_text(y, sizeof y, ss, c);
            amount_text(p, sizeof p, wr, c);
            amount_text(q, sizeof q, sr, c);
            eng_vreport_broken(v->report, 4,
                               "channel \"%.*s\" %s: slips ship %s and the ledger refunds %s, "
                               "summary.json by_channel says shipped %s refunded %s",
                               (int)(sep - key > 60 ? 60 : sep - key), key, sep + 1, x, p, y, q);
        }
    }
    eng_vmap_free(want.keys);
    eng_vmap_free(said.keys);
    free(want.shipped);
    free(want.refunded);
    free(said.shipped);
    free(said.refunded);
    return rc;
}

eng_rc eng__verify_totals(eng_vrun *v)
{
    if (!v->totals || !v->status || !v->slips || !v->ledger)
        return ENG_OK; /* unreadable or missing: already named (invariants 4 and 6) */
    const char *run_date = v->manifest ? fmt_json_member_str(v->manifest, "run_date") : NULL;
    check_rows(v, run_date ? run_date : "");
    if (v->orders_read)
        check_items(v);
    if (v->summary)
        ENG_TRY(check_by_channel(v));
    eng_vreport_detail_more(v->report, 4, "order_totals.csv's %zu rows follow order_status.csv%s%s",
                            eng_vtable_rows(v->totals),
                            v->orders_read ? " and the orders files' lines" : "",
                            v->summary ? "; by_channel recounted from slips and ledger" : "");
    return ENG_OK;
}
