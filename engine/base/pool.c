/* Worker pool. One mutex guards the loop description and the counters; tasks are coarse
 * (a chunk of a file, a partition of orders), so the lock is taken a few thousand times
 * a run, far from the hot path.
 *
 * Lock order: only pool->mu exists. */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct eng_pool {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a loop started, or shutdown */
    pthread_cond_t done; /* the last task of a loop finished */
    pthread_t *threads;
    unsigned n_threads;
    /* The running loop; all protected by mu. */
    eng_pool_fn fn;
    void *ctx;
    size_t n;
    size_t next;    /* next index to hand out */
    size_t running; /* tasks handed out and not finished */
    int failed;
    size_t fail_index;
    eng_err fail_err;
    int shutdown;
};

typedef struct worker_arg {
    eng_pool *pool;
    unsigned id;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    eng_pool *p = wa->pool;
    unsigned id = wa->id;
    free(wa);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->shutdown && (p->fn == NULL || p->next >= p->n))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->shutdown)
            break;
        size_t i = p->next++;
        p->running++;
        eng_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->mu);

        eng_err err;
        memset(&err, 0, sizeof err);
        eng_rc rc = fn(ctx, i, id, &err);

        pthread_mutex_lock(&p->mu);
        if (rc != ENG_OK) {
            if (!p->failed || i < p->fail_index) {
                p->fail_index = i;
                p->fail_err = err;
                p->fail_err.rc = rc;
            }
            p->failed = 1;
            p->next = p->n; /* skip what is left */
        }
        if (--p->running == 0 && p->next >= p->n)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

eng_rc eng_pool_new(unsigned n_threads, eng_pool **out, eng_err *err)
{
    if (n_threads == 0)
        n_threads = 1;
    eng_pool *p = calloc(1, sizeof *p);
    if (!p)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory starting threads");
    p->threads = calloc(n_threads, sizeof *p->threads);
    if (!p->threads) {
        free(p);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory starting threads");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (unsigned i = 0; i < n_threads; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (wa) {
            wa->pool = p; /* the thread owns and frees wa */
            wa->id = i;
        }
        if (!wa || pthread_create(&p->threads[i], NULL, worker_main, wa) != 0) {
            free(wa);
            p->n_threads = i;
            eng_pool_free(p);
            return ENG_FAIL(err, ENG_INTERNAL, "cannot start worker thread %u of %u", i + 1,
                            n_threads);
        }
        p->n_threads = i + 1;
    }
    *out = p;
    return ENG_OK;
}

void eng_pool_free(eng_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->shutdown = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}

unsigned eng_pool_threads(const eng_pool *p)
{
    return p->n_threads;
}

eng_rc eng_pool_for(eng_pool *p, size_t n, eng_pool_fn fn, void *ctx, eng_err *err)
{
    if (n == 0)
        return ENG_OK;
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->next = 0;
    p->running = 0;
    p->failed = 0;
    pthread_cond_broadcast(&p->work);
    while (p->running > 0 || p->next < p->n)
        pthread_cond_wait(&p->done, &p->mu);
    p->fn = NULL;
    eng_rc rc = ENG_OK;
    if (p->failed) {
        rc = p->fail_err.rc;
        if (err)
            *err = p->fail_err;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}
