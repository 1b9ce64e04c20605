/* Tests of formats/table: headers matched by name (case and blanks ignored, any order),
 * the refusals that name the column, and row reading with physical line numbers. */
#include "../formats/table.h"
#include "testutil.h"

TestSuite(table, .init = tu_dir_new, .fini = tu_dir_remove);

enum { W_SKU, W_NAME, W_STATUS, W_BIN, N_WANTED };

static const fmt_column wanted[N_WANTED] = {
    {"sku", 1},
    {"name", 1},
    {"status", 1},
    {"bin", 0},
};

static const char *write_csv(const char *name, const char *text)
{
    static char path[512];
    tu_path(path, sizeof path, name);
    tu_write(path, text, strlen(text));
    return path;
}

static fmt_table *open_ok(const char *path)
{
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(path, wanted, N_WANTED, "catalog", &t, &err), ENG_OK, "%s",
                 err.msg);
    cr_assert_not_null(t);
    return t;
}

static void assert_str(fmt_str s, const char *want)
{
    cr_assert(s.len == strlen(want) && memcmp(s.p, want, s.len) == 0, "got \"%.*s\", want \"%s\"",
              (int)s.len, s.p, want);
}

static void next_ok(fmt_table *t)
{
    eng_err err = {0};
    cr_assert_eq(fmt_table_next(t, &err), 1, "%s", err.msg);
}

static void assert_end(fmt_table *t)
{
    eng_err err = {0};
    cr_assert_eq(fmt_table_next(t, &err), 0, "%s", err.msg);
}

Test(table, header_in_other_order_case_and_blanks_maps_by_name)
{
    const char *path = write_csv("catalog.csv", "Status,  SKU ,\" Name\t\",list_price\n"
                                                "active,A-1,Widget,9.99\n");
    fmt_table *t = open_ok(path);
    next_ok(t);
    cr_assert(fmt_table_row_ok(t));
    assert_str(fmt_table_get(t, W_SKU), "A-1");
    assert_str(fmt_table_get(t, W_NAME), "Widget");
    assert_str(fmt_table_get(t, W_STATUS), "active");
    assert_end(t);
    fmt_table_close(t);
}

Test(table, missing_optional_column_reads_as_empty)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\nA,B,active\n");
    fmt_table *t = open_ok(path);
    next_ok(t);
    assert_str(fmt_table_get(t, W_BIN), "");
    fmt_table_close(t);
}

Test(table, optional_column_present_is_mapped)
{
    const char *path = write_csv("catalog.csv", "bin,sku,name,status\nB-07,A,N,active\n");
    fmt_table *t = open_ok(path);
    next_ok(t);
    assert_str(fmt_table_get(t, W_BIN), "B-07");
    assert_str(fmt_table_get(t, W_SKU), "A");
    fmt_table_close(t);
}

Test(table, all_file_columns_are_listed_in_file_order)
{
    const char *path = write_csv("catalog.csv", "Status,  SKU ,name,extra\nactive,A,N,x\n");
    fmt_table *t = open_ok(path);
    cr_assert_eq(fmt_table_n_cols(t), 4);
    assert_str(fmt_table_col_name(t, 0), "Status");
    assert_str(fmt_table_col_name(t, 1), "SKU");
    assert_str(fmt_table_col_name(t, 3), "extra");
    next_ok(t);
    assert_str(fmt_table_field(t, 3), "x");
    fmt_table_close(t);
}

Test(table, missing_required_column_is_refused_naming_it)
{
    const char *path = write_csv("catalog.csv", "sku,status\nA,active\n");
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(path, wanted, N_WANTED, "catalog", &t, &err), ENG_REFUSED);
    cr_assert_null(t);
    cr_assert_str_eq(err.field, "name");
    cr_assert_not_null(strstr(err.msg, "\"name\""), "message: %s", err.msg);
    cr_assert_not_null(strstr(err.msg, "catalog"), "message: %s", err.msg);
    cr_assert_str_eq(err.path, path);
    cr_assert_eq(err.line, 1);
}

Test(table, duplicate_wanted_column_is_refused)
{
    const char *path = write_csv("catalog.csv", "sku,name,status, SKU\nA,N,active,B\n");
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(path, wanted, N_WANTED, "catalog", &t, &err), ENG_REFUSED);
    cr_assert_null(t);
    cr_assert_str_eq(err.field, "sku");
    cr_assert_not_null(strstr(err.msg, "twice"), "message: %s", err.msg);
}

Test(table, duplicate_unwanted_column_is_allowed)
{
    const char *path = write_csv("catalog.csv", "sku,name,status,note,note\nA,N,active,1,2\n");
    fmt_table *t = open_ok(path);
    next_ok(t);
    cr_assert(fmt_table_row_ok(t));
    fmt_table_close(t);
}

Test(table, empty_file_is_refused)
{
    const char *path = write_csv("catalog.csv", "");
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(path, wanted, N_WANTED, "catalog", &t, &err), ENG_REFUSED);
    cr_assert_null(t);
    cr_assert_not_null(strstr(err.msg, "empty"), "message: %s", err.msg);
}

Test(table, blank_only_file_is_refused)
{
    const char *path = write_csv("catalog.csv", "\n  \r\n\n");
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(path, wanted, N_WANTED, "catalog", &t, &err), ENG_REFUSED);
}

Test(table, missing_file_is_refused)
{
    char path[512];
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(tu_path(path, sizeof path, "none.csv"), wanted, N_WANTED, "catalog",
                                &t, &err),
                 ENG_REFUSED);
    cr_assert_null(t);
}

Test(table, malformed_header_is_refused)
{
    const char *path = write_csv("catalog.csv", "sku,\"name,status\nA,N,active\n");
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(path, wanted, N_WANTED, "catalog", &t, &err), ENG_REFUSED);
    cr_assert_null(t);
    cr_assert_eq(err.line, 1);
}

Test(table, cr_only_line_ends_give_rows_and_lines)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\rA,N,active\r\rB,M,active\r");
    fmt_table *t = open_ok(path);
    next_ok(t);
    assert_str(fmt_table_get(t, W_SKU), "A");
    cr_assert_eq(fmt_table_line(t), 2);
    next_ok(t);
    assert_str(fmt_table_get(t, W_SKU), "B");
    cr_assert_eq(fmt_table_line(t), 4);
    assert_end(t);
    fmt_table_close(t);
}

Test(table, header_only_gives_no_rows)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\n");
    fmt_table *t = open_ok(path);
    assert_end(t);
    fmt_table_close(t);
}

Test(table, header_only_without_newline_gives_no_rows)
{
    const char *path = write_csv("catalog.csv", "sku,name,status");
    fmt_table *t = open_ok(path);
    assert_end(t);
    fmt_table_close(t);
}

Test(table, ragged_rows_are_returned_but_not_ok)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\n"
                                                "A,N\n"
                                                "B,N,active,extra\n"
                                                "C,N,active\n");
    fmt_table *t = open_ok(path);
    next_ok(t);
    cr_assert_not(fmt_table_row_ok(t), "a row of 2 fields under 3 columns is ok");
    assert_str(fmt_table_get(t, W_SKU), "A");
    assert_str(fmt_table_get(t, W_STATUS), "");
    next_ok(t);
    cr_assert_not(fmt_table_row_ok(t), "a row of 4 fields under 3 columns is ok");
    next_ok(t);
    cr_assert(fmt_table_row_ok(t));
    assert_end(t);
    fmt_table_close(t);
}

Test(table, malformed_row_is_returned_but_not_ok)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\n"
                                                "A,5\"x7 frame,active\n"
                                                "B,N,active\n");
    fmt_table *t = open_ok(path);
    next_ok(t);
    cr_assert_not(fmt_table_row_ok(t));
    next_ok(t);
    cr_assert(fmt_table_row_ok(t));
    fmt_table_close(t);
}

Test(table, line_numbers_count_quoted_newline_of_previous_row)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\n"
                                                "A,\"two\nlines\",active\n"
                                                "\n"
                                                "B,N,active\r\n"
                                                "C,\"x\r\ny\",active\n"
                                                "D,N,active");
    fmt_table *t = open_ok(path);
    next_ok(t);
    cr_assert_eq(fmt_table_line(t), 2);
    assert_str(fmt_table_get(t, W_NAME), "two\nlines");
    next_ok(t);
    cr_assert_eq(fmt_table_line(t), 5);
    assert_str(fmt_table_get(t, W_SKU), "B");
    next_ok(t);
    cr_assert_eq(fmt_table_line(t), 6);
    next_ok(t);
    cr_assert_eq(fmt_table_line(t), 8);
    assert_str(fmt_table_get(t, W_SKU), "D");
    assert_end(t);
    fmt_table_close(t);
}

Test(table, bom_before_header_is_ignored)
{
    const char *path = write_csv("catalog.csv", "\xEF\xBB\xBFsku,name,status\nA,N,active\n");
    fmt_table *t = open_ok(path);
    next_ok(t);
    assert_str(fmt_table_get(t, W_SKU), "A");
    fmt_table_close(t);
}

Test(table, many_rows_across_internal_chunks_keep_order_and_lines)
{
    char path[512];
    tu_path(path, sizeof path, "big.csv");
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_puts(&b, "sku,name,status\n");
    int n = 60000; /* about 1.5 MB: more than one 1 MiB chunk */
    for (int i = 0; i < n; i++) {
        fmt_buf_puts(&b, "SKU-");
        fmt_buf_put_u64(&b, (uint64_t)i);
        fmt_buf_puts(&b, i % 1000 == 0 ? ",\"multi\nline name\",active\n" : ",name,active\n");
    }
    tu_write(path, b.p, b.len);
    fmt_table *t = open_ok(path);
    uint64_t line = 2;
    char want[32];
    for (int i = 0; i < n; i++) {
        next_ok(t);
        snprintf(want, sizeof want, "SKU-%d", i);
        assert_str(fmt_table_get(t, W_SKU), want);
        cr_assert_eq(fmt_table_line(t), line, "row %d on line %llu, want %llu", i,
                     (unsigned long long)fmt_table_line(t), (unsigned long long)line);
        line += i % 1000 == 0 ? 2 : 1;
    }
    assert_end(t);
    char hex[65], hex_want[65];
    uint64_t bytes = 0;
    fmt_table_digest(t, hex, &bytes);
    tu_sha256_hex(b.p, b.len, hex_want);
    cr_assert_eq(bytes, b.len);
    cr_assert_str_eq(hex, hex_want);
    fmt_table_close(t);
    fmt_buf_release(&b);
}

Test(table, digest_of_small_file)
{
    const char *text = "sku,name,status\nA,N,active\n";
    const char *path = write_csv("catalog.csv", text);
    fmt_table *t = open_ok(path);
    next_ok(t);
    assert_end(t);
    char hex[65], want[65];
    uint64_t bytes = 0;
    fmt_table_digest(t, hex, &bytes);
    tu_sha256_hex(text, strlen(text), want);
    cr_assert_eq(bytes, strlen(text));
    cr_assert_str_eq(hex, want);
    fmt_table_close(t);
}

/* ---- fmt_header_name_eq and fmt_header_map on their own ---- */

static fmt_str str(const char *s)
{
    fmt_str v = {s, strlen(s)};
    return v;
}

Test(table, header_name_eq_ignores_case_and_surrounding_blanks)
{
    cr_assert(fmt_header_name_eq(str("SKU"), "sku"));
    cr_assert(fmt_header_name_eq(str("  Sku\t"), "sku"));
    cr_assert(fmt_header_name_eq(str("Ship_City"), "ship_city"));
}

Test(table, header_name_eq_keeps_inner_differences)
{
    cr_assert_not(fmt_header_name_eq(str("sk u"), "sku"));
    cr_assert_not(fmt_header_name_eq(str("skus"), "sku"));
    cr_assert_not(fmt_header_name_eq(str("sk"), "sku"));
    cr_assert_not(fmt_header_name_eq(str(""), "sku"));
}

Test(table, header_map_gives_indexes_and_minus_one_for_absent)
{
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    cr_assert_not_null(f);
    const char *hdr = "x,STATUS,name,sku";
    cr_assert_eq(fmt_csv_split(f, hdr, strlen(hdr)), ENG_OK);
    int col_of[N_WANTED];
    eng_err err = {0};
    cr_assert_eq(fmt_header_map(f, wanted, N_WANTED, col_of, "catalog", &err), ENG_OK);
    cr_assert_eq(col_of[W_SKU], 3);
    cr_assert_eq(col_of[W_NAME], 2);
    cr_assert_eq(col_of[W_STATUS], 1);
    cr_assert_eq(col_of[W_BIN], -1);
    fmt_csv_fields_free(f);
}

/* Regression (issue 12, 2026-12-06): a reference file cut inside its last quoted value was
 * read as a malformed (or, for returns, merely bad) row. The rows before it are read;
 * then the file is refused, naming the line where the open value starts. */
Test(table, file_ending_inside_quotes_is_refused_after_its_rows)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\n"
                                                "A-1,Widget,active\n"
                                                "A-2,\"Gadget, large\nblue\",active\n"
                                                "A-3,\"Gizmo,act");
    fmt_table *t = open_ok(path);
    next_ok(t);
    next_ok(t);
    assert_str(fmt_table_get(t, W_NAME), "Gadget, large\nblue");
    eng_err err = {0};
    cr_assert_eq(fmt_table_next(t, &err), -1);
    cr_assert_eq(err.rc, ENG_REFUSED);
    cr_assert_str_eq(err.path, path);
    cr_assert_eq(err.line, 5);
    cr_assert(strstr(err.msg, "ends inside a quoted field"), "%s", err.msg);
    fmt_table_close(t);
}

Test(table, reports_a_last_line_without_line_end)
{
    const char *path = write_csv("catalog.csv", "sku,name,status\r\nA-1,\"W\r\nx\",active");
    fmt_table *t = open_ok(path);
    next_ok(t);
    assert_end(t);
    cr_assert_eq(fmt_table_unended_line(t), 3);
    fmt_table_close(t);
    path = write_csv("catalog2.csv", "sku,name,status\nA-1,W,active\n");
    t = open_ok(path);
    next_ok(t);
    assert_end(t);
    cr_assert_eq(fmt_table_unended_line(t), 0);
    fmt_table_close(t);
}

/* A file a person or a spreadsheet saved (fmt_table_open_encoded, no encoding given). */
static fmt_table *open_sheet_ok(const char *path)
{
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open_encoded(path, NULL, wanted, N_WANTED, "catalog", &t, &err), ENG_OK,
                 "%s", err.msg);
    cr_assert_not_null(t);
    return t;
}

/* Issue 15: a catalog saved by a spreadsheet set to German, French, Dutch...: the header is
 * cut at ';', and numbers come back plain; one against the comma rule is named. */
Test(table, semicolon_file_is_cut_at_semicolons_with_decimal_commas)
{
    const char *path = write_csv("catalog.csv", "sku;name;status;bin\n"
                                                "A-1;\"Becher; blau\";active;1.000\n"
                                                "A-2;Lampe;active;12,5\n"
                                                "A-3;Tisch;active;12.5\n");
    fmt_table *t = open_sheet_ok(path);
    cr_assert(fmt_table_decimal_comma(t));
    char buf[64];
    int ok;
    next_ok(t);
    cr_assert(fmt_table_row_ok(t));
    assert_str(fmt_table_get(t, W_NAME), "Becher; blau");
    assert_str(fmt_table_number(t, W_BIN, buf, sizeof buf, &ok), "1000");
    cr_assert(ok);
    next_ok(t);
    assert_str(fmt_table_number(t, W_BIN, buf, sizeof buf, &ok), "12.5");
    cr_assert(ok);
    next_ok(t);
    assert_str(fmt_table_number(t, W_BIN, buf, sizeof buf, &ok), "12.5");
    cr_assert(!ok, "12.5 is not a number where the comma marks decimals");
    assert_end(t);
    fmt_table_close(t);
}

/* slipway's own files (history) are never taken for a spreadsheet's. */
Test(table, own_files_are_not_cut_at_semicolons)
{
    const char *path = write_csv("catalog.csv", "sku;name;status;bin\nA-1;B;active;1\n");
    fmt_table *t = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_table_open(path, wanted, N_WANTED, "catalog", &t, &err), ENG_REFUSED);
    cr_assert_null(t);
}

Test(table, comma_file_numbers_are_read_as_written)
{
    const char *path = write_csv("catalog.csv", "sku,name,status,bin\nA-1,\"Becher; blau\",active,12.5\n");
    fmt_table *t = open_sheet_ok(path);
    cr_assert(!fmt_table_decimal_comma(t));
    next_ok(t);
    char buf[64];
    int ok;
    assert_str(fmt_table_number(t, W_BIN, buf, sizeof buf, &ok), "12.5");
    cr_assert(ok);
    fmt_table_close(t);
}
