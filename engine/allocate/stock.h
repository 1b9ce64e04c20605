/* Stock counters: units free to allocate per inventory slot (one SKU in one warehouse),
 * updated by many threads at once without locks.
 *
 * A slot starts at max(0, on_hand - safety_stock): safety stock is never allocated.
 * Reservations take from it, releases and restocks give back; a reservation never drives
 * a counter below zero. Every call is thread-safe and lock-free (a CAS loop on one
 * 64-bit word). */
#ifndef ENG_STOCK_H
#define ENG_STOCK_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

#define ENG_CACHELINE 64

typedef struct eng_stock eng_stock;

/* n_slots counters, all 0. ENG_NOMEM. */
eng_rc eng_stock_new(size_t n_slots, eng_stock **out, eng_err *err);
void eng_stock_free(eng_stock *st);

/* Set a slot's free units before any thread uses the counters (not thread-safe). */
void eng_stock_init_slot(eng_stock *st, uint32_t slot, int64_t free_units);

/* Take qty units (qty > 0) if at least qty are free. Returns ENG_OK, or ENG_STOCK when
 * fewer remain (then nothing is taken). */
eng_rc eng_stock_reserve(eng_stock *st, uint32_t slot, int64_t qty);

/* Take as many as are free, up to want (> 0). Returns the units taken (0..want). */
int64_t eng_stock_reserve_upto(eng_stock *st, uint32_t slot, int64_t want);

/* Give back qty units (a rolled-back reservation, a restock). */
void eng_stock_release(eng_stock *st, uint32_t slot, int64_t qty);

/* Units free now. Exact once no thread is updating the slot (after a pool loop). */
int64_t eng_stock_available(const eng_stock *st, uint32_t slot);

#endif
