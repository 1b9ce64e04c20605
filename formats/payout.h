/* Payout files: what the marketplaces and payment providers say they paid, read into the
 * same typed payout lines whatever the layout (`slipway reconcile`, issue 16).
 *
 *   file -> header (within the first records: eBay writes a preamble) -> layout
 *        -> each record: transform -> fmt_pline lines (signed amounts, one type each)
 *
 * A layout recognises its header by its signature columns, binds the columns it reads, and
 * turns one record into zero or more lines: a Shopify charge is a sale and a fee, an
 * Amazon settlement row one amount component. Amounts are handed on as plain decimal text
 * (a decimal comma or a currency sign already taken out) for the engine to convert into
 * the currency's minor units; text that is no amount passes unchanged, so the engine names
 * it (BAD_NUMBER) with its file, line and column. Like the order layouts, transforms are
 * pure functions of one record and the binding. */
#ifndef FMT_PAYOUT_H
#define FMT_PAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/arena.h"
#include "../engine/core/err.h"
#include "csv.h"
#include "source.h"
#include "table.h"

/* What a payout line is, as payout_lines.csv names it. */
#define FMT_PAYOUT_TYPES(X)                 \
    X(SALE, "sale")                         \
    X(SHIPPING, "shipping")                 \
    X(TAX, "tax")                           \
    X(TAX_WITHHELD, "tax_withheld")         \
    X(PROMOTION, "promotion")               \
    X(FEE, "fee")                           \
    X(FEE_REFUND, "fee_refund")             \
    X(REFUND, "refund")                     \
    X(CHARGEBACK, "chargeback")             \
    X(REIMBURSEMENT, "reimbursement")       \
    X(RESERVE_HELD, "reserve_held")         \
    X(RESERVE_RELEASED, "reserve_released") \
    X(ADJUSTMENT, "adjustment")             \
    X(ADVERTISING, "advertising")           \
    X(PAYOUT, "payout")                     \
    X(FX, "fx")                             \
    X(UNCLASSIFIED, "unclassified")

typedef enum fmt_ptype {
#define FMT_PTYPE_ENUM(e, name) FMT_PT_##e,
    FMT_PAYOUT_TYPES(FMT_PTYPE_ENUM)
#undef FMT_PTYPE_ENUM
        FMT_PT_COUNT
} fmt_ptype;

const char *fmt_ptype_name(fmt_ptype t);

/* A type by its name ("fee"), -1 when none. */
int fmt_ptype_find(const char *name, size_t len);

/* Which column of the record a value came from, for exceptions: the header's own name. */
enum { FMT_PL_AMOUNT, FMT_PL_CURRENCY, FMT_PL_DATE, FMT_PL_COUNT };

/* One line made from a record. Every text is borrowed from the record or the out's arena. */
typedef struct fmt_pline {
    fmt_ptype type;
    fmt_str payout_id;     /* the payout (settlement, payout id) it belongs to; may be blank */
    fmt_str txn_id;        /* the source's own transaction id, blank when it has none */
    fmt_str order_id;      /* as slipway's orders name the order ("#1001"), blank for none */
    fmt_str currency;      /* ISO code as written */
    fmt_str amount;        /* signed plain decimal: money in is positive */
    fmt_str date;          /* ISO date YYYY-MM-DD the line was posted, blank when unknown */
    fmt_str code;          /* the source's own words for it ("Order/ItemFees/Commission") */
    int col[FMT_PL_COUNT]; /* header index each value was read from, -1 made up */
} fmt_pline;

/* A payout's own statement of its total (Amazon's summary row), when the file has one. */
typedef struct fmt_pdeclared {
    fmt_str payout_id;
    fmt_str currency;
    fmt_str total; /* plain decimal */
    fmt_str date;  /* deposit date, ISO */
    int col;       /* header index of the total */
} fmt_pdeclared;

typedef struct fmt_pout {
    fmt_pline *lines;
    size_t n, cap;
    fmt_pdeclared declared;
    int has_declared;
    int skip;              /* not payout data (a footer, a blank row) */
    const char *malformed; /* the record does not fit the layout: why */
    eng_arena *mem;
} fmt_pout;

eng_rc fmt_pout_init(fmt_pout *out);
void fmt_pout_release(fmt_pout *out);
void fmt_pout_reset(fmt_pout *out);

/* A new line, blank but for col[] = -1. NULL when out of memory. */
fmt_pline *fmt_pout_add(fmt_pout *out, fmt_ptype type);

/* Copy of text in the out's arena; {NULL, 0} when out of memory. */
fmt_str fmt_pout_text(fmt_pout *out, const char *p, size_t len);

typedef struct fmt_payout_layout fmt_payout_layout;

struct fmt_payout_layout {
    const char *name;    /* "shopify-payments": --payout-format and payout_lines.csv */
    const char *channel; /* slipway's channel value for its orders ("shopify") */
    /* taken off the front of an order reference by default ("WC-", WooCommerce's invoice
     * prefix at PayPal), NULL none; the policy's payout_order_prefix.* overrides it */
    const char *order_prefix;
    fmt_dialect dialect;
    /* How many of its signature columns the header has (0: not this layout). */
    int (*detect)(const fmt_payout_layout *layout, const fmt_csv_fields *header);
    /* Column indexes for the header into *bind. ENG_REFUSED naming a missing column. */
    eng_rc (*bind)(const fmt_payout_layout *layout, const fmt_csv_fields *header, void **bind,
                   eng_err *err);
    void (*unbind)(void *bind);
    /* One record into lines (out reset by the caller). ENG_NOMEM only. */
    eng_rc (*transform)(const void *bind, const fmt_csv_fields *rec, fmt_pout *out);
    const void *config; /* a mapping's (payout_map.c), NULL for the built-in layouts */
};

/* A built-in payout layout by name, or NULL. */
const fmt_payout_layout *fmt_payout_layout_find(const char *name);

/* Every built-in payout layout. */
const fmt_payout_layout *const *fmt_payout_layout_all(size_t *n);

/* The names, comma-separated, for messages. */
const char *fmt_payout_layout_names(void);

/* `--payout-format map:FILE`: a layout from the user's mapping file, `key = value` lines
 * (`#` comments; a value in double quotes may hold `#`), for example:
 *
 *   name           = etsy-payments   # the layout's name: "map:etsy-payments" (default: the
 *                                    # file's name); it is part of every line's identity
 *   channel        = etsy            # slipway's channel value of its orders ("mapped")
 *   order_id       = Order ID        # the columns: order_id and amount are required
 *   amount         = Net
 *   type           = Type            # the column saying what a row is
 *   payout_id      = Deposit ID
 *   transaction_id = Transaction ID
 *   date           = Date
 *   currency_column = Currency       # or, for a file in one currency: currency = EUR
 *   fee_column     = Fees            # a fee on the same row, its own fee line
 *   fee_sign       = positive        # the fee column writes a charge as 0.30 (or negative)
 *   sale           = Sale, Order     # per payout type, the type column's values for it;
 *   refund         = Refund          # any other value is unclassified (kept, listed)
 *   fee            = Listing fee
 *   ignore         = Memo            # rows that are no money
 *   delimiter      = ;               # , (default)  ;  |  tab
 *   decimal_comma  = yes             # 1.234,56
 *   date_format    = DD.MM.YYYY      # YYYY-MM-DD (default), DD/MM/YYYY, MM/DD/YYYY
 *   order_prefix   = WC-             # taken off the order references
 *
 * Without a type column a row's amount is a sale when positive and a refund when
 * negative. A mapped file states no payout totals: a payout's lines are its total. Keys
 * are matched ignoring case; an unknown or repeated key, a bad value, or a mapping without
 * order_id, amount or a currency refuses the run (file, line, key). The header must hold
 * every mapped column, within the first 30 lines. */
eng_rc fmt_payout_map_load(const char *path, const fmt_payout_layout **out, fmt_input_info *info,
                           eng_err *err);
/* The same from text in memory (tests, fuzzing); path names it in messages. */
eng_rc fmt_payout_map_parse(const char *path, const char *text, size_t len,
                            const fmt_payout_layout **out, eng_err *err);
void fmt_payout_map_free(const fmt_payout_layout *layout);

/* ---- helpers shared by the layouts ---- */

/* How many of the n signature columns the header has, or 0 below `needed`. */
int fmt_payout_signature(const fmt_csv_fields *header, const char *const *sig, size_t n,
                         int needed);

/* Whether word occurs in v, ASCII case ignored ("Chargeback" in "Chargeback Refund"). */
int fmt_payout_has(fmt_str v, const char *word);

/* bind for a layout that reads n named columns: their indexes (an int array) into *bind,
 * freed with fmt_payout_unbind. ENG_REFUSED naming a missing required column. */
eng_rc fmt_payout_bind_columns(const fmt_csv_fields *header, const fmt_column *cols, size_t n,
                               const char *layout, void **bind, eng_err *err);
void fmt_payout_unbind(void *bind);

/* An amount as a signed plain decimal in out's arena: "$1,234.50", "-12.34", "1.234,56"
 * (decimal_comma), "(5.00)" negative; negate flips the sign. Text that is not an amount
 * is returned as written (the engine names it). {NULL, 0} when out of memory. */
fmt_str fmt_payout_amount(fmt_pout *out, fmt_str v, int decimal_comma, int negate);

/* A date as ISO "YYYY-MM-DD" from the forms payout files write: "2026-11-01",
 * "2026-11-01 07:00:00 UTC", "2026-11-01T07:00:00+00:00", "01.11.2026" (day first,
 * dots), "11/01/2026" (month_first) or "01/11/2026", "Nov 1, 2026", "Nov-01-26". Blank or
 * unreadable: returned as written. */
fmt_str fmt_payout_date(fmt_pout *out, fmt_str v, int month_first);

/* Field col of rec, trimmed (fmt_payout_cell); blank when col < 0 (the header has no such
 * column) or the record is shorter. */
fmt_str fmt_payout_field(const fmt_csv_fields *rec, int col);

/* v without blanks around it, and "--" (eBay's empty cell) as blank. */
fmt_str fmt_payout_cell(fmt_str v);

#endif
