/* Shared private declarations of slipway verify's modules (SQLite's sqliteInt.h): the
 * run as re-read from its files, and the one entry point of each check.
 *
 *   verify.c   arguments, manifest.json, hashes (invariant 6), loading every file
 *   vstock.c   invariants 1 and 2 from inventory (before and after), slips, ledger
 *   vorders.c  invariant 3 from the orders files, order_status.csv and exceptions.csv
 *   vmoney.c   invariant 4 from slips, order_status.csv, the ledger and history slips
 *   vhist.c    invariant 5 from history slips and ledgers, tonight's slips and ledger
 *
 * Nothing here comes from the engine's allocation, order or output code: every figure is
 * recounted from the files, so a bug there cannot restate itself as a holding invariant. */
#ifndef ENG_VERIFY_INT_H
#define ENG_VERIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/policy.h"
#include "vjson.h"
#include "vmap.h"
#include "vreport.h"
#include "vtable.h"

/* Column indexes of the tables verify loads (the want lists are in verify.c). */
enum {
    SL_SLIP_NO,
    SL_ORDER_ID,
    SL_SKU,
    SL_QTY,
    SL_UNIT_PRICE,
    SL_LINE_AMOUNT,
    SL_CURRENCY,
    SL_WAREHOUSE,
    SL_COUNT
};
enum { ST_ORDER_ID, ST_STATUS, ST_LINES, ST_UNITS, ST_AMOUNT, ST_CURRENCY, ST_CODE, ST_COUNT };
enum { EX_SOURCE, EX_LINE, EX_RECORD_ID, EX_CODE, EX_COUNT };
enum { IV_SKU, IV_WAREHOUSE, IV_ON_HAND, IV_SAFETY_STOCK, IV_COUNT };
enum {
    LG_RETURN_NO,
    LG_REQUEST_ID,
    LG_ORDER_ID,
    LG_SKU,
    LG_QTY,
    LG_RESOLUTION,
    LG_DECISION,
    LG_CODE,
    LG_REFUND,
    LG_CURRENCY,
    LG_RESTOCK_QTY,
    LG_WAREHOUSE,
    LG_STATUS,
    LG_COUNT
};

/* One input of the run: what verify reads, and what the manifest recorded. */
typedef struct eng_vinput {
    const char *role;     /* "catalog", "orders"...; borrowed from the manifest or static */
    char *path;           /* the file verify reads */
    const char *recorded; /* the path as the run was given it (exceptions.csv's source) */
    const char *sha256;   /* manifest's, or NULL when the manifest has no entry for it */
} eng_vinput;

typedef struct eng_vrun {
    const char *dir;
    eng_vreport *report;
    eng_vjson *manifest;
    eng_vjson *summary; /* NULL when unreadable */
    eng_vinput *inputs;
    size_t n_inputs;
    /* Outputs; each NULL when it could not be read (already reported). */
    eng_vtable *slips;
    eng_vtable *status;
    eng_vtable *exceptions;
    eng_vtable *inventory;
    eng_vtable *ledger;
    /* Inputs. */
    eng_vtable *inventory_before;
    eng_vtable **hist_slips;
    size_t n_hist_slips;
    eng_vtable **hist_ledgers;
    size_t n_hist_ledgers;
    int history_given;
    fmt_policy policy;
    /* Filled by the orders check for the history check: units ordered per order id and
     * SKU ("id\x1fsku"), from the first file holding the id. NULL when unknown. */
    eng_vmap *ordered;
    int64_t *ordered_qty;
} eng_vrun;

/* Each check records its findings in v->report and returns ENG_OK, or ENG_NOMEM. */
eng_rc eng__verify_stock(eng_vrun *v);
eng_rc eng__verify_orders(eng_vrun *v);
eng_rc eng__verify_money(eng_vrun *v);
eng_rc eng__verify_history(eng_vrun *v);

/* Amount text in minor units of currency code cur: 0 with *out set, -1 when the code is
 * unknown or the text is not a plain decimal with at most the currency's digits. */
int eng__verify_minor(const char *amount, const char *cur, int64_t *out);

/* arr (n elements of elem bytes, *cap of them) grown so that index fits, doubling from
 * first, the new elements zeroed: the new array (*cap updated), or NULL when out of
 * memory (arr is then unchanged). For arrays indexed by eng_vmap ids. */
void *eng__verify_fit(void *arr, size_t *cap, size_t index, size_t elem, size_t first);

/* A whole number >= 0 from text ("" is 0 when blank_is_zero): 0 with *out set, or -1. */
int eng__verify_count(const char *s, int blank_is_zero, int64_t *out);

/* A whole number, optionally signed: 0 with *out set, or -1. */
int eng__verify_int_text(const char *s, int64_t *out);

/* Up to max line numbers of a list as ", "-separated text into dst ("4, 9, 12 and 3
 * more"). */
void eng__verify_lines(char *dst, size_t cap, const uint64_t *lines, size_t n);

#endif
