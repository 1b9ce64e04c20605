/* Slip and return numbers: "OUT-YYYYMMDD-NNNNNN", at least six digits, never cut. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "../engine/write/outputs.h"
#include "../formats/isotime.h"

static void assert_numbers(int32_t day, uint64_t n)
{
    char got[40], want[40], date[9];
    fmt_isodate_compact(day, date);
    eng_outputs_slip_no(got, day, n);
    snprintf(want, sizeof want, "OUT-%s-%06llu", date, (unsigned long long)n);
    cr_assert_str_eq(got, want);
    eng_outputs_return_no(got, day, n);
    snprintf(want, sizeof want, "RMA-%s-%06llu", date, (unsigned long long)n);
    cr_assert_str_eq(got, want);
}

Test(outputs, slip_no_reads_as_the_manual_says)
{
    char got[40];
    eng_outputs_slip_no(got, fmt_days_from_civil(2026, 11, 27), 1);
    cr_assert_str_eq(got, "OUT-20261127-000001");
    eng_outputs_return_no(got, fmt_days_from_civil(2026, 11, 27), 1234567);
    cr_assert_str_eq(got, "RMA-20261127-1234567");
}

Test(outputs, slip_and_return_numbers_agree_with_printf)
{
    const uint64_t edges[] = {0, 1, 9, 10, 99999, 999999, 1000000, 9999999, UINT64_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        assert_numbers(fmt_days_from_civil(1970, 1, 1), edges[i]);
    for (uint64_t n = 0; n < 200000; n += 7)
        assert_numbers(fmt_days_from_civil(2099, 12, 31) - (int32_t)(n % 47000), n * 977);
}
