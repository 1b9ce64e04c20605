/* Bump allocator for data that lives and dies together.
 *
 * An arena is a list of blocks; allocation bumps a pointer in the newest block and
 * takes a new block (at least the default size, bigger for a big request) when it is
 * full. Nothing is freed one by one: eng_arena_reset() forgets everything at once and
 * keeps the first block for reuse, eng_arena_free() returns all memory.
 *
 *   arena -> [block 3 | used ... free] -> [block 2 | used] -> [block 1 | used]
 *
 * Not thread-safe: each arena has one owner (a worker, a batch, a partition).
 * Uses libc only: formats/ may include it. */
#ifndef ENG_ARENA_H
#define ENG_ARENA_H

#include <stddef.h>

typedef struct eng_arena eng_arena;

/* New empty arena whose blocks are at least block_size bytes. NULL when out of memory. */
eng_arena *eng_arena_new(size_t block_size);

/* Call fresh(data, cap) on each block the arena takes from now on, before anything is
 * written to it: an arena filled front to back can have its block's pages mapped in one
 * call (base/heap.h's eng_heap_prefault) instead of a fault a page. */
void eng_arena_on_new_block(eng_arena *a, void (*fresh)(void *data, size_t cap));

/* Free every block and the arena itself. Accepts NULL. */
void eng_arena_free(eng_arena *a);

/* size bytes aligned to align (a power of two, at most 64). NULL when out of memory.
 * Valid until the next eng_arena_reset() or eng_arena_free(). */
void *eng_arena_alloc(eng_arena *a, size_t size, size_t align);

/* Copy of len bytes of src plus a terminating NUL. NULL when out of memory. */
char *eng_arena_strndup(eng_arena *a, const char *src, size_t len);

/* Forget every allocation; keeps one block for reuse. Under AddressSanitizer the
 * forgotten region is poisoned so that a stale pointer faults at once. */
void eng_arena_reset(eng_arena *a);

/* Bytes held from the system (for memory accounting in metrics). */
size_t eng_arena_footprint(const eng_arena *a);

#endif
