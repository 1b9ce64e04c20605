/* `slipway slurm`: a sharded night as Slurm jobs. The plan and three job scripts go into
 * WORK/slurm (a job array of the map tasks, a job array of the group tasks after them, the
 * finishing task after those, each chained with --dependency=afterok), submitted with
 * sbatch or, with --dry-run, only printed; and `--status` tells where the night stands
 * from the work folder and the queue.
 *
 * Submitting again (the same command) is how a failed or cancelled night goes on: the
 * night's earlier jobs still queued are cancelled (a job whose dependency was cancelled
 * would wait forever), and only the tasks not done are submitted. */
#define _DEFAULT_SOURCE /* realpath */
#include "shard.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../formats/buf.h"
#include "plan.h"
#include "tasks.h"

extern char **environ;

#define MIB (1024.0 * 1024.0)

/* A path an #SBATCH line can hold as it is: Slurm reads those lines without a shell, and
 * a newline in one would end the directives and start a command. */
static int sbatch_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '"' || *s == '\'' || *s == '\\')
            return 0;
    return 1;
}

/* A word for sh, in single quotes. */
static void put_quoted(fmt_buf *b, const char *s)
{
    fmt_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            fmt_buf_puts(b, "'\\''");
        else
            fmt_buf_putc(b, *s);
    }
    fmt_buf_putc(b, '\'');
}

/* Run argv (found on PATH), its stdout into out (NUL-terminated, cut at cap). Its exit
 * status, or -1 when it could not start. */
static int run_capture(char *const argv[], char *out, size_t cap)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    size_t len = 0;
    if (rc == 0) {
        for (;;) {
            char chunk[512];
            ssize_t n = read(pipefd[0], chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            size_t take = (size_t)n < cap - 1 - len ? (size_t)n : cap - 1 - len;
            memcpy(out + len, chunk, take);
            len += take;
        }
    }
    close(pipefd[0]);
    out[len] = '\0';
    if (rc != 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Memory for a task holding `text` bytes of orders: what a night keeps per line of
 * text (about its size; the finishing task's book, a group task's share of it) twice
 * over, for a .zst file's ratio above the estimate's 8 and for the kernel's own, and room
 * for the reference data. */
static unsigned long task_mem_mib(double text)
{
    return 256 + (unsigned long)(3 * text / MIB);
}

/* A job's one command: this program's task, on the work folder, for this plan only. */
static void put_exec(fmt_buf *b, const char *self, const char *task, const char *work,
                     const char *digest)
{
    fmt_buf_puts(b, "exec ");
    put_quoted(b, self);
    fmt_buf_puts(b, " task ");
    fmt_buf_puts(b, task);
    fmt_buf_puts(b, " --work ");
    put_quoted(b, work);
    fmt_buf_puts(b, " --plan ");
    fmt_buf_puts(b, digest);
    fmt_buf_putc(b, '\n');
}

static void script_head(fmt_buf *b, const char *job, const char *work_abs, const char *log,
                        unsigned cpus, unsigned long mem_mib, const char *cwd)
{
    char line[256];
    fmt_buf_puts(b, "#!/bin/sh\n# written by slipway slurm: ");
    fmt_buf_puts(b, job);
    fmt_buf_puts(b, " of the night planned in ");
    fmt_buf_puts(b, work_abs);
    fmt_buf_puts(b, "/plan\n");
    snprintf(line, sizeof line,
             "#SBATCH --job-name=slipway-%s\n#SBATCH --cpus-per-task=%u\n"
             "#SBATCH --mem=%luM\n",
             job, cpus, mem_mib);
    fmt_buf_puts(b, line);
    /* Slurm reads these lines literally: a path with a space cannot be given here */
    fmt_buf_puts(b, "#SBATCH --output=");
    fmt_buf_puts(b, work_abs);
    fmt_buf_puts(b, "/slurm/");
    fmt_buf_puts(b, log);
    fmt_buf_puts(b, "\n#SBATCH --chdir=");
    fmt_buf_puts(b, cwd);
    fmt_buf_putc(b, '\n');
}

typedef struct night {
    eng_plan plan;
    eng_run_args a;
    char work_abs[4096];
    char self[4096];
    int work_fd;
} night;

/* The three job scripts, in the order they run. */
enum { JOB_MAP, JOB_GROUP, JOB_FINISH, N_JOBS };
static const char *const job_names[N_JOBS] = {"map", "group", "finish"};

static int write_scripts(night *n, fmt_buf *scripts, eng_err *err)
{
    const eng_plan *p = &n->plan;
    fmt_buf *map = &scripts[JOB_MAP], *group = &scripts[JOB_GROUP], *finish = &scripts[JOB_FINISH];
    /* A task holds what it parses: its whole files and its part of a shared one; a group
     * task its bucket of every map task's rows (a share of the night); the finishing task
     * the whole night once. */
    double total = 0, most = 0;
    for (size_t f = 0; f < p->n_orders; f++)
        total += (double)eng_plan_text_bytes(p, n->a.orders[f], f);
    unsigned char *mine = calloc(p->n_orders ? p->n_orders : 1, 1);
    if (!mine)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    for (unsigned t = 0; t < p->shards; t++) {
        eng_plan_share(p, n->a.orders, t, mine);
        double share = 0;
        for (size_t f = 0; f < p->n_orders; f++)
            if (mine[f])
                share += (double)eng_plan_text_bytes(p, n->a.orders[f], f) /
                         (mine[f] == ENG_READ_CHUNKS ? (double)p->shards : 1.0);
        most = share > most ? share : most;
    }
    free(mine);
    char range[64];
    snprintf(range, sizeof range, "#SBATCH --array=0-%u\n", p->shards - 1);
    /* each submission's logs apart (%A: the array's job id), so a retry keeps the failure's */
    script_head(map, "map", n->work_abs, "map-%a.job%A.log", n->a.threads, task_mem_mib(most),
                p->cwd);
    fmt_buf_puts(map, range);
    put_exec(map, n->self, "map \"$SLURM_ARRAY_TASK_ID\"", n->work_abs, p->digest);
    script_head(group, "group", n->work_abs, "group-%a.job%A.log", n->a.threads,
                task_mem_mib(total / p->shards), p->cwd);
    fmt_buf_puts(group, range);
    put_exec(group, n->self, "group \"$SLURM_ARRAY_TASK_ID\"", n->work_abs, p->digest);
    script_head(finish, "finish", n->work_abs, "finish.job%j.log", n->a.threads,
                task_mem_mib(total), p->cwd);
    put_exec(finish, n->self, "finish", n->work_abs, p->digest);
    if (map->failed || group->failed || finish->failed)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    int dir = -1;
    if (mkdirat(n->work_fd, "slurm", 0700) != 0 && errno != EEXIST)
        return ENG_FAIL(err, ENG_IO, "cannot create %s/slurm: %s", n->work_abs, strerror(errno));
    dir = openat(n->work_fd, "slurm", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0)
        return ENG_FAIL(err, ENG_IO, "cannot open %s/slurm: %s", n->work_abs, strerror(errno));
    char where[4200];
    snprintf(where, sizeof where, "%s/slurm", n->work_abs);
    eng_rc rc = ENG_OK;
    for (int j = 0; j < N_JOBS && rc == ENG_OK; j++) {
        char name[32];
        snprintf(name, sizeof name, "%s.sh", job_names[j]);
        rc = fmt_exchange_write_text(dir, where, name, scripts[j].p, scripts[j].len, err);
    }
    close(dir);
    return rc;
}

/* The job ids recorded by the last submission, per job script (0 when none). */
static void read_jobs(int work_fd, unsigned long jobs[N_JOBS])
{
    memset(jobs, 0, N_JOBS * sizeof *jobs);
    int fd = openat(work_fd, "slurm/jobs", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return;
    }
    char line[128], word[16];
    unsigned long id;
    while (fgets(line, sizeof line, f))
        for (int j = 0; j < N_JOBS; j++)
            if (sscanf(line, "%15s %lu", word, &id) == 2 && strcmp(word, job_names[j]) == 0)
                jobs[j] = id;
    fclose(f);
}

/* The tasks of phase not done, as Slurm's ranges for --array ("--array=0-31",
 * "--array=1,3-5"), into todo; how many. */
static unsigned tasks_todo(const night *n, const char *phase, fmt_buf *todo)
{
    const eng_plan *p = &n->plan;
    eng_done *d = malloc(sizeof *d);
    unsigned n_todo = 0;
    fmt_buf_puts(todo, "--array=");
    for (unsigned t = 0, first = 0, run = 0; d && t <= p->shards; t++) {
        char name[FMT_EXCHANGE_NAME_MAX], num[32];
        eng_done_name(name, sizeof name, phase, t);
        int todo_t = t < p->shards && !eng_done_read(n->work_fd, name, p, d);
        if (todo_t && !run)
            first = t;
        if (todo_t) {
            run++;
            n_todo++;
            continue;
        }
        if (run) {
            if (run == 1)
                snprintf(num, sizeof num, "%s%u", n_todo > run ? "," : "", first);
            else
                snprintf(num, sizeof num, "%s%u-%u", n_todo > run ? "," : "", first, t - 1);
            fmt_buf_puts(todo, num);
        }
        run = 0;
    }
    if (!d)
        todo->failed = 1;
    free(d);
    fmt_buf_putc(todo, '\0');
    return n_todo;
}

/* sbatch [--array=...] [--dependency=afterok:AFTER] script: the job id, or 0 (said). */
static unsigned long sbatch(const char *array, unsigned long after, const char *script)
{
    char dep[64], out[256];
    snprintf(dep, sizeof dep, "--dependency=afterok:%lu", after);
    char *argv[6];
    int k = 0;
    argv[k++] = "sbatch";
    argv[k++] = "--parsable";
    if (array)
        argv[k++] = (char *)array;
    if (after)
        argv[k++] = dep;
    argv[k++] = (char *)script;
    argv[k] = NULL;
    unsigned long job = 0;
    int rc = run_capture(argv, out, sizeof out);
    if (rc < 0)
        fprintf(stderr, "slipway: cannot run sbatch: is Slurm's client (slurm-client) "
                        "installed and on PATH?\n");
    else if (rc != 0 || sscanf(out, "%lu", &job) != 1)
        fprintf(stderr,
                "slipway: sbatch %s failed (exit status %d, its message above): is this a "
                "Slurm submit host? Submit the same command again once it is fixed\n",
                script, rc);
    return rc == 0 ? job : 0;
}

/* Submit the map and group tasks not done (a list for --array each) and the finishing
 * task, each phase after the one before. */
static int submit(night *n, int dry_run)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    fmt_buf todo[2];
    unsigned n_todo[2];
    for (int j = JOB_MAP; j <= JOB_GROUP; j++) {
        fmt_buf_init(&todo[j]);
        n_todo[j] = tasks_todo(n, job_names[j], &todo[j]);
    }
    if (todo[0].failed || todo[1].failed) {
        fmt_buf_release(&todo[0]);
        fmt_buf_release(&todo[1]);
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    char script[N_JOBS][4200];
    for (int j = 0; j < N_JOBS; j++)
        snprintf(script[j], sizeof script[j], "%s/slurm/%s.sh", n->work_abs, job_names[j]);
    if (dry_run) {
        static const char *const stands_for[N_JOBS] = {"MAP_JOB", "GROUP_JOB", "FINISH_JOB"};
        int before = -1;
        for (int j = 0; j < N_JOBS; j++) {
            if (j < JOB_FINISH && !n_todo[j])
                continue;
            printf("sbatch --parsable%s%s%s%s %s\n", j < JOB_FINISH ? " " : "",
                   j < JOB_FINISH ? todo[j].p : "", before >= 0 ? " --dependency=afterok:" : "",
                   before >= 0 ? stands_for[before] : "", script[j]);
            before = j;
        }
        fmt_buf_release(&todo[0]);
        fmt_buf_release(&todo[1]);
        return 0;
    }
    /* the night's earlier jobs: a job after a cancelled one never runs */
    unsigned long old[N_JOBS];
    read_jobs(n->work_fd, old);
    char ids[N_JOBS][32], out[256];
    char *cancel[N_JOBS + 2];
    int k = 0;
    cancel[k++] = "scancel";
    for (int j = 0; j < N_JOBS; j++)
        if (old[j]) {
            snprintf(ids[j], sizeof ids[j], "%lu", old[j]);
            cancel[k++] = ids[j];
        }
    cancel[k] = NULL;
    if (k > 1)
        (void)run_capture(cancel, out, sizeof out);
    unsigned long job[N_JOBS] = {0}, after = 0;
    int failed = 0;
    for (int j = 0; j < N_JOBS && !failed; j++) {
        if (j < JOB_FINISH && !n_todo[j])
            continue;
        job[j] = sbatch(j < JOB_FINISH ? todo[j].p : NULL, after, script[j]);
        failed = job[j] == 0;
        after = job[j];
    }
    char jobs[160];
    int len = snprintf(jobs, sizeof jobs, "map %lu\ngroup %lu\nfinish %lu\n", job[JOB_MAP],
                       job[JOB_GROUP], job[JOB_FINISH]);
    char where[4200];
    snprintf(where, sizeof where, "%s/slurm", n->work_abs);
    int dir = openat(n->work_fd, "slurm", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0 || fmt_exchange_write_text(dir, where, "jobs", jobs, (size_t)len, &err) != ENG_OK)
        fprintf(stderr, "slipway: warning: cannot record the jobs in %s/jobs: %s\n", where,
                dir < 0 ? strerror(errno) : err.msg);
    if (dir >= 0)
        close(dir);
    if (!failed) {
        for (int j = 0; j < N_JOBS; j++) {
            if (!job[j])
                printf("slipway: every %s task is done\n", job_names[j]);
            else if (j < JOB_FINISH)
                printf("slipway: submitted %s tasks %s as job %lu\n", job_names[j], todo[j].p + 8,
                       job[j]);
            else
                printf("slipway: submitted the finishing task as job %lu (after the others)\n",
                       job[j]);
        }
        printf("  status  slipway slurm --status --work %s\n", n->work_abs);
    }
    fmt_buf_release(&todo[0]);
    fmt_buf_release(&todo[1]);
    return failed ? 1 : 0;
}

static int status(const char *work, eng_run_args_parser parse)
{
    int work_fd;
    eng_plan plan;
    int refused = eng_work_open_plan(work, &work_fd, &plan);
    if (refused >= 0)
        return refused;
    eng_done *d = malloc(sizeof *d);
    unsigned done[2] = {0, 0};
    printf("night planned in %s/plan: %u map and %u group tasks, %zu orders files\n", work,
           plan.shards, plan.shards, plan.n_orders);
    for (int j = JOB_MAP; j <= JOB_GROUP; j++)
        for (unsigned t = 0; d && t < plan.shards; t++) {
            char name[FMT_EXCHANGE_NAME_MAX];
            eng_done_name(name, sizeof name, job_names[j], t);
            int ok = eng_done_read(work_fd, name, &plan, d);
            done[j] += ok;
            uint64_t bytes = 0;
            for (size_t i = 0; ok && i < d->n; i++)
                bytes += d->files[i].bytes;
            if (ok)
                printf("  %-5s %-4u done (%zu file%s, %.1f MB)\n", job_names[j], t, d->n,
                       d->n == 1 ? "" : "s", (double)bytes / 1e6);
            else
                printf("  %-5s %-4u not done\n", job_names[j], t);
        }
    int finished = eng_task_done_before(work_fd, &plan, "finish", 0);
    /* the output folder as the night names it (read from the plan's own folder) */
    eng_run_args a;
    char *here = getcwd(NULL, 0);
    int parsed = eng_task_args(&plan, parse, &a) < 0;
    struct stat st;
    int out_there = parsed && lstat(a.out, &st) == 0;
    char out_dir[4200];
    snprintf(out_dir, sizeof out_dir, "%s%s%s", parsed && a.out[0] != '/' ? plan.cwd : "",
             parsed && a.out[0] != '/' ? "/" : "", parsed ? a.out : "?");
    if (here && chdir(here) != 0)
        perror("slipway: cannot return to the working folder");
    free(here);
    if (parsed)
        eng_run_args_release(&a);
    if (finished && out_there)
        printf("  finish     done: %s is complete\n", out_dir);
    else if (finished)
        printf("  finish     done, but %s is gone: run the night again to write it\n", out_dir);
    else
        printf("  finish     %s (output %s)\n",
               done[JOB_MAP] < plan.shards     ? "waits for the map tasks"
               : done[JOB_GROUP] < plan.shards ? "waits for the group tasks"
                                               : "not done",
               out_dir);
    free(d);
    unsigned long jobs[N_JOBS];
    read_jobs(work_fd, jobs);
    if (jobs[JOB_MAP] || jobs[JOB_GROUP] || jobs[JOB_FINISH]) {
        char ids[96], out[4096], listed[160];
        size_t at = 0, at_listed = 0;
        /* the jobs of the last submission (a phase all done then was not submitted) */
        for (int j = 0; j < N_JOBS; j++)
            if (jobs[j])
                at_listed +=
                    (size_t)snprintf(listed + at_listed, sizeof listed - at_listed, "%s%s %lu",
                                     at_listed ? ", " : "", job_names[j], jobs[j]);
        printf("  jobs       %s\n", listed);
        ids[0] = '\0';
        for (int j = 0; j < N_JOBS; j++)
            if (jobs[j])
                at += (size_t)snprintf(ids + at, sizeof ids - at, "%s%lu", at ? "," : "", jobs[j]);
        char *argv[] = {"squeue", "-h", "-j", ids, "-o", "%i %T %r", NULL};
        if (run_capture(argv, out, sizeof out) == 0) {
            if (!out[0])
                printf("  queue      none of them is queued or running\n");
            for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
                printf("  queue      %s\n", line);
        }
    }
    eng_plan_release(&plan);
    close(work_fd);
    return 0;
}

static const char slurm_help[] =
    "usage: slipway slurm RUN-ARGUMENTS --shards N --work DIR [--dry-run]\n"
    "       slipway slurm --status --work DIR\n"
    "\n"
    "Runs a night on a Slurm cluster as a job array of N map tasks, a job array of N group\n"
    "tasks after them and a finishing task after those (afterok dependencies), each\n"
    "`slipway task` on the work folder DIR, which every node must see at the same path (as\n"
    "the night's files, this program and the folder the command is run from).\n"
    "RUN-ARGUMENTS are those of `slipway run`.\n"
    "  --dry-run   write the plan and the job scripts (DIR/slurm/map.sh, group.sh,\n"
    "              finish.sh) and print the sbatch commands instead of running them\n"
    "  --status    where the night in DIR stands: each task done or not, and its jobs in\n"
    "              the queue\n"
    "The same command again goes on with a failed or cancelled night: the night's earlier\n"
    "jobs still queued are cancelled and only the tasks not done are submitted.\n"
    "Exit status: 0 submitted (or printed); 1 sbatch failed; 2 usage; 3 input refused.\n";

int eng_shard_slurm(int argc, char **argv, eng_run_args_parser parse)
{
    int dry_run = 0, want_status = 0;
    const char *work = NULL;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) {
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    int n_rest = 0;
    rest[n_rest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(slurm_help, stdout);
            free(rest);
            return 0;
        }
        if (strcmp(argv[i], "--dry-run") == 0)
            dry_run = 1;
        else if (strcmp(argv[i], "--status") == 0)
            want_status = 1;
        else
            rest[n_rest++] = argv[i];
        if (strcmp(argv[i], "--work") == 0 && i + 1 < argc)
            work = argv[i + 1];
        else if (strncmp(argv[i], "--work=", 7) == 0)
            work = argv[i] + 7;
        if (strcmp(argv[i], "--") == 0) {
            while (++i < argc)
                rest[n_rest++] = argv[i];
        }
    }
    if (want_status) {
        int alone = n_rest >= 2 && n_rest == (strncmp(rest[1], "--work=", 7) == 0 ? 2 : 3);
        free(rest);
        if (!work || !alone) {
            fprintf(stderr, "slipway: slurm --status takes --work DIR alone\n"
                            "Try 'slipway slurm --help'.\n");
            return 2;
        }
        return status(work, parse);
    }
    night n;
    memset(&n, 0, sizeof n);
    n.work_fd = -1;
    int rc = parse(n_rest, rest, 1, &n.a);
    if (rc < 0 && !n.a.shards) {
        fprintf(stderr, "slipway: slurm needs --shards N and --work DIR\n"
                        "Try 'slipway slurm --help'.\n");
        rc = 2;
    }
    /* a night done before, submitted again: nothing to do, as `run --shards` says */
    if (rc < 0 && eng_shard_done_before(&n.a, n_rest - 1, rest + 1))
        rc = 0;
    if (rc < 0)
        rc = eng_shard_check_args(&n.a);
    if (rc < 0 && eng_self_path(n.self, sizeof n.self) != 0) {
        fprintf(stderr, "slipway: cannot find this program's own file (/proc/self/exe)\n");
        rc = 1;
    }
    eng_err err;
    memset(&err, 0, sizeof err);
    if (rc < 0) {
        eng_rc erc = eng_work_open(n.a.work, 1, &n.work_fd, &err);
        /* no plan rewritten under a night a local run is doing now */
        if (erc == ENG_OK)
            erc = eng_work_lock(n.work_fd, n.a.work, &err);
        if (erc == ENG_OK && !realpath(n.a.work, n.work_abs))
            erc = ENG_FAIL(&err, ENG_IO, "cannot resolve %s: %s", n.a.work, strerror(errno));
        char here[4096];
        const char *bad = erc != ENG_OK                ? NULL
                          : !sbatch_safe(n.work_abs)   ? n.work_abs
                          : !getcwd(here, sizeof here) ? "."
                          : !sbatch_safe(here)         ? here
                                                       : NULL;
        if (bad)
            erc = ENG_FAIL(&err, ENG_USAGE,
                           "the folder %s has a space, quote or control character in its "
                           "path, which a job script's #SBATCH lines cannot hold: run from "
                           "and give folders whose paths have none",
                           bad);
        if (erc == ENG_OK)
            erc = eng_plan_prepare(&n.a, n_rest - 1, rest + 1, n.work_fd, n.a.work, &n.plan, &err);
        fmt_buf scripts[N_JOBS];
        for (int j = 0; j < N_JOBS; j++)
            fmt_buf_init(&scripts[j]);
        if (erc == ENG_OK)
            erc = write_scripts(&n, scripts, &err);
        for (int j = 0; j < N_JOBS && erc == ENG_OK && dry_run; j++)
            printf("# %s/slurm/%s.sh\n%.*s\n", n.work_abs, job_names[j], (int)scripts[j].len,
                   scripts[j].p);
        for (int j = 0; j < N_JOBS; j++)
            fmt_buf_release(&scripts[j]);
        if (erc != ENG_OK) {
            eng_err_print(&err);
            rc = eng_rc_exit_code(erc);
        } else {
            rc = submit(&n, dry_run);
        }
    }
    eng_plan_release(&n.plan);
    eng_run_args_release(&n.a);
    if (n.work_fd >= 0)
        close(n.work_fd);
    free(rest);
    return rc;
}
