/* The plan file (plan.h). A text a person can read: one `name value` per line, and each
 * argument and the folder as a byte count on its line and the bytes on the next, so any
 * name a file may have (spaces, newlines) comes back exactly. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/buf.h"
#include "../../formats/exchange.h"
#include "../../formats/isotime.h"
#include "../../formats/sha256.h"
#include "../intake/ingest.h" /* ENG_INGEST_CHUNK */
#include "../write/manifest.h" /* SLIPWAY_VERSION */

#define PLAN_NAME "plan"
#define PLAN_HEAD "slipway-plan 1 " SLIPWAY_VERSION "\n"

void eng_plan_release(eng_plan *p)
{
    free(p->cwd);
    for (size_t i = 0; i < p->n_args; i++)
        free(p->args[i]);
    free(p->args);
    free(p->inputs);
    memset(p, 0, sizeof *p);
}

static void put_blob(fmt_buf *b, const char *name, const char *s)
{
    char line[64];
    snprintf(line, sizeof line, "%s %zu\n", name, strlen(s));
    fmt_buf_puts(b, line);
    fmt_buf_puts(b, s);
    fmt_buf_putc(b, '\n');
}

/* The plan's text; with_key 0 leaves the key out (what two plans of one night share). */
static void plan_text(const eng_plan *p, int with_key, fmt_buf *b)
{
    char line[128];
    fmt_buf_puts(b, PLAN_HEAD);
    snprintf(line, sizeof line, "shards %u\n", p->shards);
    fmt_buf_puts(b, line);
    if (with_key) {
        snprintf(line, sizeof line, "key %016" PRIx64 " %016" PRIx64 "\n", p->key.k0, p->key.k1);
        fmt_buf_puts(b, line);
    }
    snprintf(line, sizeof line, "orders %zu\n", p->n_orders);
    fmt_buf_puts(b, line);
    put_blob(b, "cwd", p->cwd);
    for (size_t i = 0; i < p->n_args; i++)
        put_blob(b, "arg", p->args[i]);
    for (size_t i = 0; i < p->n_inputs; i++) {
        snprintf(line, sizeof line, "input %zu %" PRIu64 " %" PRId64 ".%09" PRId64 "\n", i,
                 p->inputs[i].size, p->inputs[i].mtime_s, p->inputs[i].mtime_ns);
        fmt_buf_puts(b, line);
    }
    fmt_buf_puts(b, "end\n");
}

static void digest_of(const fmt_buf *b, char hex[65])
{
    fmt_sha256 *h = fmt_sha256_new();
    if (!h) { /* out of memory: a digest no result carries, so every task runs again */
        memset(hex, '0', 64);
        hex[64] = '\0';
        return;
    }
    fmt_sha256_update(h, b->p, b->len);
    fmt_sha256_final_hex(h, hex);
    fmt_sha256_free(h);
}

/* ---- reading ---- */

typedef struct reader {
    const char *p, *end;
    int bad;
} reader;

/* The next line (without its newline); bad at the end of the text. */
static const char *next_line(reader *r, size_t *len)
{
    const char *nl = r->p < r->end ? memchr(r->p, '\n', (size_t)(r->end - r->p)) : NULL;
    if (!nl) {
        r->bad = 1;
        *len = 0;
        return "";
    }
    const char *line = r->p;
    *len = (size_t)(nl - line);
    r->p = nl + 1;
    return line;
}

static char *blob(reader *r, const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    unsigned long long n = sp ? strtoull(sp + 1, NULL, 10) : 0;
    if (!sp || n > (unsigned long long)(r->end - r->p) || r->p[n] != '\n') {
        r->bad = 1;
        return NULL;
    }
    char *s = strndup(r->p, (size_t)n);
    r->p += n + 1;
    if (!s)
        r->bad = 1;
    return s;
}

static int starts(const char *line, size_t len, const char *word)
{
    size_t w = strlen(word);
    return len > w && memcmp(line, word, w) == 0 && line[w] == ' ';
}

static eng_rc parse_plan(const char *text, size_t text_len, const char *work, eng_plan *p,
                         eng_err *err)
{
    memset(p, 0, sizeof *p);
    reader r = {text, text + text_len, 0};
    size_t len;
    const char *line = next_line(&r, &len);
    if (len + 1 != strlen(PLAN_HEAD) || memcmp(line, PLAN_HEAD, len) != 0) {
        if (len > 13 && memcmp(line, "slipway-plan ", 13) == 0)
            return ENG_FAIL(err, ENG_REFUSED,
                            "%s/plan was written by another slipway (%.*s, this is %s): run "
                            "the whole night with one version, in a new work folder",
                            work, (int)len, line, SLIPWAY_VERSION);
        return ENG_FAIL(err, ENG_REFUSED, "%s/plan is not a slipway plan", work);
    }
    size_t cap_args = 0, cap_inputs = 0;
    int ended = 0, has_key = 0, has_orders = 0;
    while (!r.bad && !ended) {
        line = next_line(&r, &len);
        char tmp[160];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(len < sizeof tmp - 1 ? len : sizeof tmp - 1), line);
        if (len == 3 && memcmp(line, "end", 3) == 0) {
            ended = 1;
        } else if (starts(line, len, "shards")) {
            unsigned long n = strtoul(tmp + 7, NULL, 10);
            if (n < 1 || n > ENG_PARTS)
                r.bad = 1;
            p->shards = (unsigned)n;
        } else if (starts(line, len, "key")) {
            unsigned long long k0, k1;
            if (sscanf(tmp + 4, "%16llx %16llx", &k0, &k1) != 2)
                r.bad = 1;
            p->key.k0 = k0;
            p->key.k1 = k1;
            has_key = 1;
        } else if (starts(line, len, "orders")) {
            p->n_orders = (size_t)strtoull(tmp + 7, NULL, 10);
            has_orders = 1;
        } else if (starts(line, len, "cwd")) {
            free(p->cwd);
            p->cwd = blob(&r, line, len);
        } else if (starts(line, len, "arg")) {
            if (p->n_args == cap_args) {
                cap_args = cap_args ? 2 * cap_args : 16;
                char **grown = realloc(p->args, cap_args * sizeof *grown);
                if (!grown) {
                    r.bad = 1;
                    break;
                }
                p->args = grown;
            }
            char *arg = blob(&r, line, len);
            if (arg)
                p->args[p->n_args++] = arg;
        } else if (starts(line, len, "input")) {
            if (p->n_inputs == cap_inputs) {
                cap_inputs = cap_inputs ? 2 * cap_inputs : 16;
                eng_plan_input *grown = realloc(p->inputs, cap_inputs * sizeof *grown);
                if (!grown) {
                    r.bad = 1;
                    break;
                }
                p->inputs = grown;
            }
            size_t index;
            unsigned long long size;
            long long s, ns;
            if (sscanf(tmp + 6, "%zu %llu %lld.%lld", &index, &size, &s, &ns) != 4 ||
                index != p->n_inputs)
                r.bad = 1;
            eng_plan_input *in = &p->inputs[p->n_inputs++];
            in->size = size;
            in->mtime_s = s;
            in->mtime_ns = ns;
        } else {
            r.bad = 1;
        }
    }
    if (r.bad || !ended || !has_key || !has_orders || p->n_orders > p->n_inputs || !p->shards ||
        !p->cwd) {
        eng_plan_release(p);
        return ENG_FAIL(err, ENG_REFUSED,
                        "%s/plan is damaged: start the night again in a new work folder", work);
    }
    return ENG_OK;
}

static eng_rc read_text(int work_fd, const char *work, const char *name, fmt_buf *text,
                        eng_err *err)
{
    int fd = openat(work_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        err->sys_errno = errno;
        return ENG_FAIL(err, ENG_REFUSED, "cannot read %s/%s: %s", work, name, strerror(errno));
    }
    eng_rc rc = ENG_OK;
    for (;;) {
        if (fmt_buf_reserve(text, 1 << 16) != 0) {
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s/%s", work, name);
            break;
        }
        ssize_t n = read(fd, text->p + text->len, text->cap - text->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = ENG_FAIL(err, ENG_IO, "cannot read %s/%s: %s", work, name, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        text->len += (size_t)n;
    }
    close(fd);
    return rc;
}

eng_rc eng_plan_read(int work_fd, const char *work, eng_plan *out, eng_err *err)
{
    fmt_buf text;
    fmt_buf_init(&text);
    eng_rc rc = read_text(work_fd, work, PLAN_NAME, &text, err);
    if (rc == ENG_OK)
        rc = parse_plan(text.p, text.len, work, out, err);
    if (rc == ENG_OK)
        digest_of(&text, out->digest);
    fmt_buf_release(&text);
    return rc;
}

/* The files every task reads and must find unchanged: the orders files (map tasks parse
 * them, finish reads their start again), then the catalog, inventory, policy and
 * map:FILE mapping (the rows' checks and catalog indexes depend on them). paths has room
 * for n_orders + 4. */
static size_t input_paths(const eng_run_args *a, const char **paths)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_orders; i++)
        paths[n++] = a->orders[i];
    paths[n++] = a->catalog;
    paths[n++] = a->inventory;
    if (a->policy)
        paths[n++] = a->policy;
    if (a->format && strncmp(a->format, "map:", 4) == 0)
        paths[n++] = a->format + 4;
    return n;
}

/* ---- writing ---- */

static int is_shard_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The plan of run a (argv as given after `run`), not yet written: ENG_REFUSED when a file
 * the tasks read is missing or not a regular file, ENG_NOMEM. */
static eng_rc build_plan(const eng_run_args *a, int argc, char **argv, eng_plan *out, eng_err *err)
{
    eng_plan p;
    memset(&p, 0, sizeof p);
    p.shards = a->shards;
    p.key = eng_sip_key_random();
    p.cwd = getcwd(NULL, 0);
    p.args = calloc((size_t)argc + 3, sizeof *p.args);
    p.inputs = calloc(a->n_orders + 4, sizeof *p.inputs);
    if (!p.cwd || !p.args || !p.inputs) {
        eng_plan_release(&p);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing the plan");
    }
    int after_dashes = 0, has_date = 0;
    for (int i = 0; i < argc; i++) {
        if (!after_dashes &&
            (is_shard_flag(argv[i], "--shards") || is_shard_flag(argv[i], "--work"))) {
            if (!strchr(argv[i], '='))
                i++; /* its value */
            continue;
        }
        if (strcmp(argv[i], "--") == 0)
            after_dashes = 1;
        has_date |= !after_dashes && is_shard_flag(argv[i], "--run-date");
        if (!(p.args[p.n_args++] = strdup(argv[i]))) {
            eng_plan_release(&p);
            return ENG_FAIL(err, ENG_NOMEM, "out of memory writing the plan");
        }
    }
    /* "today" is the day the night is planned, not the day its last job happens to run */
    if (!has_date) {
        char day[16];
        fmt_isodate_format(a->run_date, day);
        if (!(p.args[p.n_args++] = strdup("--run-date")) || !(p.args[p.n_args++] = strdup(day))) {
            eng_plan_release(&p);
            return ENG_FAIL(err, ENG_NOMEM, "out of memory writing the plan");
        }
    }
    const char **paths = calloc(a->n_orders + 4, sizeof *paths);
    if (!paths) {
        eng_plan_release(&p);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing the plan");
    }
    size_t n_paths = input_paths(a, paths);
    for (size_t i = 0; i < n_paths; i++) {
        struct stat st;
        int found = stat(paths[i], &st) == 0;
        if (!found || !S_ISREG(st.st_mode)) {
            int e = errno;
            ENG_FAIL(err, ENG_REFUSED, "cannot read %s: %s", paths[i],
                     !found ? strerror(e)
                            : "not a regular file (a sharded night's tasks each read it by name)");
            free(paths);
            eng_plan_release(&p);
            return ENG_REFUSED;
        }
        p.inputs[i].size = (uint64_t)st.st_size;
        p.inputs[i].mtime_s = st.st_mtim.tv_sec;
        p.inputs[i].mtime_ns = st.st_mtim.tv_nsec;
    }
    free(paths);
    p.n_inputs = n_paths;
    p.n_orders = a->n_orders;
    *out = p;
    return ENG_OK;
}

/* Whether two plans are one night's (everything but the key). */
static int same_night(const eng_plan *x, const eng_plan *y)
{
    fmt_buf a, b;
    fmt_buf_init(&a);
    fmt_buf_init(&b);
    plan_text(x, 0, &a);
    plan_text(y, 0, &b);
    int same = !a.failed && !b.failed && a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
    fmt_buf_release(&a);
    fmt_buf_release(&b);
    return same;
}

int eng_plan_is_this(const eng_run_args *a, int argc, char **argv, int work_fd, eng_plan *out)
{
    eng_err ignored;
    memset(&ignored, 0, sizeof ignored);
    eng_plan mine, old;
    if (build_plan(a, argc, argv, &mine, &ignored) != ENG_OK)
        return 0;
    int same = eng_plan_read(work_fd, ".", &old, &ignored) == ENG_OK && same_night(&mine, &old);
    eng_plan_release(&mine);
    if (same)
        *out = old;
    else if (old.cwd)
        eng_plan_release(&old);
    return same;
}

eng_rc eng_plan_prepare(const eng_run_args *a, int argc, char **argv, int work_fd, const char *work,
                        eng_plan *out, eng_err *err)
{
    eng_plan p;
    ENG_TRY(build_plan(a, argc, argv, &p, err));
    /* The plan already there, when it is this night's, stays (with its key). */
    eng_plan old;
    eng_err ignored;
    memset(&ignored, 0, sizeof ignored);
    if (eng_plan_read(work_fd, work, &old, &ignored) == ENG_OK) {
        if (same_night(&p, &old)) {
            eng_plan_release(&p);
            *out = old;
            return ENG_OK;
        }
        eng_plan_release(&old);
    }
    fmt_buf text;
    fmt_buf_init(&text);
    plan_text(&p, 1, &text);
    eng_rc rc = text.failed
                    ? ENG_FAIL(err, ENG_NOMEM, "out of memory writing the plan")
                    : fmt_exchange_write_text(work_fd, work, PLAN_NAME, text.p, text.len, err);
    if (rc == ENG_OK)
        digest_of(&text, p.digest);
    fmt_buf_release(&text);
    if (rc != ENG_OK) {
        eng_plan_release(&p);
        return rc;
    }
    *out = p;
    return ENG_OK;
}

uint64_t eng_plan_text_bytes(const eng_plan *p, const char *path, size_t f)
{
    size_t len = strlen(path);
    uint64_t size = p->inputs[f].size;
    return len > 4 && strcmp(path + len - 4, ".zst") == 0 ? 8 * size : size;
}

void eng_plan_share(const eng_plan *p, const char **orders, unsigned task, unsigned char *mine)
{
    size_t n = p->n_orders;
    uint64_t total = 0;
    /* by the text a file holds, which a task parses: a .zst file's size says little */
#define TEXT(f) eng_plan_text_bytes(p, orders[f], f)
    for (size_t f = 0; f < n; f++)
        total += TEXT(f);
    /* A file larger than a task's fair share (and than one chunk: a file of one chunk
     * would all go to the first task) is parsed by every task, a chunk each in turn; they
     * all read it (decompressing and cutting it costs a fraction of parsing), so each
     * knows its lines' numbers and the file's digest. Each task's load starts with its
     * part of those. */
    uint64_t load[ENG_PARTS] = {0};
    for (size_t f = 0; f < n; f++) {
        int shared = p->shards > 1 && TEXT(f) > total / p->shards && TEXT(f) > ENG_INGEST_CHUNK;
        mine[f] = shared ? ENG_READ_CHUNKS : ENG_READ_NONE;
        for (unsigned t = 0; shared && t < p->shards; t++)
            load[t] += TEXT(f) / p->shards;
    }
    for (;;) {
        size_t big = SIZE_MAX;
        for (size_t f = 0; f < n; f++)
            if (mine[f] == ENG_READ_NONE && (big == SIZE_MAX || TEXT(f) > TEXT(big)))
                big = f;
        if (big == SIZE_MAX)
            break;
        unsigned least = 0;
        for (unsigned t = 1; t < p->shards; t++)
            if (load[t] < load[least])
                least = t;
        load[least] += TEXT(big);
        /* dealt: ENG_READ_ALL to its task, and a mark the other tasks clear below */
        mine[big] = least == task ? ENG_READ_ALL : ENG_READ_CHUNKS + 1;
    }
    for (size_t f = 0; f < n; f++)
        if (mine[f] == ENG_READ_CHUNKS + 1)
            mine[f] = ENG_READ_NONE;
#undef TEXT
}

eng_rc eng_plan_check_inputs(const eng_plan *p, const eng_run_args *a, const unsigned char *mine,
                             eng_err *err)
{
    const char **paths = calloc(a->n_orders + 4, sizeof *paths);
    if (!paths)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    size_t n = input_paths(a, paths);
    eng_rc rc = ENG_OK;
    if (n != p->n_inputs || a->n_orders != p->n_orders)
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "the plan does not fit its own arguments (%zu orders files and %zu inputs "
                      "listed, %zu and %zu named): it was edited or damaged; start the night "
                      "again in a new work folder",
                      p->n_orders, p->n_inputs, a->n_orders, n);
    for (size_t f = 0; f < n && rc == ENG_OK; f++) {
        if (mine && f < p->n_orders && !mine[f])
            continue;
        struct stat st;
        if (stat(paths[f], &st) != 0)
            rc = ENG_FAIL(err, ENG_REFUSED, "cannot read %s: %s", paths[f], strerror(errno));
        else if ((uint64_t)st.st_size != p->inputs[f].size ||
                 st.st_mtim.tv_sec != p->inputs[f].mtime_s ||
                 st.st_mtim.tv_nsec != p->inputs[f].mtime_ns)
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "%s has changed since the night's plan was written: run the night "
                          "again (the same command) so that every task reads one version of it",
                          paths[f]);
    }
    free(paths);
    return rc;
}
