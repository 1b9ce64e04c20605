/* Why things come back: approved returns per SKU and reason, earlier ledgers and tonight
 * together, against the units shipped in the same window (history slips and tonight's
 * slips), worst return rate first. */
#ifndef ENG_ANALYSIS_H
#define ENG_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "../record/record.h"
#include "products.h"

typedef struct eng_analysis_row {
    int32_t product;
    int16_t currency;
    const char *reason; /* trimmed, lower case; "" when none was given */
    uint64_t requests;
    int64_t units;
    int64_t refund_minor;
    int64_t shipped; /* units of the SKU shipped in the window */
} eng_analysis_row;

/* Rows sorted by return rate (units / shipped) descending, then units descending, then
 * SKU, reason and currency in byte order; a SKU never shipped in the window ranks last.
 * *out is malloc'ed (caller frees). ENG_NOMEM. */
eng_rc eng_analysis_build(const eng_products *night, const eng_slot_totals *totals,
                          eng_analysis_row **out, size_t *n_out, eng_err *err);

/* Return rate as a percentage with two decimals, rounded half up, into dst (>= 24
 * bytes); "" when nothing shipped. Integer arithmetic. */
void eng_analysis_rate(const eng_analysis_row *r, char *dst);

#endif
