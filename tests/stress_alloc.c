/* Differential stress test of the threaded pipeline against a sequential model.
 *
 * Each round writes a random night (hot SKUs that run out, several warehouses, safety
 * stock, priorities and tied order times, both allocation policies), runs ingest, order
 * checks and allocation in-process with 1, 2, 4 and 8 threads and small ingest chunks,
 * and compares every order's outcome with a plain single-threaded allocator written
 * here from SPEC's words: take orders in rank order, serve each line from the first
 * warehouse that covers it whole; ship_complete backorders an order with any uncovered
 * line, partial takes what each warehouse has in order. Built under ThreadSanitizer by
 * `make stress`.
 *
 * Seed: ENG_SEED (default: time), printed first; a failure names its round. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/allocate/alloc.h"
#include "../engine/intake/ingest.h"
#include "../engine/book/orders.h"
#include "../engine/base/pool.h"

static int passed, failed;

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next() % n);
}

static void check(int ok, const char *label, const char *what)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "FAILED: %s: %s\n", label, what);
}

#define N_PRODUCTS   30
#define N_WAREHOUSES 3

typedef struct night_files {
    char dir[64];
    char catalog[96];
    char inventory[96];
    char policy[96];
    char orders[2][96];
    int partial;
} night_files;

static void write_night(night_files *f, unsigned n_orders)
{
    static const char *const wh[N_WAREHOUSES] = {"EAST", "MAIN", "WEST"};
    snprintf(f->dir, sizeof f->dir, "/tmp/slipway-stress.XXXXXX");
    if (!mkdtemp(f->dir))
        abort();
    snprintf(f->catalog, sizeof f->catalog, "%s/catalog.csv", f->dir);
    snprintf(f->inventory, sizeof f->inventory, "%s/inventory.csv", f->dir);
    snprintf(f->policy, sizeof f->policy, "%s/policy.conf", f->dir);
    FILE *c = fopen(f->catalog, "w"), *inv = fopen(f->inventory, "w"), *pol = fopen(f->policy, "w");
    if (!c || !inv || !pol)
        abort();
    fprintf(c, "sku,name,status,list_price,min_price,currency\n");
    fprintf(inv, "sku,warehouse,on_hand,safety_stock\n");
    for (int p = 0; p < N_PRODUCTS; p++) {
        fprintf(c, "P%02d,Product %d,active,10.00,1.00,EUR\n", p, p);
        for (int w = 0; w < N_WAREHOUSES; w++)
            if (pick(3) != 0) /* about two warehouses per product; some have none */
                fprintf(inv, "P%02d,%s,%u,%u\n", p, wh[w], pick(p < 6 ? 8 : 60), pick(3));
    }
    f->partial = (int)pick(2);
    unsigned first = pick(N_WAREHOUSES), second = (first + 1 + pick(2)) % N_WAREHOUSES;
    fprintf(pol, "allocation = %s\nwarehouse_order = %s, %s\n",
            f->partial ? "partial" : "ship_complete", wh[first], wh[second]);
    fclose(c);
    fclose(inv);
    fclose(pol);
    for (int k = 0; k < 2; k++) {
        snprintf(f->orders[k], sizeof f->orders[k], "%s/orders%d.csv", f->dir, k);
        FILE *o = fopen(f->orders[k], "w");
        if (!o)
            abort();
        fprintf(o, "order_id,order_time,sku,qty,unit_price,currency,priority,ship_name,"
                   "ship_street,ship_city,ship_country\n");
        for (unsigned i = 0; i < n_orders / 2; i++) {
            unsigned lines = 1 + pick(4);
            unsigned hour = pick(3), minute = pick(2); /* few distinct times: many ties */
            unsigned prio = pick(4) == 0 ? 1 + pick(2) : 0;
            for (unsigned l = 0; l < lines; l++) {
                /* Six hot products take half the lines. */
                unsigned p = pick(2) ? pick(6) : pick(N_PRODUCTS);
                if (l == 0)
                    fprintf(o,
                            "O%d-%05u,2026-11-26T%02u:%02u:00Z,P%02u,%u,10.00,EUR,%u,Ann,"
                            "\"Main St 1, Apt %u\",Town,DE\n",
                            k, i, 10 + hour, minute, p, 1 + pick(5), prio, i);
                else
                    fprintf(o, "O%d-%05u,,P%02u,%u,10.00,,,,,,\n", k, i, p, 1 + pick(5));
            }
        }
        fclose(o);
    }
}

static void remove_night(const night_files *f)
{
    unlink(f->catalog);
    unlink(f->inventory);
    unlink(f->policy);
    unlink(f->orders[0]);
    unlink(f->orders[1]);
    rmdir(f->dir);
}

/* ---- the sequential model ---- */

typedef struct model_line {
    uint32_t n_parts;
    uint32_t slot[N_WAREHOUSES];
    int64_t qty[N_WAREHOUSES];
} model_line;

/* The stages' products of one run up to allocation. */
typedef struct night {
    eng_setup *setup;
    eng_batches *batches;
    eng_book *book;
    eng_allocation *al;
} night;

static int first_cover(const night *n, const int64_t *free_units, int32_t product, int64_t qty,
                       uint32_t *slot)
{
    size_t ns;
    const uint32_t *slots =
        eng_inventory_product_slots(n->setup->inventory, (uint32_t)product, &ns);
    for (size_t k = 0; k < ns; k++)
        if (free_units[slots[k]] >= qty) {
            *slot = slots[k];
            return 1;
        }
    return 0;
}

/* Returns the status the model gives; fills lines. */
static eng_status model_order(const night *n, int64_t *free_units, const eng_order *o,
                              model_line *lines, int partial)
{
    int64_t shipped = 0, ordered = 0;
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        model_line *m = &lines[i];
        int64_t qty = eng_line_qty(ln);
        ordered += qty;
        memset(m, 0, sizeof *m);
        uint32_t slot;
        if (first_cover(n, free_units, ln->product, qty, &slot)) {
            free_units[slot] -= qty;
            m->n_parts = 1;
            m->slot[0] = slot;
            m->qty[0] = qty;
            shipped += qty;
            continue;
        }
        if (!partial) {
            for (uint32_t k = 0; k < i; k++)
                for (uint32_t j = 0; j < lines[k].n_parts; j++)
                    free_units[lines[k].slot[j]] += lines[k].qty[j];
            memset(lines, 0, o->n_lines * sizeof *lines);
            return ENG_ST_BACKORDERED;
        }
        size_t ns;
        const uint32_t *slots =
            eng_inventory_product_slots(n->setup->inventory, (uint32_t)ln->product, &ns);
        int64_t want = qty;
        for (size_t k = 0; k < ns && want > 0; k++) {
            int64_t take = free_units[slots[k]] < want ? free_units[slots[k]] : want;
            if (take <= 0)
                continue;
            free_units[slots[k]] -= take;
            m->slot[m->n_parts] = slots[k];
            m->qty[m->n_parts++] = take;
            want -= take;
            shipped += take;
        }
    }
    if (shipped == ordered)
        return ENG_ST_SHIPPED;
    return shipped == 0 ? ENG_ST_BACKORDERED : ENG_ST_PARTIAL;
}

/* Compare the engine's allocation in n with the model; returns mismatches. */
static int compare_with_model(const night *n, int partial, const char *label)
{
    size_t n_slots = eng_inventory_count(n->setup->inventory);
    int64_t *free_units = malloc((n_slots + 1) * sizeof *free_units);
    model_line *lines = malloc(64 * sizeof *lines);
    if (!free_units || !lines)
        abort();
    memcpy(free_units, n->al->initial_free, n_slots * sizeof *free_units);
    int bad = 0;
    uint64_t slip = 1;
    for (size_t r = 0; r < n->al->n_ranked && !bad; r++) {
        const eng_order *o = n->al->ranked[r];
        if (o->n_lines > 64)
            abort();
        eng_status st = model_order(n, free_units, o, lines, partial);
        bad |= st != (eng_status)o->status;
        for (uint32_t i = 0; i < o->n_lines && !bad; i++) {
            const eng_line *ln = &o->lines[i];
            eng_part one;
            const eng_part *parts = eng_alloc_line_parts(ln, &one);
            bad |= ln->n_parts != lines[i].n_parts;
            for (uint32_t j = 0; j < ln->n_parts && !bad; j++)
                bad |= parts[j].slot != lines[i].slot[j] || parts[j].qty != lines[i].qty[j];
        }
        if (o->n_slips) {
            bad |= o->first_slip != slip;
            slip += o->n_slips;
        }
        if (bad) {
            fprintf(stderr, "  %s: order %.*s (rank %zu) differs from the model: status %d vs %d\n",
                    label, (int)eng_order_id_len(o), o->id, r, o->status, st);
            for (uint32_t i = 0; i < o->n_lines; i++) {
                eng_part one;
                const eng_part *parts = eng_alloc_line_parts(&o->lines[i], &one);
                fprintf(stderr, "    line %u qty %lld: engine", i,
                        (long long)eng_line_qty(&o->lines[i]));
                for (uint32_t j = 0; j < o->lines[i].n_parts; j++)
                    fprintf(stderr, " %u:%lld", parts[j].slot, (long long)parts[j].qty);
                fprintf(stderr, " model");
                for (uint32_t j = 0; j < lines[i].n_parts; j++)
                    fprintf(stderr, " %u:%lld", lines[i].slot[j], (long long)lines[i].qty[j]);
                fprintf(stderr, "\n");
            }
        }
    }
    for (size_t s = 0; s < n_slots && !bad; s++)
        bad |= free_units[s] != eng_stock_available(n->al->stock, (uint32_t)s);
    free(free_units);
    free(lines);
    return bad;
}

/* Run the pipeline up to allocation; a stage error aborts the test. */
static void run_night(const night_files *f, unsigned threads, night *n)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    memset(n, 0, sizeof *n);
    char out[96];
    snprintf(out, sizeof out, "%s/out-%u", f->dir, threads);
    const char *orders[2] = {f->orders[0], f->orders[1]};
    eng_run_args a = {.catalog = f->catalog,
                      .inventory = f->inventory,
                      .policy = f->policy,
                      .out = out,
                      .orders = orders,
                      .n_orders = 2,
                      .threads = threads,
                      .run_date = 20784};
    if (eng_setup_new(&a, &n->setup, &err) != ENG_OK)
        goto fail;
    n->setup->chunk_size = 4096; /* many chunks, so batches really race */
    if (eng_batches_read(n->setup, NULL, &n->batches, &err) ||
        eng_book_build(n->setup, n->batches, NULL, &n->book, &err) ||
        eng_allocation_prepare(n->setup, &n->al, &err) ||
        eng_allocation_run(n->setup, n->book, NULL, n->al, &err))
        goto fail;
    return;
fail:
    eng_err_print(&err);
    abort();
}

static void free_night(night *n)
{
    eng_allocation_free(n->al);
    eng_book_free(n->book);
    eng_batches_free(n->batches);
    eng_setup_free(n->setup); /* removes the uncommitted output folder */
}

int main(void)
{
    const char *env = getenv("ENG_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
    printf("stress_alloc: ENG_SEED=%llu\n", (unsigned long long)seed);
    static const unsigned thread_counts[] = {1, 2, 4, 8};
    for (int round = 0; round < 6; round++) {
        rng = seed * 2654435761u + (uint64_t)round + 1;
        night_files f;
        write_night(&f, 1200);
        for (size_t t = 0; t < sizeof thread_counts / sizeof *thread_counts; t++) {
            night n;
            run_night(&f, thread_counts[t], &n);
            char label[64];
            snprintf(label, sizeof label, "round %d, %s, %u threads", round,
                     f.partial ? "partial" : "ship_complete", thread_counts[t]);
            check(n.al->n_ranked > 500, label, "the night has enough valid orders");
            check(compare_with_model(&n, f.partial, label) == 0, label,
                  "allocation equals the sequential model");
            free_night(&n);
        }
        remove_night(&f);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
