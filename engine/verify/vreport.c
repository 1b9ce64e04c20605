/* Findings are formatted when recorded, so a check needs no memory of its own to report;
 * a report holds at most ENG_VREPORT_SHOW lines per invariant whatever the run's size. */
#include "vreport.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LINE_CAP 512

typedef struct inv_state {
    size_t n_found;
    char shown[ENG_VREPORT_SHOW][LINE_CAP];
    char detail[LINE_CAP];
    char unchecked[LINE_CAP];
} inv_state;

struct eng_vreport {
    inv_state inv[ENG_VREPORT_INVARIANTS + 1];
    int quiet; /* no verdict per invariant */
    size_t n_unreadable;
    char unreadable[ENG_VREPORT_SHOW][LINE_CAP];
};

static const char *const names[ENG_VREPORT_INVARIANTS + 1] = {
    "",
    "nothing oversells",
    "stock arithmetic",
    "every order and row accounted for",
    "amounts reconcile per currency",
    "nothing ships or refunds twice",
    "outputs and inputs match manifest.json",
    "slips match their orders and exchanges",
    "statuses and backorders follow the slips",
    "pick list and alerts recount",
};

const char *eng_vreport_name(int inv)
{
    return inv >= 1 && inv <= ENG_VREPORT_INVARIANTS ? names[inv] : "?";
}

eng_vreport *eng_vreport_new(void)
{
    return calloc(1, sizeof(eng_vreport));
}

void eng_vreport_free(eng_vreport *r)
{
    free(r);
}

static inv_state *state(eng_vreport *r, int inv)
{
    return &r->inv[inv >= 1 && inv <= ENG_VREPORT_INVARIANTS ? inv : 0];
}

void eng_vreport_broken(eng_vreport *r, int inv, const char *fmt, ...)
{
    inv_state *s = state(r, inv);
    if (s->n_found < ENG_VREPORT_SHOW) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->shown[s->n_found], LINE_CAP, fmt, ap);
        va_end(ap);
    }
    s->n_found++;
}

void eng_vreport_detail(eng_vreport *r, int inv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(state(r, inv)->detail, LINE_CAP, fmt, ap);
    va_end(ap);
}

void eng_vreport_detail_more(eng_vreport *r, int inv, const char *fmt, ...)
{
    char *d = state(r, inv)->detail;
    size_t used = strlen(d);
    if (used && used + 2 < LINE_CAP) {
        memcpy(d + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    if (used < LINE_CAP)
        vsnprintf(d + used, LINE_CAP - used, fmt, ap);
    va_end(ap);
}

void eng_vreport_unchecked(eng_vreport *r, int inv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(state(r, inv)->unchecked, LINE_CAP, fmt, ap);
    va_end(ap);
}

void eng_vreport_unchecked_first(eng_vreport *r, int inv, const char *fmt, ...)
{
    if (state(r, inv)->unchecked[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(state(r, inv)->unchecked, LINE_CAP, fmt, ap);
    va_end(ap);
}

void eng_vreport_set_quiet(eng_vreport *r)
{
    r->quiet = 1;
}

void eng_vreport_unreadable(eng_vreport *r, const char *fmt, ...)
{
    if (r->n_unreadable < ENG_VREPORT_SHOW) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->unreadable[r->n_unreadable], LINE_CAP, fmt, ap);
        va_end(ap);
    }
    r->n_unreadable++;
}

size_t eng_vreport_count(const eng_vreport *r, int inv)
{
    return inv >= 1 && inv <= ENG_VREPORT_INVARIANTS ? r->inv[inv].n_found : 0;
}

int eng_vreport_has_unreadable(const eng_vreport *r)
{
    return r->n_unreadable > 0;
}

int eng_vreport_print(const eng_vreport *r, FILE *out, FILE *err)
{
    int broken = 0;
    for (size_t i = 0; i < r->n_unreadable && i < ENG_VREPORT_SHOW; i++)
        fprintf(err, "slipway: verify: %s\n", r->unreadable[i]);
    if (r->n_unreadable > ENG_VREPORT_SHOW)
        fprintf(err, "slipway: verify: ... and %zu more unreadable\n",
                r->n_unreadable - ENG_VREPORT_SHOW);
    for (int inv = 1; inv <= ENG_VREPORT_INVARIANTS; inv++) {
        const inv_state *s = &r->inv[inv];
        if (s->n_found == 0)
            continue;
        broken++;
        for (size_t i = 0; i < s->n_found && i < ENG_VREPORT_SHOW; i++)
            fprintf(out, "invariant %d broken: %s\n", inv, s->shown[i]);
        if (s->n_found > ENG_VREPORT_SHOW)
            fprintf(out, "invariant %d broken: ... and %zu more\n", inv,
                    s->n_found - ENG_VREPORT_SHOW);
    }
    for (int inv = 1; inv <= ENG_VREPORT_INVARIANTS && !r->quiet; inv++) {
        const inv_state *s = &r->inv[inv];
        if (s->n_found)
            fprintf(out, "  %d %-40s BROKEN (%zu finding%s)\n", inv, names[inv], s->n_found,
                    s->n_found == 1 ? "" : "s");
        else if (s->unchecked[0])
            fprintf(out, "  %d %-40s not checked: %s\n", inv, names[inv], s->unchecked);
        else if (!s->detail[0]) /* no check reached it: say so, never "holds" */
            fprintf(out, "  %d %-40s not checked\n", inv, names[inv]);
        else
            fprintf(out, "  %d %-40s holds: %s\n", inv, names[inv], s->detail);
    }
    if (broken) {
        fprintf(out, "verify: %d of %d invariants broken\n", broken, ENG_VREPORT_INVARIANTS);
        return 4;
    }
    if (r->n_unreadable) {
        fprintf(out, "verify: incomplete: %zu file%s or value%s could not be read\n",
                r->n_unreadable, r->n_unreadable == 1 ? "" : "s", r->n_unreadable == 1 ? "" : "s");
        return 3;
    }
    fprintf(out, "verify: every checked invariant holds\n");
    return 0;
}
