/* `slipway run`: one night from inputs to a committed output folder. */
#ifndef ENG_RUN_H
#define ENG_RUN_H

#include "setup/setup.h"

/* Run the night. Prints errors on stderr and the human summary on stdout; returns the
 * exit code (0 committed, 1 internal or I/O failure, 2 usage, 3 input refused). Ignores
 * SIGPIPE from then on; SIGINT, SIGTERM and SIGHUP during the run end the process
 * (eng_outdir_begin). Call it before creating any thread. */
int eng_run(const eng_run_args *args);

#endif
