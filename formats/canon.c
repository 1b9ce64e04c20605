/* Tables generated from FMT_ORDER_COLUMNS. */
#include "canon.h"

#include <stdlib.h>

#include "layout.h"

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
