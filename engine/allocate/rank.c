/* Ranking. A comparison sort through eng_order pointers spends its time on cache misses:
 * each comparison touches two order records, their heads (time and priority) and, on a
 * (priority, time) tie, two id texts elsewhere again (with second-grained times and mostly blank
 * priorities, most orders of a night share their (priority, time) with another). eng_rank_key
 * copies the rank into 24 bytes, read once per order by whoever builds the keys (alloc.c, on all
 * threads); the sort then works on a dense array. It sorts in place, not by merging into a second
 * buffer, because fresh memory is not free either: on the 2-core VM the first touch of a page costs
 * 11-16 us (heap.h), so a second buffer would cost about one more cache miss per order.
 *
 * Why keys order exactly as eng_rank_cmp: the priority and time maps are monotone
 * bijections onto uint64_t (priority reversed); id places order distinct ids as ids do
 * (the caller's promise); keys that tie on all three belong to orders with equal ids,
 * and eng_rank_cmp() decides between those. */
#include "rank.h"

#include <stdlib.h>
#include <string.h>

int eng_rank_cmp(const eng_order *a, const eng_order *b)
{
    int64_t pa = eng_order_priority(a), pb = eng_order_priority(b);
    if (pa != pb)
        return pa > pb ? -1 : 1;
    int64_t ta = eng_order_time_ns(a), tb = eng_order_time_ns(b);
    if (ta != tb)
        return ta < tb ? -1 : 1;
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

void eng_rank_key_set(eng_rank_key *key, const eng_order *o, uint32_t id_place, uint32_t pos)
{
    const uint64_t sign = UINT64_C(1) << 63;
    key->prio = ~((uint64_t)eng_order_priority(o) ^ sign);
    key->time = (uint64_t)eng_order_time_ns(o) ^ sign;
    key->id = id_place;
    key->pos = pos;
}

int eng_rank_key_before(const eng_rank_key *a, const eng_rank_key *b, eng_order *const *orders)
{
    if (a->prio != b->prio)
        return a->prio < b->prio;
    if (a->time != b->time)
        return a->time < b->time;
    if (a->id != b->id)
        return a->id < b->id;
    return eng_rank_cmp(orders[a->pos], orders[b->pos]) < 0;
}

static void swap_keys(eng_rank_key *a, eng_rank_key *b)
{
    eng_rank_key t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(eng_rank_key *k, size_t n, eng_order *const *orders)
{
    for (size_t i = 1; i < n; i++) {
        eng_rank_key x = k[i];
        size_t j = i;
        for (; j > 0 && eng_rank_key_before(&x, &k[j - 1], orders); j--)
            k[j] = k[j - 1];
        k[j] = x;
    }
}

static void sift_down(eng_rank_key *k, size_t root, size_t n, eng_order *const *orders)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && eng_rank_key_before(&k[child], &k[child + 1], orders))
            child++;
        if (!eng_rank_key_before(&k[root], &k[child], orders))
            return;
        swap_keys(&k[root], &k[child]);
        root = child;
    }
}

static void heap_sort(eng_rank_key *k, size_t n, eng_order *const *orders)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(k, i, n, orders);
    for (size_t end = n; end-- > 1;) {
        swap_keys(&k[0], &k[end]);
        sift_down(k, 0, end, orders);
    }
}

/* Introsort: quicksort with a median of three, heapsort past the depth limit so that no
 * input makes it quadratic. Keys are distinct (each order appears once), so after the
 * median of three k[0] < pivot < k[n - 1] and both sides of the split are non-empty. */
static void intro_sort(eng_rank_key *k, size_t n, unsigned depth, eng_order *const *orders)
{
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(k, n, orders);
            return;
        }
        size_t mid = n / 2;
        if (eng_rank_key_before(&k[mid], &k[0], orders))
            swap_keys(&k[mid], &k[0]);
        if (eng_rank_key_before(&k[n - 1], &k[0], orders))
            swap_keys(&k[n - 1], &k[0]);
        if (eng_rank_key_before(&k[n - 1], &k[mid], orders))
            swap_keys(&k[n - 1], &k[mid]);
        const eng_rank_key pivot = k[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (eng_rank_key_before(&k[i], &pivot, orders))
                i++;
            while (eng_rank_key_before(&pivot, &k[j], orders))
                j--;
            if (i >= j)
                break;
            swap_keys(&k[i], &k[j]);
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j + 1, n): recurse into the smaller side, loop on the other */
        size_t left = j + 1;
        if (left < n - left) {
            intro_sort(k, left, depth, orders);
            k += left;
            n -= left;
        } else {
            intro_sort(k + left, n - left, depth, orders);
            n = left;
        }
    }
    insertion_sort(k, n, orders);
}

void eng_rank_sort_keys(eng_rank_key *keys, size_t n, eng_order *const *orders)
{
    unsigned depth = 0;
    for (size_t m = n; m > 1; m /= 2)
        depth += 2;
    intro_sort(keys, n, depth, orders);
}
