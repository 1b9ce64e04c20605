/* The pieces of report.html: text escaped for HTML, and bar charts drawn as inline SVG
 * (no script, no font or image from elsewhere: the file is read offline, on a phone, or
 * printed). Geometry is integer arithmetic, so the same figures give the same bytes. */
#ifndef FMT_HTML_H
#define FMT_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* s (len bytes) with & < > " ' as entities: safe in element text and quoted attributes. */
void fmt_html_text(fmt_buf *b, const char *s, size_t len);
void fmt_html_puts(fmt_buf *b, const char *s);

#define FMT_HTML_SEGMENTS 8

/* One bar: its label, and up to FMT_HTML_SEGMENTS stacked parts (counts or minor units;
 * negative parts count as 0). value_text is what is written at its end (a count, an
 * amount with its currency); NULL writes the parts' sum. */
typedef struct fmt_html_bar {
    const char *label;
    uint64_t part[FMT_HTML_SEGMENTS];
    const char *value_text;
} fmt_html_bar;

/* A horizontal bar chart of n bars, stacked by part, scaled to the longest bar: a row
 * per bar (class "chart", "row", "lbl", "val" for the page's CSS), the bar an inline
 * SVG. legend names the parts (n_parts of them; NULL or a single part: no legend).
 * title is its accessible name. */
void fmt_html_bars(fmt_buf *b, const char *title, const fmt_html_bar *bars, size_t n,
                   const char *const *legend, size_t n_parts);

/* ---- a page (report.html of run and reconcile share its look) ---- */

/* The document up to <body>: its title, and the style sheet (inline: nothing is loaded). */
void fmt_html_begin(fmt_buf *b, const char *title);
void fmt_html_end(fmt_buf *b);

/* A figure at a glance: value under data-k="key" (summary.json's path for it, which the
 * tests compare), its label; bad draws it as a warning. */
void fmt_html_kpi(fmt_buf *b, const char *key, uint64_t v, const char *label, int bad);

/* A table: head (numeric: bit i set for a column of figures, right-aligned), cells, end. */
void fmt_html_table_head(fmt_buf *b, const char *const *cols, size_t n, unsigned numeric);
void fmt_html_cell_text(fmt_buf *b, const char *s, size_t len);
void fmt_html_cell_u64(fmt_buf *b, uint64_t v);
void fmt_html_cell_i64(fmt_buf *b, int64_t v);
void fmt_html_table_end(fmt_buf *b);

/* "The first shown of all; all are in file." when a list was cut; nothing otherwise. */
void fmt_html_more(fmt_buf *b, uint64_t shown, uint64_t all, const char *file);
/* A section with nothing to show, said in words. */
void fmt_html_none(fmt_buf *b, const char *what);

#endif
