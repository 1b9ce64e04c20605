/* Will tonight fit in memory? Asked before any order is read, so that a night too large
 * for the machine is refused in a second (exit 3) rather than swapping for an hour or
 * being killed at 3 a.m. halfway through. */
#ifndef ENG_BUDGET_H
#define ENG_BUDGET_H

#include <stdint.h>

#include "../setup/setup.h"
#include "ingest.h"

typedef struct eng_budget {
    eng_night_size size;        /* from the start of each orders file (eng_orders_survey) */
    uint64_t estimate;          /* bytes the run will hold at its peak, the setup's included */
    uint64_t available;         /* the limit it was held to; 0 when none could be read */
    const char *available_from; /* "--memory-limit", "MemAvailable in /proc/meminfo"... */
} eng_budget;

/* Estimate the night's peak memory and refuse it (ENG_REFUSED, with the estimate, the
 * memory available and what to do) when it exceeds --memory-limit or, without it, what
 * the system has available. ENG_NOMEM. out is filled either way. */
eng_rc eng_budget_check(const eng_setup *s, eng_budget *out, eng_err *err);
void eng_budget_release(eng_budget *b);

#endif
