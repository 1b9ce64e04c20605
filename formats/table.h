/* Headers matched by name, and small reference tables (catalog, inventory) read whole.
 *
 * A header name matches when equal ignoring ASCII case and surrounding blanks (libcsv
 * already trims unquoted fields; quoted ones are trimmed here). Unknown columns are
 * kept but ignored by the mapping. */
#ifndef FMT_TABLE_H
#define FMT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/err.h"
#include "buf.h"
#include "csv.h"

/* A column the caller wants: its name and whether the file must have it. */
typedef struct fmt_column {
    const char *name;
    int required;
} fmt_column;

/* Map the header fields in f to the wanted columns: col_of[k] = index of wanted[k] in the
 * header, or -1. ENG_REFUSED when a required column is missing or a wanted column appears
 * twice; the message names the column and `what` ("catalog", "canonical orders"). err's
 * path and line must already be set. */
eng_rc fmt_header_map(const fmt_csv_fields *f, const fmt_column *wanted, size_t n_wanted,
                      int *col_of, const char *what, eng_err *err);

/* What kind of slipway input a header belongs to, judged by the columns only that kind
 * has: "a catalog (list_price, min_price)", "an inventory (on_hand)"...; NULL when none.
 * *what is the reader's name for that kind ("catalog", as fmt_table_open's what). For a
 * refusal that can say two files were swapped. */
const char *fmt_header_kind(const fmt_csv_fields *f, const char **what);

/* 1 when a and b are the same header name (case and blanks ignored). */
int fmt_header_name_eq(fmt_str a, const char *b);

typedef struct fmt_table fmt_table;

/* fmt_table_open for file name in the folder open at dirfd (fmt_source_open_at). */
eng_rc fmt_table_open_at(int dirfd, const char *name, const fmt_column *wanted, size_t n_wanted,
                         const char *what, fmt_table **out, eng_err *err);

/* Open one of slipway's own CSV files (UTF-8, commas) and read its header. ENG_REFUSED
 * for an unreadable or empty file or a missing required column. path is borrowed for the
 * table's life. */
eng_rc fmt_table_open(const char *path, const fmt_column *wanted, size_t n_wanted, const char *what,
                      fmt_table **out, eng_err *err);

/* Open a file a person or a spreadsheet may have saved (a catalog, inventory or returns
 * file): as fmt_table_open, and also UTF-16 after a byte order mark, cut at ';' or tabs
 * when its header is one column holding them (fmt_table_decimal_comma), and read from
 * encoding (an iconv name: run --encoding) when its start is not UTF-8; NULL: UTF-8.
 * encoding must outlive the table. */
eng_rc fmt_table_open_encoded(const char *path, const char *encoding, const fmt_column *wanted,
                              size_t n_wanted, const char *what, fmt_table **out, eng_err *err);
void fmt_table_close(fmt_table *t);

/* Next data row: 1 with the row loaded, 0 at end of file, -1 on error (err set:
 * ENG_REFUSED for a read error, ENG_NOMEM). A row that is not well-formed or has the
 * wrong number of fields is returned too; check fmt_table_row_ok(). */
int fmt_table_next(fmt_table *t, eng_err *err);

/* 1 when the file is semicolon-separated, as a spreadsheet saves CSV where the comma is the
 * decimal mark: its numbers are then written "1.234,50" (fmt_table_number); or
 * tab-separated (Excel's "Unicode text", UTF-16 with a byte order mark, converted), where a
 * number with a comma is read so and one without as a plain decimal. */
int fmt_table_decimal_comma(const fmt_table *t);

/* Value of wanted column k in the current row as a plain number ("1234.50" for
 * "1.234,50" in a decimal-comma file; as written otherwise), in buf (cap bytes) when it
 * had to be rewritten. *ok is 0 when a decimal-comma file's value breaks the comma rule
 * ("12.5"): the value is then returned as written, for the message. */
fmt_str fmt_table_number(const fmt_table *t, size_t k, char *buf, size_t cap, int *ok);

/* The encoding the file is read from (encoding given to fmt_table_open_encoded, or
 * "UTF-16"), NULL for UTF-8. */
const char *fmt_table_encoding(const fmt_table *t);

/* The wanted column that file column i is (0-based), or -1. */
int fmt_table_wanted_at(const fmt_table *t, size_t i);

/* Whether the current row parsed cleanly with as many fields as the header. */
int fmt_table_row_ok(const fmt_table *t);

/* Physical line of the current row. */
uint64_t fmt_table_line(const fmt_table *t);

/* 1 when the file has wanted column k. */
int fmt_table_has(const fmt_table *t, size_t k);

/* Value of wanted column k in the current row; empty when the file lacks the column.
 * Borrowed until the next fmt_table_next(). */
fmt_str fmt_table_get(const fmt_table *t, size_t k);

/* All columns of the file, in file order: count, header name, value in the current row. */
size_t fmt_table_n_cols(const fmt_table *t);
fmt_str fmt_table_col_name(const fmt_table *t, size_t i);
fmt_str fmt_table_field(const fmt_table *t, size_t i);

/* SHA-256 and bytes of the file, valid once fmt_table_next() returned 0. */
void fmt_table_digest(fmt_table *t, char hex[65], uint64_t *bytes);

/* Once fmt_table_next() returned 0: the number of the file's last line when it has no
 * line end (the file may have been cut short), else 0. A file ending inside a quoted
 * field is refused by fmt_table_next (-1, ENG_REFUSED naming the line). */
uint64_t fmt_table_unended_line(const fmt_table *t);

#endif
