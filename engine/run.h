/* `slipway run`: one night from inputs to a committed output folder. */
#ifndef ENG_RUN_H
#define ENG_RUN_H

#include <stddef.h>
#include <stdint.h>

typedef struct eng_run_args {
    const char *catalog;
    const char *inventory;
    const char *policy; /* NULL: defaults */
    const char *out;
    const char **orders; /* n_orders paths, as given */
    size_t n_orders;
    const char **returns; /* --returns files */
    size_t n_returns;
    const char **history; /* --history files */
    size_t n_history;
    unsigned threads;
    const char *format;   /* --format as given: NULL or "auto", a layout name, "map:FILE" */
    const char *encoding; /* --encoding as an iconv name; NULL: auto */
    int32_t run_date;     /* days since 1970-01-01 */
    int compress;
    unsigned mode; /* permission bits of output files (--mode); 0: ENG_OUTDIR_MODE */
    int quiet;     /* no human summary on stdout */
} eng_run_args;

/* Run the night. Prints errors on stderr and the human summary on stdout; returns the
 * SPEC exit code (0 committed, 1 internal or I/O failure, 2 usage, 3 input refused).
 * Ignores SIGPIPE from then on; SIGINT, SIGTERM and SIGHUP during the run end the
 * process (eng_outdir_begin). Call it before creating any thread. */
int eng_run(const eng_run_args *args);

#endif
