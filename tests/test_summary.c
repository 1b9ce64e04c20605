/* Tests of engine/summary's invariant 5 (nothing ships twice): a night built through the
 * real stages (ingest, history, orders, allocation), then checked as the run checks it.
 *
 * Regression (issue 12, 2026-12-06): invariant 5 compared tonight's shipments with the
 * same outstanding units the allocator had shipped, so it could not fail: an order
 * shipped again after two same-date waves and the summary said it held. It now recounts
 * history from its distinct rows; these tests show it holds on an honest night and
 * breaks when a line ships what history already shipped. */
#include "../engine/allocate/alloc.h"
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

static char cat_path[512], inv_path[512], orders_path[512], slips_path[512];
static eng_night n;
static eng_catalog *cat;
static eng_inventory *inv;
static eng_pool *pool;
static eng_history *hist;
static eng_strset *ids;

static void setup(void)
{
    tu_dir_new();
    tu_write(tu_path(cat_path, sizeof cat_path, "catalog.csv"), catalog_csv, strlen(catalog_csv));
    tu_write(tu_path(inv_path, sizeof inv_path, "inventory.csv"), inventory_csv,
             strlen(inventory_csv));
    tu_write(tu_path(orders_path, sizeof orders_path, "orders.csv"), orders_csv,
             strlen(orders_csv));
    tu_write(tu_path(slips_path, sizeof slips_path, "slips.csv"), slips_csv, strlen(slips_csv));
    eng_err err;
    memset(&err, 0, sizeof err);
    memset(&n, 0, sizeof n);
    fmt_policy_defaults(&n.policy);
    n.threads = 2;
    n.run_date = 20784;
    n.n_order_files = 1;
    n.n_sources = 2;
    n.sources = calloc(2, sizeof *n.sources);
    cr_assert_not_null(n.sources);
    n.sources[0].path = orders_path;
    n.sources[0].role = "orders";
    n.sources[1].path = slips_path;
    n.sources[1].role = "history";
    cr_assert_eq(eng_catalog_load(cat_path, &cat, &err), ENG_OK, "%s", err.msg);
    n.catalog = cat;
    cr_assert_eq(eng_inventory_load(inv_path, cat, &n.policy, &inv, &err), ENG_OK, "%s", err.msg);
    n.inventory = inv;
    cr_assert_eq(eng_pool_new(2, &pool, &err), ENG_OK);
    cr_assert_eq(eng_ingest_orders(&n, pool, &err), ENG_OK, "%s", err.msg);
    ids = eng_strset_new();
    cr_assert_not_null(ids);
    cr_assert_eq(eng_strset_add(ids, "A-1", 3), ENG_OK);
    cr_assert_eq(eng_history_load(&n, 1, 1, ids, NULL, pool, &hist, &err), ENG_OK, "%s", err.msg);
    n.history = hist;
    cr_assert_eq(eng_orders_build(&n, pool, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_alloc_prepare(&n, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_alloc_run(&n, pool, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(n.n_orders, 1);
}

static void teardown(void)
{
    eng_pool_free(pool);
    free(n.restocked); /* owned by eng_run, not the night */
    eng_night_release(&n);
    eng_history_free(hist);
    eng_strset_free(ids);
    eng_inventory_free(inv);
    eng_catalog_free(cat);
    fmt_policy_release(&n.policy);
    tu_dir_remove();
}

TestSuite(summary, .init = setup, .fini = teardown);

Test(summary, resend_check_holds_when_only_the_outstanding_units_ship)
{
    const eng_line *ln = &n.orders[0]->lines[0];
    cr_assert_eq(ln->ordered, 3);
    cr_assert_eq(ln->shipped, 2, "3 ordered - 1 shipped before");
    cr_assert_eq(eng_summary_resend_lines(&n), 0);
}

Test(summary, resend_check_breaks_when_a_line_ships_what_history_shipped)
{
    /* What an allocator that ignored history would have done: all 3 units tonight. */
    eng_line *ln = &n.orders[0]->lines[0];
    cr_assert_eq(ln->n_parts, 1);
    ln->shipped = 3;
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
    eng_line *ln = &n.orders[0]->lines[0];
    ln->before = 0;
    ln->qty = 3;
    ln->shipped = 3;
    cr_assert_eq(hl->shipped_rows, 1);
    cr_assert_eq(eng_summary_resend_lines(&n), 1);
}
