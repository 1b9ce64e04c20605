/* slipway.xlsx (`run --xlsx`, xlsx.h): the main outputs as sheets, typed so a spreadsheet
 * keeps what the CSV files say. Each sheet is read back from its CSV file just written, so
 * the workbook holds exactly the files' rows; libxlsxwriter (Debian's libxlsxwriter-dev)
 * writes the OOXML, row by row in its constant-memory mode.
 *
 * Why a library: an .xlsx is a zip of a dozen XML parts with their own rules (shared
 * styles, relationships, content types, the 1,048,576-row limit); libxlsxwriter is the
 * well-kept C writer of them, and slipway only says which cell is what. */
#include "xlsx.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/sha256.h"
#include "../../formats/source.h"
#include "../../formats/table.h"

/* How a column is written. */
typedef enum kind { K_TEXT, K_INT, K_MONEY, K_DATE } kind;

typedef struct column {
    const char *name;
    kind k;
} column;

typedef struct sheet_spec {
    const char *file;  /* the CSV output */
    const char *sheet; /* the sheet's name ("slips (2)" after its first 1,048,575 rows) */
    const column *cols;
    size_t n_cols;
    size_t rows_at; /* offset in eng_outputs of the file's row count */
} sheet_spec;

#define SPEC_COLS(a) a, sizeof a / sizeof *a

static const column slips[] = {
    {"slip_no", K_TEXT},      {"order_id", K_TEXT},    {"channel", K_TEXT},
    {"line_no", K_INT},       {"sku", K_TEXT},         {"name", K_TEXT},
    {"qty", K_INT},           {"unit_price", K_MONEY}, {"line_amount", K_MONEY},
    {"currency", K_TEXT},     {"warehouse", K_TEXT},   {"bin", K_TEXT},
    {"ship_name", K_TEXT},    {"ship_street", K_TEXT}, {"ship_city", K_TEXT},
    {"ship_region", K_TEXT},  {"ship_postal", K_TEXT}, {"ship_country", K_TEXT},
    {"ship_service", K_TEXT}, {"ship_date", K_DATE}};
static const column status[] = {{"order_id", K_TEXT}, {"channel", K_TEXT}, {"status", K_TEXT},
                                {"lines", K_INT},     {"units", K_INT},    {"amount", K_MONEY},
                                {"currency", K_TEXT}, {"code", K_TEXT}};
static const column exceptions[] = {{"source", K_TEXT}, {"line", K_INT},   {"record_id", K_TEXT},
                                    {"code", K_TEXT},   {"field", K_TEXT}, {"message", K_TEXT}};
static const column backorders[] = {{"order_id", K_TEXT},
                                    {"order_time", K_TEXT},
                                    {"sku", K_TEXT},
                                    {"qty", K_INT},
                                    {"unit_price", K_MONEY},
                                    {"currency", K_TEXT},
                                    {"channel", K_TEXT},
                                    {"priority", K_INT},
                                    {"customer_id", K_TEXT},
                                    {"ship_name", K_TEXT},
                                    {"ship_street", K_TEXT},
                                    {"ship_city", K_TEXT},
                                    {"ship_region", K_TEXT},
                                    {"ship_postal", K_TEXT},
                                    {"ship_country", K_TEXT},
                                    {"ship_service", K_TEXT},
                                    {"order_total", K_MONEY},
                                    {"shipping", K_MONEY},
                                    {"tax", K_MONEY},
                                    {"discount", K_MONEY},
                                    {"line_no", K_INT},
                                    {"open_qty", K_INT},
                                    {"code", K_TEXT},
                                    {"line_amount", K_MONEY},
                                    {"marketplace_tax", K_TEXT},
                                    {"payment_gateway", K_TEXT}};
static const column alerts[] = {
    {"sku", K_TEXT},   {"warehouse", K_TEXT}, {"on_hand", K_INT},       {"reorder_point", K_INT},
    {"demand", K_INT}, {"shortfall", K_INT},  {"suggested_qty", K_INT}, {"code", K_TEXT}};
static const column ledger[] = {{"return_no", K_TEXT},
                                {"request_id", K_TEXT},
                                {"order_id", K_TEXT},
                                {"sku", K_TEXT},
                                {"qty", K_INT},
                                {"reason", K_TEXT},
                                {"condition", K_TEXT},
                                {"resolution", K_TEXT},
                                {"decision", K_TEXT},
                                {"code", K_TEXT},
                                {"refund_amount", K_MONEY},
                                {"currency", K_TEXT},
                                {"restock_qty", K_INT},
                                {"warehouse", K_TEXT},
                                {"status", K_TEXT},
                                {"channel", K_TEXT}};

static const sheet_spec sheets[] = {
    {"slips.csv", "slips", SPEC_COLS(slips), offsetof(eng_outputs, slip_rows)},
    {"order_status.csv", "order status", SPEC_COLS(status), offsetof(eng_outputs, status_rows)},
    {"exceptions.csv", "exceptions", SPEC_COLS(exceptions), offsetof(eng_outputs, exception_rows)},
    {"backorders.csv", "backorders", SPEC_COLS(backorders), offsetof(eng_outputs, backorder_rows)},
    {"alerts.csv", "alerts", SPEC_COLS(alerts), offsetof(eng_outputs, alert_rows)},
    {"returns_ledger.csv", "returns ledger", SPEC_COLS(ledger), offsetof(eng_outputs, ledger_rows)},
};

#define MAX_COLS 32
#define CELL_TEXT_MAX 32767 /* characters a cell holds (bytes here: never more) */

/* A sheet's rows under its header: what a spreadsheet holds, or fewer when the test hook
 * SLIPWAY_XLSX_SHEET_ROWS says so (tests/xlsx.sh sees "slips (2)" without a million
 * rows). */
static lxw_row_t sheet_rows(void)
{
    const char *env = getenv("SLIPWAY_XLSX_SHEET_ROWS");
    long n = env ? strtol(env, NULL, 10) : 0;
    return n > 0 && n < LXW_ROW_MAX - 1 ? (lxw_row_t)n : LXW_ROW_MAX - 1;
}

typedef struct book {
    lxw_workbook *wb;
    lxw_error failed;                             /* the library's first error, LXW_NO_ERROR none */
    lxw_format *head, *integer, *date, *money[4]; /* money by minor digits 0..3 */
} book;

/* A new sheet of spec (its part-th, from 1) with its header, frozen and filtered over
 * rows data rows. NULL when the library fails. */
static lxw_worksheet *new_sheet(book *bk, const sheet_spec *sp, unsigned part, size_t rows)
{
    char name[32];
    if (part == 1)
        snprintf(name, sizeof name, "%s", sp->sheet);
    else
        snprintf(name, sizeof name, "%s (%u)", sp->sheet, part);
    lxw_worksheet *ws = workbook_add_worksheet(bk->wb, name);
    if (!ws)
        return NULL;
    /* in constant-memory mode rows go out in order: set up before the first */
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)rows, (lxw_col_t)(sp->n_cols - 1));
    for (size_t c = 0; c < sp->n_cols; c++) {
        double width = sp->cols[c].k == K_TEXT ? 16 : 12;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, sp->cols[c].name, bk->head);
    }
    return ws;
}

/* "2026-11-27" as a date; 0 when it is not one. */
static int parse_date(fmt_str v, lxw_datetime *dt)
{
    int32_t day;
    if (v.len != 10 || fmt_isodate_parse(v.p, 10, &day) != 0)
        return 0;
    memset(dt, 0, sizeof *dt);
    dt->year = (v.p[0] - '0') * 1000 + (v.p[1] - '0') * 100 + (v.p[2] - '0') * 10 + (v.p[3] - '0');
    dt->month = (v.p[5] - '0') * 10 + (v.p[6] - '0');
    dt->day = (v.p[8] - '0') * 10 + (v.p[9] - '0');
    return 1;
}

/* A plain decimal ("-12.50", "3") as a number for the cell; 0 when the text is none
 * (it is then written as text, as the CSV has it). */
static int parse_number(fmt_str v, double *out)
{
    if (!v.len || v.len > 40)
        return 0;
    char text[48];
    size_t i = 0, digits = 0;
    int point = 0;
    if (v.p[0] == '-')
        i = 1;
    for (size_t k = i; k < v.len; k++) {
        if (v.p[k] >= '0' && v.p[k] <= '9')
            digits++;
        else if (v.p[k] == '.' && !point)
            point = 1;
        else
            return 0;
    }
    if (!digits || digits > 15) /* beyond a double's exact digits: kept as text */
        return 0;
    memcpy(text, v.p, v.len);
    text[v.len] = '\0';
    *out = strtod(text, NULL);
    return 1;
}

/* One CSV output into its sheet(s). -1 when the file cannot be read (err set) or the
 * library fails. */
static int write_sheet(book *bk, const sheet_spec *sp, int dirfd, const char *name, uint64_t rows,
                       eng_err *err)
{
    fmt_column wanted[MAX_COLS];
    int currency_col = -1;
    for (size_t c = 0; c < sp->n_cols; c++) {
        wanted[c] = (fmt_column){sp->cols[c].name, 1};
        if (!strcmp(sp->cols[c].name, "currency"))
            currency_col = (int)c;
    }
    fmt_table *t = NULL;
    if (fmt_table_open_at(dirfd, name, wanted, sp->n_cols, sp->file, &t, err) != ENG_OK)
        return -1;
    unsigned part = 1;
    uint64_t left = rows;
    const lxw_row_t per_sheet = sheet_rows();
    lxw_worksheet *ws = new_sheet(bk, sp, part, left < per_sheet ? left : per_sheet);
    lxw_row_t r = 0;
    int rc = ws ? 0 : -1;
    while (rc == 0) {
        int got = fmt_table_next(t, err);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (r == per_sheet) { /* a sheet is full: the rest goes on "name (2)" */
            left -= per_sheet;
            if (!(ws = new_sheet(bk, sp, ++part, left < per_sheet ? left : per_sheet))) {
                rc = -1;
                break;
            }
            r = 0;
        }
        r++;
        int digits = 2;
        if (currency_col >= 0) {
            fmt_str cur = fmt_table_get(t, (size_t)currency_col);
            int c = fmt_currency_find(cur.p, cur.len);
            digits = c >= 0 ? fmt_currency_minor_digits(c) : 2;
        }
        for (size_t c = 0; c < sp->n_cols && rc == 0; c++) {
            fmt_str v = fmt_csv_unguard(fmt_table_get(t, c));
            if (!v.len)
                continue; /* blank stays blank */
            double num;
            lxw_datetime dt;
            lxw_error e;
            if (sp->cols[c].k == K_INT && parse_number(v, &num))
                e = worksheet_write_number(ws, r, (lxw_col_t)c, num, bk->integer);
            else if (sp->cols[c].k == K_MONEY && parse_number(v, &num))
                e = worksheet_write_number(ws, r, (lxw_col_t)c, num,
                                           bk->money[digits >= 0 && digits <= 3 ? digits : 2]);
            else if (sp->cols[c].k == K_DATE && parse_date(v, &dt))
                e = worksheet_write_datetime(ws, r, (lxw_col_t)c, &dt, bk->date);
            else { /* ids, SKUs, postal codes: text, leading zeros and all digits kept */
                /* a cell holds 32,767 characters: a longer text (a hostile address) is
                 * cut there, at a character's start, rather than failing the night */
                if (v.len > CELL_TEXT_MAX) {
                    v.len = CELL_TEXT_MAX;
                    while (v.len && ((unsigned char)v.p[v.len] & 0xC0) == 0x80)
                        v.len--;
                }
                char stack[256], *s = v.len < sizeof stack ? stack : malloc(v.len + 1);
                if (!s) {
                    rc = -1;
                    break;
                }
                memcpy(s, v.p, v.len);
                s[v.len] = '\0';
                e = worksheet_write_string(ws, r, (lxw_col_t)c, s, NULL);
                if (s != stack)
                    free(s);
            }
            if (e != LXW_NO_ERROR) {
                if (bk->failed == LXW_NO_ERROR)
                    bk->failed = e;
                rc = -1;
            }
        }
    }
    fmt_table_close(t);
    return rc;
}

eng_rc eng_xlsx_write(const eng_products *night, const eng_outputs *out, eng_outdir *od,
                      eng_output_file *file, eng_err *err)
{
    char path[80], dir[64];
    snprintf(file->name, sizeof file->name, "slipway.xlsx");
    if (eng_outdir_read_path(od, file->name, path, sizeof path) != 0 ||
        eng_outdir_read_path(od, ".", dir, sizeof dir) != 0)
        return ENG_FAIL(err, ENG_INTERNAL, "internal error: the output folder's path is too long");
    /* made empty first, as every output is (the run's --mode, its place in the folder's
     * list); the library then writes it whole. It takes a file name, not a descriptor:
     * /proc/self/fd/N/slipway.xlsx reaches the folder the run made, whatever its name now
     * holds (so --xlsx needs /proc, as reading standard input does). */
    ENG_TRY(eng_outdir_write_file(od, file->name, "", 0, NULL, NULL, err));
    /* the library's own temporary files in the output folder, removed as it closes */
    lxw_workbook_options opt = {.constant_memory = 1, .tmpdir = dir, .use_zip64 = 1};
    book bk = {0};
    bk.wb = workbook_new_opt(path, &opt);
    if (!bk.wb)
        return ENG_FAIL(err, ENG_IO, "cannot create slipway.xlsx in the output folder");
    /* the run date as the creation time: the same night gives the same bytes */
    lxw_doc_properties props = {.title = "slipway night",
                                .created = (time_t)night->setup->run_date * 86400};
    workbook_set_properties(bk.wb, &props);
    bk.head = workbook_add_format(bk.wb);
    format_set_bold(bk.head);
    bk.integer = workbook_add_format(bk.wb);
    format_set_num_format(bk.integer, "0");
    bk.date = workbook_add_format(bk.wb);
    format_set_num_format(bk.date, "yyyy-mm-dd");
    static const char *const money_formats[4] = {"0", "0.0", "0.00", "0.000"};
    for (int d = 0; d < 4; d++) {
        bk.money[d] = workbook_add_format(bk.wb);
        format_set_num_format(bk.money[d], money_formats[d]);
    }
    int bad = 0;
    for (size_t i = 0; i < sizeof sheets / sizeof *sheets && !bad; i++) {
        /* the file as this run named it (.csv.zst under --compress), and its rows */
        const char *name = eng_outputs_file_name(out, sheets[i].file);
        uint64_t rows;
        memcpy(&rows, (const char *)out + sheets[i].rows_at, sizeof rows);
        if (!name || write_sheet(&bk, &sheets[i], eng_outdir_fd(od), name, rows, err) != 0)
            bad = 1;
    }
    lxw_error closed = workbook_close(bk.wb);
    if (bad && err->rc != ENG_OK)
        return err->rc;
    if (bad || closed != LXW_NO_ERROR) {
        err->path = NULL;
        lxw_error e = bk.failed != LXW_NO_ERROR ? bk.failed : closed;
        return ENG_FAIL(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? ENG_NOMEM : ENG_IO,
                        "cannot write slipway.xlsx: %s",
                        e != LXW_NO_ERROR ? lxw_strerror(e) : "out of memory");
    }
    /* its size and SHA-256 for the manifest, from the bytes the library wrote */
    fmt_source *src = NULL;
    ENG_TRY(fmt_source_open_at(eng_outdir_fd(od), file->name, &src, err));
    char buf[1 << 16];
    size_t n;
    eng_rc rc;
    while ((rc = fmt_source_read(src, buf, sizeof buf, &n, err)) == ENG_OK && n)
        ;
    if (rc == ENG_OK) {
        fmt_source_sha256(src, file->sha256);
        file->bytes = fmt_source_raw_bytes(src);
    }
    fmt_source_close(src);
    return rc;
}
