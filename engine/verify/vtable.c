/* A scan copies the wanted values of the current row into one buffer, NUL after each, so
 * callers get C strings without an allocation per value. A whole table appends each row's
 * values the same way to one text buffer and keeps where each row starts: a table of a
 * million slip lines is a few allocations and 16 bytes a row besides its text, and a
 * value is found by stepping over the NULs before it (rows hold a few dozen short
 * values). */
#include "vtable.h"

#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/csv.h"

struct eng_vscan {
    char *label;
    fmt_table *ft;
    size_t n_want;
    int *has;
    size_t *off; /* n_want offsets into row */
    fmt_buf row;
    int guarded; /* cells carry slipway's spreadsheet guard: read what they mean */
    int *number; /* by wanted column: a count or amount, made plain in a decimal-comma file */
};

/* The reference columns that hold numbers (README "Inputs"): in a semicolon-separated
 * file they are written "1.234,50" and read as the run reads them (fmt_table_number). */
static int is_number_column(const char *name)
{
    static const char *const numbers[] = {"on_hand",           "reorder_point", "reorder_qty",
                                          "safety_stock",      "list_price",    "min_price",
                                          "return_window_days"};
    for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++)
        if (strcmp(name, numbers[i]) == 0)
            return 1;
    return 0;
}

void eng_vscan_close(eng_vscan *s)
{
    if (!s)
        return;
    fmt_table_close(s->ft);
    free(s->label);
    free(s->has);
    free(s->off);
    free(s->number);
    fmt_buf_release(&s->row);
    free(s);
}

static eng_rc open_scan(const char *path, int encoded, const char *encoding, const char *label,
                        const fmt_column *want, size_t n_want, int guarded, eng_vscan **out,
                        eng_err *err);

eng_rc eng_vscan_open(const char *path, const char *label, const fmt_column *want, size_t n_want,
                      int guarded, eng_vscan **out, eng_err *err)
{
    return open_scan(path, 0, NULL, label, want, n_want, guarded, out, err);
}

eng_rc eng_vscan_open_encoded(const char *path, const char *encoding, const char *label,
                              const fmt_column *want, size_t n_want, int guarded, eng_vscan **out,
                              eng_err *err)
{
    return open_scan(path, 1, encoding, label, want, n_want, guarded, out, err);
}

static eng_rc open_scan(const char *path, int encoded, const char *encoding, const char *label,
                        const fmt_column *want, size_t n_want, int guarded, eng_vscan **out,
                        eng_err *err)
{
    eng_vscan *s = calloc(1, sizeof *s);
    if (!s)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
    s->guarded = guarded;
    fmt_buf_init(&s->row);
    s->n_want = n_want;
    s->label = strdup(label);
    s->has = calloc(n_want ? n_want : 1, sizeof *s->has);
    s->off = calloc(n_want ? n_want : 1, sizeof *s->off);
    s->number = calloc(n_want ? n_want : 1, sizeof *s->number);
    eng_rc rc = ENG_OK;
    if (!s->label || !s->has || !s->off || !s->number) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
        goto done;
    }
    /* A catalog or inventory is read as the run read it (encoded: as a spreadsheet may
     * have saved it); outputs and history are slipway's own. */
    rc = encoded ? fmt_table_open_encoded(path, encoding, want, n_want, label, &s->ft, err)
                 : fmt_table_open(path, want, n_want, label, &s->ft, err);
    if (rc != ENG_OK)
        goto done;
    for (size_t k = 0; k < n_want; k++) {
        s->has[k] = fmt_table_has(s->ft, k);
        s->number[k] = is_number_column(want[k].name);
    }
done:
    if (rc != ENG_OK) {
        eng_vscan_close(s);
        return rc;
    }
    *out = s;
    return ENG_OK;
}

int eng_vscan_next(eng_vscan *s, eng_err *err)
{
    int got = fmt_table_next(s->ft, err);
    if (got < 0) {
        if (err && err->rc == ENG_OK)
            err->rc = ENG_REFUSED;
        return -1;
    }
    if (got == 0)
        return 0;
    uint64_t line = fmt_table_line(s->ft);
    if (!fmt_table_row_ok(s->ft)) {
        if (err) {
            err->path = NULL;
            err->line = line;
        }
        ENG_FAIL(err, ENG_REFUSED,
                 "%s:%llu: the row is not well-formed CSV or has a different number of fields "
                 "than the header",
                 s->label, (unsigned long long)line);
        return -1;
    }
    s->row.len = 0;
    for (size_t k = 0; k < s->n_want; k++) {
        /* Numbers never carry a guard, so this is safe on every column. */
        char buf[64];
        int ok;
        fmt_str v = s->number[k] ? fmt_table_number(s->ft, k, buf, sizeof buf, &ok)
                                 : fmt_table_get(s->ft, k);
        if (s->guarded)
            v = fmt_csv_unguard(v);
        s->off[k] = s->row.len;
        fmt_buf_put(&s->row, v.p, v.len);
        fmt_buf_putc(&s->row, '\0');
    }
    if (s->row.failed) {
        ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", s->label);
        return -1;
    }
    return 1;
}

const char *eng_vscan_get(const eng_vscan *s, size_t k)
{
    return k < s->n_want && s->row.p ? s->row.p + s->off[k] : "";
}

int eng_vscan_has(const eng_vscan *s, size_t k)
{
    return k < s->n_want && s->has[k];
}

uint64_t eng_vscan_line(const eng_vscan *s)
{
    return fmt_table_line(s->ft);
}

struct eng_vtable {
    char *label;
    size_t n_want;
    int *has;
    size_t n_rows;
    size_t cap_rows;
    uint64_t *lines;
    size_t *start; /* by row: where its first value starts in text */
    fmt_buf text;
};

void eng_vtable_free(eng_vtable *t)
{
    if (!t)
        return;
    free(t->label);
    free(t->has);
    free(t->lines);
    free(t->start);
    fmt_buf_release(&t->text);
    free(t);
}

static int add_row(eng_vtable *t, const eng_vscan *s)
{
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : 256;
        uint64_t *lines = realloc(t->lines, cap * sizeof *lines);
        if (!lines)
            return -1;
        t->lines = lines;
        size_t *start = realloc(t->start, cap * sizeof *start);
        if (!start)
            return -1;
        t->start = start;
        t->cap_rows = cap;
    }
    t->lines[t->n_rows] = eng_vscan_line(s);
    t->start[t->n_rows] = t->text.len;
    for (size_t k = 0; k < t->n_want; k++) {
        const char *v = eng_vscan_get(s, k);
        fmt_buf_put(&t->text, v, strlen(v) + 1);
    }
    t->n_rows++;
    return t->text.failed ? -1 : 0;
}

static eng_rc load_table(const char *path, int encoded, const char *encoding, const char *label,
                         const fmt_column *want, size_t n_want, int guarded, eng_vtable **out,
                         eng_err *err);

eng_rc eng_vtable_load(const char *path, const char *label, const fmt_column *want, size_t n_want,
                       int guarded, eng_vtable **out, eng_err *err)
{
    return load_table(path, 0, NULL, label, want, n_want, guarded, out, err);
}

eng_rc eng_vtable_load_encoded(const char *path, const char *encoding, const char *label,
                               const fmt_column *want, size_t n_want, int guarded, eng_vtable **out,
                               eng_err *err)
{
    return load_table(path, 1, encoding, label, want, n_want, guarded, out, err);
}

static eng_rc load_table(const char *path, int encoded, const char *encoding, const char *label,
                         const fmt_column *want, size_t n_want, int guarded, eng_vtable **out,
                         eng_err *err)
{
    eng_vtable *t = calloc(1, sizeof *t);
    if (!t)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
    fmt_buf_init(&t->text);
    t->n_want = n_want;
    t->label = strdup(label);
    t->has = calloc(n_want ? n_want : 1, sizeof *t->has);
    eng_vscan *s = NULL;
    eng_rc rc = ENG_OK;
    if (!t->label || !t->has) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
        goto done;
    }
    rc = open_scan(path, encoded, encoding, label, want, n_want, guarded, &s, err);
    if (rc != ENG_OK)
        goto done;
    for (size_t k = 0; k < n_want; k++)
        t->has[k] = eng_vscan_has(s, k);
    int got;
    while ((got = eng_vscan_next(s, err)) == 1)
        if (add_row(t, s) != 0) {
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", label);
            goto done;
        }
    if (got < 0)
        rc = err && err->rc != ENG_OK ? err->rc : ENG_REFUSED;
done:
    eng_vscan_close(s);
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
    const char *p = t->text.p + t->start[r];
    for (size_t i = 0; i < k; i++)
        p += strlen(p) + 1;
    return p;
}

void eng_vtable_row(const eng_vtable *t, size_t r, const char **vals)
{
    const char *p = r < t->n_rows ? t->text.p + t->start[r] : NULL;
    for (size_t k = 0; k < t->n_want; k++) {
        vals[k] = p ? p : "";
        if (p)
            p += strlen(p) + 1;
    }
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
