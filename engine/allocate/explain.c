/* routing.csv's reasons. Judged before the order takes anything, each line on its own:
 * what the order found is what decided it, and the next order's facts do not bleed in. */
#include "explain.h"

#include <string.h>

#include "alloc.h"

/* The reason warehouse rank cannot take line ln whole now, or CHOSEN for "it can". */
static eng_why judge_line(const eng_routes *routes, const eng_stock *st, const eng_shares *sh,
                          int who, const eng_line *ln, uint32_t rank, int64_t *missing)
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
    if (!sh || eng_shares_room(sh, st, (uint32_t)s, (uint32_t)ln->product, who) >= qty)
        return ENG_WHY_CHOSEN;
    int64_t cap = eng_shares_cap_left(sh, (uint32_t)ln->product, who);
    return cap >= 0 && cap < qty ? ENG_WHY_CAPPED : ENG_WHY_RESERVED;
}

void eng_explain_before(const eng_inventory *inv, const eng_routes *routes, const eng_stock *st,
                        const eng_shares *sh, int who, const eng_order *o, const uint32_t *ranks,
                        size_t n, const fmt_wh_rule *route, eng_route_note *notes,
                        eng_routing *out)
{
    size_t n_wh = eng_inventory_warehouse_count(inv);
    out->route = route;
    out->n_listed = (uint32_t)n;
    out->n_notes = (uint32_t)n_wh;
    out->notes = notes;
    for (size_t p = 0; p < n; p++) {
        eng_route_note *note = &out->notes[p];
        memset(note, 0, sizeof *note);
        note->rank = ranks[p];
        note->why = ENG_WHY_CHOSEN; /* could serve every line, so far */
        for (uint32_t i = 0; i < o->n_lines && note->why == ENG_WHY_CHOSEN; i++) {
            const eng_line *ln = &o->lines[i];
            if (eng_line_qty(ln) == 0)
                continue;
            note->why = judge_line(routes, st, sh, who, ln, ranks[p], &note->qty);
            note->product = ln->product;
        }
    }
    size_t k = n;
    for (uint32_t w = 0; w < n_wh; w++) {
        size_t p = 0;
        while (p < n && ranks[p] != w)
            p++;
        if (p < n)
            continue;
        eng_route_note *note = &out->notes[k++];
        memset(note, 0, sizeof *note);
        note->rank = w;
        note->why = eng_routes_channel_allows(routes, o->head, w) ? ENG_WHY_NOT_ON_ROUTE
                                                                   : ENG_WHY_NOT_FOR_CHANNEL;
    }
}

static int ships_from(const eng_inventory *inv, const eng_order *o, uint32_t rank)
{
    for (uint32_t i = 0; i < o->n_lines; i++) {
        eng_part one;
        const eng_part *parts = eng_alloc_line_parts(&o->lines[i], &one);
        for (uint32_t k = 0; k < o->lines[i].n_parts; k++)
            if (eng_inventory_slot(inv, parts[k].slot)->wh_rank == rank)
                return 1;
    }
    return 0;
}

void eng_explain_after(const eng_inventory *inv, const eng_order *o, eng_routing *r)
{
    int whole = 1;
    for (uint32_t i = 0; i < o->n_lines; i++)
        whole &= eng_line_shipped(&o->lines[i]) == eng_line_qty(&o->lines[i]);
    for (uint32_t p = 0; p < r->n_listed; p++) {
        eng_route_note *note = &r->notes[p];
        if (ships_from(inv, o, note->rank)) {
            note->why = ENG_WHY_CHOSEN;
            note->qty = 0;
        } else if (note->why == ENG_WHY_CHOSEN) {
            note->why = whole ? ENG_WHY_NOT_NEEDED : ENG_WHY_OVER_MAX_SPLIT;
        }
    }
}
