/* The policy file: `key = value` lines, `#` starts a comment, blank lines ignored.
 *
 * Keys and defaults (SPEC):
 *   allocation          = ship_complete | partial
 *   max_error_rate      = 0.05     share of a file's rows with bad-row codes, 0..1
 *   return_window_days  = 30       whole days, >= 0
 *   restocking_fee_pct  = 0        decimal percent, 0..100
 *   warehouse_order     =          comma list of warehouse names
 *   route.CC | route.CC-REGION | route.CC:PREFIX | route.default
 *                       =          warehouses for orders shipping there (issue 14)
 *   route_mode          = prefer   prefer: the route's list, then the others; only: the list
 *   channel_warehouses.CHANNEL | channel_warehouses.default
 *                       =          the warehouses a channel's orders may ship from
 *   split               = line     line | fewest | single: how many warehouses an order uses
 *   max_split           =          at most N warehouses per order (1 under split = single)
 *   reserve.CHANNEL.SKU | reserve.CHANNEL.*
 *                       =          N units or P% per SKU and warehouse kept for a channel
 *   cap.CHANNEL.SKU | cap.CHANNEL.*
 *                       =          at most N units or P% of a SKU's free stock to a channel
 *   reserve_release     = keep     keep | second_pass: open orders try again without reserves
 *   cutoff              =          HH:MM on the run date: later orders wait (issue 14)
 *   cutoff_offset       = +00:00   the cut-off's zone, as an offset from UTC (±HH:MM)
 *   shortage_rule       = rank     rank | proportional: who gets a short warehouse's units
 *   min_fill_line_pct   = 0        a line shipping less of its units waits (0..100, 2 decimals)
 *   min_fill_order_pct  = 0        the same for an order's units
 *   payout_due_days.CHANNEL | payout_due_days.default
 *                       = 14       days after the first slip a channel pays (reconcile)
 *   refund_due_days.CHANNEL | refund_due_days.default
 *                       = 14       days after the ledger a channel refunds (reconcile)
 *   reconcile_tolerance_minor = 0  minor units an amount may differ and still match
 *   payout_channel.LAYOUT         the channel a payout layout's lines are for (reconcile)
 *   payout_order_prefix.LAYOUT    what to take off the front of its order references
 * An unknown key, a key given twice, or a bad value refuses the run; warehouse names the
 * inventory lacks are refused once it is loaded (engine/setup/policy_refs). */
#ifndef FMT_POLICY_H
#define FMT_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "../engine/core/err.h"
#include "num.h"
#include "source.h"

typedef enum fmt_allocation { FMT_ALLOC_SHIP_COMPLETE, FMT_ALLOC_PARTIAL } fmt_allocation;

/* How an order's lines are spread over its warehouses (README, "Split shipments"). */
typedef enum fmt_split { FMT_SPLIT_LINE, FMT_SPLIT_FEWEST, FMT_SPLIT_SINGLE } fmt_split;

/* Sets of warehouses split = fewest tries per order at most: a count, so that the result
 * never depends on the machine's speed. */
#define FMT_SPLIT_MAX_SETS 4096

/* Who gets the units of a warehouse that cannot serve every line asking (README,
 * "Shortage rules"). */
typedef enum fmt_shortage { FMT_SHORTAGE_RANK, FMT_SHORTAGE_PROPORTIONAL } fmt_shortage;

typedef enum fmt_route_kind {
    FMT_ROUTE_DEFAULT,
    FMT_ROUTE_COUNTRY,
    FMT_ROUTE_REGION,
    FMT_ROUTE_POSTAL
} fmt_route_kind;

/* A key naming a list of warehouses: a route (route.*) or a channel's warehouses
 * (channel_warehouses.*). */
typedef struct fmt_wh_rule {
    char *key;       /* the key as written, for messages */
    int kind;        /* routes: fmt_route_kind; channels: 1 for .default, else 0 */
    char country[3]; /* routes but the default: the country, upper case */
    char *match;     /* routes: the region, or the postal prefix without blanks, upper case
                        (as fmt_policy_folded_match compares); channels: the channel ("" for
                        .default) */
    char **names;    /* the warehouses, in order; may be none */
    size_t n_names;
    uint64_t line;
} fmt_wh_rule;

/* A reserve.* or cap.* key: a share of a SKU's stock for one channel (README, "Reserves
 * and caps"). */
typedef struct fmt_share_rule {
    char *key;      /* as written, for messages */
    char *channel;  /* unquoted */
    char *sku;      /* NULL for `*` */
    int pct;        /* amount is hundredths of a percent (12.5% -> 1250), else units */
    int64_t amount;
    uint64_t line;
} fmt_share_rule;

/* A payout_due_days.* or refund_due_days.* key (issue 16). */
typedef struct fmt_days_rule {
    char *channel; /* "" for .default */
    int64_t days;
    uint64_t line;
} fmt_days_rule;

#define FMT_DUE_DAYS_DEFAULT 14

/* A payout_channel.* or payout_order_prefix.* key (issue 16). */
typedef struct fmt_text_rule {
    char *layout; /* a payout layout's name */
    char *value;
    uint64_t line;
} fmt_text_rule;

typedef struct fmt_policy {
    fmt_allocation allocation;
    int64_t max_error_rate_ppm; /* millionths: 0.05 -> 50000 */
    int64_t return_window_days;
    fmt_dec restocking_fee_pct;
    char **warehouse_order; /* owned; n_warehouse_order names */
    size_t n_warehouse_order;
    uint64_t warehouse_order_line; /* where the file sets it (for messages), 0 if unset */
    int32_t cutoff_min;            /* minutes after midnight; -1: no cut-off */
    int32_t cutoff_offset_min;     /* minutes east of UTC, -840..840 */
    int cutoff_offset_set;         /* the file gives cutoff_offset (the manifest says so) */
    fmt_wh_rule *routes;           /* route.* keys in file order */
    size_t n_routes;
    int route_only;        /* route_mode = only */
    int route_mode_set;    /* the file gives route_mode (the manifest says so) */
    fmt_wh_rule *channels; /* channel_warehouses.* keys in file order */
    size_t n_channels;
    fmt_split split;
    int split_set;     /* the file gives split (the manifest says so) */
    uint32_t max_split; /* 0: no cap (the file gives none) */
    fmt_share_rule *reserves; /* reserve.* keys in file order */
    size_t n_reserves;
    fmt_share_rule *caps; /* cap.* keys in file order */
    size_t n_caps;
    int second_pass;       /* reserve_release = second_pass */
    int reserve_release_set; /* the file gives reserve_release (the manifest says so) */
    fmt_shortage shortage;
    int shortage_set; /* the file gives shortage_rule (the manifest says so) */
    /* min_fill_*_pct in hundredths of a percent (12.5 -> 1250); -1: not given (0) */
    int32_t min_fill_line_bp, min_fill_order_bp;
    fmt_days_rule *payout_due; /* payout_due_days.* keys in file order */
    size_t n_payout_due;
    fmt_days_rule *refund_due; /* refund_due_days.* keys in file order */
    size_t n_refund_due;
    int64_t reconcile_tolerance_minor;
    fmt_text_rule *payout_channel; /* payout_channel.* keys */
    size_t n_payout_channel;
    fmt_text_rule *order_prefix; /* payout_order_prefix.* keys */
    size_t n_order_prefix;
} fmt_policy;

/* The value a payout_channel.* or payout_order_prefix.* key gives layout, NULL none. */
const char *fmt_policy_layout_text(const fmt_text_rule *rules, size_t n, const char *layout);

/* The days a channel has to pay (payout_due_days) or refund (refund_due_days): its own key,
 * else the .default key, else FMT_DUE_DAYS_DEFAULT. */
int64_t fmt_policy_due_days(const fmt_days_rule *rules, size_t n, const char *channel, size_t len);

/* Whether s, folded as route keys are (trimmed, ASCII upper case, and with drop_blanks,
 * for postal codes, without blanks), equals key (prefix 0) or starts with it (prefix 1;
 * postal prefixes): how routes compare an order's ship-to with their keys, for values of
 * any length. */
int fmt_policy_folded_match(const char *s, size_t len, const char *key, int drop_blanks,
                            int prefix);

/* The cut-off as an instant, in ns since 1970 UTC, for a run date in days since 1970:
 * orders with an order_time after it wait for tomorrow. INT64_MAX without a cut-off. */
int64_t fmt_policy_cutoff_ns(const fmt_policy *p, int32_t run_date);

/* "HH:MM" of minutes after midnight, and "+HH:MM" or "-HH:MM" of an offset, as the
 * policy file writes them (dst holds at least 7 bytes). */
void fmt_policy_format_hhmm(char *dst, int32_t minutes, int with_sign);

/* The units a share rule gives out of `of` free units: N, or P% of them rounded down (a
 * cap) or up (round_up: a reserve), in integer arithmetic. */
int64_t fmt_share_units(const fmt_share_rule *r, int64_t of, int round_up);

/* Fill p with SPEC's defaults. */
void fmt_policy_defaults(fmt_policy *p);

/* Read the policy file at path over the defaults in p. ENG_REFUSED (with line and key in
 * err) for a bad file, ENG_NOMEM. On failure p keeps only defaults. The file is read
 * once; info (may be NULL) gets the bytes, SHA-256 and final line end of exactly what was
 * parsed. */
eng_rc fmt_policy_load(const char *path, fmt_policy *p, fmt_input_info *info, eng_err *err);

/* Parse policy text already in memory (for tests and the fuzzer); path names it in
 * errors. */
eng_rc fmt_policy_parse(const char *path, const char *text, size_t len, fmt_policy *p,
                        eng_err *err);

/* Free what p owns; p is left with defaults. */
void fmt_policy_release(fmt_policy *p);

/* Name of a split mode as written in the file. */
const char *fmt_policy_split_name(fmt_split s);

/* The most warehouses one order may ship from: max_split, 1 under split = single, and
 * otherwise n (the order's own list). */
size_t fmt_policy_split_cap(const fmt_policy *p, size_t n);

/* Whether the policy chooses warehouses per order or shares stock between channels or
 * lines (routes, channel lists, split, max_split, reserves, caps, shortage_rule =
 * proportional, a min_fill above 0): the allocation then walks every order in rank order
 * (engine/allocate). */
int fmt_policy_sources_per_order(const fmt_policy *p);

/* Whether shipped of outstanding units falls below a min_fill of bp hundredths of a
 * percent (compared exactly: shipped / outstanding < bp / 10000). Nothing shipped is not
 * below: it waits anyway. */
int fmt_policy_below_fill(int64_t shipped, int64_t outstanding, int32_t bp);

/* Name of an allocation policy as written in the file. */
const char *fmt_policy_allocation_name(fmt_allocation a);

#endif
