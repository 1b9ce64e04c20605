/* Tests of engine/orders: what a night keeps of its rows once the orders are built.
 *
 * eng_book_build moves each batch's rows to their partitions and frees every row when
 * its partition is done (the rows and the lines of a night are never held together).
 * What later stages read of the rows must survive that: each row's final flags (the
 * orders stage sets DUP and MUTED on rows after ingest) and the count of rows that
 * belong to no order. The night below is small enough to check by hand. */
#include "../engine/setup/catalog.h"
#include "../engine/intake/ingest.h"
#include "../engine/setup/inventory.h"
#include "../engine/book/orders.h"
#include "../engine/base/pool.h"
#include "../engine/setup/setup.h"
#include "testutil.h"

static const char *const catalog_csv = "sku,name,status,list_price,min_price,currency\n"
                                       "TENT,Tent 2P,active,100.00,80.00,EUR\n"
                                       "MUG,Mug,active,5.00,4.00,EUR\n";

static const char *const inventory_csv = "sku,warehouse,on_hand,reorder_point,reorder_qty,bin\n"
                                         "TENT,MAIN,10,1,5,A1\n"
                                         "MUG,MAIN,10,1,5,A2\n";

#define HEAD                                                                             \
    "order_id,order_time,sku,qty,unit_price,currency,channel,priority,customer_id,"      \
    "ship_name,ship_street,ship_city,ship_region,ship_postal,ship_country,ship_service," \
    "order_total,shipping,tax,discount\n"
#define TAIL ",EUR,shop,,C-1,Ann,Main St 1,Berlin,,10115,DE,standard,,,,\n"

/* Line 2: A-1's tent; line 3 repeats it byte for byte (DUPLICATE_ROW); line 4: a row with
 * no order id (MISSING_FIELD, in no order); line 5: B-2's mug. */
static const char *const orders_csv =
    HEAD "A-1,2026-11-26T10:00:00Z,TENT,1,100.00" TAIL "A-1,2026-11-26T10:00:00Z,TENT,1,100.00" TAIL
         ",2026-11-26T10:00:00Z,MUG,1,5.00" TAIL "B-2,2026-11-26T11:00:00Z,MUG,2,5.00" TAIL;

static char cat_path[512], inv_path[512], orders_path[512];

Test(orders, rows_are_freed_and_what_later_stages_read_of_them_is_kept)
{
    tu_dir_new();
    tu_write(tu_path(cat_path, sizeof cat_path, "catalog.csv"), catalog_csv, strlen(catalog_csv));
    tu_write(tu_path(inv_path, sizeof inv_path, "inventory.csv"), inventory_csv,
             strlen(inventory_csv));
    tu_write(tu_path(orders_path, sizeof orders_path, "orders.csv"), orders_csv,
             strlen(orders_csv));
    eng_err err;
    memset(&err, 0, sizeof err);
    char out_path[512];
    const char *orders[] = {orders_path};
    eng_run_args a = {.catalog = cat_path,
                      .inventory = inv_path,
                      .out = tu_path(out_path, sizeof out_path, "out"),
                      .orders = orders,
                      .n_orders = 1,
                      .threads = 2,
                      .run_date = 20784};
    eng_setup *setup = NULL;
    eng_batches *batches = NULL;
    eng_book *book = NULL;
    cr_assert_eq(eng_setup_new(&a, &setup, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_batches_read(setup, NULL, &batches, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(batches->n, 1);
    cr_assert_eq(batches->items[0]->n_rows, 4);
    cr_assert_eq(eng_book_build(setup, batches, NULL, &book, &err), ENG_OK, "%s", err.msg);

    const eng_batch *b = batches->items[0];
    cr_assert_null(b->rows, "the batch's rows moved to their partitions");
    for (size_t p = 0; p <= ENG_PARTS; p++)
        cr_assert_null(b->part_rows[p], "partition %zu's rows were not released", p);
    cr_assert_not_null(b->row_flags);
    /* Flags set by the orders stage, after ingest, are the ones kept, in the batch's
     * order: partition by partition, each in the order read, the row without an id last
     * (eng_ingest_partition). */
    cr_assert_eq(b->part_start[ENG_PARTS], 3);
    cr_assert_eq(b->row_flags[3] & ENG_ROW_FAULT, ENG_ROW_FAULT, "line 4 has no order id");
    size_t dup = 3, dups = 0;
    for (size_t k = 0; k < 3; k++)
        if (b->row_flags[k] & ENG_ROW_DUP) {
            dup = k;
            dups++;
        }
    cr_assert_eq(dups, 1, "line 3 repeats line 2, and nothing else repeats");
    cr_assert_geq(dup, 1, "line 2, read before it in its partition, is the one kept");
    for (size_t k = 0; k < 3; k++)
        if (k != dup)
            cr_assert_eq(b->row_flags[k] & (ENG_ROW_DUP | ENG_ROW_FAULT), 0);
    cr_assert_eq(b->standalone_rows, 1);
    cr_assert_eq(b->unnamed_rows, 0, "the row in no order is named by its exception");

    cr_assert_eq(book->n_orders, 2);
    cr_assert_eq(sizeof(eng_order), 80, "one per order of the night");
    cr_assert_str_eq(book->orders[0]->id, "A-1");
    cr_assert_eq(book->orders[0]->n_rows, 2);
    cr_assert_eq(book->orders[0]->n_lines, 1, "the repeat is not a second line");
    cr_assert_str_eq(book->orders[1]->id, "B-2");
    cr_assert_eq(eng_line_ordered(&book->orders[1]->lines[0]), 2);

    eng_book_free(book);
    eng_batches_free(batches);
    eng_setup_free(setup); /* removes the uncommitted output folder */
    tu_dir_remove();
}

/* DUPLICATE_ROW trusts no hash alone: rows whose digests meet but whose values differ (a
 * collision, forced here by copying one row's digest onto the others) stay distinct
 * lines, both on the short walk (an order of up to 64 rows) and on the sorted one. Rows
 * truly equal are still counted once. */
static void forced_collision_night(size_t n_rows, size_t twin)
{
    tu_dir_new();
    tu_write(tu_path(cat_path, sizeof cat_path, "catalog.csv"), catalog_csv, strlen(catalog_csv));
    tu_write(tu_path(inv_path, sizeof inv_path, "inventory.csv"), inventory_csv,
             strlen(inventory_csv));
    fmt_buf csv;
    fmt_buf_init(&csv);
    fmt_buf_put(&csv, HEAD, strlen(HEAD));
    char row[256];
    for (size_t i = 0; i < n_rows; i++) {
        /* Quantities 1, 2, 3...; row `twin` repeats row 0 exactly. */
        int n = snprintf(row, sizeof row, "A-1,2026-11-26T10:00:00Z,MUG,%zu,5.00" TAIL,
                         i == twin ? (size_t)1 : i + 1);
        fmt_buf_put(&csv, row, (size_t)n);
    }
    tu_write(tu_path(orders_path, sizeof orders_path, "orders.csv"), csv.p, csv.len);
    fmt_buf_release(&csv);
    eng_err err;
    memset(&err, 0, sizeof err);
    char out_path[512];
    const char *orders[] = {orders_path};
    eng_run_args a = {.catalog = cat_path,
                      .inventory = inv_path,
                      .out = tu_path(out_path, sizeof out_path, "out"),
                      .orders = orders,
                      .n_orders = 1,
                      .threads = 1,
                      .run_date = 20784};
    eng_setup *setup = NULL;
    eng_batches *batches = NULL;
    eng_book *book = NULL;
    cr_assert_eq(eng_setup_new(&a, &setup, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_batches_read(setup, NULL, &batches, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(batches->n, 1);
    eng_batch *b = batches->items[0];
    cr_assert_eq(b->n_rows, n_rows);
    eng_row *first = eng_batch_row(b, 0);
    cr_assert_eq(memcmp(first->rec_digest, eng_batch_row(b, (uint32_t)twin)->rec_digest, 16), 0);
    for (uint32_t i = 1; i < n_rows; i++) {
        eng_row *r = eng_batch_row(b, i);
        if (i != twin)
            cr_assert_neq(memcmp(first->rec_digest, r->rec_digest, 16), 0);
        memcpy(r->rec_digest, first->rec_digest, sizeof r->rec_digest);
    }
    cr_assert_eq(eng_book_build(setup, batches, NULL, &book, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(book->n_orders, 1);
    cr_assert_eq(book->orders[0]->n_lines, n_rows - 1, "only the true twin is a repeat");
    for (size_t i = 0; i < n_rows; i++)
        cr_assert_eq(b->row_flags[i] & ENG_ROW_DUP, i == twin ? ENG_ROW_DUP : 0, "row %zu", i);
    eng_book_free(book);
    eng_batches_free(batches);
    eng_setup_free(setup);
    tu_dir_remove();
}

Test(orders, colliding_digests_of_different_rows_are_two_lines)
{
    forced_collision_night(5, 3);
}

Test(orders, colliding_digests_of_different_rows_are_two_lines_in_a_large_order)
{
    forced_collision_night(70, 69);
}

/* A line keeps three counts and its price in 32 bits; units shipped by earlier nights,
 * a price past 32 bits or a count past 32 bits move it apart ("wide") with every value
 * and where it ships from kept. */
Test(orders, a_line_widens_keeping_its_values)
{
    eng_arena *mem = eng_arena_new(4096);
    cr_assert_not_null(mem);
    cr_assert_eq(sizeof(eng_line), 32);

    eng_line a;
    cr_assert_eq(eng_line_init(&a, 7, mem), ENG_OK);
    cr_assert_eq(eng_line_set_price(&a, INT32_MAX, mem), ENG_OK);
    cr_assert_eq(eng_line_set_before(&a, 0, mem), ENG_OK);
    cr_assert_not(a.is_wide, "7 units at 21,474,836.47 and nothing shipped before fit");
    eng_line_set(&a, ENG_LQ_SHIPPED, 5);
    a.n_parts = 1;
    eng_line_set_one_slot(&a, 42);
    cr_assert_eq(eng_line_set_price(&a, (int64_t)INT32_MAX + 1, mem), ENG_OK);
    cr_assert(a.is_wide);
    cr_assert_eq(eng_line_price(&a), (int64_t)INT32_MAX + 1);
    cr_assert_eq(eng_line_ordered(&a), 7);
    cr_assert_eq(eng_line_qty(&a), 7);
    cr_assert_eq(eng_line_shipped(&a), 5);
    cr_assert_eq(eng_line_before(&a), 0);
    cr_assert_eq(eng_line_one_slot(&a), 42);
    cr_assert_eq(eng_line_unit(&a), (int64_t)INT32_MAX + 1);

    eng_line b;
    eng_part parts[2] = {{1, 2}, {3, 1}};
    cr_assert_eq(eng_line_init(&b, 4, mem), ENG_OK);
    cr_assert_eq(eng_line_set_price(&b, -5, mem), ENG_OK);
    b.n_parts = 2;
    eng_line_set_parts(&b, parts);
    cr_assert_eq(eng_line_set_before(&b, 1, mem), ENG_OK);
    eng_line_set(&b, ENG_LQ_QTY, 3);
    cr_assert(b.is_wide);
    cr_assert_eq(eng_line_before(&b), 1);
    cr_assert_eq(eng_line_qty(&b), 3);
    cr_assert_eq(eng_line_price(&b), -5);
    cr_assert_eq(eng_line_parts(&b), parts);

    eng_line c;
    cr_assert_eq(eng_line_init(&c, INT64_C(5000000000), mem), ENG_OK);
    cr_assert(c.is_wide);
    cr_assert_eq(eng_line_qty(&c), INT64_C(5000000000));
    c.amount_stated = c.line_total = 1;
    cr_assert_eq(eng_line_set_price(&c, 15000000000, mem), ENG_OK);
    cr_assert_eq(eng_line_unit(&c), 3, "the stated amount over the units, half up");
    cr_assert_eq(eng_line_amount(&c, INT64_C(5000000000)), 15000000000);
    eng_arena_free(mem);
}
