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

/* The records of the file at path, read through the chunker. */
static void read_chunked(const char *path, recs *out)
{
    memset(out, 0, sizeof *out);
    fmt_source *src = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &src, &err), ENG_OK, "%s", err.msg);
    fmt_chunker *c = fmt_chunker_new(src, FMT_CSV, CHUNK);
    cr_assert_not_null(c);
    for (uint64_t seq = 0;; seq++) {
        fmt_chunk *ch = NULL;
        cr_assert_eq(fmt_chunker_next(c, &ch, &err), ENG_OK, "%s", err.msg);
        if (!ch)
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
    fmt_chunker_free(c);
    fmt_source_close(src);
}

/* Write data to a file, read it both ways, and compare. Returns the chunk count. */
static size_t assert_same_records(const char *what, const char *data, size_t len)
{
    char path[512];
    tu_path(path, sizeof path, "in.csv");
    (void)unlink(path); /* reused by the callers that try many sizes */
    tu_write(path, data, len);
    recs whole = {0}, chunked;
    iterate(&whole, data, len, 1);
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

Test(chunker, unterminated_quote_at_end_of_a_long_file)
{
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 1500; i++)
        fmt_buf_puts(&b, "a,b,c\n");
    fmt_buf_puts(&b, "x,\"never closed\nmore\nlines\n");
    assert_same_records("unterminated quote", b.p, b.len);
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
