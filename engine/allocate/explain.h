/* Why an order shipped from the warehouses it did and not from the others: the facts of
 * its routing.csv row (issue 14). Each warehouse of the inventory gets one reason, judged
 * against the stock as the order found it, line by line on its own: a warehouse the order
 * may use but did not use names the first of its lines it could not cover whole then, or
 * is "not needed" (the order was served whole without it) or "over max_split" (it could
 * have, but the order had its warehouses already). */
#ifndef ENG_EXPLAIN_H
#define ENG_EXPLAIN_H

#include <stdint.h>

#include "../../formats/policy.h"
#include "../record/record.h"
#include "../setup/inventory.h"
#include "route.h"
#include "share.h"
#include "stock.h"

typedef enum eng_why {
    ENG_WHY_CHOSEN,          /* the order ships from it */
    ENG_WHY_CHOSEN_WAITS,    /* the order ships from it, but a line gave back its units here
                                under min_fill_line_pct and waits (product) */
    ENG_WHY_NOT_NEEDED,      /* it could have served, but the order was served without it */
    ENG_WHY_OVER_MAX_SPLIT,  /* it could have served, but the order had max_split already */
    ENG_WHY_NO_SKU,          /* it has no inventory row for a line's SKU */
    ENG_WHY_SHORT,           /* too few free units for a line (qty: by how many) */
    ENG_WHY_RESERVED,        /* enough units, but reserves keep them for other channels */
    ENG_WHY_CAPPED,          /* the order's channel reached its cap of the SKU */
    ENG_WHY_NOT_FOR_CHANNEL, /* the channel's warehouse list leaves it out */
    ENG_WHY_NOT_ON_ROUTE,    /* route_mode = only and the route does not list it */
    ENG_WHY_AFTER_CUTOFF,    /* the order waits for tomorrow */
    ENG_WHY_MIN_FILL_LINE,   /* it gave a line units below min_fill_line_pct (product) */
    ENG_WHY_MIN_FILL_ORDER,  /* it gave the order units below min_fill_order_pct */
    ENG_WHY_FREED_LATER      /* it has the units now, given back under a min_fill after the
                                order's turns */
} eng_why;

/* One per warehouse and ranked order, so 16 bytes: at 1M lines their pages are a third of
 * what routing.csv's facts cost (first touches; base/heap.h). */
typedef struct eng_route_note {
    uint32_t rank : 24; /* the warehouse (eng_allocation_run refuses 2^24 warehouses) */
    uint32_t why : 8;   /* eng_why */
    int32_t product;    /* the line's SKU for NO_SKU, SHORT, RESERVED, CAPPED, MIN_FILL_LINE */
    int64_t qty;        /* SHORT: the units missing */
} eng_route_note;

#define ENG_ROUTE_MAX_WAREHOUSES ((1u << 24) - 1)

/* One order's routing: notes for every warehouse, the order's own list first (n_listed
 * of them, in its order), then the others in warehouse order. */
typedef struct eng_routing {
    const fmt_wh_rule *route; /* the route key that matched, NULL for none */
    eng_route_note *notes;
    uint32_t n_notes, n_listed;
    int32_t who; /* its channel for reserves and caps (share.h), -1 for none; set by the
                    allocation, which reads it here rather than through the order's head */
} eng_routing;

/* When an order's turn comes: its list ranks[0..n) (eng_routes_of, which matched route)
 * and why the other warehouses are not in it, into notes (room for every warehouse). */
void eng_explain_before(const eng_inventory *inv, const eng_routes *routes, const uint32_t *ranks,
                        size_t n, const fmt_wh_rule *route, eng_route_note *notes,
                        eng_routing *out);

/* Once it was served (st and sh as it left them; who its channel; pol the policy): the
 * warehouses it ships from are CHOSEN; one after all of those of a whole shipment
 * NOT_NEEDED (never looked at); one whose units the order gave back under a min_fill keeps
 * that reason; any other names the first of its lines it could not take whole at the
 * order's turn (a line or order waiting under a min_fill names that minimum), or is
 * NOT_NEEDED (it could, and the order shipped whole), OVER_MAX_SPLIT (it could, but the
 * order had its max_split warehouses) or, under a min_fill, FREED_LATER (it can now
 * because of units given back after the order's turns). */
void eng_explain_after(const eng_inventory *inv, const eng_routes *routes, const eng_stock *st,
                       const eng_shares *sh, int who, const fmt_policy *pol, const eng_order *o,
                       eng_routing *r);

/* The order gave back units from warehouse rank under a min_fill (why: ENG_WHY_MIN_FILL_*;
 * product: the line's SKU). */
void eng_explain_min_fill(eng_routing *r, uint32_t rank, eng_why why, int32_t product);

#endif
