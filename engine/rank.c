/* Ranking. qsort is enough at a few million orders (under a second); the comparison
 * reads only fields copied into eng_order, so it touches one cache line per order. */
#include "rank.h"

#include <stdlib.h>
#include <string.h>

int eng_rank_cmp(const eng_order *a, const eng_order *b)
{
    if (a->priority != b->priority)
        return a->priority > b->priority ? -1 : 1;
    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    int c = eng_order_cmp_id(a, b);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static int cmp(const void *x, const void *y)
{
    return eng_rank_cmp(*(eng_order *const *)x, *(eng_order *const *)y);
}

void eng_rank_sort(eng_order **orders, size_t n)
{
    qsort(orders, n, sizeof *orders, cmp);
}
