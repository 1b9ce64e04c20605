/* The replay's state and its steps (vreplay.c), shared with the decisions taken after
 * every order's turn (vlate.c). Internal to engine/verify. */
#ifndef ENG_VREPLAY_H
#define ENG_VREPLAY_H

#include "verify_int.h"

/* One take of stock, so that an order can give back all it took. */
typedef struct take {
    uint32_t slot, sku;
    int who;
    int64_t qty, from_reserve;
} take;

typedef struct part {
    uint32_t slot;
    int64_t qty;
} part;

/* reserve_release = second_pass: an order the first pass left open, and its parts. */
typedef struct held {
    const eng_vorder *o;
    size_t first, n; /* its parts in replay.held_parts */
} held;

typedef struct held_part {
    uint32_t line, slot;
    int64_t qty;
} held_part;

typedef struct replay {
    eng_vrun *v;
    size_t nc;
    int64_t *free_units; /* per slot */
    int64_t *kept;       /* slot x nc: reserves left */
    int64_t *kept_total; /* per slot */
    int64_t *cap_left;   /* sku x nc, -1: no cap */
    int64_t *shipped_at; /* slot x nc: what the channel's standing takes ship from it */
    int released;        /* reserve_release = second_pass let the reserves go */
    take *log;           /* the current order's takes */
    size_t n_log, cap_log;
    uint32_t *ranks; /* the current order's warehouses */
    uint8_t *used;   /* by warehouse rank: the current order ships from it */
    size_t n_used;
    part *mine; /* per line of the current order: up to n_warehouses + 1 parts */
    uint32_t *n_mine;
    size_t lines_cap;
    int failed;
    size_t n_orders;
    held *held;
    size_t n_held, cap_held;
    held_part *held_parts;
    size_t n_held_parts, cap_held_parts;
} replay;

/* Units channel who may take now from slot of sku. */
int64_t eng__replay_room(const replay *p, uint32_t slot, uint32_t sku, int who);
/* Take them (from who's reserve there first, off its cap), logged for a give-back. */
void eng__replay_take(replay *p, uint32_t slot, uint32_t sku, int who, int64_t qty);
/* Add qty from slot to line (index in the order) of the current order's parts. */
void eng__replay_add_part(replay *p, uint32_t line, uint32_t slot, int64_t qty);
/* Whether a line is ours to ship tonight. */
int eng__replay_ours(const eng_vline *ln);
/* Up to want units of line i from what each of p->ranks[0..n) has, in that order; with
 * capped, a new warehouse only while the order uses fewer than cap. */
void eng__replay_take_units(replay *p, uint32_t i, const eng_vline *ln, int64_t want, size_t n,
                            size_t cap, int capped, int who);
/* Start order o's turn with no parts; walk it under the policy at its turn. */
void eng__replay_begin(replay *p, const eng_vorder *o);
void eng__replay_walk(replay *p, const eng_vorder *o);
/* Room in p->mine for o's lines. ENG_NOMEM. */
eng_rc eng__replay_fit_lines(replay *p, const eng_vorder *o);
/* Report each line of o whose parts in p->mine differ from its slips' (got: room for
 * n_warehouses + 1 parts); returns whether any did. */
int eng__replay_report(replay *p, const eng_vorder *o, part *got);

/* Under shortage_rule = proportional or a min_fill (vlate.c): decide the ranked orders
 * orders[0..n) with every pass, then compare each with its slips. ENG_NOMEM. */
eng_rc eng__replay_late(replay *p, const eng_vorder *const *orders, size_t n, part *got);

#endif
