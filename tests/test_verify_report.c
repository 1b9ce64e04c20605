/* Tests of engine/verify/vreport, how verify reports: the verdict per invariant, the
 * "invariant N broken:" finding lines and their cap, not-checked invariants, unreadable
 * files, and the exit code each outcome gives. */
#include "../engine/verify/vreport.h"
#include "testutil.h"

static char out_text[65536], err_text[8192];

static int print(const eng_vreport *r)
{
    FILE *out = fmemopen(out_text, sizeof out_text, "w");
    FILE *err = fmemopen(err_text, sizeof err_text, "w");
    cr_assert(out && err);
    int code = eng_vreport_print(r, out, err);
    fclose(out);
    fclose(err);
    return code;
}

Test(vreport, all_hold_exits_0)
{
    eng_vreport *r = eng_vreport_new();
    eng_vreport_detail(r, 1, "%d slots", 44);
    cr_assert_eq(print(r), 0);
    cr_assert(strstr(out_text, "  1 nothing oversells") != NULL, "%s", out_text);
    cr_assert(strstr(out_text, "holds: 44 slots") != NULL, "%s", out_text);
    cr_assert(strstr(out_text, "verify: every checked invariant holds") != NULL);
    cr_assert_eq(err_text[0], '\0');
    eng_vreport_free(r);
}

Test(vreport, a_finding_breaks_its_invariant_and_exits_4)
{
    eng_vreport *r = eng_vreport_new();
    eng_vreport_detail(r, 1, "%s", "would be shown if it held");
    eng_vreport_broken(r, 1, "SKU %s at %s shipped %d > available %d (slips.csv lines 4, 9)",
                       "TENT-2P", "MAIN", 12, 10);
    cr_assert_eq(eng_vreport_count(r, 1), 1);
    cr_assert_eq(eng_vreport_count(r, 2), 0);
    cr_assert_eq(print(r), 4);
    cr_assert(strstr(out_text, "invariant 1 broken: SKU TENT-2P at MAIN shipped 12 > available "
                               "10 (slips.csv lines 4, 9)\n") != NULL,
              "%s", out_text);
    cr_assert(strstr(out_text, "BROKEN (1 finding)") != NULL, "%s", out_text);
    cr_assert(strstr(out_text, "verify: 1 of 9 invariants broken") != NULL, "%s", out_text);
    eng_vreport_free(r);
}

Test(vreport, shows_the_first_findings_then_counts_the_rest)
{
    eng_vreport *r = eng_vreport_new();
    for (int i = 0; i < ENG_VREPORT_SHOW + 5; i++)
        eng_vreport_broken(r, 3, "finding %d", i);
    cr_assert_eq(eng_vreport_count(r, 3), ENG_VREPORT_SHOW + 5);
    cr_assert_eq(print(r), 4);
    char last[64];
    snprintf(last, sizeof last, "finding %d\n", ENG_VREPORT_SHOW - 1);
    cr_assert(strstr(out_text, last) != NULL);
    snprintf(last, sizeof last, "finding %d\n", ENG_VREPORT_SHOW);
    cr_assert(strstr(out_text, last) == NULL, "finding %d should not be shown", ENG_VREPORT_SHOW);
    cr_assert(strstr(out_text, "invariant 3 broken: ... and 5 more\n") != NULL, "%s", out_text);
    eng_vreport_free(r);
}

Test(vreport, not_checked_is_said_and_is_not_a_failure)
{
    eng_vreport *r = eng_vreport_new();
    eng_vreport_unchecked(r, 5, "%s", "needs --history");
    cr_assert_eq(print(r), 0);
    cr_assert(strstr(out_text, "not checked: needs --history") != NULL, "%s", out_text);
    eng_vreport_free(r);
}

Test(vreport, a_finding_wins_over_not_checked)
{
    eng_vreport *r = eng_vreport_new();
    eng_vreport_unchecked(r, 5, "%s", "partly");
    eng_vreport_broken(r, 5, "%s", "ships twice");
    cr_assert_eq(print(r), 4);
    cr_assert(strstr(out_text, "  5 nothing ships or refunds twice           BROKEN (1 finding)\n") !=
                  NULL,
              "%s", out_text);
    eng_vreport_free(r);
}

/* Issue 15: verify says only what it checked. An invariant no check reached (the run
 * folder missing, an input unreadable) is "not checked", never "holds". */
Test(vreport, an_invariant_no_check_reached_is_not_checked)
{
    eng_vreport *r = eng_vreport_new();
    eng_vreport_detail(r, 1, "%s", "4 slots");
    cr_assert_eq(print(r), 0);
    cr_assert(strstr(out_text, "  1 nothing oversells                        holds: 4 slots\n") !=
                  NULL,
              "%s", out_text);
    cr_assert(strstr(out_text, "  2 stock arithmetic                         not checked\n") !=
                  NULL,
              "%s", out_text);
    int holds = 0; /* invariant 1's line and the closing verdict only */
    for (const char *p = out_text; (p = strstr(p, "holds")) != NULL; p++)
        holds++;
    cr_assert_eq(holds, 2, "%s", out_text);
    eng_vreport_free(r);
}

Test(vreport, the_first_reason_not_to_check_is_kept)
{
    eng_vreport *r = eng_vreport_new();
    eng_vreport_unchecked_first(r, 5, "%s", "needs --history");
    eng_vreport_unchecked_first(r, 5, "%s", "needs history input h.csv, which could not be read");
    eng_vreport_detail(r, 5, "%s", "a detail does not make it hold");
    cr_assert_eq(print(r), 0);
    cr_assert(strstr(out_text, "not checked: needs --history\n") != NULL, "%s", out_text);
    cr_assert(strstr(out_text, "h.csv") == NULL, "%s", out_text);
    eng_vreport_free(r);
}

Test(vreport, unreadable_exits_3_unless_something_is_broken)
{
    eng_vreport *r = eng_vreport_new();
    eng_vreport_unreadable(r, "%s: %s", "night/slips.csv", "No such file or directory");
    cr_assert(eng_vreport_has_unreadable(r));
    cr_assert_eq(print(r), 3);
    cr_assert(strstr(err_text, "slipway: verify: night/slips.csv: No such file") != NULL, "%s",
              err_text);
    eng_vreport_broken(r, 6, "%s", "slips.csv is listed in manifest.json but missing");
    cr_assert_eq(print(r), 4);
    eng_vreport_free(r);
}

Test(vreport, names_each_invariant)
{
    cr_assert_str_eq(eng_vreport_name(1), "nothing oversells");
    cr_assert_str_eq(eng_vreport_name(6), "outputs and inputs match manifest.json");
    cr_assert_str_eq(eng_vreport_name(7), "slips match their orders and exchanges");
    cr_assert_str_eq(eng_vreport_name(9), "pick list and alerts recount");
    cr_assert_str_eq(eng_vreport_name(0), "?");
    cr_assert_str_eq(eng_vreport_name(10), "?");
}
