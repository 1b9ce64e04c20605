/* The order in which valid orders get stock (SPEC "Rank"): priority, higher first (blank
 * is 0); then order time, earlier first; then order id in byte order. Ties cannot
 * remain among valid orders of one night (ids are unique), but the comparison still
 * falls back to file and line so that it is a total order on any input. */
#ifndef ENG_RANK_H
#define ENG_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "../record/record.h"

/* <0 when a ranks before b, >0 after, 0 only for the same order. */
int eng_rank_cmp(const eng_order *a, const eng_order *b);

/* Sort orders by rank (the reference order; alloc.c sorts eng_rank_key arrays). */
void eng_rank_sort(eng_order **orders, size_t n);

/* An order's rank as plain integers, so that sorting reads one dense array instead of
 * each order's record and id text. Transparent so that callers can keep arrays of them;
 * fill with eng_rank_key_set(). */
typedef struct eng_rank_key {
    uint64_t prio; /* priority, mapped so that a smaller value ranks first */
    uint64_t time; /* time_ns, mapped to unsigned */
    uint32_t id;   /* the id's place: see eng_rank_key_set() */
    uint32_t pos;  /* index of the order in the caller's array */
} eng_rank_key;

/* Key of o, which is orders[pos] in the caller's array. id_place must order different
 * ids as eng_order_cmp_id() does and be equal for equal ids (the index of the first
 * order with that id in an array sorted by id will do). */
void eng_rank_key_set(eng_rank_key *key, const eng_order *o, uint32_t id_place, uint32_t pos);

/* 1 when a ranks before b. orders is the caller's array: read only when a and b share an
 * id, then eng_rank_cmp() decides. */
int eng_rank_key_before(const eng_rank_key *a, const eng_rank_key *b, eng_order *const *orders);

/* Sort keys[0, n) by rank, in place (no memory taken). */
void eng_rank_sort_keys(eng_rank_key *keys, size_t n, eng_order *const *orders);

#endif
