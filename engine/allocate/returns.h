/* Return requests (`--returns`): read, checked against what earlier nights shipped,
 * decided, numbered, refunded, restocked, and exchanges allocated, all before tonight's
 * orders take stock, so that restocked units can ship tonight.
 *
 * Checks, in SPEC's order, first failure decides: RETURN_DUPLICATE (request id in an
 * earlier ledger or earlier tonight), BAD_VALUE (condition or resolution), BAD_DATE
 * (requested_at after the run date), RETURN_UNKNOWN_ORDER, RETURN_SKU_NOT_IN_ORDER,
 * RETURN_QTY_EXCEEDS (more than shipped minus returned, tonight's earlier approvals
 * included), RETURN_WINDOW_EXPIRED, RETURN_NOT_RETURNABLE. Rows that cannot be read
 * (MALFORMED_ROW, BAD_ENCODING, MISSING_FIELD, BAD_QTY, an unreadable requested_at as
 * BAD_DATE) are rejected before those checks.
 *
 * Requests are taken in (requested_at, request_id) order, a blank requested_at counting
 * as the run date; approved ones get RMA-YYYYMMDD-NNNNNN in that order. */
#ifndef ENG_RETURNS_H
#define ENG_RETURNS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "../book/error_rate.h"
#include "../intake/history.h"
#include "../setup/setup.h"
#include "alloc.h"
#include "../record/record.h"
#include "../base/strset.h"

typedef enum eng_return_status {
    ENG_RS_RESTOCKED,
    ENG_RS_CLOSED,
    ENG_RS_REJECTED,
    ENG_RS_EXCHANGE_SHIPPED,
    ENG_RS_EXCHANGE_BACKORDERED,
} eng_return_status;

const char *eng_return_status_name(eng_return_status st);

typedef struct eng_return {
    /* as read */
    uint16_t file; /* index into the night's sources */
    uint64_t line;
    eng_text request_id, order_id, sku, reason, condition, resolution;
    eng_text channel;     /* the optional channel column; blank: the order's only channel */
    int64_t qty;          /* 0 when unreadable */
    int64_t requested_ns; /* requested_at, or the run date at 00:00Z when blank */
    int exchange;         /* resolution is exchange */
    int resaleable;       /* condition is resaleable (or a synonym) */
    eng_code read_code;   /* a row-level problem found while reading, else NONE */
    /* decision */
    eng_code code; /* rejection code, RETURN_DAMAGED for an approved damaged return, else
                      NONE */
    eng_return_status status;
    uint64_t rma;         /* 1-based return number; 0 when rejected */
    int16_t currency;     /* of the original shipment; -1 when unknown */
    int64_t refund_minor; /* approved refund (0 for an exchange) */
    int64_t restock_qty;
    uint32_t restock_slot; /* valid when restock_qty > 0 */
    const char *warehouse; /* the warehouse it shipped from (and is restocked to) */
    int32_t product;       /* catalog index, -1 when unknown */
    const eng_hist_order *original;
    /* exchange replacement (alloc) */
    uint32_t ship_slot;
    uint64_t slip; /* slip number when shipped, else 0 */
} eng_return;

typedef struct eng_returns {
    eng_return *items; /* in input order until decided, then in processing order */
    size_t n;
    size_t cap;
    eng_exc_list exc; /* rejected requests, for exceptions.csv */
    eng_arena *mem;
    uint64_t n_approved;
    uint64_t n_exchanges_shipped;
    eng_file_facts *files; /* per returns file (sources[first_file ..]) */
    size_t first_file;
    size_t n_files;
} eng_returns;

/* Read the setup's returns files (sources[first_return_file ..]) into rs (zeroed, or
 * filled by an earlier call) and add their order ids and request ids to order_ids and
 * request_ids. ENG_REFUSED for an unreadable file or missing column; ENG_NOMEM. Bad rows
 * are kept with their read_code. */
eng_rc eng_returns_read(const eng_setup *setup, eng_returns *rs, eng_strset *order_ids,
                        eng_strset *request_ids, eng_err *err);

/* Decide every request against history; number approved ones after history's of the run
 * date; compute refunds and restocks into the allocation's stock counters and restocked;
 * allocate exchange replacements (ship complete, warehouse order, or under routes the
 * original order's route and channel list) and number their slips
 * first (al->n_exchange_slips). Single-threaded: returns are few next to orders.
 * ENG_REFUSED (a restock past 2^63-1), ENG_NOMEM. */
eng_rc eng_returns_decide(const eng_setup *setup, const eng_history *h, eng_allocation *al,
                          eng_returns *rs, eng_err *err);

/* Refund for qty of shipped units that cost amount_minor in all, less pct percent,
 * rounded half up to minor units (exposed for tests). */
int64_t eng_returns_refund(int64_t amount_minor, int64_t shipped, int64_t qty, fmt_dec pct);

/* max_error_rate's counts of returns file i (of the setup's returns files), after
 * eng_returns_decide: rows read, and requests with a code that counts (unreadable values,
 * BAD_VALUE, BAD_DATE; book/error_rate.h). */
eng_rate eng_returns_error_rate(const eng_returns *rs, size_t i);

/* Refuse the run for a returns file above max_error_rate (eng_error_rate_check_file). */
eng_rc eng_returns_check_error_rate(const eng_setup *setup, const eng_returns *rs, eng_err *err);

void eng_returns_release(eng_returns *rs);

#endif
