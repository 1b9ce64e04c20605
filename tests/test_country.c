/* Tests of formats/country: codes pass through, names (English, alternatives, the
 * country's own) become codes, folded and trimmed; anything else is no country. */
#include "../formats/country.h"
#include "testutil.h"

static void assert_code(const char *text, const char *want)
{
    char code[3];
    cr_assert_eq(fmt_country_alpha2(text, strlen(text), code), 1, "\"%s\" not known", text);
    cr_assert_str_eq(code, want, "\"%s\"", text);
}

static void assert_unknown(const char *text)
{
    char code[3] = "XX";
    cr_assert_eq(fmt_country_alpha2(text, strlen(text), code), 0, "\"%s\" known", text);
    cr_assert_str_eq(code, "");
}

Test(country, codes_pass_through_folded)
{
    assert_code("US", "US");
    assert_code("de", "DE");
    assert_code(" gb\t", "GB");
    assert_code("QZ", "QZ"); /* two letters are taken as a code, known or not */
}

Test(country, english_names_alternatives_and_own_names)
{
    assert_code("United States", "US");
    assert_code("united states of america", "US");
    assert_code("USA", "US");
    assert_code("Germany", "DE");
    assert_code("  Deutschland ", "DE");
    assert_code("United Kingdom", "GB");
    assert_code("UK", "GB");
    assert_code("Netherlands", "NL");
    assert_code("Nederland", "NL");
    assert_code("Österreich", "AT");
    assert_code("Côte d'Ivoire", "CI");
    assert_code("中国", "CN");
    assert_code("Korea, Republic of", "KR");
    /* the ends of the sorted table */
    assert_code("Afghanistan", "AF");
    assert_code("Zimbabwe", "ZW");
    assert_code("Åland Islands", "AX");
}

Test(country, other_text_is_no_country)
{
    assert_unknown("");
    assert_unknown("   ");
    assert_unknown("U");
    assert_unknown("Narnia");
    assert_unknown("United");
    assert_unknown("United States X");
    assert_unknown("1A");
    char code[3];
    cr_assert_eq(fmt_country_alpha2("United States", 6, code), 0, "a prefix is not the name");
    char longer[200];
    memset(longer, 'A', sizeof longer);
    cr_assert_eq(fmt_country_alpha2(longer, sizeof longer, code), 0);
}
