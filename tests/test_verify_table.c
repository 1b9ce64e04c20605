/* Tests of engine/verify/vtable and the small helpers of engine/verify/verify.c: a CSV
 * read whole with the wanted columns and each row's physical line, or row by row (history
 * is streamed), a row that is not well-formed refused with its line, amounts in minor
 * units by currency, counts, the amounts of a stated line total's parts, and the capped
 * list of line numbers findings show. */
#include "../engine/verify/verify_int.h"
#include "testutil.h"

TestSuite(vtable, .init = tu_dir_new, .fini = tu_dir_remove);

static const fmt_column cols[] = {{"sku", 1}, {"warehouse", 0}, {"on_hand", 1}};

static eng_rc load(const char *text, eng_vtable **t, eng_err *err)
{
    char path[300];
    tu_path(path, sizeof path, "inventory.csv");
    tu_write(path, text, strlen(text));
    memset(err, 0, sizeof *err);
    return eng_vtable_load(path, "inventory.csv", cols, 3, 1, t, err);
}

Test(vtable, keeps_wanted_columns_and_lines)
{
    eng_vtable *t;
    eng_err err;
    cr_assert_eq(load("on_hand,note,SKU\n5,\"two\nlines\",TENT\n\n7,x,PEG\n", &t, &err), ENG_OK,
                 "%s", err.msg);
    cr_assert_eq(eng_vtable_rows(t), 2);
    cr_assert_str_eq(eng_vtable_get(t, 0, 0), "TENT");
    cr_assert_str_eq(eng_vtable_get(t, 0, 2), "5");
    cr_assert_str_eq(eng_vtable_get(t, 1, 1), "", "absent column reads blank");
    cr_assert_not(eng_vtable_has(t, 1));
    cr_assert(eng_vtable_has(t, 2));
    cr_assert_eq(eng_vtable_line(t, 0), 2);
    cr_assert_eq(eng_vtable_line(t, 1), 5, "the quoted line break and the blank line count");
    cr_assert_str_eq(eng_vtable_label(t), "inventory.csv");
    cr_assert_str_eq(eng_vtable_get(t, 9, 0), "", "out of range reads blank");
    eng_vtable_free(t);
}

Test(vtable, row_gives_every_value_at_once)
{
    eng_vtable *t;
    eng_err err;
    cr_assert_eq(load("sku,warehouse,on_hand\nTENT,EAST,5\nPEG,,7\n", &t, &err), ENG_OK, "%s",
                 err.msg);
    const char *vals[3];
    eng_vtable_row(t, 1, vals);
    cr_assert_str_eq(vals[0], "PEG");
    cr_assert_str_eq(vals[1], "");
    cr_assert_str_eq(vals[2], "7");
    eng_vtable_row(t, 2, vals);
    cr_assert_str_eq(vals[0], "", "out of range reads blank");
    eng_vtable_free(t);
}

/* Regression (issue 12, 2026-12-06): history was loaded whole; a scan keeps one row. */
Test(vtable, scan_reads_row_by_row)
{
    char path[300];
    tu_path(path, sizeof path, "slips.csv");
    const char *text = "on_hand,sku\n5,TENT\n\n7,\"PEG\nS\"\n9,POLE\n";
    tu_write(path, text, strlen(text));
    eng_vscan *s;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_vscan_open(path, "slips.csv", cols, 3, 1, &s, &err), ENG_OK, "%s", err.msg);
    cr_assert_not(eng_vscan_has(s, 1));
    cr_assert_eq(eng_vscan_next(s, &err), 1);
    cr_assert_str_eq(eng_vscan_get(s, 0), "TENT");
    cr_assert_str_eq(eng_vscan_get(s, 1), "");
    cr_assert_eq(eng_vscan_line(s), 2);
    cr_assert_eq(eng_vscan_next(s, &err), 1);
    cr_assert_str_eq(eng_vscan_get(s, 0), "PEG\nS");
    cr_assert_str_eq(eng_vscan_get(s, 2), "7");
    cr_assert_eq(eng_vscan_line(s), 4);
    cr_assert_eq(eng_vscan_next(s, &err), 1);
    cr_assert_eq(eng_vscan_line(s), 6, "the quoted line break counts");
    cr_assert_eq(eng_vscan_next(s, &err), 0);
    eng_vscan_close(s);
}

Test(vtable, scan_refuses_a_malformed_row_with_its_line)
{
    char path[300];
    tu_path(path, sizeof path, "slips.csv");
    const char *text = "sku,on_hand\nTENT,5\nPEG,1,extra\n";
    tu_write(path, text, strlen(text));
    eng_vscan *s;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_vscan_open(path, "slips.csv", cols, 3, 1, &s, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_vscan_next(s, &err), 1);
    cr_assert_eq(eng_vscan_next(s, &err), -1);
    cr_assert_eq(err.rc, ENG_REFUSED);
    cr_assert(strstr(err.msg, "slips.csv:3:") != NULL, "%s", err.msg);
    eng_vscan_close(s);
}

Test(vtable, refuses_a_row_with_the_wrong_field_count)
{
    eng_vtable *t = NULL;
    eng_err err;
    cr_assert_eq(load("sku,on_hand\nTENT,5\nPEG,1,extra\n", &t, &err), ENG_REFUSED);
    cr_assert(strstr(err.msg, "inventory.csv:3:") != NULL, "%s", err.msg);
}

Test(vtable, refuses_a_missing_required_column)
{
    eng_vtable *t = NULL;
    eng_err err;
    cr_assert_eq(load("sku,qty\nTENT,5\n", &t, &err), ENG_REFUSED);
    cr_assert(strstr(err.msg, "on_hand") != NULL, "%s", err.msg);
}

Test(verify_helpers, amounts_in_minor_units_of_their_currency)
{
    int64_t v;
    cr_assert_eq(eng__verify_minor("19.99", "EUR", &v), 0);
    cr_assert_eq(v, 1999);
    cr_assert_eq(eng__verify_minor("19.9", "EUR", &v), 0);
    cr_assert_eq(v, 1990);
    cr_assert_eq(eng__verify_minor("1200", "JPY", &v), 0);
    cr_assert_eq(v, 1200);
    cr_assert_eq(eng__verify_minor("1.5", "JPY", &v), -1, "JPY has no minor digits");
    cr_assert_eq(eng__verify_minor("1.234", "KWD", &v), 0);
    cr_assert_eq(v, 1234);
    cr_assert_eq(eng__verify_minor("1.00", "EURO", &v), -1);
    cr_assert_eq(eng__verify_minor("-1.00", "EUR", &v), -1);
    cr_assert_eq(eng__verify_minor("", "EUR", &v), -1);
}

Test(verify_helpers, counts_are_whole_and_not_negative)
{
    int64_t v;
    cr_assert_eq(eng__verify_count("0", 0, &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(eng__verify_count("42", 0, &v), 0);
    cr_assert_eq(v, 42);
    cr_assert_eq(eng__verify_count("", 0, &v), -1);
    cr_assert_eq(eng__verify_count("", 1, &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(eng__verify_count("-1", 0, &v), -1);
    cr_assert_eq(eng__verify_count("+1", 0, &v), -1);
    cr_assert_eq(eng__verify_count("1.0", 0, &v), -1);
    cr_assert_eq(eng__verify_int_text("-3", &v), 0);
    cr_assert_eq(v, -3);
}

/* README "Line totals": 3 mugs for 10.00 ship as 2 + 1 for 6.66 + 3.34, never 3 x 3.33. */
Test(verify_helpers, parts_of_a_stated_total_are_differences)
{
    eng_vline ln;
    memset(&ln, 0, sizeof ln);
    ln.ordered = 3;
    ln.amount_minor = 1000;
    ln.unit_minor = 333;
    ln.flags = ENG_VL_LINE_TOTAL | ENG_VL_PRICED | ENG_VL_QTY_OK;
    cr_assert(eng__verify_line_amount(&ln, 2) == 666);
    cr_assert(eng__verify_line_amount(&ln, 3) - eng__verify_line_amount(&ln, 2) == 334);
    cr_assert(eng__verify_line_amount(&ln, 3) == 1000);
    ln.flags &= ~ENG_VL_LINE_TOTAL; /* a unit price: every unit costs it */
    ln.amount_minor = 999;
    cr_assert(eng__verify_line_amount(&ln, 3) == 999);
    cr_assert(eng__verify_line_amount(&ln, 1) == 333);
}

Test(verify_helpers, line_lists_stop_after_ten)
{
    uint64_t lines[12] = {4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    char dst[200];
    eng__verify_lines(dst, sizeof dst, lines, 2);
    cr_assert_str_eq(dst, "4, 9");
    eng__verify_lines(dst, sizeof dst, lines, 10);
    cr_assert_str_eq(dst, "4, 9, 10, 11, 12, 13, 14, 15, 16, 17");
    eng__verify_lines(dst, sizeof dst, lines, 12);
    cr_assert_str_eq(dst, "4, 9, 10, 11, 12, 13, 14, 15, 16, 17 and 2 more");
    eng__verify_lines(dst, sizeof dst, lines, 0);
    cr_assert_str_eq(dst, "");
}

/* slipway's outputs guard text cells against spreadsheet formulas (issue 12, item 4):
 * verify reads what a guarded cell means, and a file the run reads as written (the
 * catalog) as written. */
Test(vtable, guarded_cells_read_without_their_guard_unless_asked_not_to)
{
    char path[512];
    const char *csv = "sku,warehouse,on_hand\n'=A,'+W,1\n's-Hertogenbosch,''x,2\n";
    tu_write(tu_path(path, sizeof path, "inventory.csv"), csv, strlen(csv));
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_vtable *t = NULL, *raw = NULL;
    cr_assert_eq(eng_vtable_load(path, "inventory.csv", cols, 3, 1, &t, &err), ENG_OK, "%s",
                 err.msg);
    cr_assert_eq(eng_vtable_load(path, "inventory.csv", cols, 3, 0, &raw, &err), ENG_OK, "%s",
                 err.msg);
    cr_assert_str_eq(eng_vtable_get(t, 0, 0), "=A");
    cr_assert_str_eq(eng_vtable_get(t, 0, 1), "+W");
    cr_assert_str_eq(eng_vtable_get(t, 1, 0), "'s-Hertogenbosch");
    cr_assert_str_eq(eng_vtable_get(t, 1, 1), "'x");
    cr_assert_str_eq(eng_vtable_get(raw, 0, 0), "'=A");
    cr_assert_str_eq(eng_vtable_get(raw, 1, 1), "''x");
    eng_vtable_free(t);
    eng_vtable_free(raw);
}
