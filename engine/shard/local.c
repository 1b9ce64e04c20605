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
    /* refused before any task runs, as a plain run refuses it before reading */
    struct stat st;
    if (lstat(a->out, &st) == 0) {
        fprintf(stderr, "slipway: output folder %s already exists; choose a new one or remove it\n",
                a->out);
        return 2;
    }
    return -1;
}

/* Start `slipway task PHASE [INDEX] --work WORK`; its pid, or -1 (reason printed). */
static pid_t start_task(const char *self, const char *phase, long index, const char *work)
{
    char index_text[24];
    snprintf(index_text, sizeof index_text, "%ld", index);
    char *argv[7];
    int n = 0;
    argv[n++] = "slipway";
    argv[n++] = "task";
    argv[n++] = (char *)phase;
    if (index >= 0)
        argv[n++] = index_text;
    argv[n++] = "--work";
    argv[n++] = (char *)work;
    argv[n] = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, self, NULL, NULL, argv, environ);
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
        fprintf(stderr,
                "slipway: the %s task%s ended on signal %d (%s): run the night again "
                "(the same command); tasks already done are kept\n",
                phase, which, WTERMSIG(status), strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return 1;
}

int eng_shard_run_local(const eng_run_args *a, int argc, char **argv)
{
    int refused = eng_shard_check_args(a);
    if (refused >= 0)
        return refused;
    char self[4096];
    if (eng_self_path(self, sizeof self) != 0) {
        fprintf(stderr, "slipway: cannot find this program's own file (/proc/self/exe) to "
                        "start the tasks\n");
        return 1;
    }
    eng_err err;
    memset(&err, 0, sizeof err);
    int work_fd = -1;
    eng_plan plan;
    memset(&plan, 0, sizeof plan);
    eng_rc rc = eng_work_open(a->work, 1, &work_fd, &err);
    if (rc == ENG_OK)
        rc = eng_plan_prepare(a, argc, argv, work_fd, a->work, &plan, &err);
    if (rc != ENG_OK) {
        eng_err_print(&err);
        if (work_fd >= 0)
            close(work_fd);
        return eng_rc_exit_code(rc);
    }
    close(work_fd);

    int exit_code = 0;
    pid_t *pids = calloc(plan.shards, sizeof *pids);
    if (!pids) {
        fprintf(stderr, "slipway: out of memory\n");
        exit_code = 1;
    }
    /* every map task at once: each is a process with its own threads */
    for (unsigned t = 0; t < plan.shards && !exit_code; t++)
        if ((pids[t] = start_task(self, "map", (long)t, a->work)) < 0)
            exit_code = 1;
    for (unsigned t = 0; pids && t < plan.shards; t++) {
        if (pids[t] <= 0)
            continue;
        int status;
        while (waitpid(pids[t], &status, 0) < 0 && errno == EINTR)
            ;
        int code = task_exit(status, "map", (long)t);
        if (code && !exit_code)
            exit_code = code;
    }
    free(pids);
    if (!exit_code) {
        pid_t pid = start_task(self, "finish", -1, a->work);
        if (pid < 0) {
            exit_code = 1;
        } else {
            int status;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            exit_code = task_exit(status, "finish", -1);
        }
    }
    eng_plan_release(&plan);
    return exit_code;
}
