/* Tests of engine/arena: alignment, copies, reuse after reset, big allocations, and the
 * poisoning of forgotten memory under AddressSanitizer. */
#include "../engine/core/arena.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define HAVE_ASAN 1
#endif

static eng_arena *new_arena(size_t block)
{
    eng_arena *a = eng_arena_new(block);
    cr_assert_not_null(a);
    return a;
}

static void *alloc_ok(eng_arena *a, size_t size, size_t align)
{
    void *p = eng_arena_alloc(a, size, align);
    cr_assert_not_null(p, "alloc(%zu, %zu) failed", size, align);
    return p;
}

Test(arena, new_arena_holds_no_memory)
{
    eng_arena *a = new_arena(4096);
    cr_assert_eq(eng_arena_footprint(a), 0);
    cr_assert_eq(eng_arena_footprint(NULL), 0);
    eng_arena_free(a);
    eng_arena_free(NULL);
}

Test(arena, every_power_of_two_alignment_up_to_64_is_honoured)
{
    eng_arena *a = new_arena(4096);
    for (int round = 0; round < 50; round++) {
        for (size_t align = 1; align <= 64; align *= 2) {
            /* An odd size first, so the next start is misaligned unless the arena fixes it. */
            alloc_ok(a, 1 + (size_t)round % 7, 1);
            void *p = alloc_ok(a, 3 + (size_t)round, align);
            cr_assert_eq((uintptr_t)p % align, 0, "alloc aligned to %zu returned %p", align, p);
        }
    }
    eng_arena_free(a);
}

Test(arena, allocations_do_not_overlap)
{
    eng_arena *a = new_arena(1024);
    unsigned char *ptrs[200];
    size_t sizes[200];
    for (int i = 0; i < 200; i++) {
        sizes[i] = 1 + (size_t)(i * 37) % 300;
        ptrs[i] = alloc_ok(a, sizes[i], 8);
        memset(ptrs[i], i, sizes[i]);
    }
    for (int i = 0; i < 200; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            cr_assert_eq(ptrs[i][k], (unsigned char)i, "allocation %d byte %zu overwritten", i, k);
    eng_arena_free(a);
}

Test(arena, strndup_copies_len_bytes_and_terminates)
{
    eng_arena *a = new_arena(4096);
    char *s = eng_arena_strndup(a, "hello world", 5);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "hello");
    eng_arena_free(a);
}

Test(arena, strndup_keeps_embedded_bytes)
{
    eng_arena *a = new_arena(4096);
    char *s = eng_arena_strndup(a, "a\0b", 3);
    cr_assert_not_null(s);
    cr_assert_eq(memcmp(s, "a\0b\0", 4), 0);
    eng_arena_free(a);
}

Test(arena, strndup_of_zero_bytes_is_empty_string)
{
    eng_arena *a = new_arena(4096);
    char *s = eng_arena_strndup(a, "xyz", 0);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, "");
    eng_arena_free(a);
}

Test(arena, strndup_copy_is_independent_of_source)
{
    eng_arena *a = new_arena(4096);
    char src[] = "sku-1";
    char *s = eng_arena_strndup(a, src, 5);
    src[0] = 'X';
    cr_assert_str_eq(s, "sku-1");
    eng_arena_free(a);
}

Test(arena, reset_reuses_the_same_memory)
{
    eng_arena *a = new_arena(4096);
    void *first = alloc_ok(a, 100, 8);
    alloc_ok(a, 200, 8);
    eng_arena_reset(a);
    void *again = alloc_ok(a, 100, 8);
    cr_assert_eq(again, first, "after reset the arena did not start over");
    eng_arena_free(a);
}

Test(arena, reset_keeps_one_block_and_frees_the_rest)
{
    eng_arena *a = new_arena(4096);
    alloc_ok(a, 10, 1);
    size_t one_block = eng_arena_footprint(a);
    cr_assert_geq(one_block, 4096);
    for (int i = 0; i < 20; i++)
        alloc_ok(a, 3000, 8); /* a new block almost every time */
    cr_assert_gt(eng_arena_footprint(a), 10 * one_block);
    eng_arena_reset(a);
    cr_assert_eq(eng_arena_footprint(a), one_block);
    eng_arena_free(a);
}

Test(arena, reset_of_unused_arena_is_harmless)
{
    eng_arena *a = new_arena(4096);
    eng_arena_reset(a);
    cr_assert_eq(eng_arena_footprint(a), 0);
    cr_assert_not_null(eng_arena_alloc(a, 8, 8));
    eng_arena_free(a);
}

Test(arena, filling_a_block_exactly_takes_no_new_block)
{
    eng_arena *a = new_arena(4096);
    char *p = alloc_ok(a, 4000, 1);
    size_t fp = eng_arena_footprint(a);
    char *q = alloc_ok(a, fp - 4000, 1); /* the rest of the block, to the byte */
    cr_assert_eq(q, p + 4000, "the last bytes of the block were not used");
    cr_assert_eq(eng_arena_footprint(a), fp);
    eng_arena_free(a);
}

Test(arena, one_byte_past_a_full_block_takes_a_new_block)
{
    eng_arena *a = new_arena(4096);
    alloc_ok(a, 4000, 1);
    size_t fp = eng_arena_footprint(a);
    alloc_ok(a, fp - 4000, 1);
    alloc_ok(a, 1, 1);
    cr_assert_gt(eng_arena_footprint(a), fp);
    eng_arena_free(a);
}

Test(arena, allocation_larger_than_a_block_succeeds_whole)
{
    eng_arena *a = new_arena(4096);
    alloc_ok(a, 16, 8);
    size_t big = 10 * 4096 + 3;
    unsigned char *p = alloc_ok(a, big, 64);
    cr_assert_eq((uintptr_t)p % 64, 0);
    memset(p, 0xAB, big); /* ASan faults here if the block is short */
    cr_assert_eq(p[0], 0xAB);
    cr_assert_eq(p[big - 1], 0xAB);
    cr_assert_geq(eng_arena_footprint(a), big + 4096);
    /* Small allocations still work after it. */
    char *s = eng_arena_strndup(a, "after", 5);
    cr_assert_str_eq(s, "after");
    eng_arena_free(a);
}

Test(arena, tiny_block_size_still_serves_allocations)
{
    eng_arena *a = new_arena(1);
    char *p = alloc_ok(a, 100, 1);
    char *q = alloc_ok(a, 100, 1);
    memset(p, 1, 100);
    memset(q, 2, 100);
    cr_assert_eq(p[99], 1);
    cr_assert_eq(q[0], 2);
    eng_arena_free(a);
}

Test(arena, reset_poisons_forgotten_memory_under_asan)
{
#ifdef HAVE_ASAN
    eng_arena *a = new_arena(4096);
    char *p = alloc_ok(a, 64, 8);
    cr_assert_eq(__asan_address_is_poisoned(p), 0);
    eng_arena_reset(a);
    cr_assert_neq(__asan_address_is_poisoned(p), 0, "a stale pointer is still usable");
    eng_arena_free(a);
#else
    cr_skip_test("built without AddressSanitizer");
#endif
}

Test(arena, unallocated_tail_of_a_block_is_poisoned_under_asan)
{
#ifdef HAVE_ASAN
    eng_arena *a = new_arena(4096);
    char *p = alloc_ok(a, 64, 8);
    cr_assert_neq(__asan_address_is_poisoned(p + 64 + 8), 0, "reading past an allocation works");
    eng_arena_free(a);
#else
    cr_skip_test("built without AddressSanitizer");
#endif
}
