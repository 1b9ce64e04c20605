/* `--format map:FILE`: a layout described by the user in a small mapping file, so that a
 * marketplace slipway has never seen needs no code.
 *
 * The file is `key = value` lines (`#` comments), for example:
 *
 *   order_id    = Order Number        # a canonical column = the file's column name
 *   sku         = Item Code
 *   qty         = Quantity
 *   unit_price  = Amount               # with price = line_total, the line's total
 *   order_time  = Order Date
 *   ship_name   = Recipient
 *   ...                                # any canonical column (README, "Inputs")
 *   delimiter   = ;                    # , (default)  ;  tab  |
 *   quote       = "                    # " (default) or none
 *   encoding    = windows-1252         # utf-8 (default), windows-1252, gb18030
 *   date_format = DD.MM.YYYY hh:mm     # fmt_layout_date's pattern; default ISO 8601
 *   time_zone   = +01:00               # for times written without one; default UTC
 *   price       = unit                 # unit (default) or line_total
 *   currency    = EUR                  # when the file has no currency column
 *   channel     = mystore              # the channel of every order (default "mapped")
 *
 * order_id, sku, qty, unit_price and order_time must be mapped; an unknown key, a
 * canonical column mapped twice or a bad value refuses the run (exit 3). Money may be
 * written with currency symbols and separators, as for the marketplace layouts. */
#ifndef FMT_MAPPING_H
#define FMT_MAPPING_H

#include "../engine/err.h"
#include "layout.h"

/* Read the mapping file at path into a new layout named "map:<path>". ENG_REFUSED (file,
 * line, key in err), ENG_NOMEM. */
eng_rc fmt_mapping_load(const char *path, fmt_layout **out, eng_err *err);

/* Parse mapping text already in memory (tests, fuzzing); path names it in errors. */
eng_rc fmt_mapping_parse(const char *path, const char *text, size_t len, fmt_layout **out,
                         eng_err *err);

/* Free a layout made by fmt_mapping_load. Accepts NULL. */
void fmt_mapping_free(fmt_layout *l);

#endif
