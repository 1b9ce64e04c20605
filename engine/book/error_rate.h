/* max_error_rate, in one place: which rows count as bad, and the refusal.
 *
 * An orders or returns file of 100 data rows or more whose share of bad rows is above the
 * policy's max_error_rate refuses the run (exit 3, nothing written): it is usually the
 * wrong file or format. A bad row carries MALFORMED_ROW, BAD_ENCODING, UNSAFE_TEXT,
 * MISSING_FIELD or a BAD_* code (eng_code_counts_as_bad), except a row of an order the
 * marketplace itself settled (cancelled, fulfilled: not an error); lines swallowed by a
 * malformed multi-line record count as bad rows of their own, and as rows. */
#ifndef ENG_ERROR_RATE_H
#define ENG_ERROR_RATE_H

#include "../core/err.h"
#include "../intake/ingest.h"
#include "../setup/setup.h"

/* Bad rows and rows counted for one file. */
typedef struct eng_rate {
    uint64_t bad;
    uint64_t rows;
} eng_rate;

/* The counts of orders file f (after eng_book_build, which settles the rows' flags). */
eng_rate eng_error_rate_of_orders(const eng_batches *batches, size_t f);

/* Refuse the run when input `source`'s counts are above the limit. ENG_REFUSED naming the
 * file, its counts and the limit. (A returns file's counts: eng_returns_error_rate.) */
eng_rc eng_error_rate_check_file(const eng_setup *setup, size_t source, eng_rate r, eng_err *err);

/* The same for every orders file, in source order; the refusal of an orders file also
 * names the code and column of most of its bad rows, their first lines and what to look
 * at (a Windows-1252 file: --encoding windows-1252). */
eng_rc eng_error_rate_check_orders(const eng_setup *setup, const eng_batches *batches,
                                   eng_err *err);

#endif
