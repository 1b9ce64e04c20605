/* summary.json, the SPEC invariants recounted from what the writers wrote, and the short
 * human summary `slipway run` prints. */
#ifndef ENG_SUMMARY_H
#define ENG_SUMMARY_H

#include <stdio.h>

#include "alerts.h"
#include "../record/record.h"
#include "products.h"
#include "outputs.h"

typedef enum eng_check {
    ENG_CHECK_BROKEN = 0,
    ENG_CHECK_HOLDS = 1,
    ENG_CHECK_NOT_RUN = 2
} eng_check;

typedef struct eng_invariant {
    const char *name;
    eng_check state;
    char detail[240];
} eng_invariant;

#define ENG_N_INVARIANTS 6

/* Check SPEC's invariants 1-6 against the written figures (6 is left to `slipway
 * verify`, 5 needs --history). Returns 1 when none is broken. */
int eng_summary_check(const eng_products *night, const eng_slot_totals *totals,
                      const eng_outputs *out, eng_invariant inv[ENG_N_INVARIANTS]);

/* Invariant 5's count: lines (per channel, order and SKU) shipping tonight more than the
 * order asks for less what history shipped, history recounted from its distinct rows and
 * tonight from the lines' parts (never from the outstanding units the orders stage
 * derived). 0 without history; UINT64_MAX when out of memory. */
uint64_t eng_summary_resend_lines(const eng_products *night);

/* Write summary.json into the run's temporary folder. ENG_IO, ENG_NOMEM. */
eng_rc eng_summary_write(const eng_products *night, const eng_outputs *out,
                         const eng_report *report, const eng_invariant inv[ENG_N_INVARIANTS],
                         eng_outdir *od, eng_output_file *file, eng_err *err);

/* The human summary on f; dir NULL names no folder, seconds < 0 leaves out the time. */
void eng_summary_print(FILE *f, const eng_products *night, const eng_outputs *out,
                       const eng_report *report, const eng_invariant inv[ENG_N_INVARIANTS],
                       const char *dir, double seconds);

/* summary.txt: that summary without the folder and the time, so the same night gives the
 * same bytes. ENG_IO, ENG_NOMEM. */
eng_rc eng_summary_text_write(const eng_products *night, const eng_outputs *out,
                              const eng_report *report, const eng_invariant inv[ENG_N_INVARIANTS],
                              eng_outdir *od, eng_output_file *file, eng_err *err);

#endif
