/* Tests of formats/currency: ISO 4217 codes and their minor-unit exponents. */
#include "../formats/currency.h"
#include "testutil.h"

static int find(const char *code)
{
    return fmt_currency_find(code, strlen(code));
}

/* Minor digits of a code that must be known. */
static int digits_of(const char *code)
{
    int idx = find(code);
    cr_assert_geq(idx, 0, "%s is not known", code);
    cr_assert_str_eq(fmt_currency_code(idx), code);
    return fmt_currency_minor_digits(idx);
}

Test(currency, eur_has_two_digits)
{
    cr_assert_eq(digits_of("EUR"), 2);
}

Test(currency, jpy_has_no_digits)
{
    cr_assert_eq(digits_of("JPY"), 0);
}

Test(currency, kwd_has_three_digits)
{
    cr_assert_eq(digits_of("KWD"), 3);
}

Test(currency, clf_has_four_digits)
{
    cr_assert_eq(digits_of("CLF"), 4);
}

Test(currency, common_two_digit_currencies)
{
    const char *two[] = {"USD", "GBP", "CHF", "CNY", "INR", "AUD", "CAD", "SEK", "MXN", "BRL"};
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
        cr_assert_eq(digits_of(two[i]), 2, "%s", two[i]);
}

Test(currency, zero_digit_currencies)
{
    const char *zero[] = {"KRW", "VND", "CLP", "ISK", "UGX", "PYG", "XOF", "XAF", "XPF"};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        cr_assert_eq(digits_of(zero[i]), 0, "%s", zero[i]);
}

Test(currency, three_digit_currencies)
{
    const char *three[] = {"BHD", "IQD", "JOD", "LYD", "OMR", "TND"};
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        cr_assert_eq(digits_of(three[i]), 3, "%s", three[i]);
}

Test(currency, uyw_has_four_digits)
{
    cr_assert_eq(digits_of("UYW"), 4);
}

Test(currency, unknown_code_is_not_found)
{
    cr_assert_eq(find("XYZ"), -1);
    cr_assert_eq(find("AAA"), -1);
    cr_assert_eq(find("ZZZ"), -1);
}

Test(currency, lower_case_code_is_not_found)
{
    cr_assert_eq(find("eur"), -1);
    cr_assert_eq(find("Eur"), -1);
}

Test(currency, codes_of_other_lengths_are_not_found)
{
    cr_assert_eq(find(""), -1);
    cr_assert_eq(find("EU"), -1);
    cr_assert_eq(find("EURO"), -1);
    cr_assert_eq(fmt_currency_find("EUR ", 4), -1);
    cr_assert_eq(fmt_currency_find("EURX", 3), find("EUR"), "only len bytes are read");
}

Test(currency, first_and_last_codes_of_the_table_are_found)
{
    int n = fmt_currency_count();
    cr_assert_gt(n, 0);
    cr_assert_eq(find(fmt_currency_code(0)), 0);
    cr_assert_eq(find(fmt_currency_code(n - 1)), n - 1);
}

Test(currency, table_is_sorted_and_every_code_finds_its_own_index)
{
    int n = fmt_currency_count();
    cr_assert_geq(n, 140, "only %d currencies", n); /* ISO 4217 lists about 150 active codes */
    for (int i = 0; i < n; i++) {
        const char *c = fmt_currency_code(i);
        cr_assert_eq(strlen(c), 3, "code %d \"%s\"", i, c);
        for (int k = 0; k < 3; k++)
            cr_assert(c[k] >= 'A' && c[k] <= 'Z', "code %d \"%s\" is not upper case", i, c);
        cr_assert_eq(find(c), i, "%s found at %d, listed at %d", c, find(c), i);
        int d = fmt_currency_minor_digits(i);
        cr_assert(d >= 0 && d <= 4, "%s has %d digits", c, d);
        if (i + 1 < n)
            cr_assert_lt(strcmp(c, fmt_currency_code(i + 1)), 0, "%s is not before %s", c,
                         fmt_currency_code(i + 1));
    }
}
