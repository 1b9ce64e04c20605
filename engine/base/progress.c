/* progress.h. The thread sleeps on a condition variable with a timeout, so stop wakes it
 * at once; it reads the counters (relaxed: a display may be a moment late) and rewrites
 * one line with \r and erase-to-end. */
#include "progress.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct eng_progress {
    const char *command;
    _Atomic(const char *) stage;
    _Atomic uint64_t total_bytes, total_files, bytes, lines, files;
    _Atomic uint64_t stage_start_ns;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    int stop;  /* under mu */
    int dirty; /* under mu: a stage began: draw it now, even on a run shorter than a tick */
    int drawn;
};

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int eng_progress_wanted(int forced, int quiet)
{
    return forced || (!quiet && isatty(STDERR_FILENO));
}

/* "1.2 GB", "350 MB", "12 kB" */
static void size_text(char *dst, size_t cap, uint64_t bytes)
{
    if (bytes >= 1000000000u)
        snprintf(dst, cap, "%.1f GB", (double)bytes / 1e9);
    else if (bytes >= 1000000u)
        snprintf(dst, cap, "%.0f MB", (double)bytes / 1e6);
    else
        snprintf(dst, cap, "%.0f kB", (double)bytes / 1e3);
}

static void draw(eng_progress *p)
{
    const char *stage = atomic_load_explicit(&p->stage, memory_order_relaxed);
    if (!stage)
        return;
    uint64_t bytes = atomic_load_explicit(&p->bytes, memory_order_relaxed),
             total = atomic_load_explicit(&p->total_bytes, memory_order_relaxed),
             lines = atomic_load_explicit(&p->lines, memory_order_relaxed),
             files = atomic_load_explicit(&p->files, memory_order_relaxed),
             n_files = atomic_load_explicit(&p->total_files, memory_order_relaxed);
    /* the start first: a stage beginning between the two reads makes it later than
     * now, which counts as no time yet rather than wrapping around */
    uint64_t start = atomic_load_explicit(&p->stage_start_ns, memory_order_relaxed);
    uint64_t now = now_ns();
    double secs = now > start ? (double)(now - start) / 1e9 : 0;
    char line[200], a[24], b[24];
    int n = snprintf(line, sizeof line, "slipway %s: %s", p->command, stage);
    if (n_files && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "  %llu of %llu files",
                      (unsigned long long)files, (unsigned long long)n_files);
    if (lines && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "  %.1fM lines", (double)lines / 1e6);
    if (bytes && n < (int)sizeof line) {
        size_text(a, sizeof a, bytes);
        if (total) {
            size_text(b, sizeof b, total);
            n += snprintf(line + n, sizeof line - (size_t)n, "  %s of %s", a, b);
        } else {
            n += snprintf(line + n, sizeof line - (size_t)n, "  %s", a);
        }
        if (secs > 0.2 && n < (int)sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, "  %.0f MB/s",
                          (double)bytes / 1e6 / secs);
        if (total && bytes < total && secs > 0.5 && n < (int)sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, "  %.0f s left",
                          secs * (double)(total - bytes) / (double)bytes);
    } else if (n < (int)sizeof line) {
        n += snprintf(line + n, sizeof line - (size_t)n, "  %.0f s", secs);
    }
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = 1;
}

static void *progress_main(void *arg)
{
    eng_progress *p = arg;
    /* never the thread a SIGINT lands on: the output folder's watcher takes signals */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        int rc = p->dirty ? 0 : pthread_cond_timedwait(&p->wake, &p->mu, &until);
        if ((rc == ETIMEDOUT || p->dirty) && !p->stop)
            draw(p);
        p->dirty = 0;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

eng_progress *eng_progress_start(const char *command)
{
    eng_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->command = command;
    atomic_init(&p->stage, NULL);
    atomic_init(&p->stage_start_ns, now_ns());
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->wake);
        free(p);
        return NULL;
    }
    return p;
}

void eng_progress_stage(eng_progress *p, const char *stage, uint64_t total_bytes,
                        uint64_t total_files)
{
    if (!p)
        return;
    atomic_store_explicit(&p->bytes, 0, memory_order_relaxed);
    atomic_store_explicit(&p->lines, 0, memory_order_relaxed);
    atomic_store_explicit(&p->files, 0, memory_order_relaxed);
    atomic_store_explicit(&p->total_bytes, total_bytes, memory_order_relaxed);
    atomic_store_explicit(&p->total_files, total_files, memory_order_relaxed);
    atomic_store_explicit(&p->stage_start_ns, now_ns(), memory_order_relaxed);
    atomic_store_explicit(&p->stage, stage, memory_order_relaxed);
    pthread_mutex_lock(&p->mu);
    p->dirty = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->mu);
}

void eng_progress_add(eng_progress *p, uint64_t bytes, uint64_t lines)
{
    if (!p)
        return;
    atomic_fetch_add_explicit(&p->bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->lines, lines, memory_order_relaxed);
}

void eng_progress_bytes_at(eng_progress *p, uint64_t bytes)
{
    if (p)
        atomic_store_explicit(&p->bytes, bytes, memory_order_relaxed);
}

void eng_progress_file_done(eng_progress *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->files, 1, memory_order_relaxed);
}

void eng_progress_stop(eng_progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    if (p->drawn) { /* the line goes: what follows starts clean */
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->wake);
    free(p);
}
