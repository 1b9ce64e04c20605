/* Tests of engine/heap's prefault: it maps exactly the pages under a range, leaves their
 * contents alone, and maps nothing for an empty range. Pages are read back with
 * mincore() on a private anonymous mapping, where a page is resident only once written
 * or prefaulted. The plan calls change glibc's settings only, which no test can see
 * from outside; the outputs' byte-identity tests cover the runs made under them. */
#define _DEFAULT_SOURCE /* mincore, madvise */
#include <errno.h>
#include <sys/mman.h>

#include "../engine/base/heap.h"
#include "testutil.h"

#define N_PAGES 16

static size_t page;
static unsigned char *region;

static void map_region(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    region = mmap(NULL, N_PAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(region, MAP_FAILED);
    /* Kernels before 5.14 have no MADV_POPULATE_WRITE: prefault is then advice ignored,
     * and there is nothing to check. */
    if (madvise(region + (N_PAGES - 1) * page, page, 23) != 0 && errno == EINVAL)
        cr_skip_test("this kernel has no MADV_POPULATE_WRITE");
}

static void unmap_region(void)
{
    if (region && region != MAP_FAILED)
        munmap(region, N_PAGES * page);
}

/* Which of the first N_PAGES - 1 pages are resident (the last one is the probe's). */
static void resident(unsigned char in[N_PAGES - 1])
{
    unsigned char vec[N_PAGES];
    cr_assert_eq(mincore(region, N_PAGES * page, vec), 0);
    for (int i = 0; i < N_PAGES - 1; i++)
        in[i] = vec[i] & 1;
}

TestSuite(heap, .init = map_region, .fini = unmap_region);

Test(heap, prefault_maps_every_page_the_range_touches_and_no_other)
{
    region[3 * page + 7] = 42;
    /* From inside page 2 to one byte into page 5. */
    eng_heap_prefault(region + 2 * page + 100, 3 * page - 99);
    unsigned char in[N_PAGES - 1];
    resident(in);
    for (int i = 0; i < N_PAGES - 1; i++)
        cr_expect_eq(in[i], i >= 2 && i <= 5, "page %d resident: %d", i, in[i]);
    cr_expect_eq(region[3 * page + 7], 42, "a written page kept its bytes");
    cr_expect_eq(region[2 * page], 0, "a prefaulted page reads as zeros");
    cr_expect_eq(region[5 * page + page - 1], 0);
}

Test(heap, prefault_of_an_empty_range_maps_nothing)
{
    eng_heap_prefault(region + 4 * page, 0);
    unsigned char in[N_PAGES - 1];
    resident(in);
    for (int i = 0; i < N_PAGES - 1; i++)
        cr_expect_eq(in[i], 0, "page %d resident", i);
}

Test(heap, prefault_of_a_range_already_written_keeps_its_bytes)
{
    for (size_t i = 0; i < 4 * page; i++)
        region[i] = (unsigned char)(i * 7 + 1);
    eng_heap_prefault(region, 4 * page);
    for (size_t i = 0; i < 4 * page; i++)
        cr_assert_eq(region[i], (unsigned char)(i * 7 + 1), "byte %zu changed", i);
}
