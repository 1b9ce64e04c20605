#!/bin/sh
# End-to-end test of `slipway reconcile` (issue 16) on the worked example of README
# "Reconciliation" (samples/reconcile/README.md):
#
#   night1  samples/marketplaces/ as `make run` reads them, run date 2026-11-27
#   night2  samples/reconcile/night2/ (an order and three Amazon returns), 2026-11-28,
#           --inventory night1/inventory.csv, --history night1
#   rec     reconcile --history night1 night2, the Shopify payouts export twice (a later
#           export overlapping the first) and two Amazon settlements, --as-of 2026-12-21
#
# Checked:
#   - every output of rec but manifest.json equals tests/cases/reconcile/expected/
#     (hand-checked there, README), and every status of the issue appears in it;
#   - payout_lines.csv: each line id once; per payout, the lines' sum is payouts.csv's
#     lines_sum and, where the file declares a total, declared + difference;
#   - rec again with rec itself as history (its payout_lines.csv) and the same payouts:
#     no new line, and the same reconciliation;
#   - refusals leave no folder: an existing DIR (2), a file no layout knows (3), a payout
#     file over max_error_rate (3, naming the first bad line), --payout-format of another
#     layout (3), a --history that is no slipway output (3).
#
# usage: sh tests/reconcile.sh path/to/slipway      (from the repository root)
#        UPDATE=1 sh tests/reconcile.sh ...          rewrites the expected files
set -u
if [ $# -ne 1 ]; then
    echo "usage: sh tests/reconcile.sh path/to/slipway" >&2
    exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(pwd)
want=$root/tests/cases/reconcile/expected
LC_ALL=C
export LC_ALL
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-reconcile.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

cp -r samples "$work/samples" || exit 1
cd "$work" || exit 1
M=samples/marketplaces
R=samples/reconcile
PAYOUTS="--payouts $R/shopify_payouts_2026-11-30.csv --payouts $R/shopify_payouts_2026-12-07.csv
         --payouts $R/amazon_settlement_11223344.txt --payouts $R/amazon_settlement_11223345.txt"

"$bin" run -q --catalog $M/catalog.csv --inventory $M/inventory.csv --policy $M/policy.conf \
    --orders $M/shopify_orders_export_2026-11-26.csv --orders $M/amazon_orders_2026-11-26.txt \
    --orders $M/amazon_all_orders_2026-11-26.txt --orders $M/woocommerce_orders_2026-11-26.csv \
    --orders $M/ebay_orders_2026-11-26.csv --orders $M/tmall_orders_2026-11-26.csv \
    --run-date 2026-11-27 --out night1 || { echo "reconcile: night 1 failed"; exit 1; }
"$bin" run -q --catalog $M/catalog.csv --inventory night1/inventory.csv --policy $M/policy.conf \
    --orders $R/night2/orders.csv --returns $R/night2/returns.csv --history night1 \
    --run-date 2026-11-28 --out night2 || { echo "reconcile: night 2 failed"; exit 1; }
# shellcheck disable=SC2086
"$bin" reconcile -q --history night1 --history night2 $PAYOUTS --as-of 2026-12-21 --out rec
rc=$?
[ $rc = 0 ] && report ok "" || report bad "reconcile exit $rc"

if [ "${UPDATE:-0}" = 1 ]; then
    rm -rf "$want"
    mkdir -p "$want"
    for f in rec/*; do
        [ "$(basename "$f")" = manifest.json ] || cp "$f" "$want/"
    done
    echo "reconcile: updated $want"
    exit 0
fi

for f in "$want"/*; do
    name=$(basename "$f")
    if cmp -s "$f" "rec/$name"; then report ok ""; else
        report bad "rec/$name differs from tests/cases/reconcile/expected/$name"
        diff "$f" "rec/$name" | head -10 | sed 's/^/    /'
    fi
done
for s in CHARGEBACK DUPLICATE_PAYMENT CURRENCY_DIFFERS PAID_NOT_SHIPPED REFUNDED_NOT_IN_LEDGER \
    REFUND_AMOUNT_DIFFERS LEDGER_REFUND_NOT_SEEN AMOUNT_DIFFERS SHIPPED_NOT_PAID \
    MARKETPLACE_FULFILLED MATCHED; do
    if awk -F, -v s="$s" 'NR > 1 && $4 == s { found = 1 } END { exit !found }' rec/reconciliation.csv
    then report ok ""; else report bad "no order has status $s"; fi
done

# Each line once; per payout the lines add up (in cents, to stay exact in awk).
awk -F, 'NR > 1 { if (seen[$1]++) print "line " $1 " twice" }' rec/payout_lines.csv >"$work/find"
[ -s "$work/find" ] && report bad "$(head -3 "$work/find")" || report ok ""
awk -F, '
function cents(v,   neg, p) { neg = v ~ /^-/; sub(/^-/, "", v); p = index(v, ".");
    v = (p ? substr(v, 1, p - 1) substr(v "00", p + 1, 2) : v "00") + 0; return neg ? -v : v }
FILENAME ~ /payout_lines/ && FNR > 1 { k = $2 SUBSEP $4 SUBSEP $8
    if ($9 == "payout") DECL[k] -= cents($10); else SUM[k] += cents($10) }
FILENAME ~ /payouts.csv/ && FNR > 1 { k = $1 SUBSEP $3 SUBSEP $4
    if (cents($9) != SUM[k]) print "payout " $3 ": lines_sum " $9 ", its lines " SUM[k]
    if ($8 != "" && cents($8) != DECL[k]) print "payout " $3 ": declared " $8 ", its payout line " DECL[k]
    if ($8 != "" && cents($10) != SUM[k] - DECL[k]) print "payout " $3 ": difference " $10 }
' rec/payout_lines.csv rec/payouts.csv >"$work/find"
[ -s "$work/find" ] && report bad "$(head -3 "$work/find")" || report ok ""

# Again, with its own payout lines as history: nothing new, the same verdicts.
# shellcheck disable=SC2086
"$bin" reconcile -q --history night1 --history night2 --history rec $PAYOUTS --as-of 2026-12-21 \
    --out rec2
if cmp -s rec/reconciliation.csv rec2/reconciliation.csv && cmp -s rec/payouts.csv rec2/payouts.csv
then report ok ""; else report bad "a second reconcile with its own payout_lines.csv differs"; fi
grep -q '"lines": 0,' rec2/reconcile_summary.json && report ok "" ||
    report bad "the second reconcile counted payout lines again"

# Refusals
refused() { # name want-rc stderr-part args...
    name=$1 want_rc=$2 part=$3
    shift 3
    rm -rf bad
    "$bin" reconcile -q "$@" --out bad 2>"$work/err"
    got=$?
    if [ "$got" = "$want_rc" ] && [ ! -e bad ] && grep -q -- "$part" "$work/err"; then report ok ""
    else report bad "$name: exit $got (want $want_rc), stderr: $(head -2 "$work/err")"; fi
}
mkdir bad
"$bin" reconcile -q --history night1 --payouts $R/shopify_payouts_2026-11-30.csv --out bad \
    2>"$work/err"
[ $? = 2 ] && grep -q "already exists" "$work/err" && report ok "" ||
    report bad "an existing DIR: $(cat "$work/err")"
rmdir bad
printf 'a,b,c\n1,2,3\n' >plain.csv
refused "unknown layout" 3 "no payout layout slipway knows" --history night1 --payouts plain.csv
sed 's/,285\.64,/,2x5.64,/; s/,162\.81,/,1a2.81,/' $R/shopify_payouts_2026-11-30.csv >broken.csv
refused "over max_error_rate" 3 "broken.csv:2:" --history night1 --payouts broken.csv
refused "forced layout" 3 "no header of the amazon-settlement layout" --history night1 \
    --payout-format amazon-settlement --payouts $R/shopify_payouts_2026-11-30.csv
refused "history not slipway's" 3 "is not a slips.csv" --history plain.csv \
    --payouts $R/shopify_payouts_2026-11-30.csv

echo "reconcile: $pass passed, $fail failed"
[ "$fail" = 0 ]
