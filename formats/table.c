/* Sequential reader for reference files: a chunker, a record iterator and a field
 * splitter in one loop. Reference files are small next to orders (thousands of rows),
 * so one thread is enough. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "chunker.h"
#include "num.h"
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
    int semicolon;        /* Excel's "CSV (semicolon-separated)": decimal commas too */
    int tab;              /* Excel's "Unicode text": a number with a comma has a decimal comma */
    const char *encoding; /* what it is read from (static: an iconv name), NULL: UTF-8 */
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

/* slipway's own kinds of input, each by the columns only it has (fmt_header_kind). */
static const struct {
    const char *what; /* as the readers name their files (fmt_table_open's what) */
    const char *kind;
    const char *cols[3];
} kinds[] = {
    {"catalog", "a catalog (list_price, min_price)", {"list_price", "min_price", NULL}},
    {"inventory", "an inventory (on_hand)", {"on_hand", NULL, NULL}},
    {"returns", "a returns file (request_id, condition)", {"request_id", "condition", NULL}},
    {"history",
     "an earlier night's slips.csv (slip_no): give it with --history",
     {"slip_no", NULL, NULL}},
    {"history",
     "a returns ledger (return_no, decision): give it with --history",
     {"return_no", "decision", NULL}},
    {"canonical orders", "an orders file (order_id, order_time)", {"order_id", "order_time", NULL}},
};

/* Whether what names one of those kinds (verify names its files by path). */
static int is_kind(const char *what)
{
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        if (strcmp(what, kinds[k].what) == 0)
            return 1;
    return 0;
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
            const char *mine = NULL, *other = fmt_header_kind(f, &mine);
            if (other && strcmp(mine, what) != 0 && is_kind(what))
                return ENG_FAIL(err, ENG_REFUSED,
                                "required column \"%s\" is missing from the %s header: the "
                                "file looks like %s; were two files swapped?",
                                wanted[k].name, what, other);
            return ENG_FAIL(err, ENG_REFUSED,
                            "required column \"%s\" is missing from the %s header; check that "
                            "the file is in the %s layout%s",
                            wanted[k].name, what, what,
                            n == 1 && memchr(fmt_csv_field(f, 0).p, '\t', fmt_csv_field(f, 0).len)
                                ? " (its header is one column holding tabs: save it as CSV, "
                                  "not as tab-separated text)"
                                : "");
        }
    }
    return ENG_OK;
}

const char *fmt_header_kind(const fmt_csv_fields *f, const char **what)
{
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        int all = 1;
        for (size_t c = 0; c < 3 && kinds[k].cols[c] && all; c++) {
            all = 0;
            for (size_t i = 0; i < fmt_csv_count(f) && !all; i++)
                all = fmt_header_name_eq(fmt_csv_field(f, i), kinds[k].cols[c]);
        }
        if (all) {
            *what = kinds[k].what;
            return kinds[k].kind;
        }
    }
    return NULL;
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

static eng_rc open_table(int dirfd, const char *path, int sheet, const char *encoding,
                         const fmt_column *wanted, size_t n_wanted, const char *what,
                         fmt_table **out, eng_err *err);

eng_rc fmt_table_open(const char *path, const fmt_column *wanted, size_t n_wanted, const char *what,
                      fmt_table **out, eng_err *err)
{
    return open_table(-1, path, 0, NULL, wanted, n_wanted, what, out, err);
}

eng_rc fmt_table_open_at(int dirfd, const char *name, const fmt_column *wanted, size_t n_wanted,
                         const char *what, fmt_table **out, eng_err *err)
{
    return open_table(dirfd, name, 0, NULL, wanted, n_wanted, what, out, err);
}

eng_rc fmt_table_open_encoded(const char *path, const char *encoding, const fmt_column *wanted,
                              size_t n_wanted, const char *what, fmt_table **out, eng_err *err)
{
    return open_table(-1, path, 1, encoding, wanted, n_wanted, what, out, err);
}

/* sheet: the file may be as a spreadsheet saved it (UTF-16, ';' or tabs, and encoding
 * for one whose start is not UTF-8); else it is slipway's own, UTF-8 and comma-separated. */
static eng_rc open_table(int dirfd, const char *path, int sheet, const char *encoding,
                         const fmt_column *wanted, size_t n_wanted, const char *what,
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
    eng_rc rc = dirfd < 0 ? fmt_source_open(path, &t->src, err)
                          : fmt_source_open_at(dirfd, path, &t->src, err);
    if (encoding && strcmp(encoding, "UTF-8") == 0)
        encoding = NULL;
    const char *p;
    size_t n;
    /* --encoding is for a file that needs it: one whose start is UTF-8 is read as UTF-8
     * (a UTF-8 catalog beside a GB18030 Tmall export). */
    if (rc == ENG_OK && encoding &&
        (rc = fmt_source_peek(t->src, 1u << 16, &p, &n, err)) == ENG_OK &&
        fmt_utf8_valid_prefix(p, n) + 4 > n)
        encoding = NULL;
    if (rc == ENG_OK && sheet && !encoding && fmt_source_is_utf16(t->src)) /* "Unicode text" */
        encoding = "UTF-16";
    if (rc == ENG_OK && encoding)
        rc = fmt_source_set_encoding(t->src, encoding, err);
    t->encoding = encoding;
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
    fmt_str only = fmt_csv_count(t->fields) == 1 ? fmt_csv_field(t->fields, 0) : (fmt_str){"", 0};
    if (rc == ENG_OK && sheet &&
        (memchr(only.p, ';', only.len) || memchr(only.p, '\t', only.len))) {
        /* One column whose name holds semicolons (a spreadsheet set to a language with a
         * decimal comma saved it) or tabs (its "Unicode text"). Its fields are cut there
         * from here on (records end where they did: the quote is the same). */
        t->tab = memchr(only.p, ';', only.len) == NULL;
        t->semicolon = !t->tab;
        fmt_csv_fields_free(t->fields);
        t->fields = fmt_csv_fields_new(FMT_DIALECT(t->tab ? '\t' : ';'));
        rc = t->fields ? fmt_csv_split(t->fields, rec.p, rec.len) : ENG_NOMEM;
    }
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

const char *fmt_table_encoding(const fmt_table *t)
{
    return t->encoding;
}

int fmt_table_wanted_at(const fmt_table *t, size_t i)
{
    for (size_t k = 0; k < t->n_wanted; k++)
        if (t->col_of[k] == (int)i)
            return (int)k;
    return -1;
}

int fmt_table_decimal_comma(const fmt_table *t)
{
    return t->semicolon || t->tab;
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

fmt_str fmt_table_number(const fmt_table *t, size_t k, char *buf, size_t cap, int *ok)
{
    fmt_str v = fmt_table_get(t, k);
    *ok = 1;
    if ((!t->semicolon && !t->tab) || v.len == 0 || (t->tab && !memchr(v.p, ',', v.len)))
        return v;
    const char *p;
    size_t n;
    if (fmt_decimal_comma(v.p, v.len, buf, cap, &p, &n) != FMT_NUM_OK) {
        *ok = 0;
        return v;
    }
    return (fmt_str){p, n};
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
