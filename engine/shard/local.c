/* `slipway run --shards N --work DIR`: the night's tasks as processes of this machine,
 * through the same work folder and files a cluster's jobs use, so that the distributed
 * path is the one every test runs. */
#include "shard.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/outdir.h"
#include "plan.h"
#include "tasks.h"

extern char **environ;

int eng_self_path(char *dst, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", dst, cap - 1);
    if (n <= 0 || (size_t)n >= cap - 1)
        return -1;
    dst[n] = '\0';
    return 0;
}

int eng_shard_check_args(const eng_run_args *a)
{
    const char *const *lists[] = {a->orders, a->returns, a->history};
    const size_t counts[] = {a->n_orders, a->n_returns, a->n_history};
    int stdin_named = strcmp(a->catalog, "-") == 0 || strcmp(a->inventory, "-") == 0 ||
                      (a->policy && strcmp(a->policy, "-") == 0);
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < counts[l]; i++)
            stdin_named |= strcmp(lists[l][i], "-") == 0;
    if (stdin_named) {
        fprintf(stderr, "slipway: --shards reads named files: standard input ('-') cannot be "
                        "shared by separate tasks; save it to a file first\n");
        return 2;
    }
    if (strcmp(a->work, a->out) == 0) {
        fprintf(stderr, "slipway: --work and --out name the same folder; give the tasks' work "
                        "folder a name of its own\n");
        return 2;
    }
    /* refused before any task runs, as a plain run refuses them before reading */
    eng_err err;
    memset(&err, 0, sizeof err);
    if (eng_outdir_check(a->out, &err) != ENG_OK) {
        eng_err_print(&err);
        return eng_rc_exit_code(err.rc);
    }
    struct stat st;
    for (int l = 1; l < 3; l++)
        for (size_t i = 0; i < counts[l]; i++)
            if (stat(lists[l][i], &st) != 0) {
                fprintf(stderr, "slipway: %s: cannot open: %s; check the path and permissions\n",
                        lists[l][i], strerror(errno));
                return 3;
            }
    return -1;
}

/* The tasks running now, for the signal handler to pass a signal on to: a scheduler or
 * `timeout` that stops only this process must not leave them writing the night. */
static volatile pid_t running[ENG_PARTS];
static volatile sig_atomic_t stopped_by;

static void pass_on(int sig)
{
    stopped_by = sig;
    for (size_t i = 0; i < sizeof running / sizeof *running; i++)
        if (running[i] > 0)
            (void)kill(running[i], sig);
}

/* What starts the night's tasks: this program, the work folder, the plan's digest. */
typedef struct task_start {
    const char *self, *work, *digest;
} task_start;

/* Start `slipway task PHASE [INDEX] --work WORK --plan DIGEST [--threads K]` (threads 0:
 * the night's); its pid, or -1 (reason printed). */
static pid_t start_task(const task_start *ts, const char *phase, long index, unsigned threads)
{
    char index_text[24], threads_text[24];
    snprintf(index_text, sizeof index_text, "%ld", index);
    snprintf(threads_text, sizeof threads_text, "%u", threads);
    char *argv[11];
    int n = 0;
    argv[n++] = "slipway";
    argv[n++] = "task";
    argv[n++] = (char *)phase;
    if (index >= 0)
        argv[n++] = index_text;
    argv[n++] = "--work";
    argv[n++] = (char *)ts->work;
    argv[n++] = "--plan";
    argv[n++] = (char *)ts->digest;
    if (threads) {
        argv[n++] = "--threads";
        argv[n++] = threads_text;
    }
    argv[n] = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, ts->self, NULL, NULL, argv, environ);
    if (rc != 0) {
        fprintf(stderr, "slipway: cannot start the %s task: %s\n", phase, strerror(rc));
        return -1;
    }
    return pid;
}

/* The exit code a finished task's status stands for (a signal named on stderr). */
static int task_exit(int status, const char *phase, long index)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        char which[32] = "";
        if (index >= 0)
            snprintf(which, sizeof which, " %ld", index);
        if (!stopped_by)
            fprintf(stderr,
                    "slipway: the %s task%s ended on signal %d (%s): run the night again "
                    "(the same command); tasks already done are kept\n",
                    phase, which, WTERMSIG(status), strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return 1;
}

static int wait_task(pid_t pid, const char *phase, long index)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 1;
    return task_exit(status, phase, index);
}

/* Tasks 0 .. n-1 of phase at once (n == 0: its one task, with no index), each with
 * `threads` (0: the night's), then wait for them all: the first failure's exit code, or
 * 0. */
static int run_phase(const task_start *ts, const char *phase, unsigned n, unsigned threads)
{
    int exit_code = 0;
    unsigned count = n ? n : 1;
    for (unsigned t = 0; t < count && !exit_code && !stopped_by; t++)
        if ((running[t] = start_task(ts, phase, n ? (long)t : -1, threads)) < 0)
            exit_code = 1;
    for (unsigned t = 0; t < count; t++) {
        if (running[t] <= 0)
            continue;
        int code = wait_task(running[t], phase, n ? (long)t : -1);
        running[t] = 0;
        if (code && !exit_code)
            exit_code = code;
    }
    return exit_code;
}

int eng_shard_run_local(const eng_run_args *a, int argc, char **argv)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    int work_fd = -1;
    eng_plan plan;
    memset(&plan, 0, sizeof plan);
    /* The night finished before (the same command, its folder there): nothing to do. */
    if (eng_shard_done_before(a, argc, argv))
        return 0;
    memset(&err, 0, sizeof err);
    int refused = eng_shard_check_args(a);
    if (refused >= 0)
        return refused;
    char self[4096];
    if (eng_self_path(self, sizeof self) != 0) {
        fprintf(stderr, "slipway: cannot find this program's own file (/proc/self/exe) to "
                        "start the tasks\n");
        return 1;
    }
    eng_rc rc = eng_work_open(a->work, 1, &work_fd, &err);
    /* one night at a time in a work folder: the lock lasts as long as this process */
    if (rc == ENG_OK)
        rc = eng_work_lock(work_fd, a->work, &err);
    if (rc == ENG_OK)
        rc = eng_plan_prepare(a, argc, argv, work_fd, a->work, &plan, &err);
    if (rc != ENG_OK) {
        eng_err_print(&err);
        if (work_fd >= 0)
            close(work_fd);
        return eng_rc_exit_code(rc);
    }

    struct sigaction sa, old[3];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = pass_on;
    sigemptyset(&sa.sa_mask);
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &sa, &old[i]);
    /* each phase's tasks all at once (each a process with its own threads), the next
     * phase once every one of them is done */
    /* Tasks running at once share the night's threads: more threads than cores only
     * switch between each other (the map phase of the 5M bench night took 3.55 s with one
     * thread per task on 2 cores, 3.77 s with two). */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned night = a->threads ? a->threads : (cpus > 0 ? (unsigned)cpus : 1),
             each = night / plan.shards ? night / plan.shards : 1;
    task_start ts = {self, a->work, plan.digest};
    int exit_code = run_phase(&ts, "map", plan.shards, each);
    if (!exit_code && !stopped_by)
        exit_code = run_phase(&ts, "group", plan.shards, each);
    if (!exit_code && !stopped_by)
        exit_code = run_phase(&ts, "finish", 0, 0);
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
    if (stopped_by) {
        fprintf(stderr,
                "slipway: interrupted by %s: the tasks were stopped and %s was not written; "
                "the same command goes on from the tasks already done\n",
                strsignal(stopped_by), a->out);
        exit_code = 128 + stopped_by;
    }
    close(work_fd);
    eng_plan_release(&plan);
    return exit_code;
}
