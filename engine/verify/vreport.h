/* What slipway verify found, invariant by invariant, and how it is printed.
 *
 * SPEC's six invariants are 1-6; verify's own checks follow as 7-9 (slips against their
 * orders, statuses and backorders, the pick list and alerts), reported alike. Each ends as holds,
 * broken (with the findings: one line each, naming file:line and values) or not checkable (with the
 * reason). Problems that stop a check from running at all (a missing file, a manifest that is not
 * JSON) are recorded apart, as unreadable. Only the first ENG_VREPORT_SHOW findings of an invariant
 * are kept for printing; the rest are counted. */
#ifndef ENG_VREPORT_H
#define ENG_VREPORT_H

#include <stddef.h>
#include <stdio.h>

#define ENG_VREPORT_INVARIANTS 9
#define ENG_VREPORT_SHOW       20

typedef struct eng_vreport eng_vreport;

/* A new, empty report. An invariant holds only when a check said what it covered
 * (eng_vreport_detail); one no check reached is printed as not checked. NULL when out of
 * memory. */
eng_vreport *eng_vreport_new(void);
void eng_vreport_free(eng_vreport *r);

/* Record one finding against invariant inv (1..9): a line of text without newline. */
void eng_vreport_broken(eng_vreport *r, int inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What a holding invariant covered ("83 SKU-warehouse slots"): printed after "holds".
 * The last call wins. */
void eng_vreport_detail(eng_vreport *r, int inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add to the detail line, after "; " when it has text already (a second check of the
 * same invariant). */
void eng_vreport_detail_more(eng_vreport *r, int inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Invariant inv cannot be checked from what is available, and why. Findings win over
 * this: a broken invariant stays broken. */
void eng_vreport_unchecked(eng_vreport *r, int inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same, unless inv already has a reason not to be checked (the first, more
 * particular reason is kept). */
void eng_vreport_unchecked_first(eng_vreport *r, int inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A file or value verify needed could not be read; the run cannot be fully checked. */
void eng_vreport_unreadable(eng_vreport *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print only the findings and the last line (verify --quiet), not a verdict per
 * invariant. */
void eng_vreport_set_quiet(eng_vreport *r);

/* Findings recorded against inv (all of them, not only those kept). */
size_t eng_vreport_count(const eng_vreport *r, int inv);

/* 1 when something was unreadable. */
int eng_vreport_has_unreadable(const eng_vreport *r);

/* Print findings and a verdict per invariant to out, unreadable files to err. Returns the
 * exit code: 4 when any invariant is broken, else 3 when something was unreadable, else
 * 0. */
int eng_vreport_print(const eng_vreport *r, FILE *out, FILE *err);

/* The short name of invariant inv ("no oversell"). */
const char *eng_vreport_name(int inv);

#endif
