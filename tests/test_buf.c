/* Tests of formats/buf: growth, the sticky failure flag, and the integer and money
 * appenders (money is integer minor units, written without floating point). */
#include "../formats/buf.h"
#include "testutil.h"

/* Run one appender on a fresh buffer and compare the text. */
#define ASSERT_WRITES(call, want)                                                                \
    do {                                                                                         \
        fmt_buf b_;                                                                              \
        fmt_buf_init(&b_);                                                                       \
        fmt_buf *b = &b_;                                                                        \
        call;                                                                                    \
        cr_assert(b_.len == strlen(want) && memcmp(b_.p, want, b_.len) == 0,                     \
                  "%s wrote \"%.*s\", want \"%s\"", #call, (int)b_.len, b_.p ? b_.p : "", want); \
        fmt_buf_release(&b_);                                                                    \
    } while (0)

Test(buf, put_minor_two_digits)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, 1999, 2), "19.99");
}

Test(buf, put_minor_pads_small_amount_with_zeros)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, 5, 2), "0.05");
    ASSERT_WRITES(fmt_buf_put_minor(b, 99, 2), "0.99");
}

Test(buf, put_minor_one_whole_unit)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, 100, 2), "1.00");
}

Test(buf, put_minor_negative_small_amount)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, -5, 2), "-0.05");
    ASSERT_WRITES(fmt_buf_put_minor(b, -1999, 2), "-19.99");
}

Test(buf, put_minor_zero)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, 0, 2), "0.00");
    ASSERT_WRITES(fmt_buf_put_minor(b, 0, 0), "0");
}

Test(buf, put_minor_zero_digit_currency_has_no_point)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, 7, 0), "7");
    ASSERT_WRITES(fmt_buf_put_minor(b, -1500, 0), "-1500");
}

Test(buf, put_minor_three_and_four_digits)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, 1234, 3), "1.234");
    ASSERT_WRITES(fmt_buf_put_minor(b, 1, 3), "0.001");
    ASSERT_WRITES(fmt_buf_put_minor(b, 1, 4), "0.0001");
    ASSERT_WRITES(fmt_buf_put_minor(b, 10000, 4), "1.0000");
}

Test(buf, put_minor_int64_limits)
{
    ASSERT_WRITES(fmt_buf_put_minor(b, INT64_MAX, 2), "92233720368547758.07");
    ASSERT_WRITES(fmt_buf_put_minor(b, INT64_MIN, 2), "-92233720368547758.08");
}

/* Totals either side of 2^64 minor units. */
Test(buf, put_minor128_either_side_of_64_bits)
{
    __int128 top = (__int128)UINT64_MAX; /* 18446744073709551615 */
    ASSERT_WRITES(fmt_buf_put_minor128(b, top, 2), "184467440737095516.15");
    ASSERT_WRITES(fmt_buf_put_minor128(b, top + 1, 2), "184467440737095516.16");
    ASSERT_WRITES(fmt_buf_put_minor128(b, -(top + 1), 0), "-18446744073709551616");
}

Test(buf, put_minor128_beyond_int64)
{
    __int128 v = (__int128)INT64_MAX * 1000 + 5; /* 9223372036854775807005 */
    ASSERT_WRITES(fmt_buf_put_minor128(b, v, 2), "92233720368547758070.05");
    ASSERT_WRITES(fmt_buf_put_minor128(b, -v, 2), "-92233720368547758070.05");
}

Test(buf, put_minor_appends_after_existing_text)
{
    ASSERT_WRITES((fmt_buf_puts(b, "total="), fmt_buf_put_minor(b, 1050, 2)), "total=10.50");
}

Test(buf, put_u64_limits)
{
    ASSERT_WRITES(fmt_buf_put_u64(b, 0), "0");
    ASSERT_WRITES(fmt_buf_put_u64(b, UINT64_MAX), "18446744073709551615");
}

Test(buf, put_i64_limits)
{
    ASSERT_WRITES(fmt_buf_put_i64(b, -1), "-1");
    ASSERT_WRITES(fmt_buf_put_i64(b, INT64_MAX), "9223372036854775807");
    ASSERT_WRITES(fmt_buf_put_i64(b, INT64_MIN), "-9223372036854775808");
}

Test(buf, put_puts_putc_concatenate)
{
    ASSERT_WRITES((fmt_buf_put(b, "ab", 2), fmt_buf_puts(b, "cd"), fmt_buf_putc(b, 'e'),
                   fmt_buf_put(b, "zz", 0)),
                  "abcde");
}

Test(buf, grows_past_initial_capacity_keeping_content)
{
    fmt_buf b;
    fmt_buf_init(&b);
    for (int i = 0; i < 100000; i++)
        fmt_buf_putc(&b, (char)('a' + i % 26));
    cr_assert_eq(b.failed, 0);
    cr_assert_eq(b.len, 100000);
    cr_assert_geq(b.cap, b.len);
    for (int i = 0; i < 100000; i++)
        cr_assert_eq(b.p[i], (char)('a' + i % 26), "byte %d changed", i);
    fmt_buf_release(&b);
}

Test(buf, reserve_makes_room_for_n_more_bytes)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_puts(&b, "xyz");
    cr_assert_eq(fmt_buf_reserve(&b, 50000), 0);
    cr_assert_geq(b.cap - b.len, 50000);
    cr_assert_eq(b.len, 3);
    cr_assert_eq(memcmp(b.p, "xyz", 3), 0);
    fmt_buf_release(&b);
}

Test(buf, impossible_reserve_sets_failed_and_later_appends_are_ignored)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_puts(&b, "ok");
    cr_assert_eq(fmt_buf_reserve(&b, SIZE_MAX), -1);
    cr_assert_eq(b.failed, 1);
    fmt_buf_puts(&b, "more");
    fmt_buf_putc(&b, '!');
    fmt_buf_put_minor(&b, 1999, 2);
    cr_assert_eq(b.len, 2, "a failed buffer grew to %zu bytes", b.len);
    cr_assert_eq(fmt_buf_reserve(&b, 1), -1, "a failed buffer recovered");
    fmt_buf_release(&b);
}

Test(buf, release_returns_to_empty_state)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_puts(&b, "data");
    fmt_buf_release(&b);
    cr_assert_null(b.p);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.cap, 0);
    cr_assert_eq(b.failed, 0);
}

/* The 64-bit money path and the 128-bit one write the same text, and whole numbers match
 * printf, over values near every power of ten and the int64 limits. */
Test(buf, put_minor_agrees_with_the_128_bit_path_and_u64_with_printf)
{
    fmt_buf x, y;
    fmt_buf_init(&x);
    fmt_buf_init(&y);
    int64_t values[200];
    size_t n = 0;
    for (int64_t e = 0, p = 1; e <= 18; e++, p *= e <= 18 ? 10 : 1) {
        values[n++] = p - 1;
        values[n++] = p;
        values[n++] = p + 1;
        values[n++] = -p;
        values[n++] = -(p - 1);
    }
    values[n++] = INT64_MAX;
    values[n++] = INT64_MIN;
    values[n++] = INT64_MIN + 1;
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d <= 4; d++) {
            x.len = y.len = 0;
            fmt_buf_put_minor(&x, values[i], d);
            fmt_buf_put_minor128(&y, values[i], d);
            cr_assert_eq(x.len, y.len, "%lld at %d digits", (long long)values[i], d);
            cr_assert_eq(memcmp(x.p, y.p, x.len), 0, "%lld at %d digits", (long long)values[i], d);
        }
    char want[32];
    for (size_t i = 0; i < n; i++) {
        uint64_t u = (uint64_t)values[i];
        x.len = 0;
        fmt_buf_put_u64(&x, u);
        int w = snprintf(want, sizeof want, "%llu", (unsigned long long)u);
        cr_assert_eq(x.len, (size_t)w);
        cr_assert_eq(memcmp(x.p, want, x.len), 0, "%s", want);
    }
    fmt_buf_release(&x);
    fmt_buf_release(&y);
}
