/* Input text made safe to repeat: in messages (quoted, shortened) and in outputs (always
 * valid UTF-8, whatever the input held). */
#ifndef ENG_TEXT_H
#define ENG_TEXT_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/err.h"

/* Copy of s (which is not valid UTF-8) into mem, NUL-terminated, with every byte that is
 * not valid UTF-8 (and NUL) written as the four characters \xNN and every backslash as
 * two, so that different inputs never give the same text. NULL when out of memory. */
char *eng_text_sanitize(eng_arena *mem, const char *s, size_t len, size_t *out_len);

/* Write s as a quoted value for a message: "…" around it, invalid bytes as \xNN, control
 * characters as \n, \r, \t or \xNN, cut after about 40 characters with "...". Always
 * NUL-terminates dst (cap >= 8). */
void eng_text_quote(char *dst, size_t cap, const char *s, size_t len);

/* An id or name slipway matches and prints exactly that it must refuse, never alter: one
 * a spreadsheet would run as a formula (formats/csv.h, fmt_csv_needs_guard) or has turned
 * into a number in scientific notation. 1 with why ("starts with "=", which a spreadsheet
 * runs as a formula"; 160 bytes are enough), else 0. */
int eng_text_unusable_id(const char *s, size_t len, char *why, size_t cap);

/* Reference data (catalog, inventory) holds names slipway matches and prints exactly: a
 * value that outputs would have to write with a spreadsheet guard (formats/csv.h,
 * fmt_csv_needs_guard), or that a spreadsheet wrote in scientific notation ("4,00638E+12",
 * its digits lost), is refused, naming field and why, so that it is never altered.
 * what: the values in plural ("SKUs"); file: what to fix ("catalog"). ENG_OK otherwise. */
eng_rc eng_text_refuse_guarded(eng_err *err, const char *field, const char *s, size_t len,
                               const char *what, const char *file);

/* The edit distance (Levenshtein: insertions, deletions and substitutions of one byte)
 * between a and b, with ASCII letters compared case-folded when fold_case. SIZE_MAX
 * when out of memory. For "did you mean" in messages: quadratic, so for names, not
 * records. */
size_t eng_text_distance(const char *a, size_t la, const char *b, size_t lb, int fold_case);

/* The closest of several candidates to a name, for "the closest is ...": fewest edits
 * with case folded, then counting case, then byte order, so the hint is the same on every
 * run. Zero it, offer each candidate; best is NULL until one is offered, folded its
 * distance (SIZE_MAX, out of memory, ranks last but beats none). */
typedef struct eng_text_nearest {
    const char *best;
    size_t best_len, folded, exact;
} eng_text_nearest;
void eng_text_nearest_offer(eng_text_nearest *n, const char *name, size_t name_len,
                            const char *cand, size_t len);

#endif
