/* manifest.json (what went in, what came out, with hashes: the run's receipt) and
 * metrics.json (how long each stage took: the one output that differs run to run). */
#ifndef ENG_MANIFEST_H
#define ENG_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "../record/record.h"
#include "products.h"
#include "outputs.h"

#define SLIPWAY_VERSION "0.1.0"

/* Write manifest.json into the run's temporary folder, listing every input source and
 * the given output files (sorted by name). ENG_IO, ENG_NOMEM. */
eng_rc eng_manifest_write(const eng_products *night, const eng_output_file *files, size_t n_files,
                          eng_outdir *od, eng_err *err);

/* Wall-clock stages of a run. */
#define ENG_STAGE_MAP(X)       \
    X(LOAD, "load_reference")  \
    X(INGEST, "read_orders")   \
    X(HISTORY, "load_history") \
    X(ORDERS, "check_orders")  \
    X(ALLOC, "allocate")       \
    X(WRITE, "write_outputs")

typedef enum eng_stage {
#define ENG_STAGE_ENUM(e, name) ENG_STAGE_##e,
    ENG_STAGE_MAP(ENG_STAGE_ENUM)
#undef ENG_STAGE_ENUM
        ENG_STAGE_COUNT
} eng_stage;

typedef struct eng_metrics {
    double stage_seconds[ENG_STAGE_COUNT];
    double total_seconds;
    uint64_t history_rows;
    uint64_t memory_estimate; /* intake/budget's, to compare with the peak */
    uint64_t estimated_lines, estimated_orders;
} eng_metrics;

/* Monotonic clock in seconds. */
double eng_metrics_now(void);

/* Add the time since *mark to the stage's seconds; move the mark to now. */
void eng_metrics_lap(eng_metrics *m, eng_stage stage, double *mark);

/* Write metrics.json into the run's temporary folder. ENG_IO, ENG_NOMEM. */
eng_rc eng_metrics_write(const eng_products *night, const eng_metrics *m, eng_outdir *od,
                         eng_err *err);

#endif
