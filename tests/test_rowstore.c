/* Tests of engine/intake/rowstore: the runs a worker takes for one partition follow each
 * other in one block while it has room; a run larger than a block gets one of its own;
 * workers and partitions never share room; a released partition's room is gone and the
 * others keep their rows. Under ASan every row of every run is written, so room that was
 * not really there would be caught. */
#include <string.h>

#include "../engine/intake/rowstore.h"
#include "testutil.h"

/* Fill n rows at r with line numbers first, first + 1, ... */
static void fill(eng_row *r, size_t n, uint32_t first)
{
    memset(r, 0, n * sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i].line = first + (uint32_t)i;
}

static void check(const eng_row *r, size_t n, uint32_t first)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(r[i].line, first + (uint32_t)i, "row %zu", i);
}

/* Fill every run, then check every run: a run that overlapped another would have been
 * overwritten by it. */
static void fill_then_check(eng_row *const *runs, const size_t *n, size_t k)
{
    for (size_t r = 0; r < k; r++)
        fill(runs[r], n[r], (uint32_t)(100000 * r));
    for (size_t r = 0; r < k; r++)
        check(runs[r], n[r], (uint32_t)(100000 * r));
}

Test(rowstore, runs_of_one_chain_follow_each_other)
{
    eng_rowstore *s = eng_rowstore_new(1, 0);
    cr_assert_not_null(s);
    eng_row *a = eng_rowstore_take(s, 0, 7, 10);
    eng_row *b = eng_rowstore_take(s, 0, 7, 5);
    cr_assert_not_null(a);
    cr_assert_eq(b, a + 10, "the second run starts where the first ends");
    eng_row *runs[] = {a, b};
    size_t n[] = {10, 5};
    fill_then_check(runs, n, 2);
    eng_rowstore_free(s);
}

Test(rowstore, a_run_larger_than_a_block_gets_its_own)
{
    eng_rowstore *s = eng_rowstore_new(1, 0); /* blocks of 64 KiB: 1,024 rows */
    eng_row *small = eng_rowstore_take(s, 0, 0, 1000);
    eng_row *big = eng_rowstore_take(s, 0, 0, 5000);
    eng_row *after = eng_rowstore_take(s, 0, 0, 3);
    cr_assert(small && big && after);
    eng_row *runs[] = {small, big, after};
    size_t n[] = {1000, 5000, 3};
    fill_then_check(runs, n, 3);
    eng_rowstore_free(s);
}

Test(rowstore, workers_and_partitions_never_share_room)
{
    eng_rowstore *s = eng_rowstore_new(2, 1000000);
    eng_row *r[2][3];
    for (unsigned w = 0; w < 2; w++)
        for (size_t p = 0; p < 3; p++) {
            r[w][p] = eng_rowstore_take(s, w, p == 2 ? ENG_PARTS : p, 50);
            cr_assert_not_null(r[w][p]);
            fill(r[w][p], 50, (uint32_t)(1000 * (w * 3 + p)));
        }
    for (unsigned w = 0; w < 2; w++)
        for (size_t p = 0; p < 3; p++)
            check(r[w][p], 50, (uint32_t)(1000 * (w * 3 + p)));
    eng_rowstore_free(s);
}

Test(rowstore, release_frees_one_partition_and_keeps_the_others)
{
    eng_rowstore *s = eng_rowstore_new(2, 0);
    eng_row *keep = eng_rowstore_take(s, 1, 3, 20);
    eng_row *gone = eng_rowstore_take(s, 0, 4, 20);
    eng_rowstore_take(s, 1, 4, 20);
    fill(keep, 20, 7);
    fill(gone, 20, 9);
    eng_rowstore_release(s, 4);
    check(keep, 20, 7);
    /* A released partition starts again from an empty chain. */
    eng_row *again = eng_rowstore_take(s, 0, 4, 2);
    cr_assert_not_null(again);
    fill(again, 2, 1);
    check(again, 2, 1);
    eng_rowstore_release(s, 4);
    eng_rowstore_release(s, 4); /* nothing left: a no-op */
    eng_rowstore_free(s);
}
