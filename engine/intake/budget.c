#include "budget.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "../base/memory.h"
#include "../setup/inventory.h"

/* What the engine holds per order line and per order at its peak, and per orders-file
 * chunk in flight. The peak is either the last batch read (a 64-byte row and 2 bytes of
 * flags a line, an order's head, texts and id) or, later, the orders grouped and ranked
 * (a 32-byte line a line, an 80-byte order, its head, texts and id, the lists of
 * orders): the first weighs more on nights of many lines an order, the second on nights
 * of few. An order keeps its texts once, so its share grows with the text of a row.
 * Fitted at 2 threads to the bench nights (1M lines in 336k and in 1M orders, 5M lines
 * in 1.68M orders, the 1M one-line night with 140 more bytes of address a row, and 50
 * lines an order), the figures below put the estimate at 1.1-1.3 x the peak, which also
 * covers the private tuples of a night of distinct long channels (intake/intern).
 * Recalibrate when the records change: tests/budget.sh fails when the estimate is below
 * the peak or over twice it. */
#define BYTES_PER_LINE   72u
#define BYTES_PER_ORDER  32u /* plus 5/4 of the average row's text */
#define CHUNK_BYTES      (4u << 20)
#define PER_THREAD_BYTES (4u << 20) /* a worker's scratch: its splitter, arenas' blocks */
/* Under routing keys (issue 14), per order: routing.csv's facts, a 16-byte note per
 * warehouse and a 32-byte header (engine/allocate/explain.h); per thread: a row of
 * 8-byte demand per inventory slot. */
#define ROUTE_NOTE_BYTES 16u
#define ROUTING_BYTES    32u
/* Under shortage_rule = proportional the rounds (engine/allocate/fair.c) keep, per line,
 * its state (24 bytes), where its flags start (8), an ask (80) and a flag per warehouse;
 * per order, its state (32) and its list with two flags (6 bytes per warehouse). At most
 * every line takes part. (A line split over warehouses leaves a parts list per round in
 * the arena: few lines split, so they are not counted.) */
#define FAIR_LINE_BYTES  112u
#define FAIR_ORDER_BYTES 32u

static uint64_t rss_now(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_maxrss * 1024u : 0;
}

/* "1,234,567" */
static void grouped(uint64_t v, char *out, size_t cap)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* "3.2 GiB", "512 MiB" */
static void human(uint64_t bytes, char *out, size_t cap)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* a + b and a * b, stuck at UINT64_MAX: a damaged file's sizes must not wrap round to a
 * night that fits. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

eng_rc eng_budget_check(const eng_setup *s, eng_budget *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    ENG_TRY(eng_orders_survey(s, &out->size, err));
    /* The chunk buffers intake allocates (ingest.c: a queue of two per worker, at most
     * sixteen, plus one per worker and two more), each filled no further than the text. */
    uint64_t threads = s->threads ? s->threads : 1;
    uint64_t n_chunks = (2 * threads < 16 ? 2 * threads : 16) + threads + 2;
    uint64_t chunks_mapped = n_chunks * CHUNK_BYTES;
    uint64_t chunks = chunks_mapped;
    if (chunks > add_sat(out->size.bytes, CHUNK_BYTES))
        chunks = out->size.bytes + CHUNK_BYTES;
    uint64_t row_text = out->size.lines ? out->size.bytes / out->size.lines : 0;
    uint64_t per_order = add_sat(BYTES_PER_ORDER, mul_sat(row_text, 5) / 4);
    uint64_t tonight = add_sat(
        add_sat(mul_sat(out->size.lines, BYTES_PER_LINE), mul_sat(out->size.orders, per_order)),
        chunks + threads * PER_THREAD_BYTES);
    if (fmt_policy_sources_per_order(&s->policy) && s->inventory) {
        uint64_t n_wh = eng_inventory_warehouse_count(s->inventory);
        uint64_t per = add_sat(mul_sat(n_wh, ROUTE_NOTE_BYTES), ROUTING_BYTES);
        tonight = add_sat(tonight, mul_sat(out->size.orders, per));
        tonight = add_sat(tonight, mul_sat(threads, mul_sat(eng_inventory_count(s->inventory), 8)));
        if (s->policy.shortage == FMT_SHORTAGE_PROPORTIONAL) {
            tonight = add_sat(tonight, mul_sat(out->size.lines, FAIR_LINE_BYTES + n_wh));
            tonight = add_sat(tonight, mul_sat(out->size.orders, FAIR_ORDER_BYTES + 6 * n_wh));
        }
    }
    uint64_t setup_held = rss_now();
    if (s->memory_limit) {
        out->estimate = add_sat(setup_held, tonight);
        out->available = s->memory_limit;
        out->available_from = "--memory-limit";
        if (out->estimate <= out->available)
            return ENG_OK;
    } else {
        eng_memory_room sys = eng_memory_available();
        uint64_t room = sys.bytes;
        out->available_from = sys.from;
        /* An address-space limit also counts what is mapped and not yet touched: every
         * chunk buffer whole and the reader thread's stack. */
        if (sys.counts_mapped)
            tonight = add_sat(tonight, chunks_mapped - chunks + (8u << 20));
        out->estimate = add_sat(setup_held, tonight);
        out->available = room ? add_sat(setup_held, room) : 0;
        if (!room || tonight <= room)
            return ENG_OK;
    }
    char need[32], have[32], lines[32], orders[32];
    human(out->estimate, need, sizeof need);
    human(out->available, have, sizeof have);
    grouped(out->size.lines, lines, sizeof lines);
    grouped(out->size.orders, orders, sizeof orders);
    err->path = NULL;
    err->line = 0;
    err->field = NULL;
    return ENG_FAIL(err, ENG_REFUSED,
                    "tonight needs about %s of memory (about %s order lines in %s orders, "
                    "estimated from the start of each orders file), but %s is available (%s); "
                    "free memory, run on a larger machine, split the orders files over several "
                    "runs, or set --memory-limit if the estimate is wrong",
                    need, lines, orders, have, out->available_from);
}

void eng_budget_release(eng_budget *b)
{
    eng_night_size_release(&b->size);
}
