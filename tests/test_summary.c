/* Tests of engine/summary's invariant 5 (nothing ships twice): a night built through the
 * real stages (ingest, history, orders, allocation), then checked as the run checks it.
 *
 * Regression (issue 12, 2026-12-06): invariant 5 compared tonight's shipments with the
 * same outstanding units the allocator had shipped, so it could not fail: an order
 * shipped again after two same-date waves and the summary said it held. It now recounts
 * history from its distinct rows; these tests show it holds on an honest night and
 * breaks when a line ships what history already shipped. */
#include "../engine/allocate/alloc.h"
#include "../engine/setup/setup.h"
#include "../engine/setup/catalog.h"
#include "../engine/intake/history.h"
#include "../engine/intake/ingest.h"
#include "../engine/setup/inventory.h"
#include "../engine/book/orders.h"
#include "../engine/base/pool.h"
#include "../engine/base/strset.h"
#include "../engine/write/summary.h"
#include "testutil.h"

static const char *const catalog_csv = "sku,name,status,list_price,min_price,currency\n"
                                       "TENT,Tent 2P,active,100.00,80.00,EUR\n";

static const char *const inventory_csv = "sku,on_hand\n"
                                         "TENT,10\n";

/* A-1 asks for 3 tents; history shipped 1 of them (and 2 tents of B-2, which is not
 * tonight's). */
static const char *const orders_csv = "order_id,order_time,sku,qty,unit_price,currency,channel,"
                                      "ship_name,ship_street,ship_city,ship_country\n"
                                      "A-1,2026-11-26T10:00:00Z,TENT,3,100.00,EUR,shop,Ann,"
                                      "Main St 1,Berlin,DE\n";

static const char *const slips_csv =
    "slip_no,order_id,channel,line_no,sku,name,qty,unit_price,line_amount,currency,warehouse,"
    "bin,ship_name,ship_street,ship_city,ship_region,ship_postal,ship_country,ship_service,"
    "ship_date\n"
    "OUT-20261120-000001,A-1,shop,1,TENT,Tent 2P,1,100.00,100.00,EUR,MAIN,,Ann,Main St 1,Berlin,,,"
    "DE,,2026-11-20\n"
    "OUT-20261120-000002,B-2,shop,1,TENT,Tent 2P,2,100.00,200.00,EUR,MAIN,,Bob,Elm St 2,Berlin,,,"
    "DE,,2026-11-20\n";

static char cat_path[512], inv_path[512], orders_path[512], slips_path[512], out_path[512];
static eng_setup *setup;
static eng_batches *batches;
static eng_history *hist;
static eng_book *book;
static eng_allocation *alloc;
static eng_products n;

static void setup_night(void)
{
    tu_dir_new();
    tu_write(tu_path(cat_path, sizeof cat_path, "catalog.csv"), catalog_csv, strlen(catalog_csv));
    tu_write(tu_path(inv_path, sizeof inv_path, "inventory.csv"), inventory_csv,
             strlen(inventory_csv));
    tu_write(tu_path(orders_path, sizeof orders_path, "orders.csv"), orders_csv,
             strlen(orders_csv));
    tu_write(tu_path(slips_path, sizeof slips_path, "slips.csv"), slips_csv, strlen(slips_csv));
    static const char *orders[1], *history[1];
    orders[0] = orders_path;
    history[0] = slips_path;
    eng_run_args a = {.catalog = cat_path,
                      .inventory = inv_path,
                      .out = tu_path(out_path, sizeof out_path, "out"),
                      .orders = orders,
                      .n_orders = 1,
                      .history = history,
                      .n_history = 1,
                      .threads = 2,
                      .run_date = 20784};
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_strset *ids = eng_strset_new();
    cr_assert_not_null(ids);
    cr_assert_eq(eng_strset_add(ids, "A-1", 3), ENG_OK);
    cr_assert_eq(eng_setup_new(&a, &setup, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_batches_read(setup, NULL, &batches, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_history_load(setup, ids, NULL, &hist, &err), ENG_OK, "%s", err.msg);
    eng_strset_free(ids);
    cr_assert_eq(eng_book_build(setup, batches, hist, &book, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_allocation_prepare(setup, &alloc, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_allocation_run(setup, book, hist, alloc, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(book->n_orders, 1);
    n = (eng_products){setup, batches, book, hist, NULL, alloc};
}

static void teardown(void)
{
    eng_allocation_free(alloc);
    eng_book_free(book);
    eng_history_free(hist);
    eng_batches_free(batches);
    eng_setup_free(setup);
    tu_dir_remove();
}

TestSuite(summary, .init = setup_night, .fini = teardown);

Test(summary, resend_check_holds_when_only_the_outstanding_units_ship)
{
    const eng_line *ln = &book->orders[0]->lines[0];
    cr_assert_eq(eng_line_ordered(ln), 3);
    cr_assert_eq(eng_line_before(ln), 1);
    cr_assert_eq(eng_line_shipped(ln), 2, "3 ordered - 1 shipped before");
    cr_assert_eq(eng_summary_resend_lines(&n), 0);
}

Test(summary, resend_check_breaks_when_a_line_ships_what_history_shipped)
{
    /* What an allocator that ignored history would have done: all 3 units tonight. */
    eng_line *ln = &book->orders[0]->lines[0];
    cr_assert_eq(ln->n_parts, 1);
    eng_line_set(ln, ENG_LQ_SHIPPED, 3);
    cr_assert_eq(eng_summary_resend_lines(&n), 1);
}

Test(summary, resend_check_does_not_trust_the_merged_history)
{
    /* What the same-date waves did: the history merge lost the earlier shipment (its
     * slip line taken for a copy of another order's), so the orders stage saw nothing
     * before and 3 outstanding, and all 3 shipped. A check reading the same merged
     * figure agreed; this one recounts history from its rows, and breaks. */
    const eng_hist_order *ho = eng_history_order(hist, "shop", 4, "A-1", 3);
    eng_hist_line *hl = (eng_hist_line *)eng_history_line(ho, "TENT", 4);
    hl->shipped = 0;
    eng_line *ln = &book->orders[0]->lines[0];
    eng_line_set(ln, ENG_LQ_BEFORE, 0);
    eng_line_set(ln, ENG_LQ_QTY, 3);
    eng_line_set(ln, ENG_LQ_SHIPPED, 3);
    cr_assert_eq(hl->shipped_rows, 1);
    cr_assert_eq(eng_summary_resend_lines(&n), 1);
}
