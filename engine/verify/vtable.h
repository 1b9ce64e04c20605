/* CSV files read for verify: whole into memory (tonight's outputs and reference inputs),
 * or row by row without keeping them (history, which may hold a year of nights). Both
 * give the wanted columns of each row as NUL-terminated text, with the physical line each
 * row starts on. Plain or zstd (fmt_source decides by the bytes).
 *
 * Verify reads slipway's own outputs and the reference inputs this way; they are
 * well-formed by contract, so a row that is not (bad quoting, wrong field count) makes
 * the read fail naming file and line. */
#ifndef ENG_VTABLE_H
#define ENG_VTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/table.h"
#include "../core/err.h"

/* ---- row by row ---- */

typedef struct eng_vscan eng_vscan;

/* Open path and read its header; label names the file in messages. want lists the
 * columns (matched as fmt_table matches headers); a required one missing refuses the file.
 * guarded: the file is slipway's own (an output, history, a canonical input the run reads
 * the same way), whose text cells carry the spreadsheet guard; values are then given
 * without it (fmt_csv_unguard), as the run reads them. 0 for a file the run reads as
 * written (the catalog). ENG_REFUSED with file and line in err, ENG_NOMEM. path and label
 * are copied. */
eng_rc eng_vscan_open(const char *path, const char *label, const fmt_column *want, size_t n_want,
                      int guarded, eng_vscan **out, eng_err *err);
eng_rc eng_vscan_open_encoded(const char *path, const char *encoding, const char *label,
                              const fmt_column *want, size_t n_want, int guarded, eng_vscan **out,
                              eng_err *err);
void eng_vscan_close(eng_vscan *s);

/* The next row: 1 with it loaded, 0 at the end, -1 with err set (ENG_REFUSED for a row
 * that is not well-formed or a read error, naming file and line; ENG_NOMEM). Memory is
 * that of the longest row, whatever the file's size. */
int eng_vscan_next(eng_vscan *s, eng_err *err);

/* Value of wanted column k in the current row, NUL-terminated; "" when the file lacks the
 * column. Borrowed until the next eng_vscan_next(). */
const char *eng_vscan_get(const eng_vscan *s, size_t k);

/* 1 when the file has wanted column k. */
int eng_vscan_has(const eng_vscan *s, size_t k);

/* Physical line where the current row starts (the header is line 1 in a plain file). */
uint64_t eng_vscan_line(const eng_vscan *s);

/* ---- whole ---- */

typedef struct eng_vtable eng_vtable;

/* Read path whole, as eng_vscan_open() and eng_vscan_next() read it. */
eng_rc eng_vtable_load(const char *path, const char *label, const fmt_column *want, size_t n_want,
                       int guarded, eng_vtable **out, eng_err *err);

/* The same for a catalog or inventory, read as a spreadsheet may have saved it (UTF-16,
 * ';' or tabs: fmt_table_open_encoded) and from encoding when the run was (its --encoding,
 * as manifest.json records it; NULL: UTF-8). eng_vtable_load reads slipway's own files. */
eng_rc eng_vtable_load_encoded(const char *path, const char *encoding, const char *label,
                               const fmt_column *want, size_t n_want, int guarded, eng_vtable **out,
                               eng_err *err);
void eng_vtable_free(eng_vtable *t);

/* Rows read (the header is not a row). */
size_t eng_vtable_rows(const eng_vtable *t);

/* Value of wanted column k in row r, NUL-terminated; "" when the file lacks the column.
 * Borrowed until the table is freed. */
const char *eng_vtable_get(const eng_vtable *t, size_t r, size_t k);

/* Every wanted value of row r into vals[0..n_want) at once (one pass over the row, where
 * eng_vtable_get steps over the values before the one asked for). Borrowed as above. */
void eng_vtable_row(const eng_vtable *t, size_t r, const char **vals);

/* 1 when the file has wanted column k. */
int eng_vtable_has(const eng_vtable *t, size_t k);

/* Physical line where row r starts (the header is line 1 in a plain file). */
uint64_t eng_vtable_line(const eng_vtable *t, size_t r);

/* The label given at load. */
const char *eng_vtable_label(const eng_vtable *t);

#endif
