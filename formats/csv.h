/* CSV records: finding where each starts and ends, splitting one into fields with
 * libcsv, and writing fields with RFC 4180 quoting.
 *
 * Reading is two steps so that a big file can be cut into chunks for many threads.
 * fmt_csv_record_len() finds the end of one record with a small state machine that
 * follows libcsv's own rules for quotes, delimiters, blanks and line ends (see csv.c), so
 * the cut points are exactly where libcsv would end a row. fmt_csv_split() then hands
 * that one record to libcsv, in strict mode, to get its fields. libcsv reports no
 * positions; the scanner counts physical lines itself: LF, CRLF and a lone CR each end
 * one line.
 *
 * Like libcsv, spaces and tabs around an unquoted field are not part of it, and blank
 * lines are not records. */
#ifndef FMT_CSV_H
#define FMT_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/err.h"
#include "buf.h"

/* How a file separates and quotes fields. quote < 0: no quoting at all (Amazon's
 * tab-separated reports), so a quote character is ordinary text. formulas: an unquoted
 * field written ="..." (a spreadsheet formula protecting a long id) is read as if it were
 * quoted, "=""...""" (the layout then unwraps it); any other quote inside an unquoted
 * field still breaks RFC 4180. */
typedef struct fmt_dialect {
    unsigned char delim;
    int quote;
    int formulas;
} fmt_dialect;

#define FMT_DIALECT(delim) ((fmt_dialect){(delim), '"', 0})
#define FMT_CSV            FMT_DIALECT(',')

/* Bytes of blank space (spaces, tabs other than the delimiter, CR, LF) at p, adding the
 * line breaks among them to *lines. */
size_t fmt_csv_skip_blank(const char *p, size_t len, fmt_dialect d, uint64_t *lines);

/* Length of the record starting at p (the first byte that is not blank), without its
 * line end. Sets *complete to 1 when a line end outside quotes ended it, 0 when the data
 * ran out first (then the record continues in data not yet read, or at end of file it is
 * the last record). Adds the line breaks inside quoted fields to *lines. */
size_t fmt_csv_record_len(const char *p, size_t len, fmt_dialect d, int *complete, uint64_t *lines);

/* 1 when the record rec[0..len), found by fmt_csv_record_len with the data running out
 * (*complete = 0: the last record of a file), ends inside a quoted field: a quote opened
 * and never closed, so the file ends in the middle of a value (cut short, or a stray
 * quote that swallowed the lines after it). */
int fmt_csv_ends_quoted(const char *rec, size_t len, fmt_dialect d);

/* Walks the records of a buffer that starts at a record boundary (a chunk). */
typedef struct fmt_csv_iter {
    const char *p;
    size_t len;
    size_t pos;
    uint64_t line; /* physical line of p[pos] */
    fmt_dialect dialect;
    int complete; /* the last record returned ended on a line end outside quotes */
} fmt_csv_iter;

void fmt_csv_iter_init(fmt_csv_iter *it, const char *p, size_t len, uint64_t first_line,
                       fmt_dialect d);

/* Next record: its bytes (without line end) and the physical line it starts on. Returns
 * 1, or 0 when the buffer holds no more records. The last record may lack a line end
 * (it->complete tells). After the call, it->line is the line the record ends on. */
int fmt_csv_iter_next(fmt_csv_iter *it, fmt_str *rec, uint64_t *line);

typedef struct fmt_csv_fields fmt_csv_fields;

/* A field splitter for one thread. NULL when out of memory. Without quoting (d.quote < 0)
 * fields are split on the delimiter alone, blanks around them trimmed, and libcsv is not
 * involved. */
fmt_csv_fields *fmt_csv_fields_new(fmt_dialect d);
void fmt_csv_fields_free(fmt_csv_fields *f);

/* Split one record (as found by fmt_csv_record_len) into fields. Returns ENG_OK, ENG_DATA
 * when the record breaks RFC 4180 (a quote inside an unquoted field, text after a closing
 * quote, a quote never closed) -- the fields are then still filled, read leniently -- or
 * ENG_NOMEM. */
eng_rc fmt_csv_split(fmt_csv_fields *f, const char *rec, size_t len);

/* Number of fields of the last split, and field i as NUL-terminated text. Borrowed:
 * valid until the next fmt_csv_split() on f. */
size_t fmt_csv_count(const fmt_csv_fields *f);
fmt_str fmt_csv_field(const fmt_csv_fields *f, size_t i);

/* The last split's fields as the splitter keeps them: their texts one after another, each
 * followed by a NUL (*text, *text_len bytes), and their lengths (fmt_csv_count of them).
 * Borrowed, as fmt_csv_field. */
void fmt_csv_fields_all(const fmt_csv_fields *f, const char **text, size_t *text_len,
                        const size_t **lengths);

/* Append one field to a row in b: quoted when it holds the delimiter ',', a quote, CR,
 * LF, or starts or ends with a space or tab (which a reader would otherwise trim);
 * quotes are doubled. */
void fmt_csv_put_field(fmt_buf *b, const char *s, size_t len);

/* The spreadsheet formula guard (OWASP's CSV-injection advice, issue 15). A spreadsheet
 * runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula, so a
 * ship-to name "=HYPERLINK(...)" from a hostile order file would be live in finance's
 * sheet. Every free-text cell of every output is written through fmt_csv_put_text(),
 * which puts one ' in front of such a cell, and of a cell that starts with ' followed by
 * one of those characters or by another ' (so that the reader's rule below can tell a
 * guard from text that had a ' of its own). Readers of slipway's own files undo it with
 * fmt_csv_unguard(), so outputs fed back as inputs round-trip exactly, and a name like
 * 's-Hertogenbosch is neither guarded nor touched. */

/* 1 when the len bytes at s would be written with a guard, else 0 (also for len 0). */
int fmt_csv_needs_guard(const char *s, size_t len);

/* Append one text field like fmt_csv_put_field(), with one ' in front when
 * fmt_csv_needs_guard() says so. Never for numbers: -5 is a number, not a formula. */
void fmt_csv_put_text(fmt_buf *b, const char *s, size_t len);

/* The field as written before fmt_csv_put_text(): without its first byte when it starts
 * with ' followed by =, +, -, @, a tab, a carriage return or another '; else unchanged.
 * Borrowed: a view into v. */
fmt_str fmt_csv_unguard(fmt_str v);

/* Why a value for which fmt_csv_needs_guard() holds cannot be taken as an id, into dst
 * (NUL-terminated, truncated to cap): "starts with \"=\", which a spreadsheet runs as a
 * formula". */
void fmt_csv_guard_why(char *dst, size_t cap, const char *s, size_t len);

/* Append a whole row of NUL-terminated fields, comma-separated, ending in LF (no guard:
 * the fields are written exactly). */
void fmt_csv_put_row(fmt_buf *b, const char *const *fields, size_t n);

#endif
