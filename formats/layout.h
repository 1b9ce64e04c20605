/* Order file layouts: the canonical format and every marketplace export, read into the
 * same canonical rows.
 *
 * A layout says how its files are cut into fields (dialect), which encoding its files
 * use when they are not UTF-8, how to recognise its header, and how one record becomes
 * zero or more canonical rows (transform). The engine then checks canonical rows the same
 * way whatever the layout, so every marketplace gets every check.
 *
 *   file -> header -> fmt_layout_detect (or --format) -> bind (column indexes)
 *        -> each record: transform -> fmt_out rows -> engine checks
 *
 * Transforms are pure functions of one record plus the binding: any thread may run them
 * with its own fmt_out. Values they make up (a normalised date or amount) live in the
 * fmt_out's arena until the next fmt_out_reset(). */
#ifndef FMT_LAYOUT_H
#define FMT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/arena.h"
#include "../engine/core/err.h"
#include "canon.h"
#include "csv.h"
#include "isotime.h"

/* A marketplace's own verdict on an order or line: not an error, but nothing to ship.
 * Higher values win when rows of one order disagree (cancelled beats fulfilled). */
typedef enum fmt_state {
    FMT_STATE_NONE,
    FMT_STATE_NO_SHIPPING,    /* NO_SHIPPING_NEEDED: gift cards, digital goods */
    FMT_STATE_BY_MARKETPLACE, /* FULFILLED_BY_MARKETPLACE: the marketplace ships it */
    FMT_STATE_UNPAID,         /* AWAITING_PAYMENT: not paid yet, must not ship */
    FMT_STATE_FULFILLED,      /* ALREADY_FULFILLED: shipped before, elsewhere */
    FMT_STATE_CANCELLED,      /* ORDER_CANCELLED: cancelled or refunded */
    FMT_STATE_COUNT
} fmt_state;

/* Status name of a state ("ORDER_CANCELLED"); "" for NONE. */
const char *fmt_state_name(fmt_state st);

/* One canonical row made from a record. */
typedef struct fmt_out_row {
    fmt_str v[FMT_COL_COUNT]; /* canonical values; blank is {"", 0} */
    fmt_state order_state;    /* the marketplace's verdict on the whole order, if stated */
    fmt_state line_state;     /* this line is not ours to ship (NO_SHIPPING, BY_MARKETPLACE) */
    int head_only;            /* order-level values only: no line (eBay's summary row) */
    int line_total;           /* v[UNIT_PRICE] is the line's total, not the unit price */
    uint32_t bad_number;      /* bit (1 << fmt_col): a number the layout could not read as
                                 its files write numbers (v keeps the text as written) */
    fmt_str item_key;         /* the marketplace's line id, when rows may repeat a line */
    int64_t updated_ns;       /* with item_key: the latest row of a line wins */
} fmt_out_row;

typedef struct fmt_out {
    fmt_out_row *rows;
    size_t n;
    size_t cap;
    int skip;              /* the record is not order data (a footer line) */
    const char *malformed; /* the record does not fit the layout: why (MALFORMED_ROW) */
    eng_arena *mem;        /* made-up values; reset with the out */
} fmt_out;

eng_rc fmt_out_init(fmt_out *out);
void fmt_out_release(fmt_out *out);
void fmt_out_reset(fmt_out *out);

/* A new row, all values blank. NULL when out of memory. */
fmt_out_row *fmt_out_add(fmt_out *out);

/* Each row's order_time that is not ISO 8601 but a spreadsheet's date under order
 * ("26/11/2026 15:22" day first) rewritten as ISO text without a zone (read as UTC), so
 * every later reader sees one form. Others are left as they are. ENG_NOMEM only. */
eng_rc fmt_out_sheet_dates(fmt_out *out, fmt_date_order order);

/* Copy text into the out's arena. Returns {NULL, 0} when out of memory. */
fmt_str fmt_out_text(fmt_out *out, const char *p, size_t len);

typedef struct fmt_layout fmt_layout;

struct fmt_layout {
    const char *name; /* "shopify": as --format names it and summary.json shows */
    fmt_dialect dialect;
    const char *legacy_encoding; /* iconv name used when the bytes are not UTF-8 */
    /* How many of the layout's signature columns the header has (0: not this layout). */
    int (*detect)(const fmt_layout *l, const fmt_csv_fields *header);
    /* Column indexes for this header into *bind (freed with unbind). ENG_REFUSED naming
     * the missing column and the layout when a required one is absent. */
    eng_rc (*bind)(const fmt_layout *l, const fmt_csv_fields *header, void **bind, eng_err *err);
    void (*unbind)(void *bind);
    /* One record into canonical rows (out is reset by the caller). ENG_NOMEM only. */
    eng_rc (*transform)(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                        fmt_out *out);
    /* Index of the header column a canonical value is read from, so that exceptions name
     * the file's own column ("Lineitem sku"); -1 when the value is made up or comes from
     * several columns (exceptions then name the canonical column); FMT_LAYOUT_NO_COLUMN
     * when this file has no column for it, so an order missing it can be told why. NULL:
     * always -1. */
    int (*source_column)(const fmt_layout *l, const void *bind, fmt_col c);
    /* Layout-specific settings (map:FILE), or NULL. */
    const void *config;
    /* 1: its order_time is in a form of its own (a mapping's date_format or time_zone),
     * never read as a spreadsheet's date (fmt_out_sheet_dates). */
    int own_dates;
};

/* A built-in layout by name (canonical, shopify, amazon, woocommerce, ebay, tmall), or
 * NULL. */
const fmt_layout *fmt_layout_find(const char *name);

/* The built-in layout whose signature the header matches best, or NULL. */
const fmt_layout *fmt_layout_detect(const fmt_csv_fields *header);

/* Every built-in layout, for auto-detection with each one's dialect. */
const fmt_layout *const *fmt_layout_all(size_t *n);

/* ---- helpers shared by the layouts ---- */

/* Index of the first header field equal to name (case and blanks ignored), or -1. */
int fmt_layout_col(const fmt_csv_fields *header, const char *name);

/* How many of the names the header has. */
int fmt_layout_count_cols(const fmt_csv_fields *header, const char *const *names, size_t n);

#define FMT_LAYOUT_NO_COLUMN (-2)

/* A bound column index as source_column gives it: FMT_LAYOUT_NO_COLUMN when unbound. */
int fmt_layout_bound(int col);

/* source_column from a table of {fmt_col, layout column} pairs and the bound indexes
 * col[layout column]: -1 for a value the table does not list (made up). */
int fmt_layout_source(const int (*table)[2], size_t n, const int *col, fmt_col c);

/* The one bound index (>= 0) among col[0..n-1]; -1 when several are bound (a canonical
 * value fed by several columns has no single source_column), FMT_LAYOUT_NO_COLUMN when
 * none is. */
int fmt_layout_one_col(const int *col, size_t n);

/* v without the spaces and tabs around it. */
fmt_str fmt_layout_trim(fmt_str v);

/* Field i of rec, or blank when the record is shorter. */
fmt_str fmt_layout_field(const fmt_csv_fields *rec, int i);

/* Text of an amount as a marketplace writes it ("$1,234.50", "AU $3,000.00", "EUR 90,00",
 * "¥12.90", "123.45元", "1.234,50 €") as a plain decimal ("1234.50") in out's arena, and
 * the currency its symbol or code names (ISO code, "" when none). Blank stays blank.
 * Returns -1 when no sensible reading exists (the value is then passed on as written, so
 * the engine reports BAD_NUMBER). */
int fmt_layout_money(fmt_out *out, fmt_str v, fmt_str *amount, const char **currency);

/* A date or time written in a marketplace's pattern, as ISO 8601 text in out's arena.
 * Pattern tokens: YYYY (year), YY (2000 + two digits), MM, DD (one or two digits), MON
 * (Jan..Dec, any case), hh, mm, ss (one or two digits); any other character must match
 * itself. After the pattern the value may carry its own zone ("Z", "+01:00", "-0400", " +0100");
 * else zone (such as "+08:00", or NULL for UTC) is appended. A value that does not fit
 * is returned unchanged, so the engine reports it as BAD_DATE. Blank stays blank. */
fmt_str fmt_layout_date(fmt_out *out, fmt_str v, const char *pattern, const char *zone);

/* An id protected from spreadsheets: ="123", a leading apostrophe or tab. */
fmt_str fmt_layout_unprotect(fmt_str v);

#endif
