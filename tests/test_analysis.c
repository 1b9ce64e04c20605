/* Tests of engine/analysis: the return rate as text (eng_analysis_rate) at each rounding
 * limit, and eng_analysis_build() on a small night: approved returns of earlier ledgers
 * and of tonight merged per SKU, reason (lower case) and currency, shipped units from
 * earlier slips and tonight's slots, and the order of the rows (rate, then units, then
 * SKU, reason and currency; never-shipped SKUs last).
 *
 * The night is built from the pipeline pieces, as in test_returns.c: catalog, inventory,
 * history (slips + ledger), stock counters, then tonight's returns read and decided. */
#include "../engine/write/alerts.h"
#include "../engine/allocate/alloc.h"
#include "../engine/write/analysis.h"
#include "../engine/setup/catalog.h"
#include "../engine/intake/history.h"
#include "../engine/setup/inventory.h"
#include "../engine/base/pool.h"
#include "../engine/allocate/returns.h"
#include "../engine/base/strset.h"
#include "../formats/currency.h"
#include "../formats/policy.h"
#include "testutil.h"

/* ---- eng_analysis_rate ---- */

static const char *rate(int64_t units, int64_t shipped)
{
    static char buf[24];
    eng_analysis_row r;
    memset(&r, 0, sizeof r);
    r.units = units;
    r.shipped = shipped;
    memset(buf, 'x', sizeof buf);
    eng_analysis_rate(&r, buf);
    return buf;
}

Test(analysis, rate_of_one_in_three_rounds_down_to_33_33)
{
    cr_assert_str_eq(rate(1, 3), "33.33");
}

Test(analysis, rate_of_two_in_three_rounds_up_to_66_67)
{
    cr_assert_str_eq(rate(2, 3), "66.67");
}

Test(analysis, rate_with_nothing_shipped_is_empty)
{
    cr_assert_str_eq(rate(5, 0), "");
    cr_assert_str_eq(rate(5, -1), "");
}

Test(analysis, rate_keeps_two_decimals_when_exact)
{
    cr_assert_str_eq(rate(1, 1), "100.00");
    cr_assert_str_eq(rate(1, 8), "12.50");
    cr_assert_str_eq(rate(1, 16), "6.25");
    cr_assert_str_eq(rate(0, 7), "0.00");
}

Test(analysis, rate_of_exactly_half_a_hundredth_rounds_up)
{
    cr_assert_str_eq(rate(1, 20000), "0.01"); /* 0.005 % */
}

Test(analysis, rate_just_below_half_a_hundredth_rounds_down)
{
    cr_assert_str_eq(rate(1, 20001), "0.00"); /* 0.0049997.. % */
}

Test(analysis, rate_above_100_pct_is_written_as_is)
{
    cr_assert_str_eq(rate(3, 2), "150.00");
}

Test(analysis, rate_of_int64_max_units_does_not_overflow)
{
    cr_assert_str_eq(rate(INT64_MAX, INT64_MAX), "100.00");
    cr_assert_str_eq(rate(1, INT64_MAX), "0.00");
}

/* ---- the fixture night ---- */

/* Catalog order differs from SKU order, so sorting by SKU is visible. */
static const char CATALOG[] = "sku,name,status,list_price,min_price,currency\n"
                              "ZED,Zed,active,10.00,1.00,EUR\n"      /* 0 */
                              "ALPHA,Alpha,active,10.00,1.00,EUR\n"  /* 1 */
                              "MID,Mid,active,10.00,1.00,EUR\n"      /* 2 */
                              "BIG,Big,active,10.00,1.00,EUR\n"      /* 3 */
                              "NEVER,Never,active,10.00,1.00,EUR\n"; /* 4 */

static const char INVENTORY[] = "sku,warehouse,on_hand\n"
                                "ZED,MAIN,10\n"
                                "ALPHA,MAIN,10\n"
                                "MID,MAIN,10\n"
                                "BIG,MAIN,10\n";

/* Shipped earlier: ZED 8, ALPHA 10, MID 4, BIG 8, NEVER none. */
static const char SLIPS[] = "slip_no,order_id,sku,qty,line_amount,currency,warehouse,ship_date\n"
                            "OUT-20261120-000001,O-Z,ZED,8,80.00,EUR,MAIN,2026-11-20\n"
                            "OUT-20261120-000002,O-A,ALPHA,10,100.00,EUR,MAIN,2026-11-20\n"
                            "OUT-20261120-000003,O-M,MID,4,40.00,EUR,MAIN,2026-11-20\n"
                            "OUT-20261120-000004,O-B,BIG,8,80.00,EUR,MAIN,2026-11-20\n";

#define LEDGER_HEADER                                                                  \
    "return_no,request_id,order_id,sku,qty,reason,condition,resolution,decision,code," \
    "refund_amount,currency,restock_qty,warehouse,status\n"

static const char LEDGER[] =
    LEDGER_HEADER "RMA-1,H1,O-Z,ZED,1,Broken,new,refund,APPROVED,,10.00,EUR,1,MAIN,RESTOCKED\n"
                  "RMA-2,H2,O-Z,ZED,1,aaa,new,refund,APPROVED,,10.00,EUR,1,MAIN,RESTOCKED\n"
                  ",H3,O-Z,ZED,3,broken,new,refund,REJECTED,RETURN_QTY_EXCEEDS,,EUR,,,REJECTED\n"
                  "RMA-3,H4,O-A,ALPHA,2,broken,new,refund,APPROVED,,20.00,EUR,2,MAIN,RESTOCKED\n"
                  "RMA-4,H5,O-A,ALPHA,2,late,new,refund,APPROVED,,20.00,EUR,2,MAIN,RESTOCKED\n"
                  "RMA-5,H6,O-M,MID,1,too big,new,refund,APPROVED,,10.00,EUR,1,MAIN,RESTOCKED\n"
                  "RMA-6,H7,O-B,BIG,2,Too Big,new,refund,APPROVED,,20.00,EUR,2,MAIN,RESTOCKED\n"
                  "RMA-7,H8,O-N,NEVER,5,x,new,refund,APPROVED,,50.00,EUR,5,MAIN,RESTOCKED\n";

static const char RETURNS_HEADER[] =
    "request_id,order_id,sku,qty,reason,condition,resolution,requested_at\n";

static char cat_path[512], inv_path[512], ret_path[512], slips_path[512], ledger_path[512];
static eng_setup night; /* what returns, history and the analysis read of a setup */
static eng_allocation *al;
static eng_catalog *cat;
static eng_inventory *inv;
static eng_pool *pool;
static eng_history *hist;
static eng_returns rs;
static eng_strset *order_ids, *request_ids;
static eng_slot_totals totals;
static eng_analysis_row *rows;
static size_t n_rows;
static eng_err err;

static void setup(void)
{
    tu_dir_new();
    memset(&night, 0, sizeof night);
    al = NULL;
    memset(&rs, 0, sizeof rs);
    memset(&totals, 0, sizeof totals);
    memset(&err, 0, sizeof err);
    rows = NULL;
    n_rows = 0;
    fmt_policy_defaults(&night.policy);
    night.run_date = 20784; /* 2026-11-27 */
    tu_write(tu_path(cat_path, sizeof cat_path, "catalog.csv"), CATALOG, strlen(CATALOG));
    tu_write(tu_path(inv_path, sizeof inv_path, "inventory.csv"), INVENTORY, strlen(INVENTORY));
    tu_path(ret_path, sizeof ret_path, "returns.csv");
    tu_path(slips_path, sizeof slips_path, "slips.csv");
    tu_path(ledger_path, sizeof ledger_path, "returns_ledger.csv");
    cr_assert_eq(eng_catalog_load(cat_path, &cat, &err), ENG_OK, "%s", err.msg);
    night.catalog = cat;
    cr_assert_eq(eng_inventory_load(inv_path, cat, &night.policy, &inv, &err), ENG_OK, "%s",
                 err.msg);
    night.inventory = inv;
    order_ids = eng_strset_new();
    request_ids = eng_strset_new();
    cr_assert(order_ids && request_ids);
    cr_assert_eq(eng_pool_new(2, &pool, &err), ENG_OK);
    night.pool = pool;
    totals.shipped = calloc(eng_inventory_count(inv), sizeof *totals.shipped);
    cr_assert_not_null(totals.shipped);
}

static void teardown(void)
{
    free(rows);
    free(totals.shipped);
    eng_returns_release(&rs);
    eng_history_free(hist);
    hist = NULL;
    eng_pool_free(pool);
    eng_strset_free(order_ids);
    eng_strset_free(request_ids);
    fmt_policy_release(&night.policy);
    eng_allocation_free(al);
    free(night.sources);
    eng_inventory_free(inv);
    eng_catalog_free(cat);
    tu_dir_remove();
}

TestSuite(analysis, .init = setup, .fini = teardown);

static uint32_t slot_of(const char *sku)
{
    for (uint32_t s = 0; s < eng_inventory_count(inv); s++)
        if (strcmp(eng_inventory_slot(inv, s)->sku, sku) == 0)
            return s;
    cr_assert_fail("no slot for %s", sku);
    return 0;
}

/* History from the given slips and ledger, tonight's returns rows (NULL: no returns
 * file), decided, then the analysis. */
static void build_with(const char *slips, const char *ledger, const char *returns)
{
    tu_write(slips_path, slips, strlen(slips));
    tu_write(ledger_path, ledger, strlen(ledger));
    night.n_sources = 3;
    night.sources = calloc(3, sizeof *night.sources);
    cr_assert_not_null(night.sources);
    night.sources[0].path = ret_path;
    night.sources[0].role = "returns";
    night.sources[1].path = slips_path;
    night.sources[1].role = "history";
    night.sources[2].path = ledger_path;
    night.sources[2].role = "history";
    night.first_return_file = 0;
    night.n_return_files = 1;
    night.first_history_file = 1;
    night.n_history_files = 2;
    night.first_reference = 3;
    if (returns) {
        char text[8192];
        int len = snprintf(text, sizeof text, "%s%s", RETURNS_HEADER, returns);
        cr_assert(len > 0 && (size_t)len < sizeof text);
        tu_write(ret_path, text, (size_t)len);
        cr_assert_eq(eng_returns_read(&night, &rs, order_ids, request_ids, &err), ENG_OK, "%s",
                     err.msg);
    }
    cr_assert_eq(eng_history_load(&night, order_ids, request_ids, &hist, &err), ENG_OK, "%s",
                 err.msg);
    cr_assert_eq(eng_allocation_prepare(&night, &al, &err), ENG_OK, "%s", err.msg);
    if (returns)
        cr_assert_eq(eng_returns_decide(&night, hist, al, &rs, &err), ENG_OK, "%s", err.msg);
    eng_products p = {&night, NULL, NULL, hist, returns ? &rs : NULL, al};
    cr_assert_eq(eng_analysis_build(&p, &totals, &rows, &n_rows, &err), ENG_OK, "%s", err.msg);
}

static void build(const char *returns)
{
    build_with(SLIPS, LEDGER, returns);
}

static const char *sku_of(const eng_analysis_row *r)
{
    return eng_catalog_get(cat, (uint32_t)r->product)->sku;
}

/* Row i is sku / reason. */
static void assert_row(size_t i, const char *sku, const char *reason)
{
    cr_assert_lt(i, n_rows);
    cr_assert_str_eq(sku_of(&rows[i]), sku, "row %zu: %s/%s, want %s/%s", i, sku_of(&rows[i]),
                     rows[i].reason, sku, reason);
    cr_assert_str_eq(rows[i].reason, reason, "row %zu: %s/%s, want %s/%s", i, sku_of(&rows[i]),
                     rows[i].reason, sku, reason);
}

/* The only row for sku / reason. */
static const eng_analysis_row *row_for(const char *sku, const char *reason)
{
    const eng_analysis_row *found = NULL;
    for (size_t i = 0; i < n_rows; i++)
        if (strcmp(sku_of(&rows[i]), sku) == 0 && strcmp(rows[i].reason, reason) == 0) {
            cr_assert_null(found, "two rows for %s/%s", sku, reason);
            found = &rows[i];
        }
    cr_assert_not_null(found, "no row for %s/%s", sku, reason);
    return found;
}

/* ---- eng_analysis_build ---- */

Test(analysis, history_reasons_alone_give_one_row_each)
{
    build(NULL);
    cr_assert_eq(n_rows, 7);
    const eng_analysis_row *r = row_for("ALPHA", "broken");
    cr_assert_eq(r->requests, 1);
    cr_assert_eq(r->units, 2);
    cr_assert_eq(r->refund_minor, 2000);
    cr_assert_eq(r->shipped, 10);
    cr_assert_eq(r->currency, fmt_currency_find("EUR", 3));
}

Test(analysis, rows_sort_by_rate_then_units_then_sku_then_reason)
{
    build(NULL);
    cr_assert_eq(n_rows, 7);
    assert_row(0, "BIG", "too big");  /* 2 of 8: 25 %, 2 units */
    assert_row(1, "MID", "too big");  /* 1 of 4: 25 %, 1 unit */
    assert_row(2, "ALPHA", "broken"); /* 2 of 10: 20 % */
    assert_row(3, "ALPHA", "late");   /* 2 of 10: 20 %, same SKU: reason */
    assert_row(4, "ZED", "aaa");      /* 1 of 8: 12.5 % */
    assert_row(5, "ZED", "broken");   /* 1 of 8: 12.5 %, same SKU: reason */
    assert_row(6, "NEVER", "x");      /* never shipped: last */
}

Test(analysis, never_shipped_sku_ranks_last_with_an_empty_rate)
{
    build(NULL);
    const eng_analysis_row *r = &rows[n_rows - 1];
    cr_assert_str_eq(sku_of(r), "NEVER");
    cr_assert_eq(r->shipped, 0);
    cr_assert_eq(r->units, 5);
    char buf[24];
    eng_analysis_rate(r, buf);
    cr_assert_str_eq(buf, "");
}

Test(analysis, tonights_approved_return_merges_with_history_of_the_same_reason)
{
    /* History: ZED "Broken" 1 unit, 10.00. Tonight: ZED "BROKEN" 1 unit, 10.00. */
    build("T1,O-Z,ZED,1,BROKEN,new,refund,\n");
    const eng_analysis_row *r = row_for("ZED", "broken");
    cr_assert_eq(r->requests, 2);
    cr_assert_eq(r->units, 2);
    cr_assert_eq(r->refund_minor, 2000);
    cr_assert_eq(n_rows, 7);
}

Test(analysis, tonights_rejected_return_is_left_out)
{
    build("T1,O-Z,ZED,1,broken,new,refund,2026-11-28\n"); /* BAD_DATE */
    cr_assert_eq(rs.items[0].status, ENG_RS_REJECTED);
    cr_assert_eq(row_for("ZED", "broken")->units, 1);
    cr_assert_eq(n_rows, 7);
}

Test(analysis, tonights_new_reason_gets_its_own_row)
{
    build("T1,O-M,MID,1,Wrong Colour,damaged,refund,\n");
    cr_assert_eq(n_rows, 8);
    const eng_analysis_row *r = row_for("MID", "wrong colour");
    cr_assert_eq(r->requests, 1);
    cr_assert_eq(r->units, 1);
    cr_assert_eq(r->refund_minor, 1000);
    cr_assert_eq(r->shipped, 4);
    /* 25 %, 1 unit: after BIG (2 units), then by reason after MID "too big" */
    assert_row(1, "MID", "too big");
    assert_row(2, "MID", "wrong colour");
}

Test(analysis, exchange_counts_its_units_with_no_refund)
{
    build("T1,O-A,ALPHA,1,late,new,exchange,\n");
    const eng_analysis_row *r = row_for("ALPHA", "late");
    cr_assert_eq(r->requests, 2);
    cr_assert_eq(r->units, 3);
    cr_assert_eq(r->refund_minor, 2000); /* history's only */
}

Test(analysis, tonights_shipped_units_add_to_history_shipped)
{
    totals.shipped[slot_of("ZED")] = 2; /* ZED: 8 earlier + 2 tonight */
    build(NULL);
    cr_assert_eq(row_for("ZED", "broken")->shipped, 10);
    cr_assert_eq(row_for("ZED", "aaa")->shipped, 10);
    cr_assert_eq(row_for("ALPHA", "broken")->shipped, 10);
    /* ZED falls to 10 % and sorts after ALPHA's 20 % */
    assert_row(4, "ZED", "aaa");
    assert_row(5, "ZED", "broken");
}

Test(analysis, equal_rates_and_units_sort_by_sku_then_reason)
{
    totals.shipped[slot_of("ZED")] = 2; /* ZED "broken" becomes 2 of 10 like ALPHA */
    build("T1,O-Z,ZED,1,broken,new,refund,\n");
    /* ALPHA broken, ALPHA late and ZED broken: 20 %, 2 units each: SKU then reason */
    assert_row(2, "ALPHA", "broken");
    assert_row(3, "ALPHA", "late");
    assert_row(4, "ZED", "broken");
    assert_row(5, "ZED", "aaa");
}

Test(analysis, same_reason_in_two_currencies_gives_two_rows_in_code_order)
{
    build_with(SLIPS,
               LEDGER_HEADER
               "RMA-1,H1,O-A,ALPHA,1,late,new,refund,APPROVED,,11.00,USD,1,MAIN,RESTOCKED\n"
               "RMA-2,H2,O-A,ALPHA,1,late,new,refund,APPROVED,,10.00,EUR,1,MAIN,RESTOCKED\n",
               NULL);
    cr_assert_eq(n_rows, 2);
    cr_assert_eq(rows[0].currency, fmt_currency_find("EUR", 3));
    cr_assert_eq(rows[0].refund_minor, 1000);
    cr_assert_eq(rows[1].currency, fmt_currency_find("USD", 3));
    cr_assert_eq(rows[1].refund_minor, 1100);
}

Test(analysis, no_returns_give_no_rows)
{
    build_with(SLIPS, LEDGER_HEADER, NULL);
    cr_assert_eq(n_rows, 0);
}

/* Found 2026-11-27 (this test): analysis.c:55 and :83 cut tonight's reasons to 127
 * bytes, while history keeps them whole, so a long reason seen both earlier and tonight
 * gives two rows, and tonight's row shows a cut reason (possibly mid UTF-8 sequence). */
Test(analysis, long_reason_merges_with_the_same_reason_in_history)
{
    char reason[201];
    memset(reason, 'r', 200);
    reason[200] = '\0';
    char ledger[1024], returns[512];
    snprintf(ledger, sizeof ledger,
             LEDGER_HEADER "RMA-1,H1,O-Z,ZED,1,%s,new,refund,APPROVED,,10.00,EUR,1,MAIN,"
                           "RESTOCKED\n",
             reason);
    snprintf(returns, sizeof returns, "T1,O-Z,ZED,1,%s,new,refund,\n", reason);
    build_with(SLIPS, ledger, returns);
    cr_assert_eq(n_rows, 1, "%zu rows", n_rows);
    cr_assert_str_eq(rows[0].reason, reason);
    cr_assert_eq(rows[0].units, 2);
}

/* Found 2026-11-27 (this test): README says reasons are grouped "trimmed, lower case",
 * but analysis.c:13-22 (lower_reason) only lower-cases: libcsv trims unquoted fields, so
 * a quoted " Broken " stays apart from history's "broken". */
Test(analysis, quoted_reason_with_blanks_is_trimmed)
{
    build("T1,O-Z,ZED,1,\" Broken \",new,refund,\n");
    cr_assert_eq(n_rows, 7, "%zu rows", n_rows);
    cr_assert_eq(row_for("ZED", "broken")->units, 2);
}
