/* Lock-free stock counters.
 *
 * Each counter owns a cache line, so threads reserving different SKUs never share a
 * line (no false sharing on the uncontended path, which is nearly every SKU).
 *
 * Memory ordering. Every operation here is relaxed. A counter publishes no other data:
 * what a reservation means (which order line holds it) is written by the reserving
 * thread into its own task's memory, and read by others only after eng_pool_for()
 * returns, whose mutex orders those writes before the reads. A compare-and-swap on one
 * location is atomic at any ordering, so two threads can never both take the last unit:
 * the modification order of the counter is a single total order, each successful CAS
 * reads the value the previous one wrote, and the "enough left?" test is made on that
 * value. Sequential consistency across different counters is not needed because no
 * decision reads two counters and expects them to agree in time: the allocator either
 * reads a contended counter from its one serial walk (see alloc.c) or an uncontended
 * counter that cannot run short. */
#include "stock.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef struct eng_counter {
    /* Units of one slot still free. Writers: allocation workers (reserve, release),
     * the restocker before allocation. Readers: the same workers; the reporter after the
     * pool loop. Order: relaxed, see the file comment. */
    _Alignas(ENG_CACHELINE) _Atomic int64_t free_units;
} eng_counter;

struct eng_stock {
    eng_counter *slots;
    size_t n_slots;
};

eng_rc eng_stock_new(size_t n_slots, eng_stock **out, eng_err *err)
{
    eng_stock *st = calloc(1, sizeof *st);
    size_t n = n_slots ? n_slots : 1;
    eng_counter *slots = st ? aligned_alloc(ENG_CACHELINE, n * sizeof *slots) : NULL;
    if (!slots) {
        free(st);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory for %zu stock counters", n_slots);
    }
    for (size_t i = 0; i < n; i++)
        atomic_init(&slots[i].free_units, 0);
    st->slots = slots;
    st->n_slots = n_slots;
    *out = st;
    return ENG_OK;
}

void eng_stock_free(eng_stock *st)
{
    if (!st)
        return;
    free(st->slots);
    free(st);
}

void eng_stock_init_slot(eng_stock *st, uint32_t slot, int64_t free_units)
{
    atomic_store_explicit(&st->slots[slot].free_units, free_units, memory_order_relaxed);
}

eng_rc eng_stock_reserve(eng_stock *st, uint32_t slot, int64_t qty)
{
    _Atomic int64_t *c = &st->slots[slot].free_units;
    int64_t cur = atomic_load_explicit(c, memory_order_relaxed);
    do {
        if (cur < qty)
            return ENG_STOCK;
    } while (!atomic_compare_exchange_weak_explicit(c, &cur, cur - qty, memory_order_relaxed,
                                                    memory_order_relaxed));
    return ENG_OK;
}

int64_t eng_stock_reserve_upto(eng_stock *st, uint32_t slot, int64_t want)
{
    _Atomic int64_t *c = &st->slots[slot].free_units;
    int64_t cur = atomic_load_explicit(c, memory_order_relaxed);
    int64_t take;
    do {
        take = cur < want ? cur : want;
        if (take <= 0)
            return 0;
    } while (!atomic_compare_exchange_weak_explicit(c, &cur, cur - take, memory_order_relaxed,
                                                    memory_order_relaxed));
    return take;
}

void eng_stock_release(eng_stock *st, uint32_t slot, int64_t qty)
{
    atomic_fetch_add_explicit(&st->slots[slot].free_units, qty, memory_order_relaxed);
}

int64_t eng_stock_available(const eng_stock *st, uint32_t slot)
{
    /* The cast drops const for C11's atomic_load, which takes a non-const pointer in
     * some library versions; the load does not modify. */
    return atomic_load_explicit((_Atomic int64_t *)&st->slots[slot].free_units,
                                memory_order_relaxed);
}
