/* Tests of engine/text: sanitizing input text for outputs (always valid UTF-8) and quoting
 * a value for a message (escapes, the cut after about 40 characters, small buffers). */
#include "../engine/base/text.h"
#include "../formats/utf8.h"
#include "testutil.h"

static eng_arena *mem;

static void setup(void)
{
    mem = eng_arena_new(1024);
    cr_assert_not_null(mem);
}

static void teardown(void)
{
    eng_arena_free(mem);
}

TestSuite(text, .init = setup, .fini = teardown);

/* ---- eng_text_sanitize ---- */

static void assert_sanitized(const char *in, size_t len, const char *want)
{
    size_t out_len = 12345;
    char *out = eng_text_sanitize(mem, in, len, &out_len);
    cr_assert_not_null(out);
    cr_assert_str_eq(out, want);
    cr_assert_eq(out_len, strlen(want));
    cr_assert_eq(fmt_utf8_valid_prefix(out, out_len), out_len, "output is not UTF-8");
}

Test(text, sanitize_copies_valid_ascii_unchanged)
{
    assert_sanitized("Main St 1", 9, "Main St 1");
}

Test(text, sanitize_copies_valid_multibyte_unchanged)
{
    assert_sanitized("M\xC3\xBCnchen \xE2\x82\xAC", 12, "M\xC3\xBCnchen \xE2\x82\xAC");
}

Test(text, sanitize_escapes_a_latin1_byte)
{
    assert_sanitized("Orl\xE9"
                     "ans",
                     7, "Orl\\xE9ans");
}

Test(text, sanitize_escapes_nul)
{
    assert_sanitized("a\0b", 3, "a\\x00b");
}

Test(text, sanitize_escapes_every_byte_of_a_truncated_sequence)
{
    /* E2 82 is the start of a 3-byte sequence cut short at the end. */
    assert_sanitized("x\xE2\x82", 3, "x\\xE2\\x82");
}

Test(text, sanitize_escapes_an_overlong_encoding)
{
    /* C0 AF is an overlong '/', forbidden by RFC 3629. */
    assert_sanitized("\xC0\xAF", 2, "\\xC0\\xAF");
}

Test(text, sanitize_of_empty_text_is_empty)
{
    assert_sanitized("", 0, "");
}

Test(text, sanitize_accepts_null_out_len)
{
    char *out = eng_text_sanitize(mem, "\xFF", 1, NULL);
    cr_assert_str_eq(out, "\\xFF");
}

Test(text, sanitize_reads_only_len_bytes)
{
    assert_sanitized("abc\xFF", 3, "abc");
}

/* ---- eng_text_quote ---- */

static void assert_quoted(const char *in, size_t len, const char *want)
{
    char dst[64];
    memset(dst, 'Z', sizeof dst);
    eng_text_quote(dst, sizeof dst, in, len);
    cr_assert_str_eq(dst, want);
}

Test(text, quote_wraps_plain_text_in_double_quotes)
{
    assert_quoted("abc", 3, "\"abc\"");
}

Test(text, quote_of_empty_text_is_two_quotes)
{
    assert_quoted("", 0, "\"\"");
}

Test(text, quote_escapes_line_ends_and_tab)
{
    assert_quoted("a\nb\rc\td", 7, "\"a\\nb\\rc\\td\"");
}

Test(text, quote_escapes_other_control_characters_as_hex)
{
    assert_quoted("a\x01"
                  "b\x1F",
                  4, "\"a\\x01b\\x1F\"");
}

/* DEL (0x7F) is a control character too (text.h: "control characters as \n, \r, \t
 * or \xNN"). Found 2026-11-27: eng_text_quote copies it raw because it only escapes
 * bytes below 0x20. */
Test(text, quote_escapes_delete_as_hex)
{
    assert_quoted("a\x7F"
                  "b",
                  3, "\"a\\x7Fb\"");
}

Test(text, quote_keeps_tilde_the_last_printable_ascii_character)
{
    assert_quoted("~", 1, "\"~\"");
}

Test(text, quote_keeps_space_the_first_printable_character)
{
    assert_quoted(" ", 1, "\" \"");
}

Test(text, quote_escapes_invalid_utf8_as_hex)
{
    assert_quoted("Orl\xE9"
                  "ans",
                  7, "\"Orl\\xE9ans\"");
}

Test(text, quote_keeps_valid_multibyte_characters)
{
    assert_quoted("M\xC3\xBCnchen", 8, "\"M\xC3\xBCnchen\"");
}

Test(text, quote_shows_40_characters_whole)
{
    const char *s40 = "0123456789012345678901234567890123456789";
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", s40);
    assert_quoted(s40, 40, want);
}

Test(text, quote_cuts_41_characters_after_40_with_dots)
{
    const char *s41 = "01234567890123456789012345678901234567890";
    assert_quoted(s41, 41, "\"0123456789012345678901234567890123456789...\"");
}

Test(text, quote_never_splits_a_multibyte_character)
{
    /* 40 two-byte characters do not fit in 64 bytes: the cut falls between characters. */
    char in[80];
    for (int i = 0; i < 40; i++) {
        in[2 * i] = '\xC3';
        in[2 * i + 1] = '\xA9';
    }
    char dst[64];
    eng_text_quote(dst, sizeof dst, in, sizeof in);
    size_t n = strlen(dst);
    cr_assert_lt(n, sizeof dst);
    cr_assert_eq(fmt_utf8_valid_prefix(dst, n), n, "cut inside a character: %s", dst);
    cr_assert(n >= 4 && strcmp(dst + n - 4, "...\"") == 0, "no cut mark: %s", dst);
    cr_assert_eq(dst[0], '"');
}

Test(text, quote_into_the_smallest_buffer_still_terminates)
{
    char dst[8];
    memset(dst, 'Z', sizeof dst);
    eng_text_quote(dst, sizeof dst, "abcdefghij", 10);
    cr_assert_lt(strlen(dst), sizeof dst);
    cr_assert_eq(dst[0], '"');
    cr_assert_eq(dst[strlen(dst) - 1], '"');
    cr_assert(strstr(dst, "...") != NULL, "%s", dst);
}

Test(text, quote_reads_only_len_bytes)
{
    assert_quoted("abcdef", 3, "\"abc\"");
}

/* ---- edit distance ---- */

static size_t dist(const char *a, const char *b, int fold)
{
    return eng_text_distance(a, strlen(a), b, strlen(b), fold);
}

Test(text, distance_counts_single_byte_edits)
{
    cr_assert_eq(dist("", "", 0), 0);
    cr_assert_eq(dist("", "EAST", 0), 4);    /* four insertions */
    cr_assert_eq(dist("EAST", "", 0), 4);    /* four deletions */
    cr_assert_eq(dist("WST", "WEST", 0), 1); /* one insertion */
    cr_assert_eq(dist("EAST", "WEST", 0), 2);
    cr_assert_eq(dist("kitten", "sitting", 0), 3); /* k->s, e->i, +g */
    cr_assert_eq(dist("EAST", "EAST", 0), 0);
}

Test(text, distance_folds_ascii_case_only_when_asked)
{
    cr_assert_eq(dist("east", "EAST", 0), 4);
    cr_assert_eq(dist("east", "EAST", 1), 0);
    cr_assert_eq(dist("East-2", "EAST-1", 1), 1);
    /* Only ASCII letters fold: UTF-8 bytes of "Ä" and "ä" differ in one byte. */
    cr_assert_eq(dist("\xc3\x84", "\xc3\xa4", 1), 1);
}

Test(text, distance_of_names_longer_than_the_stack_rows)
{
    char a[301], b[301];
    memset(a, 'x', 300);
    memset(b, 'x', 300);
    a[300] = b[300] = '\0';
    b[150] = 'y';
    cr_assert_eq(dist(a, b, 0), 1);
    cr_assert_eq(dist(a, "x", 0), 299);
    cr_assert_eq(dist("x", a, 0), 299);
}
