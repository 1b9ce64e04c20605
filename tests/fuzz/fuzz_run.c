/* libFuzzer harness: a whole small night, in process, through eng_run().
 *
 * The input is split on the byte 0x01 (SEP) into up to seven parts, written as files into
 * the process's scratch directory:
 *
 *   catalog SEP inventory SEP orders [SEP policy [SEP returns [SEP history [SEP mapping]]]]
 *
 * A part that is present is passed even when empty (an empty policy file is valid); a
 * missing one is not passed. With a mapping part the orders are read with
 * --format map:FILE, otherwise --format auto. The run date is fixed (2026-11-27).
 *
 * eng_run has no global state and never calls exit(), so it runs as is. Checks besides
 * the sanitizers:
 *   - the exit code is 0 (committed) or 3 (input refused): 1 would be an internal
 *     failure (a broken invariant: summary.json's checks) and 2 a usage error, neither of
 *     which any file content may cause;
 *   - a refused run leaves no output folder;
 *   - a committed run gives byte-identical outputs (all but metrics.json) at 1 and 2
 *     threads (SPEC: output never depends on the thread count).
 * The output folders are removed after each input. */
#include <fcntl.h>

#include "../../engine/run.h"
#include "../../formats/isotime.h"
#include "fuzz_util.h"

#define SEP       '\x01'
#define MAX_PARTS 7

static const char *const part_names[MAX_PARTS] = {"catalog.csv", "inventory.csv", "orders.csv",
                                                  "policy.conf", "returns.csv",   "history.csv",
                                                  "mapping.map"};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_run: %s\n", what);
    abort();
}

/* Whole file into a malloc'd buffer; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    while (p) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *grown = realloc(p, cap * 2);
        if (!grown) {
            free(p);
            p = NULL;
        } else {
            p = grown;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return p;
}

/* Every output of run a (but metrics.json) has the same bytes in run b. */
static void compare_outputs(const char *a, const char *b)
{
    DIR *d = opendir(a);
    if (!d)
        fail("cannot list a committed output folder");
    struct dirent *e;
    int n_a = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "metrics.json") == 0)
            continue;
        n_a++;
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        size_t la = 0, lb = 0;
        char *ca = slurp(pa, &la), *cb = slurp(pb, &lb);
        if (!ca || !cb || la != lb || memcmp(ca, cb, la) != 0) {
            fprintf(stderr, "fuzz_run: %s differs between 1 and 2 threads\n", e->d_name);
            abort();
        }
        free(ca);
        free(cb);
    }
    closedir(d);
    d = opendir(b);
    if (!d)
        fail("cannot list a committed output folder");
    int n_b = 0;
    while ((e = readdir(d)) != NULL)
        n_b += e->d_name[0] != '.' && strcmp(e->d_name, "metrics.json") != 0;
    closedir(d);
    if (n_a != n_b)
        fail("different output files at 1 and 2 threads");
}

static int run(const eng_run_args *base, unsigned threads, const char *out)
{
    eng_run_args a = *base;
    a.threads = threads;
    a.out = out;
    int rc = eng_run(&a);
    if (rc != 0 && rc != 3) {
        fprintf(stderr, "fuzz_run: exit code %d (expected 0 or 3)\n", rc);
        abort();
    }
    struct stat st;
    if (rc != 0 && lstat(out, &st) == 0)
        fail("a refused run left its output folder");
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char paths[MAX_PARTS][600];
    static char map_flag[620];
    static char out1[600], out2[600];
    static int32_t run_date = -1;
    if (run_date < 0) {
        if (fmt_isodate_parse("2026-11-27", 10, &run_date) != 0)
            fail("run date");
        fz_path(out1, sizeof out1, "out1");
        fz_path(out2, sizeof out2, "out2");
    }
    const char *p = (const char *)data;
    size_t n_parts = 0, start = 0;
    for (size_t i = 0; i <= size && n_parts < MAX_PARTS; i++) {
        if (i < size && p[i] != SEP)
            continue;
        /* The last part takes the rest, separators included. */
        size_t end = n_parts == MAX_PARTS - 1 ? size : i;
        fz_write(fz_path(paths[n_parts], sizeof paths[n_parts], part_names[n_parts]), p + start,
                 end - start);
        n_parts++;
        start = end + 1;
        if (end == size)
            break;
    }
    if (n_parts < 3) {
        for (size_t i = 0; i < n_parts; i++)
            (void)unlink(paths[i]);
        return -1; /* not a night: keep it out of the corpus */
    }
    const char *orders[1] = {paths[2]};
    const char *returns[1] = {n_parts > 4 ? paths[4] : NULL};
    const char *history[1] = {n_parts > 5 ? paths[5] : NULL};
    eng_run_args a;
    memset(&a, 0, sizeof a);
    a.catalog = paths[0];
    a.inventory = paths[1];
    a.orders = orders;
    a.n_orders = 1;
    a.policy = n_parts > 3 ? paths[3] : NULL;
    a.returns = returns;
    a.n_returns = n_parts > 4;
    a.history = history;
    a.n_history = n_parts > 5;
    if (n_parts > 6) {
        snprintf(map_flag, sizeof map_flag, "map:%s", paths[6]);
        a.format = map_flag;
    }
    a.run_date = run_date;
    a.quiet = 1;

    if (run(&a, 1, out1) == 0) {
        if (run(&a, 2, out2) != 0)
            fail("committed at 1 thread, refused at 2");
        compare_outputs(out1, out2);
    }
    tu_rm_tree(out1);
    tu_rm_tree(out2);
    for (size_t i = 0; i < n_parts; i++)
        (void)unlink(paths[i]);
    return 0;
}
