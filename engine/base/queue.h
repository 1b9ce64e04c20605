/* A bounded first-in first-out queue of pointers between threads.
 *
 * The reader pushes chunks of input, workers pop them; the bound keeps at most `cap`
 * chunks in memory, so a file larger than RAM streams through. Push blocks while full,
 * pop blocks while empty; after close, pop drains what is left and then returns NULL.
 * An item pushed belongs to whoever pops it. */
#ifndef ENG_QUEUE_H
#define ENG_QUEUE_H

#include <stddef.h>

#include "../core/err.h"

typedef struct eng_queue eng_queue;

eng_rc eng_queue_new(size_t cap, eng_queue **out, eng_err *err);
void eng_queue_free(eng_queue *q);

/* Append item (not NULL). Returns 0, or -1 when the queue was closed (item not taken). */
int eng_queue_push(eng_queue *q, void *item);

/* Oldest item, or NULL once the queue is closed and empty. */
void *eng_queue_pop(eng_queue *q);

/* No more pushes; wakes every waiter. */
void eng_queue_close(eng_queue *q);

#endif
