/* glibc's mallopt and Linux's madvise behind heap.h. */
#define _DEFAULT_SOURCE /* madvise */
#include "heap.h"

#include <stdint.h>
#include <stdlib.h> /* defines __GLIBC__ on glibc */
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

void eng_heap_plan_reading(void)
{
#ifdef __GLIBC__
    /* By default glibc raises the mapping threshold to the largest block freed so far
     * (4 MiB after the first chunk of input), keeps such blocks in its heap, and the
     * night's rows stayed resident after their partitions were built. (Keeping the row
     * store's blocks in the heap instead, for the lines to reuse, raised the 5M night's
     * peak from 549 to 599 MB: the arenas' blocks kept between them what they freed.) */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    /* One heap: a partition's rows are freed by whichever worker built it, and the next
     * partition's arena blocks, on another worker, must find those pages in the heap
     * they allocate from. With a heap per thread, each kept its own holes: at 1M lines
     * the run held 284 MB instead of 206 and faulted in 25% more pages. Allocation in
     * slipway is by blocks (arenas, arrays), so the one heap's lock is rarely
     * contended. */
    mallopt(M_ARENA_MAX, 1);
#endif
}

void eng_heap_plan_building(void)
{
#ifdef __GLIBC__
    /* Heap-allocated blocks are not given back when freed in the middle of the heap:
     * what a partition frees becomes the next partition's lines in place, where mapped
     * blocks were unmapped and the lines faulted in fresh pages (at 5M lines, when
     * partitions copied their rows into heap arrays, 170,000 fewer faults and an orders
     * stage 40% shorter). The row store's blocks of 256 KiB and more (intake/rowstore),
     * mapped while reading, go back at once when their partition is built. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
#endif
}

void eng_heap_give_back_free(void)
{
#ifdef __GLIBC__
    /* malloc_trim also returns whole free pages in the middle of the heap, not only at
     * its top. */
    malloc_trim(0);
#endif
}

void eng_heap_prefault(void *p, size_t len)
{
#ifdef __linux__
#ifdef MADV_POPULATE_WRITE
    const int populate_write = MADV_POPULATE_WRITE;
#else
    const int populate_write = 23; /* Linux 5.14; older headers lack the name */
#endif
    long sz = sysconf(_SC_PAGESIZE); /* glibc answers from memory: no system call */
    size_t page = sz > 0 ? (size_t)sz : 4096;
    if (len == 0)
        return;
    uintptr_t from = (uintptr_t)p & ~(uintptr_t)(page - 1);
    uintptr_t to = ((uintptr_t)p + len + page - 1) & ~(uintptr_t)(page - 1);
    /* EINVAL on an older kernel: the pages fault in as they would have. */
    (void)madvise((void *)from, to - from, populate_write);
#else
    (void)p;
    (void)len;
#endif
}
