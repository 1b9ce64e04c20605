/* Invariant 4: amounts reconcile per currency.
 *
 *   - per currency, slip line_amount sums to the SHIPPED and PARTIAL amounts of
 *     order_status.csv; per order, its slips sum to its status amount, so a finding names
 *     the order and its slip lines; exchange replacement lines (order_id = a return
 *     number of the ledger) are 0.
 *   - the ledger's refunds are the approved refunds: a REJECTED request or an exchange
 *     refunds 0; with history slips, each approved refund is what was paid for the
 *     returned units less restocking_fee_pct, within one minor unit (the run rounds
 *     cumulatively per order line, which moves a single refund by less than one unit);
 *     the total per currency equals summary.json's "refunded".
 * All money is integer minor units; sums are 128-bit. */
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/currency.h"
#include "verify_int.h"

typedef struct per_order {
    __int128 slip_amount;
    int slip_cur; /* -1 none yet, -2 several */
    int64_t shipped_rows;
    uint64_t first_slip_line;
    int64_t slip_rows;
} per_order;

static void amount_text(char *dst, size_t cap, __int128 v, int cur)
{
    eng__verify_amount_text(dst, cap, v, cur);
}

static int currency(const char *code)
{
    return fmt_currency_find(code, strlen(code));
}

/* Slip lines of one order (channel, id), for a finding. */
static void order_lines(const eng_vrun *v, const char *channel, const char *id, char *dst,
                        size_t cap)
{
    const eng_vtable *slips = v->slips;
    uint64_t lines[11];
    size_t n = 0;
    /* Only findings that will be shown need their lines: a scan per finding would be
     * quadratic on a run where every order disagrees. */
    snprintf(dst, cap, "...");
    if (eng_vreport_count(v->report, 4) >= ENG_VREPORT_SHOW)
        return;
    for (size_t r = 0; r < eng_vtable_rows(slips) && n < 11; r++)
        if (strcmp(eng_vtable_get(slips, r, SL_ORDER_ID), id) == 0 &&
            strcmp(eng_vtable_get(slips, r, SL_CHANNEL), channel) == 0)
            lines[n++] = eng_vtable_line(slips, r);
    eng__verify_lines(dst, cap, lines, n);
}

static eng_rc check_slips(eng_vrun *v, __int128 *slip_sum, __int128 *status_sum)
{
    const eng_vtable *sl = v->slips, *st = v->status, *lg = v->ledger;
    eng_vmap *orders = eng_vmap_new(), *exchanges = eng_vmap_new(); /* orders by (channel, id) */
    fmt_buf key;
    fmt_buf_init(&key);
    per_order *po = NULL;
    size_t cap = 0;
    eng_rc rc = ENG_NOMEM;
    if (!orders || !exchanges)
        goto done;
    for (size_t r = 0; lg && r < eng_vtable_rows(lg); r++) {
        const char *no = eng_vtable_get(lg, r, LG_RETURN_NO);
        if (*no && eng_vmap_add(exchanges, no, strlen(no), NULL) < 0)
            goto done;
    }
    for (size_t r = 0; r < eng_vtable_rows(sl); r++) {
        const char *id = eng_vtable_get(sl, r, SL_ORDER_ID);
        const char *amt = eng_vtable_get(sl, r, SL_LINE_AMOUNT);
        const char *cur = eng_vtable_get(sl, r, SL_CURRENCY);
        int c = currency(cur);
        int64_t minor;
        if (c < 0 || eng__verify_minor(amt, cur, &minor) != 0) {
            eng_vreport_broken(v->report, 4,
                               "%s:%llu: line_amount \"%.40s\" %.8s is not an amount "
                               "in a known currency",
                               eng_vtable_label(sl), (unsigned long long)eng_vtable_line(sl, r),
                               amt, cur);
            continue;
        }
        slip_sum[c] += minor;
        if (eng_vmap_find(exchanges, id, strlen(id)) >= 0) {
            if (minor != 0)
                eng_vreport_broken(
                    v->report, 4, "%s:%llu: exchange replacement %s has line_amount %s, not 0",
                    eng_vtable_label(sl), (unsigned long long)eng_vtable_line(sl, r), id, amt);
            continue;
        }
        int added;
        if (eng__verify_key(&key, eng_vtable_get(sl, r, SL_CHANNEL), id, NULL) != 0)
            goto done;
        int64_t k = eng_vmap_add(orders, key.p, key.len, &added);
        if (k < 0)
            goto done;
        per_order *grown = eng__verify_fit(po, &cap, (size_t)k, sizeof *po, 1024);
        if (!grown)
            goto done;
        po = grown;
        if (added) {
            po[k].slip_cur = c;
            po[k].first_slip_line = eng_vtable_line(sl, r);
        } else if (po[k].slip_cur != c) {
            po[k].slip_cur = -2;
        }
        po[k].slip_amount += minor;
        po[k].slip_rows++;
    }
    char lines[200], a[48], b[48];
    for (size_t r = 0; r < eng_vtable_rows(st); r++) {
        const char *status = eng_vtable_get(st, r, ST_STATUS);
        if (strcmp(status, "SHIPPED") != 0 && strcmp(status, "PARTIAL") != 0)
            continue;
        const char *id = eng_vtable_get(st, r, ST_ORDER_ID);
        const char *amt = eng_vtable_get(st, r, ST_AMOUNT);
        const char *cur = eng_vtable_get(st, r, ST_CURRENCY);
        int c = currency(cur);
        int64_t minor;
        if (c < 0 || eng__verify_minor(amt, cur, &minor) != 0) {
            eng_vreport_broken(v->report, 4,
                               "%s:%llu: order %s amount \"%.40s\" %.8s is not an "
                               "amount in a known currency",
                               eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id,
                               amt, cur);
            continue;
        }
        status_sum[c] += minor;
        const char *channel = eng_vtable_get(st, r, ST_CHANNEL);
        if (eng__verify_key(&key, channel, id, NULL) != 0)
            goto done;
        int64_t k = eng_vmap_find(orders, key.p, key.len);
        if (k < 0) {
            eng_vreport_broken(v->report, 4,
                               "%s:%llu: order %s is %s for %s %s but has no slip "
                               "line",
                               eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id,
                               status, amt, cur);
            continue;
        }
        po[k].shipped_rows++;
        if (po[k].slip_cur != c || po[k].slip_amount != minor) {
            order_lines(v, channel, id, lines, sizeof lines);
            amount_text(a, sizeof a, po[k].slip_amount, po[k].slip_cur >= 0 ? po[k].slip_cur : c);
            eng_vreport_broken(v->report, 4,
                               "order %s: slip line_amount sums to %s %s (%s lines %s), %s line "
                               "%llu says %s %s",
                               id, a,
                               po[k].slip_cur >= 0 ? fmt_currency_code(po[k].slip_cur)
                                                   : "(several currencies)",
                               eng_vtable_label(sl), lines, eng_vtable_label(st),
                               (unsigned long long)eng_vtable_line(st, r), amt, cur);
        }
    }
    for (size_t k = 0; k < eng_vmap_count(orders); k++)
        if (po[k].shipped_rows == 0) {
            /* the key is channel SEP id */
            char pair[400];
            snprintf(pair, sizeof pair, "%s", eng_vmap_key(orders, (int64_t)k, NULL));
            char *sep = strchr(pair, ENG_VMAP_SEP);
            const char *id = sep ? sep + 1 : pair;
            if (sep)
                *sep = '\0';
            order_lines(v, sep ? pair : "", id, lines, sizeof lines);
            eng_vreport_broken(v->report, 4,
                               "order %s ships (%s lines %s) but has no SHIPPED or PARTIAL row in "
                               "%s",
                               id, eng_vtable_label(sl), lines, eng_vtable_label(st));
        }
    for (int c = 0; c < fmt_currency_count(); c++)
        if (slip_sum[c] != status_sum[c]) {
            amount_text(a, sizeof a, slip_sum[c], c);
            amount_text(b, sizeof b, status_sum[c], c);
            eng_vreport_broken(v->report, 4,
                               "%s: slips.csv line amounts sum to %s, SHIPPED and PARTIAL orders "
                               "in %s to %s",
                               fmt_currency_code(c), a, eng_vtable_label(st), b);
        }
    rc = ENG_OK;
done:
    fmt_buf_release(&key);
    eng_vmap_free(orders);
    eng_vmap_free(exchanges);
    free(po);
    return rc;
}

static eng_rc check_ledger(eng_vrun *v, __int128 *approved)
{
    const eng_vtable *lg = v->ledger;
    const eng_vpaid *p = v->paid;
    fmt_buf key;
    fmt_buf_init(&key);
    const fmt_dec fee = v->policy.restocking_fee_pct;
    __int128 scale = 100;
    for (int i = 0; i < fee.frac; i++)
        scale *= 10;
    __int128 keep = scale - fee.mant;
    for (size_t r = 0; r < eng_vtable_rows(lg); r++) {
        const char *label = eng_vtable_label(lg);
        unsigned long long line = (unsigned long long)eng_vtable_line(lg, r);
        const char *req = eng_vtable_get(lg, r, LG_REQUEST_ID);
        const char *decision = eng_vtable_get(lg, r, LG_DECISION);
        const char *status = eng_vtable_get(lg, r, LG_STATUS);
        const char *amt = eng_vtable_get(lg, r, LG_REFUND);
        const char *cur = eng_vtable_get(lg, r, LG_CURRENCY);
        int rejected = strcmp(decision, "REJECTED") == 0;
        if (!rejected && strcmp(decision, "APPROVED") != 0) {
            eng_vreport_broken(v->report, 4, "%s:%llu: request %s has decision \"%.40s\"", label,
                               line, req, decision);
            continue;
        }
        if (rejected != (strcmp(status, "REJECTED") == 0))
            eng_vreport_broken(v->report, 4, "%s:%llu: request %s is %s with status %s", label,
                               line, req, decision, status);
        int64_t minor = 0;
        if (*amt && eng__verify_minor(amt, cur, &minor) != 0) {
            eng_vreport_broken(v->report, 4,
                               "%s:%llu: request %s refund_amount \"%.40s\" %.8s is "
                               "not an amount in a known currency",
                               label, line, req, amt, cur);
            continue;
        }
        if (rejected) {
            if (minor != 0)
                eng_vreport_broken(v->report, 4,
                                   "%s:%llu: request %s is REJECTED but refunds %s %s", label, line,
                                   req, amt, cur);
            continue;
        }
        int c = currency(cur);
        if (c < 0) {
            if (minor || *amt)
                eng_vreport_broken(v->report, 4, "%s:%llu: request %s refunds in currency \"%.8s\"",
                                   label, line, req, cur);
            continue;
        }
        approved[c] += minor;
        if (strcmp(eng_vtable_get(lg, r, LG_RESOLUTION), "exchange") == 0) {
            if (minor != 0)
                eng_vreport_broken(v->report, 4,
                                   "%s:%llu: request %s is an exchange but refunds %s %s", label,
                                   line, req, amt, cur);
            continue;
        }
        if (!v->history_given || !v->paid_keys)
            continue;
        if (eng__verify_paid_key(v, &key, eng_vtable_get(lg, r, LG_CHANNEL),
                                 eng_vtable_get(lg, r, LG_ORDER_ID),
                                 eng_vtable_get(lg, r, LG_SKU)) != 0) {
            fmt_buf_release(&key);
            return ENG_NOMEM;
        }
        int64_t k = eng_vmap_find(v->paid_keys, key.p, key.len);
        int64_t qty;
        if (k < 0 || p[k].units <= 0) {
            eng_vreport_broken(v->report, 4,
                               "%s:%llu: request %s approves a return of order %s SKU %s, which "
                               "no history slip ships",
                               label, line, req, eng_vtable_get(lg, r, LG_ORDER_ID),
                               eng_vtable_get(lg, r, LG_SKU));
            continue;
        }
        if (eng__verify_count(eng_vtable_get(lg, r, LG_QTY), 0, &qty) != 0)
            continue;
        /* |refund - paid * qty / units * keep / scale| <= 1 minor unit, in integers. */
        __int128 den = (__int128)p[k].units * scale;
        __int128 diff = (__int128)minor * den - p[k].amount * qty * keep;
        if (diff < 0)
            diff = -diff;
        if (diff > den) {
            char want[48], paid_text[48];
            amount_text(want, sizeof want, (p[k].amount * qty * keep + den / 2) / den, c);
            amount_text(paid_text, sizeof paid_text, p[k].amount, c);
            eng_vreport_broken(v->report, 4,
                               "%s:%llu: request %s refunds %s %s for %lld of %lld units that "
                               "history slips show paid %s; expected about %s",
                               label, line, req, amt, cur, (long long)qty, (long long)p[k].units,
                               paid_text, want);
        }
    }
    fmt_buf_release(&key);
    return ENG_OK;
}

/* summary.json's "refunded" per currency against the ledger's approved refunds. */
static void check_summary_refunds(eng_vrun *v, const __int128 *approved)
{
    const fmt_json_value *amounts = fmt_json_member(v->summary, "amounts");
    int n = fmt_currency_count();
    for (int c = 0; c < n; c++) {
        __int128 stated = 0;
        for (size_t i = 0; i < fmt_json_count(amounts); i++) {
            const fmt_json_value *a = fmt_json_item(amounts, i);
            const char *cur = fmt_json_member_str(a, "currency");
            const char *ref = fmt_json_member_str(a, "refunded");
            int64_t minor;
            if (cur && ref && currency(cur) == c && eng__verify_minor(ref, cur, &minor) == 0)
                stated += minor;
        }
        if (stated != approved[c]) {
            char a[48], b[48];
            amount_text(a, sizeof a, approved[c], c);
            amount_text(b, sizeof b, stated, c);
            eng_vreport_broken(v->report, 4,
                               "%s: %s approves refunds of %s, summary.json says refunded %s",
                               fmt_currency_code(c), eng_vtable_label(v->ledger), a, b);
        }
    }
}

eng_rc eng__verify_money(eng_vrun *v)
{
    if (!v->slips || !v->status || !v->ledger) {
        eng_vreport_unchecked(v->report, 4,
                              "needs slips.csv, order_status.csv and returns_ledger.csv, and "
                              "one could not be read");
        return ENG_OK;
    }
    size_t n = (size_t)fmt_currency_count();
    __int128 *slip_sum = calloc(n, sizeof *slip_sum);
    __int128 *status_sum = calloc(n, sizeof *status_sum);
    __int128 *approved = calloc(n, sizeof *approved);
    eng_rc rc = ENG_NOMEM;
    if (slip_sum && status_sum && approved)
        rc = check_slips(v, slip_sum, status_sum);
    if (rc == ENG_OK)
        rc = check_ledger(v, approved);
    if (rc == ENG_OK && v->summary)
        check_summary_refunds(v, approved);
    if (rc == ENG_OK) {
        char detail[400];
        size_t o = 0;
        detail[0] = '\0';
        for (size_t c = 0; c < n && o < sizeof detail; c++) {
            if (!slip_sum[c] && !approved[c])
                continue;
            char a[48], b[48];
            amount_text(a, sizeof a, slip_sum[c], (int)c);
            amount_text(b, sizeof b, approved[c], (int)c);
            o += (size_t)snprintf(detail + o, sizeof detail - o, "%s%s shipped %s refunded %s",
                                  o ? "; " : "", fmt_currency_code((int)c), a, b);
        }
        eng_vreport_detail(v->report, 4, "%s", o ? detail : "nothing shipped or refunded");
    }
    free(slip_sum);
    free(status_sum);
    free(approved);
    return rc;
}
