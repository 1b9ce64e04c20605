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
 * night's finishing task puts them together from its group tasks' files (engine/shard).
 * load fills *batches as the orders stage leaves them (their rows gone, each row's final
 * flags and the exceptions kept) and *book as eng_book_build would, from the setup's
 * files. */
struct eng_batches;
struct eng_book;
typedef eng_rc (*eng_night_loader)(const eng_setup *setup, void *ctx, struct eng_batches **batches,
                                   struct eng_book **book, eng_err *err);
int eng_run_from(const eng_run_args *args, eng_night_loader load, void *ctx);

#endif
