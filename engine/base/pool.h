/* A fixed set of worker threads that run parallel loops.
 *
 * eng_pool_for() runs fn(ctx, i, worker) for every i in [0, n), each index exactly once,
 * on the pool's threads, and returns when all have finished. Indexes are handed out in
 * increasing order to whichever worker is free, so results must never depend on which
 * worker ran an index: callers write into slot i, not into a shared list. The return
 * makes every write of every task visible to the caller (the pool's mutex is the
 * release/acquire pair). */
#ifndef ENG_POOL_H
#define ENG_POOL_H

#include <stddef.h>

#include "../core/err.h"

typedef struct eng_pool eng_pool;

/* fn returns ENG_OK or an error; the first error (lowest index among failed ones) is
 * what eng_pool_for returns, and remaining indexes are skipped once one fails. */
typedef eng_rc (*eng_pool_fn)(void *ctx, size_t i, unsigned worker, eng_err *err);

/* Start n_threads workers (>= 1). ENG_NOMEM or ENG_INTERNAL when threads cannot start. */
eng_rc eng_pool_new(unsigned n_threads, eng_pool **out, eng_err *err);

/* Stop and join the workers. Accepts NULL. Not while a loop is running. */
void eng_pool_free(eng_pool *p);

unsigned eng_pool_threads(const eng_pool *p);

/* Run the loop; one caller at a time. err receives the failing task's error. */
eng_rc eng_pool_for(eng_pool *p, size_t n, eng_pool_fn fn, void *ctx, eng_err *err);

#endif
