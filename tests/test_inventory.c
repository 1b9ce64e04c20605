/* Tests of engine/inventory: loading clean stock files (values, the MAIN default, the
 * input's own columns), warehouse order (policy list first, then byte order), each
 * product's slots in that order, and every refusal with its line and field. */
#include "../engine/setup/catalog.h"
#include "../engine/setup/inventory.h"
#include "../engine/setup/policy_refs.h"
#include "../formats/policy.h"
#include "testutil.h"

static char cat_path[512], inv_path[512]; /* borrowed by the loaded objects */
static eng_catalog *cat;
static eng_inventory *inv;
static fmt_policy pol;
static eng_err err;

static void setup(void)
{
    tu_dir_new();
    tu_path(cat_path, sizeof cat_path, "catalog.csv");
    tu_path(inv_path, sizeof inv_path, "inventory.csv");
    const char *csv = "sku,name,status,list_price,min_price,currency\n"
                      "TENT,Tent,active,100.00,80.00,EUR\n" /* product 0 */
                      "MUG,Mug,active,5.00,4.00,EUR\n"      /* product 1 */
                      "LAMP,Lamp,active,9.00,8.00,EUR\n";   /* product 2: no stock rows */
    tu_write(cat_path, csv, strlen(csv));
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_catalog_load(cat_path, &cat, &err), ENG_OK, "%s", err.msg);
    fmt_policy_defaults(&pol);
    inv = NULL;
}

static void teardown(void)
{
    eng_inventory_free(inv);
    eng_catalog_free(cat);
    fmt_policy_release(&pol);
    tu_dir_remove();
}

TestSuite(inventory, .init = setup, .fini = teardown);

static void set_policy(const char *text)
{
    eng_err perr;
    memset(&perr, 0, sizeof perr);
    fmt_policy_release(&pol);
    fmt_policy_defaults(&pol);
    cr_assert_eq(fmt_policy_parse("policy.conf", text, strlen(text), &pol, &perr), ENG_OK, "%s",
                 perr.msg);
}

static eng_rc load(const char *text)
{
    tu_write(inv_path, text, strlen(text));
    memset(&err, 0, sizeof err);
    return eng_inventory_load(inv_path, cat, &pol, &inv, &err);
}

static void must_load(const char *text)
{
    cr_assert_eq(load(text), ENG_OK, "refused line %llu: %s", (unsigned long long)err.line,
                 err.msg);
}

static void assert_refused(const char *text, uint64_t line, const char *field, const char *part)
{
    cr_assert_eq(load(text), ENG_REFUSED, "accepted:\n%s", text);
    cr_assert_null(inv);
    cr_assert_str_eq(err.path, inv_path);
    cr_assert_eq(err.line, line, "line %llu, want %llu (%s)", (unsigned long long)err.line,
                 (unsigned long long)line, err.msg);
    if (field)
        cr_assert(err.field && strcmp(err.field, field) == 0, "field %s, want %s (%s)",
                  err.field ? err.field : "(none)", field, err.msg);
    if (part)
        cr_assert(strstr(err.msg, part) != NULL, "message '%s' lacks '%s'", err.msg, part);
}

/* Name of the warehouse of slot s. */
static const char *wh(uint32_t s)
{
    return eng_inventory_warehouse(inv, eng_inventory_slot(inv, s)->wh_rank);
}

/* ---- clean files ---- */

Test(inventory, loads_rows_in_input_order_with_their_counts)
{
    must_load("sku,warehouse,on_hand,reorder_point,reorder_qty,safety_stock\n"
              "TENT,MAIN,10,3,20,1\n"
              "MUG,MAIN,0,,,\n");
    cr_assert_eq(eng_inventory_count(inv), 2);
    const eng_slot *t = eng_inventory_slot(inv, 0);
    cr_assert_str_eq(t->sku, "TENT");
    cr_assert_eq(t->product, 0);
    cr_assert_eq(t->on_hand, 10);
    cr_assert_eq(t->reorder_point, 3);
    cr_assert_eq(t->reorder_qty, 20);
    cr_assert_eq(t->safety_stock, 1);
    cr_assert_eq(t->line, 2);
    const eng_slot *m = eng_inventory_slot(inv, 1);
    cr_assert_eq(m->on_hand, 0, "zero on hand is allowed");
    cr_assert_eq(m->reorder_point, 0, "blank optional counts are 0");
    cr_assert_eq(m->safety_stock, 0);
    cr_assert_eq(m->line, 3);
}

Test(inventory, blank_warehouse_is_main)
{
    must_load("sku,warehouse,on_hand\nTENT,,4\n");
    cr_assert_str_eq(wh(0), "MAIN");
}

Test(inventory, missing_warehouse_column_is_main)
{
    must_load("sku,on_hand\nTENT,4\nMUG,2\n");
    cr_assert_eq(eng_inventory_warehouse_count(inv), 1);
    cr_assert_str_eq(wh(0), "MAIN");
    cr_assert_str_eq(wh(1), "MAIN");
}

Test(inventory, empty_inventory_still_names_main_as_first_warehouse)
{
    must_load("sku,warehouse,on_hand\n");
    cr_assert_eq(eng_inventory_count(inv), 0);
    cr_assert_eq(eng_inventory_warehouse_count(inv), 1);
    cr_assert_str_eq(eng_inventory_warehouse(inv, 0), "MAIN");
}

Test(inventory, same_sku_in_two_warehouses_is_two_slots)
{
    must_load("sku,warehouse,on_hand\nTENT,MAIN,4\nTENT,EAST,2\n");
    cr_assert_eq(eng_inventory_count(inv), 2);
}

Test(inventory, sku_missing_from_catalog_is_kept_without_product)
{
    must_load("sku,warehouse,on_hand\nGHOST,MAIN,4\nTENT,MAIN,1\n");
    cr_assert_eq(eng_inventory_slot(inv, 0)->product, -1);
    cr_assert_eq(eng_inventory_slot(inv, 1)->product, 0);
}

Test(inventory, keeps_the_input_columns_for_tomorrow)
{
    must_load("sku,note,on_hand,warehouse\nTENT,\"top shelf, left\",4,EAST\n");
    cr_assert_eq(eng_inventory_n_cols(inv), 4);
    cr_assert_str_eq(eng_inventory_col_name(inv, 0), "sku");
    cr_assert_str_eq(eng_inventory_col_name(inv, 1), "note");
    cr_assert_str_eq(eng_inventory_col_name(inv, 3), "warehouse");
    cr_assert_eq(eng_inventory_on_hand_col(inv), 2);
    cr_assert_str_eq(eng_inventory_field(inv, 0, 1), "top shelf, left");
    cr_assert_str_eq(eng_inventory_field(inv, 0, 2), "4");
}

Test(inventory, reports_file_bytes_and_sha256)
{
    const char *text = "sku,on_hand\nTENT,4\n";
    must_load(text);
    char want[65];
    tu_sha256_hex(text, strlen(text), want);
    cr_assert_eq(eng_inventory_file_bytes(inv), strlen(text));
    cr_assert_str_eq(eng_inventory_file_sha256(inv), want);
}

/* ---- warehouse order ---- */

Test(inventory, without_policy_warehouses_follow_byte_order)
{
    must_load("sku,warehouse,on_hand\nTENT,WEST,1\nTENT,MAIN,1\nMUG,EAST,1\nMUG,ANNEX,1\n");
    cr_assert_eq(eng_inventory_warehouse_count(inv), 4);
    cr_assert_str_eq(eng_inventory_warehouse(inv, 0), "ANNEX");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 1), "EAST");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 2), "MAIN");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 3), "WEST");
}

Test(inventory, byte_order_puts_upper_case_before_lower_case)
{
    must_load("sku,warehouse,on_hand\nTENT,annex,1\nTENT,Zed,1\n");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 0), "Zed");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 1), "annex");
}

Test(inventory, policy_warehouses_come_first_in_policy_order)
{
    set_policy("warehouse_order = MAIN, EAST\n");
    must_load("sku,warehouse,on_hand\nTENT,WEST,1\nTENT,EAST,1\nMUG,ANNEX,1\nMUG,MAIN,1\n");
    cr_assert_eq(eng_inventory_warehouse_count(inv), 4);
    cr_assert_str_eq(eng_inventory_warehouse(inv, 0), "MAIN");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 1), "EAST");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 2), "ANNEX");
    cr_assert_str_eq(eng_inventory_warehouse(inv, 3), "WEST");
}

Test(inventory, slot_rank_matches_its_warehouse)
{
    set_policy("warehouse_order = EAST\n");
    must_load("sku,warehouse,on_hand\nTENT,MAIN,1\nTENT,EAST,1\n");
    cr_assert_eq(eng_inventory_slot(inv, 0)->wh_rank, 1);
    cr_assert_eq(eng_inventory_slot(inv, 1)->wh_rank, 0);
    cr_assert_str_eq(wh(0), "MAIN");
    cr_assert_str_eq(wh(1), "EAST");
}

/* Regression (issue 12, 2026-12-06): every slot and every listed warehouse keeps its
 * place once ranking is no longer a search of the name list per slot. Policy names come
 * first in policy order, also one no row uses (GHOST) and one that sorts last by bytes
 * (ZED); then the rest in byte order, each once however many rows it has. */
Test(inventory, ranking_is_policy_order_then_byte_order_for_every_slot)
{
    set_policy("warehouse_order = ZED, GHOST, B\n");
    must_load("sku,warehouse,on_hand\n"
              "TENT,C,1\n" /* slot 0 */
              "TENT,B,1\n" /* slot 1 */
              "MUG,a,1\n"  /* slot 2 */
              "MUG,ZED,1\n"
              "TENT,A,1\n"
              "MUG,C,1\n"
              "TENT,,1\n" /* MAIN */
              "MUG,B,1\n" /* slot 7 */
              "TENT,AA,1\n");
    static const char *const want[] = {"ZED", "GHOST", "B", "A", "AA", "C", "MAIN", "a"};
    cr_assert_eq(eng_inventory_warehouse_count(inv), 8);
    for (uint32_t r = 0; r < 8; r++)
        cr_assert_str_eq(eng_inventory_warehouse(inv, r), want[r], "rank %u", r);
    static const char *const of_slot[] = {"C", "B", "a", "ZED", "A", "C", "MAIN", "B", "AA"};
    for (uint32_t s = 0; s < 9; s++)
        cr_assert_str_eq(wh(s), of_slot[s], "slot %u", s);
}

/* ---- the policy's warehouse names (setup/policy_refs) ---- */

static eng_rc check_names(void)
{
    memset(&err, 0, sizeof err);
    return eng_policy_check_warehouses(&pol, "policy.conf", inv, &err);
}

Test(inventory, policy_names_that_the_inventory_has_pass)
{
    set_policy("# the order\nwarehouse_order = EAST, MAIN\n");
    must_load("sku,warehouse,on_hand\nTENT,MAIN,1\nTENT,EAST,1\nMUG,WEST,1\n");
    cr_assert_eq(check_names(), ENG_OK, "%s", err.msg);
    set_policy("");
    cr_assert_eq(check_names(), ENG_OK, "%s", err.msg); /* no list, nothing to check */
}

/* Issue 14: "east" for "EAST" was accepted, ranked a warehouse without stock first and
 * moved the slips. The refusal names the file, the key's line, the key, the name and
 * the closest name the inventory has, case ignored first. */
Test(inventory, a_policy_name_without_inventory_rows_is_refused_with_the_closest)
{
    set_policy("allocation = partial\n\nwarehouse_order = MAIN, east\n");
    must_load("sku,warehouse,on_hand\nTENT,MAIN,1\nTENT,EAST,1\nMUG,WEST,1\nMUG,EASY,1\n");
    cr_assert_eq(check_names(), ENG_REFUSED);
    cr_assert_str_eq(err.path, "policy.conf");
    cr_assert_eq(err.line, 3);
    cr_assert_str_eq(err.field, "warehouse_order");
    cr_assert(strstr(err.msg, "\"east\"") && strstr(err.msg, "closest") &&
                  strstr(err.msg, "\"EAST\""),
              "%s", err.msg);
}

Test(inventory, the_closest_name_counts_edits_then_case_then_byte_order)
{
    set_policy("warehouse_order = WST\n");
    must_load("sku,warehouse,on_hand\nTENT,EAST,1\nTENT,WEST,1\nMUG,west,1\n");
    cr_assert_eq(check_names(), ENG_REFUSED);
    /* WEST and west are both one edit away case-folded; WEST is one exactly, west 4. */
    cr_assert(strstr(err.msg, "\"WEST\""), "%s", err.msg);
    eng_inventory_free(inv);
    inv = NULL;
    set_policy("warehouse_order = BB\n");
    must_load("sku,warehouse,on_hand\nTENT,BA,1\nTENT,AB,1\n");
    cr_assert_eq(check_names(), ENG_REFUSED);
    cr_assert(strstr(err.msg, "\"AB\""), "ties go to byte order: %s", err.msg);
}

/* Route and channel lists name warehouses too: each is checked, naming its key's line. */
Test(inventory, route_and_channel_names_are_checked)
{
    set_policy("route.US = NJ\nroute.DE = BER, ber2\n");
    must_load("sku,warehouse,on_hand\nTENT,NJ,1\nTENT,BER,1\nTENT,BER2,1\n");
    cr_assert_eq(check_names(), ENG_REFUSED);
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.field, "route");
    cr_assert(strstr(err.msg, "\"ber2\"") && strstr(err.msg, "\"BER2\""), "%s", err.msg);
    eng_inventory_free(inv);
    inv = NULL;
    set_policy("route.US = NJ\nchannel_warehouses.amazon = NJ, NY\n");
    must_load("sku,warehouse,on_hand\nTENT,NJ,1\nTENT,BER,1\n");
    cr_assert_eq(check_names(), ENG_REFUSED);
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.field, "channel_warehouses");
    cr_assert(strstr(err.msg, "\"NY\"") && strstr(err.msg, "\"NJ\""), "%s", err.msg);
    eng_inventory_free(inv);
    inv = NULL;
    set_policy("route.US = NJ\nchannel_warehouses.amazon = NJ\nroute.default =\n");
    must_load("sku,warehouse,on_hand\nTENT,NJ,1\n");
    cr_assert_eq(check_names(), ENG_OK, "%s", err.msg);
}

Test(inventory, a_policy_name_with_an_empty_inventory_is_refused)
{
    set_policy("warehouse_order = EAST\n");
    must_load("sku,warehouse,on_hand\n");
    cr_assert_eq(check_names(), ENG_REFUSED);
    cr_assert(strstr(err.msg, "names no warehouse"), "%s", err.msg);
}

/* Regression (issue 12, 2026-12-06): an inventory with many distinct warehouses hung
 * the load, each slot searching the list of names (160,000 took 27 s, a million about 19
 * minutes). 200,000 warehouses in scrambled order must load well within the timeout
 * under ASan (about a second when linear; some 400 s before). */
Test(inventory, many_distinct_warehouses_load_quickly, .timeout = 60)
{
    enum { N = 200000 };
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_puts(&b, "sku,warehouse,on_hand\n");
    for (uint32_t i = 0; i < N; i++) {
        char row[64];
        /* 7919 is prime to N: i -> i * 7919 % N visits every name once, out of order. */
        int len = snprintf(row, sizeof row, "%s,W%06u,1\n", i % 2 ? "MUG" : "TENT",
                           (unsigned)((uint64_t)i * 7919 % N));
        fmt_buf_put(&b, row, (size_t)len);
    }
    cr_assert(!b.failed);
    tu_write(inv_path, b.p, b.len);
    fmt_buf_release(&b);
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_inventory_load(inv_path, cat, &pol, &inv, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_inventory_warehouse_count(inv), N);
    cr_assert_str_eq(eng_inventory_warehouse(inv, 0), "W000000");
    cr_assert_str_eq(eng_inventory_warehouse(inv, N - 1), "W199999");
    for (uint32_t s = 0; s < N; s += 997) {
        char name[16];
        snprintf(name, sizeof name, "W%06u", (unsigned)((uint64_t)s * 7919 % N));
        cr_assert_str_eq(wh(s), name, "slot %u", s);
        cr_assert_eq(eng_inventory_slot(inv, s)->wh_rank, (uint64_t)s * 7919 % N);
    }
}

/* ---- product slots ---- */

Test(inventory, product_slots_follow_warehouse_order_not_file_order)
{
    set_policy("warehouse_order = EAST, MAIN\n");
    must_load("sku,warehouse,on_hand\n"
              "TENT,MAIN,5\n"   /* slot 0 */
              "MUG,MAIN,5\n"    /* slot 1 */
              "TENT,WEST,5\n"   /* slot 2 */
              "TENT,EAST,5\n"); /* slot 3 */
    size_t n = 99;
    const uint32_t *s = eng_inventory_product_slots(inv, 0, &n);
    cr_assert_eq(n, 3);
    cr_assert_eq(s[0], 3, "EAST first");
    cr_assert_eq(s[1], 0, "then MAIN");
    cr_assert_eq(s[2], 2, "then WEST, not listed");
    s = eng_inventory_product_slots(inv, 1, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(s[0], 1);
}

Test(inventory, product_without_rows_has_no_slots)
{
    must_load("sku,warehouse,on_hand\nTENT,MAIN,5\n");
    size_t n = 99;
    eng_inventory_product_slots(inv, 2, &n);
    cr_assert_eq(n, 0);
}

/* ---- refusals ---- */

Test(inventory, refuses_a_duplicate_sku_and_warehouse_naming_both_lines)
{
    assert_refused("sku,warehouse,on_hand\nTENT,MAIN,5\nMUG,MAIN,1\nTENT,MAIN,7\n", 4, "sku",
                   "first on line 2");
    cr_assert(strstr(err.msg, "\"TENT\"") && strstr(err.msg, "\"MAIN\""), "%s", err.msg);
}

Test(inventory, refuses_blank_warehouse_next_to_explicit_main)
{
    assert_refused("sku,warehouse,on_hand\nTENT,,5\nTENT,MAIN,7\n", 3, "sku", "first on line 2");
}

Test(inventory, refuses_a_negative_on_hand)
{
    assert_refused("sku,warehouse,on_hand\nTENT,MAIN,5\nMUG,MAIN,-1\n", 3, "on_hand", "\"-1\"");
}

Test(inventory, refuses_a_fractional_on_hand)
{
    assert_refused("sku,on_hand\nTENT,1.5\n", 2, "on_hand", "\"1.5\"");
}

Test(inventory, refuses_a_blank_on_hand)
{
    assert_refused("sku,on_hand\nTENT,\n", 2, "on_hand", NULL);
}

Test(inventory, refuses_a_negative_safety_stock)
{
    assert_refused("sku,on_hand,safety_stock\nTENT,5,-2\n", 2, "safety_stock", "\"-2\"");
}

Test(inventory, refuses_a_negative_reorder_point)
{
    assert_refused("sku,on_hand,reorder_point\nTENT,5,-2\n", 2, "reorder_point", "\"-2\"");
}

Test(inventory, refuses_a_blank_sku)
{
    assert_refused("sku,on_hand\nTENT,5\n,3\n", 3, "sku", "blank");
}

Test(inventory, refuses_a_row_with_a_missing_field)
{
    assert_refused("sku,warehouse,on_hand\nTENT,MAIN\n", 2, NULL, "number of fields");
}

Test(inventory, refuses_a_missing_on_hand_column)
{
    cr_assert_eq(load("sku,warehouse\nTENT,MAIN\n"), ENG_REFUSED);
    cr_assert_null(inv);
    cr_assert(strstr(err.msg, "on_hand") != NULL, "%s", err.msg);
}

/* Regression (issue 12 item 4 and issue 15, 2026-12-06): SKUs and warehouses are matched
 * and printed exactly, so one that outputs would have to write with a spreadsheet guard
 * is refused rather than altered. */
Test(inventory, refuses_a_sku_starting_with_a_formula_character)
{
    assert_refused("sku,warehouse,on_hand\nTENT,MAIN,1\n=1+2,MAIN,4\n", 3, "sku",
                   "sku \"=1+2\" starts with \"=\", which a spreadsheet runs as a formula; "
                   "slipway never changes SKUs, so fix the inventory");
}

Test(inventory, refuses_a_warehouse_starting_with_a_formula_character)
{
    assert_refused("sku,warehouse,on_hand\nTENT,@EAST,4\n", 2, "warehouse",
                   "slipway never changes warehouse names");
    assert_refused("sku,warehouse,on_hand\nTENT,'-EAST,4\n", 2, "warehouse", "starts with \"'-\"");
}

/* inventory.csv is tomorrow's inventory: its carried-over columns come back without the
 * guard the writer put on them, and text with a ' of its own is left alone. */
Test(inventory, reads_carried_columns_without_the_spreadsheet_guard)
{
    must_load("sku,on_hand,note,'=extra\nTENT,4,'=1+1,'s-Hertogenbosch\nMUG,1,''x,'\n");
    cr_assert_str_eq(eng_inventory_col_name(inv, 3), "=extra");
    cr_assert_str_eq(eng_inventory_field(inv, 0, 2), "=1+1");
    cr_assert_str_eq(eng_inventory_field(inv, 0, 3), "'s-Hertogenbosch");
    cr_assert_str_eq(eng_inventory_field(inv, 1, 2), "'x");
    cr_assert_str_eq(eng_inventory_field(inv, 1, 3), "'");
}
