/* The intern table: open addressing over (hash, tuple) under one mutex; tuples and their
 * texts in the table's arena. */
#include "intern.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"

/* Enough for every channel x country x service x currency a real business has; past it,
 * heads keep private tuples (a 64-byte tuple and the texts each: a night of distinct
 * channels costs some 10% more memory than it would with the texts in the head, which
 * the budget's estimate still covers). */
#define MAX_TUPLES (1u << 16)
/* Longer texts are addresses typed into the wrong column, not repeated values. */
#define MAX_TEXT 64

typedef struct entry {
    uint64_t hash;
    const eng_head_common *common;
} entry;

struct eng_intern {
    eng_sip_key key; /* the run's: a file cannot be written to make the probes long */
    pthread_mutex_t lock;
    entry *slots; /* capacity a power of two, at most half full */
    size_t cap;
    size_t n;
    eng_arena *mem;
};

eng_intern *eng_intern_new(eng_sip_key key)
{
    eng_intern *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->key = key;
    t->cap = 256;
    t->slots = calloc(t->cap, sizeof *t->slots);
    t->mem = eng_arena_new(1u << 14);
    if (!t->slots || !t->mem || pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t->slots);
        eng_arena_free(t->mem);
        free(t);
        return NULL;
    }
    return t;
}

void eng_intern_free(eng_intern *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->slots);
    eng_arena_free(t->mem);
    free(t);
}

size_t eng_intern_count(eng_intern *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->n;
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* Keyed: with a fixed hash, texts chosen to share their low bits (8,192 such channels
 * took a review 25 s of brute force) made one probe chain that every miss walked under
 * the lock, doubling a night's CPU time. */
static uint64_t hash_texts(const eng_intern *t, const eng_text *texts)
{
    unsigned char buf[ENG_HC_COUNT * (1 + MAX_TEXT)];
    size_t n = 0;
    for (int i = 0; i < ENG_HC_COUNT; i++) {
        eng_text x = texts[eng_head_common_slot(i)];
        assert(x.len <= MAX_TEXT);
        buf[n++] = (unsigned char)x.len;
        memcpy(buf + n, x.p, x.len);
        n += x.len;
    }
    uint64_t out[2];
    eng_siphash13_128(&t->key, buf, n, out);
    return out[0];
}

static int grow(eng_intern *t)
{
    size_t cap = t->cap * 2;
    entry *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return 0;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].common)
            continue;
        size_t h = t->slots[i].hash & (cap - 1);
        while (slots[h].common)
            h = (h + 1) & (cap - 1);
        slots[h] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 1;
}

static size_t probe(const eng_intern *t, uint64_t hash, const eng_text *texts)
{
    size_t h = hash & (t->cap - 1);
    while (t->slots[h].common &&
           !(t->slots[h].hash == hash && eng_head_common_holds(t->slots[h].common, texts)))
        h = (h + 1) & (t->cap - 1);
    return h;
}

/* The table's tuple for texts, added when new; NULL when full or out of memory. The
 * table is grown before it is half full, so a probe always ends at an empty slot. */
static const eng_head_common *find_or_add(eng_intern *t, uint64_t hash, const eng_text *texts)
{
    pthread_mutex_lock(&t->lock);
    size_t h = probe(t, hash, texts);
    const eng_head_common *found = t->slots[h].common;
    if (!found && t->n < MAX_TUPLES && ((t->n + 1) * 2 <= t->cap || grow(t)) &&
        (found = eng_head_common_new(t->mem, texts))) {
        h = probe(t, hash, texts);
        t->slots[h].hash = hash;
        t->slots[h].common = found;
        t->n++;
    }
    pthread_mutex_unlock(&t->lock);
    return found;
}

const eng_head_common *eng_intern_common(eng_intern *t, eng_intern_cache *cache,
                                         const eng_text *texts)
{
    if (!t)
        return NULL;
    for (int i = 0; i < ENG_HC_COUNT; i++)
        if (texts[eng_head_common_slot(i)].len > MAX_TEXT)
            return NULL;
    uint64_t hash = hash_texts(t, texts);
    unsigned at = (unsigned)(hash >> 58) % ENG_INTERN_CACHE;
    if (cache->slot[at].common && cache->slot[at].hash == hash &&
        eng_head_common_holds(cache->slot[at].common, texts))
        return cache->slot[at].common;
    const eng_head_common *c = find_or_add(t, hash, texts);
    if (c) {
        cache->slot[at].hash = hash;
        cache->slot[at].common = c;
    }
    return c;
}
