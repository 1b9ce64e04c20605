/* Sequential reader for reference files: a chunker, a record iterator and a field
 * splitter in one loop. Reference files are small next to orders (thousands of rows),
 * so one thread is enough. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "chunker.h"
#include "source.h"
#include "utf8.h"

#define MAX_WANTED 32

struct fmt_table {
    const char *path;
    fmt_source *src;
    fmt_chunker *chunker;
    fmt_chunk *chunk;
    fmt_csv_iter it;
    fmt_csv_fields *fields;
    fmt_buf header_text; /* copy of the header names, NUL-separated */
    fmt_str *header;
    size_t n_cols;
    int col_of[MAX_WANTED];
    size_t n_wanted;
    uint64_t line;
    int row_ok;
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int fmt_header_name_eq(fmt_str a, const char *b)
{
    while (a.len && (a.p[0] == ' ' || a.p[0] == '\t')) {
        a.p++;
        a.len--;
    }
    while (a.len && (a.p[a.len - 1] == ' ' || a.p[a.len - 1] == '\t'))
        a.len--;
    size_t n = strlen(b);
    if (n != a.len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

eng_rc fmt_header_map(const fmt_csv_fields *f, const fmt_column *wanted, size_t n_wanted,
                      int *col_of, const char *what, eng_err *err)
{
    size_t n = fmt_csv_count(f);
    /* A NUL or a byte order mark inside a name hides the column ("ship_\0city" is not
     * ship_city), and every order was then said to lack a column the file has. */
    for (size_t i = 0; i < n; i++) {
        fmt_str name = fmt_csv_field(f, i);
        size_t ok = fmt_utf8_clean_prefix(name.p, name.len);
        if (ok < name.len && (name.p[ok] == '\0' || ok < fmt_utf8_valid_prefix(name.p, name.len))) {
            char why[96];
            fmt_utf8_explain(why, sizeof why, name.p, name.len, ok);
            if (err)
                err->field = NULL;
            return ENG_FAIL(err, ENG_REFUSED, "header column %zu %s; fix the %s header", i + 1, why,
                            what);
        }
    }
    for (size_t k = 0; k < n_wanted; k++) {
        col_of[k] = -1;
        for (size_t i = 0; i < n; i++) {
            if (!fmt_header_name_eq(fmt_csv_field(f, i), wanted[k].name))
                continue;
            if (col_of[k] >= 0) {
                if (err)
                    err->field = wanted[k].name;
                return ENG_FAIL(err, ENG_REFUSED,
                                "column \"%s\" appears twice in the %s header (columns %d "
                                "and %zu); remove one",
                                wanted[k].name, what, col_of[k] + 1, i + 1);
            }
            col_of[k] = (int)i;
        }
    }
    for (size_t k = 0; k < n_wanted; k++) {
        if (wanted[k].required && col_of[k] < 0) {
            if (err)
                err->field = wanted[k].name;
            return ENG_FAIL(err, ENG_REFUSED,
                            "required column \"%s\" is missing from the %s header; check that "
                            "the file is in the %s layout",
                            wanted[k].name, what, what);
        }
    }
    return ENG_OK;
}

void fmt_table_close(fmt_table *t)
{
    if (!t)
        return;
    fmt_chunk_free(t->chunk);
    fmt_chunker_free(t->chunker);
    fmt_source_close(t->src);
    fmt_csv_fields_free(t->fields);
    fmt_buf_release(&t->header_text);
    free(t->header);
    free(t);
}

/* Next record across chunk boundaries: 1, 0 at end, -1 on error. */
static int next_record(fmt_table *t, fmt_str *rec, eng_err *err)
{
    for (;;) {
        /* The last record of a file ending inside quotes is no record: the chunker's next
         * call refuses the file, naming it. */
        if (t->chunk && fmt_csv_iter_next(&t->it, rec, &t->line) &&
            !(t->chunk->ends_inside_quotes && !t->it.complete))
            return 1;
        fmt_chunk_free(t->chunk);
        t->chunk = NULL;
        if (fmt_chunker_next(t->chunker, &t->chunk, err) != ENG_OK)
            return -1;
        if (!t->chunk)
            return 0;
        fmt_csv_iter_init(&t->it, t->chunk->data + t->chunk->start, t->chunk->len - t->chunk->start,
                          t->chunk->first_line, FMT_CSV);
    }
}

eng_rc fmt_table_open(const char *path, const fmt_column *wanted, size_t n_wanted, const char *what,
                      fmt_table **out, eng_err *err)
{
    if (n_wanted > MAX_WANTED)
        return ENG_FAIL(err, ENG_INTERNAL, "too many wanted columns");
    fmt_table *t = calloc(1, sizeof *t);
    if (!t)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory opening %s", path);
    t->path = path;
    t->n_wanted = n_wanted;
    fmt_buf_init(&t->header_text);
    eng_rc rc = fmt_source_open(path, &t->src, err);
    if (rc != ENG_OK)
        goto fail;
    t->chunker = fmt_chunker_new(t->src, FMT_CSV, 1u << 20);
    t->fields = fmt_csv_fields_new(FMT_CSV);
    if (!t->chunker || !t->fields) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory opening %s", path);
        goto fail;
    }
    fmt_str rec;
    int got = next_record(t, &rec, err);
    if (got < 0) {
        rc = err ? err->rc : ENG_REFUSED;
        goto fail;
    }
    if (err) {
        err->path = path;
        err->line = got ? t->line : 0;
        err->field = NULL;
    }
    if (got == 0) {
        rc = ENG_FAIL(err, ENG_REFUSED, "the %s file is empty: it needs a header line", what);
        goto fail;
    }
    rc = fmt_csv_split(t->fields, rec.p, rec.len);
    if (rc == ENG_DATA)
        rc = ENG_FAIL(err, ENG_REFUSED, "the %s header is not well-formed CSV", what);
    else if (rc == ENG_NOMEM)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", path);
    if (rc != ENG_OK)
        goto fail;
    rc = fmt_header_map(t->fields, wanted, n_wanted, t->col_of, what, err);
    if (rc != ENG_OK)
        goto fail;
    t->n_cols = fmt_csv_count(t->fields);
    t->header = calloc(t->n_cols ? t->n_cols : 1, sizeof *t->header);
    size_t *offs = calloc(t->n_cols ? t->n_cols : 1, sizeof *offs);
    if (!t->header || !offs) {
        free(offs);
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", path);
        goto fail;
    }
    for (size_t i = 0; i < t->n_cols; i++) {
        fmt_str h = fmt_csv_field(t->fields, i);
        offs[i] = t->header_text.len;
        t->header[i].len = h.len;
        fmt_buf_put(&t->header_text, h.p, h.len);
        fmt_buf_putc(&t->header_text, '\0');
    }
    for (size_t i = 0; i < t->n_cols; i++)
        t->header[i].p = t->header_text.p + offs[i];
    free(offs);
    if (t->header_text.failed) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", path);
        goto fail;
    }
    *out = t;
    return ENG_OK;
fail:
    fmt_table_close(t);
    return rc;
}

int fmt_table_next(fmt_table *t, eng_err *err)
{
    fmt_str rec;
    int got = next_record(t, &rec, err);
    if (got <= 0)
        return got;
    eng_rc rc = fmt_csv_split(t->fields, rec.p, rec.len);
    if (rc == ENG_NOMEM) {
        ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", t->path);
        return -1;
    }
    t->row_ok = rc == ENG_OK && fmt_csv_count(t->fields) == t->n_cols;
    return 1;
}

int fmt_table_row_ok(const fmt_table *t)
{
    return t->row_ok;
}

uint64_t fmt_table_line(const fmt_table *t)
{
    return t->line;
}

int fmt_table_has(const fmt_table *t, size_t k)
{
    return k < t->n_wanted && t->col_of[k] >= 0;
}

fmt_str fmt_table_get(const fmt_table *t, size_t k)
{
    fmt_str empty = {"", 0};
    if (k >= t->n_wanted || t->col_of[k] < 0 || (size_t)t->col_of[k] >= fmt_csv_count(t->fields))
        return empty;
    return fmt_csv_field(t->fields, (size_t)t->col_of[k]);
}

size_t fmt_table_n_cols(const fmt_table *t)
{
    return t->n_cols;
}

fmt_str fmt_table_col_name(const fmt_table *t, size_t i)
{
    return t->header[i];
}

fmt_str fmt_table_field(const fmt_table *t, size_t i)
{
    fmt_str empty = {"", 0};
    if (i >= fmt_csv_count(t->fields))
        return empty;
    return fmt_csv_field(t->fields, i);
}

void fmt_table_digest(fmt_table *t, char hex[65], uint64_t *bytes)
{
    fmt_source_sha256(t->src, hex);
    *bytes = fmt_source_raw_bytes(t->src);
}

uint64_t fmt_table_unended_line(const fmt_table *t)
{
    return fmt_chunker_unended_line(t->chunker);
}
