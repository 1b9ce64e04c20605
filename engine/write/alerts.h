/* Stock alerts for purchasing (SPEC "Alerts"): per SKU and warehouse, tonight's demand,
 * the shortfall against what could be allocated, and a suggested reorder quantity. */
#ifndef ENG_ALERTS_H
#define ENG_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "../record/record.h"
#include "products.h"

typedef struct eng_alert {
    const char *sku;
    const char *warehouse;
    int64_t on_hand; /* after the run */
    int64_t reorder_point;
    int64_t demand;
    int64_t shortfall;
    int64_t suggested;
    eng_code code; /* STOCKOUT or LOW_STOCK */
} eng_alert;

/* Per-slot figures after allocation, shared by alerts, inventory.csv and the
 * invariants. */
typedef struct eng_slot_totals {
    int64_t *shipped;                  /* units taken, from the lines' parts */
    int64_t *demand;                   /* units valid orders asked of the slot */
    int64_t *restocked;                /* units returned to the slot (returns, later) */
    int64_t *after;                    /* on hand after the run, from the counters */
    int64_t *product_unstocked_demand; /* per product without any slot */
} eng_slot_totals;

/* Fill totals from the night after allocation. ENG_NOMEM. */
eng_rc eng_alerts_totals(const eng_products *night, eng_slot_totals *totals, eng_err *err);
void eng_alerts_totals_release(eng_slot_totals *totals);

/* Alerts sorted by SKU then warehouse (bytes). *out is malloc'ed; caller frees. */
eng_rc eng_alerts_compute(const eng_products *night, const eng_slot_totals *totals, eng_alert **out,
                          size_t *n_out, eng_err *err);

#endif
