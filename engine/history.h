/* What earlier nights shipped and took back, as far as tonight needs it.
 *
 * `--history` names slips.csv and returns_ledger.csv files of earlier runs (told apart by
 * their headers, plain or .zst), possibly a year of them. Only two things are kept in
 * full, for the order ids of tonight's orders and returns: per order and SKU, the units
 * shipped, the amount paid, the latest shipment (date, slip, warehouse) and the units
 * already returned; and the order's ship-to. For everything else only per-SKU totals are
 * kept, for the return analysis: units shipped, and approved returns per reason. Memory
 * therefore grows with tonight's size, not with the history's; load time grows with the
 * history's bytes, spread over the pool (one task per file).
 *
 * History must be clean: it is our own output. A malformed row, a missing column or a bad
 * value refuses the run, because a wrong history could ship an order twice. */
#ifndef ENG_HISTORY_H
#define ENG_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "err.h"
#include "night.h"
#include "pool.h"
#include "strset.h"

/* One SKU of one earlier order. */
typedef struct eng_hist_line {
    const char *sku;
    uint32_t sku_len;
    int32_t product;        /* catalog index, -1 when the catalog no longer has it */
    int64_t shipped;        /* units on earlier slips */
    int64_t amount_minor;   /* their line amounts */
    int16_t currency;       /* fmt_currency index */
    int32_t last_ship_date; /* days since 1970, of the latest shipment */
    const char *last_slip;  /* its slip number */
    const char *last_warehouse;
    int64_t returned; /* units approved in earlier return ledgers */
    int64_t refunded; /* of those, units refunded (not exchanged) */
} eng_hist_line;

typedef struct eng_hist_order {
    const char *order_id;
    uint32_t order_id_len;
    eng_hist_line *lines;
    uint32_t n_lines;
    eng_text text[ENG_HT_COUNT]; /* channel and ship-to of the latest slip; currency */
    int32_t ship_date;           /* of that slip */
    const char *slip;
} eng_hist_order;

/* Approved returns of one SKU for one reason (the analysis), summed over history. */
typedef struct eng_hist_reason {
    int32_t product;
    int16_t currency;
    const char *reason; /* as written, trimmed */
    uint64_t requests;
    int64_t units;
    int64_t refund_minor;
} eng_hist_reason;

typedef struct eng_history eng_history;

/* Load the history files (sources[first .. first + n) of the night). order_ids and
 * request_ids say what to keep in full (either may be NULL). Fills each source's bytes and
 * sha256. ENG_REFUSED for a file that is neither a slips nor a ledger file, or holds a bad
 * row (err names file, line, field); ENG_NOMEM. */
eng_rc eng_history_load(eng_night *night, size_t first, size_t n, const eng_strset *order_ids,
                        const eng_strset *request_ids, eng_pool *pool, eng_history **out,
                        eng_err *err);
void eng_history_free(eng_history *h);

/* The earlier order with this id, or NULL. Thread-safe. */
const eng_hist_order *eng_history_order(const eng_history *h, const char *id, size_t len);

/* The line of that order for a SKU (exact bytes), or NULL. */
const eng_hist_line *eng_history_line(const eng_hist_order *o, const char *sku, size_t len);

/* 1 when an earlier ledger holds this request id (among those asked for). */
int eng_history_has_request(const eng_history *h, const char *id, size_t len);

/* Units of a catalog product shipped on all earlier slips. */
int64_t eng_history_shipped_units(const eng_history *h, uint32_t product);

/* Approved returns per product, currency and reason, sorted by product then reason. */
const eng_hist_reason *eng_history_reasons(const eng_history *h, size_t *n);

/* Rows read (slips lines and ledger lines), for metrics. */
uint64_t eng_history_rows(const eng_history *h);

#endif
