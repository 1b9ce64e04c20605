/* `slipway task PHASE [INDEX] --work DIR`: one task of a sharded night (shard.h), the
 * command the job scripts and the local driver start. */
#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"
#include "tasks.h"

static const char task_help[] =
    "usage: slipway task map I --work DIR [--plan SHA256] [--threads K]\n"
    "       slipway task group J --work DIR [--plan SHA256] [--threads K]\n"
    "       slipway task finish --work DIR [--plan SHA256] [--threads K]\n"
    "\n"
    "One task of a sharded night whose plan is in DIR (written by `slipway run --shards`\n"
    "or `slipway slurm`); the job scripts call it. map I reads map task I's share of the\n"
    "orders files and cuts its rows into buckets by order id; group J groups bucket J's\n"
    "rows from every map task into orders and checks them; finish puts every group\n"
    "task's orders together, allocates stock and writes the night's output folder. A task\n"
    "run again does nothing once its results are in.\n"
    "  --plan SHA256  refuse unless DIR/plan is still that plan (its digest): a task\n"
    "                 started for one night never does its part of another\n"
    "  --threads K    this task's threads (default: the night's --threads, else the\n"
    "                 CPUs Slurm gave the job, else every CPU); no output changes\n";

int eng_shard_task(int argc, char **argv, eng_run_args_parser parse)
{
    const char *phase = NULL, *index = NULL, *work = NULL, *digest = NULL, *threads = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(task_help, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--work") == 0 && i + 1 < argc)
            work = argv[++i];
        else if (strncmp(argv[i], "--work=", 7) == 0)
            work = argv[i] + 7;
        else if (strcmp(argv[i], "--plan") == 0 && i + 1 < argc)
            digest = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = argv[++i];
        else if (!phase)
            phase = argv[i];
        else if (!index)
            index = argv[i];
        else
            phase = "";
    }
    int is_map = phase && strcmp(phase, "map") == 0,
        is_group = phase && strcmp(phase, "group") == 0,
        is_finish = phase && strcmp(phase, "finish") == 0;
    char *end = NULL;
    unsigned long task = index && index[0] >= '0' && index[0] <= '9' ? strtoul(index, &end, 10) : 0;
    if (!work || !(is_map || is_group || is_finish) || ((is_map || is_group) && (!end || *end)) ||
        (is_finish && index)) {
        fprintf(stderr, "slipway: task: give map I, group J or finish, and --work DIR\n"
                        "Try 'slipway task --help'.\n");
        return 2;
    }
    char *threads_end = NULL;
    long task_threads = threads ? strtol(threads, &threads_end, 10) : 0;
    if (threads &&
        (threads_end == threads || *threads_end || task_threads < 1 || task_threads > 1024)) {
        fprintf(stderr, "slipway: task: --threads takes a number from 1 to 1024, not '%s'\n",
                threads);
        return 2;
    }
    if (digest && (strlen(digest) != 64 || strspn(digest, "0123456789abcdef") != 64)) {
        fprintf(stderr,
                "slipway: task: --plan takes the plan's SHA-256 (64 hex digits, as the "
                "job scripts give it), not '%s'\n",
                digest);
        return 2;
    }
    int work_fd;
    eng_plan plan;
    int exit_code = eng_work_open_plan(work, &work_fd, &plan);
    plan.task_threads = (unsigned)task_threads;
    if (exit_code >= 0)
        return exit_code;
    if (digest && strcmp(digest, plan.digest) != 0) {
        /* started for one night, it would do its part of another */
        fprintf(stderr,
                "slipway: %s/plan is no longer the plan this task was started for (another "
                "night was planned in the folder since): run the night again\n",
                work);
        exit_code = 3;
    } else if (!is_finish && task >= plan.shards) {
        fprintf(stderr, "slipway: the night in %s has %s tasks 0 to %u, not %lu\n", work, phase,
                plan.shards - 1, task);
        exit_code = 2;
    } else if (is_map) {
        exit_code = eng_task_map(&plan, parse, work_fd, work, (unsigned)task);
    } else if (is_group) {
        exit_code = eng_task_group(&plan, parse, work_fd, work, (unsigned)task);
    } else {
        exit_code = eng_task_finish(&plan, parse, work_fd, work);
    }
    eng_plan_release(&plan);
    close(work_fd);
    return exit_code;
}
