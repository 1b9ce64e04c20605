/* What the reconcile stages share: the interned texts, the orders (one per channel, order
 * id and currency) with both sides' sums, the payout lines and the payouts. */
#ifndef ENG_RC_INT_H
#define ENG_RC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/payout.h"
#include "../../formats/policy.h"
#include "../base/idset.h"
#include "../base/outdir.h"
#include "../base/vmap.h"
#include "../core/arena.h"
#include "../core/err.h"
#include "reconcile.h"

#define RC_NONE   UINT32_MAX
#define RC_NO_DAY INT32_MAX

/* The payout line types an order's judgement reads, each summed per order in its own
 * slot (rc_paid_slot); the other types (reserves, the transfer...) belong to payouts. */
#define RC_PAID_TYPES(X)                                                                          \
    X(SALE)                                                                                       \
    X(SHIPPING) X(TAX) X(PROMOTION) X(REFUND) X(FEE) X(FEE_REFUND) X(ADVERTISING) X(TAX_WITHHELD) \
        X(CHARGEBACK)
enum {
#define RC_PAID_ENUM(t) RC_PAID_##t,
    RC_PAID_TYPES(RC_PAID_ENUM)
#undef RC_PAID_ENUM
        RC_PAID_COUNT
};
/* The slot of a type, -1 when an order does not sum it. */
int eng__rc_paid_slot(fmt_ptype t);

/* The order-level amounts order_totals.csv gives, bit per known one. */
enum { RC_ITEMS, RC_SHIPPING, RC_TAX, RC_DISCOUNT, RC_TOTAL, RC_AMOUNTS };

typedef struct rc_order {
    uint32_t channel, order_id, currency; /* interned */
    /* slipway's own outputs know the order from their known_seq-th row known (0: they
     * do not); known_cur: the currency they first know its channel and id in, set when
     * the orders are sorted (rc_write) */
    uint32_t known_seq, known_cur;
    uint32_t slip_refs; /* its slip rows read, a list in rc->slip_refs; RC_NONE none */
    int cur;                              /* fmt_currency index, -1 unknown code */
    /* expected: slipway's own outputs */
    __int128 shipped; /* slips' line_amount (exchange replacements aside) */
    uint32_t slip_lines;
    int32_t first_ship; /* first slip's ship_date, RC_NO_DAY none */
    int32_t totals_day; /* the night of the totals row kept (the latest), RC_NO_DAY none */
    uint32_t status;    /* that row's status (interned), RC_NONE without one */
    int64_t amount[RC_AMOUNTS];
    unsigned known;  /* bit per RC_* amount given */
    __int128 ledger; /* approved refund_amount */
    uint32_t ledger_rows;
    int32_t ledger_day; /* the first night with an approved refund, RC_NO_DAY none */
    /* actual: payout lines */
    __int128 paid[RC_PAID_COUNT]; /* by eng__rc_paid_slot */
    uint32_t lines, sale_lines; /* sale_lines: sale, shipping, tax or promotion */
    uint32_t sale_only_lines;   /* lines of type sale */
    uint32_t chargeback_lines;
    int32_t first_paid;  /* first sale-side line's date, RC_NO_DAY none */
    uint32_t line_start; /* its lines in rc->by_order[line_start, + lines) */
} rc_order;

typedef struct rc_line {
    unsigned char id[ENG_IDSET_KEY]; /* identity (README "Reconciliation"), 32 hex digits in
                                        the outputs */
    const char *txn;                 /* in rc->line_text; "" none (unique: not interned) */
    uint32_t layout, channel, payout, order_id, currency, code, source; /* interned */
    uint32_t occurrence; /* among identical lines of its payout in its file; 0 with a txn */
    uint32_t order;      /* index into orders, RC_NONE: not attributed to an order */
    uint64_t line;       /* in its source file */
    int64_t amount;      /* minor units */
    int16_t cur;
    uint8_t type; /* fmt_ptype */
    int32_t day;  /* RC_NO_DAY when the file gives none */
} rc_line;

typedef struct rc_payout {
    uint32_t layout, channel, payout, currency; /* interned */
    int cur;
    int declared; /* the file states its total */
    int64_t declared_total;
    int32_t deposit_day; /* RC_NO_DAY unknown */
    __int128 by_type[FMT_PT_COUNT];
    uint32_t lines;
    int32_t first_day, last_day;
} rc_payout;

/* An exception: a payout or history row that could not be used, named. */
typedef struct rc_exc {
    uint32_t source; /* interned path */
    uint64_t line;
    uint32_t record; /* interned record id (order id), may be "" */
    int code;        /* eng_code */
    uint32_t field;  /* interned column name */
    char *message;   /* owned */
} rc_exc;

typedef struct rc_input {
    char *path;         /* owned */
    const char *role;   /* "slips", "returns_ledger", "order_totals", "payout_lines", "payouts",
                           "policy" */
    const char *format; /* payout layout name, or "" */
    uint64_t bytes;
    char sha256[65];
    uint64_t rows, bad_rows, lines, duplicate_lines;
} rc_input;

/* A few texts recently interned at one call site (a file's payout ids, its codes): most
 * lines repeat one, and finding it here costs no probe of the whole map. */
#define RC_ICACHE 64
typedef struct rc_icache {
    uint32_t id[RC_ICACHE]; /* 0: empty (id 0 is "", never cached) */
} rc_icache;

/* The order a call site found last: consecutive rows are mostly of one order. */
typedef struct rc_ocache {
    uint32_t order; /* RC_NONE: none yet */
} rc_ocache;

typedef struct rc_state {
    const eng_reconcile_args *args;
    fmt_policy policy;
    struct eng_progress *progress; /* the display (base/progress.h), NULL: none */
    /* payout mappings: --payout-map's, then --payout-format map:FILE's (which alone is
     * used then: forced_map) */
    const fmt_payout_layout **maps;
    size_t n_maps;
    int forced_map;
    eng_vmap *text;  /* interned texts; id 0 is "" */
    eng_vmap *keys;  /* "channel\x1forder\x1fCUR" -> index into orders */
    uint32_t known_rows; /* rows that made an order known so far */
    rc_order *orders;
    size_t n_orders, cap_orders;
    eng_idset *line_ids;  /* payout line identities seen */
    eng_arena *line_text; /* the lines' transaction ids */
    rc_line *lines;
    size_t n_lines, cap_lines;
    uint32_t *by_order; /* line indexes grouped by order (rc_match) */
    rc_payout *payouts;
    size_t n_payouts;
    rc_icache order_texts; /* orders' channels and currencies */
    /* A slip row (slip number and line) counts once per order: each order keeps the ones
     * read, a short list (an order has a few slips), so no map of every row is needed. */
    struct rc_slip_ref {
        const char *key; /* "slip_no\x1fline_no", in line_text */
        uint32_t len, next;
    } * slip_refs;
    size_t n_slip_refs, cap_slip_refs;
    eng_vmap *ledger_keys; /* "return_no\x1forder": an approved ledger row counted once */
    eng_vmap *return_nos; /* approved ledger rows counted once; exchange order ids */
    rc_exc *exc;
    size_t n_exc, cap_exc;
    rc_input *inputs;
    size_t n_inputs, cap_inputs;
    uint64_t slip_rows; /* history slip rows counted */
    int32_t last_night; /* the latest ship date of a slip, RC_NO_DAY none */
} rc_state;

/* ---- rc_state.c ---- */
uint32_t eng__rc_intern(rc_state *rc, const char *s, size_t len); /* RC_NONE: no memory */
uint32_t eng__rc_intern_cached(rc_state *rc, rc_icache *c, const char *s, size_t len);
const char *eng__rc_text(const rc_state *rc, uint32_t id);
size_t eng__rc_text_len(const rc_state *rc, uint32_t id);
/* The order of (channel, order id, currency), created when new; RC_NONE when out of
 * memory. */
uint32_t eng__rc_order(rc_state *rc, const char *channel, size_t channel_len, const char *id,
                       size_t id_len, const char *cur, size_t cur_len);
/* eng__rc_order through the call site's cache c. */
uint32_t eng__rc_order_cached(rc_state *rc, rc_ocache *c, const char *channel, size_t channel_len,
                              const char *id, size_t id_len, const char *cur, size_t cur_len);
/* Attribute line l (its order_id text given) to its order: sets l->order and l->order_id.
 * A payout's own line (the transfer, or no order named) stays unattributed. -1 out of
 * memory. */
int eng__rc_attach(rc_state *rc, rc_ocache *c, rc_line *l, const char *order_id, size_t len);
/* A new line at the end of rc->lines (zeroed), the array grown geometrically; NULL when
 * out of memory. */
rc_line *eng__rc_new_line(rc_state *rc);

/* Note that slipway's own outputs know order o (in its currency). */
void eng__rc_known(rc_state *rc, uint32_t o);
/* Whether order o has a slip row of key ("slip_no\x1fline_no") already, noting it when
 * not: 1 seen, 0 new, -1 out of memory. */
int eng__rc_slip_seen(rc_state *rc, uint32_t o, const char *key, size_t len);
eng_rc eng__rc_exception(rc_state *rc, const char *source, uint64_t line, const char *record,
                         size_t record_len, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
rc_input *eng__rc_input(rc_state *rc, const char *path, const char *role);
/* A decimal text in minor units of currency cur: 0, or -1 when it is not one. */
int eng__rc_minor(const char *text, size_t len, int cur, int64_t *out);
void eng__rc_money_text(char *dst, size_t cap, __int128 v, int cur);
/* A line identity as 32 lowercase hex digits (no NUL) into hex; and back, -1 when text is
 * not 32 hex digits. */
void eng__rc_hex(const unsigned char id[ENG_IDSET_KEY], char hex[32]);
int eng__rc_unhex(const char *text, size_t len, unsigned char id[ENG_IDSET_KEY]);

/* ---- rc_history.c ---- */
eng_rc eng__rc_read_history(rc_state *rc, eng_err *err);

/* ---- rc_payouts.c ---- */
eng_rc eng__rc_read_payouts(rc_state *rc, eng_err *err);

/* ---- rc_write.c ---- */
eng_rc eng__rc_write(rc_state *rc, eng_outdir *od, eng_err *err);

#endif
