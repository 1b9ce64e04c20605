/* Reading the night's order files into batches of checked rows, on every thread.
 *
 * One reader thread cuts each file into chunks of whole records (formats/chunker) and
 * queues them; the pool's workers parse each chunk with libcsv, check every row on its
 * own (encoding, blanks, numbers, dates, catalog), and produce a batch: compact rows,
 * their exceptions, and the rows grouped by order partition. Batches are kept in file
 * and chunk order, so nothing downstream depends on which worker parsed what. */
#ifndef ENG_INGEST_H
#define ENG_INGEST_H

#include <time.h>

#include "../../formats/csv.h"
#include "../../formats/layout.h"
#include "../record/record.h"
#include "../base/pool.h"
#include "../base/siphash.h"
#include "../setup/setup.h"
#include "intern.h"
#include "rowstore.h"

/* Bytes of text per chunk a file is cut into (eng_setup.chunk_size unless set): a
 * sharded night's map tasks take a big file's chunks in turn. */
#define ENG_INGEST_CHUNK (4u << 20)

/* The intake stage's product: the night's orders files read into batches of checked rows,
 * in (file, chunk) order, with what was found out about each file. */
typedef struct eng_batches {
    eng_batch **items; /* in (file, seq) order */
    size_t n;
    eng_file_facts *files; /* per orders file: layout, encoding, columns, bytes, sha256 */
    fmt_buf *header_text;  /* per orders file: its header names (exceptions point here) */
    eng_intern *intern;    /* the repeated texts the batches' heads share */
    size_t n_files;
    /* Per reading worker, the arena its batches keep their heads, ids and messages in: the
     * batches live until the end of the run together, and an arena each left about half
     * a block unused per batch (20 MB on a 5M-line night). */
    eng_arena **worker_mem;
    unsigned n_worker_mem;
    eng_rowstore *rows; /* every batch's grouped rows (part_rows), until the orders stage
                           releases each partition's */
} eng_batches;

/* What the start of the orders files says about the night's size, before it is read:
 * each file's first SURVEY bytes (decompressed) are parsed through its layout, and the
 * rows and order-id changes found there are scaled by the file's whole size (a .zst
 * file's content size from its frame header, or its compressed size times the
 * compression ratio of the sample). An estimate, for refusing a night that cannot fit
 * early (intake/budget); the exact counts are the batches' own. */
typedef struct eng_night_size {
    uint64_t lines;  /* order lines (rows), estimated */
    uint64_t orders; /* orders, estimated from runs of one order id */
    uint64_t bytes;  /* the orders files' text, decompressed, estimated */
    /* Per orders file, as the survey found it: reading it later must find the same file
     * (a transfer still in progress is refused, not read as far as it has come). */
    struct eng_file_seen {
        int regular; /* 0: not surveyed (a pipe, or unreadable) */
        uint64_t size;
        struct timespec mtime;
    } * seen;
} eng_night_size;

void eng_night_size_release(eng_night_size *n);

/* Survey the setup's orders files. A file that cannot be read or detected counts as
 * nothing here (reading it refuses it with the full message), and so does one that is
 * not a regular file (a pipe can be read only once). ENG_NOMEM only. */
eng_rc eng_orders_survey(const eng_setup *setup, eng_night_size *out, eng_err *err);

/* Read the setup's orders files (sources[0 .. n_order_files)) on its pool. ENG_REFUSED for
 * an unreadable file, an empty file, a bad header (err names file, line and column), or a
 * file that is not as eng_orders_survey saw it (surveyed may be NULL); ENG_NOMEM. */
eng_rc eng_batches_read(const eng_setup *setup, const eng_night_size *surveyed, eng_batches **out,
                        eng_err *err);
void eng_batches_free(eng_batches *batches);

/* Add the order id of every grouped row of the partitions p with here[p] != 0 (NULL: all)
 * to ids, for history to keep in full. ENG_NOMEM. */
struct eng_strset;
eng_rc eng_batches_order_ids(const eng_batches *bs, const unsigned char *here,
                             struct eng_strset *ids, eng_err *err);

/* How one orders file is read. */
typedef struct eng_layout {
    const fmt_layout *layout;   /* how the file is read */
    void *bind;                 /* the layout's column indexes for this file's header */
    const fmt_layout *detected; /* with --format: what auto-detection would have chosen */
    size_t n_header;
    const char **header_names;            /* the file's column names, valid UTF-8 */
    const char *col_label[FMT_COL_COUNT]; /* the file's name for each canonical value */
    fmt_date_order date_order;            /* how its spreadsheet dates read (decide_date_order) */
    int date_order_given;                 /* ... because --date-order said so */
    int looks_1252; /* read as UTF-8, but its start holds no UTF-8 letter and bytes that
                       are not UTF-8: a spreadsheet's "CSV" in Windows-1252 */
} eng_layout;

/* Per-thread scratch for eng_ingest_record: a libcsv splitter, the run's key for the
 * rows' digests (the same for every worker of a run) and its table of repeated texts
 * (NULL: each head keeps its own copy). */
typedef struct eng_ingest_worker eng_ingest_worker;
eng_ingest_worker *eng_ingest_worker_new(eng_sip_key dup_key, eng_intern *intern);
void eng_ingest_worker_free(eng_ingest_worker *w);

/* Check one record of a canonical orders file into batch (exposed for tests and the
 * fuzzer). line is where the record starts, end_line where it ends (they differ when
 * quoted fields hold line breaks). ENG_NOMEM only: bad data becomes exceptions in the
 * batch. */
eng_rc eng_ingest_record(eng_batch *batch, eng_ingest_worker *w, const eng_layout *layout,
                         const eng_catalog *catalog, const char *rec, size_t len, uint64_t line,
                         uint64_t end_line);

/* Move the batch's rows to their partitions' runs in store (part_rows, taken as worker),
 * each partition's in the order read, the rows without an order id last (fills
 * part_start), and point the exceptions at their rows' new numbers; rows is freed.
 * ENG_NOMEM, with nothing moved. */
eng_rc eng_ingest_partition(eng_batch *batch, eng_rowstore *store, unsigned worker);

#endif
