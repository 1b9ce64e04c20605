/* Open addressing with linear probing over a power-of-two table, kept at most half full.
 * A slot is the key and its id + 1 (0: empty); the key's first eight bytes are its hash,
 * which a digest makes uniform. */
#include "idset.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint64_t k0, k1;
    uint32_t id1; /* id + 1; 0 = empty */
} slot;

struct eng_idset {
    slot *slots;
    size_t n_slots; /* power of two, above twice n */
    size_t n;
};

eng_idset *eng_idset_new(void)
{
    eng_idset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n_slots = 1024;
    if (!(s->slots = calloc(s->n_slots, sizeof *s->slots))) {
        free(s);
        return NULL;
    }
    return s;
}

void eng_idset_free(eng_idset *s)
{
    if (!s)
        return;
    free(s->slots);
    free(s);
}

static int grow(eng_idset *s)
{
    size_t n_slots = s->n_slots * 2, mask = n_slots - 1;
    slot *g = calloc(n_slots, sizeof *g);
    if (!g)
        return -1;
    for (size_t i = 0; i < s->n_slots; i++) {
        if (!s->slots[i].id1)
            continue;
        size_t at = (size_t)s->slots[i].k0 & mask;
        while (g[at].id1) /* every key is distinct: the first empty slot is its place */
            at = (at + 1) & mask;
        g[at] = s->slots[i];
    }
    free(s->slots);
    s->slots = g;
    s->n_slots = n_slots;
    return 0;
}

int64_t eng_idset_add(eng_idset *s, const unsigned char key[ENG_IDSET_KEY], int *added)
{
    uint64_t k0, k1;
    memcpy(&k0, key, 8);
    memcpy(&k1, key + 8, 8);
    if (added)
        *added = 0;
    if ((s->n + 1) * 2 > s->n_slots && grow(s) != 0)
        return -1;
    size_t mask = s->n_slots - 1, at = (size_t)k0 & mask;
    for (; s->slots[at].id1; at = (at + 1) & mask)
        if (s->slots[at].k0 == k0 && s->slots[at].k1 == k1)
            return (int64_t)s->slots[at].id1 - 1;
    if (s->n >= UINT32_MAX - 1)
        return -1; /* ids are 32 bits in a slot */
    s->slots[at] = (slot){k0, k1, (uint32_t)(s->n + 1)};
    s->n++;
    assert(s->n * 2 <= s->n_slots);
    if (added)
        *added = 1;
    return (int64_t)s->n - 1;
}

size_t eng_idset_count(const eng_idset *s)
{
    return s->n;
}
