/* Both sides per (channel, order id, currency): which payout lines are an order's, what
 * it should have been paid and refunded, and its one primary status (README
 * "Reconciliation"), the first that applies of:
 *
 *   CHARGEBACK, DUPLICATE_PAYMENT, CURRENCY_DIFFERS, PAID_NOT_SHIPPED,
 *   REFUNDED_NOT_IN_LEDGER, REFUND_AMOUNT_DIFFERS, LEDGER_REFUND_NOT_SEEN, AMOUNT_DIFFERS,
 *   SHIPPED_NOT_PAID, MARKETPLACE_FULFILLED, MATCHED
 *
 * and the others that also apply as flags. Fees, withheld tax, reserves and the like are
 * kept apart from the sale: they are the marketplace's charges, not the order's price. */
#include <stdlib.h>
#include <string.h>

#include "rc_match.h"

const char *const eng_rc_status_names[RC_ST_COUNT] = {"CHARGEBACK",
                                                      "DUPLICATE_PAYMENT",
                                                      "CURRENCY_DIFFERS",
                                                      "PAID_NOT_SHIPPED",
                                                      "REFUNDED_NOT_IN_LEDGER",
                                                      "REFUND_AMOUNT_DIFFERS",
                                                      "LEDGER_REFUND_NOT_SEEN",
                                                      "AMOUNT_DIFFERS",
                                                      "SHIPPED_NOT_PAID",
                                                      "MARKETPLACE_FULFILLED",
                                                      "MATCHED"};

int eng_rc_sale_side(fmt_ptype t)
{
    return t == FMT_PT_SALE || t == FMT_PT_SHIPPING || t == FMT_PT_TAX || t == FMT_PT_PROMOTION;
}

eng_rc eng__rc_attribute(rc_state *rc)
{
    /* the readers attached each line to its order (eng__rc_attach): sum them */
    for (size_t i = 0; i < rc->n_lines; i++) {
        const rc_line *l = &rc->lines[i];
        if (l->order == RC_NONE)
            continue;
        rc_order *x = &rc->orders[l->order];
        int slot = eng__rc_paid_slot((fmt_ptype)l->type);
        if (slot >= 0)
            x->paid[slot] += l->amount;
        x->lines++;
        if (l->type == FMT_PT_CHARGEBACK)
            x->chargeback_lines++;
        if (l->type == FMT_PT_SALE)
            x->sale_only_lines++;
        if (eng_rc_sale_side((fmt_ptype)l->type)) {
            x->sale_lines++;
            if (l->day != RC_NO_DAY && (x->first_paid == RC_NO_DAY || l->day < x->first_paid))
                x->first_paid = l->day;
        }
    }
    /* lines grouped by order, in line order, for the detail and payouts columns */
    uint32_t *start = calloc(rc->n_orders + 1, sizeof *start);
    rc->by_order = malloc((rc->n_lines ? rc->n_lines : 1) * sizeof *rc->by_order);
    if (!start || !rc->by_order) {
        free(start);
        return ENG_NOMEM;
    }
    for (size_t i = 0; i < rc->n_lines; i++)
        if (rc->lines[i].order != RC_NONE)
            start[rc->lines[i].order + 1]++;
    for (size_t o = 0; o < rc->n_orders; o++) {
        start[o + 1] += start[o];
        rc->orders[o].line_start = start[o];
    }
    for (size_t i = 0; i < rc->n_lines; i++)
        if (rc->lines[i].order != RC_NONE)
            rc->by_order[start[rc->lines[i].order]++] = (uint32_t)i;
    free(start);
    return ENG_OK;
}

static __int128 abs128(__int128 v)
{
    return v < 0 ? -v : v;
}

static int status_is(const rc_state *rc, const rc_order *o, const char *name)
{
    return o->status != RC_NONE && strcmp(eng__rc_text(rc, o->status), name) == 0;
}

void eng__rc_judge(const rc_state *rc, const rc_order *o, rc_verdict *v)
{
    memset(v, 0, sizeof *v);
    __int128 tol = rc->policy.reconcile_tolerance_minor;
    int has_slips = o->slip_lines > 0;
    int sale_side = o->sale_lines > 0;
    /* What the marketplace paid for the order itself, by component. */
    v->paid = o->paid[RC_PAID_SALE] + o->paid[RC_PAID_SHIPPING] + o->paid[RC_PAID_TAX] +
              o->paid[RC_PAID_PROMOTION];
    v->refund_paid = -o->paid[RC_PAID_REFUND];
    v->refund_expected = o->ledger;
    v->fees = o->paid[RC_PAID_FEE] + o->paid[RC_PAID_FEE_REFUND] + o->paid[RC_PAID_ADVERTISING];
    v->withheld = o->paid[RC_PAID_TAX_WITHHELD];
    /* Expected: the shipped lines, and the order-level amounts where order_totals.csv
     * gives them. A component it does not know is taken as paid (not compared); a partly
     * shipped order expects its shipping (with its first slip) but not its tax or
     * discount, which belong to the whole order. */
    if (has_slips) {
        /* Shipped whole: the marketplace charges the whole order, lines it ships itself or
         * that need no shipping (a gift card) included. */
        int full = (o->known & (1u << RC_ITEMS)) &&
                   (status_is(rc, o, "SHIPPED") || o->shipped == o->amount[RC_ITEMS]);
        v->exp[RC_C_ITEMS] = full ? o->amount[RC_ITEMS] : o->shipped;
        v->exp[RC_C_SHIPPING] =
            (o->known & (1u << RC_SHIPPING)) ? o->amount[RC_SHIPPING] : o->paid[RC_PAID_SHIPPING];
        v->exp[RC_C_TAX] =
            full && (o->known & (1u << RC_TAX)) ? o->amount[RC_TAX] : o->paid[RC_PAID_TAX];
        v->exp[RC_C_PROMOTION] = full && (o->known & (1u << RC_DISCOUNT))
                                     ? -(__int128)o->amount[RC_DISCOUNT]
                                     : o->paid[RC_PAID_PROMOTION];
        v->expected = v->exp[0] + v->exp[1] + v->exp[2] + v->exp[3];
    }
    v->difference = v->paid - v->expected;

    unsigned st = 0;
    if (o->chargeback_lines) /* a dispute and its reversal net 0: still one */
        st |= 1u << RC_ST_CHARGEBACK;
    if (has_slips && v->expected > 0 && o->sale_only_lines >= 2 && v->paid >= 2 * v->expected - tol)
        st |= 1u << RC_ST_DUPLICATE_PAYMENT;
    uint32_t known_cur = o->known_cur;
    int slipway_knows = has_slips || o->ledger_rows || o->status != RC_NONE;
    if (o->lines && !slipway_knows && known_cur != RC_NONE && known_cur != o->currency)
        st |= 1u << RC_ST_CURRENCY_DIFFERS;
    int fba = status_is(rc, o, "FULFILLED_BY_MARKETPLACE");
    if (!has_slips && sale_side && v->paid > tol && !fba &&
        !(st & (1u << RC_ST_CURRENCY_DIFFERS))) {
        st |= 1u << RC_ST_PAID_NOT_SHIPPED;
        if (o->status == RC_NONE)
            v->code = "UNKNOWN";
        else if (status_is(rc, o, "ORDER_CANCELLED"))
            v->code = "CANCELLED";
        else
            v->code = eng__rc_text(rc, o->status);
    }
    /* refunds: more than the ledgers, none of what they approved, or another amount (a
     * net negative refund, a refund reversed, included) */
    if (v->refund_paid > v->refund_expected + tol)
        st |= 1u << RC_ST_REFUNDED_NOT_IN_LEDGER;
    else if (!(v->refund_expected > tol && v->refund_paid == 0) &&
             abs128(v->refund_paid - v->refund_expected) > tol)
        st |= 1u << RC_ST_REFUND_AMOUNT_DIFFERS;
    int64_t refund_due =
        fmt_policy_due_days(rc->policy.refund_due, rc->policy.n_refund_due,
                            eng__rc_text(rc, o->channel), strlen(eng__rc_text(rc, o->channel)));
    int64_t payout_due =
        fmt_policy_due_days(rc->policy.payout_due, rc->policy.n_payout_due,
                            eng__rc_text(rc, o->channel), strlen(eng__rc_text(rc, o->channel)));
    const char *refund_code = NULL, *payout_code = NULL;
    if (v->refund_expected > tol && v->refund_paid == 0) {
        st |= 1u << RC_ST_LEDGER_REFUND_NOT_SEEN;
        int32_t since = o->ledger_day != RC_NO_DAY ? o->ledger_day : rc->args->as_of;
        refund_code = (int64_t)rc->args->as_of - since > refund_due ? "OVERDUE" : "PENDING";
    }
    if (has_slips && sale_side && abs128(v->difference) > tol)
        st |= 1u << RC_ST_AMOUNT_DIFFERS;
    if (has_slips && !sale_side) {
        st |= 1u << RC_ST_SHIPPED_NOT_PAID;
        int32_t since = o->first_ship != RC_NO_DAY ? o->first_ship : rc->args->as_of;
        payout_code = (int64_t)rc->args->as_of - since > payout_due ? "OVERDUE" : "PENDING";
    }
    if (fba && !has_slips && sale_side) {
        st |= 1u << RC_ST_MARKETPLACE_FULFILLED;
        /* the marketplace shipped it: what it paid is what was due, nothing differs */
        v->expected = v->paid;
        v->difference = 0;
    }
    if (!st)
        st |= 1u << RC_ST_MATCHED;
    v->all = st;
    v->primary = (rc_status)__builtin_ctz(st);
    if (v->primary == RC_ST_LEDGER_REFUND_NOT_SEEN)
        v->code = refund_code;
    else if (v->primary == RC_ST_SHIPPED_NOT_PAID)
        v->code = payout_code;
    else if (v->primary != RC_ST_PAID_NOT_SHIPPED)
        v->code = NULL;
    /* When the item is open since: the night it shipped, was refunded, or was paid. */
    switch (v->primary) {
    case RC_ST_LEDGER_REFUND_NOT_SEEN:
    case RC_ST_REFUND_AMOUNT_DIFFERS:
        v->since = o->ledger_day;
        break;
    case RC_ST_CHARGEBACK:
    case RC_ST_CURRENCY_DIFFERS:
    case RC_ST_PAID_NOT_SHIPPED:
    case RC_ST_REFUNDED_NOT_IN_LEDGER:
        v->since = o->first_paid;
        break;
    default:
        v->since = o->first_ship != RC_NO_DAY ? o->first_ship : o->first_paid;
    }
    if (v->since == RC_NO_DAY)
        v->since = rc->args->as_of;
    /* What is open, in money */
    switch (v->primary) {
    case RC_ST_CHARGEBACK:
        v->open = o->paid[RC_PAID_CHARGEBACK];
        break;
    case RC_ST_CURRENCY_DIFFERS:
    case RC_ST_PAID_NOT_SHIPPED:
        v->open = v->paid;
        break;
    case RC_ST_REFUNDED_NOT_IN_LEDGER:
    case RC_ST_REFUND_AMOUNT_DIFFERS:
    case RC_ST_LEDGER_REFUND_NOT_SEEN:
        v->open = v->refund_paid - v->refund_expected;
        break;
    case RC_ST_SHIPPED_NOT_PAID:
        v->open = -v->expected;
        break;
    default:
        v->open = v->difference;
    }
}

int eng_rc_open(rc_status s)
{
    return s != RC_ST_MATCHED && s != RC_ST_MARKETPLACE_FULFILLED;
}
