/* Ring buffer under one mutex with two condition variables. The queue carries a few
 * items per megabyte of input, so a lock per item costs nothing measurable; a lock-free
 * ring would add risk for no gain here.
 *
 * Invariant: 0 <= count <= cap; items live at ring[(head + k) % cap], k < count. */
#include "queue.h"

#include <pthread.h>
#include <stdlib.h>

struct eng_queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    void **ring; /* protected by mu */
    size_t cap;
    size_t head;  /* protected by mu */
    size_t count; /* protected by mu */
    int closed;   /* protected by mu */
};

eng_rc eng_queue_new(size_t cap, eng_queue **out, eng_err *err)
{
    eng_queue *q = calloc(1, sizeof *q);
    if (cap == 0)
        cap = 1;
    void **ring = q ? calloc(cap, sizeof *ring) : NULL;
    if (!ring) {
        free(q);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory creating a queue");
    }
    q->ring = ring;
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    *out = q;
    return ENG_OK;
}

void eng_queue_free(eng_queue *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->mu);
    free(q->ring);
    free(q);
}

int eng_queue_push(eng_queue *q, void *item)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == q->cap && !q->closed)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    q->ring[(q->head + q->count) % q->cap] = item;
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

void *eng_queue_pop(eng_queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->mu);
    void *item = NULL;
    if (q->count > 0) {
        item = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->mu);
    return item;
}

void eng_queue_close(eng_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}
