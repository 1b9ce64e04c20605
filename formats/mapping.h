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
 * written with currency symbols and separators, as for the marketplace layouts.
 *
 * Details decided here:
 * - Keys are matched ignoring case. The value is everything after the first `=`, so a
 *   column name may hold `=`. A `#` starts a comment at the start of a line or after a
 *   blank; a column name holding " #", or starting or ending with blanks, is written in
 *   double quotes, a quote inside doubled: `order_id = "Order #"`. (quote's own value is
 *   one character and never quoted.) The file is UTF-8, like the names it holds.
 * - `currency` and `channel` are constants. A file that has such a column maps it with
 *   `currency_column = <name>` / `channel_column = <name>`; giving both forms of one is
 *   mapping it twice. With neither currency key, the currency an amount is written with
 *   ("12,90 EUR", "€12.90") is used; a stated currency always wins over a symbol ("$" is
 *   read as USD, which an AUD shop would not mean).
 * - The constants go on the rows that carry order-level values (any mapped order-level
 *   column non-blank), as the first row of an order in files that state them once.
 * - `time_zone` is a fixed offset (`+01:00`, `-0500`, `Z`/`UTC`), not a region: a file
 *   whose times switch to summer time needs the zone written in its times.
 * - `encoding` is what the file is in when its bytes are not UTF-8 (as for the built-in
 *   layouts: a re-saved UTF-8 copy still reads); `--encoding` forces one.
 * - Marketplace states without code: `status = <column>` and, for any of them,
 *   `cancelled_when = status: Cancelled, Refunded`, `fulfilled_when = status: Shipped`,
 *   `unpaid_when = status: Pending` (values compared ignoring case and blanks; a value
 *   may not hold a comma). A row whose status is listed gives the whole order that state
 *   (ORDER_CANCELLED, ALREADY_FULFILLED, AWAITING_PAYMENT); other values ship as usual.
 * - Every column the mapping names must be in the file's header (bind refuses otherwise,
 *   naming the column and "map:FILE").
 *
 * Values are normalised as the built-in layouts do: money columns (unit_price,
 * order_total, shipping, tax, discount) through fmt_layout_money, order_time through
 * fmt_layout_date with date_format and time_zone, order_id, sku, customer_id and
 * ship_postal through fmt_layout_unprotect; anything unreadable passes unchanged so the
 * engine reports it (BAD_NUMBER, BAD_DATE) with the file's line. */
#ifndef FMT_MAPPING_H
#define FMT_MAPPING_H

#include "../engine/core/err.h"
#include "layout.h"
#include "source.h"

/* What the `key = value` files (this mapping and the payout mapping, payout_map.c) share:
 * s without blanks around it (and a CR at its end); a NUL-terminated copy (NULL when out
 * of memory). */
fmt_str fmt_mapping_trim(fmt_str s);
char *fmt_mapping_strdup(fmt_str s);
/* The next line of text from *pos (0 at the start: a byte order mark is skipped), trimmed;
 * 0 after the last. */
int fmt_mapping_next_line(const char *text, size_t len, size_t *pos, fmt_str *line);

/* Read the mapping file at path into a new layout named "map:<path>". ENG_REFUSED (file,
 * line, key in err), ENG_NOMEM. The layout is owned by the caller (fmt_mapping_free) and
 * keeps its own copy of the name; err->path borrows path, and err->field may point into
 * the layout (a bind refusal), so print errors before freeing it. The layout is read-only
 * once made: any thread may bind and transform with it. The file is read once; info (may
 * be NULL) gets the bytes, SHA-256 and final line end of exactly what was parsed. */
eng_rc fmt_mapping_load(const char *path, fmt_layout **out, fmt_input_info *info, eng_err *err);

/* Parse mapping text already in memory (tests, fuzzing); path names it in errors. */
eng_rc fmt_mapping_parse(const char *path, const char *text, size_t len, fmt_layout **out,
                         eng_err *err);

/* Free a layout made by fmt_mapping_load. Accepts NULL. */
void fmt_mapping_free(fmt_layout *l);

#endif
