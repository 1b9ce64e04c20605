/* Tests of formats/chunker: cutting a file into chunks must never change which records a
 * reader sees nor the lines they start on.
 *
 * Every test writes a file, reads it through fmt_source + fmt_chunker at the smallest
 * chunk size (4096), iterates each chunk with fmt_csv_iter from chunk->start and
 * chunk->first_line, and compares the concatenated record list (bytes and start lines)
 * with one fmt_csv_iter pass over the whole file held in memory. The data is built so that
 * records straddle the 4096-byte boundaries in every way: quoted fields with line breaks,
 * CR and LF of a CRLF on either side of a boundary, records longer than a chunk. */
#include "../formats/chunker.h"
#include "../formats/csv.h"
#include "../formats/source.h"
#include "testutil.h"

#define CHUNK 4096

TestSuite(chunker, .init = tu_dir_new, .fini = tu_dir_remove);

typedef struct rec {
    char *p;
    size_t len;
    uint64_t line;
} rec;

typedef struct recs {
    rec *r;
    size_t n, cap;
    size_t n_chunks;
} recs;

static void recs_add(recs *rs, const char *p, size_t len, uint64_t line)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
        cr_assert_not_null(rs->r);
    }
    rec *r = &rs->r[rs->n++];
    r->p = malloc(len + 1);
    cr_assert_not_null(r->p);
    if (len)
        memcpy(r->p, p, len);
    r->len = len;
    r->line = line;
}

static void recs_free(recs *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->r[i].p);
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

static void iterate(recs *out, const char *p, size_t len, uint64_t first_line)
{
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, p, len, first_line, FMT_CSV);
    fmt_str r;
    uint64_t line;
    while (fmt_csv_iter_next(&it, &r, &line))
        recs_add(out, r.p, r.len, line);
}

/* The records of the file at path, read through the chunker until it ends or refuses:
 * the chunker's result, its error in *err (may be NULL when success is required), and
 * the unended last line in *unended (may be NULL). */
static eng_rc read_chunked_rc(const char *path, recs *out, eng_err *err, uint64_t *unended)
{
    memset(out, 0, sizeof *out);
    fmt_source *src = NULL;
    eng_err own = {0};
    if (!err)
        err = &own;
    cr_assert_eq(fmt_source_open(path, &src, err), ENG_OK, "%s", err->msg);
    fmt_chunker *c = fmt_chunker_new(src, FMT_CSV, CHUNK);
    cr_assert_not_null(c);
    eng_rc rc = ENG_OK;
    for (uint64_t seq = 0;; seq++) {
        fmt_chunk *ch = NULL;
        rc = fmt_chunker_next(c, &ch, err);
        if (err == &own)
            cr_assert_eq(rc, ENG_OK, "%s", err->msg);
        if (rc != ENG_OK || !ch)
            break;
        cr_assert_eq(ch->seq, seq, "chunk %llu has seq %llu", (unsigned long long)seq,
                     (unsigned long long)ch->seq);
        cr_assert_leq(ch->start, ch->len);
        if (seq > 0 && ch->start < ch->len) {
            /* Chunks after the first start on a record, never on a blank or a line end. */
            char first = ch->data[ch->start];
            cr_assert(first != '\n' && first != '\r' && first != ' ' && first != '\t',
                      "chunk %llu starts on a blank byte 0x%02x", (unsigned long long)seq,
                      (unsigned char)first);
        }
        iterate(out, ch->data + ch->start, ch->len - ch->start, ch->first_line);
        fmt_chunk_free(ch);
        out->n_chunks++;
    }
    if (unended)
        *unended = rc == ENG_OK ? fmt_chunker_unended_line(c) : 0;
    fmt_chunker_free(c);
    fmt_source_close(src);
    return rc;
}

static void read_chunked(const char *path, recs *out)
{
    (void)read_chunked_rc(path, out, NULL, NULL);
}

/* 1 when one pass over data ends inside a quoted field; *line: where that record starts. */
static int ends_inside_quotes(const char *data, size_t len, uint64_t *line)
{
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, data, len, 1, FMT_CSV);
    fmt_str r, last = {NULL, 0};
    uint64_t at;
    while (fmt_csv_iter_next(&it, &r, &at)) {
        last = r;
        *line = at;
    }
    return last.p && !it.complete && fmt_csv_ends_quoted(last.p, last.len, FMT_CSV);
}

/* Write data to a file, read it both ways, and compare. Returns the chunk count. A file
 * whose last record ends inside a quoted field (as one pass sees it) must instead be
 * refused, naming that record's line; 0 is returned then. */
static size_t assert_same_records(const char *what, const char *data, size_t len)
{
    char path[512];
    tu_path(path, sizeof path, "in.csv");
    (void)unlink(path); /* reused by the callers that try many sizes */
    tu_write(path, data, len);
    recs whole = {0}, chunked;
    iterate(&whole, data, len, 1);
    uint64_t open_line = 0;
    if (ends_inside_quotes(data, len, &open_line)) {
        eng_err err = {0};
        cr_assert_eq(read_chunked_rc(path, &chunked, &err, NULL), ENG_REFUSED,
                     "%s (%zu bytes): a file ending inside a quoted field was accepted", what, len);
        cr_assert_eq(err.line, open_line, "%s: refused naming line %llu, not %llu", what,
                     (unsigned long long)err.line, (unsigned long long)open_line);
        cr_assert_str_eq(err.path, path);
        recs_free(&whole);
        recs_free(&chunked);
        return 0;
    }
    read_chunked(path, &chunked);
    cr_assert_eq(chunked.n, whole.n,
                 "%s (%zu bytes): %zu records through the chunker, %zu in "
                 "one pass",
                 what, len, chunked.n, whole.n);
    for (size_t i = 0; i < whole.n; i++) {
        rec *a = &chunked.r[i], *b = &whole.r[i];
        cr_assert(a->len == b->len && memcmp(a->p, b->p, b->len) == 0,
                  "%s (%zu bytes): record %zu differs (%zu bytes vs %zu)", what, len, i, a->len,
                  b->len);
        cr_assert_eq(a->line, b->line, "%s (%zu bytes): record %zu on line %llu, not %llu", what,
                     len, i, (unsigned long long)a->line, (unsigned long long)b->line);
    }
    size_t n_chunks = chunked.n_chunks;
    recs_free(&whole);
    recs_free(&chunked);
    return n_chunks;
}

Test(chunker, empty_file_gives_no_chunk)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "empty.csv"), "", 0);
    recs got;
    read_chunked(path, &got);
    cr_assert_eq(got.n_chunks, 0);
    cr_assert_eq(got.n, 0);
    recs_free(&got);
}

Test(chunker, small_file_is_one_chunk_with_all_records)
{
    const char *data = "h1,h2\na,b\r\nc,\"d\ne\"\n";
    cr_assert_eq(assert_same_records("small", data, strlen(data)), 1);
}

Test(chunker, file_without_final_newline_keeps_last_record)
{
    /* Long enough for several chunks; the last record has no line end. */
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 2000; i++) {
        fmt_buf_puts(&b, "row,");
        fmt_buf_put_u64(&b, (uint64_t)i);
        fmt_buf_putc(&b, '\n');
    }
    fmt_buf_puts(&b, "last,record");
    size_t n = assert_same_records("no final newline", b.p, b.len);
    cr_assert_geq(n, 2, "%zu bytes fit in %zu chunk(s): the test cuts nothing", b.len, n);
    recs got;
    char path[512];
    read_chunked(tu_path(path, sizeof path, "in.csv"), &got);
    cr_assert_eq(got.n, 2001);
    cr_assert_eq(got.r[2000].len, 11);
    cr_assert_eq(memcmp(got.r[2000].p, "last,record", 11), 0);
    cr_assert_eq(got.r[2000].line, 2001);
    recs_free(&got);
    fmt_buf_release(&b);
}

Test(chunker, record_larger_than_chunk_stays_whole)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_puts(&b, "id,text\n1,short\n2,\"");
    for (int i = 0; i < 3 * CHUNK; i++)
        fmt_buf_putc(&b, i % 50 == 49 ? '\n' : (char)('a' + i % 26));
    fmt_buf_puts(&b, "\"\n3,after\n");
    assert_same_records("big record", b.p, b.len);
    recs got;
    char path[512];
    read_chunked(tu_path(path, sizeof path, "in.csv"), &got);
    cr_assert_eq(got.n, 4);
    cr_assert_eq(got.r[2].len, 3 * CHUNK + 4);
    cr_assert_eq(got.r[2].line, 3);
    /* 3 * 4096 bytes with a LF every 50: 245 breaks inside the quotes. */
    cr_assert_eq(got.r[3].line, 3 + 245 + 1);
    recs_free(&got);
    fmt_buf_release(&b);
}

Test(chunker, file_of_one_record_larger_than_chunk_without_newline)
{
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 2 * CHUNK + 123; i++)
        fmt_buf_putc(&b, (char)('a' + i % 26));
    cr_assert_eq(assert_same_records("one big unterminated record", b.p, b.len), 1);
    fmt_buf_release(&b);
}

/* Regression (issue 12, 2026-12-06): a file ending inside a quoted field was read as if
 * complete. It is refused, naming the line where the record starts and, when the open
 * quote took in further lines, which lines would be lost. */
Test(chunker, unterminated_quote_at_end_of_a_long_file)
{
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 1500; i++)
        fmt_buf_puts(&b, "a,b,c\n");
    fmt_buf_puts(&b, "x,\"never closed\nmore\nlines\n");
    cr_assert_eq(assert_same_records("unterminated quote", b.p, b.len), 0);
    char path[512];
    recs got;
    eng_err err = {0};
    cr_assert_eq(read_chunked_rc(tu_path(path, sizeof path, "in.csv"), &got, &err, NULL),
                 ENG_REFUSED);
    cr_assert_eq(err.line, 1501);
    cr_assert(strstr(err.msg, "lines 1502-1503, to the end of the file, would be lost"), "%s",
              err.msg);
    recs_free(&got);
    fmt_buf_release(&b);
}

/* A transfer cut inside the last value: `"12"` arrived as `"1`. */
Test(chunker, refuses_a_file_cut_inside_its_last_quoted_field)
{
    char path[512];
    const char *data = "order_id,qty\nA-1,\"3\"\nA-2,\"1";
    tu_write(tu_path(path, sizeof path, "in.csv"), data, strlen(data));
    recs got;
    eng_err err = {0};
    cr_assert_eq(read_chunked_rc(path, &got, &err, NULL), ENG_REFUSED);
    cr_assert_str_eq(err.path, path);
    cr_assert_eq(err.line, 3);
    cr_assert(strstr(err.msg, "the file ends inside a quoted field opened on this line"), "%s",
              err.msg);
    recs_free(&got);
}

/* A closed quote at the very end, or a quote that only looks open ("" escapes), is a
 * complete value: read, not refused. */
Test(chunker, a_closed_quote_at_the_end_is_not_refused)
{
    char path[512];
    const char *data = "order_id,note\nA-1,\"says \"\"hi\"\"\"";
    tu_write(tu_path(path, sizeof path, "in.csv"), data, strlen(data));
    recs got;
    uint64_t unended = 0;
    cr_assert_eq(read_chunked_rc(path, &got, NULL, &unended), ENG_OK);
    cr_assert_eq(got.n, 2);
    cr_assert_eq(unended, 2);
    recs_free(&got);
}

/* The last line without a line end is reported with its number (a warning for the
 * caller), counting the lines inside quoted fields and the blank lines; a file ending
 * in LF, CRLF or a lone CR has none. */
Test(chunker, reports_the_number_of_a_last_line_without_line_end)
{
    static const struct {
        const char *data;
        uint64_t want;
    } cases[] = {
        {"h\na\nb", 3},     {"h\na\nb\n", 0}, {"h\r\na\r\n", 0},           {"h\ra\r", 0},
        {"h\n\"x\ny\"", 3}, {"h\n\n\n  ", 4}, {"h\r\n\"a\r\nb\"\r\nc", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        tu_path(path, sizeof path, "in.csv");
        (void)unlink(path);
        tu_write(path, cases[i].data, strlen(cases[i].data));
        recs got;
        uint64_t unended = 99;
        cr_assert_eq(read_chunked_rc(path, &got, NULL, &unended), ENG_OK);
        cr_assert_eq(unended, cases[i].want, "case %zu: %llu, want %llu", i,
                     (unsigned long long)unended, (unsigned long long)cases[i].want);
        recs_free(&got);
    }
}

/* Across chunks: the line number counts every chunk's lines. */
Test(chunker, reports_the_last_line_of_a_long_file_without_line_end)
{
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 3000; i++)
        fmt_buf_puts(&b, i % 7 ? "a,b\n" : "\"q\nq\",b\r\n");
    fmt_buf_puts(&b, "last,row");
    char path[512];
    tu_write(tu_path(path, sizeof path, "in.csv"), b.p, b.len);
    recs got;
    uint64_t unended = 0;
    cr_assert_eq(read_chunked_rc(path, &got, NULL, &unended), ENG_OK);
    cr_assert_geq(got.n_chunks, 2);
    cr_assert_eq(unended, 3000 + 429 + 1, "429 of the rows hold a quoted line break");
    recs_free(&got);
    fmt_buf_release(&b);
}

/* A file of short records where the record that crosses the first chunk boundary has its
 * line end (or its CR/LF pair, or a quoted break) at offset `at`, for many `at` around 4096
 * and around the later boundaries. */
static void boundary_file(fmt_buf *b, size_t at, const char *eol, int quoted_break)
{
    b->len = 0;
    fmt_buf_puts(b, "k,v\n");
    /* Pad with lines of 10 bytes until one line can end exactly at `at`. */
    while (b->len + 10 + 20 < at)
        fmt_buf_puts(b, "pad,12345\n");
    if (quoted_break) {
        fmt_buf_puts(b, "q,\"");
        while (b->len < at)
            fmt_buf_putc(b, 'x');
        fmt_buf_puts(b, eol); /* the quoted break lands at `at` */
        fmt_buf_puts(b, "tail\"\n");
    } else {
        fmt_buf_puts(b, "e,");
        while (b->len < at)
            fmt_buf_putc(b, 'y');
        fmt_buf_puts(b, eol); /* the record's line end lands at `at` */
    }
    /* Enough after it for a second and third boundary. */
    for (int i = 0; i < 900; i++) {
        fmt_buf_puts(b, i % 3 ? "r,\"a\r\nb\"" : "s,t");
        fmt_buf_puts(b, eol);
    }
}

static void boundary_sweep(const char *eol, int quoted_break)
{
    fmt_buf b;
    fmt_buf_init(&b);
    for (size_t at = CHUNK - 40; at <= CHUNK + 40; at++) {
        boundary_file(&b, at, eol, quoted_break);
        char what[96];
        snprintf(what, sizeof what, "%s%s break at %zu", quoted_break ? "quoted " : "",
                 eol[0] == '\r' ? (eol[1] ? "CRLF" : "CR") : "LF", at);
        size_t n = assert_same_records(what, b.p, b.len);
        cr_assert_geq(n, 2, "%s: one chunk only", what);
    }
    fmt_buf_release(&b);
}

Test(chunker, crlf_line_ends_around_chunk_boundary)
{
    boundary_sweep("\r\n", 0);
}

Test(chunker, lone_cr_line_ends_around_chunk_boundary)
{
    boundary_sweep("\r", 0);
}

Test(chunker, lf_line_ends_around_chunk_boundary)
{
    boundary_sweep("\n", 0);
}

Test(chunker, quoted_crlf_around_chunk_boundary)
{
    boundary_sweep("\r\n", 1);
}

Test(chunker, quoted_lf_around_chunk_boundary)
{
    boundary_sweep("\n", 1);
}

Test(chunker, blank_lines_around_chunk_boundary)
{
    /* A run of blank lines and spaces that a boundary cuts in every place. */
    fmt_buf b;
    fmt_buf_init(&b);
    for (size_t at = CHUNK - 12; at <= CHUNK + 12; at++) {
        b.len = 0;
        while (b.len + 8 < at - 6)
            fmt_buf_puts(&b, "a,b,cd\n");
        while (b.len < at - 6)
            fmt_buf_putc(&b, 'z');
        fmt_buf_puts(&b, "\r\n \r\n\t\r\r\n\n  next,row\r\n");
        for (int i = 0; i < 1000; i++)
            fmt_buf_puts(&b, "m,n\r\n\r\n");
        char what[64];
        snprintf(what, sizeof what, "blank run at %zu", at);
        assert_same_records(what, b.p, b.len);
    }
    fmt_buf_release(&b);
}

/* Random CSV text from pieces that exercise every scanner state. */
static void random_csv(fmt_buf *b, uint64_t *st, size_t target)
{
    static const char *const pieces[] = {
        "plain",   "\"q,uo\"", "\"l\nf\"", "\"cr\r\nlf\"", "\"c\rr\"", "\"d\"\"q\"", "5\"x7",
        "\"ab\" ", " sp ",     "",         "\" \"",        "\"",       "x\"y\"z",
    };
    static const char *const ends[] = {"\n", "\r\n", "\r", "\n\n", "\r\n  \r\n", "\n\t\n"};
    b->len = 0;
    while (b->len < target) {
        size_t n_fields = 1 + tu_below(st, 6);
        for (size_t i = 0; i < n_fields; i++) {
            if (i)
                fmt_buf_putc(b, ',');
            if (tu_below(st, 40) == 0) { /* now and then a field longer than a chunk */
                fmt_buf_putc(b, '"');
                size_t big = CHUNK + tu_below(st, 2 * CHUNK);
                for (size_t k = 0; k < big; k++)
                    fmt_buf_putc(b, k % 97 == 96 ? '\n' : 'w');
                fmt_buf_putc(b, '"');
            } else {
                fmt_buf_puts(b, pieces[tu_below(st, sizeof pieces / sizeof pieces[0])]);
            }
        }
        fmt_buf_puts(b, ends[tu_below(st, sizeof ends / sizeof ends[0])]);
    }
    if (tu_below(st, 2)) /* half of the files lack the final line end */
        while (b->len && (b->p[b->len - 1] == '\n' || b->p[b->len - 1] == '\r'))
            b->len--;
}

Test(chunker, random_files_of_many_sizes_read_the_same_as_one_pass)
{
    uint64_t seed = tu_seed(), st = seed;
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 150; i++) {
        size_t target = 1 + tu_below(&st, 12 * CHUNK);
        random_csv(&b, &st, target);
        char what[96];
        snprintf(what, sizeof what, "ENG_SEED=%llu file %d", (unsigned long long)seed, i);
        assert_same_records(what, b.p, b.len);
    }
    fmt_buf_release(&b);
}

Test(chunker, chunk_size_below_minimum_is_raised_to_4096)
{
    /* Asked for 16 bytes, the chunker still cuts about every 4096. */
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        fmt_buf_puts(&b, "abcdefghi\n"); /* 10,000 bytes */
    char path[512];
    tu_write(tu_path(path, sizeof path, "min.csv"), b.p, b.len);
    fmt_source *src = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &src, &err), ENG_OK);
    fmt_chunker *c = fmt_chunker_new(src, FMT_CSV, 16);
    cr_assert_not_null(c);
    size_t n = 0, total = 0;
    fmt_chunk *ch = NULL;
    while (fmt_chunker_next(c, &ch, &err) == ENG_OK && ch) {
        cr_assert_geq(ch->len, 1000, "chunk %zu holds only %zu bytes", n, ch->len);
        total += ch->len;
        n++;
        fmt_chunk_free(ch);
    }
    cr_assert_eq(total, 10000);
    cr_assert_geq(n, 2);
    cr_assert_leq(n, 3);
    fmt_chunker_free(c);
    fmt_source_close(src);
    fmt_buf_release(&b);
}
