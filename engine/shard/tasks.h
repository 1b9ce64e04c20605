/* What the sharded night's tasks, its local driver and its Slurm scripts share: the work
 * folder, the tasks' .done records, and the night's arguments as a task reads them. */
#ifndef ENG_TASKS_H
#define ENG_TASKS_H

#include <stddef.h>

#include "../../formats/exchange.h"
#include "../record/record.h"
#include "plan.h"
#include "shard.h"

/* A task's results: the files it wrote, each with its size and digest. */
#define ENG_DONE_MAX_FILES (ENG_PARTS + 1)
typedef struct eng_done {
    size_t n;
    fmt_exchange_file files[ENG_DONE_MAX_FILES];
} eng_done;

/* Open the work folder (create: make it first when missing). Never through a link.
 * ENG_USAGE naming it. */
eng_rc eng_work_open(const char *work, int create, int *fd, eng_err *err);

/* Hold the work folder fd for this process alone (the lock ends with it): one command
 * at a time plans a night there. ENG_USAGE naming it when another holds it. */
eng_rc eng_work_lock(int fd, const char *work, eng_err *err);

/* 1, said on stderr, when run a (argv[0 .. argc) as given after `run`) is a night its work
 * folder records done and whose output folder is there: the same command again has
 * nothing to do. */
int eng_shard_done_before(const eng_run_args *a, int argc, char **argv);

/* Open the work folder of an existing night and read its plan: -1, or the exit code with
 * the reason printed (*fd then -1). */
int eng_work_open_plan(const char *work, int *fd, eng_plan *plan);

/* "map-3.done" */
void eng_done_name(char *dst, size_t cap, const char *phase, unsigned task);

/* Record the results of task `task` of phase under the plan's digest (whole or not at
 * all), as "PHASE-TASK.done". */
eng_rc eng_done_write(int work_fd, const char *work, const char *phase, unsigned task,
                      const eng_plan *plan, const eng_done *d, eng_err *err);

/* 1 when `name` records results of this plan whose files are all there at their sizes
 * (d then lists them); 0 for a task still to run (missing, cut short, another plan's). */
int eng_done_read(int work_fd, const char *name, const eng_plan *plan, eng_done *d);

/* The record of file name (its digest and sizes), NULL when d does not list it. */
const fmt_exchange_file *eng_done_file(const eng_done *d, const char *name);

/* The night's arguments into *a (the plan's, parsed as `slipway run` parses them, from the
 * plan's folder, which becomes the working folder): -1, a then owning its arrays
 * (eng_run_args_release); else the exit code, the reason printed. */
int eng_task_args(const eng_plan *plan, eng_run_args_parser parse, eng_run_args *a);

/* -1 when run a can be sharded; else the exit code, the reason printed: a file named '-'
 * (standard input cannot be shared by separate processes), an existing --out. */
int eng_shard_check_args(const eng_run_args *a);

/* 1 when the plan in work_fd is run a's (argv[0 .. argc) as given after `run`) and its
 * finishing task has recorded the night done. */
int eng_plan_done(const eng_run_args *a, int argc, char **argv, int work_fd);

/* 1 when task `task` of phase has run before for plan and its files are whole (it then
 * has nothing to do). */
int eng_task_done_before(int work_fd, const eng_plan *plan, const char *phase, unsigned task);

/* An array of n records (NULL when memory runs out), and its release. */
eng_done **eng_done_array_new(unsigned n);
void eng_done_array_free(eng_done **d, unsigned n);

/* 1 when every task of phase ("map", "group") has recorded its results of plan (done[t]
 * then lists task t's); else 0, with the missing ones named on stderr and what to run
 * `then`. */
int eng_phase_ready(const eng_plan *plan, int work_fd, const char *work, const char *phase,
                    eng_done **done, const char *then);

/* The record of file name in phase task `task`'s results; NULL, with err saying so (and
 * which task to run again), when it has none. */
const fmt_exchange_file *eng_done_listed(eng_done *const *done, const char *work, const char *phase,
                                         unsigned task, const char *name, eng_err *err);

/* The exchange files' names: map task I's facts (bucket < 0) or bucket J, "map-1.bucket-0.zst";
 * group task J's orders, "group-0.orders.zst". */
void eng_map_file_name(char *dst, size_t cap, unsigned task, int bucket);
void eng_group_file_name(char *dst, size_t cap, unsigned bucket);

/* An eng_wire_flush into the exchange file x (fmt_exchange_out). */
eng_rc eng_exchange_flush(void *x, fmt_buf *b, eng_err *err);

/* Every map task's facts (their records in map_done) into a new loader of the night's
 * batches. ENG_REFUSED for a file missing or damaged; ENG_NOMEM. */
struct eng_wire_loader;
eng_rc eng_map_facts_load(const eng_plan *plan, int work_fd, const char *work,
                          eng_done *const *map_done, const eng_setup *setup,
                          struct eng_wire_loader **out, eng_err *err);

/* The phases' tasks (map.c, group.c, finish.c), each with the plan read and the work
 * folder open: the exit code. */
int eng_task_map(const eng_plan *plan, eng_run_args_parser parse, int work_fd, const char *work,
                 unsigned task);
int eng_task_group(const eng_plan *plan, eng_run_args_parser parse, int work_fd, const char *work,
                   unsigned bucket);
int eng_task_finish(const eng_plan *plan, eng_run_args_parser parse, int work_fd, const char *work);

/* This program's own file (to start tasks and name in job scripts): 0, or -1. */
int eng_self_path(char *dst, size_t cap);

#endif
