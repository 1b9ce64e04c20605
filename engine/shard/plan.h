/* A sharded night's plan: the file `plan` at the top of its work folder, written once by
 * `slipway run --shards` or `slipway slurm` and read by every task, on whatever node.
 *
 * It holds what makes every task do its part of the same night: the run's arguments and
 * the folder they are relative to, the number of shards, the key the map tasks' row
 * digests share, and the size and modification time of every orders file, so that a task
 * finding a file changed refuses instead of mixing two versions of it. Its SHA-256 names
 * the night: a task's record of its results (its `.done` file) carries it, and a result of
 * another plan is not taken for one of this plan's. */
#ifndef ENG_PLAN_H
#define ENG_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/siphash.h"
#include "../core/err.h"
#include "../setup/setup.h"

typedef struct eng_plan_input {
    uint64_t size;
    int64_t mtime_s, mtime_ns;
} eng_plan_input;

typedef struct eng_plan {
    unsigned shards;
    eng_sip_key key;
    char *cwd;
    char **args; /* the run's arguments, without --shards and --work */
    size_t n_args;
    /* per input every task reads: the orders files in --orders order (n_orders of them),
     * then the catalog, inventory, policy and mapping files given */
    eng_plan_input *inputs;
    size_t n_inputs, n_orders;
    char digest[65]; /* SHA-256 of the plan file */
    /* not in the file: this task's threads when its command gives them (`task --threads`,
     * the local driver's share of the machine for tasks running at once), else 0 */
    unsigned task_threads;
} eng_plan;

void eng_plan_release(eng_plan *p);

/* The plan for run a (whose arguments are argv[0 .. argc), as given after `run`), written
 * to work_fd/plan unless the plan there is this one already (then it is read back, key
 * and all, so the tasks already done stay valid). ENG_USAGE, ENG_REFUSED (an orders file
 * cannot be read), ENG_IO, ENG_NOMEM. */
eng_rc eng_plan_prepare(const eng_run_args *a, int argc, char **argv, int work_fd, const char *work,
                        eng_plan *out, eng_err *err);

/* 1 when the plan in work_fd is run a's (argv[0 .. argc) as given after `run`), the
 * same night with the same files: *out then holds it (key and digest). */
int eng_plan_is_this(const eng_run_args *a, int argc, char **argv, int work_fd, eng_plan *out);

/* Read work_fd/plan. ENG_REFUSED when missing, not a plan, or another version's. */
eng_rc eng_plan_read(int work_fd, const char *work, eng_plan *out, eng_err *err);

/* The text orders file f (at path, as the run names it) holds, estimated from its size: a
 * .zst file about 8 times. */
uint64_t eng_plan_text_bytes(const eng_plan *p, const char *path, size_t f);

/* How map task `task` reads each orders file (mine[f]: ENG_READ_NONE, ENG_READ_ALL, or
 * ENG_READ_CHUNKS, eng_setup.read_files), orders[f] being their paths as the run names
 * them: a file holding more text than the whole's share of a task is parsed by every
 * task, a chunk each in turn; the others are dealt, the most text first, each to the
 * task with the least text so far (the lower index on a tie). */
void eng_plan_share(const eng_plan *p, const char **orders, unsigned task, unsigned char *mine);

/* ENG_REFUSED, naming it, when an input of run a (an orders file with mine[f] set, or
 * every one when mine is NULL; the reference files always) is no longer the size and age
 * the plan says, or when a does not name the inputs the plan lists. */
eng_rc eng_plan_check_inputs(const eng_plan *p, const eng_run_args *a, const unsigned char *mine,
                             eng_err *err);

#endif
