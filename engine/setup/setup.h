/* The first stage's product: everything a night knows before it reads an order.
 *
 *   command line -> eng_setup: configuration (run date, threads, layout, policy), the
 *                   reference data (catalog, inventory), the list of inputs, the run's
 *                   warnings, its worker pool and its (temporary) output folder
 *
 * Later stages take it as const and read it; the objects it points to that do work of
 * their own (the pool, the warnings list, the output folder) are thread-safe or used by
 * one stage at a time, as their headers say. One owner, one free. */
#ifndef ENG_SETUP_H
#define ENG_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/layout.h"
#include "../../formats/policy.h"
#include "../core/err.h"
#include "../base/outdir.h"
#include "../base/pool.h"
#include "../base/warn.h"
#include "../record/record.h"
#include "catalog.h"
#include "inventory.h"

/* What `slipway run` was asked to do (cli.c fills it). */
typedef struct eng_run_args {
    const char *catalog;
    const char *inventory;
    const char *policy; /* NULL: defaults */
    const char *out;
    const char **orders; /* n_orders paths, as given */
    size_t n_orders;
    const char **returns; /* --returns files */
    size_t n_returns;
    const char **history; /* --history files and folders */
    size_t n_history;
    unsigned threads;
    const char *format;   /* --format as given: NULL or "auto", a layout name, "map:FILE" */
    const char *encoding; /* --encoding as an iconv name; NULL: auto */
    int date_order;       /* --date-order: fmt_date_order; FMT_DATE_UNKNOWN: per file */
    int32_t run_date;     /* days since 1970-01-01 */
    int compress;
    unsigned mode;         /* permission bits of output files (--mode); 0: ENG_OUTDIR_MODE */
    int quiet;             /* no human summary on stdout */
    int progress;          /* --progress: progress on stderr even when it is no terminal */
    int xlsx;              /* --xlsx: slipway.xlsx too */
    uint64_t memory_limit; /* --memory-limit in bytes; 0: what the system has available */
    /* a sharded night's task (engine/shard) that only reads orders: no output folder */
    int no_output;
    unsigned shards;  /* --shards: 0 for a plain run */
    const char *work; /* --work: the sharded night's work folder */
} eng_run_args;

typedef struct eng_setup {
    /* configuration */
    fmt_policy policy;
    int32_t run_date; /* days since 1970-01-01 */
    unsigned threads;
    size_t chunk_size;        /* bytes per ingest chunk; 0 for the default (tests cut small) */
    /* A sharded night's map task reads only its share of the orders files (per file:
     * ENG_READ_NONE, ENG_READ_ALL, or ENG_READ_CHUNKS: the chunks whose number is
     * chunk_slot modulo chunk_stride, a large file being parsed by every map task a part
     * each; NULL: all of every file), with the night's key for the rows' digests (NULL:
     * drawn here), so that its rows meet the other tasks' as one process's would. */
    const unsigned char *read_files;
    unsigned chunk_stride, chunk_slot;
    const struct eng_sip_key *dup_key;
    const fmt_layout *format; /* --format: every orders file read this way; NULL: auto */
    const char *encoding;     /* --encoding (iconv name); NULL: auto */
    int date_order;           /* --date-order (fmt_date_order); 0: each file's own */
    int compress;             /* --compress */
    int xlsx;                 /* --xlsx */
    uint64_t memory_limit;    /* --memory-limit; 0: what the system has available */
    /* reference data */
    eng_catalog *catalog;
    eng_inventory *inventory;
    /* inputs, in this index order: the --orders files (so that a row's file index is its
     * source index), --returns, --history (folders expanded), then catalog, inventory,
     * policy and the map:FILE mapping when given */
    eng_source *sources;
    size_t n_sources;
    struct eng_progress *progress; /* the display (base/progress.h), NULL: none */
    size_t n_order_files;
    size_t first_return_file, n_return_files;
    size_t first_history_file, n_history_files;
    size_t first_reference; /* the catalog's index; its facts are reference_facts[0] */
    eng_file_facts *reference_facts;
    /* run-wide services */
    eng_warnings *warnings;
    eng_pool *pool;
    eng_outdir *outdir; /* the temporary output folder, committed by eng_run (NULL for a
                           sharded night's map task, which writes none) */
    /* storage the above point into */
    fmt_layout *mapping;
    char **history_paths;
    size_t n_history_paths;
} eng_setup;

enum { ENG_READ_NONE, ENG_READ_ALL, ENG_READ_CHUNKS };

/* Whether this process parses chunk seq of orders file f (eng_setup.read_files). */
static inline int eng_setup_parses(const eng_setup *s, size_t f, uint64_t seq)
{
    if (!s->read_files)
        return 1;
    if (s->read_files[f] == ENG_READ_CHUNKS)
        return seq % s->chunk_stride == s->chunk_slot;
    return s->read_files[f] != ENG_READ_NONE;
}

/* Free the orders, returns and history arrays a parser gave a (cli.c's). */
void eng_run_args_release(eng_run_args *a);

/* Check the command line's choices, expand --history folders, open the temporary output
 * folder (refusing an existing DIR before anything is read), read the policy, mapping,
 * catalog and inventory, and start the worker pool. ENG_USAGE, ENG_REFUSED (err names
 * file, line and field), ENG_IO, ENG_NOMEM; on failure *out is untouched and nothing is
 * left behind. a is borrowed: the setup points into its strings. */
eng_rc eng_setup_new(const eng_run_args *a, eng_setup **out, eng_err *err);

/* Free everything the setup owns; removes the temporary output folder unless eng_run
 * committed it. Accepts NULL. */
void eng_setup_free(eng_setup *s);

/* The facts of a reference input (catalog, inventory, policy, mapping) by source index,
 * or NULL for another role. */
const eng_file_facts *eng_setup_facts(const eng_setup *s, size_t source);

#endif
