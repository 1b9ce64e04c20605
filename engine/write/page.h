/* report.html: the night on one page for the people who run it (README "report.html"):
 * orders by status and channel, shipped amounts, lines per warehouse, the invariants,
 * exceptions by file and code, backorders by SKU, stock alerts and returns. One
 * self-contained file (inline CSS and SVG, no script, nothing from elsewhere), readable
 * on a phone and printable.
 *
 * Its figures are summary.json's (each carries data-k="<summary.json path>", which
 * tests/report.sh compares) and the CSV files' own: exceptions and the returns analysis
 * are read back from the files just written, through the output folder's descriptor
 * (small files: they hold what could not be used, and a row per SKU and reason), and backorders
 * come from what their writers counted (backorders.csv may be the night's largest file). It names
 * no path of this machine, so it is the same bytes for any thread count and output folder. */
#ifndef ENG_PAGE_H
#define ENG_PAGE_H

#include "../base/outdir.h"
#include "outputs.h"
#include "products.h"
#include "summary.h"

/* Write report.html into the run's temporary folder (never compressed: a person opens
 * it), its name, size and SHA-256 into *file. ENG_IO, ENG_NOMEM. */
eng_rc eng_page_write(const eng_products *night, const eng_outputs *out, const eng_report *report,
                      const eng_invariant inv[ENG_N_INVARIANTS], eng_outdir *od,
                      eng_output_file *file, eng_err *err);

#endif
