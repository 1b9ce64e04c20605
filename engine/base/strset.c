/* Open addressing with linear probing, at most half full; entries point into an arena. */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "hash.h"

typedef struct entry {
    const char *str; /* NULL: empty slot */
    uint32_t len;
    uint64_t hash;
} entry;

struct eng_strset {
    entry *slots;
    size_t mask;
    size_t count;
    eng_arena *mem;
};

eng_strset *eng_strset_new(void)
{
    eng_strset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mem = eng_arena_new(1u << 16);
    s->slots = calloc(64, sizeof *s->slots);
    if (!s->mem || !s->slots) {
        eng_strset_free(s);
        return NULL;
    }
    s->mask = 63;
    return s;
}

void eng_strset_free(eng_strset *s)
{
    if (!s)
        return;
    free(s->slots);
    eng_arena_free(s->mem);
    free(s);
}

static size_t find(const eng_strset *s, const char *str, size_t len, uint64_t h)
{
    size_t i = h & s->mask;
    while (s->slots[i].str && (s->slots[i].hash != h || s->slots[i].len != len ||
                               memcmp(s->slots[i].str, str, len) != 0))
        i = (i + 1) & s->mask;
    return i;
}

static int grow(eng_strset *s)
{
    size_t size = (s->mask + 1) * 2;
    entry *slots = calloc(size, sizeof *slots);
    if (!slots)
        return -1;
    entry *old = s->slots;
    size_t old_size = s->mask + 1;
    s->slots = slots;
    s->mask = size - 1;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].str)
            s->slots[find(s, old[i].str, old[i].len, old[i].hash)] = old[i];
    free(old);
    return 0;
}

eng_rc eng_strset_add(eng_strset *s, const char *str, size_t len)
{
    if (len > UINT32_MAX)
        return ENG_NOMEM;
    uint64_t h = eng_hash_bytes(str, len);
    size_t i = find(s, str, len, h);
    if (s->slots[i].str)
        return ENG_OK;
    if ((s->count + 1) * 2 > s->mask + 1) {
        if (grow(s) != 0)
            return ENG_NOMEM;
        i = find(s, str, len, h);
    }
    char *copy = eng_arena_strndup(s->mem, str, len);
    if (!copy)
        return ENG_NOMEM;
    s->slots[i].str = copy;
    s->slots[i].len = (uint32_t)len;
    s->slots[i].hash = h;
    s->count++;
    return ENG_OK;
}

int eng_strset_has(const eng_strset *s, const char *str, size_t len)
{
    if (!s)
        return 0;
    return s->slots[find(s, str, len, eng_hash_bytes(str, len))].str != NULL;
}

size_t eng_strset_count(const eng_strset *s)
{
    return s ? s->count : 0;
}
