/* Tables generated from FMT_ORDER_COLUMNS. */
#include "canon.h"

static const fmt_column columns[] = {
#define FMT_COL_ROW(e, name, req, lvl) {name, req},
    FMT_ORDER_COLUMNS(FMT_COL_ROW)
#undef FMT_COL_ROW
};

static const unsigned char order_level[] = {
#define FMT_COL_LVL(e, name, req, lvl) lvl,
    FMT_ORDER_COLUMNS(FMT_COL_LVL)
#undef FMT_COL_LVL
};

const char *fmt_col_name(fmt_col c)
{
    return columns[c].name;
}

int fmt_col_is_order_level(fmt_col c)
{
    return order_level[c];
}

const fmt_column *fmt_canon_columns(void)
{
    return columns;
}
