/* Block list behind arena.h. Invariant: every block's used <= cap, and the head block
 * is the only one allocation bumps into. */
#include "arena.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ENG_ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ENG_ARENA_ASAN 1
#endif

#ifdef ENG_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef struct eng_block {
    struct eng_block *next;
    size_t cap;
    size_t used;
    _Alignas(64) unsigned char data[];
} eng_block;

struct eng_arena {
    eng_block *head;
    size_t block_size;
    size_t footprint;
    void (*fresh)(void *data, size_t cap); /* NULL: nothing to do for a new block */
};

static eng_block *block_new(size_t cap)
{
    eng_block *b = aligned_alloc(64, (sizeof *b + cap + 63) & ~(size_t)63);
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    POISON(b->data, cap);
    return b;
}

eng_arena *eng_arena_new(size_t block_size)
{
    eng_arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->block_size = block_size < 256 ? 256 : block_size;
    return a;
}

void eng_arena_on_new_block(eng_arena *a, void (*fresh)(void *data, size_t cap))
{
    a->fresh = fresh;
}

void eng_arena_free(eng_arena *a)
{
    if (!a)
        return;
    eng_block *b = a->head;
    while (b) {
        eng_block *next = b->next;
        UNPOISON(b->data, b->cap);
        free(b);
        b = next;
    }
    free(a);
}

void *eng_arena_alloc(eng_arena *a, size_t size, size_t align)
{
    assert(align && (align & (align - 1)) == 0 && align <= 64);
    eng_block *b = a->head;
    size_t at = 0;
    if (b) {
        at = (b->used + align - 1) & ~(align - 1);
        if (at > b->cap || b->cap - at < size)
            b = NULL;
    }
    if (!b) {
        if (size > SIZE_MAX / 2)
            return NULL;
        size_t cap = size > a->block_size ? size : a->block_size;
        b = block_new(cap);
        if (!b)
            return NULL;
        if (a->fresh)
            a->fresh(b->data, cap);
        b->next = a->head;
        a->head = b;
        a->footprint += cap;
        at = 0;
    }
    b->used = at + size;
    assert(b->used <= b->cap);
    UNPOISON(b->data + at, size);
    return b->data + at;
}

char *eng_arena_strndup(eng_arena *a, const char *src, size_t len)
{
    char *s = eng_arena_alloc(a, len + 1, 1);
    if (!s)
        return NULL;
    if (len)
        memcpy(s, src, len);
    s[len] = '\0';
    return s;
}

void eng_arena_reset(eng_arena *a)
{
    eng_block *b = a->head;
    if (!b)
        return;
    /* Keep the oldest block: it has the default size, the newer ones may be huge. */
    while (b->next) {
        eng_block *next = b->next;
        a->footprint -= b->cap;
        UNPOISON(b->data, b->cap);
        free(b);
        b = next;
    }
    a->head = b;
    b->used = 0;
    POISON(b->data, b->cap);
}

size_t eng_arena_footprint(const eng_arena *a)
{
    return a ? a->footprint : 0;
}
