/* `slipway reconcile`: did the marketplaces pay for what slipway shipped, and refund what
 * it refunded (issue 16)?
 *
 *   history (slips, ledgers, order totals, earlier payout lines) -> expected, per
 *       (channel, order id, currency)                                  (rc_history.c)
 *   payout files -> typed payout lines, each counted once              (rc_payouts.c)
 *   both sides per (channel, order id, currency) -> one primary status (rc_match.c)
 *   -> payout_lines.csv, reconciliation.csv, payouts.csv, open_items.csv, fees.csv,
 *      exceptions.csv, reconcile_summary.json, manifest.json           (rc_write.c)
 *
 * One thread: a year of payouts is a few hundred MB read once; the outputs are sorted, so
 * they do not depend on anything but the inputs and --as-of. */
#ifndef ENG_RECONCILE_H
#define ENG_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct eng_reconcile_args {
    const char **history; /* run or reconcile folders, or their files */
    size_t n_history;
    const char **payouts;
    size_t n_payouts;
    const char *policy;        /* NULL: defaults */
    const char *payout_format; /* NULL or "auto": by header; a layout name or map:FILE */
    const char **payout_maps;  /* --payout-map: more layouts recognised by header */
    size_t n_payout_maps;
    const char *out;
    int32_t as_of; /* days since 1970 (UTC) */
    unsigned file_mode;
    int quiet;
    int progress; /* --progress: progress on stderr even when it is no terminal */
} eng_reconcile_args;

/* Exit code: 0 written, 1 I/O or memory, 2 usage (DIR exists), 3 input refused. */
int eng_reconcile_main(const eng_reconcile_args *a);

#endif
