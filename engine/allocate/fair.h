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
 * order ships from, or has asked this round (its earlier lines), fewer than max_split.
 *
 * Reserves and caps (share.h): a line covers what its channel may take (its free units
 * less other channels' reserves, within its cap). A channel whose asks of a SKU in a
 * round pass what its cap still allows has them cut to it first, in proportion. A slot
 * serves each channel's askers from that channel's reserve there first (they share what
 * it keeps), then every asker's rest from the units no reserve keeps. */
#ifndef ENG_FAIR_H
#define ENG_FAIR_H

#include <stddef.h>

#include "../../formats/policy.h"
#include "../core/arena.h"
#include "../core/err.h"
#include "../record/record.h"
#include "../setup/inventory.h"
#include "route.h"
#include "share.h"
#include "stock.h"

/* The ENG_ORD_CONTENDED orders of ranked[0..n) (rank order) share the stock of st (and
 * sh's reserves and caps, when not NULL) as above; each line's parts go in the line (mem
 * holds parts lists), and an order with a SKU none of its warehouses stocks gets
 * ENG_ORD_NO_ALLOWED. Serial. ENG_NOMEM. */
eng_rc eng_fair_share(const fmt_policy *pol, const eng_inventory *inv, const eng_routes *routes,
                      eng_stock *st, eng_shares *sh, eng_order *const *ranked, size_t n,
                      eng_arena *mem, eng_err *err);

#endif
