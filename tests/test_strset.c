/* Tests of engine/strset: adding, finding and counting byte strings; duplicates, growth
 * far past the first table, the empty string, embedded NUL and high bytes, and the NULL
 * set the history loader passes when no ids were asked for. */
#include "../engine/base/strset.h"
#include "testutil.h"

static eng_strset *s;

static void setup(void)
{
    s = eng_strset_new();
    cr_assert_not_null(s);
}

static void teardown(void)
{
    eng_strset_free(s);
}

TestSuite(strset, .init = setup, .fini = teardown);

static void add(const char *str, size_t len)
{
    cr_assert_eq(eng_strset_add(s, str, len), ENG_OK);
}

Test(strset, new_set_is_empty)
{
    cr_assert_eq(eng_strset_count(s), 0);
    cr_assert_not(eng_strset_has(s, "A-1", 3));
    cr_assert_not(eng_strset_has(s, "", 0));
}

Test(strset, added_string_is_found)
{
    add("A-1", 3);
    cr_assert(eng_strset_has(s, "A-1", 3));
    cr_assert_eq(eng_strset_count(s), 1);
}

Test(strset, strings_differing_in_case_length_or_one_byte_are_not_found)
{
    add("A-1", 3);
    cr_assert_not(eng_strset_has(s, "a-1", 3));
    cr_assert_not(eng_strset_has(s, "A-", 2));
    cr_assert_not(eng_strset_has(s, "A-1 ", 4));
    cr_assert_not(eng_strset_has(s, "A-2", 3));
}

Test(strset, only_len_bytes_are_added_and_compared)
{
    add("A-1xyz", 3);
    cr_assert(eng_strset_has(s, "A-1", 3));
    cr_assert(eng_strset_has(s, "A-1abc", 3));
    cr_assert_not(eng_strset_has(s, "A-1xyz", 6));
}

Test(strset, adding_a_duplicate_keeps_one_entry)
{
    add("A-1", 3);
    add("A-1", 3);
    add("A-2", 3);
    add("A-1", 3);
    cr_assert_eq(eng_strset_count(s), 2);
    cr_assert(eng_strset_has(s, "A-1", 3));
    cr_assert(eng_strset_has(s, "A-2", 3));
}

Test(strset, the_set_keeps_its_own_copy)
{
    char buf[8] = "R-7";
    add(buf, 3);
    memcpy(buf, "XXX", 3);
    cr_assert(eng_strset_has(s, "R-7", 3));
    cr_assert_not(eng_strset_has(s, "XXX", 3));
}

Test(strset, empty_string_is_a_member_like_any_other)
{
    add("", 0);
    cr_assert(eng_strset_has(s, "", 0));
    cr_assert_eq(eng_strset_count(s), 1);
    add("", 0);
    cr_assert_eq(eng_strset_count(s), 1);
    cr_assert_not(eng_strset_has(s, "\0", 1));
}

Test(strset, embedded_nul_and_high_bytes_are_compared_in_full)
{
    static const char a[] = {'A', '\0', 'B'};
    static const char b[] = {'A', '\0', 'C'};
    static const char hi[] = {'\xff', '\xfe', '\x80', '\0'};
    add(a, sizeof a);
    add(hi, sizeof hi);
    cr_assert(eng_strset_has(s, a, sizeof a));
    cr_assert_not(eng_strset_has(s, b, sizeof b));
    cr_assert_not(eng_strset_has(s, "A", 1));
    cr_assert(eng_strset_has(s, hi, sizeof hi));
    cr_assert_not(eng_strset_has(s, hi, 3));
    cr_assert_eq(eng_strset_count(s), 2);
}

Test(strset, entries_32_and_33_straddle_the_first_growth)
{
    /* The table starts with 64 slots and stays at most half full: entry 33 grows it. */
    char id[16];
    for (int i = 0; i < 32; i++)
        add(id, (size_t)snprintf(id, sizeof id, "O-%d", i));
    cr_assert_eq(eng_strset_count(s), 32);
    add("O-32", 4);
    cr_assert_eq(eng_strset_count(s), 33);
    for (int i = 0; i <= 32; i++)
        cr_assert(eng_strset_has(s, id, (size_t)snprintf(id, sizeof id, "O-%d", i)), "%s", id);
}

Test(strset, growth_past_many_entries_keeps_every_entry)
{
    char id[32];
    for (int i = 0; i < 100000; i++)
        add(id, (size_t)snprintf(id, sizeof id, "ORDER-%07d", i));
    cr_assert_eq(eng_strset_count(s), 100000);
    for (int i = 0; i < 100000; i++)
        cr_assert(eng_strset_has(s, id, (size_t)snprintf(id, sizeof id, "ORDER-%07d", i)), "%s",
                  id);
    cr_assert_not(eng_strset_has(s, "ORDER-0100000", 13));
    /* re-adding after growth still finds the existing entry */
    add("ORDER-0000000", 13);
    cr_assert_eq(eng_strset_count(s), 100000);
}

Test(strset, null_set_holds_nothing)
{
    cr_assert_not(eng_strset_has(NULL, "A-1", 3));
    cr_assert_eq(eng_strset_count(NULL), 0);
    eng_strset_free(NULL);
}
