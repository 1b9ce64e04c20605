/* routing.csv (README "routing.csv"), under invariant 8: one row per order that reached
 * allocation, and each row what the files say of it.
 *   - its order is a valid order of tonight's files (one with a SHIPPED, PARTIAL or
 *     BACKORDERED status row), named once, and every such order has a row; status is
 *     its status row's;
 *   - route is the key that matches its ship-to, and candidates its warehouses in the
 *     order tried, both worked out again by vroute.c from the policy; chosen the
 *     warehouses its slips ship from, in that order;
 *   - an order after the cut-off has no rank and "after the cut-off" as its reason; the
 *     others are ranked 1, 2, ... in the file's order, which is rank order: priority
 *     never rises and, at one priority, order_time never falls from a row to the next.
 * The reasons in skipped are the run's account of the stock as each order found it; the
 * stock checks (invariants 1, 8) prove what they explain. */
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/isotime.h"
#include "../../formats/num.h"
#include "verify_int.h"

#define INV ENG_VCHECK_STATUS

typedef struct rank_key {
    int64_t priority;
    int64_t time_ns;
} rank_key;

static rank_key key_of(const eng_vrun *v, const eng_vorder *o)
{
    rank_key k = {0, 0};
    const char *p = eng__verify_head(v, o, FMT_COL_PRIORITY);
    const char *t = eng__verify_head(v, o, FMT_COL_ORDER_TIME);
    if (*p)
        (void)fmt_int_parse(p, strlen(p), &k.priority);
    (void)fmt_isotime_parse(t, strlen(t), &k.time_ns);
    return k;
}

static uint32_t rank_named(const eng_vrun *v, const char *wh)
{
    for (size_t r = 0; r < v->n_warehouses; r++)
        if (strcmp(v->warehouses[r], *wh ? wh : "MAIN") == 0)
            return (uint32_t)r;
    return ENG_VNONE;
}

static int valid_status(const char *s)
{
    return !strcmp(s, "SHIPPED") || !strcmp(s, "PARTIAL") || !strcmp(s, "BACKORDERED");
}

typedef struct routing_ctx {
    eng_vrun *v;
    const eng_vtable *rt;
    size_t words;    /* per order: bits of the warehouses its slips ship from */
    uint64_t *ships; /* n_orders x words */
    uint8_t *seen;   /* per order: has a row */
    uint32_t *ranks;
    fmt_buf want;
} routing_ctx;

/* The bits of the warehouses each order's slips ship from. */
static void collect_shipments(routing_ctx *c)
{
    eng_vrun *v = c->v;
    const eng_vtable *sl = v->slips;
    for (size_t r = 0; r < eng_vtable_rows(sl); r++) {
        eng_vorder *o = eng__verify_find_order(v, eng_vtable_get(sl, r, SL_CHANNEL),
                                               eng_vtable_get(sl, r, SL_ORDER_ID));
        uint32_t w = rank_named(v, eng_vtable_get(sl, r, SL_WAREHOUSE));
        if (!o || w == ENG_VNONE)
            continue; /* an exchange, or invariant 7's finding */
        size_t oid = (size_t)(o - v->orders);
        c->ships[oid * c->words + w / 64] |= UINT64_C(1) << (w % 64);
    }
}

static void expect_cell(routing_ctx *c, size_t r, int col, const char *name, const char *id)
{
    const char *got = eng_vtable_get(c->rt, r, (size_t)col);
    const char *want = c->want.p ? c->want.p : "";
    if (strcmp(got, want) != 0)
        eng_vreport_broken(c->v->report, INV, "%s:%llu: order %s %s \"%.80s\"; expected \"%.80s\"",
                           eng_vtable_label(c->rt), (unsigned long long)eng_vtable_line(c->rt, r),
                           id, name, got, want);
}

static void put(fmt_buf *b, const char *s)
{
    fmt_buf_puts(b, s);
    fmt_buf_putc(b, '\0');
    b->len--; /* kept NUL-terminated for expect_cell */
}

/* Empty and NUL-terminated. */
static void reset(fmt_buf *b)
{
    b->len = 0;
    put(b, "");
}

static void check_row(routing_ctx *c, size_t r, size_t *next_rank, const eng_vorder **prev)
{
    eng_vrun *v = c->v;
    const eng_vtable *rt = c->rt;
    const char *id = eng_vtable_get(rt, r, RT_ORDER_ID);
    unsigned long long line = (unsigned long long)eng_vtable_line(rt, r);
    eng_vorder *o = eng__verify_find_order(v, eng_vtable_get(rt, r, RT_CHANNEL), id);
    const char *status =
        o && o->status_row >= 0 ? eng_vtable_get(v->status, (size_t)o->status_row, ST_STATUS) : "";
    if (!o || !valid_status(status)) {
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s (channel \"%.40s\") is no valid order of tonight's "
                           "files (%s)",
                           eng_vtable_label(rt), line, id, eng_vtable_get(rt, r, RT_CHANNEL),
                           o ? "its status row says otherwise" : "no such order");
        return;
    }
    size_t oid = (size_t)(o - v->orders);
    if (c->seen[oid]++) {
        eng_vreport_broken(v->report, INV, "%s:%llu: order %s has a row already",
                           eng_vtable_label(rt), line, id);
        return;
    }
    reset(&c->want);
    put(&c->want, status);
    expect_cell(c, r, RT_STATUS, "status", id);
    const fmt_wh_rule *route;
    size_t n = eng__verify_allowed_texts(
        v, eng__verify_head(v, o, FMT_COL_CHANNEL), eng__verify_head(v, o, FMT_COL_SHIP_COUNTRY),
        eng__verify_head(v, o, FMT_COL_SHIP_REGION), eng__verify_head(v, o, FMT_COL_SHIP_POSTAL),
        c->ranks, &route);
    reset(&c->want);
    put(&c->want, route ? route->key : "");
    expect_cell(c, r, RT_ROUTE, "route", id);
    reset(&c->want);
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(&c->want, ";");
        put(&c->want, v->warehouses[c->ranks[i]]);
    }
    expect_cell(c, r, RT_CANDIDATES, "candidates", id);
    reset(&c->want);
    for (size_t i = 0, k = 0; i < n; i++) {
        uint32_t w = c->ranks[i];
        if (!(c->ships[oid * c->words + w / 64] & (UINT64_C(1) << (w % 64))))
            continue;
        if (k++)
            put(&c->want, ";");
        put(&c->want, v->warehouses[w]);
    }
    expect_cell(c, r, RT_CHOSEN, "chosen", id);
    const char *rank = eng_vtable_get(rt, r, RT_RANK);
    if (eng__verify_after_cutoff(v, o)) {
        reset(&c->want);
        expect_cell(c, r, RT_RANK, "rank", id);
        put(&c->want, "after the cut-off");
        expect_cell(c, r, RT_SKIPPED, "skipped", id);
        return;
    }
    int64_t got;
    if (*rank == '\0' || fmt_int_parse(rank, strlen(rank), &got) != FMT_NUM_OK ||
        got != (int64_t)*next_rank)
        eng_vreport_broken(v->report, INV, "%s:%llu: order %s rank \"%.20s\"; expected %zu",
                           eng_vtable_label(rt), line, id, rank, *next_rank);
    (*next_rank)++;
    if (*prev) {
        rank_key a = key_of(v, *prev), b = key_of(v, o);
        if (b.priority > a.priority || (b.priority == a.priority && b.time_ns < a.time_ns))
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: order %s comes after order %s in rank order, but its "
                               "priority and order_time put it first",
                               eng_vtable_label(rt), line, id, eng__verify_order_id(v, *prev));
    }
    *prev = o;
}

eng_rc eng__verify_routing(eng_vrun *v)
{
    if (!eng__verify_routed(v))
        return ENG_OK;
    if (!v->routing || !v->status || !v->slips || !v->orders_read) {
        eng_vreport_unchecked(v->report, INV,
                              "routing.csv needs itself, order_status.csv, slips.csv and the "
                              "orders files, and one could not be read");
        return ENG_OK;
    }
    routing_ctx c;
    memset(&c, 0, sizeof c);
    c.v = v;
    c.rt = v->routing;
    c.words = v->n_warehouses / 64 + 1;
    c.ships = calloc((v->n_orders ? v->n_orders : 1) * c.words, sizeof *c.ships);
    c.seen = calloc(v->n_orders ? v->n_orders : 1, 1);
    c.ranks = malloc((v->n_warehouses + 1) * sizeof *c.ranks);
    fmt_buf_init(&c.want);
    eng_rc rc = ENG_NOMEM;
    if (!c.ships || !c.seen || !c.ranks)
        goto done;
    collect_shipments(&c);
    size_t next_rank = 1;
    const eng_vorder *prev = NULL;
    for (size_t r = 0; r < eng_vtable_rows(c.rt); r++)
        check_row(&c, r, &next_rank, &prev);
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        const eng_vorder *o = &v->orders[oid];
        if (c.seen[oid] || o->status_row < 0 ||
            !valid_status(eng_vtable_get(v->status, (size_t)o->status_row, ST_STATUS)))
            continue;
        eng_vreport_broken(v->report, INV,
                           "order %s (%s:%llu) reached allocation, but %s has no "
                           "row for it",
                           eng__verify_order_id(v, o), v->inputs[o->file].recorded,
                           (unsigned long long)o->line, eng_vtable_label(c.rt));
    }
    rc = ENG_OK;
done:
    free(c.ships);
    free(c.seen);
    free(c.ranks);
    fmt_buf_release(&c.want);
    return rc;
}
