/* slipway verify: re-read a finished run's outputs and inputs and check every SPEC
 * invariant from the files themselves (README, "slipway verify"). */
#ifndef ENG_VERIFY_H
#define ENG_VERIFY_H

#include <stddef.h>

/* Inputs given on the command line replace those manifest.json names for their role;
 * a role not given is read from the manifest. Arrays and strings are borrowed. */
typedef struct eng_verify_args {
    const char *dir;
    const char *catalog;
    const char *inventory;
    const char *policy;
    const char **orders;
    size_t n_orders;
    const char **returns;
    size_t n_returns;
    const char **history;
    size_t n_history;
    int quiet;    /* only the findings and the verdict line */
    int progress; /* --progress: progress on stderr even when it is no terminal */
} eng_verify_args;

/* Check the run in a->dir, print findings and verdicts on stdout (unreadable files on
 * stderr). Returns the exit code: 0 every invariant that can be checked holds, 4 one is
 * broken, 3 a file could not be read (and nothing was found broken), 1 out of memory. */
int eng_verify_main(const eng_verify_args *a);

#endif
