/* The buffer holds [carry | new bytes]. After each read the scan walks whole records
 * from the start; the chunk ends at the start of the last record found complete *and*
 * followed by a non-blank byte (so a CR at the very end, whose LF may come next, never
 * ends a chunk). What follows is carried into the next chunk's buffer. */
#include "chunker.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"

struct fmt_chunker {
    fmt_source *src;
    fmt_dialect dialect;
    size_t chunk_size;
    char *buf;
    size_t len;
    size_t cap;
    uint64_t line; /* physical line of buf[0] */
    uint64_t seq;
    size_t rescan_at; /* scan for a cut only once len reaches this (0 after a cut) */
    int eof;
};

fmt_chunker *fmt_chunker_new(fmt_source *src, fmt_dialect d, size_t chunk_size)
{
    fmt_chunker *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->src = src;
    c->dialect = d;
    c->chunk_size = chunk_size < 4096 ? 4096 : chunk_size;
    c->line = 1;
    return c;
}

void fmt_chunker_free(fmt_chunker *c)
{
    if (!c)
        return;
    free(c->buf);
    free(c);
}

void fmt_chunk_free(fmt_chunk *ch)
{
    if (!ch)
        return;
    free(ch->data);
    free(ch);
}

/* Offset of the last safe cut in buf[0..len) and the lines before it; 0 if none. */
static size_t find_cut(const fmt_chunker *c, uint64_t *lines_before_cut)
{
    size_t pos = 0, cut = 0;
    uint64_t lines = 0;
    pos += fmt_csv_skip_blank(c->buf, c->len, c->dialect, &lines);
    uint64_t committed = 0;
    while (pos < c->len) {
        int complete = 0;
        pos += fmt_csv_record_len(c->buf + pos, c->len - pos, c->dialect, &complete, &lines);
        if (!complete)
            break;
        pos += fmt_csv_skip_blank(c->buf + pos, c->len - pos, c->dialect, &lines);
        if (pos >= c->len)
            break; /* the blank run may continue in the next read */
        cut = pos;
        committed = lines;
    }
    *lines_before_cut = committed;
    return cut;
}

static eng_rc emit(fmt_chunker *c, size_t cut, uint64_t lines, fmt_chunk **out, eng_err *err)
{
    fmt_chunk *ch = malloc(sizeof *ch);
    size_t rest = c->len - cut;
    /* The carry goes to a fresh buffer; the current one becomes the chunk. */
    size_t new_cap = c->chunk_size + rest;
    char *next = malloc(new_cap);
    if (!ch || !next) {
        free(ch);
        free(next);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the file");
    }
    memcpy(next, c->buf + cut, rest);
    ch->data = c->buf;
    ch->len = cut;
    ch->start = 0;
    ch->first_line = c->line;
    ch->seq = c->seq++;
    c->buf = next;
    c->cap = new_cap;
    c->len = rest;
    c->line += lines;
    *out = ch;
    return ENG_OK;
}

eng_rc fmt_chunker_next(fmt_chunker *c, fmt_chunk **out, eng_err *err)
{
    *out = NULL;
    for (;;) {
        if (c->eof) {
            if (c->len == 0)
                return ENG_OK;
            return emit(c, c->len, 0, out, err); /* the rest, whatever it holds */
        }
        if (c->cap - c->len < c->chunk_size / 2 || c->cap < c->chunk_size) {
            size_t cap = c->cap < c->chunk_size ? c->chunk_size : c->cap * 2;
            char *grown = realloc(c->buf, cap);
            if (!grown)
                return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the file");
            c->buf = grown;
            c->cap = cap;
        }
        size_t n = 0;
        ENG_TRY(fmt_source_read(c->src, c->buf + c->len, c->cap - c->len, &n, err));
        if (n == 0) {
            c->eof = 1;
            continue;
        }
        c->len += n;
        if (c->len < c->chunk_size)
            continue;
        /* A record longer than a chunk was scanned again from its start after every
         * read: a decoded file comes 64 KiB a read, so a 10 MB field cost 160 scans of up
         * to 10 MB (15 s under ASan). Scan again only when the buffer has doubled since
         * the last fruitless scan (and before refusing), so the scans add up to about
         * twice the record. */
        if (c->len >= c->rescan_at || c->len > FMT_CHUNK_MAX_RECORD) {
            uint64_t lines = 0;
            size_t cut = find_cut(c, &lines);
            if (cut > 0) {
                c->rescan_at = 0;
                return emit(c, cut, lines, out, err);
            }
            c->rescan_at = c->len * 2;
        }
        /* No complete record yet: one record is larger than a chunk; read on, up to a
         * limit no real order row comes near (a binary file has no line ends). */
        if (c->len > FMT_CHUNK_MAX_RECORD) {
            if (err) {
                err->line = c->line;
                err->field = NULL;
            }
            return ENG_FAIL(err, ENG_REFUSED,
                            "a record starting on this line is over %u MiB long (no line end "
                            "outside quotes): is this a CSV file, or is a quote never closed?",
                            (unsigned)(FMT_CHUNK_MAX_RECORD >> 20));
        }
    }
}
