/* Stress test for engine/stock: threads race on a few counters and the result is
 * compared with what a sequential model allows. Built and run under ThreadSanitizer by
 * `make stress` (Criterion aborts under TSan, so this is a plain program).
 *
 * Seed: ENG_SEED (default: time), printed first so a failure can be replayed. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../engine/allocate/stock.h"

#define N_THREADS 8
#define N_SLOTS   4
#define OPS       20000

static int passed, failed;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAILED: %s\n", what);
    }
}

typedef struct race {
    eng_stock *st;
    uint64_t seed;
    int64_t taken[N_SLOTS]; /* by this thread, net of releases */
    int64_t successes;
} race;

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random reserves, partial reserves and releases of what this thread holds. */
static void *mixed_worker(void *arg)
{
    race *r = arg;
    for (int i = 0; i < OPS; i++) {
        uint32_t slot = (uint32_t)(next(&r->seed) % N_SLOTS);
        int64_t qty = (int64_t)(next(&r->seed) % 5) + 1;
        switch (next(&r->seed) % 3) {
        case 0:
            if (eng_stock_reserve(r->st, slot, qty) == ENG_OK)
                r->taken[slot] += qty;
            break;
        case 1:
            r->taken[slot] += eng_stock_reserve_upto(r->st, slot, qty);
            break;
        default:
            if (r->taken[slot] >= qty) {
                eng_stock_release(r->st, slot, qty);
                r->taken[slot] -= qty;
            }
        }
        if (eng_stock_available(r->st, slot) < 0)
            abort(); /* a counter below zero is an oversell */
    }
    return NULL;
}

/* Everyone wants one unit of the same slot. */
static void *last_unit_worker(void *arg)
{
    race *r = arg;
    for (int i = 0; i < OPS; i++)
        if (eng_stock_reserve(r->st, 0, 1) == ENG_OK)
            r->successes++;
    return NULL;
}

static void run_threads(race *r, void *(*fn)(void *))
{
    pthread_t th[N_THREADS];
    for (int t = 0; t < N_THREADS; t++)
        if (pthread_create(&th[t], NULL, fn, &r[t]) != 0)
            abort();
    for (int t = 0; t < N_THREADS; t++)
        pthread_join(th[t], NULL);
}

static void test_mixed(uint64_t seed)
{
    eng_stock *st = NULL;
    if (eng_stock_new(N_SLOTS, &st, NULL) != ENG_OK)
        abort();
    const int64_t initial[N_SLOTS] = {0, 7, 1000, 50000};
    for (uint32_t s = 0; s < N_SLOTS; s++)
        eng_stock_init_slot(st, s, initial[s]);
    race r[N_THREADS] = {{0}};
    for (int t = 0; t < N_THREADS; t++) {
        r[t].st = st;
        r[t].seed = seed + (uint64_t)t * 0x9E3779B97F4A7C15u + 1;
    }
    run_threads(r, mixed_worker);
    for (uint32_t s = 0; s < N_SLOTS; s++) {
        int64_t held = 0;
        for (int t = 0; t < N_THREADS; t++)
            held += r[t].taken[s];
        char what[96];
        snprintf(what, sizeof what, "slot %u: available + held == initial", s);
        check(eng_stock_available(st, s) + held == initial[s], what);
        snprintf(what, sizeof what, "slot %u: never below zero", s);
        check(eng_stock_available(st, s) >= 0, what);
    }
    eng_stock_free(st);
}

static void test_last_unit(int64_t units)
{
    eng_stock *st = NULL;
    if (eng_stock_new(1, &st, NULL) != ENG_OK)
        abort();
    eng_stock_init_slot(st, 0, units);
    race r[N_THREADS] = {{0}};
    for (int t = 0; t < N_THREADS; t++)
        r[t].st = st;
    run_threads(r, last_unit_worker);
    int64_t total = 0;
    for (int t = 0; t < N_THREADS; t++)
        total += r[t].successes;
    char what[96];
    snprintf(what, sizeof what, "%lld units: exactly that many one-unit reservations succeed",
             (long long)units);
    check(total == units, what);
    check(eng_stock_available(st, 0) == 0, "the counter ends at zero");
    eng_stock_free(st);
}

int main(void)
{
    const char *env = getenv("ENG_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("stress_stock: ENG_SEED=%llu\n", (unsigned long long)seed);
    fflush(stdout); /* kept even when an assertion aborts the run */
    for (int round = 0; round < 5; round++)
        test_mixed(seed + (uint64_t)round);
    test_last_unit(1);
    test_last_unit(777);
    test_last_unit((int64_t)N_THREADS * OPS - 1);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
