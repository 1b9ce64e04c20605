/* Tests of formats/utf8: RFC 3629 validation returning the index of the first bad byte. */
#include "../formats/utf8.h"
#include "testutil.h"

/* Valid prefix of a byte string given with its length (so NUL can be inside). */
#define PREFIX(lit) fmt_utf8_valid_prefix(lit, sizeof(lit) - 1)

Test(utf8, empty_text_is_valid)
{
    cr_assert_eq(fmt_utf8_valid_prefix("", 0), 0);
}

Test(utf8, ascii_is_valid)
{
    cr_assert_eq(PREFIX("order_id,sku,qty 12345 ~"), 24);
}

Test(utf8, two_three_and_four_byte_characters_are_valid)
{
    cr_assert_eq(PREFIX("caf\xC3\xA9"), 5); /* é U+00E9 */
    cr_assert_eq(PREFIX("\xE2\x82\xAC"
                        "5"),
                 4);                                     /* € U+20AC */
    cr_assert_eq(PREFIX("ok \xF0\x9F\x98\x80"), 7);      /* 😀 U+1F600 */
    cr_assert_eq(PREFIX("\xE4\xB8\xAD\xE6\x96\x87"), 6); /* 中文 */
}

Test(utf8, boundaries_of_each_length_are_valid)
{
    cr_assert_eq(PREFIX("\x7F"), 1);             /* U+007F */
    cr_assert_eq(PREFIX("\xC2\x80"), 2);         /* U+0080 */
    cr_assert_eq(PREFIX("\xDF\xBF"), 2);         /* U+07FF */
    cr_assert_eq(PREFIX("\xE0\xA0\x80"), 3);     /* U+0800 */
    cr_assert_eq(PREFIX("\xED\x9F\xBF"), 3);     /* U+D7FF, last before the surrogates */
    cr_assert_eq(PREFIX("\xEE\x80\x80"), 3);     /* U+E000, first after them */
    cr_assert_eq(PREFIX("\xEF\xBF\xBF"), 3);     /* U+FFFF */
    cr_assert_eq(PREFIX("\xF0\x90\x80\x80"), 4); /* U+10000 */
    cr_assert_eq(PREFIX("\xF4\x8F\xBF\xBF"), 4); /* U+10FFFF */
}

Test(utf8, overlong_two_byte_form_is_refused)
{
    cr_assert_eq(PREFIX("ab\xC0\xAF"), 2); /* "/" written in two bytes */
    cr_assert_eq(PREFIX("\xC1\xBF"), 0);   /* U+007F in two bytes */
}

Test(utf8, overlong_three_and_four_byte_forms_are_refused)
{
    cr_assert_eq(PREFIX("\xE0\x9F\xBF"), 0);     /* U+07FF in three bytes */
    cr_assert_eq(PREFIX("\xF0\x8F\xBF\xBF"), 0); /* U+FFFF in four bytes */
}

Test(utf8, surrogates_are_refused)
{
    cr_assert_eq(PREFIX("x\xED\xA0\x80"), 1); /* U+D800 */
    cr_assert_eq(PREFIX("\xED\xBF\xBF"), 0);  /* U+DFFF */
}

Test(utf8, code_points_above_10ffff_are_refused)
{
    cr_assert_eq(PREFIX("abc\xF4\x90\x80\x80"), 3); /* U+110000 */
    cr_assert_eq(PREFIX("\xF5\x80\x80\x80"), 0);
    cr_assert_eq(PREFIX("\xFF"), 0);
}

Test(utf8, lone_continuation_byte_is_refused)
{
    cr_assert_eq(PREFIX("a\x80"
                        "b"),
                 1);
    cr_assert_eq(PREFIX("\xBF"), 0);
}

Test(utf8, missing_continuation_in_the_middle_is_refused)
{
    cr_assert_eq(PREFIX("\xE2\x28\xA1"), 0);
    cr_assert_eq(PREFIX("ok\xC3"
                        "A"),
                 2);
}

Test(utf8, truncated_sequence_at_end_is_refused)
{
    cr_assert_eq(PREFIX("abc\xE2\x82"), 3);
    cr_assert_eq(PREFIX("abc\xF0\x9F\x98"), 3);
    cr_assert_eq(PREFIX("\xC3"), 0);
}

Test(utf8, nul_is_refused)
{
    cr_assert_eq(PREFIX("ab\0cd"), 2);
    cr_assert_eq(PREFIX("\0"), 0);
}

Test(utf8, nul_is_refused_inside_an_eight_byte_ascii_run)
{
    /* The validator checks eight ASCII bytes at a time; a NUL must still stop it. */
    cr_assert_eq(PREFIX("abcdefghijk\0mnopqrstu"), 11);
    cr_assert_eq(PREFIX("abcdefgh\0"), 8);
}

Test(utf8, bad_byte_after_a_long_ascii_run_is_found)
{
    cr_assert_eq(PREFIX("abcdefghijklmnop\xFF"), 16);
    cr_assert_eq(PREFIX("abcdefghijklmno\xC3\xA9"
                        "z"),
                 18);
}

/* ---- clean text: no byte order mark inside a value (issue 5, hostile input,
 * 2026-11-27) ---- */

#define CLEAN(lit) fmt_utf8_clean_prefix(lit, sizeof(lit) - 1)

Test(utf8, clean_text_is_clean_to_its_end)
{
    cr_assert_eq(CLEAN("A-1 caf\xC3\xA9 \xEF\xBB\xBE"), 13); /* U+FEFE is not a BOM */
}

Test(utf8, byte_order_mark_at_the_start_or_inside_stops_clean_text)
{
    cr_assert_eq(CLEAN("\xEF\xBB\xBF"
                       "A-1"),
                 0);
    cr_assert_eq(CLEAN("Weg\xEF\xBB\xBF 1"), 3);
}

Test(utf8, invalid_byte_before_a_byte_order_mark_is_found_first)
{
    cr_assert_eq(CLEAN("a\xFF\xEF\xBB\xBF"), 1);
}

Test(utf8, explain_names_nul_bom_and_invalid_byte)
{
    char why[96];
    fmt_utf8_explain(why, sizeof why, "A\0nn", 4, 1);
    cr_assert_str_eq(why, "holds a NUL byte at position 2");
    fmt_utf8_explain(why, sizeof why, "Weg\xEF\xBB\xBF", 6, 3);
    cr_assert(strstr(why, "byte order mark (U+FEFF) at position 4") != NULL, "%s", why);
    fmt_utf8_explain(why, sizeof why, "K\xF6ln", 4, 1);
    cr_assert_str_eq(why, "is not valid UTF-8 (byte 0xF6 at position 2)");
}
