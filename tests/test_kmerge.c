/* Tests of engine/kmerge: many sorted runs merged on a pool give the one sorted list, the
 * same for 1, 2 and 8 threads, whether the night is cut into slices or merged whole;
 * equal keys fall back to the comparison; empty runs, one run, and all elements in one
 * run. Elements are values in one array; a run is a range of it. */
#include <stdlib.h>

#include "../engine/base/kmerge.h"
#include "testutil.h"

typedef struct elem {
    uint64_t major; /* the key's first part */
    uint32_t minor; /* not in the key: equal majors are decided by cmp */
    uint32_t id;    /* unique: makes the order total */
} elem;

typedef struct runs {
    elem *all;
    size_t n_runs;
    size_t *start, *len;
} runs;

static const void *at(const void *ctx, size_t r, size_t i)
{
    const runs *rs = ctx;
    return &rs->all[rs->start[r] + i];
}

static void key(const void *e, uint64_t k[2])
{
    k[0] = ((const elem *)e)->major;
    k[1] = 0;
}

static int cmp(const void *x, const void *y)
{
    const elem *a = x, *b = y;
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static int cmp_qsort(const void *x, const void *y)
{
    return cmp(x, y);
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* n elements over n_runs runs (run r gets a share weighted by `skew`), few distinct
 * majors so that the comparison decides often; each run sorted. */
static runs make_runs(size_t n, size_t n_runs, int skew, uint64_t seed)
{
    runs rs = {calloc(n ? n : 1, sizeof(elem)), n_runs, calloc(n_runs, sizeof(size_t)),
               calloc(n_runs, sizeof(size_t))};
    cr_assert(rs.all && rs.start && rs.len);
    uint64_t s = seed | 1;
    for (size_t i = 0; i < n; i++) {
        size_t r = skew ? (size_t)(rng(&s) % (n_runs * n_runs)) % (size_t)(1 + rng(&s) % n_runs)
                        : (size_t)(rng(&s) % n_runs);
        rs.len[r]++;
    }
    for (size_t r = 1; r < n_runs; r++)
        rs.start[r] = rs.start[r - 1] + rs.len[r - 1];
    for (size_t i = 0; i < n; i++) {
        rs.all[i].major = rng(&s) % 50;
        rs.all[i].minor = (uint32_t)(rng(&s) % 3);
        rs.all[i].id = (uint32_t)i;
    }
    for (size_t r = 0; r < n_runs; r++)
        qsort(rs.all + rs.start[r], rs.len[r], sizeof(elem), cmp_qsort);
    return rs;
}

static void free_runs(runs *rs)
{
    free(rs->all);
    free(rs->start);
    free(rs->len);
}

/* Merge on a pool of `threads` and check against one sort of every element. */
static void check_merge(runs *rs, size_t n, unsigned threads)
{
    eng_pool *pool = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_pool_new(threads, &pool, &err), ENG_OK);
    const elem **out = calloc(n ? n : 1, sizeof *out);
    elem *want = malloc((n ? n : 1) * sizeof *want);
    cr_assert(out && want);
    memcpy(want, rs->all, n * sizeof *want);
    qsort(want, n, sizeof *want, cmp_qsort);
    eng_kmerge m = {rs->n_runs, rs->len, rs, at, key, cmp, NULL};
    cr_assert_eq(eng_kmerge_run(pool, &m, out, &err), ENG_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        cr_assert_not_null(out[i], "place %zu of %zu left empty", i, n);
        cr_assert_eq(out[i]->id, want[i].id, "place %zu of %zu (%u threads)", i, n, threads);
    }
    free(out);
    free(want);
    eng_pool_free(pool);
}

Test(kmerge, many_runs_give_the_one_sorted_list_for_any_thread_count)
{
    size_t sizes[] = {0, 1, 100, 4095, 4096 * 2 + 7, 200000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
        for (int skew = 0; skew < 2; skew++) {
            runs rs = make_runs(sizes[k], 256, skew, tu_seed() + k);
            check_merge(&rs, sizes[k], 1);
            check_merge(&rs, sizes[k], 2);
            check_merge(&rs, sizes[k], 8);
            free_runs(&rs);
        }
}

Test(kmerge, one_run_and_every_element_in_one_of_many)
{
    runs one = make_runs(50000, 1, 0, tu_seed());
    check_merge(&one, 50000, 2);
    free_runs(&one);
    /* All in run 7 of 16: the splitters come from it, and the others are empty. */
    runs rs = make_runs(50000, 16, 0, tu_seed());
    for (size_t r = 0; r < 16; r++) {
        rs.start[r] = r <= 7 ? 0 : 50000;
        rs.len[r] = r == 7 ? 50000 : 0;
    }
    qsort(rs.all, 50000, sizeof(elem), cmp_qsort);
    check_merge(&rs, 50000, 2);
    free_runs(&rs);
}
