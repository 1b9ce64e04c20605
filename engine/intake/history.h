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
 * value refuses the run, because a wrong history could ship an order twice. The same file
 * given twice is refused; a byte-identical copy under another name is skipped with a
 * warning; a slip line found in two files (a plain copy beside its .zst) counts once, by
 * a key that includes its channel and order id. */
#ifndef ENG_HISTORY_H
#define ENG_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "../setup/catalog.h"
#include "../core/err.h"
#include "../record/record.h"
#include "../setup/setup.h"
#include "../base/pool.h"
#include "../base/strset.h"

/* One SKU of one earlier order. */
typedef struct eng_hist_line {
    const char *sku;
    uint32_t sku_len;
    int32_t product;        /* catalog index, -1 when the catalog no longer has it */
    int64_t shipped;        /* units on earlier slips */
    int64_t shipped_rows;   /* the same units recounted from distinct slip rows (every
                               column compared), independently of the slip-line key that
                               `shipped` counts by: what invariant 5 checks against */
    int64_t amount_minor;   /* their line amounts */
    int16_t currency;       /* fmt_currency index */
    int32_t last_ship_date; /* days since 1970, of the latest shipment */
    const char *last_slip;  /* its slip number */
    const char *last_warehouse;
    int64_t returned; /* units approved in earlier return ledgers */
    int64_t refunded; /* of those, units refunded (not exchanged) */
} eng_hist_line;

/* An earlier order: identified by (channel, order id), as tonight's orders are. */
typedef struct eng_hist_order {
    const char *order_id;
    const char *channel; /* "" when the slips name none */
    uint32_t order_id_len;
    uint32_t channel_len;
    eng_hist_line *lines; /* sorted by SKU bytes */
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

/* Load the setup's history files (sources[first_history_file ..]) on its pool.
 * order_ids and request_ids say what to keep in full (either may be NULL). ENG_REFUSED for
 * a file that is neither a slips nor a ledger file, or holds a bad row (err names file,
 * line, field); ENG_NOMEM. */
eng_rc eng_history_load(const eng_setup *setup, const eng_strset *order_ids,
                        const eng_strset *request_ids, eng_history **out, eng_err *err);
void eng_history_free(eng_history *h);

/* The earlier order (channel, id), or NULL. Thread-safe. */
const eng_hist_order *eng_history_order(const eng_history *h, const char *channel,
                                        size_t channel_len, const char *id, size_t len);

/* The earlier orders with this id on any channel: *n of them from the one returned
 * (sorted by channel), or NULL and 0. For a return that names no channel. Thread-safe. */
const eng_hist_order *eng_history_orders_with_id(const eng_history *h, const char *id, size_t len,
                                                 size_t *n);

/* The line of that order for a SKU (exact bytes), or NULL. O(log lines). */
const eng_hist_line *eng_history_line(const eng_hist_order *o, const char *sku, size_t len);

/* The highest slip number (OUT-YYYYMMDD-N) and return number (RMA-YYYYMMDD-N) of the run
 * date in any history file, or 0: tonight's numbers continue after them, so that a second
 * run of the same date (an afternoon wave given the morning's outputs) never repeats one. */
uint64_t eng_history_last_slip(const eng_history *h);
uint64_t eng_history_last_return(const eng_history *h);

/* 1 when an earlier ledger approved this request id (among those asked for): only an
 * approved request blocks a later one; a rejected one may come again. */
int eng_history_has_request(const eng_history *h, const char *id, size_t len);

/* Units of a catalog product shipped on all earlier slips. */
int64_t eng_history_shipped_units(const eng_history *h, uint32_t product);

/* Approved returns per product, currency and reason, sorted by product then reason. */
const eng_hist_reason *eng_history_reasons(const eng_history *h, size_t *n);

/* What reading history file i (of the setup's history files) found: bytes, sha256, its
 * kind ("slips", "returns_ledger"), rows. NULL for h NULL. */
const eng_file_facts *eng_history_facts(const eng_history *h, size_t i);

/* Rows read (slips lines and ledger lines), for metrics. */
uint64_t eng_history_rows(const eng_history *h);

#endif
