/* The tasks of a sharded night (shard.h) and the records of what each has done. */
#include "shard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/exchange.h"
#include "../../formats/sha256.h"
#include "../intake/ingest.h"
#include "../run.h"
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

eng_rc eng_done_write(int work_fd, const char *work, const char *name, const eng_plan *plan,
                      const eng_done *d, eng_err *err)
{
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

int eng_finish_recorded(int work_fd, const eng_plan *plan)
{
    eng_done *d = calloc(1, sizeof *d);
    char name[FMT_EXCHANGE_NAME_MAX];
    eng_done_name(name, sizeof name, "finish", 0);
    int done = d && eng_done_read(work_fd, name, plan, d);
    free(d);
    return done;
}

int eng_plan_done(const eng_run_args *a, int argc, char **argv, int work_fd)
{
    eng_plan plan;
    if (!eng_plan_is_this(a, argc, argv, work_fd, &plan))
        return 0;
    int done = eng_finish_recorded(work_fd, &plan);
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
    return rc;
}

/* ---- map ---- */

/* Every file of a task's record has the digest recorded: a map task asked to run again
 * after a reader found one damaged (same size, other bytes) runs, instead of taking its
 * record's word. */
static int done_files_intact(int work_fd, const eng_done *d)
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

static void file_name(char *dst, size_t cap, unsigned task, const char *what, int bucket)
{
    if (bucket < 0)
        snprintf(dst, cap, "map-%u.%s.zst", task, what);
    else
        snprintf(dst, cap, "map-%u.%s-%d.zst", task, what, bucket);
}

typedef struct map_out {
    const eng_batches *bs;
    const eng_plan *plan;
    unsigned task;
    int work_fd;
    const char *work;
    eng_done *done; /* files[1 + j]: bucket j's */
} map_out;

static eng_rc flush_bucket(void *ctx, fmt_buf *b, eng_err *err)
{
    return fmt_exchange_append(ctx, b, err);
}

/* Encode and write bucket j, a MB at a time: one pool task per bucket. */
static eng_rc write_bucket(void *ctx, size_t j, unsigned worker, eng_err *err)
{
    (void)worker;
    const map_out *m = ctx;
    char name[FMT_EXCHANGE_NAME_MAX];
    file_name(name, sizeof name, m->task, "bucket", (int)j);
    fmt_exchange_out *x = NULL;
    ENG_TRY(fmt_exchange_create(m->work_fd, m->work, name, "map-bucket", &x, err));
    fmt_buf b;
    fmt_buf_init(&b);
    eng_rc rc = eng_wire_put_bucket(m->bs, (unsigned)j, m->plan->shards, &b, flush_bucket, x, err);
    if (rc == ENG_OK)
        rc = fmt_exchange_append(x, &b, err);
    fmt_buf_release(&b);
    if (rc != ENG_OK) {
        fmt_exchange_abandon(x);
        return rc;
    }
    return fmt_exchange_finish(x, &m->done->files[1 + j], err);
}

static eng_rc write_map_results(const eng_setup *setup, const eng_batches *bs,
                                const unsigned char *mine, const eng_plan *plan, unsigned task,
                                int work_fd, const char *work, eng_err *err)
{
    eng_done *d = calloc(1, sizeof *d);
    if (!d)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    fmt_buf b;
    fmt_buf_init(&b);
    eng_wire_put_facts(setup, bs, mine, &b);
    char name[FMT_EXCHANGE_NAME_MAX];
    file_name(name, sizeof name, task, "facts", -1);
    eng_rc rc = fmt_exchange_write(work_fd, work, name, "map-facts", &b, &d->files[0], err);
    fmt_buf_release(&b);
    map_out m = {bs, plan, task, work_fd, work, d};
    if (rc == ENG_OK)
        rc = eng_pool_for(setup->pool, plan->shards, write_bucket, &m, err);
    d->n = 1 + plan->shards;
    /* Test hook (tests/slurm.sh): SLIPWAY_TEST_MAP_HOLD=I:S holds map task I for S seconds
     * between its files and its record of them, so that a test can cancel it mid-way. */
    const char *hold = getenv("SLIPWAY_TEST_MAP_HOLD");
    unsigned hold_task, hold_seconds;
    if (rc == ENG_OK && hold && sscanf(hold, "%u:%u", &hold_task, &hold_seconds) == 2 &&
        hold_task == task)
        sleep(hold_seconds);
    if (rc == ENG_OK) {
        eng_done_name(name, sizeof name, "map", task);
        rc = eng_done_write(work_fd, work, name, plan, d, err);
    }
    free(d);
    return rc;
}

static int task_map(const eng_plan *plan, eng_run_args_parser parse, int work_fd, const char *work,
                    unsigned task)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    char done_name[FMT_EXCHANGE_NAME_MAX];
    eng_done_name(done_name, sizeof done_name, "map", task);
    eng_done *d = calloc(1, sizeof *d);
    if (d && eng_done_read(work_fd, done_name, plan, d) && done_files_intact(work_fd, d)) {
        free(d);
        return 0; /* run before, whole: nothing to do */
    }
    free(d);
    eng_run_args a;
    int exit_code = eng_task_args(plan, parse, &a);
    if (exit_code >= 0)
        return exit_code;
    a.no_output = 1;
    unsigned char *mine = calloc(a.n_orders ? a.n_orders : 1, 1);
    eng_setup *setup = NULL;
    eng_batches *bs = NULL;
    eng_rc rc = mine ? ENG_OK : ENG_FAIL(&err, ENG_NOMEM, "out of memory");
    /* the plan's list of files checked against its arguments before it is dealt */
    if (rc == ENG_OK)
        rc = eng_plan_check_inputs(plan, &a, NULL, &err);
    if (rc == ENG_OK)
        eng_plan_share(plan, task, mine);
    if (rc == ENG_OK)
        rc = eng_setup_new(&a, &setup, eng_err_fresh(&err));
    if (rc == ENG_OK) {
        setup->read_files = mine;
        setup->chunk_stride = plan->shards;
        setup->chunk_slot = task;
        setup->dup_key = &plan->key;
        rc = eng_batches_read(setup, NULL, &bs, eng_err_fresh(&err));
    }
    if (rc == ENG_OK)
        rc = write_map_results(setup, bs, mine, plan, task, work_fd, work, eng_err_fresh(&err));
    if (rc != ENG_OK)
        eng_err_print(&err);
    eng_batches_free(bs);
    eng_setup_free(setup);
    free(mine);
    eng_run_args_release(&a);
    return rc == ENG_OK ? 0 : eng_rc_exit_code(rc);
}

/* ---- finish ---- */

typedef struct finish_ctx {
    const eng_plan *plan;
    int work_fd;
    const char *work;
    eng_done **map_done; /* per map task */
    eng_wire_loader *loader;
} finish_ctx;

/* Map task `task`'s record of file name; NULL, with err saying so, when it has none. */
static const fmt_exchange_file *listed(const finish_ctx *c, unsigned task, const char *name,
                                       eng_err *err)
{
    const fmt_exchange_file *f = eng_done_file(c->map_done[task], name);
    if (!f)
        ENG_FAIL(err, ENG_REFUSED, "%s/map-%u.done does not list %s: run map task %u again",
                 c->work, task, name, task);
    return f;
}

static eng_rc read_exchange(const finish_ctx *c, unsigned task, const char *name, const char *kind,
                            fmt_buf *payload, eng_err *err)
{
    const fmt_exchange_file *f = listed(c, task, name, err);
    if (!f)
        return ENG_REFUSED;
    return fmt_exchange_read(c->work_fd, c->work, name, kind, f->sha256, f->payload, payload, err);
}

static eng_rc load_bucket(void *ctx, size_t j, unsigned worker, eng_err *err)
{
    (void)worker;
    const finish_ctx *c = ctx;
    eng_rc rc = ENG_OK;
    for (unsigned t = 0; t < c->plan->shards && rc == ENG_OK; t++) {
        char name[FMT_EXCHANGE_NAME_MAX], what[FMT_EXCHANGE_NAME_MAX + 256];
        file_name(name, sizeof name, t, "bucket", (int)j);
        snprintf(what, sizeof what, "%s/%s", c->work, name);
        const fmt_exchange_file *f = listed(c, t, name, err);
        if (!f)
            return ENG_REFUSED;
        fmt_exchange_in *x = NULL;
        rc = fmt_exchange_open(c->work_fd, c->work, name, "map-bucket", f->sha256, &x, err);
        if (rc == ENG_OK)
            rc = eng_wire_load_bucket(c->loader, t, (unsigned)j, x, what, err);
        if (rc == ENG_OK)
            rc = fmt_exchange_finish_in(x, err);
        else
            fmt_exchange_close_in(x);
    }
    return rc;
}

static eng_rc load_from_work(const eng_setup *setup, void *ctx, eng_batches **out, eng_err *err)
{
    finish_ctx *c = ctx;
    unsigned n = c->plan->shards;
    ENG_TRY(eng_wire_loader_new(setup, n, n, &c->loader, err));
    fmt_buf b;
    fmt_buf_init(&b);
    eng_rc rc = ENG_OK;
    for (unsigned t = 0; t < n && rc == ENG_OK; t++) {
        char name[FMT_EXCHANGE_NAME_MAX], what[FMT_EXCHANGE_NAME_MAX + 256];
        file_name(name, sizeof name, t, "facts", -1);
        snprintf(what, sizeof what, "%s/%s", c->work, name);
        rc = read_exchange(c, t, name, "map-facts", &b, err);
        if (rc == ENG_OK)
            rc = eng_wire_load_facts(c->loader, t, &b, what, err);
    }
    fmt_buf_release(&b);
    if (rc == ENG_OK)
        rc = eng_pool_for(setup->pool, n, load_bucket, c, err);
    if (rc == ENG_OK)
        rc = eng_wire_loader_take(c->loader, out, err);
    eng_wire_loader_free(c->loader);
    c->loader = NULL;
    return rc;
}

/* The map tasks whose results are missing, listed into msg; 0 when none is. */
static size_t missing_maps(const eng_plan *plan, int work_fd, eng_done **done, char *msg,
                           size_t cap)
{
    size_t missing = 0, at = 0;
    msg[0] = '\0';
    for (unsigned t = 0; t < plan->shards; t++) {
        char name[FMT_EXCHANGE_NAME_MAX];
        eng_done_name(name, sizeof name, "map", t);
        if (eng_done_read(work_fd, name, plan, done[t]))
            continue;
        if (missing < 8 && at < cap)
            at += (size_t)snprintf(msg + at, cap - at, "%smap %u", missing ? ", " : "", t);
        else if (missing == 8 && at < cap)
            at += (size_t)snprintf(msg + at, cap - at, ", ...");
        missing++;
    }
    return missing;
}

static int task_finish(const eng_plan *plan, eng_run_args_parser parse, int work_fd,
                       const char *work)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_done **done = calloc(plan->shards, sizeof *done);
    for (unsigned t = 0; done && t < plan->shards; t++)
        if (!(done[t] = calloc(1, sizeof **done))) {
            for (unsigned u = 0; u < t; u++)
                free(done[u]);
            free(done);
            done = NULL;
        }
    if (!done) {
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    char list[200], finish_name[FMT_EXCHANGE_NAME_MAX];
    eng_done_name(finish_name, sizeof finish_name, "finish", 0);
    eng_run_args a;
    int exit_code = eng_task_args(plan, parse, &a);
    struct stat st;
    size_t missing = 0;
    if (exit_code >= 0) {
        /* the plan's arguments refused (said) */
    } else if (eng_finish_recorded(work_fd, plan) && lstat(a.out, &st) == 0) {
        exit_code = 0; /* finished before, and its output folder is there */
    } else if ((missing = missing_maps(plan, work_fd, done, list, sizeof list)) != 0) {
        fprintf(stderr,
                "slipway: %s holds the results of %u of %u map tasks; missing: %s. Run them "
                "(they are idempotent) and then finish again\n",
                work, plan->shards - (unsigned)missing, plan->shards, list);
        exit_code = 3;
    } else if (eng_plan_check_inputs(plan, &a, NULL, &err) != ENG_OK) {
        eng_err_print(&err);
        exit_code = eng_rc_exit_code(err.rc);
    } else {
        finish_ctx c = {plan, work_fd, work, done, NULL};
        exit_code = eng_run_from(&a, load_from_work, &c);
        static const eng_done none; /* a record of no files: the night is in DIR */
        if (exit_code == 0 &&
            eng_done_write(work_fd, work, finish_name, plan, &none, &err) != ENG_OK)
            fprintf(stderr, "slipway: warning: %s (the output folder is complete)\n", err.msg);
    }
    eng_run_args_release(&a);
    for (unsigned t = 0; t < plan->shards; t++)
        free(done[t]);
    free(done);
    return exit_code;
}

/* ---- the command ---- */

static const char task_help[] =
    "usage: slipway task map I --work DIR [--plan SHA256]\n"
    "       slipway task finish --work DIR [--plan SHA256]\n"
    "\n"
    "One task of a sharded night whose plan is in DIR (written by `slipway run --shards`\n"
    "or `slipway slurm`); the job scripts call it. map I reads map task I's share of the\n"
    "orders files into DIR; finish puts every map task's results together and writes\n"
    "the night's output folder. A task run again does nothing once its results are in.\n"
    "  --plan SHA256  refuse unless DIR/plan is still that plan (its digest): a task\n"
    "                 started for one night never does its part of another\n";

int eng_shard_task(int argc, char **argv, eng_run_args_parser parse)
{
    const char *phase = NULL, *index = NULL, *work = NULL, *digest = NULL;
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
        else if (!phase)
            phase = argv[i];
        else if (!index)
            index = argv[i];
        else
            phase = "";
    }
    int is_map = phase && strcmp(phase, "map") == 0,
        is_finish = phase && strcmp(phase, "finish") == 0;
    char *end = NULL;
    unsigned long task = index && index[0] >= '0' && index[0] <= '9' ? strtoul(index, &end, 10) : 0;
    if (!work || !(is_map || is_finish) || (is_map && (!end || *end)) || (is_finish && index)) {
        fprintf(stderr, "slipway: task: give map I --work DIR or finish --work DIR\n"
                        "Try 'slipway task --help'.\n");
        return 2;
    }
    int work_fd;
    eng_plan plan;
    int exit_code = eng_work_open_plan(work, &work_fd, &plan);
    if (exit_code >= 0)
        return exit_code;
    if (digest && strcmp(digest, plan.digest) != 0) {
        /* started for one night, it would do its part of another */
        fprintf(stderr,
                "slipway: %s/plan is no longer the plan this task was started for (another "
                "night was planned in the folder since): run the night again\n",
                work);
        exit_code = 3;
    } else if (is_map && task >= plan.shards) {
        fprintf(stderr, "slipway: the night in %s has map tasks 0 to %u, not %lu\n", work,
                plan.shards - 1, task);
        exit_code = 2;
    } else {
        exit_code = is_map ? task_map(&plan, parse, work_fd, work, (unsigned)task)
                           : task_finish(&plan, parse, work_fd, work);
    }
    eng_plan_release(&plan);
    close(work_fd);
    return exit_code;
}
