/* Check 7: every slip line against what it ships for, from the inputs.
 *
 * A line of a real order (its channel and order_id are an order of tonight's orders files,
 * the earliest file's; its order_id is not a return number of the ledger) must be a line
 * of that order: the one numbered line_no, with
 *   - the same SKU, and the catalog's name and bin for it;
 *   - ship_name ... ship_service equal to the order's resolved values (README "How order
 *     rows are read": an order-level value blank on a row is the order's first non-blank
 *     one), and the order's currency;
 *   - unit_price the line's unit price (README "Line totals": total / qty rounded half up
 *     where a total was stated), and line_amount that of its units: a line shipped from
 *     several warehouses ships parts whose amounts are differences of the cumulative
 *     amount A, from the units history already shipped on (A(b + q1) - A(b), then
 *     A(b + q1 + q2) - A(b + q1)..., parts in warehouse order, or under routes in the
 *     order's own warehouse order, each from a warehouse it allows), A(u) being the stated total
 *     when u is every ordered unit of a line given as a total, else u x unit price;
 *   - one part per warehouse, and at most the line's outstanding units in all;
 *   - ship_date the run date, and one slip number per order and warehouse.
 * An exchange replacement (order_id the return number of an EXCHANGE_SHIPPED request)
 * ships that request's SKU and qty on one line, line_no 1, unit price 0; every
 * EXCHANGE_SHIPPED request has such a line, and no other request has one. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "verify_int.h"

#define INV ENG_VCHECK_SLIPS

typedef struct slips_ctx {
    eng_vrun *v;
    const eng_vtable *sl;
    int32_t *part_next; /* by slips row: the line's next part, -1 none */
    eng_vmap *slip_nos; /* slip number -> its first row */
    int64_t *slip_row;
    size_t cap_slip;
    eng_vmap *order_whs; /* "channel\x1fid\x1fwarehouse" -> its first row */
    int64_t *order_wh_row;
    size_t cap_order_wh;
    int64_t *exchange_rows; /* by return_nos id: slips rows naming it */
    int64_t *exchange_row;  /* and the first of them */
    fmt_buf key;
    size_t n_checked;
} slips_ctx;

static const char *label(const slips_ctx *c)
{
    return eng_vtable_label(c->sl);
}

static unsigned long long line_of(const slips_ctx *c, size_t r)
{
    return (unsigned long long)eng_vtable_line(c->sl, r);
}

/* One slip number per order (or exchange) and warehouse, and the other way round. */
static eng_rc check_numbers(slips_ctx *c, size_t r, const char *const *vals)
{
    const eng_vtable *sl = c->sl;
    const char *no = vals[SL_SLIP_NO];
    const char *wh = vals[SL_WAREHOUSE];
    if (eng__verify_key(&c->key, vals[SL_CHANNEL], vals[SL_ORDER_ID], wh) != 0)
        return ENG_NOMEM;
    int added;
    int64_t k = eng_vmap_add(c->order_whs, c->key.p, c->key.len, &added);
    int64_t *rows =
        k < 0 ? NULL
              : eng__verify_fit(c->order_wh_row, &c->cap_order_wh, (size_t)k, sizeof *rows, 256);
    if (!rows)
        return ENG_NOMEM;
    c->order_wh_row = rows;
    if (added)
        rows[k] = (int64_t)r;
    else if (strcmp(eng_vtable_get(sl, (size_t)rows[k], SL_SLIP_NO), no) != 0)
        eng_vreport_broken(c->v->report, INV,
                           "%s:%llu: order %s ships from %s on slip %s, but line %llu of the "
                           "same order and warehouse is on slip %s; one slip per order and "
                           "warehouse",
                           label(c), line_of(c, r), vals[SL_ORDER_ID], wh, no,
                           line_of(c, (size_t)rows[k]),
                           eng_vtable_get(sl, (size_t)rows[k], SL_SLIP_NO));
    k = eng_vmap_add(c->slip_nos, no, strlen(no), &added);
    rows = k < 0 ? NULL : eng__verify_fit(c->slip_row, &c->cap_slip, (size_t)k, sizeof *rows, 256);
    if (!rows)
        return ENG_NOMEM;
    c->slip_row = rows;
    if (added) {
        rows[k] = (int64_t)r;
        return ENG_OK;
    }
    size_t f = (size_t)rows[k];
    if (strcmp(eng_vtable_get(sl, f, SL_ORDER_ID), vals[SL_ORDER_ID]) != 0 ||
        strcmp(eng_vtable_get(sl, f, SL_CHANNEL), vals[SL_CHANNEL]) != 0 ||
        strcmp(eng_vtable_get(sl, f, SL_WAREHOUSE), wh) != 0)
        eng_vreport_broken(c->v->report, INV,
                           "%s:%llu: slip %s ships order %s from %s, but its line %llu ships "
                           "order %s from %s; a slip is one order's, from one warehouse",
                           label(c), line_of(c, r), no, vals[SL_ORDER_ID], wh, line_of(c, f),
                           eng_vtable_get(sl, f, SL_ORDER_ID), eng_vtable_get(sl, f, SL_WAREHOUSE));
    return ENG_OK;
}

/* A slip line of a real order against its order's line. */
static void check_order_line(slips_ctx *c, size_t r, eng_vorder *o, const char *const *vals)
{
    eng_vrun *v = c->v;
    const char *id = vals[SL_ORDER_ID];
    const char *src = v->inputs[o->file].recorded;
    const char *line_no = vals[SL_LINE_NO];
    o->slip_rows++;
    int64_t n, q;
    if (eng__verify_count(line_no, 0, &n) != 0 || n < 1 || n > o->n_lines) {
        eng_vreport_broken(
            v->report, INV, "%s:%llu: order %s has no line %.20s; it has %u (%s:%llu)", label(c),
            line_of(c, r), id, line_no, o->n_lines, src, (unsigned long long)o->line);
        return;
    }
    eng_vline *ln = &v->lines[o->first_line + (uint32_t)n - 1];
    c->n_checked++;
    const char *sku = vals[SL_SKU];
    const char *want_sku = ln->sku != ENG_VNONE ? eng_vmap_key(v->skus, ln->sku, NULL) : "";
    if (strcmp(sku, want_sku) != 0) {
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s line %lld ships SKU %s; the order's line %lld is "
                           "SKU %s (%s:%llu)",
                           label(c), line_of(c, r), id, (long long)n, sku, (long long)n, want_sku,
                           src, (unsigned long long)ln->src_line);
        /* Its units still count as shipping that line, so that the statuses recounted
         * from the slips (check 8) do not report this one corruption again. */
    }
    if (ln->line_state)
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s line %lld is the marketplace's to ship (%s:%llu), "
                           "not ours",
                           label(c), line_of(c, r), id, (long long)n, src,
                           (unsigned long long)ln->src_line);
    int64_t cat = eng__verify_catalog_row(v, sku);
    if (v->catalog && cat < 0) {
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s ships SKU %s, which the catalog lacks", label(c),
                           line_of(c, r), id, sku);
    } else if (v->catalog) {
        static const struct {
            int slip, cat;
            const char *name;
        } same[] = {{SL_NAME, CT_NAME, "name"}, {SL_BIN, CT_BIN, "bin"}};
        for (size_t k = 0; k < sizeof same / sizeof *same; k++) {
            const char *got = vals[same[k].slip];
            const char *want = eng_vtable_get(v->catalog, (size_t)cat, (size_t)same[k].cat);
            if (strcmp(got, want) != 0)
                eng_vreport_broken(v->report, INV,
                                   "%s:%llu: SKU %s %s \"%.60s\"; the catalog says \"%.60s\"",
                                   label(c), line_of(c, r), sku, same[k].name, got, want);
        }
    }
    for (int f = 0; f <= SL_SHIP_SERVICE - SL_SHIP_NAME; f++) {
        fmt_col col = (fmt_col)(FMT_COL_SHIP_NAME + f);
        const char *got = vals[SL_SHIP_NAME + f];
        const char *want = eng__verify_head(v, o, col);
        if (strcmp(got, want) != 0)
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: order %s %s \"%.60s\"; the order says \"%.60s\" "
                               "(%s:%llu)",
                               label(c), line_of(c, r), id, fmt_col_name(col), got, want, src,
                               (unsigned long long)o->line);
    }
    const char *cur = vals[SL_CURRENCY];
    if (o->currency < 0 || strcmp(cur, fmt_currency_code(o->currency)) != 0)
        eng_vreport_broken(
            v->report, INV, "%s:%llu: order %s currency %.8s; the order's is \"%.8s\" (%s:%llu)",
            label(c), line_of(c, r), id, cur, eng__verify_head(v, o, FMT_COL_CURRENCY), src,
            (unsigned long long)o->line);
    const char *price = vals[SL_UNIT_PRICE];
    int64_t unit;
    char want[48];
    if ((ln->flags & ENG_VL_PRICED) &&
        (eng__verify_minor(price, cur, &unit) != 0 || unit != ln->unit_minor)) {
        eng__verify_amount_text(want, sizeof want, ln->unit_minor, o->currency);
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s line %lld unit_price %.40s; the order's row gives "
                           "%s (%s:%llu)",
                           label(c), line_of(c, r), id, (long long)n, price, want, src,
                           (unsigned long long)ln->src_line);
    }
    if (eng__verify_count(vals[SL_QTY], 0, &q) != 0 || q == 0) {
        eng_vreport_broken(v->report, INV, "%s:%llu: order %s line %lld ships qty \"%.20s\"",
                           label(c), line_of(c, r), id, (long long)n, vals[SL_QTY]);
        return;
    }
    if (__builtin_add_overflow(ln->shipped, q, &ln->shipped))
        ln->shipped = INT64_MAX;
    c->part_next[r] = ln->first_part;
    ln->first_part = (int32_t)r;
}

static uint32_t rank_of(const eng_vrun *v, const char *wh)
{
    if (!*wh)
        wh = "MAIN";
    for (size_t i = 0; i < v->n_warehouses; i++)
        if (strcmp(v->warehouses[i], wh) == 0)
            return (uint32_t)i;
    return ENG_VNONE;
}

/* The parts of one line: at most its outstanding units, one part per warehouse, amounts
 * the differences of the cumulative amount in warehouse order (under routes, in the
 * order's own warehouse order, each an allowed one). */
static eng_rc check_parts(slips_ctx *c, const eng_vorder *o, const eng_vline *ln)
{
    eng_vrun *v = c->v;
    const eng_vtable *sl = c->sl;
    const char *id = eng__verify_order_id(v, o);
    const char *src = v->inputs[o->file].recorded;
    size_t n = 0;
    for (int32_t r = ln->first_part; r >= 0; r = c->part_next[r])
        n++;
    assert(n > 0); /* called for lines with a part */
    int32_t *parts = malloc(n * sizeof *parts);
    uint32_t *rank = malloc(n * sizeof *rank);
    if (!parts || !rank) {
        free(parts);
        free(rank);
        return ENG_NOMEM;
    }
    /* Under routes an order tries its own warehouses in its own order (vroute.c): its
     * parts follow that order, and a part from a warehouse it may not use is a finding. */
    uint32_t *allowed = NULL;
    size_t n_allowed = 0;
    if (eng__verify_routed(v)) {
        allowed = malloc((v->n_warehouses + 1) * sizeof *allowed);
        if (!allowed) {
            free(parts);
            free(rank);
            return ENG_NOMEM;
        }
        n_allowed = eng__verify_allowed(v, o, allowed);
    }
    size_t k = 0;
    for (int32_t r = ln->first_part; r >= 0; r = c->part_next[r], k++) {
        parts[k] = r;
        const char *wh = eng_vtable_get(sl, (size_t)r, SL_WAREHOUSE);
        rank[k] = rank_of(v, wh);
        if (allowed) {
            size_t at = 0;
            while (at < n_allowed && allowed[at] != rank[k])
                at++;
            if (at == n_allowed)
                eng_vreport_broken(v->report, INV,
                                   "%s:%llu: order %s line %u ships from %s, which its route and "
                                   "channel do not allow",
                                   label(c), line_of(c, (size_t)r), id, ln->line_no,
                                   *wh ? wh : "MAIN");
            rank[k] = (uint32_t)at; /* sort by place in the order's own list */
        }
    }
    free(allowed);
    /* Insertion sort by warehouse rank, then file order: a line has a part or two. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && (rank[j] < rank[j - 1] ||
                                     (rank[j] == rank[j - 1] && parts[j] < parts[j - 1]));
             j--) {
            int32_t tp = parts[j];
            parts[j] = parts[j - 1];
            parts[j - 1] = tp;
            uint32_t tr = rank[j];
            rank[j] = rank[j - 1];
            rank[j - 1] = tr;
        }
    if (ln->shipped > ln->outstanding)
        eng_vreport_broken(
            v->report, INV,
            "%s:%llu: order %s line %u ships %lld in all; the line has %lld outstanding "
            "(%lld ordered at %s:%llu, %lld shipped before%s)",
            label(c), line_of(c, (size_t)parts[0]), id, ln->line_no, (long long)ln->shipped,
            (long long)ln->outstanding, (long long)ln->ordered, src,
            (unsigned long long)ln->src_line, (long long)ln->before,
            ln->open_qty >= 0 && ln->open_qty < ln->ordered - ln->before ? ", open_qty bounds it"
                                                                         : "");
    int64_t from = ln->before;
    for (size_t i = 0; i < n; i++) {
        size_t r = (size_t)parts[i];
        const char *wh = eng_vtable_get(sl, r, SL_WAREHOUSE);
        if (i > 0 && strcmp(wh, eng_vtable_get(sl, (size_t)parts[i - 1], SL_WAREHOUSE)) == 0)
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: order %s line %u ships from %s a second time (line "
                               "%llu); a line has one part per warehouse",
                               label(c), line_of(c, r), id, ln->line_no, *wh ? wh : "MAIN",
                               line_of(c, (size_t)parts[i - 1]));
        int64_t q = 0;
        (void)eng__verify_count(eng_vtable_get(sl, r, SL_QTY), 0, &q); /* checked above */
        if (!(ln->flags & ENG_VL_PRICED) || q > ln->ordered - from) {
            from += q;
            continue; /* an amount for units the line does not have: reported above */
        }
        __int128 want = eng__verify_line_amount(ln, from + q) - eng__verify_line_amount(ln, from);
        const char *amt = eng_vtable_get(sl, r, SL_LINE_AMOUNT);
        int64_t got;
        if (eng__verify_minor(amt, fmt_currency_code(o->currency), &got) != 0 || got != want) {
            char w[48], u[48];
            eng__verify_amount_text(w, sizeof w, want, o->currency);
            eng__verify_amount_text(u, sizeof u, ln->unit_minor, o->currency);
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: order %s line %u line_amount %.40s for qty %lld; the "
                               "order's row gives %s (unit price %s%s, %s:%llu)",
                               label(c), line_of(c, r), id, ln->line_no, amt, (long long)q, w, u,
                               (ln->flags & ENG_VL_LINE_TOTAL) ? ", a stated line total" : "", src,
                               (unsigned long long)ln->src_line);
        }
        from += q;
    }
    free(parts);
    free(rank);
    return ENG_OK;
}

/* split and max_split (README "Split shipments") for an order with slips: it ships from at
 * most max_split warehouses (one under split = single). Under fewest or single, shipped
 * line by line (partial's fallback when no set of warehouses ships it whole) it ships from
 * the first max_split of its list only; shipped by a set (every outstanding line whole, in
 * one part) from several warehouses, when no single one of its warehouses could have
 * shipped all of it (eng__verify_one_warehouse): sets of one come first. */
static eng_rc check_split(slips_ctx *c, eng_vorder *o)
{
    eng_vrun *v = c->v;
    const fmt_policy *pol = &v->policy;
    const eng_vline *lines = &v->lines[o->first_line];
    uint32_t *allowed = malloc((v->n_warehouses + 1) * sizeof *allowed);
    uint8_t *used = calloc(v->n_warehouses + 1, 1); /* by place in the list */
    uint32_t *line_from = malloc((o->n_lines ? o->n_lines : 1) * sizeof *line_from);
    size_t n_psk = eng_vmap_count(v->pair_skus);
    int64_t *left = malloc((n_psk ? n_psk : 1) * sizeof *left);
    eng_rc rc = ENG_NOMEM;
    if (!allowed || !used || !line_from || !left)
        goto done;
    rc = ENG_OK;
    size_t n = eng__verify_allowed(v, o, allowed);
    size_t cap = fmt_policy_split_cap(pol, n), n_used = 0, far = SIZE_MAX;
    int32_t far_row = -1;
    int by_set = pol->split != FMT_SPLIT_LINE;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &lines[i];
        line_from[i] = ENG_VNONE;
        size_t n_parts = 0;
        for (int32_t r = ln->first_part; r >= 0; r = c->part_next[r], n_parts++) {
            uint32_t rank = rank_of(v, eng_vtable_get(c->sl, (size_t)r, SL_WAREHOUSE));
            size_t at = 0;
            while (at < n && allowed[at] != rank)
                at++;
            if (at == n)
                continue; /* not allowed at all: check_parts said so */
            line_from[i] = rank;
            n_used += !used[at];
            used[at] = 1;
            if (at >= cap && (far == SIZE_MAX || at > far)) {
                far = at;
                far_row = r;
            }
        }
        if (ln->outstanding > 0 && (n_parts != 1 || ln->shipped != ln->outstanding))
            by_set = 0;
    }
    o->slip_whs = (uint32_t)n_used;
    const char *id = eng__verify_order_id(v, o);
    const char *src = v->inputs[o->file].recorded;
    char rule[64];
    if (pol->split == FMT_SPLIT_SINGLE)
        snprintf(rule, sizeof rule, "split = single");
    else
        snprintf(rule, sizeof rule, "max_split = %u", (unsigned)pol->max_split);
    if (n_used > cap) {
        eng_vreport_broken(v->report, INV,
                           "order %s (%s:%llu) ships from %zu warehouses; %s allows %zu", id, src,
                           (unsigned long long)o->line, n_used, rule, cap);
    } else if (pol->split != FMT_SPLIT_LINE && !by_set && far_row >= 0) {
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: order %s ships from %s, place %zu of its warehouse list; "
                           "when no set of warehouses ships it whole it goes line by line "
                           "through the first %zu only (%s)",
                           label(c), line_of(c, (size_t)far_row), id,
                           eng_vtable_get(c->sl, (size_t)far_row, SL_WAREHOUSE), far + 1, cap,
                           rule);
    } else if (by_set && n_used > 1 && pol->min_fill_line_bp <= 0 && pol->min_fill_order_bp <= 0) {
        /* (under a min_fill, stock given back later is in the end's figures: the replay
         * judges such nights) */
        uint32_t w = eng__verify_one_warehouse(v, o, allowed, n, line_from, left);
        if (w != ENG_VNONE)
            eng_vreport_broken(v->report, INV,
                               "order %s (%s:%llu) ships from %zu warehouses, but %s alone had "
                               "every unit of it when it was served (what it ends the night "
                               "with, plus what the order took there), and split = %s tries "
                               "each warehouse alone first",
                               id, src, (unsigned long long)o->line, n_used, v->warehouses[w],
                               fmt_policy_split_name(pol->split));
    }
done:
    free(allowed);
    free(used);
    free(line_from);
    free(left);
    return rc;
}

/* Under routes an exchange replacement ships from a warehouse its original order's route
 * and channel allow: the slip carries that order's channel and ship-to. */
static void check_exchange_route(slips_ctx *c, size_t s, const char *no)
{
    eng_vrun *v = c->v;
    const eng_vtable *sl = c->sl;
    uint32_t *allowed = malloc((v->n_warehouses + 1) * sizeof *allowed);
    if (!allowed)
        return; /* a check skipped for memory is no finding; the run's checks go on */
    size_t n = eng__verify_allowed_texts(
        v, eng_vtable_get(sl, s, SL_CHANNEL), eng_vtable_get(sl, s, SL_SHIP_COUNTRY),
        eng_vtable_get(sl, s, SL_SHIP_REGION), eng_vtable_get(sl, s, SL_SHIP_POSTAL), allowed,
        NULL);
    const char *wh = eng_vtable_get(sl, s, SL_WAREHOUSE);
    uint32_t rank = rank_of(v, wh);
    size_t at = 0;
    while (at < n && allowed[at] != rank)
        at++;
    if (at == n)
        eng_vreport_broken(v->report, INV,
                           "%s:%llu: exchange %s ships from %s, which its original order's route "
                           "and channel do not allow",
                           label(c), line_of(c, s), no, *wh ? wh : "MAIN");
    free(allowed);
}

/* Exchange replacements against the ledger's EXCHANGE_SHIPPED requests. */
static void check_exchanges(slips_ctx *c)
{
    eng_vrun *v = c->v;
    const eng_vtable *lg = v->ledger, *sl = c->sl;
    for (size_t r = 0; r < eng_vtable_rows(lg); r++) {
        const char *no = eng_vtable_get(lg, r, LG_RETURN_NO);
        if (!*no)
            continue;
        int64_t k = eng_vmap_find(v->return_nos, no, strlen(no));
        int shipped = strcmp(eng_vtable_get(lg, r, LG_STATUS), "EXCHANGE_SHIPPED") == 0;
        int64_t n = k >= 0 ? c->exchange_rows[k] : 0;
        unsigned long long lline = (unsigned long long)eng_vtable_line(lg, r);
        if (!shipped) {
            if (n)
                eng_vreport_broken(v->report, INV,
                                   "%s:%llu: %s ships request %s, which %s:%llu says is %s, not "
                                   "EXCHANGE_SHIPPED",
                                   label(c), line_of(c, (size_t)c->exchange_row[k]), label(c), no,
                                   eng_vtable_label(lg), lline, eng_vtable_get(lg, r, LG_STATUS));
            continue;
        }
        if (n != 1) {
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: exchange %s is EXCHANGE_SHIPPED, but %s has %lld lines "
                               "for it; a replacement ships on one line",
                               eng_vtable_label(lg), lline, no, label(c), (long long)n);
            if (n == 0)
                continue;
        }
        size_t s = (size_t)c->exchange_row[k];
        c->n_checked++;
        const char *sku = eng_vtable_get(sl, s, SL_SKU), *qty = eng_vtable_get(sl, s, SL_QTY);
        const char *want_sku = eng_vtable_get(lg, r, LG_SKU),
                   *want_qty = eng_vtable_get(lg, r, LG_QTY);
        int64_t price = 0;
        if (strcmp(sku, want_sku) != 0 || strcmp(qty, want_qty) != 0)
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: exchange %s ships %s of %s; %s:%llu exchanges %s of %s",
                               label(c), line_of(c, s), no, qty, sku, eng_vtable_label(lg), lline,
                               want_qty, want_sku);
        if (eng__verify_routed(v))
            check_exchange_route(c, s, no);
        if (strcmp(eng_vtable_get(sl, s, SL_LINE_NO), "1") != 0 ||
            eng__verify_minor(eng_vtable_get(sl, s, SL_UNIT_PRICE),
                              eng_vtable_get(sl, s, SL_CURRENCY), &price) != 0 ||
            price != 0)
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: exchange %s is line %.20s at unit_price %.40s; a "
                               "replacement is line 1 at 0",
                               label(c), line_of(c, s), no, eng_vtable_get(sl, s, SL_LINE_NO),
                               eng_vtable_get(sl, s, SL_UNIT_PRICE));
    }
}

static eng_rc run(slips_ctx *c)
{
    eng_vrun *v = c->v;
    const eng_vtable *sl = c->sl;
    size_t n_rows = eng_vtable_rows(sl);
    size_t n_ret = eng_vmap_count(v->return_nos);
    c->part_next = malloc((n_rows ? n_rows : 1) * sizeof *c->part_next);
    c->exchange_rows = calloc(n_ret ? n_ret : 1, sizeof *c->exchange_rows);
    c->exchange_row = calloc(n_ret ? n_ret : 1, sizeof *c->exchange_row);
    c->slip_nos = eng_vmap_new();
    c->order_whs = eng_vmap_new();
    if (!c->part_next || !c->exchange_rows || !c->exchange_row || !c->slip_nos || !c->order_whs)
        return ENG_NOMEM;
    for (size_t i = 0; i < v->n_lines; i++) {
        v->lines[i].shipped = 0;
        v->lines[i].first_part = -1;
    }
    const char *run_date = fmt_json_member_str(v->manifest, "run_date");
    const char *vals[SL_COUNT];
    for (size_t r = 0; r < n_rows; r++) {
        c->part_next[r] = -1;
        eng_vtable_row(sl, r, vals);
        const char *id = vals[SL_ORDER_ID];
        const char *date = vals[SL_SHIP_DATE];
        if (run_date && strcmp(date, run_date) != 0)
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: ship_date %.20s; the run's date is %s (manifest.json)",
                               label(c), line_of(c, r), date, run_date);
        ENG_TRY(check_numbers(c, r, vals));
        int64_t k = eng_vmap_find(v->return_nos, id, strlen(id));
        if (k >= 0) {
            if (c->exchange_rows[k]++ == 0)
                c->exchange_row[k] = (int64_t)r;
            continue;
        }
        eng_vorder *o = eng__verify_find_order(v, vals[SL_CHANNEL], id);
        if (!o) {
            eng_vreport_broken(v->report, INV,
                               "%s:%llu: order %s (channel \"%.40s\") is in no orders file, and "
                               "%s has no return number %s",
                               label(c), line_of(c, r), id, vals[SL_CHANNEL],
                               v->ledger ? eng_vtable_label(v->ledger) : "returns_ledger.csv", id);
            continue;
        }
        check_order_line(c, r, o, vals);
    }
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        eng_vorder *o = &v->orders[oid];
        for (uint32_t i = 0; i < o->n_lines; i++)
            if (v->lines[o->first_line + i].first_part >= 0)
                ENG_TRY(check_parts(c, o, &v->lines[o->first_line + i]));
        if (o->slip_rows && eng__verify_routed(v))
            ENG_TRY(check_split(c, o));
    }
    if (v->ledger)
        check_exchanges(c);
    eng_vreport_detail(v->report, INV, "%zu slip lines match their order's row or their exchange",
                       c->n_checked);
    return ENG_OK;
}

eng_rc eng__verify_slips(eng_vrun *v)
{
    if (!v->slips) {
        eng_vreport_unchecked(v->report, INV, "needs slips.csv, which could not be read");
        return ENG_OK;
    }
    if (!v->orders_read || !v->ledger) {
        eng_vreport_unchecked(v->report, INV,
                              "needs the orders files and returns_ledger.csv, and one could not "
                              "be read");
        return ENG_OK;
    }
    slips_ctx c;
    memset(&c, 0, sizeof c);
    c.v = v;
    c.sl = v->slips;
    fmt_buf_init(&c.key);
    eng_rc rc = run(&c);
    v->part_next = c.part_next; /* the replay reads the lines' parts too */
    eng_vmap_free(c.slip_nos);
    free(c.slip_row);
    eng_vmap_free(c.order_whs);
    free(c.order_wh_row);
    free(c.exchange_rows);
    free(c.exchange_row);
    fmt_buf_release(&c.key);
    return rc;
}
