/* Shared private declarations of slipway verify's modules (SQLite's sqliteInt.h): the
 * run as re-read from its files, and the one entry point of each check.
 *
 *   verify.c   arguments, manifest.json, hashes and the set of outputs (invariant 6),
 *              refusing special files, loading every file but history
 *   vorders.c  tonight's orders files read again into orders and lines (the model every
 *              later check compares against); invariant 3
 *   vhist.c    history streamed once for what tonight needs; invariant 5
 *   vstock.c   the stock slots (inventory before and after, slips, restocks); 1 and 2
 *   vmoney.c   invariant 4 from slips, order_status.csv, the ledger and history
 *   vtotals.c  invariant 4 for order_totals.csv and summary.json's by_channel
 *   vslips.c   check 7: every slip line against its order's row or its exchange
 *   vstatus.c  check 8: statuses, their figures, what could have shipped, backorders
 *   vpick.c    check 9: the pick list and the alerts recounted
 *
 * Nothing here comes from the engine's allocation, order or output code: every figure is
 * recounted from the files, so a bug there cannot restate itself as a holding invariant.
 * Per-order structures are keyed on the pair (channel, order id), the channel being the
 * order's resolved channel value (blank allowed). */
#ifndef ENG_VERIFY_INT_H
#define ENG_VERIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/buf.h"
#include "../../formats/canon.h"
#include "../../formats/policy.h"
#include "../../formats/json.h"
#include "../base/vmap.h"
#include "vreport.h"
#include "vtable.h"

/* Checks beyond SPEC's six invariants, numbered after them in the report. */
enum { ENG_VCHECK_SLIPS = 7, ENG_VCHECK_STATUS = 8, ENG_VCHECK_PICK = 9 };

/* Column indexes of the tables verify loads (the want lists are in verify.c). */
enum {
    SL_SLIP_NO,
    SL_ORDER_ID,
    SL_CHANNEL,
    SL_LINE_NO,
    SL_SKU,
    SL_NAME,
    SL_QTY,
    SL_UNIT_PRICE,
    SL_LINE_AMOUNT,
    SL_CURRENCY,
    SL_WAREHOUSE,
    SL_BIN,
    SL_SHIP_NAME, /* ... SL_SHIP_SERVICE: the order's ship-to, in FMT_COL_SHIP_* order */
    SL_SHIP_STREET,
    SL_SHIP_CITY,
    SL_SHIP_REGION,
    SL_SHIP_POSTAL,
    SL_SHIP_COUNTRY,
    SL_SHIP_SERVICE,
    SL_SHIP_DATE,
    SL_COUNT
};
enum {
    ST_ORDER_ID,
    ST_CHANNEL,
    ST_STATUS,
    ST_LINES,
    ST_UNITS,
    ST_AMOUNT,
    ST_CURRENCY,
    ST_CODE,
    ST_COUNT
};
enum { EX_SOURCE, EX_LINE, EX_RECORD_ID, EX_CODE, EX_COUNT };
enum {
    RT_RANK,
    RT_ORDER_ID,
    RT_CHANNEL,
    RT_STATUS,
    RT_ROUTE,
    RT_CANDIDATES,
    RT_CHOSEN,
    RT_SKIPPED,
    RT_COUNT
};
enum {
    IV_SKU,
    IV_WAREHOUSE,
    IV_ON_HAND,
    IV_REORDER_POINT,
    IV_REORDER_QTY,
    IV_SAFETY_STOCK,
    IV_COUNT
};
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
    LG_CHANNEL, /* optional: a ledger of an older slipway has none */
    LG_COUNT
};
/* backorders.csv: the canonical order columns ORDER_ID..DISCOUNT (indexes equal to
 * fmt_col's), then these. */
enum { BO_LINE_NO = FMT_COL_DISCOUNT + 1, BO_OPEN_QTY, BO_CODE, BO_LINE_AMOUNT, BO_COUNT };
enum { PK_WAREHOUSE, PK_BIN, PK_SKU, PK_NAME, PK_QTY, PK_SLIPS, PK_COUNT };
enum {
    AL_SKU,
    AL_WAREHOUSE,
    AL_ON_HAND,
    AL_REORDER_POINT,
    AL_DEMAND,
    AL_SHORTFALL,
    AL_SUGGESTED,
    AL_CODE,
    AL_COUNT
};
enum { CT_SKU, CT_NAME, CT_STATUS, CT_CURRENCY, CT_BIN, CT_COUNT };
enum {
    OT_ORDER_ID,
    OT_CHANNEL,
    OT_CURRENCY,
    OT_ITEMS,
    OT_SHIPPING,
    OT_TAX,
    OT_DISCOUNT,
    OT_ORDER_TOTAL,
    OT_MARKETPLACE_TAX,
    OT_PAYMENT_GATEWAY,
    OT_STATUS,
    OT_SHIP_DATE,
    OT_COUNT
};

#define ENG_VNONE UINT32_MAX

/* One input of the run: what verify reads, and what the manifest recorded. */
typedef struct eng_vinput {
    const char *role;     /* "catalog", "orders"...; borrowed from the manifest or static */
    char *path;           /* the file verify reads */
    const char *recorded; /* the path as the run was given it (exceptions.csv's source) */
    const char *sha256;   /* manifest's, or NULL when the manifest has no entry for it */
    int refused;          /* not a regular file: never opened (reported as unreadable) */
    int backorders;       /* orders: the header has open_qty (slipway's backorders.csv) */
    int unreadable;       /* could not be read whole (already named once, as unreadable) */
    uint32_t no_column;   /* orders: bit (1 << fmt_col) per value its layout has no column
                             for in this file (the Amazon All Orders report's ship-to) */
} eng_vinput;

/* A line of an order as the orders files give it: one per distinct row with a SKU that
 * no later row of the same marketplace line replaces (README "How order rows are read"). */
typedef struct eng_vline {
    int64_t ordered;      /* units ordered; 0 when qty is unreadable */
    int64_t open_qty;     /* the row's open_qty (a fed-back backorder), -1 when blank */
    int64_t unit_minor;   /* unit price in minor units: the stated one, or a stated line
                             total / ordered rounded half up */
    int64_t amount_minor; /* the amount of all ordered units (0 when unknown) */
    int64_t before;       /* units of it that history slips shipped */
    int64_t outstanding;  /* units to ship tonight: ordered - before, at most open_qty */
    int64_t shipped;      /* units tonight's slips ship of it (vslips.c) */
    int32_t first_part;   /* first slips.csv row shipping it, -1 none (vslips.c) */
    uint32_t sku;         /* id in v->skus */
    uint32_t pair_sku;    /* id in v->pair_skus: channel, order id and SKU */
    uint32_t line_no;     /* 1-based among the order's lines */
    uint64_t src_line;    /* physical line of its row */
    uint8_t line_state;   /* fmt_state: the marketplace's line, not ours to ship */
    uint8_t flags;        /* ENG_VL_* */
} eng_vline;

enum {
    ENG_VL_QTY_OK = 1,     /* qty is a whole number >= 1 */
    ENG_VL_LINE_TOTAL = 2, /* the row states the line's total, not its unit price */
    ENG_VL_PRICED = 4,     /* unit_minor and amount_minor are known */
};

/* An order: all rows of one orders file sharing an order id. */
typedef struct eng_vorder {
    uint64_t line;         /* physical line of its first row */
    uint64_t fault_line;   /* lowest line with a rejecting exception of it, 0 for none */
    uint64_t fault_codes;  /* bit (1 << eng_code) for each such code at fault_line */
    int64_t units;         /* order_status figures of an order that ships nothing: */
    int64_t amount_minor;  /* units and amount ordered */
    uint32_t key;          /* id in v->order_keys */
    uint32_t head;         /* resolved order-level values: id in v->heads */
    uint32_t pair;         /* id in v->pairs: channel and order id */
    uint32_t next_in_pair; /* the order of the same pair in a later file, ENG_VNONE none */
    uint32_t file;         /* index into v->inputs */
    uint32_t first_line;   /* its lines are v->lines[first_line, first_line + n_lines) */
    uint32_t n_lines;
    int32_t status_row; /* its row of order_status.csv, -1 none (vstatus.c) */
    uint32_t slip_rows; /* slips.csv rows naming it (vslips.c) */
    uint32_t slip_whs;  /* of its allowed warehouses, how many its slips ship from (vslips.c,
                           routed policies only) */
    int16_t currency;   /* fmt currency index, -1 unknown */
    uint8_t state;      /* fmt_state the marketplace gives the whole order */
    uint8_t flags;      /* ENG_VO_* */
    uint8_t aside_code; /* a copy set aside: the eng_code its rows must carry */
} eng_vorder;

enum {
    ENG_VO_RESENT = 1,   /* a copy of its pair that another copy goes on instead of */
    ENG_VO_REJECTED = 2, /* exceptions.csv rejects it (a rejecting code on one of its rows) */
    ENG_VO_ESCAPED = 4,  /* its id held invalid UTF-8 and is shown escaped */
};

/* A SKU and warehouse slot of the stock (vstock.c). */
typedef struct eng_vslot {
    int64_t before; /* input inventory */
    int64_t safety;
    int64_t reorder_point;
    int64_t reorder_qty;
    int64_t shipped;   /* on tonight's slips, exchanges included */
    int64_t restocked; /* returns_ledger.csv restock_qty */
    int64_t after;     /* inventory.csv */
    uint64_t after_line;
    uint32_t sku;         /* id in v->skus */
    uint32_t wh;          /* warehouse rank: index into v->warehouses */
    uint32_t next_of_sku; /* the SKU's next slot in warehouse order, ENG_VNONE none */
    unsigned in_before : 1, in_after : 1;
} eng_vslot;

typedef struct eng_vrun {
    struct eng_progress *progress; /* the display (base/progress.h), NULL: none */
    const char *dir;
    eng_vreport *report;
    fmt_json_value *manifest;
    fmt_json_value *summary; /* NULL when unreadable */
    eng_vinput *inputs;
    size_t n_inputs;
    /* Outputs; each NULL when it could not be read (already reported). */
    eng_vtable *slips;
    eng_vtable *status;
    eng_vtable *exceptions;
    eng_vtable *inventory;
    eng_vtable *ledger;
    eng_vtable *backorders;
    eng_vtable *picklist;
    eng_vtable *alerts;
    eng_vtable *routing; /* routing.csv, under routes only */
    eng_vtable *totals;  /* order_totals.csv */
    /* Inputs (history is streamed by vhist.c, never loaded). */
    eng_vtable *inventory_before;
    eng_vtable *catalog;
    eng_vmap *catalog_skus; /* catalog SKU -> id; catalog_rows[id] its row */
    int64_t *catalog_rows;
    int history_given;
    fmt_policy policy;
    /* SKUs by id: every SKU named by the orders, the inventory or the catalog. */
    eng_vmap *skus;
    /* Tonight's orders (vorders.c); orders_read is 0 when a file could not be read. */
    int orders_read;
    eng_vorder *orders; /* by id in order_keys: file, escaped flag and id */
    size_t n_orders;
    eng_vline *lines;
    size_t n_lines;
    eng_vmap *order_keys;
    eng_vmap *heads;      /* resolved order-level values (eng__verify_head) */
    eng_vmap *pairs;      /* "channel\x1fid" */
    uint32_t *pair_first; /* by pair: its first order (earliest file) */
    eng_vmap *pair_skus;  /* "channel\x1fid\x1fsku" of every line */
    /* What history slips shipped per pair_skus id (vhist.c); NULL without history. */
    int64_t *hist_units;
    /* Per order and SKU of tonight's approved ledger rows: what history slips shipped
     * and were paid, and what earlier ledgers approved for return (vhist.c). Keys are
     * eng__verify_paid_key's: with the channel when tonight's ledger has that column. */
    eng_vmap *paid_keys;
    int paid_by_channel;
    struct eng_vpaid *paid;
    /* Per request id approved tonight: approvals in earlier ledgers (vhist.c). */
    eng_vmap *hist_requests;
    int64_t *hist_request_count;
    /* The stock (vstock.c); NULL when the inventory or the slips could not be read. */
    eng_vslot *slots;
    size_t n_slots;
    eng_vmap *slot_keys;      /* "sku\x1fwarehouse" */
    uint32_t *sku_first_slot; /* by SKU id: first slot in warehouse order, ENG_VNONE none */
    size_t cap_sku_first;
    const char **warehouses; /* by rank: the policy's warehouse_order, then by name */
    size_t n_warehouses;
    /* Ledger return numbers of exchanges: "RMA-..." (all approved rows' return_no). */
    eng_vmap *return_nos;
    /* Reserves, caps and the free units before orders (vshare.c); NULL unless routed. */
    struct eng_vshares *shares;
    /* By slips.csv row: the next row shipping the same order line, -1 none (vslips.c; a
     * line's first is its first_part). */
    int32_t *part_next;
} eng_vrun;

typedef struct eng_vpaid {
    __int128 amount;  /* history slips' line_amount */
    int64_t units;    /* history slips' qty */
    int64_t returned; /* earlier ledgers' approved qty */
    int cur;          /* currency of the history slips, -1 none */
} eng_vpaid;

/* Each check records its findings in v->report and returns ENG_OK, or ENG_NOMEM. */
eng_rc eng__verify_stock(eng_vrun *v);
eng_rc eng__verify_orders(eng_vrun *v);
eng_rc eng__verify_history_load(eng_vrun *v);
eng_rc eng__verify_outstanding(eng_vrun *v);
eng_rc eng__verify_money(eng_vrun *v);
eng_rc eng__verify_totals(eng_vrun *v);
/* verify of a `slipway reconcile` folder (vrecon.c): its exit code. */
int eng__verify_reconcile(const char *dir, int quiet);
eng_rc eng__verify_history(eng_vrun *v);
eng_rc eng__verify_slips(eng_vrun *v);
eng_rc eng__verify_status(eng_vrun *v);
eng_rc eng__verify_pick(eng_vrun *v);

/* ---- helpers shared by the checks (verify.c, vorders.c) ---- */

/* Amount text in minor units of currency code cur: 0 with *out set, -1 when the code is
 * unknown or the text is not a plain decimal with at most the currency's digits. */
int eng__verify_minor(const char *amount, const char *cur, int64_t *out);

/* Minor units v as decimal text with currency index cur's digits (none when cur < 0). */
void eng__verify_amount_text(char *dst, size_t cap, __int128 v, int cur);

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

/* Key of several values joined by ENG_VMAP_SEP into b (cleared first): 0, or -1 when out
 * of memory. */
int eng__verify_key(fmt_buf *b, const char *a, const char *c, const char *d);

/* The paid_keys key of an order's SKU into b: "channel\x1fid\x1fsku" when
 * v->paid_by_channel, else "id\x1fsku" (channel NULL: the row has no channel column, and
 * cannot match a channel key: its key is "" then). 0, or -1 when out of memory. */
int eng__verify_paid_key(const eng_vrun *v, fmt_buf *b, const char *channel, const char *id,
                         const char *sku);

/* Id of SKU text in v->skus, added when absent: ENG_VNONE when out of memory. */
uint32_t eng__verify_sku(eng_vrun *v, const char *sku, size_t len);

/* Resolved order-level value of column c (an order-level fmt_col) of order o, NUL-
 * terminated, "" when no row gives one; escaped when it was not valid UTF-8. */
const char *eng__verify_head(const eng_vrun *v, const eng_vorder *o, fmt_col c);

/* The order id of o as the run shows it, NUL-terminated. */
const char *eng__verify_order_id(const eng_vrun *v, const eng_vorder *o);

/* Routes (vroute.c): whether the policy chooses warehouses per order (routes, channel
 * lists, split, max_split: fmt_policy_sources_per_order); the
 * warehouses order o may ship from, as ranks in the order it tries them, into ranks
 * (room for v->n_warehouses), their count returned; the first slot of sku among n
 * such ranks, or ENG_VNONE. */
int eng__verify_routed(const eng_vrun *v);
size_t eng__verify_allowed(const eng_vrun *v, const eng_vorder *o, uint32_t *ranks);
/* The same for an order known by its channel and ship-to texts (an exchange's slip);
 * *route (may be NULL) gets the route key that matched, NULL for none. */
size_t eng__verify_allowed_texts(const eng_vrun *v, const char *channel, const char *country,
                                 const char *region, const char *postal, uint32_t *ranks,
                                 const fmt_wh_rule **route);

/* routing.csv against the policy, the orders and the slips (vrouting.c), under
 * invariant 8. */
eng_rc eng__verify_routing(eng_vrun *v);
uint32_t eng__verify_allowed_slot(const eng_vrun *v, uint32_t sku, const uint32_t *ranks, size_t n);

/* split = fewest or single: the first of order o's warehouses ranks[0..n) that could have
 * shipped every outstanding unit of it alone when the order was served, or ENG_VNONE.
 * Stock only goes down while orders are served, so a slot then held at least what it
 * ends the night with (eng__verify_free_end) plus what o itself took from it: line i
 * took all of its units from warehouse line_from[i] (NULL: o took nothing). left is
 * scratch by v->pair_skus id. */
uint32_t eng__verify_one_warehouse(const eng_vrun *v, const eng_vorder *o, const uint32_t *ranks,
                                   size_t n, const uint32_t *line_from, int64_t *left);

/* Reserves and caps (vshare.c): worked out again and checked (invariant 1) after the
 * stock; then the units order o's channel could still take from slot at the end of the
 * night: its free units less what other channels' reserves still keep there, and with
 * with_cap at most what the channel's cap leaves of the SKU (eng__verify_free_end
 * without reserves and caps). with_cap 0 asks for an order that shipped: under
 * reserve_release = second_pass it may have had its turn while the reserves kept all
 * they started with, so those count whole. */
typedef struct eng_vshares eng_vshares;
eng_rc eng__verify_shares(eng_vrun *v);
void eng__verify_shares_free(eng_vshares *sh);
int64_t eng__verify_room_end(const eng_vrun *v, uint32_t slot, const eng_vorder *o, int with_cap);
/* For the replay (vreplay.c), under a routed policy: the channel index of o's channel
 * among the channels reserves and caps name (-1: none of them) and their count; a slot's
 * free units before orders (after restocks and exchanges); what a reserve keeps of it for
 * channel who then; the cap of a SKU for who (-1: none). */
int eng__verify_share_who(const eng_vrun *v, const eng_vorder *o);
size_t eng__verify_share_channels(const eng_vrun *v);
int64_t eng__verify_free_start(const eng_vrun *v, uint32_t slot);
int64_t eng__verify_reserve_start(const eng_vrun *v, uint32_t slot, int who);
int64_t eng__verify_cap_start(const eng_vrun *v, uint32_t sku, int who);

/* The replay (vreplay.c), under a routed policy and invariant 8: walk routing.csv's
 * ranked orders with verify's own allocator and compare every line with the slips. */
eng_rc eng__verify_replay(eng_vrun *v);

/* Whether the policy's cut-off holds order o over to tomorrow (README, "Policy keys"):
 * its order_time is after HH:MM of the manifest's run_date in the zone of cutoff_offset.
 * Such a valid order is BACKORDERED with AFTER_CUTOFF, ships nothing and is no demand. */
int eng__verify_after_cutoff(const eng_vrun *v, const eng_vorder *o);

/* The order tonight's slips of (channel, id) belong to: the pair's order from the
 * earliest file (re-sent copies never ship), or NULL when no orders file holds it. */
eng_vorder *eng__verify_find_order(eng_vrun *v, const char *channel, const char *id);

/* Amount of the first `units` units of a line: the stated total when that is all of its
 * ordered units and the row stated a total, else units x unit price (README "Line
 * totals": part amounts are differences of this, so they add up to the total). */
__int128 eng__verify_line_amount(const eng_vline *ln, int64_t units);

/* The catalog row of a SKU (v->catalog), or -1. */
int64_t eng__verify_catalog_row(const eng_vrun *v, const char *sku);

/* The slot of (SKU, warehouse), or ENG_VNONE. */
uint32_t eng__verify_slot(const eng_vrun *v, const char *sku, const char *warehouse);

/* The first slot (in warehouse order) of the input inventory's rows of a SKU, or
 * ENG_VNONE; the next is v->slots[s].next_of_sku. */
uint32_t eng__verify_first_slot(const eng_vrun *v, uint32_t sku);

/* Free units of a slot at the end of the night: max(0, on_hand - safety_stock) before,
 * plus restocks, minus every unit shipped from it. Allocation only takes stock once the
 * restocks are in, so this is the least the slot held at any moment orders were served. */
int64_t eng__verify_free_end(const eng_vslot *s);

#endif
