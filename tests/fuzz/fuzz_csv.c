/* libFuzzer harness: the CSV reader on raw bytes.
 *
 * The input is a file's bytes. For each dialect slipway reads (comma, semicolon, tab
 * without quotes, comma with ="..." formulas) the harness walks the records with
 * fmt_csv_iter and splits each with fmt_csv_split, checking what the API promises: records
 * lie inside the buffer and never start on a blank, line numbers only grow, fields are
 * NUL-terminated at their length, a split returns ENG_OK or ENG_DATA.
 *
 * It then reads the same bytes from a file through fmt_source and fmt_chunker with the
 * smallest chunk size and checks the oracle the parallel reader depends on: the records
 * found chunk by chunk, and their line numbers, are exactly those of one pass over the
 * whole file (formats/chunker.h). A mismatch would put exceptions on wrong lines or cut
 * a record in two.
 *
 * Last, the spreadsheet guard (issue 15): the input's bytes written as one text cell with
 * fmt_csv_put_text() must read back through libcsv and fmt_csv_unguard() as exactly those
 * bytes, and the cell as read must not start with a character a spreadsheet runs. */
#include <assert.h>

#include "../../formats/chunker.h"
#include "../../formats/csv.h"
#include "../../formats/source.h"
#include "fuzz_util.h"

typedef struct rec_ref {
    size_t off; /* offset in the whole (BOM-less) input */
    size_t len;
    uint64_t line;
} rec_ref;

static void check_split(fmt_csv_fields *f, const char *p, size_t len)
{
    eng_rc rc = fmt_csv_split(f, p, len);
    if (rc != ENG_OK && rc != ENG_DATA)
        abort(); /* ENG_NOMEM cannot happen on these sizes */
    size_t n = fmt_csv_count(f);
    for (size_t i = 0; i < n; i++) {
        fmt_str s = fmt_csv_field(f, i);
        if (s.p[s.len] != '\0' || s.len > len)
            abort();
    }
}

/* One pass over the buffer; fills refs (cap entries) and returns the count. *open_line:
 * the line of the last record when the text ends inside its quoted field, else 0. */
static size_t walk(const char *p, size_t len, fmt_dialect d, fmt_csv_fields *f, rec_ref *refs,
                   size_t cap, uint64_t *open_line)
{
    *open_line = 0;
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, p, len, 1, d);
    fmt_str rec;
    uint64_t line, last_line = 0;
    size_t n = 0;
    while (fmt_csv_iter_next(&it, &rec, &line)) {
        if (rec.p < p || rec.p + rec.len > p + len || line < last_line || it.line < line)
            abort();
        unsigned char c0 = (unsigned char)rec.p[0];
        if (c0 == '\r' || c0 == '\n' || ((c0 == ' ' || c0 == '\t') && c0 != d.delim))
            abort(); /* a record starts on its first non-blank byte */
        last_line = it.line;
        check_split(f, rec.p, rec.len);
        if (n < cap)
            refs[n] = (rec_ref){(size_t)(rec.p - p), rec.len, line};
        n++;
        *open_line = !it.complete && fmt_csv_ends_quoted(rec.p, rec.len, d) ? line : 0;
    }
    return n;
}

/* The records of the file read through the chunker must be refs[0..n_refs); a text that
 * ends inside a quoted field (open_line > 0) is then refused, naming that line. */
static void check_chunks(const char *path, const char *p, fmt_dialect d, const rec_ref *refs,
                         size_t n_refs, uint64_t open_line)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    fmt_source *src = NULL;
    if (fmt_source_open(path, &src, &err) != ENG_OK)
        abort();
    fmt_chunker *c = fmt_chunker_new(src, d, 4096);
    if (!c)
        abort();
    size_t k = 0;
    for (;;) {
        fmt_chunk *ch = NULL;
        eng_rc rc = fmt_chunker_next(c, &ch, &err);
        if (rc != ENG_OK && open_line && rc == ENG_REFUSED && err.line == open_line && k == n_refs)
            break; /* after every record: the file ends inside quotes */
        if (rc != ENG_OK)
            abort(); /* a plain file under the record limit always reads */
        if (!ch) {
            if (open_line) {
                fprintf(stderr, "a text ending inside quotes (line %llu) was not refused\n",
                        (unsigned long long)open_line);
                abort();
            }
            break;
        }
        fmt_csv_iter it;
        fmt_csv_iter_init(&it, ch->data + ch->start, ch->len - ch->start, ch->first_line, d);
        fmt_str rec;
        uint64_t line;
        while (fmt_csv_iter_next(&it, &rec, &line)) {
            if (k >= n_refs || rec.len != refs[k].len || line != refs[k].line ||
                memcmp(rec.p, p + refs[k].off, rec.len) != 0) {
                fprintf(stderr, "chunk %llu: record %zu differs from the single pass\n",
                        (unsigned long long)ch->seq, k);
                abort();
            }
            k++;
        }
        fmt_chunk_free(ch);
    }
    if (k != n_refs) {
        fprintf(stderr, "chunker found %zu records, single pass %zu\n", k, n_refs);
        abort();
    }
    fmt_chunker_free(c);
    fmt_source_close(src);
}

static void check_guard(const char *p, size_t len)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_csv_put_text(&b, p, len);
    fmt_buf_puts(&b, ",end");
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    if (!f || b.failed)
        abort();
    if (fmt_csv_split(f, b.p, b.len) != ENG_OK || fmt_csv_count(f) != 2) {
        fprintf(stderr, "a guarded cell of %zu bytes does not read back as one field\n", len);
        abort();
    }
    fmt_str cell = fmt_csv_field(f, 0);
    if (cell.len && memchr("=+-@\t\r", cell.p[0], 6) != NULL) {
        fprintf(stderr, "a cell was written starting with 0x%02x\n", (unsigned char)cell.p[0]);
        abort();
    }
    fmt_str back = fmt_csv_unguard(cell);
    if (back.len != len || (len && memcmp(back.p, p, len) != 0)) {
        fprintf(stderr, "a cell of %zu bytes came back as %zu bytes\n", len, back.len);
        abort();
    }
    fmt_csv_fields_free(f);
    fmt_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fmt_dialect dialects[] = {
        {',', '"', 0},
        {';', '"', 0},
        {'\t', -1, 0},
        {',', '"', 1},
    };
    const char *p = (const char *)data;
    /* fmt_source drops a leading UTF-8 BOM and decompresses zstd: compare the chunker
     * with the bytes it actually yields. */
    size_t skip = size >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    int zstd = size >= 4 && memcmp(p, "\x28\xB5\x2F\xFD", 4) == 0;
    char path[600];
    fz_path(path, sizeof path, "in.csv");
    fz_write(path, data, size);
    size_t cap = size + 1;
    rec_ref *refs = malloc(cap * sizeof *refs);
    if (!refs)
        abort();
    for (size_t i = 0; i < sizeof dialects / sizeof *dialects; i++) {
        fmt_csv_fields *f = fmt_csv_fields_new(dialects[i]);
        if (!f)
            abort();
        uint64_t open_line;
        size_t n = walk(p + skip, size - skip, dialects[i], f, refs, cap, &open_line);
        if (!zstd)
            check_chunks(path, p + skip, dialects[i], refs, n, open_line);
        fmt_csv_fields_free(f);
    }
    free(refs);
    check_guard(p, size < 4096 ? size : 4096);
    (void)unlink(path); /* the scratch file: rewritten by the next input anyway */
    return 0;
}
