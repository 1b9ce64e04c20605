/* A CSV file read whole into memory for verify: the wanted columns of every row, with
 * the physical line each row starts on. Plain or zstd (fmt_source decides by the bytes).
 *
 * Verify reads slipway's own outputs and the reference inputs this way; they are
 * well-formed by contract, so a row that is not (bad quoting, wrong field count) makes
 * the load fail naming file and line. */
#ifndef ENG_VTABLE_H
#define ENG_VTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/table.h"
#include "../err.h"

typedef struct eng_vtable eng_vtable;

/* Read path; label names the file in messages ("slips.csv"). want lists the columns
 * (matched as fmt_table matches headers); a required one missing refuses the file.
 * ENG_REFUSED with file and line in err, ENG_NOMEM. path and label are copied. */
eng_rc eng_vtable_load(const char *path, const char *label, const fmt_column *want, size_t n_want,
                       eng_vtable **out, eng_err *err);
void eng_vtable_free(eng_vtable *t);

/* Rows read (the header is not a row). */
size_t eng_vtable_rows(const eng_vtable *t);

/* Value of wanted column k in row r, NUL-terminated; "" when the file lacks the column.
 * Borrowed until the table is freed. */
const char *eng_vtable_get(const eng_vtable *t, size_t r, size_t k);

/* 1 when the file has wanted column k. */
int eng_vtable_has(const eng_vtable *t, size_t k);

/* Physical line where row r starts (the header is line 1 in a plain file). */
uint64_t eng_vtable_line(const eng_vtable *t, size_t r);

/* The label given at load. */
const char *eng_vtable_label(const eng_vtable *t);

#endif
