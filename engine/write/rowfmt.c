#include "rowfmt.h"

#include <stdlib.h>
#include <string.h>

void eng_ro_str(eng_row_out *w, const char *s)
{
    eng_ro_field(w, s, strlen(s));
}

void eng_ro_header(eng_row_out *w, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eng_ro_str(w, cols[i]);
    eng_ro_end(w);
}

void eng_ro_put_texts(fmt_buf *b, const eng_text *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fmt_buf_putc(b, ',');
        fmt_csv_put_text(b, t[i].p ? t[i].p : "", t[i].p ? t[i].len : 0);
    }
}

static eng_cell cell_add(eng_cells *c, const char *s, size_t len)
{
    eng_cell x = {(uint32_t)c->text.len, 0};
    fmt_csv_put_text(&c->text, s, len);
    x.len = (uint32_t)(c->text.len - x.off);
    return x;
}

eng_rc eng_cells_build(eng_cells *c, const eng_catalog *cat, const eng_inventory *inv)
{
    memset(c, 0, sizeof *c);
    fmt_buf_init(&c->text);
    size_t n_products = eng_catalog_count(cat), n_wh = eng_inventory_warehouse_count(inv);
    int n_cur = fmt_currency_count();
    c->sku = malloc((n_products ? n_products : 1) * sizeof *c->sku);
    c->name = malloc((n_products ? n_products : 1) * sizeof *c->name);
    c->bin = malloc((n_products ? n_products : 1) * sizeof *c->bin);
    c->warehouse = malloc((n_wh ? n_wh : 1) * sizeof *c->warehouse);
    c->currency = malloc((size_t)n_cur * sizeof *c->currency);
    if (!c->sku || !c->name || !c->bin || !c->warehouse || !c->currency)
        return ENG_NOMEM;
    for (size_t p = 0; p < n_products; p++) {
        const eng_product *pr = eng_catalog_get(cat, (uint32_t)p);
        c->sku[p] = cell_add(c, pr->sku, strlen(pr->sku));
        c->name[p] = cell_add(c, pr->name, strlen(pr->name));
        c->bin[p] = cell_add(c, pr->bin, strlen(pr->bin));
    }
    for (size_t r = 0; r < n_wh; r++) {
        const char *wh = eng_inventory_warehouse(inv, (uint32_t)r);
        c->warehouse[r] = cell_add(c, wh, strlen(wh));
    }
    for (int k = 0; k < n_cur; k++)
        c->currency[k] = cell_add(c, fmt_currency_code(k), strlen(fmt_currency_code(k)));
    if (c->text.failed || c->text.len > UINT32_MAX)
        return ENG_NOMEM;
    return ENG_OK;
}

void eng_cells_release(eng_cells *c)
{
    fmt_buf_release(&c->text);
    free(c->sku);
    free(c->name);
    free(c->bin);
    free(c->warehouse);
    free(c->currency);
    memset(c, 0, sizeof *c);
}
