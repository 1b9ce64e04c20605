/* Record scanner and libcsv field splitter.
 *
 * The scanner is libcsv's parser (libcsv.c, csv_parse) with the field copying taken out:
 * the same four states and the same transitions for quote, delimiter, space/tab and
 * CR/LF, in the lenient mode. It must stay in step with libcsv, or a chunk cut would fall
 * inside what libcsv reads as one row; tests/test_csv.c checks the two agree on every
 * quirk. Strictness is left to fmt_csv_split(), which runs libcsv itself. */
#include "csv.h"

#include <assert.h>
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(unsigned char c, unsigned char delim)
{
    return (c == ' ' || c == '\t') && c != delim;
}

/* One line break at p[i] (a CR or LF), counted the way an editor shows lines: CRLF is
 * one break, counted at its LF. */
static uint64_t line_break_at(const char *p, size_t i, size_t len)
{
    if (p[i] == '\n')
        return 1;
    return (i + 1 < len && p[i + 1] == '\n') ? 0 : 1;
}

size_t fmt_csv_skip_blank(const char *p, size_t len, fmt_dialect d, uint64_t *lines)
{
    unsigned char delim = d.delim;
    size_t i = 0;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r' || c == '\n')
            *lines += line_break_at(p, i, len);
        else if (!is_blank(c, delim))
            break;
    }
    return i;
}

enum scan_state { FIELD_NOT_BEGUN, IN_UNQUOTED, IN_QUOTED, QUOTE_SEEN };

/* The common record has no quote: it ends at its first CR or LF, found with memchr
 * (vectorised in libc) rather than byte by byte. Returns 0 when a quote comes first, so
 * the state machine must decide. */
static int record_len_unquoted(const char *p, size_t len, int quote, size_t *n, int *complete)
{
    const char *lf = memchr(p, '\n', len);
    size_t end = lf ? (size_t)(lf - p) : len;
    const char *cr = memchr(p, '\r', end);
    if (cr)
        end = (size_t)(cr - p);
    if (quote >= 0 && memchr(p, quote, end))
        return 0;
    *n = end;
    *complete = end < len;
    return 1;
}

/* The state machine: length of the record, and the state the scan ended in. */
static size_t scan_record(const char *p, size_t len, fmt_dialect d, int *complete, uint64_t *lines,
                          enum scan_state *end)
{
    size_t fast;
    *end = FIELD_NOT_BEGUN;
    if (record_len_unquoted(p, len, d.quote, &fast, complete))
        return fast;
    unsigned char delim = d.delim;
    int quote = d.quote; /* < 0: never equal to a byte, so nothing is ever quoted */
    enum scan_state st = FIELD_NOT_BEGUN;
    int spaces_after_quote = 0;
    uint64_t quoted_breaks = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        int is_term = c == '\r' || c == '\n';
        switch (st) {
        case FIELD_NOT_BEGUN:
            if (is_term)
                goto ended;
            if (c == delim || is_blank(c, delim))
                break;
            st = c == quote ? IN_QUOTED : IN_UNQUOTED;
            break;
        case IN_UNQUOTED:
            if (is_term)
                goto ended;
            if (c == delim)
                st = FIELD_NOT_BEGUN;
            break; /* a quote inside an unquoted field is literal, as in libcsv */
        case IN_QUOTED:
            if (c == quote) {
                st = QUOTE_SEEN;
                spaces_after_quote = 0;
            } else if (is_term) {
                quoted_breaks += line_break_at(p, i, len);
            }
            break;
        case QUOTE_SEEN:
            if (is_term)
                goto ended;
            if (c == delim) {
                st = FIELD_NOT_BEGUN;
            } else if (is_blank(c, delim)) {
                spaces_after_quote = 1;
            } else if (c == quote) {
                /* libcsv: `""` is an escaped quote; `" "` (spaces between) keeps the
                 * field open but stays in this state. */
                if (spaces_after_quote)
                    spaces_after_quote = 0;
                else
                    st = IN_QUOTED;
            } else {
                st = IN_QUOTED; /* lenient: text after a closing quote reopens the field */
            }
            break;
        }
        continue;
    ended:
        *complete = 1;
        *lines += quoted_breaks;
        *end = st;
        return i;
    }
    *complete = 0;
    *lines += quoted_breaks;
    *end = st;
    return len;
}

size_t fmt_csv_record_len(const char *p, size_t len, fmt_dialect d, int *complete, uint64_t *lines)
{
    enum scan_state end;
    return scan_record(p, len, d, complete, lines, &end);
}

int fmt_csv_ends_quoted(const char *rec, size_t len, fmt_dialect d)
{
    int complete;
    uint64_t lines = 0;
    enum scan_state end;
    (void)scan_record(rec, len, d, &complete, &lines, &end);
    return !complete && end == IN_QUOTED;
}

void fmt_csv_iter_init(fmt_csv_iter *it, const char *p, size_t len, uint64_t first_line,
                       fmt_dialect d)
{
    it->p = p;
    it->len = len;
    it->pos = 0;
    it->line = first_line;
    it->dialect = d;
    it->complete = 0;
}

int fmt_csv_iter_next(fmt_csv_iter *it, fmt_str *rec, uint64_t *line)
{
    it->pos += fmt_csv_skip_blank(it->p + it->pos, it->len - it->pos, it->dialect, &it->line);
    if (it->pos >= it->len)
        return 0;
    *line = it->line;
    size_t n = fmt_csv_record_len(it->p + it->pos, it->len - it->pos, it->dialect, &it->complete,
                                  &it->line);
    rec->p = it->p + it->pos;
    rec->len = n;
    it->pos += n;
    return 1;
}

/* ---- field splitting through libcsv ---- */

struct fmt_csv_fields {
    struct csv_parser strict;
    struct csv_parser lenient;
    fmt_buf text;    /* every field, each followed by a NUL */
    fmt_buf fixed;   /* the record with its ="..." fields quoted (dialect.formulas) */
    size_t *offset;  /* start of field i in text */
    size_t *length;  /* length of field i */
    size_t n_fields; /* fields of the last split */
    size_t cap_fields;
    size_t n_rows; /* rows libcsv reported for the record: 1 unless the scanner disagrees */
    int nomem;
    fmt_dialect dialect;
};

fmt_csv_fields *fmt_csv_fields_new(fmt_dialect d)
{
    unsigned char delim = d.delim;
    fmt_csv_fields *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    if (csv_init(&f->strict, CSV_STRICT | CSV_STRICT_FINI) != 0 || csv_init(&f->lenient, 0) != 0) {
        free(f);
        return NULL;
    }
    f->dialect = d;
    csv_set_delim(&f->strict, delim);
    csv_set_delim(&f->lenient, delim);
    if (d.quote >= 0) {
        csv_set_quote(&f->strict, (unsigned char)d.quote);
        csv_set_quote(&f->lenient, (unsigned char)d.quote);
    }
    /* libcsv grows its field buffer by blk_size; 128 bytes makes a 10 MB field cost
     * 80,000 reallocs. */
    csv_set_blk_size(&f->strict, 4096);
    csv_set_blk_size(&f->lenient, 4096);
    fmt_buf_init(&f->text);
    fmt_buf_init(&f->fixed);
    return f;
}

void fmt_csv_fields_free(fmt_csv_fields *f)
{
    if (!f)
        return;
    csv_free(&f->strict);
    csv_free(&f->lenient);
    fmt_buf_release(&f->text);
    fmt_buf_release(&f->fixed);
    free(f->offset);
    free(f->length);
    free(f);
}

static int reserve_fields(fmt_csv_fields *f, size_t n);

static void on_field(void *s, size_t len, void *data)
{
    fmt_csv_fields *f = data;
    if (f->nomem)
        return;
    if (f->n_fields == f->cap_fields && reserve_fields(f, f->n_fields + 1) != 0) {
        f->nomem = 1;
        return;
    }
    f->offset[f->n_fields] = f->text.len;
    f->length[f->n_fields] = len;
    f->n_fields++;
    fmt_buf_put(&f->text, s, len);
    fmt_buf_putc(&f->text, '\0');
}

static void on_row(int c, void *data)
{
    (void)c;
    fmt_csv_fields *f = data;
    f->n_rows++;
}

static void reset_fields(fmt_csv_fields *f)
{
    f->n_fields = 0;
    f->n_rows = 0;
    f->text.len = 0;
}

/* Run one parser over the record. Returns 0 when libcsv accepted it. */
static int parse_with(fmt_csv_fields *f, struct csv_parser *p, const char *rec, size_t len)
{
    reset_fields(f);
    /* libcsv grows its field buffer by blk_size at a time, copying it on each step, so a
     * 10 MB field cost 2,500 copies of up to 10 MB (minutes under ASan). A step as long
     * as the record grows it at most once per record (no field is longer). */
    csv_set_blk_size(p, len > 4096 ? len : 4096);
    size_t used = csv_parse(p, rec, len, on_field, on_row, f);
    int ok = used == len && csv_error(p) == CSV_SUCCESS;
    if (ok)
        ok = csv_fini(p, on_field, on_row, f) == 0;
    if (!ok) {
        if (csv_error(p) == CSV_ENOMEM)
            f->nomem = 1; /* remembered: the reset below clears libcsv's status */
        /* libcsv keeps its state after an error; start the parser afresh. */
        unsigned char delim = csv_get_delim(p), quote = csv_get_quote(p);
        int opts = csv_get_opts(p);
        csv_free(p);
        (void)csv_init(p, (unsigned char)opts); /* cannot fail for a non-NULL parser */
        csv_set_delim(p, delim);
        csv_set_quote(p, quote);
        csv_set_blk_size(p, 4096);
    }
    return ok ? 0 : -1;
}

/* Room for n fields' offsets and lengths. 0, or -1 when out of memory. */
static int reserve_fields(fmt_csv_fields *f, size_t n)
{
    if (n <= f->cap_fields)
        return 0;
    size_t cap = f->cap_fields ? f->cap_fields : 64;
    while (cap < n)
        cap *= 2;
    size_t *off = realloc(f->offset, cap * sizeof *off);
    if (off)
        f->offset = off;
    size_t *lens = off ? realloc(f->length, cap * sizeof *lens) : NULL;
    if (!off || !lens)
        return -1;
    f->length = lens;
    f->cap_fields = cap;
    return 0;
}

/* Without quoting (or without a quote in the record) a record is its fields separated by
 * the delimiter, blanks around each trimmed as libcsv trims unquoted fields. The common
 * record has no blank to trim: it is copied whole and each delimiter becomes the NUL
 * that ends a field, where copying field by field cost a call per field (a tenth of
 * reading). */
static eng_rc split_unquoted(fmt_csv_fields *f, const char *rec, size_t len)
{
    reset_fields(f);
    f->n_rows = 1;
    unsigned char delim = f->dialect.delim;
    /* Fields and their NULs take at most the record's bytes and one more. */
    if (fmt_buf_reserve(&f->text, len + 1) != 0)
        return ENG_NOMEM;
    char *text = f->text.p;
    if (len) /* memcpy's pointers must be valid even for no bytes */
        memcpy(text, rec, len);
    text[len] = (char)delim;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if ((unsigned char)text[i] != delim)
            continue;
        if (i > start && (is_blank((unsigned char)text[start], delim) ||
                          is_blank((unsigned char)text[i - 1], delim)))
            goto trim; /* rare: field by field */
        if (f->n_fields == f->cap_fields && reserve_fields(f, f->n_fields + 1) != 0)
            return ENG_NOMEM;
        f->offset[f->n_fields] = start;
        f->length[f->n_fields] = i - start;
        f->n_fields++;
        text[i] = '\0';
        start = i + 1;
    }
    f->text.len = len + 1;
    return ENG_OK;
trim:
    reset_fields(f);
    f->n_rows = 1;
    start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && (unsigned char)rec[i] != delim)
            continue;
        size_t a = start, b = i;
        while (a < b && is_blank((unsigned char)rec[a], delim))
            a++;
        while (b > a && is_blank((unsigned char)rec[b - 1], delim))
            b--;
        on_field((void *)(rec + a), b - a, f);
        start = i + 1;
    }
    return f->nomem || f->text.failed ? ENG_NOMEM : ENG_OK;
}

/* The record into f->fixed with each unquoted field that is exactly ="..." (no quote or
 * delimiter inside) written quoted, "=""...""". Returns 1 when a field was rewritten. */
static int quote_formulas(fmt_csv_fields *f, const char *rec, size_t len)
{
    unsigned char delim = f->dialect.delim, q = (unsigned char)f->dialect.quote;
    int changed = 0;
    f->fixed.len = 0;
    size_t i = 0;
    for (;;) {
        if (i + 1 < len && rec[i] == '=' && (unsigned char)rec[i + 1] == q) {
            size_t j = i + 2;
            while (j < len && (unsigned char)rec[j] != q && (unsigned char)rec[j] != delim)
                j++;
            /* The field ends at a delimiter or the record's line end. */
            if (j < len && (unsigned char)rec[j] == q &&
                (j + 1 == len || (unsigned char)rec[j + 1] == delim || rec[j + 1] == '\r' ||
                 rec[j + 1] == '\n')) {
                fmt_buf_putc(&f->fixed, (char)q);
                fmt_buf_putc(&f->fixed, '=');
                fmt_buf_putc(&f->fixed, (char)q);
                fmt_buf_putc(&f->fixed, (char)q);
                fmt_buf_put(&f->fixed, rec + i + 2, j - i - 2);
                for (int k = 0; k < 3; k++)
                    fmt_buf_putc(&f->fixed, (char)q);
                i = j + 1;
                changed = 1;
            }
        }
        /* The rest of the field, up to a delimiter outside quotes. */
        int quoted = 0;
        while (i < len && (quoted || (unsigned char)rec[i] != delim)) {
            if ((unsigned char)rec[i] == q)
                quoted = !quoted;
            fmt_buf_putc(&f->fixed, rec[i++]);
        }
        if (i >= len)
            break;
        fmt_buf_putc(&f->fixed, rec[i++]);
    }
    return changed;
}

eng_rc fmt_csv_split(fmt_csv_fields *f, const char *rec, size_t len)
{
    f->nomem = 0;
    /* Without a quote byte libcsv would split on the delimiter and trim blanks, nothing
     * more (tests/test_csv.c compares the two on every quirk); most records take this
     * path, the rest libcsv's. */
    if (f->dialect.quote < 0 || !memchr(rec, f->dialect.quote, len))
        return split_unquoted(f, rec, len);
    int strict_ok = parse_with(f, &f->strict, rec, len) == 0;
    if (!strict_ok && f->dialect.formulas && quote_formulas(f, rec, len) && !f->fixed.failed) {
        strict_ok = parse_with(f, &f->strict, f->fixed.p, f->fixed.len) == 0;
        if (strict_ok && f->n_rows == 1)
            return f->nomem || f->text.failed ? ENG_NOMEM : ENG_OK;
        strict_ok = 0;
    }
    if (!strict_ok)
        (void)parse_with(f, &f->lenient, rec, len); /* lenient mode cannot fail on syntax */
    if (f->nomem || f->text.failed)
        return ENG_NOMEM;
    if (!strict_ok || f->n_rows != 1)
        return ENG_DATA;
    return ENG_OK;
}

size_t fmt_csv_count(const fmt_csv_fields *f)
{
    return f->n_fields;
}

fmt_str fmt_csv_field(const fmt_csv_fields *f, size_t i)
{
    fmt_str s = {f->text.p + f->offset[i], f->length[i]};
    return s;
}

void fmt_csv_fields_all(const fmt_csv_fields *f, const char **text, size_t *text_len,
                        const size_t **lengths)
{
    *text = f->text.p ? f->text.p : "";
    *text_len = f->text.len;
    *lengths = f->length;
}

/* ---- writing ---- */

/* Whether a field needs quotes: it holds the delimiter, a quote or a line break, or it
 * ends with a blank, or starts with one (which a reader would trim) unless a guard ' is
 * to go in front of it. */
static int needs_quotes(const char *s, size_t len, int guarded)
{
    if (len == 0)
        return 0;
    if (s[len - 1] == ' ' || s[len - 1] == '\t')
        return 1;
    if (!guarded && (s[0] == ' ' || s[0] == '\t'))
        return 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return 1;
    }
    return 0;
}

/* The field, with a guard ' in front when guarded, quoted when needed. */
static void put_cell(fmt_buf *b, int guarded, const char *s, size_t len)
{
    if (!needs_quotes(s, len, guarded)) {
        if (guarded)
            fmt_buf_putc(b, '\'');
        fmt_buf_put(b, s, len);
        return;
    }
    fmt_buf_putc(b, '"');
    if (guarded)
        fmt_buf_putc(b, '\'');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') {
            fmt_buf_put(b, s + start, i - start + 1);
            fmt_buf_putc(b, '"');
            start = i + 1;
        }
    }
    fmt_buf_put(b, s + start, len - start);
    fmt_buf_putc(b, '"');
}

void fmt_csv_put_field(fmt_buf *b, const char *s, size_t len)
{
    put_cell(b, 0, s, len);
}

/* ---- the spreadsheet formula guard ---- */

static int is_formula_lead(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int fmt_csv_needs_guard(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (is_formula_lead(s[0]))
        return 1;
    return s[0] == '\'' && len >= 2 && (is_formula_lead(s[1]) || s[1] == '\'');
}

void fmt_csv_put_text(fmt_buf *b, const char *s, size_t len)
{
    put_cell(b, fmt_csv_needs_guard(s, len), s, len);
}

fmt_str fmt_csv_unguard(fmt_str v)
{
    if (v.len >= 2 && v.p[0] == '\'' && (is_formula_lead(v.p[1]) || v.p[1] == '\'')) {
        v.p++;
        v.len--;
    }
    return v;
}

static const char *lead_name(char c)
{
    return c == '\t' ? "a tab" : c == '\r' ? "a carriage return" : NULL;
}

void fmt_csv_guard_why(char *dst, size_t cap, const char *s, size_t len)
{
    assert(fmt_csv_needs_guard(s, len));
    (void)len; /* only the assert reads it */
    if (s[0] != '\'') {
        const char *name = lead_name(s[0]);
        if (name)
            snprintf(dst, cap, "starts with %s, which a spreadsheet may run as a formula", name);
        else
            snprintf(dst, cap, "starts with \"%c\", which a spreadsheet runs as a formula", s[0]);
        return;
    }
    static const char tail[] =
        "which outputs would have to write with one more \"'\" to keep a spreadsheet from "
        "running it";
    const char *name = lead_name(s[1]);
    if (name)
        snprintf(dst, cap, "starts with \"'\" and %s, %s", name, tail);
    else
        snprintf(dst, cap, "starts with \"'%c\", %s", s[1], tail);
}

void fmt_csv_put_row(fmt_buf *b, const char *const *fields, size_t n)
{
    /* A lone empty field written bare would be a blank line, which readers skip. */
    if (n == 1 && fields[0][0] == '\0') {
        fmt_buf_puts(b, "\"\"\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i)
            fmt_buf_putc(b, ',');
        fmt_csv_put_field(b, fields[i], strlen(fields[i]));
    }
    fmt_buf_putc(b, '\n');
}
