/* `slipway verify DIR` on a reconcile folder (issue 16): recounts what `slipway
 * reconcile` wrote from its own files and the history it names, with code of its own.
 *
 *   1 payouts add up       per payout, payouts.csv's lines_sum, declared and difference
 *                          are its payout_lines.csv lines' (a payout whose lines differ
 *                          from its declared total is the marketplace's own figure:
 *                          named, not a failure)
 *   2 lines attributed     each payout line once; a line naming an order has that
 *                          order's row in reconciliation.csv, every other is counted as
 *                          unattributed in reconcile_summary.json
 *   3 totals tie out       per currency: shipped is the history slips' line amounts
 *                          (each slip row once, exchange replacements aside), refund_expected
 *                          the ledgers' approved refunds, paid and refund_paid the
 *                          attributed payout lines
 *   4 one status per order one row per (channel, order id, currency), a known status,
 *                          flags that are other known statuses; MATCHED within the
 *                          tolerance on both sides, AMOUNT_DIFFERS outside it;
 *                          difference = paid - expected; fees = the order's fee lines
 *   5 manifest matches     every output and readable input has its recorded sha256 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/currency.h"
#include "../../formats/json.h"
#include "../../formats/payout.h"
#include "../../formats/sha256.h"
#include "../../formats/source.h"
#include "verify_int.h"

enum { N_CHECKS = 5, SHOW = 10 };

static const char *const check_names[N_CHECKS] = {
    "payouts add up to their lines", "every payout line attributed", "totals tie out to history",
    "one status per order", "outputs and inputs match manifest"};

typedef struct rcheck {
    size_t findings;
    char detail[300];
    int unchecked;
} rcheck;

typedef struct vrec {
    const char *dir;
    int quiet;
    rcheck c[N_CHECKS];
    fmt_json_value *manifest, *summary;
    eng_vtable *lines, *rec, *payouts;
} vrec;

static void broken(vrec *v, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void broken(vrec *v, int k, const char *fmt, ...)
{
    if (v->c[k].findings++ >= SHOW)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "invariant %d broken: ", k + 1);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static fmt_json_value *load_json(const char *dir, const char *name)
{
    char *path = join(dir, name);
    fmt_buf text;
    fmt_buf_init(&text);
    eng_err err;
    memset(&err, 0, sizeof err);
    fmt_json_value *out = NULL;
    char why[100];
    if (path && fmt_source_slurp(path, 1u << 26, name, &text, NULL, &err) == ENG_OK &&
        fmt_json_parse(text.p, text.len, &out, why, sizeof why) != 0)
        out = NULL;
    fmt_buf_release(&text);
    free(path);
    return out;
}

static eng_vtable *load(vrec *v, const char *name, const fmt_column *cols, size_t n)
{
    char *path = join(v->dir, name);
    eng_vtable *t = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    if (!path || eng_vtable_load(path, name, cols, n, 1, &t, &err) != ENG_OK) {
        fprintf(stderr, "slipway: verify: %s cannot be read: %s\n", name, err.msg);
        t = NULL;
    }
    free(path);
    return t;
}

static int minor(const char *text, const char *cur, int64_t *out)
{
    /* signed: payout amounts may be negative */
    int neg = text[0] == '-';
    if (eng__verify_minor(text + neg, cur, out) != 0)
        return -1;
    if (neg)
        *out = -*out;
    return 0;
}

static void money(char *dst, size_t cap, __int128 v, const char *cur)
{
    eng__verify_amount_text(dst, cap, v, fmt_currency_find(cur, strlen(cur)));
}

/* ---- tables ---- */

enum { L_ID, L_LAYOUT, L_CHANNEL, L_PAYOUT, L_ORDER, L_CURRENCY, L_TYPE, L_AMOUNT, L_N };
static const fmt_column line_cols[L_N] = {{"line_id", 1},   {"layout", 1},   {"channel", 1},
                                          {"payout_id", 1}, {"order_id", 1}, {"currency", 1},
                                          {"type", 1},      {"amount", 1}};
enum {
    R_CHANNEL,
    R_ORDER,
    R_CURRENCY,
    R_STATUS,
    R_FLAGS,
    R_SHIPPED,
    R_DIFF,
    R_PAID,
    R_REF_EXP,
    R_REF_PAID,
    R_EXPECTED,
    R_FEES,
    R_N
};
static const fmt_column rec_cols[R_N] = {
    {"channel", 1},         {"order_id", 1},    {"currency", 1},   {"status", 1},
    {"flags", 1},           {"shipped", 1},     {"difference", 1}, {"paid", 1},
    {"refund_expected", 1}, {"refund_paid", 1}, {"expected", 1},   {"fees", 1}};
enum { P_LAYOUT, P_PAYOUT, P_CURRENCY, P_DECLARED, P_SUM, P_DIFF, P_N };
static const fmt_column payout_cols[P_N] = {{"layout", 1},   {"payout_id", 1}, {"currency", 1},
                                            {"declared", 1}, {"lines_sum", 1}, {"difference", 1}};

static const char *const statuses[] = {"CHARGEBACK",
                                       "DUPLICATE_PAYMENT",
                                       "CURRENCY_DIFFERS",
                                       "PAID_NOT_SHIPPED",
                                       "REFUNDED_NOT_IN_LEDGER",
                                       "REFUND_AMOUNT_DIFFERS",
                                       "LEDGER_REFUND_NOT_SEEN",
                                       "AMOUNT_DIFFERS",
                                       "SHIPPED_NOT_PAID",
                                       "MARKETPLACE_FULFILLED",
                                       "MATCHED"};

static int status_index(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
        if (strlen(statuses[i]) == len && memcmp(statuses[i], s, len) == 0)
            return (int)i;
    return -1;
}

/* "a\x1fb\x1fc" into b */
static void key3(fmt_buf *b, const char *x, const char *y, const char *z)
{
    b->len = 0;
    fmt_buf_puts(b, x);
    fmt_buf_putc(b, ENG_VMAP_SEP);
    fmt_buf_puts(b, y);
    fmt_buf_putc(b, ENG_VMAP_SEP);
    fmt_buf_puts(b, z);
}

/* Sums per key id, grown as keys come. */
typedef struct sums {
    eng_vmap *keys;
    __int128 *a, *b;
    size_t cap;
} sums;

static int sums_add(sums *s, const char *key, size_t len, __int128 a, __int128 b)
{
    int64_t id = eng_vmap_add(s->keys, key, len, NULL);
    if (id < 0)
        return -1;
    size_t cap = s->cap;
    __int128 *na = eng__verify_fit(s->a, &cap, (size_t)id, sizeof *na, 64);
    if (!na)
        return -1;
    s->a = na;
    cap = s->cap;
    __int128 *nb = eng__verify_fit(s->b, &cap, (size_t)id, sizeof *nb, 64);
    if (!nb)
        return -1;
    s->b = nb;
    s->cap = cap;
    s->a[id] += a;
    s->b[id] += b;
    return 0;
}

static void sums_free(sums *s)
{
    eng_vmap_free(s->keys);
    free(s->a);
    free(s->b);
}

/* ---- 1: payouts ---- */

static eng_rc check_payouts(vrec *v)
{
    sums lines = {eng_vmap_new(), NULL, NULL, 0}; /* a: non-payout lines, b: payout lines */
    fmt_buf key;
    fmt_buf_init(&key);
    if (!lines.keys)
        return ENG_NOMEM;
    for (size_t r = 0; r < eng_vtable_rows(v->lines); r++) {
        const char *cur = eng_vtable_get(v->lines, r, L_CURRENCY);
        int64_t amount;
        if (minor(eng_vtable_get(v->lines, r, L_AMOUNT), cur, &amount) != 0) {
            broken(v, 0, "payout_lines.csv line %llu: amount \"%.40s\" is not an amount in %s",
                   (unsigned long long)eng_vtable_line(v->lines, r),
                   eng_vtable_get(v->lines, r, L_AMOUNT), cur);
            continue;
        }
        /* a payout line of a payout with an id is its declared total (README) */
        int payout = !strcmp(eng_vtable_get(v->lines, r, L_TYPE), "payout") &&
                     *eng_vtable_get(v->lines, r, L_PAYOUT);
        key3(&key, eng_vtable_get(v->lines, r, L_LAYOUT), eng_vtable_get(v->lines, r, L_PAYOUT),
             cur);
        if (key.failed ||
            sums_add(&lines, key.p, key.len, payout ? 0 : amount, payout ? amount : 0))
            return ENG_NOMEM;
    }
    size_t differ = 0;
    char first_differ[80] = "";
    for (size_t r = 0; r < eng_vtable_rows(v->payouts); r++) {
        const char *cur = eng_vtable_get(v->payouts, r, P_CURRENCY),
                   *id = eng_vtable_get(v->payouts, r, P_PAYOUT);
        key3(&key, eng_vtable_get(v->payouts, r, P_LAYOUT), id, cur);
        int64_t k = eng_vmap_find(lines.keys, key.p, key.len);
        __int128 sum = k >= 0 ? lines.a[k] : 0, out = k >= 0 ? -lines.b[k] : 0;
        int64_t stated;
        char a[48], b[48];
        if (minor(eng_vtable_get(v->payouts, r, P_SUM), cur, &stated) != 0 || stated != sum) {
            money(a, sizeof a, sum, cur);
            broken(v, 0, "payouts.csv line %llu: payout %s lines_sum %s, its lines add up to %s",
                   (unsigned long long)eng_vtable_line(v->payouts, r), id,
                   eng_vtable_get(v->payouts, r, P_SUM), a);
        }
        const char *decl = eng_vtable_get(v->payouts, r, P_DECLARED);
        if (*decl) {
            int64_t d, diff;
            if (minor(decl, cur, &d) != 0 || d != out ||
                minor(eng_vtable_get(v->payouts, r, P_DIFF), cur, &diff) != 0 || diff != sum - d) {
                money(a, sizeof a, out, cur);
                money(b, sizeof b, sum - out, cur);
                broken(v, 0,
                       "payouts.csv line %llu: payout %s declared %s difference %s; its payout "
                       "line says %s, difference %s",
                       (unsigned long long)eng_vtable_line(v->payouts, r), id, decl,
                       eng_vtable_get(v->payouts, r, P_DIFF), a, b);
            } else if (diff != 0 && differ++ == 0) {
                snprintf(first_differ, sizeof first_differ, "%s (%s %s)", id,
                         eng_vtable_get(v->payouts, r, P_DIFF), cur);
            }
        }
        if (k < 0 && strcmp(eng_vtable_get(v->payouts, r, P_SUM), "0.00") != 0)
            broken(v, 0, "payouts.csv line %llu: payout %s has no line in payout_lines.csv",
                   (unsigned long long)eng_vtable_line(v->payouts, r), id);
    }
    if (eng_vmap_count(lines.keys) != eng_vtable_rows(v->payouts))
        broken(v, 0, "payout_lines.csv has lines of %zu payouts, payouts.csv lists %zu",
               eng_vmap_count(lines.keys), eng_vtable_rows(v->payouts));
    snprintf(v->c[0].detail, sizeof v->c[0].detail,
             "%zu payouts recounted from their lines%s%zu%s%s", eng_vtable_rows(v->payouts),
             differ ? "; " : "", differ,
             differ ? " whose lines differ from the marketplace's declared total, first " : "",
             differ ? first_differ : "");
    if (!differ)
        snprintf(v->c[0].detail, sizeof v->c[0].detail, "%zu payouts recounted from their lines",
                 eng_vtable_rows(v->payouts));
    fmt_buf_release(&key);
    sums_free(&lines);
    return ENG_OK;
}

/* ---- 2 and 4: lines to orders, one status per order ---- */

static eng_rc check_orders(vrec *v, __int128 tol, sums *paid)
{
    eng_vmap *orders = eng_vmap_new(), *ids = eng_vmap_new();
    fmt_buf key;
    fmt_buf_init(&key);
    if (!orders || !ids)
        return ENG_NOMEM;
    for (size_t r = 0; r < eng_vtable_rows(v->rec); r++) {
        const eng_vtable *t = v->rec;
        unsigned long long line = (unsigned long long)eng_vtable_line(t, r);
        key3(&key, eng_vtable_get(t, r, R_CHANNEL), eng_vtable_get(t, r, R_ORDER),
             eng_vtable_get(t, r, R_CURRENCY));
        int added = 0;
        if (key.failed || eng_vmap_add(orders, key.p, key.len, &added) < 0)
            return ENG_NOMEM;
        if (!added)
            broken(v, 3, "reconciliation.csv line %llu: order %s of %s in %s has a second row",
                   line, eng_vtable_get(t, r, R_ORDER), eng_vtable_get(t, r, R_CHANNEL),
                   eng_vtable_get(t, r, R_CURRENCY));
        const char *st = eng_vtable_get(t, r, R_STATUS), *flags = eng_vtable_get(t, r, R_FLAGS);
        int s = status_index(st, strlen(st));
        if (s < 0)
            broken(v, 3, "reconciliation.csv line %llu: status \"%.40s\" is not one of reconcile's",
                   line, st);
        for (const char *p = flags; *p;) {
            size_t n = strcspn(p, ";");
            int f = status_index(p, n);
            if (f < 0 || f == s || f == 10)
                broken(v, 3, "reconciliation.csv line %llu: flag \"%.*s\" is not another status",
                       line, (int)(n > 40 ? 40 : n), p);
            p += n + (p[n] == ';');
        }
        const char *cur = eng_vtable_get(t, r, R_CURRENCY);
        int64_t diff, re, rp;
        if (minor(eng_vtable_get(t, r, R_DIFF), cur, &diff) != 0 ||
            minor(eng_vtable_get(t, r, R_REF_EXP), cur, &re) != 0 ||
            minor(eng_vtable_get(t, r, R_REF_PAID), cur, &rp) != 0)
            continue; /* an unknown currency: check 3 names its amounts */
        int64_t expected, paid_cell;
        if (minor(eng_vtable_get(t, r, R_EXPECTED), cur, &expected) == 0 &&
            minor(eng_vtable_get(t, r, R_PAID), cur, &paid_cell) == 0 &&
            (__int128)paid_cell - expected != diff)
            broken(v, 3, "reconciliation.csv line %llu: difference %s is not paid %s - expected %s",
                   line, eng_vtable_get(t, r, R_DIFF), eng_vtable_get(t, r, R_PAID),
                   eng_vtable_get(t, r, R_EXPECTED));
        __int128 ad = diff < 0 ? -(__int128)diff : diff, ar = re > rp ? re - rp : rp - re;
        if (s == 10 && (ad > tol || ar > tol))
            broken(v, 3,
                   "reconciliation.csv line %llu: MATCHED, but the difference is %s and the "
                   "refunds %s and %s",
                   line, eng_vtable_get(t, r, R_DIFF), eng_vtable_get(t, r, R_REF_EXP),
                   eng_vtable_get(t, r, R_REF_PAID));
        if (s == 7 && ad <= tol)
            broken(v, 3, "reconciliation.csv line %llu: AMOUNT_DIFFERS, but the difference is %s",
                   line, eng_vtable_get(t, r, R_DIFF));
    }
    /* 2: every line once, and its order's row; each order's fees, for check 4 */
    uint64_t unattributed = 0;
    __int128 *fees = calloc(eng_vmap_count(orders) + 1, sizeof *fees);
    if (!fees)
        return ENG_NOMEM;
    for (size_t r = 0; r < eng_vtable_rows(v->lines); r++) {
        const eng_vtable *t = v->lines;
        const char *id = eng_vtable_get(t, r, L_ID);
        int added = 0;
        if (eng_vmap_add(ids, id, strlen(id), &added) < 0)
            return ENG_NOMEM;
        if (!added)
            broken(v, 1, "payout_lines.csv line %llu: line %s is there twice",
                   (unsigned long long)eng_vtable_line(t, r), id);
        const char *order = eng_vtable_get(t, r, L_ORDER), *type = eng_vtable_get(t, r, L_TYPE);
        if (!*order || !strcmp(type, "payout")) {
            unattributed++;
            continue;
        }
        key3(&key, eng_vtable_get(t, r, L_CHANNEL), order, eng_vtable_get(t, r, L_CURRENCY));
        if (key.failed)
            return ENG_NOMEM;
        if (eng_vmap_find(orders, key.p, key.len) < 0)
            broken(v, 1,
                   "payout_lines.csv line %llu: order %s of %s in %s has no row in "
                   "reconciliation.csv",
                   (unsigned long long)eng_vtable_line(t, r), order,
                   eng_vtable_get(t, r, L_CHANNEL), eng_vtable_get(t, r, L_CURRENCY));
        int ty = fmt_ptype_find(type, strlen(type));
        int64_t amount;
        const char *cur = eng_vtable_get(t, r, L_CURRENCY);
        if (ty < 0 || minor(eng_vtable_get(t, r, L_AMOUNT), cur, &amount) != 0)
            continue; /* check 1 names the amount */
        int64_t row = eng_vmap_find(orders, key.p, key.len);
        if (row >= 0 && (ty == FMT_PT_FEE || ty == FMT_PT_FEE_REFUND || ty == FMT_PT_ADVERTISING))
            fees[row] += amount;
        int sale = ty == FMT_PT_SALE || ty == FMT_PT_SHIPPING || ty == FMT_PT_TAX ||
                   ty == FMT_PT_PROMOTION;
        if ((sale || ty == FMT_PT_REFUND) &&
            sums_add(paid, cur, strlen(cur), sale ? amount : 0, ty == FMT_PT_REFUND ? -amount : 0))
            return ENG_NOMEM;
    }
    for (size_t r = 0; r < eng_vtable_rows(v->rec); r++) {
        const eng_vtable *t = v->rec;
        key3(&key, eng_vtable_get(t, r, R_CHANNEL), eng_vtable_get(t, r, R_ORDER),
             eng_vtable_get(t, r, R_CURRENCY));
        int64_t row = key.failed ? -1 : eng_vmap_find(orders, key.p, key.len);
        int64_t stated;
        if (row < 0 ||
            minor(eng_vtable_get(t, r, R_FEES), eng_vtable_get(t, r, R_CURRENCY), &stated) != 0 ||
            stated == fees[row])
            continue;
        char a[48];
        money(a, sizeof a, fees[row], eng_vtable_get(t, r, R_CURRENCY));
        broken(v, 3, "reconciliation.csv line %llu: fees %s, the order's fee lines add up to %s",
               (unsigned long long)eng_vtable_line(t, r), eng_vtable_get(t, r, R_FEES), a);
    }
    free(fees);
    const fmt_json_value *pl = fmt_json_member(v->summary, "payout_lines");
    const char *said = pl ? fmt_json_value_text(fmt_json_member(pl, "unattributed")) : NULL;
    if (!said || strtoull(said, NULL, 10) != unattributed)
        broken(v, 1,
               "reconcile_summary.json counts %s unattributed payout lines; payout_lines.csv has "
               "%llu without an order (or the payout's own)",
               said ? said : "no", (unsigned long long)unattributed);
    snprintf(v->c[1].detail, sizeof v->c[1].detail,
             "%zu payout lines, each once: %llu an order's (each with its row), %llu unattributed",
             eng_vtable_rows(v->lines),
             (unsigned long long)(eng_vtable_rows(v->lines) - unattributed),
             (unsigned long long)unattributed);
    snprintf(v->c[3].detail, sizeof v->c[3].detail, "%zu orders, one row and one known status each",
             eng_vtable_rows(v->rec));
    fmt_buf_release(&key);
    eng_vmap_free(orders);
    eng_vmap_free(ids);
    return ENG_OK;
}

/* ---- 3: totals against the history ---- */

enum { HS_SLIP, HS_ORDER, HS_LINE_NO, HS_AMOUNT, HS_CURRENCY, HS_N };
static const fmt_column hslip_cols[HS_N] = {
    {"slip_no", 1}, {"order_id", 1}, {"line_no", 1}, {"line_amount", 1}, {"currency", 1}};
enum { HL_RETURN, HL_DECISION, HL_REFUND, HL_CURRENCY, HL_N };
static const fmt_column hledger_cols[HL_N] = {
    {"return_no", 1}, {"decision", 1}, {"refund_amount", 1}, {"currency", 1}};

static eng_rc check_totals(vrec *v, const sums *paid)
{
    const fmt_json_value *ins = fmt_json_member(v->manifest, "inputs");
    sums hist = {eng_vmap_new(), NULL, NULL, 0}; /* a: shipped, b: refunded, per currency */
    sums out = {eng_vmap_new(), NULL, NULL, 0};
    eng_vmap *seen = eng_vmap_new(), *returns = eng_vmap_new();
    fmt_buf key;
    fmt_buf_init(&key);
    eng_rc rc = hist.keys && out.keys && seen && returns ? ENG_OK : ENG_NOMEM;
    /* ledgers first: their return numbers are the exchange slips' order ids */
    for (int pass = 0; pass < 2 && rc == ENG_OK && !v->c[2].unchecked; pass++)
        for (size_t i = 0; i < fmt_json_count(ins) && rc == ENG_OK; i++) {
            const fmt_json_value *in = fmt_json_item(ins, i);
            const char *role = fmt_json_member_str(in, "role"),
                       *path = fmt_json_member_str(in, "path");
            if (!role || !path || strcmp(role, pass ? "slips" : "returns_ledger") != 0)
                continue;
            eng_vtable *t = NULL;
            eng_err err;
            memset(&err, 0, sizeof err);
            if (eng_vtable_load(path, path, pass ? hslip_cols : hledger_cols, pass ? HS_N : HL_N, 1,
                                &t, &err) != ENG_OK) {
                v->c[2].unchecked = 1;
                snprintf(v->c[2].detail, sizeof v->c[2].detail,
                         "not checked: the history file %.200s cannot be read", path);
                break;
            }
            for (size_t r = 0; r < eng_vtable_rows(t) && rc == ENG_OK; r++) {
                int64_t amount;
                const char *cur = eng_vtable_get(t, r, pass ? HS_CURRENCY : HL_CURRENCY);
                if (!pass) {
                    const char *no = eng_vtable_get(t, r, HL_RETURN);
                    int added = 0;
                    if (!*no || strcmp(eng_vtable_get(t, r, HL_DECISION), "APPROVED") != 0 ||
                        minor(eng_vtable_get(t, r, HL_REFUND), cur, &amount) != 0)
                        continue;
                    if (eng_vmap_add(returns, no, strlen(no), &added) < 0)
                        rc = ENG_NOMEM;
                    else if (added && sums_add(&hist, cur, strlen(cur), 0, amount))
                        rc = ENG_NOMEM;
                    continue;
                }
                const char *order = eng_vtable_get(t, r, HS_ORDER);
                if (eng_vmap_find(returns, order, strlen(order)) >= 0 ||
                    minor(eng_vtable_get(t, r, HS_AMOUNT), cur, &amount) != 0)
                    continue;
                key3(&key, eng_vtable_get(t, r, HS_SLIP), eng_vtable_get(t, r, HS_LINE_NO), "");
                int added = 0;
                if (key.failed || eng_vmap_add(seen, key.p, key.len, &added) < 0)
                    rc = ENG_NOMEM;
                else if (added && sums_add(&hist, cur, strlen(cur), amount, 0))
                    rc = ENG_NOMEM;
            }
            eng_vtable_free(t);
        }
    for (size_t r = 0; rc == ENG_OK && r < eng_vtable_rows(v->rec); r++) {
        const char *cur = eng_vtable_get(v->rec, r, R_CURRENCY);
        int64_t shipped, re, p, rp; /* paid ones: only read, to name a bad cell */
        if (minor(eng_vtable_get(v->rec, r, R_SHIPPED), cur, &shipped) != 0 ||
            minor(eng_vtable_get(v->rec, r, R_REF_EXP), cur, &re) != 0 ||
            minor(eng_vtable_get(v->rec, r, R_PAID), cur, &p) != 0 ||
            minor(eng_vtable_get(v->rec, r, R_REF_PAID), cur, &rp) != 0) {
            broken(v, 2, "reconciliation.csv line %llu: an amount is not one in %s",
                   (unsigned long long)eng_vtable_line(v->rec, r), cur);
            continue;
        }
        if (sums_add(&out, cur, strlen(cur), shipped, re))
            rc = ENG_NOMEM;
    }
    /* per currency: history against reconciliation.csv; payout lines against paid */
    size_t n_cur = 0;
    for (int c = 0; rc == ENG_OK && c < fmt_currency_count(); c++) {
        const char *code = fmt_currency_code(c);
        int64_t h = eng_vmap_find(hist.keys, code, 3), o = eng_vmap_find(out.keys, code, 3);
        __int128 hs = h >= 0 ? hist.a[h] : 0, hr = h >= 0 ? hist.b[h] : 0;
        __int128 os = o >= 0 ? out.a[o] : 0, orf = o >= 0 ? out.b[o] : 0;
        if (h < 0 && o < 0)
            continue;
        n_cur++;
        char a[48], b[48];
        if (!v->c[2].unchecked && hs != os) {
            money(a, sizeof a, hs, code);
            money(b, sizeof b, os, code);
            broken(v, 2,
                   "%s: the history's slips ship %s, reconciliation.csv's shipped adds up to %s",
                   code, a, b);
        }
        if (!v->c[2].unchecked && hr != orf) {
            money(a, sizeof a, hr, code);
            money(b, sizeof b, orf, code);
            broken(v, 2,
                   "%s: the history's ledgers approve refunds of %s, reconciliation.csv's "
                   "refund_expected adds up to %s",
                   code, a, b);
        }
    }
    /* paid and refund_paid: the attributed payout lines */
    sums rec_paid = {eng_vmap_new(), NULL, NULL, 0};
    if (rc == ENG_OK && !rec_paid.keys)
        rc = ENG_NOMEM;
    for (size_t r = 0; rc == ENG_OK && r < eng_vtable_rows(v->rec); r++) {
        const char *cur = eng_vtable_get(v->rec, r, R_CURRENCY);
        int64_t p, rp;
        if (minor(eng_vtable_get(v->rec, r, R_PAID), cur, &p) == 0 &&
            minor(eng_vtable_get(v->rec, r, R_REF_PAID), cur, &rp) == 0 &&
            sums_add(&rec_paid, cur, strlen(cur), p, rp))
            rc = ENG_NOMEM;
    }
    for (size_t k = 0; rc == ENG_OK && k < eng_vmap_count(rec_paid.keys); k++) {
        size_t len;
        const char *cur = eng_vmap_key(rec_paid.keys, (int64_t)k, &len);
        int64_t l = eng_vmap_find(paid->keys, cur, len);
        __int128 lp = l >= 0 ? paid->a[l] : 0, lr = l >= 0 ? paid->b[l] : 0;
        if (lp != rec_paid.a[k] || lr != rec_paid.b[k]) {
            char a[48], b[48];
            money(a, sizeof a, lp, cur);
            money(b, sizeof b, rec_paid.a[k], cur);
            broken(v, 2,
                   "%s: the orders' payout lines pay %s, reconciliation.csv's paid adds up to %s "
                   "(or their refunds differ)",
                   cur, a, b);
        }
    }
    sums_free(&rec_paid);
    if (!v->c[2].unchecked)
        snprintf(v->c[2].detail, sizeof v->c[2].detail,
                 "%zu currencies: shipped and refund_expected equal the history's slips and "
                 "ledgers, paid and refund_paid the orders' payout lines",
                 n_cur);
    fmt_buf_release(&key);
    sums_free(&hist);
    sums_free(&out);
    eng_vmap_free(seen);
    eng_vmap_free(returns);
    return rc;
}

/* ---- 5: hashes ---- */

static void check_hashes(vrec *v)
{
    size_t n_out = 0, n_in = 0, n_unread = 0;
    const fmt_json_value *outs = fmt_json_member(v->manifest, "outputs"),
                         *ins = fmt_json_member(v->manifest, "inputs");
    for (int side = 0; side < 2; side++) {
        const fmt_json_value *list = side ? ins : outs;
        for (size_t i = 0; i < fmt_json_count(list); i++) {
            const fmt_json_value *e = fmt_json_item(list, i);
            const char *name = fmt_json_member_str(e, side ? "path" : "name"),
                       *want = fmt_json_member_str(e, "sha256");
            if (!name || !want)
                continue;
            char *path = side ? strdup(name) : join(v->dir, name);
            char got[65];
            uint64_t bytes;
            eng_err err;
            memset(&err, 0, sizeof err);
            if (!path || fmt_sha256_file(path, got, &bytes, &err) != ENG_OK) {
                if (side)
                    n_unread++;
                else
                    broken(v, 4, "%s cannot be read", name);
            } else if (strcmp(got, want) != 0) {
                broken(v, 4, "%s %s has sha256 %.12s..., manifest.json recorded %.12s...",
                       side ? "input" : "output", name, got, want);
            } else {
                side ? n_in++ : n_out++;
            }
            free(path);
        }
    }
    snprintf(v->c[4].detail, sizeof v->c[4].detail,
             "%zu outputs and %zu inputs match their sha256%s", n_out, n_in,
             n_unread ? "; some inputs could not be read, so theirs was not compared" : "");
}

int eng__verify_reconcile(const char *dir, int quiet)
{
    vrec v;
    memset(&v, 0, sizeof v);
    v.dir = dir;
    v.quiet = quiet;
    if (!quiet)
        printf("slipway verify %s (a reconcile folder)\n", dir);
    v.manifest = load_json(dir, "manifest.json");
    v.summary = load_json(dir, "reconcile_summary.json");
    v.lines = load(&v, "payout_lines.csv", line_cols, L_N);
    v.rec = load(&v, "reconciliation.csv", rec_cols, R_N);
    v.payouts = load(&v, "payouts.csv", payout_cols, P_N);
    int code = 0;
    if (!v.manifest || !v.summary || !v.lines || !v.rec || !v.payouts) {
        fprintf(stderr, "slipway: verify: %s is not a complete reconcile folder\n", dir);
        code = 3;
    } else {
        const char *t =
            fmt_json_value_text(fmt_json_member(v.manifest, "reconcile_tolerance_minor"));
        __int128 tol = t ? (__int128)strtoll(t, NULL, 10) : 0;
        sums paid = {eng_vmap_new(), NULL, NULL, 0};
        eng_rc rc = paid.keys ? check_payouts(&v) : ENG_NOMEM;
        if (rc == ENG_OK)
            rc = check_orders(&v, tol, &paid);
        if (rc == ENG_OK)
            rc = check_totals(&v, &paid);
        sums_free(&paid);
        if (rc == ENG_OK)
            check_hashes(&v);
        if (rc != ENG_OK) {
            fprintf(stderr, "slipway: verify: out of memory\n");
            code = 1;
        } else {
            int any = 0;
            for (int k = 0; k < N_CHECKS; k++) {
                if (v.c[k].findings > SHOW)
                    printf("invariant %d: %zu more findings\n", k + 1, v.c[k].findings - SHOW);
                any |= v.c[k].findings > 0;
                if (quiet)
                    continue;
                if (v.c[k].findings)
                    printf("  %d %-33s BROKEN (%zu finding%s)\n", k + 1, check_names[k],
                           v.c[k].findings, v.c[k].findings == 1 ? "" : "s");
                else
                    printf("  %d %-33s %s%s\n", k + 1, check_names[k],
                           v.c[k].unchecked ? "" : "holds: ", v.c[k].detail);
            }
            printf("verify: %s\n",
                   any ? "an invariant is broken" : "every checked invariant holds");
            code = any ? 4 : 0;
        }
    }
    fmt_json_value_free(v.manifest);
    fmt_json_value_free(v.summary);
    eng_vtable_free(v.lines);
    eng_vtable_free(v.rec);
    eng_vtable_free(v.payouts);
    return code;
}
