/* `slipway run`: one night from inputs to a committed output folder. */
#ifndef ENG_RUN_H
#define ENG_RUN_H

#include "setup/setup.h"

/* Run the night. Prints errors on stderr and the human summary on stdout; returns the
 * exit code (0 committed, 1 internal or I/O failure, 2 usage, 3 input refused). Ignores
 * SIGPIPE from then on; SIGINT, SIGTERM and SIGHUP during the run end the process
 * (eng_outdir_begin). Call it before creating any thread. */
int eng_run(const eng_run_args *args);

/* The same, with the night's orders from load instead of the orders files: a sharded
 * night's last task puts them together from its map tasks' files (engine/shard). load
 * fills *out as eng_batches_read would, from the setup's files. */
struct eng_batches;
typedef eng_rc (*eng_batches_loader)(const eng_setup *setup, void *ctx, struct eng_batches **out,
                                     eng_err *err);
int eng_run_from(const eng_run_args *args, eng_batches_loader load, void *ctx);

#endif
