/* What the tasks of a sharded night (shard.h) share: the work folder, the records of what
 * each has done, the night's arguments. */
#define _DEFAULT_SOURCE /* flock */
#include "shard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/exchange.h"
#include "../../formats/sha256.h"
#include "batch_wire.h"
#include "plan.h"
#include "tasks.h"

/* ---- the work folder ---- */

eng_rc eng_work_open(const char *work, int create, int *fd, eng_err *err)
{
    /* the tasks trust what they find here: the owner's alone, unless made otherwise */
    if (create && mkdir(work, 0700) != 0 && errno != EEXIST) {
        err->sys_errno = errno;
        return ENG_FAIL(err, ENG_USAGE, "cannot create the work folder %s: %s", work,
                        strerror(errno));
    }
    /* never through a link: a planted link would have the tasks write and read elsewhere */
    *fd = open(work, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*fd < 0) {
        int e = errno;
        err->sys_errno = e;
        return ENG_FAIL(err, ENG_USAGE, "cannot open the work folder %s: %s", work,
                        e == ELOOP || e == ENOTDIR ? "it is not a folder (a link is refused)"
                                                   : strerror(e));
    }
    struct stat st;
    if (fstat(*fd, &st) != 0 || (st.st_mode & S_IWOTH)) {
        close(*fd);
        *fd = -1;
        return ENG_FAIL(err, ENG_USAGE,
                        "the work folder %s can be written by anyone, who could then forge the "
                        "tasks' results: give a folder of your own (chmod o-w)",
                        work);
    }
    return ENG_OK;
}

eng_rc eng_work_lock(int fd, const char *work, eng_err *err)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return ENG_OK;
    return ENG_FAIL(err, ENG_USAGE,
                    "another slipway run uses the work folder %s now: wait for it, or give "
                    "this night a work folder of its own",
                    work);
}

int eng_shard_done_before(const eng_run_args *a, int argc, char **argv)
{
    struct stat st;
    int work_fd = -1, done = 0;
    eng_err err;
    memset(&err, 0, sizeof err);
    if (lstat(a->out, &st) == 0 && eng_work_open(a->work, 0, &work_fd, &err) == ENG_OK) {
        done = eng_plan_done(a, argc, argv, work_fd);
        close(work_fd);
    }
    if (done)
        fprintf(stderr, "slipway: the night planned in %s is done: %s is complete\n", a->work,
                a->out);
    return done;
}

int eng_work_open_plan(const char *work, int *fd, eng_plan *plan)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    memset(plan, 0, sizeof *plan);
    *fd = -1;
    eng_rc rc = eng_work_open(work, 0, fd, &err);
    if (rc == ENG_OK)
        rc = eng_plan_read(*fd, work, plan, &err);
    if (rc == ENG_OK)
        return -1;
    eng_err_print(&err);
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    return eng_rc_exit_code(rc);
}

/* ---- .done records ---- */

void eng_done_name(char *dst, size_t cap, const char *phase, unsigned task)
{
    snprintf(dst, cap, "%s-%u.done", phase, task);
}

eng_rc eng_done_write(int work_fd, const char *work, const char *phase, unsigned task,
                      const eng_plan *plan, const eng_done *d, eng_err *err)
{
    char name[FMT_EXCHANGE_NAME_MAX];
    eng_done_name(name, sizeof name, phase, task);
    fmt_buf b;
    fmt_buf_init(&b);
    char line[FMT_EXCHANGE_NAME_MAX + 128];
    fmt_buf_puts(&b, "slipway-done 1\nplan ");
    fmt_buf_puts(&b, plan->digest);
    fmt_buf_putc(&b, '\n');
    for (size_t i = 0; i < d->n; i++) {
        snprintf(line, sizeof line, "file %s %llu %s %llu\n", d->files[i].name,
                 (unsigned long long)d->files[i].bytes, d->files[i].sha256,
                 (unsigned long long)d->files[i].payload);
        fmt_buf_puts(&b, line);
    }
    fmt_buf_puts(&b, "end\n");
    eng_rc rc = b.failed ? ENG_FAIL(err, ENG_NOMEM, "out of memory writing %s", name)
                         : fmt_exchange_write_text(work_fd, work, name, b.p, b.len, err);
    fmt_buf_release(&b);
    return rc;
}

int eng_done_read(int work_fd, const char *name, const eng_plan *plan, eng_done *d)
{
    d->n = 0;
    int fd = openat(work_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return 0;
    }
    char line[FMT_EXCHANGE_NAME_MAX + 160];
    int ok = fgets(line, sizeof line, f) && strcmp(line, "slipway-done 1\n") == 0;
    char digest[80];
    ok = ok && fgets(line, sizeof line, f) && sscanf(line, "plan %64s", digest) == 1 &&
         strcmp(digest, plan->digest) == 0;
    int ended = 0;
    while (ok && !ended && fgets(line, sizeof line, f)) {
        if (strcmp(line, "end\n") == 0) {
            ended = 1;
            break;
        }
        if (d->n == ENG_DONE_MAX_FILES) {
            ok = 0;
            break;
        }
        fmt_exchange_file *x = &d->files[d->n];
        unsigned long long bytes, payload;
        char fname[FMT_EXCHANGE_NAME_MAX], sha[80];
        if (sscanf(line, "file %63s %llu %64s %llu", fname, &bytes, sha, &payload) != 4 ||
            strlen(sha) != 64) {
            ok = 0;
            break;
        }
        snprintf(x->name, sizeof x->name, "%s", fname);
        memcpy(x->sha256, sha, 65);
        x->bytes = bytes;
        x->payload = payload;
        /* the files it names are there, whole: a cheap look; readers check the digest */
        struct stat st;
        ok = fstatat(work_fd, x->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
             (uint64_t)st.st_size == bytes;
        d->n++;
    }
    fclose(f);
    return ok && ended;
}

const fmt_exchange_file *eng_done_file(const eng_done *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->files[i].name, name) == 0)
            return &d->files[i];
    return NULL;
}

int eng_plan_done(const eng_run_args *a, int argc, char **argv, int work_fd)
{
    eng_plan plan;
    if (!eng_plan_is_this(a, argc, argv, work_fd, &plan))
        return 0;
    int done = eng_task_done_before(work_fd, &plan, "finish", 0);
    eng_plan_release(&plan);
    return done;
}

/* ---- the night's arguments on a node ---- */

int eng_task_args(const eng_plan *plan, eng_run_args_parser parse, eng_run_args *a)
{
    memset(a, 0, sizeof *a);
    if (chdir(plan->cwd) != 0) {
        fprintf(stderr,
                "slipway: cannot enter %s, the folder the night's files are named from: %s "
                "(every node must see it at the same path)\n",
                plan->cwd, strerror(errno));
        return 2;
    }
    char **argv = calloc(plan->n_args + 3, sizeof *argv);
    if (!argv) {
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    argv[0] = "slipway";
    argv[1] = "run";
    for (size_t i = 0; i < plan->n_args; i++)
        argv[i + 2] = plan->args[i];
    int rc = parse((int)plan->n_args + 2, argv, 2, a);
    free(argv); /* a points at the plan's strings, not into argv */
    /* Without --threads, a job uses the CPUs Slurm gave it, not every CPU of its node. */
    int threads_given = 0;
    for (size_t i = 0; i < plan->n_args; i++)
        threads_given |= strncmp(plan->args[i], "--threads", 9) == 0;
    const char *slurm_cpus = getenv("SLURM_CPUS_PER_TASK");
    long cpus = slurm_cpus ? strtol(slurm_cpus, NULL, 10) : 0;
    if (rc < 0 && !threads_given && cpus >= 1 && cpus <= 1024)
        a->threads = (unsigned)cpus;
    if (rc < 0 && plan->task_threads)
        a->threads = plan->task_threads; /* threads change no output */
    return rc;
}

/* ---- .done records, checked ---- */

/* Every file of d is there with the digest recorded: a task asked to run again after a
 * reader found one damaged (same size, other bytes) runs, instead of taking its record's
 * word. */
static int done_intact(int work_fd, const eng_done *d)
{
    for (size_t i = 0; i < d->n; i++) {
        char hex[65];
        uint64_t bytes;
        eng_err err;
        memset(&err, 0, sizeof err);
        if (fmt_sha256_file_at(work_fd, d->files[i].name, hex, &bytes, &err) != ENG_OK ||
            strcmp(hex, d->files[i].sha256) != 0)
            return 0;
    }
    return 1;
}

int eng_task_done_before(int work_fd, const eng_plan *plan, const char *phase, unsigned task)
{
    char name[FMT_EXCHANGE_NAME_MAX];
    eng_done_name(name, sizeof name, phase, task);
    eng_done *d = calloc(1, sizeof *d);
    int done = d && eng_done_read(work_fd, name, plan, d) && done_intact(work_fd, d);
    free(d);
    return done;
}

eng_done **eng_done_array_new(unsigned n)
{
    eng_done **d = calloc(n ? n : 1, sizeof *d);
    for (unsigned t = 0; d && t < n; t++)
        if (!(d[t] = calloc(1, sizeof **d))) {
            eng_done_array_free(d, t);
            return NULL;
        }
    return d;
}

void eng_done_array_free(eng_done **d, unsigned n)
{
    for (unsigned t = 0; d && t < n; t++)
        free(d[t]);
    free(d);
}

int eng_phase_ready(const eng_plan *plan, int work_fd, const char *work, const char *phase,
                    eng_done **done, const char *then)
{
    size_t missing = 0, at = 0;
    char msg[200];
    msg[0] = '\0';
    for (unsigned t = 0; t < plan->shards; t++) {
        char name[FMT_EXCHANGE_NAME_MAX];
        eng_done_name(name, sizeof name, phase, t);
        if (eng_done_read(work_fd, name, plan, done[t]))
            continue;
        if (missing < 8 && at < sizeof msg)
            at += (size_t)snprintf(msg + at, sizeof msg - at, "%s%s %u", missing ? ", " : "", phase,
                                   t);
        else if (missing == 8 && at < sizeof msg)
            at += (size_t)snprintf(msg + at, sizeof msg - at, ", ...");
        missing++;
    }
    if (!missing)
        return 1;
    fprintf(stderr,
            "slipway: %s holds the results of %u of %u %s tasks; missing: %s. Run them (they "
            "are idempotent) and then %s again\n",
            work, plan->shards - (unsigned)missing, plan->shards, phase, msg, then);
    return 0;
}

const fmt_exchange_file *eng_done_listed(eng_done *const *done, const char *work, const char *phase,
                                         unsigned task, const char *name, eng_err *err)
{
    const fmt_exchange_file *f = eng_done_file(done[task], name);
    if (!f)
        ENG_FAIL(err, ENG_REFUSED, "%s/%s-%u.done does not list %s: run %s task %u again", work,
                 phase, task, name, phase, task);
    return f;
}

void eng_map_file_name(char *dst, size_t cap, unsigned task, int bucket)
{
    if (bucket < 0)
        snprintf(dst, cap, "map-%u.facts.zst", task);
    else
        snprintf(dst, cap, "map-%u.bucket-%d.zst", task, bucket);
}

void eng_group_file_name(char *dst, size_t cap, unsigned bucket)
{
    snprintf(dst, cap, "group-%u.orders.zst", bucket);
}

eng_rc eng_map_facts_load(const eng_plan *plan, int work_fd, const char *work,
                          eng_done *const *map_done, const eng_setup *setup, eng_wire_loader **out,
                          eng_err *err)
{
    unsigned n = plan->shards;
    eng_wire_loader *l = NULL;
    ENG_TRY(eng_wire_loader_new(setup, n, n, &l, err));
    fmt_buf b;
    fmt_buf_init(&b);
    eng_rc rc = ENG_OK;
    for (unsigned t = 0; t < n && rc == ENG_OK; t++) {
        char name[FMT_EXCHANGE_NAME_MAX], what[FMT_EXCHANGE_NAME_MAX + 256];
        eng_map_file_name(name, sizeof name, t, -1);
        snprintf(what, sizeof what, "%s/%s", work, name);
        const fmt_exchange_file *f = eng_done_listed(map_done, work, "map", t, name, err);
        rc = f ? fmt_exchange_read(work_fd, work, name, "map-facts", f->sha256, f->payload, &b, err)
               : ENG_REFUSED;
        if (rc == ENG_OK)
            rc = eng_wire_load_facts(l, t, &b, what, err);
    }
    fmt_buf_release(&b);
    if (rc != ENG_OK) {
        eng_wire_loader_free(l);
        return rc;
    }
    *out = l;
    return ENG_OK;
}

eng_rc eng_exchange_flush(void *x, fmt_buf *b, eng_err *err)
{
    return fmt_exchange_append(x, b, err);
}
