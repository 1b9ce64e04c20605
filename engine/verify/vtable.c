/* Rows are kept as NUL-terminated values in one text buffer, addressed by offsets, so a
 * table of a million slip lines is a few allocations. */
#include "vtable.h"

#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/csv.h"

struct eng_vtable {
    char *label;
    size_t n_want;
    int *has;
    size_t n_rows;
    size_t cap_rows;
    uint64_t *lines;
    size_t *off; /* n_rows * n_want offsets into text */
    fmt_buf text;
};

void eng_vtable_free(eng_vtable *t)
{
    if (!t)
        return;
    free(t->label);
    free(t->has);
    free(t->lines);
    free(t->off);
    fmt_buf_release(&t->text);
    free(t);
}

static int add_row(eng_vtable *t, const fmt_table *ft)
{
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : 256;
        uint64_t *lines = realloc(t->lines, cap * sizeof *lines);
        if (!lines)
            return -1;
        t->lines = lines;
        size_t *off = realloc(t->off, cap * (t->n_want ? t->n_want : 1) * sizeof *off);
        if (!off)
            return -1;
        t->off = off;
        t->cap_rows = cap;
    }
    t->lines[t->n_rows] = fmt_table_line(ft);
    for (size_t k = 0; k < t->n_want; k++) {
        /* slipway's outputs (and canonical inputs) guard text cells against spreadsheet
         * formulas: compare what the cell means. Numbers never carry a guard. */
        fmt_str v = fmt_csv_unguard(fmt_table_get(ft, k));
        t->off[t->n_rows * t->n_want + k] = t->text.len;
        fmt_buf_put(&t->text, v.p, v.len);
        fmt_buf_putc(&t->text, '\0');
    }
    t->n_rows++;
    return t->text.failed ? -1 : 0;
}

eng_rc eng_vtable_load(const char *path, const char *label, const fmt_column *want, size_t n_want,
                       eng_vtable **out, eng_err *err)
{
    eng_vtable *t = calloc(1, sizeof *t);
    if (!t)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
    fmt_buf_init(&t->text);
    t->n_want = n_want;
    t->label = strdup(label);
    t->has = calloc(n_want ? n_want : 1, sizeof *t->has);
    fmt_table *ft = NULL;
    eng_rc rc = ENG_OK;
    if (!t->label || !t->has) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
        goto done;
    }
    rc = fmt_table_open(path, want, n_want, label, &ft, err);
    if (rc != ENG_OK)
        goto done;
    for (size_t k = 0; k < n_want; k++)
        t->has[k] = fmt_table_has(ft, k);
    for (;;) {
        int got = fmt_table_next(ft, err);
        if (got < 0) {
            rc = err && err->rc != ENG_OK ? err->rc : ENG_REFUSED;
            goto done;
        }
        if (got == 0)
            break;
        if (!fmt_table_row_ok(ft)) {
            if (err) {
                err->path = NULL;
                err->line = fmt_table_line(ft);
            }
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "%s:%llu: the row is not well-formed CSV or has a different number "
                          "of fields than the header",
                          label, (unsigned long long)fmt_table_line(ft));
            goto done;
        }
        if (add_row(t, ft) != 0) {
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
            goto done;
        }
    }
done:
    fmt_table_close(ft);
    if (rc != ENG_OK) {
        eng_vtable_free(t);
        return rc;
    }
    *out = t;
    return ENG_OK;
}

size_t eng_vtable_rows(const eng_vtable *t)
{
    return t->n_rows;
}

const char *eng_vtable_get(const eng_vtable *t, size_t r, size_t k)
{
    if (r >= t->n_rows || k >= t->n_want)
        return "";
    return t->text.p + t->off[r * t->n_want + k];
}

int eng_vtable_has(const eng_vtable *t, size_t k)
{
    return k < t->n_want && t->has[k];
}

uint64_t eng_vtable_line(const eng_vtable *t, size_t r)
{
    return r < t->n_rows ? t->lines[r] : 0;
}

const char *eng_vtable_label(const eng_vtable *t)
{
    return t->label;
}
