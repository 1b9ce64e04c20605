/* Open addressing with linear probing over a power-of-two table of ids; keys are copied
 * into an arena, which never moves them, so ids and key pointers stay valid while the
 * table grows (and a million keys are a few dozen allocations, not a million). A slot
 * holds the id and the upper half of the key's hash, so a probe reads the key itself
 * only when the hashes meet: a million keys that miss the cache otherwise cost a
 * reconcile of a year a second and a half. */
#include "vmap.h"

#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "hash.h"

typedef struct entry {
    char *key;
    size_t len;
    uint64_t hash;
} entry;

struct eng_vmap {
    eng_arena *mem; /* the keys' text */
    entry *keys;    /* by id */
    size_t n;
    size_t cap_keys;
    uint64_t *slots; /* (hash >> 32) << 32 | (id + 1); 0 = empty */
    size_t n_slots; /* power of two, kept above twice n */
};

eng_vmap *eng_vmap_new(void)
{
    eng_vmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->n_slots = 64;
    m->slots = calloc(m->n_slots, sizeof *m->slots);
    m->mem = eng_arena_new(1u << 16);
    if (!m->slots || !m->mem) {
        free(m->slots);
        eng_arena_free(m->mem);
        free(m);
        return NULL;
    }
    return m;
}

void eng_vmap_free(eng_vmap *m)
{
    if (!m)
        return;
    eng_arena_free(m->mem);
    free(m->keys);
    free(m->slots);
    free(m);
}

#define TAG(h)     ((h)&0xffffffff00000000u)
#define SLOT_ID(s) ((int64_t)((s)&0xffffffffu) - 1)

static size_t probe(const eng_vmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->n_slots - 1;
    size_t i = (size_t)h & mask;
    for (;;) {
        uint64_t s = m->slots[i];
        if (s == 0)
            return i;
        if ((s & 0xffffffff00000000u) == TAG(h)) {
            const entry *e = &m->keys[SLOT_ID(s)];
            if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
                return i;
        }
        i = (i + 1) & mask;
    }
}

int64_t eng_vmap_find(const eng_vmap *m, const char *key, size_t len)
{
    uint64_t s = m->slots[probe(m, key, len, eng_hash_bytes(key, len))];
    return s ? SLOT_ID(s) : -1;
}

static int grow(eng_vmap *m)
{
    size_t n_slots = m->n_slots * 2;
    uint64_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    free(m->slots);
    m->slots = slots;
    m->n_slots = n_slots;
    size_t mask = n_slots - 1;
    for (size_t id = 0; id < m->n; id++) {
        /* every key is distinct: the first empty slot is its place */
        uint64_t h = m->keys[id].hash;
        size_t i = (size_t)h & mask;
        while (m->slots[i])
            i = (i + 1) & mask;
        m->slots[i] = TAG(h) | (uint64_t)(id + 1);
    }
    return 0;
}

int64_t eng_vmap_add(eng_vmap *m, const char *key, size_t len, int *added)
{
    uint64_t h = eng_hash_bytes(key, len);
    size_t at = probe(m, key, len, h);
    if (added)
        *added = 0;
    if (m->slots[at])
        return SLOT_ID(m->slots[at]);
    if (m->n >= 0xfffffffeu)
        return -1; /* ids are 32 bits in a slot */
    if (m->n == m->cap_keys) {
        size_t cap = m->cap_keys ? m->cap_keys * 2 : 64;
        entry *k = realloc(m->keys, cap * sizeof *k);
        if (!k)
            return -1;
        m->keys = k;
        m->cap_keys = cap;
    }
    /* A key that cannot be added after all leaves its copy in the arena: harmless. */
    char *copy = eng_arena_strndup(m->mem, key, len);
    if (!copy)
        return -1;
    m->keys[m->n] = (entry){copy, len, h};
    m->slots[at] = TAG(h) | (uint64_t)(m->n + 1);
    m->n++;
    if (m->n * 2 > m->n_slots && grow(m) != 0) {
        /* The key is in; only the table could not grow. Undo so the map stays sound. */
        m->n--;
        m->slots[probe(m, key, len, h)] = 0;
        return -1;
    }
    if (added)
        *added = 1;
    return (int64_t)m->n - 1;
}

size_t eng_vmap_count(const eng_vmap *m)
{
    return m->n;
}

const char *eng_vmap_key(const eng_vmap *m, int64_t id, size_t *len)
{
    if (len)
        *len = m->keys[id].len;
    return m->keys[id].key;
}
