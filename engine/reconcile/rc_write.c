/* The reconcile folder's files. Every list is sorted by its text keys (bytes) so the
 * files depend on the inputs and --as-of only. Text cells go through the spreadsheet
 * formula guard, as in every output. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/csv.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/json.h"
#include "../base/outdir.h"
#include "../base/progress.h"
#include "../write/manifest.h"
#include "rc_match.h"

#define FLUSH_AT (1u << 20)

typedef struct csv_out {
    rc_state *rc;
    fmt_sink *sink;
    fmt_buf b;
    int first; /* no field yet on this row */
    eng_rc rc_io;
    eng_err *err;
} csv_out;

static void sep(csv_out *c)
{
    if (!c->first)
        fmt_buf_putc(&c->b, ',');
    c->first = 0;
}

static void put_text(csv_out *c, const char *s)
{
    sep(c);
    fmt_csv_put_text(&c->b, s, strlen(s));
}

static void put_id(csv_out *c, uint32_t id)
{
    put_text(c, eng__rc_text(c->rc, id));
}

static void put_u64(csv_out *c, uint64_t v)
{
    sep(c);
    fmt_buf_put_u64(&c->b, v);
}

static void put_money(csv_out *c, __int128 v, int cur)
{
    sep(c);
    fmt_buf_put_minor128(&c->b, v, cur >= 0 ? fmt_currency_minor_digits(cur) : 2);
}

static void put_day(csv_out *c, int32_t day)
{
    sep(c);
    if (day == RC_NO_DAY)
        return;
    char d[11];
    fmt_isodate_format(day, d);
    fmt_buf_put(&c->b, d, 10);
}

static void blank(csv_out *c)
{
    sep(c);
}

static void end_row(csv_out *c)
{
    fmt_buf_putc(&c->b, '\n');
    c->first = 1;
    if (c->b.len >= FLUSH_AT && c->rc_io == ENG_OK && !c->b.failed) {
        c->rc_io = fmt_sink_write(c->sink, c->b.p, c->b.len, c->err);
        c->b.len = 0;
    }
}

static eng_rc open_csv(csv_out *c, rc_state *rc, eng_outdir *od, const char *name,
                       const char *header, eng_err *err)
{
    memset(c, 0, sizeof *c);
    c->rc = rc;
    c->first = 1;
    c->err = err;
    fmt_buf_init(&c->b);
    ENG_TRY(eng_outdir_create(od, name, 0, &c->sink, err));
    fmt_buf_puts(&c->b, header);
    fmt_buf_putc(&c->b, '\n');
    return ENG_OK;
}

static eng_rc close_csv(csv_out *c, rc_input *file)
{
    eng_rc r = c->rc_io;
    if (r == ENG_OK && c->b.failed)
        r = ENG_FAIL(c->err, ENG_NOMEM, "out of memory writing outputs");
    if (r == ENG_OK && c->b.len)
        r = fmt_sink_write(c->sink, c->b.p, c->b.len, c->err);
    if (r == ENG_OK)
        r = fmt_sink_close(c->sink, c->err);
    if (r == ENG_OK && file) {
        file->bytes = fmt_sink_bytes(c->sink);
        memcpy(file->sha256, fmt_sink_sha256(c->sink), sizeof file->sha256);
    }
    fmt_sink_free(c->sink);
    c->sink = NULL;
    fmt_buf_release(&c->b);
    return r;
}

/* close_csv when the rows went well (r ENG_OK); otherwise let the file go (the folder is
 * not committed) and pass r on. Every csv_out ends through here or close_csv. */
static eng_rc finish_csv(csv_out *c, rc_input *file, eng_rc r)
{
    if (r == ENG_OK)
        return close_csv(c, file);
    fmt_sink_free(c->sink);
    c->sink = NULL;
    fmt_buf_release(&c->b);
    return r;
}

/* ---- sorting ---- */

static const rc_state *sort_rc;

static int cmp_text(uint32_t a, uint32_t b)
{
    return a == b ? 0 : strcmp(eng__rc_text(sort_rc, a), eng__rc_text(sort_rc, b));
}

static int cmp_order_key(const rc_order *a, const rc_order *b)
{
    int c = cmp_text(a->channel, b->channel);
    if (!c)
        c = cmp_text(a->order_id, b->order_id);
    if (!c)
        c = cmp_text(a->currency, b->currency);
    return c;
}

static int cmp_orders(const void *x, const void *y)
{
    return cmp_order_key(&sort_rc->orders[*(const uint32_t *)x],
                         &sort_rc->orders[*(const uint32_t *)y]);
}

/* payout_lines.csv's order: layout, payout id (bytes), date, identity. The texts are
 * ranked once, so the sort of a million lines compares integers. */
typedef struct line_key {
    uint32_t layout, payout; /* ranks of the texts */
    int32_t day;
    uint32_t line;
    unsigned char id[ENG_IDSET_KEY];
} line_key;

static int cmp_line_keys(const void *x, const void *y)
{
    const line_key *a = x, *b = y;
    if (a->layout != b->layout)
        return a->layout < b->layout ? -1 : 1;
    if (a->payout != b->payout)
        return a->payout < b->payout ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return memcmp(a->id, b->id, sizeof a->id); /* identities are distinct */
}

static int cmp_text_ids(const void *x, const void *y)
{
    return cmp_text(*(const uint32_t *)x, *(const uint32_t *)y);
}

/* rank[id] for every text used as a line's layout or payout id: its place in byte order
 * among them. NULL when out of memory. */
static uint32_t *rank_line_texts(const rc_state *rc)
{
    size_t n_text = eng_vmap_count(rc->text);
    uint32_t *rank = calloc(n_text ? n_text : 1, sizeof *rank);
    uint32_t *used = NULL;
    size_t n_used = 0;
    if (!rank)
        return NULL;
    for (size_t i = 0; i < rc->n_lines; i++) {
        rank[rc->lines[i].layout] = 1;
        rank[rc->lines[i].payout] = 1;
    }
    for (size_t t = 0; t < n_text; t++)
        n_used += rank[t];
    if (!(used = malloc((n_used ? n_used : 1) * sizeof *used))) {
        free(rank);
        return NULL;
    }
    n_used = 0;
    for (size_t t = 0; t < n_text; t++)
        if (rank[t])
            used[n_used++] = (uint32_t)t;
    qsort(used, n_used, sizeof *used, cmp_text_ids); /* sort_rc: set by eng__rc_write */
    for (size_t k = 0; k < n_used; k++)
        rank[used[k]] = (uint32_t)k;
    free(used);
    return rank;
}

/* ---- the files ---- */

static eng_rc write_lines(rc_state *rc, eng_outdir *od, rc_input *file, eng_err *err)
{
    uint32_t *rank = rank_line_texts(rc);
    line_key *keys = malloc((rc->n_lines ? rc->n_lines : 1) * sizeof *keys);
    if (!rank || !keys) {
        free(rank);
        free(keys);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < rc->n_lines; i++) {
        const rc_line *l = &rc->lines[i];
        keys[i] = (line_key){rank[l->layout], rank[l->payout], l->day, (uint32_t)i, {0}};
        memcpy(keys[i].id, l->id, sizeof l->id);
    }
    free(rank);
    qsort(keys, rc->n_lines, sizeof *keys, cmp_line_keys);
    csv_out c;
    eng_rc r = open_csv(&c, rc, od, "payout_lines.csv",
                        "line_id,layout,channel,payout_id,transaction_id,occurrence,order_id,"
                        "currency,type,amount,date,code,source,line",
                        err);
    for (size_t i = 0; i < rc->n_lines && r == ENG_OK; i++) {
        const rc_line *l = &rc->lines[keys[i].line];
        char hex[33];
        eng__rc_hex(l->id, hex);
        hex[32] = '\0';
        put_text(&c, hex);
        put_id(&c, l->layout);
        put_id(&c, l->channel);
        put_id(&c, l->payout);
        put_text(&c, l->txn);
        put_u64(&c, l->occurrence);
        put_id(&c, l->order_id);
        put_id(&c, l->currency);
        put_text(&c, fmt_ptype_name(l->type));
        put_money(&c, l->amount, l->cur);
        put_day(&c, l->day);
        put_id(&c, l->code);
        put_id(&c, l->source);
        put_u64(&c, l->line);
        end_row(&c);
    }
    free(keys);
    return finish_csv(&c, file, r);
}

typedef struct lines_job {
    rc_state *rc;
    eng_outdir *od;
    rc_input *file;
    eng_rc rc_out;
    eng_err err;
} lines_job;

static void *lines_thread(void *arg)
{
    lines_job *j = arg;
    j->rc_out = write_lines(j->rc, j->od, j->file, &j->err);
    return NULL;
}

/* The payouts of an order's sale-side lines, ';'-joined in byte order (at most a few). */
static void order_payouts(const rc_state *rc, const rc_order *o, fmt_buf *out)
{
    out->len = 0;
    uint32_t seen[8];
    size_t n = 0;
    for (uint32_t k = 0; k < o->lines; k++) {
        const rc_line *l = &rc->lines[rc->by_order[o->line_start + k]];
        size_t j = 0;
        while (j < n && seen[j] != l->payout)
            j++;
        if (j == n && n < 8 && *eng__rc_text(rc, l->payout))
            seen[n++] = l->payout;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort by text */
        for (size_t j = i; j > 0 && cmp_text(seen[j - 1], seen[j]) > 0; j--) {
            uint32_t t = seen[j];
            seen[j] = seen[j - 1];
            seen[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        if (i)
            fmt_buf_putc(out, ';');
        fmt_buf_puts(out, eng__rc_text(rc, seen[i]));
    }
    fmt_buf_putc(out, '\0');
}

/* What differs, by component where the payout names components. */
static void detail(const rc_state *rc, const rc_order *o, const rc_verdict *v, char *dst,
                   size_t cap)
{
    char a[48], b[48];
    int cur = o->cur;
    dst[0] = '\0';
    size_t n = 0;
    switch (v->primary) {
    case RC_ST_AMOUNT_DIFFERS:
    case RC_ST_DUPLICATE_PAYMENT: {
        static const char *const name[RC_C_COUNT] = {"items", "shipping", "tax", "promotion"};
        static const int type[RC_C_COUNT] = {RC_PAID_SALE, RC_PAID_SHIPPING, RC_PAID_TAX,
                                             RC_PAID_PROMOTION};
        int components =
            o->paid[RC_PAID_SHIPPING] || o->paid[RC_PAID_TAX] || o->paid[RC_PAID_PROMOTION];
        for (int k = 0; k < RC_C_COUNT && components; k++) {
            if (v->exp[k] == o->paid[type[k]])
                continue;
            eng__rc_money_text(a, sizeof a, v->exp[k], cur);
            eng__rc_money_text(b, sizeof b, o->paid[type[k]], cur);
            n += (size_t)snprintf(dst + n, cap - n, "%s%s expected %s paid %s", n ? "; " : "",
                                  name[k], a, b);
            if (n >= cap)
                return;
        }
        if (!n) {
            eng__rc_money_text(a, sizeof a, v->expected, cur);
            eng__rc_money_text(b, sizeof b, v->paid, cur);
            snprintf(dst, cap, "expected %s paid %s", a, b);
        }
        return;
    }
    case RC_ST_SHIPPED_NOT_PAID:
        eng__rc_money_text(a, sizeof a, v->expected, cur);
        snprintf(dst, cap, "shipped for %s, no payout line yet", a);
        return;
    case RC_ST_PAID_NOT_SHIPPED:
        eng__rc_money_text(a, sizeof a, v->paid, cur);
        snprintf(dst, cap, "paid %s, nothing shipped%s%s", a,
                 o->status != RC_NONE ? "; order status " : "",
                 o->status != RC_NONE ? eng__rc_text(rc, o->status) : "");
        return;
    case RC_ST_CURRENCY_DIFFERS:
        snprintf(dst, cap, "slipway knows the order in %s", eng__rc_text(rc, o->known_cur));
        return;
    case RC_ST_CHARGEBACK:
        eng__rc_money_text(a, sizeof a, o->paid[RC_PAID_CHARGEBACK], cur);
        snprintf(dst, cap, "chargeback %s", a);
        return;
    case RC_ST_REFUNDED_NOT_IN_LEDGER:
    case RC_ST_REFUND_AMOUNT_DIFFERS:
    case RC_ST_LEDGER_REFUND_NOT_SEEN:
        eng__rc_money_text(a, sizeof a, v->refund_expected, cur);
        eng__rc_money_text(b, sizeof b, v->refund_paid, cur);
        snprintf(dst, cap, "ledger refunds %s, payouts refund %s", a, b);
        return;
    default:
        return;
    }
}

typedef rc_totals totals;

/* An open item: its row in reconciliation.csv's order, and the day it is open from. */
typedef struct open_item {
    size_t row;
    int32_t since;
} open_item;

static int cmp_open(const void *x, const void *y)
{
    const open_item *a = x, *b = y;
    if (a->since != b->since)
        return a->since < b->since ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

static eng_rc write_orders(rc_state *rc, eng_outdir *od, rc_input *rec_file, rc_input *open_file,
                           totals *t, eng_err *err)
{
    uint32_t *idx = malloc((rc->n_orders ? rc->n_orders : 1) * sizeof *idx);
    /* the open items only: a verdict is 200 bytes, and most orders are matched */
    open_item *open = NULL;
    size_t n_open = 0, cap_open = 0;
    if (!idx)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    for (size_t o = 0; o < rc->n_orders; o++)
        idx[o] = (uint32_t)o;
    qsort(idx, rc->n_orders, sizeof *idx, cmp_orders);
    /* The currency slipway's outputs first knew each channel and order id in: the orders
     * of one (channel, order id) are neighbours now. */
    for (size_t i = 0, end; i < rc->n_orders; i = end) {
        const rc_order *first = &rc->orders[idx[i]], *known = NULL;
        for (end = i; end < rc->n_orders; end++) {
            const rc_order *x = &rc->orders[idx[end]];
            if (x->channel != first->channel || x->order_id != first->order_id)
                break;
            if (x->known_seq && (!known || x->known_seq < known->known_seq))
                known = x;
        }
        for (size_t k = i; k < end; k++)
            rc->orders[idx[k]].known_cur = known ? known->currency : RC_NONE;
    }
    size_t n = 0;
    for (size_t i = 0; i < rc->n_orders; i++) {
        const rc_order *x = &rc->orders[idx[i]];
        /* an order slipway only knows from order_totals (rejected, never paid) is not
         * money to reconcile */
        if (x->slip_lines || x->ledger_rows || x->lines)
            idx[n++] = idx[i];
    }
    csv_out c;
    fmt_buf payouts;
    fmt_buf_init(&payouts);
    char text[600];
    eng_rc r =
        open_csv(&c, rc, od, "reconciliation.csv",
                 "channel,order_id,currency,status,code,flags,shipped,expected,paid,difference,"
                 "refund_expected,refund_paid,fees,tax_withheld,first_ship_date,"
                 "first_paid_date,payouts,detail",
                 err);
    for (size_t i = 0; i < n && r == ENG_OK; i++) {
        const rc_order *o = &rc->orders[idx[i]];
        rc_verdict verdict, *v = &verdict;
        eng__rc_judge(rc, o, v);
        t->by_status[v->primary]++;
        if (eng_rc_open(v->primary)) {
            if (n_open == cap_open) {
                size_t cap = cap_open ? cap_open * 2 : 1024;
                open_item *g = realloc(open, cap * sizeof *g);
                if (!g) {
                    r = ENG_FAIL(err, ENG_NOMEM, "out of memory");
                    break;
                }
                open = g;
                cap_open = cap;
            }
            open[n_open++] = (open_item){i, v->since};
        }
        put_id(&c, o->channel);
        put_id(&c, o->order_id);
        put_id(&c, o->currency);
        put_text(&c, eng_rc_status_names[v->primary]);
        put_text(&c, v->code ? v->code : "");
        size_t k = 0;
        text[0] = '\0';
        for (int s = 0; s < RC_ST_COUNT; s++)
            if ((v->all & (1u << s)) && s != (int)v->primary && s != RC_ST_MATCHED)
                k += (size_t)snprintf(text + k, sizeof text - k, "%s%s", k ? ";" : "",
                                      eng_rc_status_names[s]);
        put_text(&c, text);
        put_money(&c, o->shipped, o->cur);
        put_money(&c, v->expected, o->cur);
        put_money(&c, v->paid, o->cur);
        put_money(&c, v->difference, o->cur);
        put_money(&c, v->refund_expected, o->cur);
        put_money(&c, v->refund_paid, o->cur);
        put_money(&c, v->fees, o->cur);
        put_money(&c, v->withheld, o->cur);
        put_day(&c, o->first_ship);
        put_day(&c, o->first_paid);
        order_payouts(rc, o, &payouts);
        put_text(&c, payouts.p ? payouts.p : "");
        detail(rc, o, v, text, sizeof text);
        put_text(&c, text);
        end_row(&c);
    }
    r = finish_csv(&c, rec_file, r);
    /* open_items.csv: oldest first; within a day in the key order they already have (a
     * total order, so qsort's instability cannot show) */
    if (r == ENG_OK && n_open)
        qsort(open, n_open, sizeof *open, cmp_open);
    if (r == ENG_OK)
        r = open_csv(&c, rc, od, "open_items.csv",
                     "since,age_days,channel,order_id,currency,status,code,amount,detail", err);
    for (size_t i = 0; r == ENG_OK && i < n_open; i++) {
        const rc_order *o = &rc->orders[idx[open[i].row]];
        rc_verdict verdict, *v = &verdict;
        eng__rc_judge(rc, o, v);
        int64_t age = (int64_t)rc->args->as_of - v->since;
        if (age < 0)
            age = 0;
        t->open++;
        t->ageing[age <= 30 ? 0 : age <= 60 ? 1 : age <= 90 ? 2 : 3]++;
        put_day(&c, v->since);
        put_u64(&c, (uint64_t)age);
        put_id(&c, o->channel);
        put_id(&c, o->order_id);
        put_id(&c, o->currency);
        put_text(&c, eng_rc_status_names[v->primary]);
        put_text(&c, v->code ? v->code : "");
        put_money(&c, v->open, o->cur);
        detail(rc, o, v, text, sizeof text);
        put_text(&c, text);
        end_row(&c);
    }
    r = finish_csv(&c, open_file, r);
    free(open);
    fmt_buf_release(&payouts);
    free(idx);
    return r;
}

static int cmp_payouts(const void *x, const void *y)
{
    const rc_payout *a = x, *b = y;
    int c = cmp_text(a->layout, b->layout);
    if (!c)
        c = cmp_text(a->payout, b->payout);
    if (!c)
        c = cmp_text(a->currency, b->currency);
    return c;
}

static eng_rc build_payouts(rc_state *rc, totals *t)
{
    eng_vmap *keys = eng_vmap_new();
    fmt_buf key;
    fmt_buf_init(&key);
    if (!keys)
        return ENG_NOMEM;
    for (size_t i = 0; i < rc->n_lines; i++) {
        const rc_line *l = &rc->lines[i];
        if (l->order == RC_NONE)
            t->unattributed++;
        if (l->type == FMT_PT_UNCLASSIFIED)
            t->unclassified++;
        key.len = 0;
        fmt_buf_put_u64(&key, l->layout);
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put_u64(&key, l->payout);
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put_u64(&key, l->currency);
        int added = 0;
        int64_t k = key.failed ? -1 : eng_vmap_add(keys, key.p, key.len, &added);
        if (k < 0)
            break;
        if (added) {
            rc_payout *g = realloc(rc->payouts, ((size_t)k + 1) * sizeof *g);
            if (!g) {
                k = -1;
                break;
            }
            rc->payouts = g;
            rc->n_payouts = (size_t)k + 1;
            memset(&g[k], 0, sizeof g[k]);
            g[k].layout = l->layout;
            g[k].channel = l->channel;
            g[k].payout = l->payout;
            g[k].currency = l->currency;
            g[k].cur = l->cur;
            g[k].deposit_day = g[k].first_day = g[k].last_day = RC_NO_DAY;
        }
        rc_payout *p = &rc->payouts[k];
        p->by_type[l->type] += l->amount;
        p->lines++;
        /* The transfer out of a payout with an id is its declared total; a balance without
         * payouts (PayPal's) has withdrawals, which are lines of it like any other. */
        if (l->type == FMT_PT_PAYOUT && *eng__rc_text(rc, l->payout)) {
            p->declared = 1;
            /* the latest of its transfers, whatever the order of the files */
            if (l->day != RC_NO_DAY && (p->deposit_day == RC_NO_DAY || l->day > p->deposit_day))
                p->deposit_day = l->day;
            continue;
        }
        if (l->day != RC_NO_DAY && (p->first_day == RC_NO_DAY || l->day < p->first_day))
            p->first_day = l->day;
        if (l->day != RC_NO_DAY && (p->last_day == RC_NO_DAY || l->day > p->last_day))
            p->last_day = l->day;
    }
    int failed = key.failed || rc->n_payouts != eng_vmap_count(keys);
    fmt_buf_release(&key);
    eng_vmap_free(keys);
    if (failed)
        return ENG_NOMEM;
    if (rc->n_payouts)
        qsort(rc->payouts, rc->n_payouts, sizeof *rc->payouts, cmp_payouts);
    return ENG_OK;
}

static eng_rc write_payouts(rc_state *rc, eng_outdir *od, rc_input *file, uint64_t *inconsistent,
                            eng_err *err)
{
    csv_out c;
    eng_rc r = open_csv(&c, rc, od, "payouts.csv",
                        "layout,channel,payout_id,currency,first_date,last_date,deposit_date,"
                        "declared,lines_sum,difference,sales,refunds,fees,tax_withheld,reserves,"
                        "other,lines",
                        err);
    for (size_t i = 0; i < rc->n_payouts && r == ENG_OK; i++) {
        const rc_payout *p = &rc->payouts[i];
        const __int128 *b = p->by_type;
        __int128 sum = 0;
        for (int ty = 0; ty < FMT_PT_COUNT; ty++)
            if (ty != FMT_PT_PAYOUT || !p->declared)
                sum += b[ty];
        __int128 sales = b[FMT_PT_SALE] + b[FMT_PT_SHIPPING] + b[FMT_PT_TAX] + b[FMT_PT_PROMOTION];
        __int128 refunds = b[FMT_PT_REFUND] + b[FMT_PT_CHARGEBACK];
        __int128 fees = b[FMT_PT_FEE] + b[FMT_PT_FEE_REFUND] + b[FMT_PT_ADVERTISING];
        __int128 reserves = b[FMT_PT_RESERVE_HELD] + b[FMT_PT_RESERVE_RELEASED];
        __int128 other = sum - sales - refunds - fees - reserves - b[FMT_PT_TAX_WITHHELD];
        put_id(&c, p->layout);
        put_id(&c, p->channel);
        put_id(&c, p->payout);
        put_id(&c, p->currency);
        put_day(&c, p->first_day);
        put_day(&c, p->last_day);
        put_day(&c, p->deposit_day);
        if (p->declared) {
            put_money(&c, -b[FMT_PT_PAYOUT], p->cur);
        } else {
            blank(&c);
        }
        put_money(&c, sum, p->cur);
        if (p->declared) {
            put_money(&c, sum + b[FMT_PT_PAYOUT], p->cur);
            *inconsistent += sum + b[FMT_PT_PAYOUT] != 0;
        } else {
            blank(&c);
        }
        put_money(&c, sales, p->cur);
        put_money(&c, refunds, p->cur);
        put_money(&c, fees, p->cur);
        put_money(&c, b[FMT_PT_TAX_WITHHELD], p->cur);
        put_money(&c, reserves, p->cur);
        put_money(&c, other, p->cur);
        put_u64(&c, p->lines);
        end_row(&c);
    }
    return finish_csv(&c, file, r);
}

/* fees.csv: per channel, currency and fee (the source's own code), its share of the
 * channel's sales in that currency. */
typedef struct fee_row {
    uint32_t channel, currency, code;
    int cur;
    __int128 amount;
} fee_row;

static int cmp_fees(const void *x, const void *y)
{
    const fee_row *a = x, *b = y;
    int c = cmp_text(a->channel, b->channel);
    if (!c)
        c = cmp_text(a->currency, b->currency);
    if (!c)
        c = cmp_text(a->code, b->code);
    return c;
}

static eng_rc write_fees(rc_state *rc, eng_outdir *od, rc_input *file, eng_err *err)
{
    eng_vmap *keys = eng_vmap_new(), *sales_keys = eng_vmap_new();
    fee_row *rows = NULL;
    __int128 *sales = NULL;
    size_t n = 0;
    fmt_buf key;
    fmt_buf_init(&key);
    eng_rc r = keys && sales_keys ? ENG_OK : ENG_NOMEM;
    for (size_t i = 0; i < rc->n_lines && r == ENG_OK; i++) {
        const rc_line *l = &rc->lines[i];
        int fee =
            l->type == FMT_PT_FEE || l->type == FMT_PT_FEE_REFUND || l->type == FMT_PT_ADVERTISING;
        if (!fee && !eng_rc_sale_side(l->type))
            continue;
        key.len = 0;
        fmt_buf_put_u64(&key, l->channel);
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put_u64(&key, l->currency);
        size_t pair_len = key.len;
        int added = 0;
        int64_t s = key.failed ? -1 : eng_vmap_add(sales_keys, key.p, pair_len, &added);
        if (s < 0) {
            r = ENG_NOMEM;
            break;
        }
        if (added) {
            __int128 *g = realloc(sales, ((size_t)s + 1) * sizeof *g);
            if (!g) {
                r = ENG_NOMEM;
                break;
            }
            sales = g;
            sales[s] = 0;
        }
        if (!fee) {
            sales[s] += l->amount;
            continue;
        }
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put_u64(&key, l->code);
        int64_t k = key.failed ? -1 : eng_vmap_add(keys, key.p, key.len, &added);
        if (k < 0) {
            r = ENG_NOMEM;
            break;
        }
        if (added) {
            fee_row *g = realloc(rows, ((size_t)k + 1) * sizeof *g);
            if (!g) {
                r = ENG_NOMEM;
                break;
            }
            rows = g;
            n = (size_t)k + 1;
            rows[k] = (fee_row){l->channel, l->currency, l->code, l->cur, 0};
        }
        rows[k].amount += l->amount;
    }
    csv_out c;
    memset(&c, 0, sizeof c); /* finish_csv may meet it unopened */
    fmt_buf_init(&c.b);
    if (r != ENG_OK)
        r = ENG_FAIL(err, ENG_NOMEM, "out of memory");
    else if (n)
        qsort(rows, n, sizeof *rows, cmp_fees);
    if (r == ENG_OK)
        r = open_csv(&c, rc, od, "fees.csv", "channel,currency,fee,amount,sales,share_pct", err);
    for (size_t i = 0; i < n && r == ENG_OK; i++) {
        const fee_row *f = &rows[i];
        key.len = 0;
        fmt_buf_put_u64(&key, f->channel);
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put_u64(&key, f->currency);
        int64_t s = key.failed ? -1 : eng_vmap_find(sales_keys, key.p, key.len);
        __int128 sold = s >= 0 ? sales[s] : 0;
        put_id(&c, f->channel);
        put_id(&c, f->currency);
        put_id(&c, f->code);
        put_money(&c, f->amount, f->cur);
        put_money(&c, sold, f->cur);
        if (sold > 0) {
            /* hundredths of a percent, half away from zero: -amount / sales * 100 */
            __int128 num = -f->amount * 10000,
                     q = (2 * num + (num < 0 ? -sold : sold)) / (2 * sold);
            put_money(&c, q, -1);
        } else {
            blank(&c);
        }
        end_row(&c);
    }
    r = finish_csv(&c, file, r);
    fmt_buf_release(&key);
    eng_vmap_free(keys);
    eng_vmap_free(sales_keys);
    free(rows);
    free(sales);
    return r;
}

static int cmp_exc(const void *x, const void *y)
{
    const rc_exc *a = x, *b = y;
    int c = cmp_text(a->source, b->source);
    if (!c && a->line != b->line)
        c = a->line < b->line ? -1 : 1;
    if (!c && a->code != b->code)
        c = a->code < b->code ? -1 : 1;
    if (!c)
        c = strcmp(a->message, b->message);
    return c;
}

static eng_rc write_exceptions(rc_state *rc, eng_outdir *od, rc_input *file, eng_err *err)
{
    if (rc->n_exc)
        qsort(rc->exc, rc->n_exc, sizeof *rc->exc, cmp_exc);
    csv_out c;
    eng_rc r =
        open_csv(&c, rc, od, "exceptions.csv", "source,line,record_id,code,field,message", err);
    for (size_t i = 0; i < rc->n_exc && r == ENG_OK; i++) {
        const rc_exc *e = &rc->exc[i];
        put_id(&c, e->source);
        put_u64(&c, e->line);
        put_id(&c, e->record);
        put_text(&c, eng_code_name((eng_code)e->code));
        put_id(&c, e->field);
        put_text(&c, e->message);
        end_row(&c);
    }
    return finish_csv(&c, file, r);
}

static eng_rc write_json(eng_outdir *od, const char *name, fmt_buf *b, rc_input *file, eng_err *err)
{
    if (b->failed)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing %s", name);
    return eng_outdir_write_file(od, name, b->p, b->len, file ? &file->bytes : NULL,
                                 file ? file->sha256 : NULL, err);
}

static void summary_json(const rc_state *rc, const totals *t, uint64_t inconsistent, fmt_buf *b)
{
    fmt_json j;
    fmt_json_init(&j, b);
    fmt_json_object_begin(&j, NULL);
    char d[11];
    fmt_isodate_format(rc->args->as_of, d);
    fmt_json_str(&j, "as_of", d);
    fmt_json_array_begin(&j, "inputs");
    for (size_t i = 0; i < rc->n_inputs; i++) {
        const rc_input *in = &rc->inputs[i];
        if (!strcmp(in->role, "output"))
            continue;
        fmt_json_object_begin(&j, NULL);
        fmt_json_str(&j, "path", in->path);
        fmt_json_str(&j, "role", in->role);
        if (*in->format)
            fmt_json_str(&j, "format", in->format);
        fmt_json_u64(&j, "rows", in->rows);
        fmt_json_u64(&j, "bad_rows", in->bad_rows);
        if (!strcmp(in->role, "payouts") || !strcmp(in->role, "payout_lines")) {
            fmt_json_u64(&j, "lines", in->lines);
            fmt_json_u64(&j, "lines_counted_before", in->duplicate_lines);
        }
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);
    fmt_json_object_begin(&j, "payout_lines");
    fmt_json_u64(&j, "total", rc->n_lines);
    fmt_json_u64(&j, "unattributed", t->unattributed);
    fmt_json_u64(&j, "unclassified", t->unclassified);
    fmt_json_object_end(&j);
    fmt_json_object_begin(&j, "payouts");
    fmt_json_u64(&j, "total", rc->n_payouts);
    fmt_json_u64(&j, "lines_differ_from_declared", inconsistent);
    fmt_json_object_end(&j);
    fmt_json_object_begin(&j, "orders");
    uint64_t all = 0;
    for (int s = 0; s < RC_ST_COUNT; s++)
        all += t->by_status[s];
    fmt_json_u64(&j, "total", all);
    for (int s = 0; s < RC_ST_COUNT; s++)
        fmt_json_u64(&j, eng_rc_status_names[s], t->by_status[s]);
    fmt_json_object_end(&j);
    fmt_json_object_begin(&j, "open_items");
    fmt_json_u64(&j, "total", t->open);
    fmt_json_u64(&j, "age_0_30", t->ageing[0]);
    fmt_json_u64(&j, "age_31_60", t->ageing[1]);
    fmt_json_u64(&j, "age_61_90", t->ageing[2]);
    fmt_json_u64(&j, "age_over_90", t->ageing[3]);
    fmt_json_object_end(&j);
    fmt_json_u64(&j, "exceptions", rc->n_exc);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
}

static void manifest_json(const rc_state *rc, const rc_input *outs, size_t n_outs, fmt_buf *b)
{
    fmt_json j;
    fmt_json_init(&j, b);
    fmt_json_object_begin(&j, NULL);
    fmt_json_str(&j, "slipway_version", SLIPWAY_VERSION);
    fmt_json_str(&j, "command", "reconcile");
    char d[11];
    fmt_isodate_format(rc->args->as_of, d);
    fmt_json_str(&j, "as_of", d);
    fmt_json_i64(&j, "reconcile_tolerance_minor", rc->policy.reconcile_tolerance_minor);
    fmt_json_array_begin(&j, "inputs");
    for (size_t i = 0; i < rc->n_inputs; i++) {
        fmt_json_object_begin(&j, NULL);
        fmt_json_str(&j, "role", rc->inputs[i].role);
        fmt_json_str(&j, "path", rc->inputs[i].path);
        fmt_json_u64(&j, "bytes", rc->inputs[i].bytes);
        fmt_json_str(&j, "sha256", rc->inputs[i].sha256);
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);
    fmt_json_array_begin(&j, "outputs");
    for (size_t i = 0; i < n_outs; i++) {
        fmt_json_object_begin(&j, NULL);
        fmt_json_str(&j, "name", outs[i].path);
        fmt_json_u64(&j, "bytes", outs[i].bytes);
        fmt_json_str(&j, "sha256", outs[i].sha256);
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
}

eng_rc eng__rc_write(rc_state *rc, eng_outdir *od, eng_err *err)
{
    sort_rc = rc;
    enum { O_LINES, O_REC, O_OPEN, O_PAYOUTS, O_FEES, O_EXC, O_SUMMARY, O_PAGE, O_N };
    static const char *const names[O_N] = {
        "payout_lines.csv", "reconciliation.csv", "open_items.csv",         "payouts.csv",
        "fees.csv",         "exceptions.csv",     "reconcile_summary.json", "report.html"};
    rc_input outs[O_N];
    memset(outs, 0, sizeof outs);
    for (int i = 0; i < O_N; i++)
        outs[i].path = (char *)names[i];
    totals t;
    memset(&t, 0, sizeof t);
    uint64_t inconsistent = 0;
    ENG_TRY(build_payouts(rc, &t) == ENG_OK ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory"));
    /* payout_lines.csv, half the bytes, on a thread of its own; it reads only the lines
     * and the texts, which nothing changes from here on */
    lines_job job = {rc, od, &outs[O_LINES], ENG_OK, {0}};
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, lines_thread, &job) == 0;
    if (!threaded)
        lines_thread(&job);
    eng_rc r = write_orders(rc, od, &outs[O_REC], &outs[O_OPEN], &t, err);
    if (r == ENG_OK)
        r = write_payouts(rc, od, &outs[O_PAYOUTS], &inconsistent, err);
    if (r == ENG_OK)
        r = write_fees(rc, od, &outs[O_FEES], err);
    if (r == ENG_OK)
        r = write_exceptions(rc, od, &outs[O_EXC], err);
    if (threaded)
        pthread_join(thread, NULL);
    if (job.rc_out != ENG_OK) { /* its failure first, whatever else failed: the same each run */
        *err = job.err;
        return job.rc_out;
    }
    ENG_TRY(r);
    fmt_buf b;
    fmt_buf_init(&b);
    summary_json(rc, &t, inconsistent, &b);
    r = write_json(od, "reconcile_summary.json", &b, &outs[O_SUMMARY], err);
    if (r == ENG_OK)
        r = eng__rc_page_write(rc, &t, inconsistent, od, &outs[O_PAGE], err);
    b.len = 0;
    if (r == ENG_OK) {
        manifest_json(rc, outs, O_N, &b);
        r = write_json(od, "manifest.json", &b, NULL, err);
    }
    fmt_buf_release(&b);
    eng_progress_stop(rc->progress); /* its line cleared before the summary */
    rc->progress = NULL;
    if (r == ENG_OK && !rc->args->quiet) {
        char d[11];
        fmt_isodate_format(rc->args->as_of, d);
        printf("slipway reconcile as of %s -> %s\n", d, rc->args->out);
        printf("  payout lines   %zu in %zu payouts (%llu not an order's, %llu unclassified)\n",
               rc->n_lines, rc->n_payouts, (unsigned long long)t.unattributed,
               (unsigned long long)t.unclassified);
        uint64_t all = 0;
        for (int s = 0; s < RC_ST_COUNT; s++)
            all += t.by_status[s];
        printf("  orders         %llu:", (unsigned long long)all);
        const char *sep2 = "  ";
        for (int s = RC_ST_COUNT - 1; s >= 0; s--)
            if (t.by_status[s]) {
                printf("%s%s %llu", sep2, eng_rc_status_names[s],
                       (unsigned long long)t.by_status[s]);
                sep2 = ", ";
            }
        printf("\n  open items     %llu:  0-30 days %llu, 31-60 %llu, 61-90 %llu, over 90 %llu\n",
               (unsigned long long)t.open, (unsigned long long)t.ageing[0],
               (unsigned long long)t.ageing[1], (unsigned long long)t.ageing[2],
               (unsigned long long)t.ageing[3]);
        printf("  payouts        %zu, %llu whose lines differ from the declared total\n",
               rc->n_payouts, (unsigned long long)inconsistent);
        printf("  exceptions     %zu\n", rc->n_exc);
    }
    return r;
}
