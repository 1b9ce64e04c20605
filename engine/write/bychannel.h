/* Shipped and refunded amounts per (channel, currency), for the summary: finance asks
 * what each marketplace owes, and amounts of different currencies are never added.
 *
 * Each output worker keeps its own table while it writes order_status.csv and the
 * returns ledger; the tables are merged and sorted once at the end (channel bytes, then
 * currency code), so the summary does not depend on the thread count. */
#ifndef ENG_BYCHANNEL_H
#define ENG_BYCHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

#define ENG_CHANNEL_COUNTS 16 /* counters per entry: an order status each (report.html) */

typedef struct eng_channel_sum {
    char *channel; /* owned, NUL-terminated; "" for orders that name none */
    uint32_t len;
    int currency; /* fmt_currency index */
    __int128 shipped;
    __int128 refunded;
    uint64_t count[ENG_CHANNEL_COUNTS]; /* eng_channel_sums_count's, by k */
} eng_channel_sum;

typedef struct eng_channel_sums {
    eng_channel_sum *items;
    size_t n, cap;
    uint32_t *index; /* open addressing over items, UINT32_MAX empty; index_cap a power of 2 */
    size_t index_cap;
    const void *last_key; /* the caller's handle of the last entry added to (a shared text) */
    size_t last;
} eng_channel_sums;

/* Add to (channel, currency), creating it. `key` is a pointer that stands for the channel
 * text while it stays the same (the order's shared tuple), so a run of orders of one
 * channel skips the hash; NULL for none. ENG_NOMEM. */
eng_rc eng_channel_sums_add(eng_channel_sums *s, const void *key, const char *channel, uint32_t len,
                            int currency, __int128 shipped, __int128 refunded);

/* Count one in counter k (< ENG_CHANNEL_COUNTS) of (channel, currency): a table of
 * counts only (orders per status) may use one currency index for every channel. */
eng_rc eng_channel_sums_count(eng_channel_sums *s, const void *key, const char *channel,
                              uint32_t len, int currency, unsigned k);

/* Add every entry of from into into. ENG_NOMEM. */
eng_rc eng_channel_sums_merge(eng_channel_sums *into, const eng_channel_sums *from);

/* Sort the entries by channel bytes, then currency code (the table is not used to add
 * after this). */
void eng_channel_sums_sort(eng_channel_sums *s);

void eng_channel_sums_release(eng_channel_sums *s);

#endif
