/* Matching: payout lines to orders, and each order's verdict. */
#ifndef ENG_RC_MATCH_H
#define ENG_RC_MATCH_H

#include "rc_int.h"

/* The primary statuses, in the order the first that applies wins. */
typedef enum rc_status {
    RC_ST_CHARGEBACK,
    RC_ST_DUPLICATE_PAYMENT,
    RC_ST_CURRENCY_DIFFERS,
    RC_ST_PAID_NOT_SHIPPED,
    RC_ST_REFUNDED_NOT_IN_LEDGER,
    RC_ST_REFUND_AMOUNT_DIFFERS,
    RC_ST_LEDGER_REFUND_NOT_SEEN,
    RC_ST_AMOUNT_DIFFERS,
    RC_ST_SHIPPED_NOT_PAID,
    RC_ST_MARKETPLACE_FULFILLED,
    RC_ST_MATCHED,
    RC_ST_COUNT
} rc_status;

extern const char *const eng_rc_status_names[RC_ST_COUNT];

/* The components of what an order is paid: its items, shipping, tax, and promotions
 * (its discount, negative). */
enum { RC_C_ITEMS, RC_C_SHIPPING, RC_C_TAX, RC_C_PROMOTION, RC_C_COUNT };

typedef struct rc_verdict {
    rc_status primary;
    unsigned all;     /* bit per status that applies (primary included) */
    const char *code; /* PENDING, OVERDUE; why paid but not shipped; NULL none */
    __int128 exp[RC_C_COUNT];
    __int128 expected, paid, difference;
    __int128 refund_expected, refund_paid;
    __int128 fees, withheld;
    __int128 open; /* what is open, signed: money the marketplace owes is negative */
    int32_t since; /* the day the item is open from */
} rc_verdict;

/* 1 for a line type that is part of an order's price (sale, shipping, tax, promotion). */
int eng_rc_sale_side(fmt_ptype t);

/* Attribute every payout line that names an order to (channel, order, currency) and sum
 * it there; group the lines by order (rc->by_order). ENG_NOMEM. */
eng_rc eng__rc_attribute(rc_state *rc);

void eng__rc_judge(const rc_state *rc, const rc_order *o, rc_verdict *v);

/* 1 when a status leaves the order among the open items. */
int eng_rc_open(rc_status s);

/* What rc_write counted in the rows it wrote (reconcile_summary.json's figures). */
typedef struct rc_totals {
    uint64_t by_status[RC_ST_COUNT];
    uint64_t open, ageing[4];
    uint64_t unattributed, unclassified;
} rc_totals;

/* ---- rc_page.c ---- */
/* report.html of the reconcile folder, after its CSV files (some read back) and
 * reconcile_summary.json; its name, size and SHA-256 into *file. */
eng_rc eng__rc_page_write(const rc_state *rc, const rc_totals *t, uint64_t inconsistent,
                          eng_outdir *od, rc_input *file, eng_err *err);

#endif
