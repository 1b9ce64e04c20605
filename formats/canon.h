/* The canonical orders layout: the columns SPEC names, in SPEC's order, then open_qty and
 * line_amount, which slipway's own backorders.csv carries so that it can be fed back as
 * orders: the units still to ship, and the line's exact amount where a marketplace stated
 * a line total (its unit price, rounded, times qty could miss it by cents). Last, what
 * finance reconciles payouts by where an export states it: whether the marketplace
 * collected the tax (y/n), and the payment gateway.
 *
 * Every reader of orders, whatever the file's own layout, ends in these columns, so the
 * engine validates one model. Order-level columns (is_order_level) may be blank on all
 * but one row of an order. */
#ifndef FMT_CANON_H
#define FMT_CANON_H

#include <stddef.h>

#include "table.h"

/* enum name, header name, required, order-level, free text. Free text (names, addresses,
 * channel, service) is what slipway's own files write through the spreadsheet guard
 * (formats/csv.h), so this layout reads it back through fmt_csv_unguard(); ids, SKUs and
 * postal codes never carry a guard (a value that would need one is UNSAFE_TEXT), and
 * numbers, times and currency codes cannot. */
#define FMT_ORDER_COLUMNS(X)                       \
    X(ORDER_ID, "order_id", 1, 0, 0)               \
    X(ORDER_TIME, "order_time", 1, 1, 0)           \
    X(SKU, "sku", 1, 0, 0)                         \
    X(QTY, "qty", 1, 0, 0)                         \
    X(UNIT_PRICE, "unit_price", 1, 0, 0)           \
    X(CURRENCY, "currency", 1, 1, 0)               \
    X(CHANNEL, "channel", 0, 1, 1)                 \
    X(PRIORITY, "priority", 0, 1, 0)               \
    X(CUSTOMER_ID, "customer_id", 0, 1, 1)         \
    X(SHIP_NAME, "ship_name", 0, 1, 1)             \
    X(SHIP_STREET, "ship_street", 0, 1, 1)         \
    X(SHIP_CITY, "ship_city", 0, 1, 1)             \
    X(SHIP_REGION, "ship_region", 0, 1, 1)         \
    X(SHIP_POSTAL, "ship_postal", 0, 1, 0)         \
    X(SHIP_COUNTRY, "ship_country", 0, 1, 1)       \
    X(SHIP_SERVICE, "ship_service", 0, 1, 1)       \
    X(ORDER_TOTAL, "order_total", 0, 1, 0)         \
    X(SHIPPING, "shipping", 0, 1, 0)               \
    X(TAX, "tax", 0, 1, 0)                         \
    X(DISCOUNT, "discount", 0, 1, 0)               \
    X(OPEN_QTY, "open_qty", 0, 0, 0)               \
    X(LINE_AMOUNT, "line_amount", 0, 0, 0)         \
    X(MARKETPLACE_TAX, "marketplace_tax", 0, 1, 0) \
    X(PAYMENT_GATEWAY, "payment_gateway", 0, 1, 1)

typedef enum fmt_col {
#define FMT_COL_ENUM(e, name, req, lvl, text) FMT_COL_##e,
    FMT_ORDER_COLUMNS(FMT_COL_ENUM)
#undef FMT_COL_ENUM
        FMT_COL_COUNT
} fmt_col;

/* Header name of a column ("ship_city"). */
const char *fmt_col_name(fmt_col c);

/* 1 for columns that describe the whole order rather than one line. */
int fmt_col_is_order_level(fmt_col c);

/* 1 for free-text columns: written through the spreadsheet guard, read back without it. */
int fmt_col_is_free_text(fmt_col c);

/* The wanted-columns table for fmt_header_map(), FMT_COL_COUNT entries. */
const fmt_column *fmt_canon_columns(void);

#endif
