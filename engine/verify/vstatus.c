/* Check 8: each order's status, its figures and its backorder rows, recounted from the
 * orders files, exceptions.csv and the slips (vslips.c has summed each line's units).
 *
 * Status rows are matched to orders by (channel, order id); several orders of one pair (a
 * re-sent copy) in the order the run sorts them, by source path, then file, then line. An
 * order with no status row, or a row with no order, is invariant 3's finding when the
 * counts per order id disagree; here only a row naming the wrong channel is. An order
 * without a status row is left out of the checks below (the run never reported it).
 *
 *   - an order that exceptions.csv rejects (a rejecting code on one of its rows; README
 *     "Codes": all order codes but DUPLICATE_ROW, SUPERSEDED_ROW) is REJECTED with the
 *     code of its first rejected row and ships nothing; a re-sent copy is rejected so;
 *     REJECTED orders have such an exception;
 *   - an order the marketplace settled (cancelled, fulfilled...) has that status and ships
 *     nothing, as does one whose every line is the marketplace's;
 *   - otherwise the order is SHIPPED when the slips ship every outstanding unit, PARTIAL
 *     when some (never under ship_complete), BACKORDERED when none; the code is
 *     INSUFFICIENT_STOCK exactly when it is left open (NO_ALLOWED_WAREHOUSE when, under
 *     routes, a SKU of its outstanding lines has inventory rows but none in the warehouses
 *     its route and channel allow, vroute.c; such an order ships nothing under
 *     ship_complete); but an order after the policy's cut-off (eng__verify_after_cutoff)
 *     is BACKORDERED with AFTER_CUTOFF and ships nothing;
 *   - lines, units and amount are what shipped for SHIPPED and PARTIAL (the amount the
 *     parts' differences of the cumulative amount), what was ordered otherwise;
 *   - what could have shipped: stock only goes down while orders are served (restocks and
 *     exchanges come first, and a ship_complete order that fails gives back what it held
 *     before the next is served), so each slot held at least its free units at the end of
 *     the night (eng__verify_free_end) whenever an order was served. Under ship_complete a
 *     BACKORDERED order for which every SKU has one warehouse whose final free units cover
 *     all the order's units of that SKU would have been served: each line finds that
 *     warehouse (or an earlier one) covering it whole. Under partial, a line left open
 *     took everything each warehouse had, so every slot of its SKU ended with 0 free.
 *     Under routes only the order's own warehouses count, in its own order.
 *     Either is a finding; neither can be raised by a correct run;
 *   - every BACKORDERED and PARTIAL order has each of its lines in backorders.csv (order
 *     values repeated, times in UTC, open_qty = outstanding - shipped, code when open,
 *     line_amount that of all ordered units), and nothing else is there. */
#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/layout.h"
#include "../../formats/num.h"
#include "verify_int.h"

#define INV ENG_VCHECK_STATUS

/* What the slips ship of an order, summed over its lines. */
typedef struct tally {
    int64_t outstanding;
    int64_t shipped;
    int64_t lines_shipped;
    __int128 amount; /* of what shipped */
    int all_shipped; /* every line ships its outstanding units */
    int shippable;   /* lines that are ours to ship */
    int over;        /* a line ships more than it has outstanding */
} tally;

static void tally_order(const eng_vrun *v, const eng_vorder *o, tally *t)
{
    memset(t, 0, sizeof *t);
    t->all_shipped = 1;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        t->shippable += ln->line_state == 0;
        if (__builtin_add_overflow(t->outstanding, ln->outstanding, &t->outstanding))
            t->outstanding = INT64_MAX;
        if (__builtin_add_overflow(t->shipped, ln->shipped, &t->shipped))
            t->shipped = INT64_MAX;
        t->all_shipped &= ln->shipped >= ln->outstanding;
        t->over |= ln->shipped > ln->outstanding;
        if (ln->shipped == 0)
            continue;
        t->lines_shipped++;
        int64_t upto =
            ln->shipped > ln->ordered - ln->before ? ln->ordered : ln->before + ln->shipped;
        t->amount += eng__verify_line_amount(ln, upto) - eng__verify_line_amount(ln, ln->before);
    }
}

static const char *state_status(int state)
{
    return fmt_state_name((fmt_state)state);
}

static void codes_text(char *dst, size_t cap, uint64_t codes)
{
    size_t o = 0;
    dst[0] = '\0';
    for (int c = 0; c < ENG_CODE_COUNT && o < cap; c++)
        if (codes & (UINT64_C(1) << c))
            o += (size_t)snprintf(dst + o, cap - o, "%s%s", o ? ", " : "",
                                  eng_code_name((eng_code)c));
}

typedef struct status_ctx {
    eng_vrun *v;
    const eng_vtable *st;
    fmt_buf key;
    size_t n_checked;
    size_t n_open;
    int64_t *need;   /* by pair_skus id: the order's units of that SKU (could have shipped) */
    uint8_t *seen;   /* by pair_skus id */
    int routed;      /* the policy chooses warehouses per order (vroute.c) */
    uint32_t *ranks; /* routed: the current order's warehouses */
    size_t n_ranks;  /* those its open lines were offered (could_have_shipped) */
    size_t n_listed; /* all of them */
    int unjudged;    /* could_have_shipped cannot tell (route_order) */
} status_ctx;

/* The status row's figure text against the recount. */
static void check_figures(status_ctx *c, size_t r, const eng_vorder *o, int64_t lines,
                          int64_t units, __int128 amount, const char *basis)
{
    eng_vrun *v = c->v;
    const eng_vtable *st = c->st;
    const char *id = eng__verify_order_id(v, o);
    char want[48];
    struct {
        int col;
        const char *name;
    } figs[] = {{ST_LINES, "lines"}, {ST_UNITS, "units"}, {ST_AMOUNT, "amount"}};
    for (size_t k = 0; k < 3; k++) {
        if (figs[k].col == ST_AMOUNT) {
            if (o->currency < 0)
                want[0] = '\0';
            else
                eng__verify_amount_text(want, sizeof want, amount, o->currency);
        } else {
            snprintf(want, sizeof want, "%lld",
                     (long long)(figs[k].col == ST_LINES ? lines : units));
        }
        const char *got = eng_vtable_get(st, r, (size_t)figs[k].col);
        if (strcmp(got, want) != 0)
            eng_vreport_broken(v->report, INV, "%s:%llu: order %s %s %.40s; recounted %s (%s)",
                               eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id,
                               figs[k].name, got, want, basis);
    }
    const char *cur = eng_vtable_get(st, r, ST_CURRENCY);
    const char *want_cur = eng__verify_head(v, o, FMT_COL_CURRENCY);
    if (strcmp(cur, want_cur) != 0)
        eng_vreport_broken(
            v->report, INV, "%s:%llu: order %s currency \"%.40s\"; the order's is \"%.40s\"",
            eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id, cur, want_cur);
}

static void expect(status_ctx *c, size_t r, const eng_vorder *o, const char *status,
                   const char *code, const char *why)
{
    eng_vrun *v = c->v;
    const eng_vtable *st = c->st;
    const char *got = eng_vtable_get(st, r, ST_STATUS);
    const char *got_code = eng_vtable_get(st, r, ST_CODE);
    if (strcmp(got, status) != 0)
        eng_vreport_broken(v->report, INV, "%s:%llu: order %s is %.40s, but %s: it must be %s",
                           eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r),
                           eng__verify_order_id(v, o), got, why, status);
    else if (code && strcmp(got_code, code) != 0)
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s (%s) has code \"%.40s\"; expected \"%s\"",
                           eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r),
                           eng__verify_order_id(v, o), status, got_code, code);
}

/* Whether one of o's outstanding lines has a SKU with inventory rows but none in its
 * warehouses ranks[0..n) (its code is then NO_ALLOWED_WAREHOUSE). */
static int lacks_allowed(const eng_vrun *v, const eng_vorder *o, const uint32_t *ranks, size_t n)
{
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (ln->outstanding > 0 && ln->sku != ENG_VNONE &&
            eng__verify_first_slot(v, ln->sku) != ENG_VNONE &&
            eng__verify_allowed_slot(v, ln->sku, ranks, n) == ENG_VNONE)
            return 1;
    }
    return 0;
}

/* Under routes: the order's warehouses into c->ranks, and lacks_allowed; which of them
 * its open lines were offered. Partial's fallback under fewest or single goes through the
 * first max_split. Under split = line with max_split an order that ships from fewer than
 * max_split warehouses always could take a new one; one that reached max_split could not,
 * and then, as under ship_complete (an order that gave back what it held may have reached
 * it on the way), what it could have had is not told from the end of the night. */
static int route_order(status_ctx *c, const eng_vorder *o)
{
    const fmt_policy *pol = &c->v->policy;
    c->n_listed = eng__verify_allowed(c->v, o, c->ranks);
    size_t cap = fmt_policy_split_cap(pol, c->n_listed);
    c->n_ranks = c->n_listed;
    c->unjudged = 0;
    if (pol->split != FMT_SPLIT_LINE)
        c->n_ranks = cap;
    else if (cap < c->n_listed)
        c->unjudged = pol->allocation == FMT_ALLOC_SHIP_COMPLETE || o->slip_whs >= cap;
    return lacks_allowed(c->v, o, c->ranks, c->n_listed);
}

/* The slots of sku an order may take from, in the order it tries them: the i-th, or
 * ENG_VNONE past the last. */
static uint32_t try_slot(const status_ctx *c, uint32_t sku, size_t i, uint32_t *cursor)
{
    const eng_vrun *v = c->v;
    if (!c->routed) {
        *cursor = i == 0 ? eng__verify_first_slot(v, sku)
                         : (*cursor == ENG_VNONE ? ENG_VNONE : v->slots[*cursor].next_of_sku);
        return *cursor;
    }
    for (; i < c->n_ranks; i++) {
        uint32_t s = eng__verify_allowed_slot(v, sku, &c->ranks[i], 1);
        if (s != ENG_VNONE)
            return s;
    }
    return ENG_VNONE;
}

/* A valid order left open that the stock at the end of the night could still serve. */
static void could_have_shipped(status_ctx *c, const eng_vorder *o, const char *status)
{
    eng_vrun *v = c->v;
    if (!v->slot_keys)
        return;
    if (c->routed && c->unjudged)
        return;
    const char *id = eng__verify_order_id(v, o);
    const char *src = v->inputs[o->file].recorded;
    const eng_vline *lines = &v->lines[o->first_line];
    if (v->policy.allocation == FMT_ALLOC_PARTIAL) {
        /* Under a min_fill, units given back after an order's turns are free at the end
         * though it could not have had them (and a line may wait with stock free, what it
         * could have had being below a minimum): the replay judges such nights. */
        if (v->policy.min_fill_line_bp > 0 || v->policy.min_fill_order_bp > 0)
            return;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            const eng_vline *ln = &lines[i];
            if (ln->shipped >= ln->outstanding || ln->sku == ENG_VNONE)
                continue;
            uint32_t cursor = ENG_VNONE;
            for (size_t t = 0;; t++) {
                uint32_t s = try_slot(c, ln->sku, t, &cursor);
                if (s == ENG_VNONE)
                    break;
                int64_t f = eng__verify_room_end(v, s, o, 1);
                if (f <= 0)
                    continue;
                eng_vreport_broken(v->report, INV,
                                   "order %s (%s:%llu) is %s and line %u leaves %lld units of SKU "
                                   "%s open, but it could have shipped more: %s still has %lld "
                                   "free for its channel at the end of the night, and partial "
                                   "allocation takes what each warehouse has",
                                   id, src, (unsigned long long)o->line, status, ln->line_no,
                                   (long long)(ln->outstanding - ln->shipped),
                                   eng_vmap_key(v->skus, ln->sku, NULL),
                                   v->warehouses[v->slots[s].wh], (long long)f);
                break;
            }
        }
        return;
    }
    /* ship_complete: the order's units of each SKU against each warehouse's final free
     * units (lines of one SKU draw on the same slots). */
    for (uint32_t i = 0; i < o->n_lines; i++)
        if (lines[i].pair_sku != ENG_VNONE) {
            c->need[lines[i].pair_sku] = 0;
            c->seen[lines[i].pair_sku] = 0;
        }
    for (uint32_t i = 0; i < o->n_lines; i++)
        if (lines[i].pair_sku != ENG_VNONE &&
            __builtin_add_overflow(c->need[lines[i].pair_sku], lines[i].outstanding,
                                   &c->need[lines[i].pair_sku]))
            c->need[lines[i].pair_sku] = INT64_MAX;
    if (c->routed && v->policy.split != FMT_SPLIT_LINE) {
        /* Sets of one warehouse come first, and one that had every unit would have
         * shipped it; sets of several are not monotone in the stock, so not judged. */
        uint32_t w = eng__verify_one_warehouse(v, o, c->ranks, c->n_listed, NULL, c->need);
        if (w != ENG_VNONE)
            eng_vreport_broken(v->report, INV,
                               "order %s (%s:%llu) is %s, but it could have shipped: %s still "
                               "has every unit it asks for at the end of the night, and "
                               "split = %s tries each of its warehouses alone first",
                               id, src, (unsigned long long)o->line, status, v->warehouses[w],
                               fmt_policy_split_name(v->policy.split));
        return;
    }
    char example[200] = "";
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &lines[i];
        if (ln->outstanding == 0)
            continue;
        if (ln->pair_sku == ENG_VNONE)
            return;
        if (c->seen[ln->pair_sku])
            continue;
        c->seen[ln->pair_sku] = 1;
        int64_t need = c->need[ln->pair_sku];
        uint32_t found = ENG_VNONE, cursor = ENG_VNONE;
        for (size_t t = 0; found == ENG_VNONE; t++) {
            uint32_t s = try_slot(c, ln->sku, t, &cursor);
            if (s == ENG_VNONE)
                break;
            if (eng__verify_room_end(v, s, o, 1) >= need)
                found = s;
        }
        if (found == ENG_VNONE)
            return; /* this SKU may really have been short when the order was served */
        if (!example[0])
            snprintf(example, sizeof example, "SKU %s: %lld free at %s for its %lld",
                     eng_vmap_key(v->skus, ln->sku, NULL),
                     (long long)eng__verify_room_end(v, found, o, 1),
                     v->warehouses[v->slots[found].wh], (long long)need);
    }
    eng_vreport_broken(v->report, INV,
                       "order %s (%s:%llu) is %s, but it could have shipped: at the end of the "
                       "night each of its SKUs still has a warehouse with the units it asks for "
                       "(%s), and stock only goes down while orders are served",
                       id, src, (unsigned long long)o->line, status, example);
}

/* A copy set aside: no status row (match_rows gives it none), its code on its rows. */
static void check_aside(status_ctx *c, const eng_vorder *o)
{
    eng_vrun *v = c->v;
    if (o->fault_codes & (UINT64_C(1) << o->aside_code))
        return;
    eng_vreport_broken(v->report, INV,
                       "order %s (%s:%llu) is a copy another copy goes on instead of, but "
                       "exceptions.csv has no %s for it",
                       eng__verify_order_id(v, o), v->inputs[o->file].recorded,
                       (unsigned long long)o->line, eng_code_name((eng_code)o->aside_code));
}

/* One order and its status row r. */
static void check_order(status_ctx *c, size_t r, const eng_vorder *o)
{
    eng_vrun *v = c->v;
    const eng_vtable *st = c->st;
    const char *id = eng__verify_order_id(v, o);
    const char *src = v->inputs[o->file].recorded;
    const char *got = eng_vtable_get(st, r, ST_STATUS);
    char why[320], codes[200];
    tally t;
    tally_order(v, o, &t);
    c->n_checked++;
    if (o->flags & ENG_VO_REJECTED) {
        codes_text(codes, sizeof codes, o->fault_codes);
        snprintf(why, sizeof why, "exceptions.csv rejects it (%s at %s:%llu)%s", codes, src,
                 (unsigned long long)o->fault_line,
                 o->slip_rows ? " and a REJECTED order ships nothing" : "");
        expect(c, r, o, "REJECTED", NULL, why);
        eng_code code = eng_code_from_name(eng_vtable_get(st, r, ST_CODE));
        if (strcmp(got, "REJECTED") == 0 && !(o->fault_codes & (UINT64_C(1) << code)))
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: order %s is REJECTED with code \"%.40s\"; its first "
                               "rejected row (%s:%llu) has %s",
                               eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id,
                               eng_vtable_get(st, r, ST_CODE), src,
                               (unsigned long long)o->fault_line, codes);
        if (o->slip_rows && strcmp(got, "REJECTED") == 0)
            eng_vreport_broken(
                v->report, INV, "order %s (%s:%llu) is REJECTED, but %s ships it (%u lines)", id,
                src, (unsigned long long)o->line, eng_vtable_label(v->slips), o->slip_rows);
        /* The copy codes judge copies: ORDER_AMENDED never names the copy that goes on,
         * and DUPLICATE_ORDER or ORDER_CHANGED_AFTER_SHIPMENT reject it only when nothing
         * of it is outstanding. */
        uint64_t copy_codes = UINT64_C(1) << ENG_CODE_DUPLICATE_ORDER |
                              UINT64_C(1) << ENG_CODE_ORDER_CHANGED_AFTER_SHIPMENT;
        if (o->fault_codes & (UINT64_C(1) << ENG_CODE_ORDER_AMENDED))
            eng_vreport_broken(v->report, INV,
                               "order %s (%s:%llu) is the copy that goes on, but exceptions.csv "
                               "gives it ORDER_AMENDED, a code only for a copy set aside",
                               id, src, (unsigned long long)o->line);
        else if (!(o->fault_codes & ~copy_codes) && t.shippable && t.outstanding > 0)
            eng_vreport_broken(v->report, INV,
                               "order %s (%s:%llu) is rejected as %s, but %lld unit%s of it %s "
                               "outstanding (ordered, less history and open_qty): only an order "
                               "with nothing outstanding is",
                               id, src, (unsigned long long)o->line, codes,
                               (long long)t.outstanding, t.outstanding == 1 ? "" : "s",
                               t.outstanding == 1 ? "is" : "are");
        check_figures(c, r, o, o->n_lines, o->units, o->amount_minor, "what it ordered");
        return;
    }
    if (strcmp(got, "REJECTED") == 0) {
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s is REJECTED, but exceptions.csv names no rejecting "
                           "problem on its rows (%s:%llu)",
                           eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id,
                           src, (unsigned long long)o->line);
        return;
    }
    int state = o->state;
    if (!state && o->n_lines && !t.shippable)
        for (uint32_t i = 0; i < o->n_lines; i++)
            if (v->lines[o->first_line + i].line_state > state)
                state = v->lines[o->first_line + i].line_state;
    if (state || t.outstanding == 0) {
        if (state) {
            snprintf(why, sizeof why, "its rows give the marketplace's status %s%s",
                     state_status(state), o->slip_rows ? ", and such an order ships nothing" : "");
            expect(c, r, o, state_status(state), "", why);
        } else {
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: order %s is %.40s, but nothing of it is outstanding "
                               "(history or open_qty): it must be REJECTED as DUPLICATE_ORDER (or "
                               "ORDER_CHANGED_AFTER_SHIPMENT)",
                               eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id,
                               got);
        }
        if (o->slip_rows && strcmp(got, state ? state_status(state) : "REJECTED") == 0)
            eng_vreport_broken(v->report, INV, "order %s (%s:%llu) is %s, but %s ships it", id, src,
                               (unsigned long long)o->line, got, eng_vtable_label(v->slips));
        check_figures(c, r, o, o->n_lines, o->units, o->amount_minor, "what it ordered");
        return;
    }
    if (eng__verify_after_cutoff(v, o)) {
        snprintf(why, sizeof why,
                 "its order_time %.40s is after tonight's cut-off, so it waits for tomorrow%s",
                 eng__verify_head(v, o, FMT_COL_ORDER_TIME),
                 o->slip_rows ? " and ships nothing tonight" : "");
        expect(c, r, o, "BACKORDERED", "AFTER_CUTOFF", why);
        if (o->slip_rows)
            eng_vreport_broken(v->report, INV,
                               "order %s (%s:%llu) came after tonight's cut-off, but %s ships it",
                               id, src, (unsigned long long)o->line, eng_vtable_label(v->slips));
        check_figures(c, r, o, o->n_lines, o->units, o->amount_minor, "what it ordered");
        return;
    }
    const char *want = t.shipped == 0 ? "BACKORDERED" : t.all_shipped ? "SHIPPED" : "PARTIAL";
    int no_allowed = c->routed && route_order(c, o);
    snprintf(why, sizeof why, "%s ships %lld of its %lld outstanding units",
             eng_vtable_label(v->slips), (long long)t.shipped, (long long)t.outstanding);
    expect(c, r, o, want,
           strcmp(want, "SHIPPED") == 0 ? ""
           : no_allowed                 ? "NO_ALLOWED_WAREHOUSE"
                                        : "INSUFFICIENT_STOCK",
           why);
    if (no_allowed && t.shipped > 0 && v->policy.allocation == FMT_ALLOC_SHIP_COMPLETE)
        eng_vreport_broken(v->report, INV,
                           "order %s (%s:%llu) has a SKU none of its allowed warehouses stocks, "
                           "but ships %lld units under allocation = ship_complete",
                           id, src, (unsigned long long)o->line, (long long)t.shipped);
    if (strcmp(want, "PARTIAL") == 0 && v->policy.allocation == FMT_ALLOC_SHIP_COMPLETE)
        eng_vreport_broken(v->report, INV,
                           "order %s (%s:%llu) ships %lld of its %lld outstanding units under "
                           "allocation = ship_complete: an order ships whole or not at all",
                           id, src, (unsigned long long)o->line, (long long)t.shipped,
                           (long long)t.outstanding);
    if (strcmp(want, "BACKORDERED") == 0)
        check_figures(c, r, o, o->n_lines, o->units, o->amount_minor, "what it ordered");
    else
        check_figures(c, r, o, t.lines_shipped, t.shipped, t.amount, "what slips.csv ships of it");
    if (strcmp(want, "SHIPPED") != 0 && !t.over &&
        !(no_allowed && v->policy.allocation == FMT_ALLOC_SHIP_COMPLETE))
        could_have_shipped(c, o, want);
}

/* ---- backorders.csv ---- */

/* lacks_allowed for a routed order, outside check_order's context. */
static int no_allowed_order(const eng_vrun *v, const eng_vorder *o)
{
    if (!eng__verify_routed(v))
        return 0;
    uint32_t *ranks = malloc((v->n_warehouses + 1) * sizeof *ranks);
    if (!ranks)
        return 0;
    int lacks = lacks_allowed(v, o, ranks, eng__verify_allowed(v, o, ranks));
    free(ranks);
    return lacks;
}

/* The value backorders.csv must hold in column k for line ln of open order o. */
static void expected_value(const eng_vrun *v, const eng_vorder *o, const eng_vline *ln, int k,
                           char *dst, size_t cap)
{
    dst[0] = '\0';
    int cur = o->currency;
    if (k == FMT_COL_ORDER_ID) {
        snprintf(dst, cap, "%s", eng__verify_order_id(v, o));
    } else if (k == FMT_COL_SKU) {
        snprintf(dst, cap, "%s", ln->sku != ENG_VNONE ? eng_vmap_key(v->skus, ln->sku, NULL) : "");
    } else if (k == FMT_COL_QTY) {
        snprintf(dst, cap, "%lld", (long long)ln->ordered);
    } else if (k == FMT_COL_UNIT_PRICE) {
        eng__verify_amount_text(dst, cap, ln->unit_minor, cur);
    } else if (k == FMT_COL_ORDER_TIME) {
        const char *t = eng__verify_head(v, o, FMT_COL_ORDER_TIME);
        int64_t ns;
        char when[40];
        if (fmt_isotime_parse(t, strlen(t), &ns) == 0) {
            fmt_isotime_format(ns, when);
            snprintf(dst, cap, "%s", when);
        }
    } else if (k == FMT_COL_PRIORITY) {
        const char *p = eng__verify_head(v, o, FMT_COL_PRIORITY);
        int64_t n;
        if (*p && fmt_int_parse(p, strlen(p), &n) == FMT_NUM_OK)
            snprintf(dst, cap, "%lld", (long long)n);
    } else if (k == FMT_COL_ORDER_TOTAL || k == FMT_COL_SHIPPING || k == FMT_COL_TAX ||
               k == FMT_COL_DISCOUNT) {
        const char *a = eng__verify_head(v, o, (fmt_col)k);
        fmt_dec d;
        int64_t minor;
        if (*a && cur >= 0 && fmt_dec_parse(a, strlen(a), &d) == FMT_NUM_OK &&
            fmt_dec_to_minor(d, fmt_currency_minor_digits(cur), &minor) == FMT_NUM_OK)
            eng__verify_amount_text(dst, cap, minor, cur);
    } else if (k <= FMT_COL_DISCOUNT) {
        snprintf(dst, cap, "%s", eng__verify_head(v, o, (fmt_col)k));
    } else if (k == BO_LINE_NO) {
        snprintf(dst, cap, "%u", ln->line_no);
    } else if (k == BO_OPEN_QTY) {
        int64_t open = ln->outstanding - ln->shipped;
        snprintf(dst, cap, "%lld", (long long)(open > 0 ? open : 0));
    } else if (k == BO_CODE) {
        snprintf(dst, cap, "%s",
                 ln->outstanding <= ln->shipped   ? ""
                 : eng__verify_after_cutoff(v, o) ? "AFTER_CUTOFF"
                 : no_allowed_order(v, o)         ? "NO_ALLOWED_WAREHOUSE"
                                                  : "INSUFFICIENT_STOCK");
    } else if (k == BO_LINE_AMOUNT) {
        eng__verify_amount_text(dst, cap, eng__verify_line_amount(ln, ln->ordered), cur);
    }
}

static const char *bo_col_name(int k)
{
    static const char *const tail[] = {"line_no", "open_qty", "code", "line_amount"};
    return k <= FMT_COL_DISCOUNT ? fmt_col_name((fmt_col)k) : tail[k - BO_LINE_NO];
}

static eng_rc check_backorders(status_ctx *c, const uint8_t *open)
{
    eng_vrun *v = c->v;
    const eng_vtable *bo = v->backorders;
    size_t n_rows = eng_vtable_rows(bo);
    eng_vmap *rows = eng_vmap_new();
    int64_t *row_of = NULL;
    uint8_t *used = calloc(n_rows ? n_rows : 1, 1);
    size_t cap = 0;
    eng_rc rc = ENG_NOMEM;
    if (!rows || !used)
        goto done;
    for (size_t r = 0; r < n_rows; r++) {
        c->key.len = 0;
        if (eng__verify_key(&c->key, eng_vtable_get(bo, r, FMT_COL_CHANNEL),
                            eng_vtable_get(bo, r, FMT_COL_ORDER_ID),
                            eng_vtable_get(bo, r, BO_LINE_NO)) != 0)
            goto done;
        int added;
        int64_t k = eng_vmap_add(rows, c->key.p, c->key.len, &added);
        int64_t *grown =
            k < 0 ? NULL : eng__verify_fit(row_of, &cap, (size_t)k, sizeof *row_of, 256);
        if (!grown)
            goto done;
        row_of = grown;
        if (added) {
            row_of[k] = (int64_t)r;
            continue;
        }
        used[r] = 1;
        eng_vreport_broken(v->report, INV, "%s:%llu: order %s line %s is there twice (line %llu)",
                           eng_vtable_label(bo), (unsigned long long)eng_vtable_line(bo, r),
                           eng_vtable_get(bo, r, FMT_COL_ORDER_ID),
                           eng_vtable_get(bo, r, BO_LINE_NO),
                           (unsigned long long)eng_vtable_line(bo, (size_t)row_of[k]));
    }
    char line_no[16], want[256];
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        if (!open[oid])
            continue;
        const eng_vorder *o = &v->orders[oid];
        const char *id = eng__verify_order_id(v, o);
        c->n_open++;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            const eng_vline *ln = &v->lines[o->first_line + i];
            snprintf(line_no, sizeof line_no, "%u", ln->line_no);
            if (eng__verify_key(&c->key, eng__verify_head(v, o, FMT_COL_CHANNEL), id, line_no) != 0)
                goto done;
            int64_t k = eng_vmap_find(rows, c->key.p, c->key.len);
            if (k < 0) {
                int64_t left = ln->outstanding - ln->shipped;
                eng_vreport_broken(v->report, INV,
                                   "order %s (%s:%llu) is left open, but its line %u (SKU %s, "
                                   "open_qty %lld) has no row in %s",
                                   id, v->inputs[o->file].recorded, (unsigned long long)o->line,
                                   ln->line_no,
                                   ln->sku != ENG_VNONE ? eng_vmap_key(v->skus, ln->sku, NULL) : "",
                                   (long long)(left > 0 ? left : 0), eng_vtable_label(bo));
                continue;
            }
            size_t r = (size_t)row_of[k];
            used[r] = 1;
            const char *vals[BO_COUNT];
            eng_vtable_row(bo, r, vals);
            for (int col = 0; col < BO_COUNT; col++) {
                expected_value(v, o, ln, col, want, sizeof want);
                const char *got = vals[col];
                if (strcmp(got, want) != 0) {
                    eng_vreport_broken(v->report, INV,
                                       "%s:%llu: order %s line %u %s \"%.60s\"; expected \"%.60s\"",
                                       eng_vtable_label(bo),
                                       (unsigned long long)eng_vtable_line(bo, r), id, ln->line_no,
                                       bo_col_name(col), got, want);
                    break; /* one finding per row */
                }
            }
        }
    }
    for (size_t r = 0; r < n_rows; r++)
        if (!used[r])
            eng_vreport_broken(
                v->report, INV, "%s:%llu: order %s line %s is not a line of an order left open",
                eng_vtable_label(bo), (unsigned long long)eng_vtable_line(bo, r),
                eng_vtable_get(bo, r, FMT_COL_ORDER_ID), eng_vtable_get(bo, r, BO_LINE_NO));
    rc = ENG_OK;
done:
    eng_vmap_free(rows);
    free(row_of);
    free(used);
    return rc;
}

/* ---- matching status rows to orders ---- */

/* The run's order of one pair's orders: source path, then file, then line. */
static int before_copy(const eng_vrun *v, uint32_t x, uint32_t y)
{
    const eng_vorder *a = &v->orders[x], *b = &v->orders[y];
    int c = strcmp(v->inputs[a->file].recorded, v->inputs[b->file].recorded);
    if (c)
        return c < 0;
    if (a->file != b->file)
        return a->file < b->file;
    return a->line < b->line;
}

static eng_rc match_rows(status_ctx *c)
{
    eng_vrun *v = c->v;
    const eng_vtable *st = c->st;
    size_t n_rows = eng_vtable_rows(st), n_pairs = eng_vmap_count(v->pairs);
    int64_t *first = malloc((n_pairs ? n_pairs : 1) * sizeof *first);
    int64_t *next = malloc((n_rows ? n_rows : 1) * sizeof *next);
    int64_t *last = malloc((n_pairs ? n_pairs : 1) * sizeof *last);
    eng_vmap *ids = eng_vmap_new(); /* per order id: orders and rows over all channels */
    int64_t *count = NULL;
    size_t cap = 0;
    uint32_t *chain = NULL;
    eng_rc rc = ENG_NOMEM;
    if (!first || !next || !last || !ids)
        goto done;
    for (size_t p = 0; p < n_pairs; p++)
        first[p] = last[p] = -1;
    for (size_t r = 0; r < n_rows; r++) {
        next[r] = -1;
        const char *id = eng_vtable_get(st, r, ST_ORDER_ID);
        int64_t k = eng_vmap_add(ids, id, strlen(id), NULL);
        int64_t *grown =
            k < 0 ? NULL : eng__verify_fit(count, &cap, (size_t)k * 2 + 1, sizeof *count, 256);
        if (!grown)
            goto done;
        count = grown;
        count[k * 2 + 1]++;
        if (eng__verify_key(&c->key, eng_vtable_get(st, r, ST_CHANNEL), id, NULL) != 0)
            goto done;
        int64_t p = eng_vmap_find(v->pairs, c->key.p, c->key.len);
        if (p < 0)
            continue;
        if (last[p] < 0)
            first[p] = (int64_t)r;
        else
            next[last[p]] = (int64_t)r;
        last[p] = (int64_t)r;
    }
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        if (v->orders[oid].flags & ENG_VO_RESENT)
            continue; /* a copy set aside has no row */
        const char *id = eng__verify_order_id(v, &v->orders[oid]);
        int64_t k = eng_vmap_add(ids, id, strlen(id), NULL);
        int64_t *grown =
            k < 0 ? NULL : eng__verify_fit(count, &cap, (size_t)k * 2 + 1, sizeof *count, 256);
        if (!grown)
            goto done;
        count = grown;
        count[k * 2]++;
    }
    chain = malloc((v->n_orders ? v->n_orders : 1) * sizeof *chain);
    if (!chain)
        goto done;
    for (size_t p = 0; p < n_pairs; p++) {
        size_t n = 0;
        for (uint32_t q = v->pair_first[p]; q != ENG_VNONE; q = v->orders[q].next_in_pair)
            if (!(v->orders[q].flags & ENG_VO_RESENT)) /* one row per order */
                chain[n++] = q;
        /* insertion sort: a pair has one order, or a copy or two */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && before_copy(v, chain[j], chain[j - 1]); j--) {
                uint32_t t = chain[j];
                chain[j] = chain[j - 1];
                chain[j - 1] = t;
            }
        int64_t r = first[p];
        size_t i = 0;
        for (; i < n && r >= 0; i++, r = next[r])
            v->orders[chain[i]].status_row = (int32_t)r;
        if (i == n && r < 0)
            continue;
        /* Counts per id that agree across channels mean a row names the wrong channel;
         * counts that disagree are invariant 3's finding already. */
        const char *id = eng__verify_order_id(v, &v->orders[chain[0]]);
        int64_t k = eng_vmap_find(ids, id, strlen(id));
        if (count[k * 2] != count[k * 2 + 1])
            continue;
        if (r >= 0)
            eng_vreport_broken(
                v->report, INV, "%s:%llu: order %s has a status row too many on channel \"%.40s\"",
                eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, (size_t)r), id,
                eng_vtable_get(st, (size_t)r, ST_CHANNEL));
        else
            eng_vreport_broken(v->report, INV,
                               "order %s (channel \"%.40s\", %s:%llu) has no status row with its "
                               "channel in %s",
                               id, eng__verify_head(v, &v->orders[chain[i]], FMT_COL_CHANNEL),
                               v->inputs[v->orders[chain[i]].file].recorded,
                               (unsigned long long)v->orders[chain[i]].line, eng_vtable_label(st));
    }
    rc = ENG_OK;
done:
    free(first);
    free(next);
    free(last);
    free(count);
    free(chain);
    eng_vmap_free(ids);
    return rc;
}

eng_rc eng__verify_status(eng_vrun *v)
{
    if (!v->status || !v->slips || !v->orders_read || !v->ledger) {
        eng_vreport_unchecked(v->report, INV,
                              "needs order_status.csv, slips.csv, returns_ledger.csv and the "
                              "orders files, and one could not be read");
        return ENG_OK;
    }
    status_ctx c;
    memset(&c, 0, sizeof c);
    c.v = v;
    c.st = v->status;
    fmt_buf_init(&c.key);
    size_t n_psk = eng_vmap_count(v->pair_skus);
    c.need = malloc((n_psk ? n_psk : 1) * sizeof *c.need);
    c.seen = malloc(n_psk ? n_psk : 1);
    c.routed = eng__verify_routed(v);
    c.ranks = malloc((v->n_warehouses + 1) * sizeof *c.ranks);
    uint8_t *open = calloc(v->n_orders ? v->n_orders : 1, 1);
    eng_rc rc = ENG_NOMEM;
    if (!c.need || !c.seen || !open || !c.ranks)
        goto done;
    if ((rc = match_rows(&c)) != ENG_OK)
        goto done;
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        const eng_vorder *o = &v->orders[oid];
        if (o->flags & ENG_VO_RESENT)
            check_aside(&c, o);
        if (o->status_row < 0)
            continue;
        check_order(&c, (size_t)o->status_row, o);
        tally t;
        tally_order(v, o, &t);
        /* Open: valid, not settled by the marketplace, something outstanding and not all
         * of it shipped; the status check has said so if its row disagrees. */
        int state = o->state;
        open[oid] = !(o->flags & (ENG_VO_REJECTED | ENG_VO_RESENT)) && !state && t.shippable &&
                    t.outstanding > 0 && !t.all_shipped;
    }
    if (v->backorders)
        rc = check_backorders(&c, open);
    if (rc == ENG_OK)
        eng_vreport_detail(v->report, INV,
                           "%zu orders have the status, figures and code their rows and slips "
                           "give; %zu left open, each line in %s%s",
                           c.n_checked, c.n_open,
                           v->backorders ? eng_vtable_label(v->backorders) : "backorders.csv",
                           v->backorders ? "" : " (not checked: it could not be read)");
done:
    free(c.ranks);
    fmt_buf_release(&c.key);
    free(c.need);
    free(c.seen);
    free(open);
    return rc;
}
