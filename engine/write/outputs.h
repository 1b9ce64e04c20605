/* Writing the night's CSV outputs (slips, picklist, order_status, backorders,
 * exceptions, inventory, alerts, returns ledger and analysis, order totals, routing) into the
 * temporary output folder, one file per task on the pool, and the figures the summary and its
 * invariants recount from what was actually written. */
#ifndef ENG_OUTPUTS_H
#define ENG_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "analysis.h"
#include "bychannel.h"
#include "../record/record.h"
#include "products.h"
#include "../base/outdir.h"
#include "../base/pool.h"

#define ENG_MAX_OUTPUTS 16

typedef struct eng_output_file {
    char name[40]; /* "slips.csv" or "slips.csv.zst" */
    uint64_t bytes;
    char sha256[65];
} eng_output_file;

/* What the writers counted in the rows they wrote. Arrays indexed by fmt_currency
 * index (amounts) or slot (units) are owned; release with eng_outputs_release(). */
typedef struct eng_outputs {
    eng_output_file files[ENG_MAX_OUTPUTS];
    size_t n_files;
    uint64_t slip_rows;
    uint64_t slips;        /* distinct slip numbers written */
    __int128 *slip_amount; /* per currency: sum of slips' line_amount */
    int64_t *slip_units;   /* per slot: units on slips */
    uint64_t status_rows;
    uint64_t status_by[ENG_ST_COUNT]; /* per eng_status */
    __int128 *status_amount;          /* per currency: SHIPPED and PARTIAL amounts */
    __int128 *backordered_amount;     /* per currency: BACKORDERED orders' amounts */
    __int128 *rejected_amount;        /* per currency: REJECTED orders' amounts */
    unsigned char *currency_seen;     /* per currency: 1 when a status row is in it */
    uint64_t backorder_rows;
    int64_t *backorder_units;  /* per catalog product: open units of backorders.csv */
    uint64_t *backorder_lines; /* per catalog product: its rows with units open */
    uint64_t exception_rows;
    uint64_t exceptions_by_code[ENG_CODE_COUNT];
    uint64_t inventory_rows;
    uint64_t alert_rows;
    uint64_t alerts_by_code[ENG_CODE_COUNT];
    uint64_t picklist_rows;
    uint64_t ledger_rows;
    uint64_t returns_by_status[5]; /* per eng_return_status */
    __int128 *ledger_refund;       /* per currency: refund_amount of approved rows */
    uint64_t ledger_resent;        /* approved rows whose request id history already had */
    uint64_t analysis_rows;
    uint64_t totals_rows;
    eng_channel_sums by_channel; /* sorted: shipped (status rows), refunded (ledger) */
    eng_channel_sums status_by_channel; /* sorted; count[eng_status]: status rows per channel
                                           (currency 0 for every channel) */
} eng_outputs;

/* The name output `base` ("backorders.csv") has in this run (or its .zst), NULL when
 * the run wrote no such file. */
const char *eng_outputs_file_name(const eng_outputs *out, const char *base);

/* Format a return number ("RMA-20261127-000001") into dst (at least 40 bytes). */
void eng_outputs_return_no(char *dst, int32_t run_date, uint64_t n);

/* What the writers need besides the night. */
typedef struct eng_report {
    const eng_slot_totals *totals;
    const eng_alert *alerts;
    size_t n_alerts;
    const eng_analysis_row *analysis;
    size_t n_analysis;
} eng_report;

/* Write the CSV files. compress makes each a .csv.zst. ENG_IO, ENG_NOMEM. */
eng_rc eng_outputs_write(const eng_products *night, const eng_report *report, eng_outdir *od,
                         int compress, eng_pool *pool, eng_outputs *out, eng_err *err);

void eng_outputs_release(eng_outputs *out);

/* Format a slip number ("OUT-20261127-000001") into dst (at least 40 bytes). */
void eng_outputs_slip_no(char *dst, int32_t run_date, uint64_t n);

#endif
