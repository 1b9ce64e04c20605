/* Tests of engine/stock on one thread: reserve takes exactly N of N and nothing of N+1,
 * reserve_upto takes what is there, release gives back, and slots are independent.
 * (Races between threads are tested by tests/stress_stock.c under TSan.) */
#include "../engine/allocate/stock.h"
#include "testutil.h"

static eng_stock *st;

static void setup(void)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_stock_new(3, &st, &err), ENG_OK);
}

static void teardown(void)
{
    eng_stock_free(st);
}

TestSuite(stock, .init = setup, .fini = teardown);

Test(stock, new_slots_start_at_zero)
{
    for (uint32_t s = 0; s < 3; s++)
        cr_assert_eq(eng_stock_available(st, s), 0);
}

Test(stock, init_slot_sets_the_free_units)
{
    eng_stock_init_slot(st, 1, 7);
    cr_assert_eq(eng_stock_available(st, 1), 7);
}

Test(stock, reserve_of_exactly_the_free_units_succeeds_and_empties_the_slot)
{
    eng_stock_init_slot(st, 0, 5);
    cr_assert_eq(eng_stock_reserve(st, 0, 5), ENG_OK);
    cr_assert_eq(eng_stock_available(st, 0), 0);
}

Test(stock, reserve_of_one_more_than_free_fails_and_takes_nothing)
{
    eng_stock_init_slot(st, 0, 5);
    cr_assert_eq(eng_stock_reserve(st, 0, 6), ENG_STOCK);
    cr_assert_eq(eng_stock_available(st, 0), 5);
}

Test(stock, reserve_of_fewer_than_free_leaves_the_rest)
{
    eng_stock_init_slot(st, 0, 5);
    cr_assert_eq(eng_stock_reserve(st, 0, 2), ENG_OK);
    cr_assert_eq(eng_stock_available(st, 0), 3);
}

Test(stock, reserve_on_an_empty_slot_fails)
{
    cr_assert_eq(eng_stock_reserve(st, 2, 1), ENG_STOCK);
    cr_assert_eq(eng_stock_available(st, 2), 0);
}

Test(stock, successive_reserves_stop_at_zero)
{
    eng_stock_init_slot(st, 0, 3);
    cr_assert_eq(eng_stock_reserve(st, 0, 2), ENG_OK);
    cr_assert_eq(eng_stock_reserve(st, 0, 2), ENG_STOCK);
    cr_assert_eq(eng_stock_reserve(st, 0, 1), ENG_OK);
    cr_assert_eq(eng_stock_reserve(st, 0, 1), ENG_STOCK);
    cr_assert_eq(eng_stock_available(st, 0), 0);
}

Test(stock, reserve_handles_int64_max_units)
{
    eng_stock_init_slot(st, 0, INT64_MAX);
    cr_assert_eq(eng_stock_reserve(st, 0, INT64_MAX), ENG_OK);
    cr_assert_eq(eng_stock_available(st, 0), 0);
}

Test(stock, reserve_upto_takes_all_wanted_when_enough)
{
    eng_stock_init_slot(st, 0, 5);
    cr_assert_eq(eng_stock_reserve_upto(st, 0, 4), 4);
    cr_assert_eq(eng_stock_available(st, 0), 1);
}

Test(stock, reserve_upto_takes_exactly_the_free_units_when_wanted_equals_free)
{
    eng_stock_init_slot(st, 0, 5);
    cr_assert_eq(eng_stock_reserve_upto(st, 0, 5), 5);
    cr_assert_eq(eng_stock_available(st, 0), 0);
}

Test(stock, reserve_upto_takes_what_is_left_when_short)
{
    eng_stock_init_slot(st, 0, 5);
    cr_assert_eq(eng_stock_reserve_upto(st, 0, 6), 5);
    cr_assert_eq(eng_stock_available(st, 0), 0);
}

Test(stock, reserve_upto_on_an_empty_slot_takes_nothing)
{
    cr_assert_eq(eng_stock_reserve_upto(st, 0, 3), 0);
    cr_assert_eq(eng_stock_available(st, 0), 0);
}

Test(stock, release_gives_units_back)
{
    eng_stock_init_slot(st, 0, 5);
    cr_assert_eq(eng_stock_reserve(st, 0, 5), ENG_OK);
    eng_stock_release(st, 0, 2);
    cr_assert_eq(eng_stock_available(st, 0), 2);
    cr_assert_eq(eng_stock_reserve(st, 0, 2), ENG_OK);
    cr_assert_eq(eng_stock_reserve(st, 0, 1), ENG_STOCK);
}

Test(stock, release_can_restock_above_the_initial_units)
{
    eng_stock_init_slot(st, 0, 1);
    eng_stock_release(st, 0, 4);
    cr_assert_eq(eng_stock_available(st, 0), 5);
}

Test(stock, slots_are_independent)
{
    eng_stock_init_slot(st, 0, 5);
    eng_stock_init_slot(st, 1, 2);
    cr_assert_eq(eng_stock_reserve(st, 0, 5), ENG_OK);
    cr_assert_eq(eng_stock_available(st, 1), 2);
    cr_assert_eq(eng_stock_reserve(st, 1, 3), ENG_STOCK);
    cr_assert_eq(eng_stock_available(st, 0), 0);
    cr_assert_eq(eng_stock_available(st, 2), 0);
}

Test(stock, zero_slots_is_allowed)
{
    eng_stock *none = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_stock_new(0, &none, &err), ENG_OK);
    cr_assert_not_null(none);
    eng_stock_free(none);
}

Test(stock, free_accepts_null)
{
    eng_stock_free(NULL);
}
