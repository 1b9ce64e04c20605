/* Cuts an input stream into chunks of whole CSV records, so that each chunk can be
 * parsed by any thread on its own.
 *
 * Each chunk starts on the first byte of a record and knows that record's physical line,
 * so line numbers stay exact however the file is cut. A chunk is about chunk_size bytes;
 * a record longer than that makes its chunk bigger (never split). The scan that finds the
 * cut follows the same rules as the record iterator (fmt_csv_record_len), so workers see
 * exactly the records a single pass would. */
#ifndef FMT_CHUNKER_H
#define FMT_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/err.h"
#include "csv.h"
#include "source.h"

/* Longest record accepted; a longer one refuses the file. */
#define FMT_CHUNK_MAX_RECORD (64u << 20)

typedef struct fmt_chunk_pool fmt_chunk_pool;

typedef struct fmt_chunk {
    char *data;             /* owned by the chunk */
    size_t cap;             /* bytes allocated at data */
    fmt_chunk_pool *pool;   /* where fmt_chunk_free returns data, or NULL */
    size_t len;             /* bytes of whole records (the last chunk may end mid-record) */
    size_t start;           /* offset of the first record a reader should look at */
    uint64_t first_line;    /* physical line of data[start] */
    uint64_t seq;           /* 0, 1, 2... within the file */
    int ends_inside_quotes; /* the file's last chunk, whose last record ends inside a quoted
                               field: not a record; the next fmt_chunker_next refuses */
} fmt_chunk;

typedef struct fmt_chunker fmt_chunker;

/* Chunker over src (borrowed; must outlive the chunker). NULL when out of memory. */
fmt_chunker *fmt_chunker_new(fmt_source *src, fmt_dialect d, size_t chunk_size);
void fmt_chunker_free(fmt_chunker *c);

/* Next chunk, transferred to the caller (free with fmt_chunk_free), or *out = NULL at end
 * of file. ENG_REFUSED for read errors, for a record over FMT_CHUNK_MAX_RECORD bytes, and
 * for a file that ends inside a quoted field (cut short, or a quote never closed): err
 * names the file and the line where that record starts. That last refusal comes after
 * the last chunk (flagged ends_inside_quotes), in place of the end of file, so that a
 * reader meets the file's earlier problems first. ENG_NOMEM. */
eng_rc fmt_chunker_next(fmt_chunker *c, fmt_chunk **out, eng_err *err);

/* After the end of file (*out = NULL): the number of the text's last line when it has no
 * line end (LF or CR; the file may have been cut short), else 0. */
uint64_t fmt_chunker_unended_line(const fmt_chunker *c);

/* Free the chunk; its buffer goes back to the pool it came from, if any. Any thread. */
void fmt_chunk_free(fmt_chunk *ch);

/* Buffers that chunks hand back for the next chunks of any file: a night reads hundreds
 * of MB through a few buffers' worth of memory, written once, instead of touching fresh
 * pages for every chunk (on these VMs a page fault costs about as much as parsing the
 * page's bytes). Holds at most `keep` idle buffers. Thread-safe. NULL when out of memory. */
fmt_chunk_pool *fmt_chunk_pool_new(size_t keep);
/* Frees the idle buffers and the pool: every chunk from it must be freed first. */
void fmt_chunk_pool_free(fmt_chunk_pool *p);
/* Take the chunker's buffers from p (borrowed; must outlive the chunks). */
void fmt_chunker_use_pool(fmt_chunker *c, fmt_chunk_pool *p);

#endif
