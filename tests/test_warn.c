/* Tests of engine/warn: the run's warnings list that stderr and summary.json show. Its
 * order must not depend on which thread recorded what first (summary.json is the same
 * for any --threads). */
#include <pthread.h>

#include "../engine/base/warn.h"
#include "testutil.h"
#include <criterion/redirect.h>

Test(warn, keeps_source_then_line_order_whatever_the_recording_order, .init = cr_redirect_stderr)
{
    eng_warnings *w = eng_warnings_new();
    cr_assert_not_null(w);
    cr_assert_eq(eng_warn(w, ENG_WARN_RUN, 0, "about the run"), ENG_OK);
    cr_assert_eq(eng_warn(w, 2, 9, "source 2 line 9"), ENG_OK);
    cr_assert_eq(eng_warn(w, 0, 40, "source 0 line 40"), ENG_OK);
    cr_assert_eq(eng_warn(w, 2, 3, "source 2 line %d", 3), ENG_OK);
    cr_assert_eq(eng_warn(w, 0, 40, "source 0 line 40, another"), ENG_OK);
    cr_assert_eq(eng_warnings_count(w), 5);
    cr_assert_str_eq(eng_warnings_text(w, 0), "source 0 line 40");
    cr_assert_str_eq(eng_warnings_text(w, 1), "source 0 line 40, another");
    cr_assert_str_eq(eng_warnings_text(w, 2), "source 2 line 3");
    cr_assert_str_eq(eng_warnings_text(w, 3), "source 2 line 9");
    cr_assert_str_eq(eng_warnings_text(w, 4), "about the run");
    eng_warnings_free(w);
}

Test(warn, prints_each_warning_as_one_stderr_line, .init = cr_redirect_stderr)
{
    eng_warnings *w = eng_warnings_new();
    cr_assert_eq(eng_warn(w, 1, 5, "orders.csv: no line end after the last line %d", 5), ENG_OK);
    /* Without a list (verify, unit tests) a warning is still printed. */
    cr_assert_eq(eng_warn(NULL, 0, 0, "printed only"), ENG_OK);
    fflush(stderr);
    cr_assert_stderr_eq_str("slipway: warning: orders.csv: no line end after the last line 5\n"
                            "slipway: warning: printed only\n");
    cr_assert_eq(eng_warnings_count(w), 1);
    cr_assert_eq(eng_warnings_count(NULL), 0);
    eng_warnings_free(w);
}

Test(warn, empty_list_has_no_warnings)
{
    eng_warnings *w = eng_warnings_new();
    cr_assert_eq(eng_warnings_count(w), 0);
    eng_warnings_free(w);
    eng_warnings_free(NULL);
}

typedef struct racer {
    eng_warnings *w;
    size_t source;
} racer;

static void *record_ten(void *arg)
{
    racer *r = arg;
    for (uint64_t line = 10; line > 0; line--)
        eng_warn(r->w, r->source, line, "source %zu line %llu", r->source,
                 (unsigned long long)line);
    return NULL;
}

Test(warn, threads_recording_at_once_give_the_sorted_list, .init = cr_redirect_stderr)
{
    eng_warnings *w = eng_warnings_new();
    pthread_t t[4];
    racer r[4];
    for (size_t i = 0; i < 4; i++) {
        r[i].w = w;
        r[i].source = 3 - i;
        cr_assert_eq(pthread_create(&t[i], NULL, record_ten, &r[i]), 0);
    }
    for (size_t i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    cr_assert_eq(eng_warnings_count(w), 40);
    for (size_t k = 0; k < 40; k++) {
        char want[64];
        snprintf(want, sizeof want, "source %zu line %zu", k / 10, k % 10 + 1);
        cr_assert_str_eq(eng_warnings_text(w, k), want);
    }
    eng_warnings_free(w);
}
