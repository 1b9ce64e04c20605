/* Where an order may ship from (issue 14): the policy's routes by ship-to (route.CC,
 * route.CC-REGION, route.CC:PREFIX, route.default, with route_mode) and its channels'
 * warehouse lists (channel_warehouses.*), compiled against the inventory's warehouse
 * ranks once, then asked per order by any thread. */
#ifndef ENG_ROUTE_H
#define ENG_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/policy.h"
#include "../core/err.h"
#include "../record/record.h"
#include "../setup/inventory.h"

typedef struct eng_routes eng_routes;

/* The policy's routes and channel lists against inv. *out is NULL (and ENG_OK) when the
 * policy does not choose warehouses per order (fmt_policy_sources_per_order): every order
 * then tries every warehouse in warehouse order, as before. With split or max_split but
 * neither routes nor channel lists, every order's list is every warehouse in warehouse
 * order. ENG_NOMEM. */
eng_rc eng_routes_new(const fmt_policy *pol, const eng_inventory *inv, eng_routes **out,
                      eng_err *err);
void eng_routes_free(eng_routes *r);

/* The warehouses an order with head h may ship from, as ranks in the order it tries them,
 * into out (room for the inventory's warehouse count); returns how many (0: none allowed).
 * *matched (may be NULL) gets the route key that chose the list, or NULL for none. */
size_t eng_routes_of(const eng_routes *r, const eng_head *h, uint32_t *out,
                     const fmt_wh_rule **matched);

/* eng_routes_of for an order known by its texts (an exchange's original order, from
 * history). */
size_t eng_routes_of_texts(const eng_routes *r, eng_text channel, eng_text country, eng_text region,
                           eng_text postal, uint32_t *out, const fmt_wh_rule **matched);

/* Whether route_mode = only. */
int eng_routes_only(const eng_routes *r);

/* The slot of product in warehouse rank, or -1: eng_routes_first_slot of one warehouse,
 * from a table. */
int64_t eng_routes_slot(const eng_routes *r, uint32_t product, uint32_t rank);

/* The slot of product in the first of the n warehouses (ranks) that has one, or -1. */
int64_t eng_routes_first_slot(const eng_routes *r, uint32_t product, const uint32_t *ranks,
                              size_t n);

/* Whether a line of o with inventory rows for its SKU has none in the warehouses
 * ranks[0..n): the order is then NO_ALLOWED_WAREHOUSE. */
int eng_routes_order_lacks(const eng_routes *r, const eng_inventory *inv, const eng_order *o,
                           const uint32_t *ranks, size_t n);

/* Sort a line's parts[0..k) by the place of their warehouse in the order's list
 * ranks[0..n) (a warehouse not in it last): slips take a split line's parts, and their
 * amounts, in the order's own order. */
void eng_routes_sort_parts(const eng_inventory *inv, const uint32_t *ranks, size_t n,
                           eng_part *parts, size_t k);

/* Whether route (a key eng_routes_of matched) lists warehouse rank. */
int eng_routes_lists(const eng_routes *r, const fmt_wh_rule *route, uint32_t rank);

#endif
