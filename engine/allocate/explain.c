/* routing.csv's reasons, taken once the order was served. A warehouse it does not ship
 * from holds the same stock as when the order's turn came (the order took none of it),
 * and what the order's cap allowed then is what it allows now plus what the order took;
 * so the reasons are those of the order's moment, each line judged on its own. */
#include "explain.h"

#include <string.h>

void eng_explain_before(const eng_inventory *inv, const eng_routes *routes, const uint32_t *ranks,
                        size_t n, const fmt_wh_rule *route, eng_route_note *notes, eng_routing *out)
{
    size_t n_wh = eng_inventory_warehouse_count(inv);
    out->route = route;
    out->n_listed = (uint32_t)n;
    out->n_notes = (uint32_t)n_wh;
    out->notes = notes;
    for (size_t p = 0; p < n; p++)
        notes[p] = (eng_route_note){ranks[p], ENG_WHY_NOT_NEEDED, -1, 0};
    size_t k = n;
    for (uint32_t w = 0; w < n_wh; w++) {
        size_t p = 0;
        while (p < n && ranks[p] != w)
            p++;
        if (p < n)
            continue;
        /* Under route_mode = only a warehouse the route does not list was never a
         * candidate, whatever its channel's list says; any other one left out of the
         * list was left out by the channel. */
        int off_route = route && eng_routes_only(routes) && !eng_routes_lists(routes, route, w);
        notes[k++] =
            (eng_route_note){w, off_route ? ENG_WHY_NOT_ON_ROUTE : ENG_WHY_NOT_FOR_CHANNEL, -1, 0};
    }
}

static int ships_from(const eng_inventory *inv, const eng_order *o, uint32_t rank)
{
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        for (uint32_t k = 0; k < ln->n_parts; k++) {
            /* record.h: one part keeps only its slot, several keep a list */
            uint32_t slot = ln->n_parts > 1 ? eng_line_parts(ln)[k].slot : eng_line_one_slot(ln);
            if (eng_inventory_slot(inv, slot)->wh_rank == rank)
                return 1;
        }
    }
    return 0;
}

/* Units of product the order took tonight (its cap allowed them on top of what it allows
 * now). */
static int64_t taken_of(const eng_order *o, int32_t product)
{
    int64_t n = 0;
    for (uint32_t i = 0; i < o->n_lines; i++)
        if (o->lines[i].product == product)
            n += eng_line_shipped(&o->lines[i]);
    return n;
}

/* Why warehouse rank, which the order does not ship from, could not take line ln whole
 * when the order's turn came; NOT_NEEDED for "it could". */
static eng_why judge_line(const eng_routes *routes, const eng_stock *st, const eng_shares *sh,
                          int who, const eng_order *o, const eng_line *ln, uint32_t rank,
                          int64_t *missing)
{
    int64_t qty = eng_line_qty(ln);
    int64_t s = eng_routes_slot(routes, (uint32_t)ln->product, rank);
    if (s < 0)
        return ENG_WHY_NO_SKU;
    int64_t free_units = eng_stock_available(st, (uint32_t)s);
    if (free_units < qty) {
        *missing = qty - free_units;
        return ENG_WHY_SHORT;
    }
    if (!sh)
        return ENG_WHY_NOT_NEEDED;
    int64_t taken = taken_of(o, ln->product);
    if (eng_shares_room_plus(sh, st, (uint32_t)s, (uint32_t)ln->product, who, taken) >= qty)
        return ENG_WHY_NOT_NEEDED;
    int64_t cap = eng_shares_cap_left(sh, (uint32_t)ln->product, who);
    return cap >= 0 && cap + taken < qty ? ENG_WHY_CAPPED : ENG_WHY_RESERVED;
}

void eng_explain_after(const eng_inventory *inv, const eng_routes *routes, const eng_stock *st,
                       const eng_shares *sh, int who, const fmt_policy *pol, const eng_order *o,
                       eng_routing *r)
{
    int min_fill = pol->min_fill_line_bp > 0 || pol->min_fill_order_bp > 0;
    size_t cap = fmt_policy_split_cap(pol, r->n_listed), n_chosen = 0;
    int whole = 1;
    for (uint32_t i = 0; i < o->n_lines; i++)
        whole &= eng_line_shipped(&o->lines[i]) == eng_line_qty(&o->lines[i]);
    uint32_t last_chosen = 0;
    for (uint32_t p = 0; p < r->n_listed; p++) {
        eng_route_note *note = &r->notes[p];
        int gave_back = note->why == ENG_WHY_MIN_FILL_LINE || note->why == ENG_WHY_MIN_FILL_ORDER;
        if (ships_from(inv, o, note->rank)) {
            /* a line that waits keeps its say at a warehouse the others ship from */
            int waits_here =
                note->why == ENG_WHY_MIN_FILL_LINE || note->why == ENG_WHY_CHOSEN_WAITS;
            *note = (eng_route_note){note->rank, waits_here ? ENG_WHY_CHOSEN_WAITS : ENG_WHY_CHOSEN,
                                     waits_here ? note->product : -1, 0};
            last_chosen = p + 1;
            n_chosen++;
            continue;
        }
        if (gave_back)
            continue;
        note->qty = 0;
        note->product = -1;
        note->why = ENG_WHY_NOT_NEEDED;
    }
    for (uint32_t p = 0; p < r->n_listed; p++) {
        eng_route_note *note = &r->notes[p];
        /* after every warehouse of a whole shipment the order never had to look */
        if (note->why != ENG_WHY_NOT_NEEDED || (whole && p >= last_chosen))
            continue;
        for (uint32_t i = 0; i < o->n_lines && note->why == ENG_WHY_NOT_NEEDED; i++) {
            const eng_line *ln = &o->lines[i];
            if (eng_line_qty(ln) == 0)
                continue;
            note->why = judge_line(routes, st, sh, who, o, ln, note->rank, &note->qty);
            note->product = ln->product;
            /* a line that waits is not served tonight, whatever the stock says now (but a
             * warehouse without its SKU never could) */
            if (note->why != ENG_WHY_NO_SKU && (o->flags & ENG_ORD_WAITS))
                note->why = ENG_WHY_MIN_FILL_ORDER;
            else if (note->why != ENG_WHY_NO_SKU && ln->waits)
                note->why = ENG_WHY_MIN_FILL_LINE;
        }
        if (note->why == ENG_WHY_NOT_NEEDED && !whole)
            note->why =
                min_fill && n_chosen < cap ? ENG_WHY_FREED_LATER : ENG_WHY_OVER_MAX_SPLIT;
    }
}

void eng_explain_min_fill(eng_routing *r, uint32_t rank, eng_why why, int32_t product)
{
    for (uint32_t p = 0; p < r->n_listed; p++)
        if (r->notes[p].rank == rank && r->notes[p].why != ENG_WHY_MIN_FILL_ORDER)
            r->notes[p] = (eng_route_note){rank, why, product, 0};
}
