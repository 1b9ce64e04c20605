/* Stock shared between channels (issue 14): the policy's reserves (reserve.CHANNEL.SKU |
 * reserve.CHANNEL.*, units of each slot kept for one channel) and caps (cap.CHANNEL.SKU |
 * cap.CHANNEL.*, the most units of a SKU one channel gets tonight), worked out from the
 * counters as they stand after returns and exchanges, then kept as the serial walk takes
 * stock. Not thread-safe: only the walk, on one thread, asks.
 *
 * A channel's own shipments use its reserve first; other channels cannot take it. So the
 * units a channel may take from a slot are the slot's free units less the reserves left
 * of every other channel there, and at most what its cap leaves of the SKU. */
#ifndef ENG_SHARE_H
#define ENG_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/policy.h"
#include "../record/record.h"
#include "../core/err.h"
#include "../setup/catalog.h"
#include "../setup/inventory.h"
#include "stock.h"

typedef struct eng_shares eng_shares;

/* The policy's reserves and caps against the free units of st now. *out is NULL (and
 * ENG_OK) when the policy has neither. A SKU key replaces the channel's `*` key for that
 * SKU; reserves of several channels that exceed a slot's free units are cut in the order
 * of their keys in the policy; percentages of reserves round up, of caps down. ENG_NOMEM. */
eng_rc eng_shares_new(const fmt_policy *pol, const eng_catalog *cat, const eng_inventory *inv,
                      const eng_stock *st, eng_shares **out, eng_err *err);
void eng_shares_free(eng_shares *sh);

/* The channel an order of channel text ch takes stock as: an index, or -1 for a channel no
 * reserve or cap names (it takes only what no reserve keeps). */
int eng_shares_channel(const eng_shares *sh, eng_text ch);

/* Units channel who may take now from slot (of product). */
int64_t eng_shares_room(const eng_shares *sh, const eng_stock *st, uint32_t slot, uint32_t product,
                        int who);

/* The same with cap_back more units in who's cap of product (what an order took, for
 * what it could take before). */
int64_t eng_shares_room_plus(const eng_shares *sh, const eng_stock *st, uint32_t slot,
                             uint32_t product, int who, int64_t cap_back);

/* Record that who took qty units from slot (qty <= eng_shares_room, already reserved on
 * the counter): out of its reserve there first, and off its cap. Remembered until the
 * next eng_shares_begin, so eng_shares_undo can give it back. */
void eng_shares_take(eng_shares *sh, uint32_t slot, uint32_t product, int who, int64_t qty);

/* Start one order's takes; undo every take since (the order gives back what it held). */
void eng_shares_begin(eng_shares *sh);
void eng_shares_undo(eng_shares *sh);

/* reserve_release = second_pass: every reserve lets go of what it still keeps. */
void eng_shares_release_reserves(eng_shares *sh);

/* An order that will be tried again gives back qty units of product it took as who:
 * its cap allows them again (the counter gets them back from the caller). */
void eng_shares_give_back(eng_shares *sh, uint32_t product, int who, int64_t qty);

/* Units who took of product at slot come back for good (a shipment below a min_fill;
 * the counter gets them back from the caller): its cap allows them again, and its
 * reserve there, unless released, keeps again what the channel's shipments no longer
 * use: start - min(start, what they still ship from the slot). */
void eng_shares_return(eng_shares *sh, uint32_t slot, uint32_t product, int who, int64_t qty);

/* Failed to remember a take (out of memory): the run must stop. */
int eng_shares_failed(const eng_shares *sh);

/* What all reserves keep at slot now, and whether any channel has a cap on product:
 * together they tell a SKU whose every line fits wherever it goes (alloc.c). */
int64_t eng_shares_kept(const eng_shares *sh, uint32_t slot);
int eng_shares_capped(const eng_shares *sh, uint32_t product);

/* What channel who's reserve still keeps at slot (0 for none, or who < 0). */
int64_t eng_shares_reserve_left(const eng_shares *sh, uint32_t slot, int who);

/* What channel who's cap still allows of product now, or -1 for no cap. */
int64_t eng_shares_cap_left(const eng_shares *sh, uint32_t product, int who);

/* What a reserve keeps at slot for channel index who at the start (for routing.csv and
 * tests), and the cap of product for who (-1: none). */
int64_t eng_shares_reserved(const eng_shares *sh, uint32_t slot, int who);
int64_t eng_shares_cap(const eng_shares *sh, uint32_t product, int who);

#endif
