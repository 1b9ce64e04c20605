/* shortage_rule = proportional (issue 14; README "Shortage rules"): a warehouse that
 * cannot serve every line asking for a SKU shares its free units among them in proportion
 * to what each asks, instead of serving them in rank order.
 *
 * The orders share in rounds. In each round every line still wanting units asks one more
 * of its warehouses (its order's list, in order; one it has not asked yet, that max_split
 * allows): the first whose free units cover what the line still wants, else the first
 * with any free units. Each slot then serves its askers: all of them in full when their
 * asks fit its free units, else each floor(free x ask / demand) and the units left one
 * each by largest remainder, ties in rank order (then line order). Rounds go on until no
 * line asks. Stock only falls during the rounds, so every line asks each slot at most
 * once and the rounds end.
 *
 * max_split: a line may ask a warehouse its order does not ship from yet only while the
 * order ships from, or has asked this round (its earlier lines), fewer than max_split. */
#ifndef ENG_FAIR_H
#define ENG_FAIR_H

#include <stddef.h>

#include "../../formats/policy.h"
#include "../core/arena.h"
#include "../core/err.h"
#include "../record/record.h"
#include "../setup/inventory.h"
#include "route.h"
#include "stock.h"

/* The ENG_ORD_CONTENDED orders of ranked[0..n) (rank order) share the stock of st as
 * above; each line's parts go in the line (mem holds parts lists), and an order with a
 * SKU none of its warehouses stocks gets ENG_ORD_NO_ALLOWED. Serial. ENG_NOMEM. */
eng_rc eng_fair_share(const fmt_policy *pol, const eng_inventory *inv, const eng_routes *routes,
                      eng_stock *st, eng_order *const *ranked, size_t n, eng_arena *mem,
                      eng_err *err);

#endif
