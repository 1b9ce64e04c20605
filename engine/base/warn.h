/* Warnings of a run: things a person should look at that do not stop the night (an input
 * whose last line has no line end, history rows given twice).
 *
 * Each warning is printed on stderr the moment it is recorded, as one line
 * `slipway: warning: TEXT`, so that it is seen even if the run is refused later; and it
 * is kept, so that summary.json lists it ("warnings"). The kept list is in (source, line,
 * text) order, whatever thread recorded what when, so summary.json does not depend on
 * --threads. The setup owns one (eng_setup.warnings). */
#ifndef ENG_WARN_H
#define ENG_WARN_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

/* The source of a warning about the run as a whole (sorted after every input). */
#define ENG_WARN_RUN SIZE_MAX

typedef struct eng_warnings eng_warnings;

/* An empty list; NULL when out of memory. */
eng_warnings *eng_warnings_new(void);
void eng_warnings_free(eng_warnings *w);

/* Record one warning: TEXT (printf-formatted, one line, no "slipway: warning: " prefix)
 * about the night's source index `source` (ENG_WARN_RUN for none) at `line` (0 for
 * none), which only decide its place in the list. Prints it on stderr at once. w may be
 * NULL: then it is only printed. Thread-safe. ENG_NOMEM when it could not be kept (it
 * was still printed). */
eng_rc eng_warn(eng_warnings *w, size_t source, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The warning for an input whose last line, `line`, has no line end: the file may have
 * been cut short by a transfer ("PATH: no line end after the last line N: was the file
 * cut short?"). Nothing when line is 0. As eng_warn. */
eng_rc eng_warn_unended(eng_warnings *w, size_t source, const char *path, uint64_t line);

/* Number of warnings, and the i-th text in (source, line, text) order; borrowed until the
 * list is freed. Not while another thread records. w may be NULL (no warnings). */
size_t eng_warnings_count(const eng_warnings *w);
const char *eng_warnings_text(const eng_warnings *w, size_t i);

/* The source and line the i-th warning was recorded at. */
void eng_warnings_where(const eng_warnings *w, size_t i, size_t *source, uint64_t *line);

/* Keep a warning another process of the night has already printed (a sharded night's map
 * task): as eng_warn, without printing it again. */
eng_rc eng_warn_keep(eng_warnings *w, size_t source, uint64_t line, const char *text);

#endif
