#include "bychannel.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "../base/hash.h"

static uint64_t key_hash(const char *channel, uint32_t len, int currency)
{
    return eng_hash_bytes(channel, len) ^ ((uint64_t)(unsigned)currency * 0x9e3779b97f4a7c15u);
}

static int same(const eng_channel_sum *e, const char *channel, uint32_t len, int currency)
{
    return e->currency == currency && e->len == len && memcmp(e->channel, channel, len) == 0;
}

static size_t probe(const eng_channel_sums *s, const char *channel, uint32_t len, int currency)
{
    size_t h = key_hash(channel, len, currency) & (s->index_cap - 1);
    while (s->index[h] != UINT32_MAX && !same(&s->items[s->index[h]], channel, len, currency))
        h = (h + 1) & (s->index_cap - 1);
    return h;
}

static int grow_index(eng_channel_sums *s)
{
    size_t cap = s->index_cap ? s->index_cap * 2 : 16;
    uint32_t *index = malloc(cap * sizeof *index);
    if (!index)
        return 0;
    memset(index, 0xff, cap * sizeof *index);
    free(s->index);
    s->index = index;
    s->index_cap = cap;
    for (size_t i = 0; i < s->n; i++)
        s->index[probe(s, s->items[i].channel, s->items[i].len, s->items[i].currency)] =
            (uint32_t)i;
    return 1;
}

/* The entry of (channel, currency), created when new; SIZE_MAX when out of memory. */
static size_t entry(eng_channel_sums *s, const char *channel, uint32_t len, int currency)
{
    if ((s->n + 1) * 2 > s->index_cap && (s->n >= UINT32_MAX - 1 || !grow_index(s)))
        return SIZE_MAX;
    size_t h = probe(s, channel, len, currency);
    if (s->index[h] != UINT32_MAX)
        return s->index[h];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        eng_channel_sum *items = realloc(s->items, cap * sizeof *items);
        if (!items)
            return SIZE_MAX;
        s->items = items;
        s->cap = cap;
    }
    eng_channel_sum *e = &s->items[s->n];
    memset(e, 0, sizeof *e);
    if (!(e->channel = malloc((size_t)len + 1)))
        return SIZE_MAX;
    memcpy(e->channel, channel, len);
    e->channel[len] = '\0';
    e->len = len;
    e->currency = currency;
    s->index[h] = (uint32_t)s->n;
    return s->n++;
}

/* The entry of (channel, currency) through the last-key shortcut; NULL out of memory. */
static eng_channel_sum *find(eng_channel_sums *s, const void *key, const char *channel,
                             uint32_t len, int currency)
{
    assert(currency >= 0);
    size_t at;
    if (key && key == s->last_key && s->items[s->last].currency == currency) {
        at = s->last;
        assert(same(&s->items[at], channel, len, currency));
    } else if ((at = entry(s, channel, len, currency)) == SIZE_MAX) {
        return NULL;
    }
    s->last_key = key;
    s->last = at;
    return &s->items[at];
}

eng_rc eng_channel_sums_add(eng_channel_sums *s, const void *key, const char *channel, uint32_t len,
                            int currency, __int128 shipped, __int128 refunded)
{
    eng_channel_sum *e = find(s, key, channel, len, currency);
    if (!e)
        return ENG_NOMEM;
    e->shipped += shipped;
    e->refunded += refunded;
    return ENG_OK;
}

eng_rc eng_channel_sums_count(eng_channel_sums *s, const void *key, const char *channel,
                              uint32_t len, int currency, unsigned k)
{
    assert(k < ENG_CHANNEL_COUNTS);
    eng_channel_sum *e = find(s, key, channel, len, currency);
    if (!e)
        return ENG_NOMEM;
    e->count[k]++;
    return ENG_OK;
}

eng_rc eng_channel_sums_merge(eng_channel_sums *into, const eng_channel_sums *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const eng_channel_sum *e = &from->items[i];
        eng_channel_sum *to = find(into, NULL, e->channel, e->len, e->currency);
        if (!to)
            return ENG_NOMEM;
        to->shipped += e->shipped;
        to->refunded += e->refunded;
        for (int k = 0; k < ENG_CHANNEL_COUNTS; k++)
            to->count[k] += e->count[k];
    }
    return ENG_OK;
}

static int cmp_sum(const void *x, const void *y)
{
    const eng_channel_sum *a = x, *b = y;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->channel, b->channel, n);
    if (c)
        return c;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return strcmp(fmt_currency_code(a->currency), fmt_currency_code(b->currency));
}

void eng_channel_sums_sort(eng_channel_sums *s)
{
    if (s->n)
        qsort(s->items, s->n, sizeof *s->items, cmp_sum);
    free(s->index); /* positions changed: no more adding */
    s->index = NULL;
    s->index_cap = 0;
    s->last_key = NULL;
}

void eng_channel_sums_release(eng_channel_sums *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i].channel);
    free(s->items);
    free(s->index);
    memset(s, 0, sizeof *s);
}
