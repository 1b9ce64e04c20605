/* Formatting CSV rows into a buffer: the cells every writer appends (text through the
 * spreadsheet formula guard, numbers, money) and cells formatted once for the whole run
 * (SKUs, names, bins, warehouses, currencies). Where the bytes go next, and when, is
 * the caller's (outputs.c). */
#ifndef ENG_ROWFMT_H
#define ENG_ROWFMT_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/buf.h"
#include "../../formats/csv.h"
#include "../../formats/currency.h"
#include "../record/record.h"
#include "../setup/catalog.h"
#include "../setup/inventory.h"

/* A row being formatted: its bytes so far, and whether a field has been written (the
 * next one needs a comma). */
typedef struct eng_row_out {
    fmt_buf buf;
    int row_started;
} eng_row_out;

static inline void eng_ro_sep(eng_row_out *w)
{
    if (w->row_started)
        fmt_buf_putc(&w->buf, ',');
    w->row_started = 1;
}

/* Every text cell goes through the spreadsheet guard (formats/csv.h): finance opens these
 * files in a spreadsheet, where a ship-to name "=HYPERLINK(...)" from a hostile order
 * file would be a live formula. Ids, SKUs, postal codes and warehouses that would need a
 * guard were refused at input, so the guard never alters them on a row that was
 * accepted. Numbers are written by eng_ro_i64 and eng_ro_money, never guarded: a
 * negative priority is a number to a spreadsheet, and none of our other numbers can be
 * negative. */
static inline void eng_ro_field(eng_row_out *w, const char *s, size_t len)
{
    eng_ro_sep(w);
    fmt_csv_put_text(&w->buf, s, len);
}

void eng_ro_str(eng_row_out *w, const char *s);

static inline void eng_ro_text(eng_row_out *w, eng_text t)
{
    eng_ro_field(w, t.p ? t.p : "", t.p ? t.len : 0);
}

static inline void eng_ro_i64(eng_row_out *w, int64_t v)
{
    eng_ro_sep(w);
    fmt_buf_put_i64(&w->buf, v);
}

/* An amount in minor units of currency (an fmt_currency index); blank when the currency
 * is unknown (-1). */
static inline void eng_ro_money(eng_row_out *w, int64_t minor, int currency)
{
    eng_ro_sep(w);
    if (currency >= 0)
        fmt_buf_put_minor(&w->buf, minor, fmt_currency_minor_digits(currency));
}

/* Fields formatted already ("a,b,c", no leading comma), as the next fields. */
static inline void eng_ro_fields(eng_row_out *w, const char *s, size_t len)
{
    eng_ro_sep(w);
    fmt_buf_put(&w->buf, s, len);
}

static inline void eng_ro_end(eng_row_out *w)
{
    fmt_buf_putc(&w->buf, '\n');
    w->row_started = 0;
}

void eng_ro_header(eng_row_out *w, const char *const *cols, size_t n);

/* Text cells into b, comma-separated, each through the guard and quoting. */
void eng_ro_put_texts(fmt_buf *b, const eng_text *t, size_t n);

/* ---- cells written on many rows, formatted once ----
 *
 * A night of millions of lines repeats the same few thousand SKUs, names, bins and
 * warehouses. Each such cell is formatted once (guard and quoting applied) and a row
 * copies its bytes. */
typedef struct eng_cell {
    uint32_t off, len; /* in eng_cells.text */
} eng_cell;

typedef struct eng_cells {
    fmt_buf text;
    eng_cell *sku, *name, *bin; /* per product */
    eng_cell *warehouse;        /* per warehouse rank */
    eng_cell *currency;         /* per fmt_currency index */
} eng_cells;

/* ENG_NOMEM. Release with eng_cells_release() whatever it returns. */
eng_rc eng_cells_build(eng_cells *c, const eng_catalog *cat, const eng_inventory *inv);
void eng_cells_release(eng_cells *c);

static inline void eng_ro_cell(eng_row_out *w, const eng_cells *c, eng_cell x)
{
    eng_ro_fields(w, c->text.p + x.off, x.len);
}

#endif
