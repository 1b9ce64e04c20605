/* The buffer holds [carry | new bytes]. After each read the scan walks whole records
 * from the start; the chunk ends at the start of the last record found complete *and*
 * followed by a non-blank byte (so a CR at the very end, whose LF may come next, never
 * ends a chunk). What follows is carried into the next chunk's buffer. */
#include "chunker.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

struct fmt_chunk_pool {
    pthread_mutex_t mu;
    size_t keep;
    size_t n;
    char **bufs;
    size_t *caps;
};

fmt_chunk_pool *fmt_chunk_pool_new(size_t keep)
{
    fmt_chunk_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->keep = keep ? keep : 1;
    p->bufs = calloc(p->keep, sizeof *p->bufs);
    p->caps = calloc(p->keep, sizeof *p->caps);
    if (!p->bufs || !p->caps) {
        free(p->bufs);
        free(p->caps);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

void fmt_chunk_pool_free(fmt_chunk_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->bufs[i]);
    pthread_mutex_destroy(&p->mu);
    free(p->bufs);
    free(p->caps);
    free(p);
}

/* An idle buffer of at least min bytes (*cap set to its size), or NULL. */
static char *pool_take(fmt_chunk_pool *p, size_t min, size_t *cap)
{
    char *buf = NULL;
    pthread_mutex_lock(&p->mu);
    for (size_t i = p->n; i-- > 0;)
        if (p->caps[i] >= min) {
            buf = p->bufs[i];
            *cap = p->caps[i];
            p->n--;
            p->bufs[i] = p->bufs[p->n];
            p->caps[i] = p->caps[p->n];
            break;
        }
    pthread_mutex_unlock(&p->mu);
    return buf;
}

static void pool_give(fmt_chunk_pool *p, char *buf, size_t cap)
{
    pthread_mutex_lock(&p->mu);
    if (p->n < p->keep) {
        p->bufs[p->n] = buf;
        p->caps[p->n] = cap;
        p->n++;
        buf = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    free(buf);
}

struct fmt_chunker {
    fmt_source *src;
    fmt_chunk_pool *pool;
    fmt_dialect dialect;
    size_t chunk_size;
    char *buf;
    size_t len;
    size_t cap;
    uint64_t line; /* physical line of buf[0] */
    uint64_t seq;
    size_t rescan_at; /* scan for a cut only once len reaches this (0 after a cut) */
    int eof;
    uint64_t unended_line; /* at end of file: the last line, when it has no line end */
    eng_rc tail_rc;        /* at end of file: ENG_REFUSED when it ends inside quotes */
    eng_err tail_err;      /* why, returned after the last chunk */
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

/* Room kept for a read at the end of the buffer, and for the carry of a chunk: 64 KiB,
 * or half a chunk when chunks are smaller than that (tests cut small). */
static size_t read_slack(const fmt_chunker *c)
{
    size_t half = c->chunk_size / 2;
    return half < ((size_t)64 << 10) ? half : (size_t)64 << 10;
}

void fmt_chunker_use_pool(fmt_chunker *c, fmt_chunk_pool *p)
{
    c->pool = p;
}

void fmt_chunk_free(fmt_chunk *ch)
{
    if (!ch)
        return;
    if (ch->pool && ch->data)
        pool_give(ch->pool, ch->data, ch->cap);
    else
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
    /* The carry goes to a fresh buffer; the current one becomes the chunk. Room for a
     * chunk and a carry of read_slack bytes, so that pooled buffers fit the next chunks
     * whatever their (shorter) carry. */
    size_t slack = read_slack(c);
    size_t new_cap = c->chunk_size + (rest > slack ? rest : slack);
    char *next = c->pool ? pool_take(c->pool, new_cap, &new_cap) : NULL;
    if (!next)
        next = malloc(new_cap);
    if (!ch || !next) {
        free(ch);
        free(next);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the file");
    }
    memcpy(next, c->buf + cut, rest);
    ch->data = c->buf;
    ch->cap = c->cap;
    ch->pool = c->pool;
    ch->len = cut;
    ch->start = 0;
    ch->first_line = c->line;
    ch->seq = c->seq++;
    ch->ends_inside_quotes = 0;
    c->buf = next;
    c->cap = new_cap;
    c->len = rest;
    c->line += lines;
    *out = ch;
    return ENG_OK;
}

/* The file's last bytes, buf[0..len) from a record boundary to the end of file: refuse
 * them when the last record ends inside a quoted field, and note a last line without a
 * line end. Scanned once more here (at most a chunk) so that every reader of every role
 * gets the same verdict, whatever reads the records afterwards. The refusal is returned
 * after the last chunk, not instead of it, so that what comes earlier in the file (a
 * header of the wrong layout, a bad row) is reported first, as a reader would meet it. */
static eng_rc check_tail(fmt_chunker *c, eng_err *err)
{
    uint64_t lines = 0, rec_line = 0;
    size_t pos = fmt_csv_skip_blank(c->buf, c->len, c->dialect, &lines), rec = 0, rec_len = 0;
    int complete = 1;
    while (pos < c->len) {
        rec = pos;
        rec_line = c->line + lines;
        rec_len = fmt_csv_record_len(c->buf + pos, c->len - pos, c->dialect, &complete, &lines);
        pos += rec_len;
        if (!complete)
            break;
        pos += fmt_csv_skip_blank(c->buf + pos, c->len - pos, c->dialect, &lines);
    }
    assert(pos == c->len);
    char last = c->buf[c->len - 1];
    int ends_in_break = last == '\n' || last == '\r';
    if (!ends_in_break)
        c->unended_line = c->line + lines;
    if (complete || !fmt_csv_ends_quoted(c->buf + rec, rec_len, c->dialect))
        return ENG_OK;
    /* The last line holding bytes of the record: a break just before the end of file
     * ends a line, it does not start one. */
    uint64_t last_line = c->line + lines - (uint64_t)ends_in_break;
    if (err) {
        err->path = fmt_source_path(c->src);
        err->line = rec_line;
        err->field = NULL;
    }
    if (last_line > rec_line)
        return ENG_FAIL(err, ENG_REFUSED,
                        "a quote opened on this line is never closed, so lines %llu-%llu, to "
                        "the end of the file, would be lost; fix the file",
                        (unsigned long long)rec_line + 1, (unsigned long long)last_line);
    return ENG_FAIL(err, ENG_REFUSED,
                    "the file ends inside a quoted field opened on this line (was the file "
                    "cut short, or is a quote never closed?); fix the file or fetch it again");
}

uint64_t fmt_chunker_unended_line(const fmt_chunker *c)
{
    return c->unended_line;
}

eng_rc fmt_chunker_next(fmt_chunker *c, fmt_chunk **out, eng_err *err)
{
    *out = NULL;
    for (;;) {
        if (c->eof) {
            if (c->tail_rc != ENG_OK) {
                if (err)
                    *err = c->tail_err;
                return c->tail_rc;
            }
            if (c->len == 0)
                return ENG_OK;
            c->tail_rc = check_tail(c, &c->tail_err);
            ENG_TRY(emit(c, c->len, 0, out, err)); /* the rest, whatever it holds */
            (*out)->ends_inside_quotes = c->tail_rc != ENG_OK;
            return ENG_OK;
        }
        /* Grow when a read would be short of room, not before: a decoded source reads
         * 64 KiB at a time, and growing at half full doubled every chunk's buffer. */
        if (c->cap - c->len < read_slack(c) || c->cap < c->chunk_size) {
            size_t cap = c->cap < c->chunk_size ? c->chunk_size + read_slack(c) : c->cap * 2;
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
                err->path = fmt_source_path(c->src);
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
