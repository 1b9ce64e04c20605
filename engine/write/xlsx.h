/* slipway.xlsx (`slipway run --xlsx`, issue 17): one sheet per main output (slips, order
 * status, exceptions, backorders, alerts, returns ledger), read back from the CSV files
 * just written. Ids, SKUs and postal codes are text (leading zeros and long numbers
 * kept), quantities and money numbers (money with its currency's decimals), dates
 * dates; each sheet has its header frozen and filtered, no formula; a sheet over the
 * 1,048,575 rows a spreadsheet holds under its header goes on in "slips (2)" and so on.
 * The workbook's creation time is the run date, so the same night gives the same bytes. */
#ifndef ENG_XLSX_H
#define ENG_XLSX_H

#include "../base/outdir.h"
#include "outputs.h"
#include "products.h"

/* Write slipway.xlsx into the run's temporary folder; its name, size and SHA-256 into
 * *file. ENG_IO, ENG_NOMEM, ENG_REFUSED (a CSV output unreadable: a bug). */
eng_rc eng_xlsx_write(const eng_products *night, const eng_outputs *out, eng_outdir *od,
                      eng_output_file *file, eng_err *err);

#endif
