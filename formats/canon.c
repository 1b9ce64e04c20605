/* Tables generated from FMT_ORDER_COLUMNS. */
#include "canon.h"

#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "num.h"

static const fmt_column columns[] = {
#define FMT_COL_ROW(e, name, req, lvl, text) {name, req},
    FMT_ORDER_COLUMNS(FMT_COL_ROW)
#undef FMT_COL_ROW
};

static const unsigned char order_level[] = {
#define FMT_COL_LVL(e, name, req, lvl, text) lvl,
    FMT_ORDER_COLUMNS(FMT_COL_LVL)
#undef FMT_COL_LVL
};

static const unsigned char free_text[] = {
#define FMT_COL_TEXT(e, name, req, lvl, text) text,
    FMT_ORDER_COLUMNS(FMT_COL_TEXT)
#undef FMT_COL_TEXT
};

const char *fmt_col_name(fmt_col c)
{
    return columns[c].name;
}

int fmt_col_is_order_level(fmt_col c)
{
    return order_level[c];
}

int fmt_col_is_free_text(fmt_col c)
{
    return free_text[c];
}

const fmt_column *fmt_canon_columns(void)
{
    return columns;
}

/* ---- the canonical layout ---- */

static int canon_detect(const fmt_layout *l, const fmt_csv_fields *header)
{
    (void)l;
    int found = 0;
    for (int c = 0; c < FMT_COL_COUNT; c++)
        found += columns[c].required && fmt_layout_col(header, columns[c].name) >= 0;
    return found;
}

static eng_rc canon_bind(const fmt_layout *l, const fmt_csv_fields *header, void **bind,
                         eng_err *err)
{
    (void)l;
    int *col = malloc(FMT_COL_COUNT * sizeof *col);
    if (!col)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = fmt_header_map(header, columns, FMT_COL_COUNT, col, "canonical orders", err);
    if (rc != ENG_OK) {
        free(col);
        return rc;
    }
    *bind = col;
    return ENG_OK;
}

static void canon_unbind(void *bind)
{
    free(bind);
}

static eng_rc canon_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                              fmt_out *out)
{
    (void)l;
    const int *col = bind;
    fmt_out_row *r = fmt_out_add(out);
    if (!r)
        return ENG_NOMEM;
    /* backorders.csv is fed back as orders: its free text comes back without the guard
     * the writer put on it, so "=HYPERLINK(...)" ships as it was ordered, and a
     * hand-written "'s-Hertogenbosch" is left alone (csv.h). */
    for (int c = 0; c < FMT_COL_COUNT; c++) {
        r->v[c] = fmt_layout_field(rec, col[c]);
        if (free_text[c])
            r->v[c] = fmt_csv_unguard(r->v[c]);
    }
    if (r->v[FMT_COL_LINE_AMOUNT].len) { /* the line's amount is stated: it is the truth */
        r->v[FMT_COL_UNIT_PRICE] = r->v[FMT_COL_LINE_AMOUNT];
        r->line_total = 1;
    }
    return ENG_OK;
}

/* Every value is read from its own column; the line's price from line_amount on rows
 * that have one, else unit_price. */
static int canon_source_column(const fmt_layout *l, const void *bind, fmt_col c)
{
    (void)l;
    const int *col = bind;
    if (c == FMT_COL_UNIT_PRICE && col[FMT_COL_LINE_AMOUNT] >= 0)
        return -1;
    return fmt_layout_bound(col[c]);
}

/* ---- the canonical layout as European Excel saves it ---- */

/* "CSV (semicolon-separated)" from a spreadsheet set to a language whose decimal mark is a
 * comma: the same columns, ';' between fields, "1.234,50" for 1234.50, and Windows-1252
 * when the bytes are not UTF-8 (Excel's "CSV" is the system's ANSI code page). Numbers are
 * made plain here, so every later check reads them as in any other file; one that does not
 * follow the comma rule keeps its text and is marked bad_number for the checks to name. */
static const fmt_col numbers[] = {FMT_COL_QTY,         FMT_COL_UNIT_PRICE, FMT_COL_PRIORITY,
                                  FMT_COL_ORDER_TOTAL, FMT_COL_SHIPPING,   FMT_COL_TAX,
                                  FMT_COL_DISCOUNT,    FMT_COL_OPEN_QTY,   FMT_COL_LINE_AMOUNT};

/* A row with a line_amount has its unit_price not read (canon_transform). */
static int price_unread(const fmt_csv_fields *rec, const int *col, fmt_col c)
{
    return c == FMT_COL_UNIT_PRICE && fmt_layout_field(rec, col[FMT_COL_LINE_AMOUNT]).len > 0;
}

/* Value v of number column c read by the comma rule into row r: plain, or marked bad. */
static eng_rc comma_number(fmt_out *out, fmt_out_row *r, fmt_col c, fmt_str v)
{
    char buf[64];
    const char *p;
    size_t n;
    if (fmt_decimal_comma(v.p, v.len, buf, sizeof buf, &p, &n) != FMT_NUM_OK) {
        r->bad_number |= 1u << c;
    } else {
        fmt_str plain = fmt_out_text(out, p, n);
        if (!plain.p)
            return ENG_NOMEM;
        r->v[c] = plain;
    }
    /* As canon_transform: a stated line amount is the price the checks read. */
    if (c == FMT_COL_LINE_AMOUNT) {
        r->v[FMT_COL_UNIT_PRICE] = r->v[c];
        if (r->bad_number & (1u << c))
            r->bad_number |= 1u << FMT_COL_UNIT_PRICE;
    }
    return ENG_OK;
}

/* The canonical row, its numbers then read by the comma rule: every one (all_comma), or
 * only those that hold a comma. */
static eng_rc comma_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                              fmt_out *out, int all_comma)
{
    const int *col = bind;
    eng_rc rc = canon_transform(l, bind, rec, out);
    if (rc != ENG_OK || out->n == 0)
        return rc;
    fmt_out_row *r = &out->rows[out->n - 1];
    for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
        fmt_str v = fmt_layout_field(rec, col[numbers[i]]);
        if (v.len && (all_comma || memchr(v.p, ',', v.len)) && !price_unread(rec, col, numbers[i]))
            ENG_TRY(comma_number(out, r, numbers[i], v));
    }
    return ENG_OK;
}

static eng_rc semicolon_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                                  fmt_out *out)
{
    return comma_transform(l, bind, rec, out, 1);
}

const fmt_layout fmt_layout_canonical_semicolon = {
    .name = "canonical-semicolon",
    .dialect = {';', '"', 0},
    .legacy_encoding = "WINDOWS-1252",
    .detect = canon_detect,
    .bind = canon_bind,
    .unbind = canon_unbind,
    .transform = semicolon_transform,
    .source_column = canon_source_column,
};

/* ---- the canonical layout as Excel's "Unicode text" saves it ---- */

/* Tab-separated, UTF-16 with a byte order mark (the source converts it), numbers as the
 * spreadsheet's language writes them. With no separator to tell the language by, each
 * number is read on its own: with a comma it is read by the comma rule ("12,50",
 * "1.234,50"), without one as a plain decimal ("12.50"). */
static eng_rc tab_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                            fmt_out *out)
{
    return comma_transform(l, bind, rec, out, 0);
}

const fmt_layout fmt_layout_canonical_tab = {
    .name = "canonical-tab",
    .dialect = {'\t', '"', 0},
    .legacy_encoding = NULL,
    .detect = canon_detect,
    .bind = canon_bind,
    .unbind = canon_unbind,
    .transform = tab_transform,
    .source_column = canon_source_column,
};

const fmt_layout fmt_layout_canonical = {
    .name = "canonical",
    .dialect = {',', '"', 0},
    .legacy_encoding = NULL, /* SPEC: a canonical row that is not UTF-8 is BAD_ENCODING */
    .detect = canon_detect,
    .bind = canon_bind,
    .unbind = canon_unbind,
    .transform = canon_transform,
    .source_column = canon_source_column,
};
