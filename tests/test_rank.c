/* Tests of engine/rank: SPEC's rank (priority higher first, blank = 0; then order time,
 * earlier first; then order id in byte order) on hand-made orders, and the fallback to
 * file and line that keeps the order total. */
#include <stdint.h>

#include "../engine/allocate/rank.h"
#include "testutil.h"

#define T0  INT64_C(1795687200000000000) /* 2026-11-26T10:00:00Z */
#define SEC INT64_C(1000000000)

/* Where the orders' ids and heads are kept, as a night keeps them; reachable to the end. */
static eng_arena *kept;

/* An order with the fields rank reads: its id, and a head with its time and priority (a
 * priority of 0 is left blank, which ranks as 0). */
static eng_order order(const char *id, int64_t priority, int64_t time_ns)
{
    if (!kept)
        cr_assert_not_null(kept = eng_arena_new(4096));
    eng_head_values v;
    memset(&v, 0, sizeof v);
    v.time_ns = time_ns;
    v.priority = priority;
    v.present = 1u << FMT_COL_ORDER_TIME | (priority ? 1u << FMT_COL_PRIORITY : 0);
    eng_text texts[ENG_HT_COUNT];
    for (int i = 0; i < ENG_HT_COUNT; i++)
        texts[i] = (eng_text){"", 0};
    eng_order o;
    memset(&o, 0, sizeof o);
    cr_assert_not_null(o.id = eng_id_keep(kept, id, (uint32_t)strlen(id)));
    cr_assert_not_null(o.head = eng_head_new(kept, &v, texts, NULL));
    cr_assert_eq(eng_order_priority(&o), priority);
    cr_assert_eq(eng_order_time_ns(&o), time_ns);
    return o;
}

/* a ranks strictly before b, and the comparison is antisymmetric. */
static void assert_before(const eng_order *a, const eng_order *b)
{
    cr_assert_lt(eng_rank_cmp(a, b), 0, "%s should rank before %s", a->id, b->id);
    cr_assert_gt(eng_rank_cmp(b, a), 0, "%s should rank after %s", b->id, a->id);
}

Test(rank, higher_priority_ranks_first_even_when_later)
{
    eng_order hi = order("Z-9", 5, T0 + 3600 * SEC), lo = order("A-1", 4, T0);
    assert_before(&hi, &lo);
}

Test(rank, equal_priority_earlier_time_ranks_first)
{
    eng_order early = order("Z-9", 1, T0), late = order("A-1", 1, T0 + 1);
    assert_before(&early, &late);
}

Test(rank, equal_priority_and_time_falls_back_to_id_bytes)
{
    eng_order a = order("A-1", 1, T0), b = order("A-2", 1, T0);
    assert_before(&a, &b);
}

Test(rank, id_is_compared_as_bytes_not_as_numbers)
{
    /* '1' (0x31) < '9' (0x39), so "A10" < "A9". */
    eng_order a10 = order("A10", 0, T0), a9 = order("A9", 0, T0);
    assert_before(&a10, &a9);
}

Test(rank, id_upper_case_ranks_before_lower_case)
{
    eng_order upper = order("Z", 0, T0), lower = order("a", 0, T0);
    assert_before(&upper, &lower);
}

Test(rank, id_prefix_ranks_before_longer_id)
{
    eng_order shorter = order("A1", 0, T0), longer = order("A10", 0, T0);
    assert_before(&shorter, &longer);
}

Test(rank, blank_priority_zero_ranks_below_priority_one)
{
    /* A blank priority is stored as 0. */
    eng_order blank = order("A-1", 0, T0), one = order("B-2", 1, T0 + 10 * SEC);
    assert_before(&one, &blank);
}

Test(rank, negative_priority_ranks_below_blank)
{
    eng_order blank = order("Z-9", 0, T0 + 10 * SEC), neg = order("A-1", -1, T0);
    assert_before(&blank, &neg);
}

Test(rank, extreme_priorities_compare_without_overflow)
{
    eng_order max = order("B", INT64_MAX, T0), min = order("A", INT64_MIN, T0);
    assert_before(&max, &min);
}

Test(rank, same_id_falls_back_to_file_then_line)
{
    eng_order a = order("A-1", 0, T0), b = order("A-1", 0, T0), c = order("A-1", 0, T0);
    a.file = 0;
    a.line = 9;
    b.file = 1;
    b.line = 2;
    c.file = 1;
    c.line = 3;
    assert_before(&a, &b);
    assert_before(&b, &c);
}

Test(rank, order_compares_equal_only_to_itself)
{
    eng_order a = order("A-1", 2, T0);
    eng_order copy = a;
    cr_assert_eq(eng_rank_cmp(&a, &a), 0);
    cr_assert_eq(eng_rank_cmp(&a, &copy), 0);
}

Test(rank, sort_orders_by_priority_then_time_then_id)
{
    eng_order o[] = {
        order("A9", 0, T0),              /* 4: blank priority, same time as A10 */
        order("NEG", -2, T0 - 99 * SEC), /* 6: negative priority, however early */
        order("A10", 0, T0),             /* 3: "A10" < "A9" */
        order("P1-LATE", 1, T0 + SEC),   /* 2 */
        order("P5", 5, T0 + 60 * SEC),   /* 0 */
        order("P1", 1, T0),              /* 1 */
        order("B", 0, T0 + SEC),         /* 5: blank priority, later */
    };
    const char *want[] = {"P5", "P1", "P1-LATE", "A10", "A9", "B", "NEG"};
    size_t n = sizeof o / sizeof *o;
    eng_order *p[sizeof o / sizeof *o];
    for (size_t i = 0; i < n; i++)
        p[i] = &o[i];
    eng_rank_sort(p, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(p[i]->id, want[i], "position %zu", i);
}

Test(rank, sort_of_empty_and_single_lists_is_harmless)
{
    eng_order a = order("A", 0, T0);
    eng_order *p[1] = {&a};
    eng_rank_sort(p, 0);
    eng_rank_sort(p, 1);
    cr_assert_eq(p[0], &a);
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int cmp_by_id(const void *x, const void *y)
{
    const eng_order *a = *(eng_order *const *)x, *b = *(eng_order *const *)y;
    int c = eng_order_cmp_id(a, b);
    if (c)
        return c;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* Keys sorted in place must give eng_rank_sort's order, whatever the mix of ties: few
 * priorities (with the extremes) and times, ids that are prefixes of each other, and
 * ids repeated across files so that only file and line separate two orders. */
Test(rank, key_sort_matches_order_sort)
{
    uint64_t s = tu_seed() | 1;
    static const int64_t prio[] = {INT64_MIN, -1, 0, 0, 0, 3, INT64_MAX};
    enum { N = 3000 };
    static char ids[N][8];
    static eng_order o[N];
    static eng_order *by_id[N], *want[N];
    static eng_rank_key keys[N];
    for (size_t i = 0; i < N; i++) {
        uint64_t r = rng_next(&s);
        const char *letters = "ABC";
        snprintf(ids[i], sizeof ids[i], "%.*s", (int)(1 + r % 3), letters + (r >> 8) % 2);
        o[i] = order(ids[i], prio[(r >> 16) % 7], T0 + (int64_t)((r >> 24) % 5) * SEC);
        o[i].file = (uint16_t)((r >> 32) % 3);
        o[i].line = i + 1;
        by_id[i] = want[i] = &o[i];
    }
    qsort(by_id, N, sizeof *by_id, cmp_by_id);
    for (size_t i = 0, place = 0; i < N; i++) {
        if (i > 0 && eng_order_cmp_id(by_id[i - 1], by_id[i]) != 0)
            place = i;
        eng_rank_key_set(&keys[i], by_id[i], (uint32_t)place, (uint32_t)i);
    }
    eng_rank_sort_keys(keys, N, by_id);
    eng_rank_sort(want, N);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(by_id[keys[i].pos], want[i], "position %zu", i);
}

Test(rank, key_sort_of_sorted_and_reversed_input)
{
    enum { N = 1000 };
    static eng_order o[N];
    static eng_order *list[N];
    static eng_rank_key keys[N];
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < N; i++) {
            o[i] = order("X", 0, T0 + (int64_t)(pass ? N - i : i) * SEC);
            list[i] = &o[i];
            eng_rank_key_set(&keys[i], &o[i], 0, (uint32_t)i); /* one id, one place */
        }
        eng_rank_sort_keys(keys, N, list);
        for (size_t i = 1; i < N; i++)
            cr_assert_lt(eng_order_time_ns(&o[keys[i - 1].pos]), eng_order_time_ns(&o[keys[i].pos]),
                         "pass %d", pass);
    }
}
