/* A night split into tasks that hand each other files in a shared work folder, so that it
 * can run as separate processes on one machine or as jobs on a cluster (README, "Running
 * on a cluster"), with the bytes a single `slipway run` writes.
 *
 *   map i     (i < N) reads its share of the orders files, checks every row, and writes
 *             the rows cut into N buckets by order identity (map-i.bucket-j.zst) and what
 *             it found about its files (map-i.facts.zst), then map-i.done (map.c)
 *   group j   (j < N) takes bucket j of every map task, groups its rows into orders and
 *             checks them as the orders stage does, and writes them with their rows'
 *             final flags and exceptions (group-j.orders.zst), then group-j.done (group.c)
 *   finish    puts the night's book back together from every group task's file (refusing
 *             an incomplete set, naming what is missing) and runs the rest of the night:
 *             returns and history, allocation, outputs, into --out, atomically (finish.c)
 *
 * Each task is idempotent: its results appear whole (written aside, then renamed) and are
 * recorded with their SHA-256 in its .done file under the plan's digest; run again, a task
 * whose results are all there and of this plan does nothing, and one cut short starts
 * over. */
#ifndef ENG_SHARD_H
#define ENG_SHARD_H

#include "../setup/setup.h"

/* `slipway run ... --shards N --work DIR`: write the plan, run the N map tasks at once,
 * then the N group tasks at once, then the finishing task, each as a process of its own
 * through the work folder. argv[0
 * .. argc) are run's arguments. Returns the exit code (the failing task's). */
int eng_shard_run_local(const eng_run_args *a, int argc, char **argv);

/* How `slipway run` reads its arguments (the command line's parser, eng_cli_run_args,
 * handed down so that the tasks read the plan's arguments exactly as the command line's
 * without this module reaching up into the command line's): -1 to go on, else the exit
 * code, the reason printed; a then owns its arrays (eng_run_args_release). */
typedef int (*eng_run_args_parser)(int argc, char **argv, int first, eng_run_args *a);

/* `slipway task map I --work DIR`, `slipway task group J --work DIR` and `slipway task
 * finish --work DIR`: one task of the plan in DIR (argv[0] is "task"). Returns the exit
 * code. */
int eng_shard_task(int argc, char **argv, eng_run_args_parser parse);

/* `slipway slurm ...` (argv[0] is "slurm"): the night as Slurm jobs (slurm.c). Returns the
 * exit code. */
int eng_shard_slurm(int argc, char **argv, eng_run_args_parser parse);

#endif
