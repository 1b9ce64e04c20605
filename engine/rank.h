/* The order in which valid orders get stock (SPEC "Rank"): priority, higher first (blank
 * is 0); then order time, earlier first; then order id in byte order. Ties cannot
 * remain among valid orders of one night (ids are unique), but the comparison still
 * falls back to file and line so that it is a total order on any input. */
#ifndef ENG_RANK_H
#define ENG_RANK_H

#include <stddef.h>

#include "night.h"

/* <0 when a ranks before b, >0 after, 0 only for the same order. */
int eng_rank_cmp(const eng_order *a, const eng_order *b);

/* Sort orders by rank. */
void eng_rank_sort(eng_order **orders, size_t n);

#endif
