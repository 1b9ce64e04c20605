/* Tests of formats/csv: the record scanner (skip_blank, record_len, iter), the libcsv field
 * splitter and the RFC 4180 writer.
 *
 * The scanner must end rows exactly where libcsv does, or a chunk cut would fall inside
 * what libcsv reads as one row. So the central tests split whole buffers twice -- with
 * fmt_csv_iter + fmt_csv_split, and with one lenient csv_parse over the whole buffer --
 * and compare every row and field, on hand-picked quirks and on random buffers. Line
 * numbers are checked against hand-counted values and against an independent count of
 * the line breaks before each record. */
#include <csv.h>

#include "../formats/csv.h"
#include "testutil.h"

/* ---- row lists, from either reader ---- */

typedef struct field {
    char *p;
    size_t len;
} field;

typedef struct row {
    field *f;
    size_t n, cap;
    uint64_t line; /* our iterator's start line; 0 for libcsv rows */
    size_t offset; /* our record's offset in the buffer */
    eng_rc split_rc;
} row;

typedef struct rows {
    row *r;
    size_t n, cap;
    int open; /* libcsv: the last row is still receiving fields */
} rows;

static row *rows_add(rows *rs)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
        cr_assert_not_null(rs->r);
    }
    row *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static void row_add_field(row *r, const void *p, size_t len)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->f = realloc(r->f, r->cap * sizeof *r->f);
        cr_assert_not_null(r->f);
    }
    field *f = &r->f[r->n++];
    f->p = malloc(len + 1);
    cr_assert_not_null(f->p);
    if (len)
        memcpy(f->p, p, len);
    f->p[len] = '\0';
    f->len = len;
}

static void rows_free(rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        for (size_t k = 0; k < rs->r[i].n; k++)
            free(rs->r[i].f[k].p);
        free(rs->r[i].f);
    }
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

static void lib_on_field(void *s, size_t len, void *data)
{
    rows *rs = data;
    if (!rs->open) {
        rows_add(rs);
        rs->open = 1;
    }
    row_add_field(&rs->r[rs->n - 1], s, len);
}

static void lib_on_row(int c, void *data)
{
    (void)c;
    rows *rs = data;
    if (!rs->open) /* cannot happen without CSV_REPALL_NL, but keep the count honest */
        rows_add(rs);
    rs->open = 0;
}

/* What libcsv itself reads from the whole buffer, default (lenient) options. */
static void parse_with_libcsv(const char *buf, size_t len, unsigned char delim, rows *out)
{
    struct csv_parser p;
    cr_assert_eq(csv_init(&p, 0), 0);
    csv_set_delim(&p, delim);
    memset(out, 0, sizeof *out);
    cr_assert_eq(csv_parse(&p, buf, len, lib_on_field, lib_on_row, out), len);
    cr_assert_eq(csv_fini(&p, lib_on_field, lib_on_row, out), 0);
    csv_free(&p);
}

/* What the scanner and the per-record splitter read from the same buffer. */
static void parse_with_scanner(const char *buf, size_t len, unsigned char delim, rows *out)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_DIALECT(delim));
    cr_assert_not_null(f);
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, buf, len, 1, FMT_DIALECT(delim));
    fmt_str rec;
    uint64_t line = 0;
    memset(out, 0, sizeof *out);
    while (fmt_csv_iter_next(&it, &rec, &line)) {
        row *r = rows_add(out);
        r->line = line;
        r->offset = (size_t)(rec.p - buf);
        r->split_rc = fmt_csv_split(f, rec.p, rec.len);
        cr_assert_neq(r->split_rc, ENG_NOMEM);
        for (size_t i = 0; i < fmt_csv_count(f); i++) {
            fmt_str s = fmt_csv_field(f, i);
            row_add_field(r, s.p, s.len);
        }
    }
    fmt_csv_fields_free(f);
}

/* Printable form of a buffer for failure messages. */
static const char *show(const char *p, size_t len)
{
    static char out[4][512];
    static int slot;
    char *o = out[slot++ & 3];
    size_t n = 0;
    for (size_t i = 0; i < len && n + 8 < sizeof out[0]; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n')
            n += (size_t)snprintf(o + n, 8, "\\n");
        else if (c == '\r')
            n += (size_t)snprintf(o + n, 8, "\\r");
        else if (c == '\t')
            n += (size_t)snprintf(o + n, 8, "\\t");
        else if (c < 0x20 || c >= 0x7f)
            n += (size_t)snprintf(o + n, 8, "\\x%02x", c);
        else
            o[n++] = (char)c;
    }
    o[n] = '\0';
    return o;
}

/* Physical line of byte off: 1 + the line breaks before it (LF, CRLF, lone CR). */
static uint64_t line_of(const char *buf, size_t len, size_t off)
{
    uint64_t line = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n')
            line++;
        else if (buf[i] == '\r' && !(i + 1 < len && buf[i + 1] == '\n'))
            line++;
    }
    return line;
}

/* Assert that both readers give the same rows and fields, and that every record starts
 * on the line an independent count gives. */
static void assert_agrees(const char *name, const char *buf, size_t len, unsigned char delim)
{
    rows lib, ours;
    parse_with_libcsv(buf, len, delim, &lib);
    parse_with_scanner(buf, len, delim, &ours);
    cr_assert_eq(ours.n, lib.n, "%s: input \"%s\": scanner found %zu rows, libcsv %zu", name,
                 show(buf, len), ours.n, lib.n);
    for (size_t i = 0; i < lib.n; i++) {
        row *a = &ours.r[i], *b = &lib.r[i];
        cr_assert_eq(a->n, b->n, "%s: input \"%s\": row %zu has %zu fields, libcsv %zu", name,
                     show(buf, len), i, a->n, b->n);
        for (size_t k = 0; k < b->n; k++)
            cr_assert(a->f[k].len == b->f[k].len && memcmp(a->f[k].p, b->f[k].p, b->f[k].len) == 0,
                      "%s: input \"%s\": row %zu field %zu is \"%s\", libcsv \"%s\"", name,
                      show(buf, len), i, k, show(a->f[k].p, a->f[k].len),
                      show(b->f[k].p, b->f[k].len));
        uint64_t want = line_of(buf, len, a->offset);
        cr_assert_eq(a->line, want, "%s: input \"%s\": row %zu starts on line %llu, not %llu", name,
                     show(buf, len), i, (unsigned long long)a->line, (unsigned long long)want);
    }
    rows_free(&lib);
    rows_free(&ours);
}

/* ---- agreement with libcsv ---- */

typedef struct csv_case {
    const char *name;
    const char *text;
    size_t len; /* 0: strlen(text) */
    unsigned char delim;
} csv_case;

static const csv_case tricky[] = {
    {"quoted commas", "a,\"b,c\",d\n\"x,\",\",y\"\n", 0, ','},
    {"LF inside quotes", "a,\"b\nc\",d\ne,f\n", 0, ','},
    {"CRLF inside quotes", "a,\"b\r\nc\",d\r\ne,f\r\n", 0, ','},
    {"lone CR inside quotes", "\"x\ry\",z\rq\r", 0, ','},
    {"doubled quotes", "\"a\"\"b\",\"\"\"\"\n\"\"\"\",x\n", 0, ','},
    {"stray quote in unquoted field", "5\"x7,b\nc,d\"\"e\n", 0, ','},
    {"text after closing quote", "\"ab\"c,d\ne,f\n", 0, ','},
    {"text after closing quote, closed later", "\"ab\"c\",d\ne\n", 0, ','},
    {"spaces after closing quote", "\"ab\"  ,c\n\"d\" \t\n", 0, ','},
    {"quote space quote forms", "\" \"\n\" \"\" \"\n\"a\" \"b\"\nx\n\"a\"  \"  ,b\nc\n", 0, ','},
    {"quote after spaces after closing quote, then line end", "\"a\" \" \nc\n", 0, ','},
    {"CR-only line ends", "a,b\rc,d\r", 0, ','},
    {"CRLF line ends", "a,b\r\nc,d\r\n", 0, ','},
    {"blank lines", "\n\na\n\n\nb\n\n", 0, ','},
    {"lines of only spaces and tabs", "   \n\t\t\na\n  \t \nb\n", 0, ','},
    {"tab delimiter", "a\tb\t\"c\td\"\n \t \n  a \t b  \n\t\t\n", 0, '\t'},
    {"missing final newline", "a,b\nc,d", 0, ','},
    {"unterminated quote at EOF", "a,b\nc,\"d\ne,f\n", 0, ','},
    {"empty fields", ",,\n,\n\"\",\"\"\n", 0, ','},
    {"spaces around fields", "  \"a\" ,  b  , c d \n", 0, ','},
    {"mixed line ends and blanks", "a\r\n\rb\n\r\nc\r", 0, ','},
    {"lone quote at EOF", "a,\"", 0, ','},
    {"delimiter-only line", ",\n", 0, ','},
    {"spaces then EOF", "a\n   ", 0, ','},
    {"CR CRLF LF run", "a\r\r\n\nb", 0, ','},
    {"quoted field, spaces, EOF", "\"ab\"   ", 0, ','},
    {"quote ending an unquoted field", "ab\"\ncd\"\n", 0, ','},
    {"NUL byte in a field", "a\0b,c\n", 6, ','},
    {"empty input", "", 0, ','},
    {"only line ends", "\r\n\n\r", 0, ','},
};

Test(csv, scanner_and_splitter_agree_with_libcsv_on_tricky_inputs)
{
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        const csv_case *c = &tricky[i];
        size_t len = c->len ? c->len : strlen(c->text);
        assert_agrees(c->name, c->text, len, c->delim);
    }
}

Test(csv, scanner_and_splitter_agree_with_libcsv_on_all_tricky_inputs_in_one_buffer)
{
    /* The same quirks back to back, so each starts where the previous one left the state
     * (the unterminated quote last, since it swallows everything after it). */
    fmt_buf b;
    fmt_buf_init(&b);
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        const csv_case *c = &tricky[i];
        if (c->delim != ',' || strstr(c->name, "EOF") != NULL ||
            strcmp(c->name, "text after closing quote") == 0)
            continue;
        fmt_buf_put(&b, c->text, c->len ? c->len : strlen(c->text));
        fmt_buf_putc(&b, '\n');
    }
    fmt_buf_puts(&b, "x,\"unterminated\n");
    assert_agrees("all cases", b.p, b.len, ',');
    fmt_buf_release(&b);
}

static void random_agreement(unsigned char delim, const char *alphabet)
{
    uint64_t seed = tu_seed(), st = seed;
    size_t n_alpha = strlen(alphabet);
    char buf[64];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = tu_below(&st, sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[tu_below(&st, n_alpha)];
        char name[64];
        snprintf(name, sizeof name, "ENG_SEED=%llu iteration %d", (unsigned long long)seed, iter);
        assert_agrees(name, buf, len, delim);
    }
}

Test(csv, scanner_and_splitter_agree_with_libcsv_on_random_buffers)
{
    random_agreement(',', "ab,\" \t\r\n");
}

Test(csv, scanner_and_splitter_agree_with_libcsv_on_random_tab_delimited_buffers)
{
    random_agreement('\t', "ab,\" \t\r\n");
}

/* Records without a quote take the fast path (memchr for the line end, a plain split on
 * the delimiter); libcsv must see the same records and fields. */
Test(csv, quote_free_records_agree_with_libcsv_on_random_buffers)
{
    random_agreement(',', "ab, \t\r\n;");
    random_agreement(';', "ab,; \t\r\n");
    random_agreement('\t', "ab \t\r\n");
}

/* ---- line numbers ---- */

/* Start lines of the records of text, at most 8. */
static size_t record_lines(const char *text, uint64_t first_line, uint64_t *lines)
{
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, text, strlen(text), first_line, FMT_CSV);
    fmt_str rec;
    size_t n = 0;
    while (n < 8 && fmt_csv_iter_next(&it, &rec, &lines[n]))
        n++;
    return n;
}

Test(csv, iterator_counts_lf_crlf_and_lone_cr_as_one_line_each)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("a\nb\r\nc\rd", 1, l), 4);
    cr_assert_eq(l[0], 1);
    cr_assert_eq(l[1], 2);
    cr_assert_eq(l[2], 3);
    cr_assert_eq(l[3], 4);
}

Test(csv, iterator_counts_two_lone_crs_as_two_lines)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("a\r\rb", 1, l), 2);
    cr_assert_eq(l[1], 3);
}

Test(csv, iterator_counts_lf_then_crlf_as_two_lines)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("a\n\r\nb", 1, l), 2);
    cr_assert_eq(l[1], 3);
}

Test(csv, iterator_counts_blank_lines_before_a_record)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("\n\n  \t\r\na\n", 1, l), 1);
    cr_assert_eq(l[0], 4);
}

Test(csv, iterator_counts_lf_inside_quotes)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("a,\"x\ny\"\nb\n", 1, l), 2);
    cr_assert_eq(l[0], 1);
    cr_assert_eq(l[1], 3);
}

Test(csv, iterator_counts_crlf_inside_quotes_once)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("a,\"x\r\ny\"\r\nb", 1, l), 2);
    cr_assert_eq(l[1], 3);
}

Test(csv, iterator_counts_lone_cr_inside_quotes)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("a,\"x\ry\"\rb", 1, l), 2);
    cr_assert_eq(l[1], 3);
}

Test(csv, iterator_counts_several_quoted_breaks)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("\"1\n2\n3\r\n4\r5\"\nb\n", 1, l), 2);
    cr_assert_eq(l[1], 6);
}

Test(csv, iterator_starts_counting_at_first_line)
{
    uint64_t l[8];
    cr_assert_eq(record_lines("a\nb", 10, l), 2);
    cr_assert_eq(l[0], 10);
    cr_assert_eq(l[1], 11);
}

Test(csv, iterator_returns_record_bytes_without_line_end)
{
    const char *text = "\n a,b\r\n\"c\nd\",e\rlast";
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, text, strlen(text), 1, FMT_CSV);
    fmt_str rec;
    uint64_t line;
    cr_assert_eq(fmt_csv_iter_next(&it, &rec, &line), 1);
    cr_assert_eq(rec.len, 3);
    cr_assert_eq(memcmp(rec.p, "a,b", 3), 0);
    cr_assert_eq(line, 2);
    cr_assert_eq(fmt_csv_iter_next(&it, &rec, &line), 1);
    cr_assert_eq(rec.len, 7);
    cr_assert_eq(memcmp(rec.p, "\"c\nd\",e", 7), 0);
    cr_assert_eq(line, 3);
    cr_assert_eq(fmt_csv_iter_next(&it, &rec, &line), 1);
    cr_assert_eq(rec.len, 4);
    cr_assert_eq(memcmp(rec.p, "last", 4), 0);
    cr_assert_eq(line, 5);
    cr_assert_eq(fmt_csv_iter_next(&it, &rec, &line), 0);
}

Test(csv, iterator_finds_no_record_in_blank_buffer)
{
    const char *text = " \r\n\t\n  ";
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, text, strlen(text), 1, FMT_CSV);
    fmt_str rec;
    uint64_t line;
    cr_assert_eq(fmt_csv_iter_next(&it, &rec, &line), 0);
}

/* ---- skip_blank and record_len ---- */

Test(csv, skip_blank_skips_spaces_tabs_and_line_ends_and_counts_breaks)
{
    uint64_t lines = 0;
    cr_assert_eq(fmt_csv_skip_blank("  \r\n\t\n\r x", 9, FMT_CSV, &lines), 8);
    cr_assert_eq(lines, 3);
}

Test(csv, skip_blank_stops_at_tab_when_tab_is_the_delimiter)
{
    uint64_t lines = 0;
    cr_assert_eq(fmt_csv_skip_blank(" \n\tx", 4, FMT_DIALECT('\t'), &lines), 2);
    cr_assert_eq(lines, 1);
}

Test(csv, skip_blank_stops_at_delimiter)
{
    uint64_t lines = 0;
    cr_assert_eq(fmt_csv_skip_blank("  ,a", 4, FMT_CSV, &lines), 2);
    cr_assert_eq(lines, 0);
}

Test(csv, record_len_stops_before_line_end_and_reports_complete)
{
    int complete = -1;
    uint64_t lines = 0;
    cr_assert_eq(fmt_csv_record_len("ab,c\r\nx", 7, FMT_CSV, &complete, &lines), 4);
    cr_assert_eq(complete, 1);
    cr_assert_eq(lines, 0);
}

Test(csv, record_len_reports_incomplete_when_data_runs_out)
{
    int complete = -1;
    uint64_t lines = 0;
    cr_assert_eq(fmt_csv_record_len("ab,c", 4, FMT_CSV, &complete, &lines), 4);
    cr_assert_eq(complete, 0);
}

Test(csv, record_len_reports_incomplete_inside_open_quote_and_counts_its_breaks)
{
    int complete = -1;
    uint64_t lines = 0;
    cr_assert_eq(fmt_csv_record_len("a,\"b\nc\r\nd", 9, FMT_CSV, &complete, &lines), 9);
    cr_assert_eq(complete, 0);
    cr_assert_eq(lines, 2);
}

Test(csv, record_len_continues_over_quoted_line_end)
{
    int complete = -1;
    uint64_t lines = 5;
    cr_assert_eq(fmt_csv_record_len("\"b\nc\"\nz", 8, FMT_CSV, &complete, &lines), 5);
    cr_assert_eq(complete, 1);
    cr_assert_eq(lines, 6);
}

/* Issue 12, 2026-12-06: a file whose last record ends inside a quoted field is refused;
 * this is the test of "inside". An escaped quote ("") keeps the field open, a closing
 * quote ends it, and without quoting (Amazon's TSV) nothing is ever inside quotes. */
Test(csv, ends_quoted_tells_an_open_quote_from_a_closed_one)
{
    cr_assert_eq(fmt_csv_ends_quoted("a,\"b", 4, FMT_CSV), 1);
    cr_assert_eq(fmt_csv_ends_quoted("a,\"b\nc\r\n", 9, FMT_CSV), 1);
    cr_assert_eq(fmt_csv_ends_quoted("a,\"b\"\"", 6, FMT_CSV), 1);
    cr_assert_eq(fmt_csv_ends_quoted("a,\"b\"", 5, FMT_CSV), 0);
    cr_assert_eq(fmt_csv_ends_quoted("a,\"b\"\"\"", 7, FMT_CSV), 0);
    cr_assert_eq(fmt_csv_ends_quoted("a,b", 3, FMT_CSV), 0);
    cr_assert_eq(fmt_csv_ends_quoted("a\t\"b", 4, FMT_DIALECT('\t')), 1);
    fmt_dialect tsv = {'\t', -1, 0};
    cr_assert_eq(fmt_csv_ends_quoted("a\t\"b", 4, tsv), 0);
}

/* ---- splitting ---- */

static fmt_csv_fields *split(const char *rec, eng_rc *rc)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    *rc = fmt_csv_split(f, rec, strlen(rec));
    return f;
}

static void assert_field(const fmt_csv_fields *f, size_t i, const char *want)
{
    cr_assert_lt(i, fmt_csv_count(f));
    fmt_str s = fmt_csv_field(f, i);
    cr_assert(s.len == strlen(want) && memcmp(s.p, want, s.len) == 0,
              "field %zu is \"%s\", want \"%s\"", i, show(s.p, s.len), show(want, strlen(want)));
    cr_assert_eq(s.p[s.len], '\0', "field %zu is not NUL-terminated", i);
}

Test(csv, split_accepts_clean_record)
{
    eng_rc rc;
    fmt_csv_fields *f = split("a,b,c", &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 3);
    assert_field(f, 0, "a");
    assert_field(f, 1, "b");
    assert_field(f, 2, "c");
    fmt_csv_fields_free(f);
}

Test(csv, split_accepts_quoted_comma_quote_and_newline)
{
    eng_rc rc;
    fmt_csv_fields *f = split("\"a,b\",\"say \"\"hi\"\"\",\"l1\r\nl2\"", &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 3);
    assert_field(f, 0, "a,b");
    assert_field(f, 1, "say \"hi\"");
    assert_field(f, 2, "l1\r\nl2");
    fmt_csv_fields_free(f);
}

Test(csv, split_accepts_empty_fields)
{
    eng_rc rc;
    fmt_csv_fields *f = split(",,", &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 3);
    assert_field(f, 0, "");
    assert_field(f, 1, "");
    assert_field(f, 2, "");
    fmt_csv_fields_free(f);
}

Test(csv, split_trims_unquoted_fields_and_keeps_quoted_spaces)
{
    eng_rc rc;
    fmt_csv_fields *f = split("  a  ,\" b \", c d ", &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 3);
    assert_field(f, 0, "a");
    assert_field(f, 1, " b ");
    assert_field(f, 2, "c d");
    fmt_csv_fields_free(f);
}

Test(csv, split_accepts_spaces_after_closing_quote)
{
    eng_rc rc;
    fmt_csv_fields *f = split("\"ab\"  ,c", &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 2);
    assert_field(f, 0, "ab");
    assert_field(f, 1, "c");
    fmt_csv_fields_free(f);
}

Test(csv, split_accepts_quoted_single_space)
{
    eng_rc rc;
    fmt_csv_fields *f = split("\" \"", &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 1);
    assert_field(f, 0, " ");
    fmt_csv_fields_free(f);
}

Test(csv, split_refuses_stray_quote_but_fills_fields)
{
    eng_rc rc;
    fmt_csv_fields *f = split("5\"x7,b", &rc);
    cr_assert_eq(rc, ENG_DATA);
    cr_assert_eq(fmt_csv_count(f), 2);
    assert_field(f, 0, "5\"x7");
    assert_field(f, 1, "b");
    fmt_csv_fields_free(f);
}

Test(csv, split_refuses_text_after_closing_quote_but_fills_fields)
{
    /* Leniently the quote reopens the field, so the comma is literal. */
    eng_rc rc;
    fmt_csv_fields *f = split("\"ab\"c,d", &rc);
    cr_assert_eq(rc, ENG_DATA);
    cr_assert_eq(fmt_csv_count(f), 1);
    assert_field(f, 0, "ab\"c,d");
    fmt_csv_fields_free(f);
}

Test(csv, split_refuses_quote_after_spaces_after_closing_quote)
{
    eng_rc rc;
    fmt_csv_fields *f = split("\"ab\" \",c", &rc);
    cr_assert_eq(rc, ENG_DATA);
    cr_assert_geq(fmt_csv_count(f), 1);
    fmt_csv_fields_free(f);
}

Test(csv, split_refuses_unterminated_quote_but_fills_fields)
{
    eng_rc rc;
    fmt_csv_fields *f = split("a,\"bc\nd", &rc);
    cr_assert_eq(rc, ENG_DATA);
    cr_assert_eq(fmt_csv_count(f), 2);
    assert_field(f, 0, "a");
    assert_field(f, 1, "bc\nd");
    fmt_csv_fields_free(f);
}

Test(csv, split_accepts_clean_record_after_a_refused_one)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    cr_assert_eq(fmt_csv_split(f, "\"open", 5), ENG_DATA);
    cr_assert_eq(fmt_csv_split(f, "x\"y", 3), ENG_DATA);
    cr_assert_eq(fmt_csv_split(f, "p,q", 3), ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 2);
    assert_field(f, 0, "p");
    assert_field(f, 1, "q");
    fmt_csv_fields_free(f);
}

Test(csv, split_with_tab_delimiter_keeps_commas)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_DIALECT('\t'));
    cr_assert_not_null(f);
    cr_assert_eq(fmt_csv_split(f, "a,b\tc", 5), ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 2);
    assert_field(f, 0, "a,b");
    assert_field(f, 1, "c");
    fmt_csv_fields_free(f);
}

Test(csv, split_handles_many_fields)
{
    char rec[1000];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        rec[n++] = i ? ',' : 'x';
    rec[n] = '\0';
    eng_rc rc;
    fmt_csv_fields *f = split(rec, &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 300);
    assert_field(f, 0, "x");
    assert_field(f, 299, "");
    fmt_csv_fields_free(f);
}

Test(csv, split_handles_field_longer_than_libcsv_block)
{
    size_t big = 20000;
    char *rec = malloc(big + 8);
    cr_assert_not_null(rec);
    rec[0] = '"';
    for (size_t i = 1; i <= big; i++)
        rec[i] = (char)('a' + i % 26);
    memcpy(rec + big + 1, "\",z", 4);
    eng_rc rc;
    fmt_csv_fields *f = split(rec, &rc);
    cr_assert_eq(rc, ENG_OK);
    cr_assert_eq(fmt_csv_count(f), 2);
    fmt_str s = fmt_csv_field(f, 0);
    cr_assert_eq(s.len, big);
    cr_assert_eq(memcmp(s.p, rec + 1, big), 0);
    assert_field(f, 1, "z");
    fmt_csv_fields_free(f);
    free(rec);
}

/* ---- writing ---- */

static void assert_put_field(const char *in, const char *want)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_csv_put_field(&b, in, strlen(in));
    cr_assert(b.len == strlen(want) && (b.len == 0 || memcmp(b.p, want, b.len) == 0),
              "put_field(\"%s\") wrote \"%s\", want \"%s\"", show(in, strlen(in)),
              show(b.p ? b.p : "", b.len), show(want, strlen(want)));
    fmt_buf_release(&b);
}

Test(csv, put_field_leaves_plain_text_unquoted)
{
    assert_put_field("abc", "abc");
    assert_put_field("a b", "a b");
}

Test(csv, put_field_writes_empty_field_as_nothing)
{
    assert_put_field("", "");
}

Test(csv, put_field_quotes_comma)
{
    assert_put_field("a,b", "\"a,b\"");
}

Test(csv, put_field_doubles_quotes)
{
    assert_put_field("5\"x7", "\"5\"\"x7\"");
    assert_put_field("\"", "\"\"\"\"");
}

Test(csv, put_field_quotes_cr_and_lf)
{
    assert_put_field("a\rb", "\"a\rb\"");
    assert_put_field("a\nb", "\"a\nb\"");
}

/* One special byte at every position of fields of every length up to 24 must be quoted;
 * bytes with the high bit set and '+' (one below ',') around it must not count. */
Test(csv, put_field_finds_a_special_byte_at_every_position)
{
    static const char special[] = {',', '"', '\r', '\n'};
    for (size_t len = 1; len <= 24; len++) {
        char plain[32], want[80];
        for (size_t i = 0; i < len; i++)
            plain[i] = (char)(i % 2 ? '\xc3' : '+'); /* '+' is ',' - 1 */
        plain[len] = '\0';
        assert_put_field(plain, plain);
        for (size_t at = 0; at < len; at++)
            for (size_t k = 0; k < sizeof special; k++) {
                char in[32];
                memcpy(in, plain, len + 1);
                in[at] = special[k];
                size_t w = 0;
                want[w++] = '"';
                for (size_t i = 0; i < len; i++) {
                    want[w++] = in[i];
                    if (in[i] == '"')
                        want[w++] = '"';
                }
                want[w++] = '"';
                want[w] = '\0';
                assert_put_field(in, want);
            }
    }
}

Test(csv, put_field_quotes_leading_or_trailing_space_or_tab)
{
    assert_put_field(" a", "\" a\"");
    assert_put_field("a ", "\"a \"");
    assert_put_field("\ta", "\"\ta\"");
    assert_put_field("a\t", "\"a\t\"");
}

Test(csv, put_row_joins_fields_with_commas_and_ends_with_lf)
{
    const char *fields[] = {"a", "b,c", "", "d\"e"};
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_csv_put_row(&b, fields, 4);
    const char *want = "a,\"b,c\",,\"d\"\"e\"\n";
    cr_assert_eq(b.len, strlen(want));
    cr_assert_eq(memcmp(b.p, want, b.len), 0, "wrote \"%s\"", show(b.p, b.len));
    fmt_buf_release(&b);
}

Test(csv, put_row_output_reads_back_to_the_same_fields)
{
    const char *fields[] = {" lead", "trail\t", "q\"q", "l1\r\nl2", "", "a,b", "plain"};
    size_t n = sizeof fields / sizeof fields[0];
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_csv_put_row(&b, fields, n);
    fmt_csv_put_row(&b, fields, n);
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, b.p, b.len, 1, FMT_CSV);
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    fmt_str rec;
    uint64_t line;
    for (int r = 0; r < 2; r++) {
        cr_assert_eq(fmt_csv_iter_next(&it, &rec, &line), 1);
        cr_assert_eq(line, r == 0 ? 1u : 3u); /* the quoted CRLF is a line of its own */
        cr_assert_eq(fmt_csv_split(f, rec.p, rec.len), ENG_OK);
        cr_assert_eq(fmt_csv_count(f), n);
        for (size_t i = 0; i < n; i++)
            assert_field(f, i, fields[i]);
    }
    cr_assert_eq(fmt_csv_iter_next(&it, &rec, &line), 0);
    fmt_csv_fields_free(f);
    fmt_buf_release(&b);
}

/* Regression, found 2026-11-27 (formats/csv.c, fmt_csv_put_row). */
Test(csv, put_row_of_one_empty_field_reads_back_as_a_row)
{
    /* A row whose only field is empty is written as a bare "\n", which every reader
     * (libcsv included) skips as a blank line: the row is lost on the way back. */
    const char *fields[] = {""};
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_csv_put_row(&b, fields, 1);
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, b.p, b.len, 1, FMT_CSV);
    fmt_str rec;
    uint64_t line;
    cr_expect_eq(fmt_csv_iter_next(&it, &rec, &line), 1,
                 "a one-empty-field row was written as \"%s\" and reads back as no row",
                 show(b.p, b.len));
    fmt_buf_release(&b);
}

/* ---- the spreadsheet formula guard ----
 * Regression (issue 12 item 4 and issue 15, 2026-12-06): a ship-to name like
 * =HYPERLINK(...) from a hostile order file was written as is and became a live formula
 * in finance's spreadsheet. A cell that starts with = + - @ tab or CR, or with ' followed
 * by one of those or by another ', is written with one more ' in front (OWASP); slipway's
 * own readers drop it again. */

static const char triggers[] = {'=', '+', '-', '@', '\t', '\r'};

static int guard_of(const char *s)
{
    return fmt_csv_needs_guard(s, strlen(s));
}

static void assert_put_text(const char *in, const char *want)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_csv_put_text(&b, in, strlen(in));
    cr_assert(b.len == strlen(want) && (b.len == 0 || memcmp(b.p, want, b.len) == 0),
              "put_text(\"%s\") wrote \"%s\", want \"%s\"", show(in, strlen(in)),
              show(b.p ? b.p : "", b.len), show(want, strlen(want)));
    fmt_buf_release(&b);
}

static void assert_unguard(const char *in, const char *want)
{
    fmt_str got = fmt_csv_unguard((fmt_str){in, strlen(in)});
    cr_assert(got.len == strlen(want) && memcmp(got.p, want, got.len) == 0,
              "unguard(\"%s\") gave \"%s\", want \"%s\"", show(in, strlen(in)),
              show(got.p, got.len), show(want, strlen(want)));
}

Test(csv, needs_guard_for_each_trigger_first)
{
    for (size_t k = 0; k < sizeof triggers; k++) {
        char s[] = {triggers[k], 'x', '\0'};
        cr_expect_eq(guard_of(s), 1, "\"%s\" needs no guard?", show(s, 2));
        char alone[] = {triggers[k], '\0'};
        cr_expect_eq(guard_of(alone), 1, "\"%s\" alone needs no guard?", show(alone, 1));
    }
}

Test(csv, needs_guard_for_quote_then_trigger_or_quote)
{
    for (size_t k = 0; k < sizeof triggers; k++) {
        char s[] = {'\'', triggers[k], 'x', '\0'};
        cr_expect_eq(guard_of(s), 1, "\"%s\" needs no guard?", show(s, 3));
    }
    cr_expect_eq(guard_of("''"), 1);
    cr_expect_eq(guard_of("''x"), 1);
}

Test(csv, needs_no_guard_for_ordinary_text)
{
    cr_expect_eq(guard_of(""), 0);
    cr_expect_eq(guard_of("'"), 0);
    cr_expect_eq(guard_of("'s-Hertogenbosch"), 0);
    cr_expect_eq(guard_of("Rue de l'=Eglise"), 0); /* only the start counts */
    cr_expect_eq(guard_of("a=b"), 0);
    cr_expect_eq(guard_of(" =x"), 0); /* written quoted; a spreadsheet reads the blank */
    cr_expect_eq(guard_of("\n=x"), 0);
    cr_expect_eq(guard_of("#1001"), 0);
    cr_expect_eq(guard_of("12.50"), 0);
    /* The length, not a NUL, ends the text. */
    cr_expect_eq(fmt_csv_needs_guard("=x", 0), 0);
    cr_expect_eq(fmt_csv_needs_guard("'=", 1), 0);
}

Test(csv, put_text_guards_each_trigger_with_one_quote)
{
    assert_put_text("=HYPERLINK(\"http://x\",\"y\")",
                    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    assert_put_text("+1", "'+1");
    assert_put_text("-2", "'-2");
    assert_put_text("@SUM(A1)", "'@SUM(A1)");
    assert_put_text("\tExpress", "'\tExpress"); /* no longer starts with a blank */
    assert_put_text("\rx", "\"'\rx\"");
    assert_put_text("=", "'=");
}

Test(csv, put_text_guards_quote_then_trigger_or_quote)
{
    assert_put_text("'=x", "''=x");
    assert_put_text("'-1", "''-1");
    assert_put_text("'\tx", "''\tx");
    assert_put_text("''", "'''");
    assert_put_text("''x", "'''x");
}

Test(csv, put_text_leaves_other_text_as_put_field_does)
{
    assert_put_text("", "");
    assert_put_text("'", "'");
    assert_put_text("'s-Hertogenbosch", "'s-Hertogenbosch");
    assert_put_text("a,b", "\"a,b\"");
    assert_put_text(" =x", "\" =x\"");
    assert_put_text("x=1", "x=1");
}

Test(csv, unguard_drops_one_quote_before_a_trigger_or_quote)
{
    assert_unguard("'=x", "=x");
    assert_unguard("'+1", "+1");
    assert_unguard("'-2", "-2");
    assert_unguard("'@SUM(A1)", "@SUM(A1)");
    assert_unguard("'\tx", "\tx");
    assert_unguard("'\rx", "\rx");
    assert_unguard("''=x", "'=x");
    assert_unguard("'''", "''");
    assert_unguard("''", "'");
}

Test(csv, unguard_keeps_other_text)
{
    assert_unguard("", "");
    assert_unguard("'", "'");
    assert_unguard("'s-Hertogenbosch", "'s-Hertogenbosch");
    assert_unguard("=x", "=x"); /* not ours to change: an input's own formula text */
    assert_unguard("x'=", "x'=");
}

/* What the writers put, the readers take back: unguard(guard(s)) == s for every text of
 * up to three bytes drawn from the characters that matter, and a guarded cell never
 * starts with a trigger. */
Test(csv, put_text_then_unguard_round_trips_every_short_text)
{
    static const char alpha[] = {'=', '+', '-', '@', '\t', '\r', '\'', 'a', ' '};
    const size_t na = sizeof alpha;
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    for (size_t len = 0; len <= 3; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= na;
        for (size_t code = 0; code < total; code++) {
            char s[4];
            size_t c = code;
            for (size_t i = 0; i < len; i++, c /= na)
                s[i] = alpha[c % na];
            s[len] = '\0';
            fmt_buf b;
            fmt_buf_init(&b);
            fmt_csv_put_text(&b, s, len);
            fmt_buf_putc(&b, ',');
            cr_assert_eq(fmt_csv_split(f, b.p, b.len), ENG_OK);
            fmt_str cell = fmt_csv_field(f, 0);
            cr_assert(cell.len == 0 || memchr(triggers, cell.p[0], sizeof triggers) == NULL,
                      "\"%s\" was written as \"%s\", a formula", show(s, len), show(b.p, b.len));
            fmt_str back = fmt_csv_unguard(cell);
            /* Blanks around an unquoted field are not part of it; put_field quotes them. */
            cr_assert(back.len == len && memcmp(back.p, s, len) == 0, "\"%s\" came back as \"%s\"",
                      show(s, len), show(back.p, back.len));
            fmt_buf_release(&b);
        }
    }
    fmt_csv_fields_free(f);
}

Test(csv, guard_why_names_the_leading_characters)
{
    char why[128];
    fmt_csv_guard_why(why, sizeof why, "=1+2", 4);
    cr_expect_str_eq(why, "starts with \"=\", which a spreadsheet runs as a formula");
    fmt_csv_guard_why(why, sizeof why, "\tx", 2);
    cr_expect_str_eq(why, "starts with a tab, which a spreadsheet may run as a formula");
    fmt_csv_guard_why(why, sizeof why, "\rx", 2);
    cr_expect_str_eq(why,
                     "starts with a carriage return, which a spreadsheet may run as a formula");
    fmt_csv_guard_why(why, sizeof why, "'=x", 3);
    cr_expect_str_eq(why, "starts with \"'=\", which outputs would have to write with one more "
                          "\"'\" to keep a spreadsheet from running it");
    fmt_csv_guard_why(why, sizeof why, "''x", 3);
    cr_expect_str_eq(why, "starts with \"''\", which outputs would have to write with one more "
                          "\"'\" to keep a spreadsheet from running it");
    fmt_csv_guard_why(why, sizeof why, "'\tx", 3);
    cr_expect_str_eq(why, "starts with \"'\" and a tab, which outputs would have to write with "
                          "one more \"'\" to keep a spreadsheet from running it");
}
