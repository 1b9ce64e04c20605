/* Tests of engine/verify/vmap, the dense string-to-id map verify tallies with: ids in
 * insertion order, lookups of absent keys, composite keys with the separator, embedded
 * NUL and high bytes, and growth far past the first table. */
#include "../engine/base/vmap.h"
#include "testutil.h"

Test(vmap, numbers_keys_in_insertion_order)
{
    eng_vmap *m = eng_vmap_new();
    cr_assert_not_null(m);
    int added;
    cr_assert_eq(eng_vmap_add(m, "B-1", 3, &added), 0);
    cr_assert_eq(added, 1);
    cr_assert_eq(eng_vmap_add(m, "A-1", 3, &added), 1);
    cr_assert_eq(eng_vmap_add(m, "B-1", 3, &added), 0);
    cr_assert_eq(added, 0);
    cr_assert_eq(eng_vmap_count(m), 2);
    size_t len;
    cr_assert_str_eq(eng_vmap_key(m, 1, &len), "A-1");
    cr_assert_eq(len, 3);
    eng_vmap_free(m);
}

Test(vmap, finds_only_what_was_added)
{
    eng_vmap *m = eng_vmap_new();
    cr_assert_eq(eng_vmap_find(m, "x", 1), -1);
    cr_assert_eq(eng_vmap_add(m, "", 0, NULL), 0);
    cr_assert_eq(eng_vmap_find(m, "", 0), 0);
    cr_assert_eq(eng_vmap_find(m, "x", 1), -1);
    eng_vmap_free(m);
}

Test(vmap, composite_and_binary_keys_stay_distinct)
{
    eng_vmap *m = eng_vmap_new();
    const char a[] = {'T', ENG_VMAP_SEP, 'M', 'A', 'I', 'N'};
    const char b[] = {'T', ENG_VMAP_SEP, 'M', 'A', 'I', 'N', 'X'};
    const char c[] = {'T', '\0', 'M'};
    const char d[] = {'T', '\xff', 'M'};
    cr_assert_eq(eng_vmap_add(m, a, sizeof a, NULL), 0);
    cr_assert_eq(eng_vmap_add(m, b, sizeof b, NULL), 1);
    cr_assert_eq(eng_vmap_add(m, c, sizeof c, NULL), 2);
    cr_assert_eq(eng_vmap_add(m, d, sizeof d, NULL), 3);
    cr_assert_eq(eng_vmap_find(m, c, sizeof c), 2);
    cr_assert_eq(eng_vmap_find(m, "T", 1), -1);
    eng_vmap_free(m);
}

Test(vmap, grows_past_many_tables)
{
    eng_vmap *m = eng_vmap_new();
    char key[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "ORD-%d", i);
        cr_assert_eq(eng_vmap_add(m, key, (size_t)n, NULL), i);
    }
    for (int i = 0; i < 100000; i += 997) {
        int n = snprintf(key, sizeof key, "ORD-%d", i);
        cr_assert_eq(eng_vmap_find(m, key, (size_t)n), i);
        cr_assert_str_eq(eng_vmap_key(m, i, NULL), key);
    }
    cr_assert_eq(eng_vmap_count(m), 100000);
    eng_vmap_free(m);
    eng_vmap_free(NULL);
}
