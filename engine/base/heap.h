/* How the process takes memory from the system and gives it back, stage by stage.
 *
 * On the VMs slipway is benchmarked on, a page fault costs 11-16 us: a page the run
 * reuses is nearly free, a page it gives back and then faults in again costs as much as
 * reading a few order lines. The plan calls set glibc's malloc for the two halves of a
 * run, and prefault maps fresh pages in bulk; elsewhere (another libc, the sanitizers'
 * allocators, an older kernel) they do nothing. */
#ifndef ENG_HEAP_H
#define ENG_HEAP_H

#include <stddef.h>

/* While the order files are read: one heap for every thread, and blocks of 256 KiB and
 * more (the row store's larger blocks, arena blocks) mapped on their own, so that
 * freeing one in the orders stage gives its pages back at once. Call before any thread
 * starts. */
void eng_heap_plan_reading(void);

/* From the orders stage on: blocks up to 64 MiB come from the heap, so the pages a
 * partition's scratch (and its rows' blocks under 256 KiB) free are the pages the next
 * partitions' orders and lines take. Call between stages, when no other thread
 * allocates. */
void eng_heap_plan_building(void);

/* Give the system back the free pages inside the heap: once the orders stage has built
 * every partition, what the partitions freed and no later partition reused. */
void eng_heap_give_back_free(void);

/* Map the pages under [p, p + len) now, in one call, where the first write to each would
 * have taken a page fault of its own: on these VMs a fault costs 11-16 us a page and
 * this about 8, or less for long ranges. Only pages wholly or partly inside the range
 * are touched, and pages already mapped are left as they are, so two threads may prefault
 * overlapping ranges. Advice: does nothing where the system cannot. */
void eng_heap_prefault(void *p, size_t len);

#endif
