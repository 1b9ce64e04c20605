/* The command line (SPEC "Command line"): subcommands, flags, help texts. */
#ifndef ENG_CLI_H
#define ENG_CLI_H

#include "setup/setup.h"

/* Parse argv and run the command. Returns the process exit code. */
int eng_cli_main(int argc, char **argv);

/* Parse `slipway run`'s arguments argv[first .. argc) into *a (which then owns its orders,
 * returns and history arrays: eng_run_args_release). -1 when the run is to go on; else
 * the exit code, its message printed (a usage error, or 0 after --help). The sharded
 * night's tasks are handed it (eng_run_args_parser) to read their plan's arguments. */
int eng_cli_run_args(int argc, char **argv, int first, eng_run_args *a);

#endif
