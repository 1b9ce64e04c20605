#!/bin/sh
# End-to-end test of `slipway reconcile` (issue 16) on the worked example of README
# "Reconciliation" (samples/reconcile/README.md):
#
#   night1  samples/marketplaces/ as `make run` reads them, run date 2026-11-27
#   night2  samples/reconcile/night2/ (an order and three Amazon returns), 2026-11-28,
#           --inventory night1/inventory.csv, --history night1
#   rec     reconcile --history night1 night2, the Shopify payouts export twice (a later
#           export overlapping the first), two Amazon settlements, an eBay transaction
#           report, PayPal activity downloads in English and German, and a Stripe
#           itemized payout reconciliation report, --as-of 2026-12-21
#
# Checked:
#   - every output of rec but manifest.json equals tests/cases/reconcile/expected/
#     (hand-checked there, README), every status of the issue appears in it, and every
#     payout layout in payout_lines.csv;
#   - payout_lines.csv: each line id once; per payout, the lines' sum is payouts.csv's
#     lines_sum and, where the file declares a total, declared + difference;
#   - rec again with rec itself as history (its payout_lines.csv) and the same payouts:
#     no new line, and the same reconciliation;
#   - slipway verify rec holds, and names settlement 11223345's own difference; each
#     corruption of a copy (manifest recomputed) breaks exactly its checks: a payout
#     line's amount (1, 3), an order's row deleted (2, 3) or doubled (3, 4), AMOUNT_DIFFERS
#     relabelled MATCHED (4), shipped changed (3), a difference that is not paid -
#     expected (4), an order's fees (4), a declared total changed (1), an output changed
#     with the manifest left (5);
#   - two run folders of one date (their slip numbers alike) both count;
#   - a payout of one fee-less line for an order with a 301-byte reference;
#   - a payout mapping (--payout-map, --payout-format map:FILE): the Kaufhaus settlement's
#     orders and payout as hand-checked, beside a built-in layout; its refusals;
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
         --payouts $R/amazon_settlement_11223344.txt --payouts $R/amazon_settlement_11223345.txt
         --payouts $R/ebay_transactions_2026-12-01.csv --payouts $R/paypal_activity_2026-11-30.csv
         --payouts $R/paypal_aktivitaet_2026-11-30.csv
         --payouts $R/stripe_payout_reconciliation_2026-11-30.csv"

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

for l in amazon-settlement ebay-transactions paypal shopify-payments stripe; do
    if awk -F, -v l="$l" 'NR > 1 && $2 == l { found = 1 } END { exit !found }' rec/payout_lines.csv
    then report ok ""; else report bad "no payout line of layout $l"; fi
done

# Each line once; per payout the lines add up (in cents, to stay exact in awk).
awk -F, 'NR > 1 { if (seen[$1]++) print "line " $1 " twice" }' rec/payout_lines.csv >"$work/find"
[ -s "$work/find" ] && report bad "$(head -3 "$work/find")" || report ok ""
awk -F, '
function cents(v,   neg, p) { neg = v ~ /^-/; sub(/^-/, "", v); p = index(v, ".");
    v = (p ? substr(v, 1, p - 1) substr(v "00", p + 1, 2) : v "00") + 0; return neg ? -v : v }
FILENAME ~ /payout_lines/ && FNR > 1 { k = $2 SUBSEP $4 SUBSEP $8
    if ($9 == "payout" && $4 != "") DECL[k] -= cents($10); else SUM[k] += cents($10) }
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

# slipway verify on the reconcile folder: passes, and each corruption of a copy (its
# manifest recomputed, as someone hiding an edit would) breaks exactly the checks named.
fix_manifest() { # dir
    awk -v d="$1" '
    function cmd1(c,   s) { c | getline s; close(c); return s }
    /"path": "/ { f = $0; sub(/.*"path": "/, "", f); sub(/",?$/, "", f) }
    /"name": "/ { f = $0; sub(/.*"name": "/, "", f); sub(/",?$/, "", f); f = d "/" f }
    /"bytes": / && f != "" { n = cmd1("wc -c < " f) + 0; sub(/: [0-9]+/, ": " n) }
    /"sha256": / && f != "" { s = cmd1("sha256sum " f); sub(/ .*/, "", s)
        sub(/: "[0-9a-f]*"/, ": \"" s "\""); f = "" }
    { print }' "$1/manifest.json" >"$1/manifest.tmp" && mv "$1/manifest.tmp" "$1/manifest.json"
}
verify_expect() { # name dir want-rc want-broken
    "$bin" verify "$2" >"$work/out" 2>"$work/err"
    got_rc=$?
    got=$(sed -n 's/^  \([1-9]\) .* BROKEN (.*/\1/p' "$work/out" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got_rc" = "$3" ] && [ "$got" = "$4" ]; then report ok ""
    else
        report bad "verify $1: exit $got_rc, broken '$got'; want exit $3, broken '$4'"
        sed 's/^/    /' "$work/out" "$work/err" | head -20
    fi
}
verify_expect "a fresh reconcile folder" rec 0 ""
grep -q "1 whose lines differ from the marketplace's declared total, first 11223345 (0.01 EUR)" "$work/out" &&
    report ok "" || report bad "verify does not name settlement 11223345's own difference"
edit() { # dir file awk-program
    awk -F, -v OFS=, "$3" "$1/$2" >"$1/x.tmp" && mv "$1/x.tmp" "$1/$2"
}
# corrupt NAME FILE AWK WANT: a copy of rec with FILE edited by AWK and its manifest
# recomputed must break exactly WANT
corrupt() {
    rm -rf c && cp -r rec c
    edit c "$2" "$3"
    fix_manifest c
    verify_expect "$1" c 4 "$4"
}
corrupt "a payout line's amount" payout_lines.csv \
    '$7 == "#1041" && $9 == "sale" { $10 = "286.64" } { print }' "1 3"
corrupt "an order's row deleted" reconciliation.csv '$2 != "#1041" { print }' "2 3"
corrupt "an order's row twice" reconciliation.csv '{ print } $2 == "#1041" { print }' "3 4"
corrupt "AMOUNT_DIFFERS relabelled MATCHED" reconciliation.csv \
    '$2 == "#1050" { $4 = "MATCHED" } { print }' "4"
corrupt "shipped changed" reconciliation.csv '$2 == "#1041" { $7 = "1.00" } { print }' "3"
corrupt "a difference that is not paid - expected" reconciliation.csv \
    '$2 == "304-2256108-9930417" { $10 = "-9.00" } { print }' "4"
corrupt "an order's fees changed" reconciliation.csv \
    '$2 == "028-3390715-2284410" { $13 = "-0.61" } { print }' "4"
corrupt "a declared total changed" payouts.csv '$3 == "11223344" { $8 = "300.00" } { print }' "1"
rm -rf c && cp -r rec c
edit c fees.csv 'NR == 2 { $4 = "-1.00" } { print }'
verify_expect "an output changed, manifest not fixed" c 4 "5"

# Two runs of one date number their slips from 1 alike: the kaufhaus night (2026-11-27,
# OUT-20261127-000001 as night 1's first slip) counts whole beside night 1.
"$bin" run -q --catalog $M/catalog.csv --inventory $M/inventory.csv --policy $M/policy.conf \
    --orders $M/kaufhaus_bestellungen_2026-11-26.csv --format map:$M/kaufhaus.map \
    --run-date 2026-11-27 --out kaufhaus || { echo "reconcile: the kaufhaus night failed"; exit 1; }
"$bin" reconcile -q --history night1 --history kaufhaus --payouts $R/shopify_payouts_2026-11-30.csv \
    --as-of 2026-12-21 --out rec-same-date
# (it shipped whole: its slips come to its items; slips' names may hold commas)
want_kh=$(awk -F, '$1 == "KH-40017301" { print $4 }' kaufhaus/order_totals.csv)
got_kh=$(awk -F, '$2 == "KH-40017301" { print $7 }' rec-same-date/reconciliation.csv)
[ "$got_kh" = "$want_kh" ] && report ok "" ||
    report bad "KH-40017301 shipped $got_kh in reconciliation.csv, its slips $want_kh (same-date runs)"

# A payout layout of the user's own (README "Payout mapping"): Kaufhaus's settlement
# (semicolons, decimal commas, DD.MM.YYYY, a fee column written positive, a notice row,
# a correction of an unknown type) read through samples/reconcile/kaufhaus_payouts.map
# beside a Shopify export recognised by its own header. Hand-checked against the
# kaufhaus night (order_totals.csv): 301 1333.80 + 0.00 shipping; 302 128.20 + a
# Versand row 4.95 = 133.15; 306 498.00 + 9.90 = 507.90; 309 52.80 + 4.95; 310 94.80
# and a refund of 17.90 no ledger has; 311 shipped 1134.00, never paid (24 days > 14).
"$bin" reconcile -q --history kaufhaus --payout-map $R/kaufhaus_payouts.map \
    --payouts $R/kaufhaus_abrechnung_2026-12.csv --payouts $R/shopify_payouts_2026-11-30.csv \
    --as-of 2026-12-21 --out rec-map
[ $? = 0 ] && report ok "" || report bad "reconcile with --payout-map failed"
grep '^kaufhaus,' rec-map/reconciliation.csv | cut -d, -f2,4,5,7-14 >"$work/got"
cat >"$work/want" <<'WANT'
KH-40017301,MATCHED,,1333.80,1333.80,1333.80,0.00,0.00,0.00,-160.06,0.00
KH-40017302,MATCHED,,128.20,133.15,133.15,0.00,0.00,0.00,-15.38,0.00
KH-40017306,MATCHED,,498.00,507.90,507.90,0.00,0.00,0.00,-60.95,0.00
KH-40017309,MATCHED,,52.80,57.75,57.75,0.00,0.00,0.00,-6.93,0.00
KH-40017310,REFUNDED_NOT_IN_LEDGER,,94.80,94.80,94.80,0.00,0.00,17.90,-9.23,0.00
KH-40017311,SHIPPED_NOT_PAID,OVERDUE,1134.00,1134.00,0.00,-1134.00,0.00,0.00,0.00,0.00
WANT
cmp -s "$work/want" "$work/got" && report ok "" || {
    report bad "the mapped Kaufhaus settlement's orders differ from the hand-checked ones"
    diff "$work/want" "$work/got" | sed 's/^/    /'; }
# its payout: 2127.40 sales - 17.90 refund - 252.55 net fees - 25.00 advertising - 5.00
# unclassified = 1826.95, as its Auszahlung row pays out; the notice row is no line
grep -q '^map:kaufhaus-abrechnung,kaufhaus,KA-2026-48,EUR,2026-11-28,2026-12-03,2026-12-04,1826.95,1826.95,0.00,2127.40,-17.90,-277.55,' \
    rec-map/payouts.csv && report ok "" || report bad "payouts.csv: $(grep KA-2026 rec-map/payouts.csv)"
[ "$(grep -c '^[0-9a-f]*,map:kaufhaus-abrechnung,' rec-map/payout_lines.csv)" = 16 ] &&
    grep -q ',unclassified,-5.00,2026-12-03,Korrektur,' rec-map/payout_lines.csv &&
    grep -q '^[0-9a-f]*,shopify-payments,' rec-map/payout_lines.csv && report ok "" ||
    report bad "payout_lines.csv: not 16 Kaufhaus lines, the correction unclassified, and Shopify's"
grep -q '"role": "payout_mapping"' rec-map/manifest.json && report ok "" ||
    report bad "the mapping is not among the manifest's inputs"
"$bin" verify rec-map >"$work/out" 2>&1 && report ok "" || {
    report bad "verify of the mapped reconcile failed"; sed 's/^/    /' "$work/out" | head; }
# --payout-format map:FILE reads every file with it: Shopify's export has not its columns
"$bin" reconcile -q --history kaufhaus --payout-format map:$R/kaufhaus_payouts.map \
    --payouts $R/kaufhaus_abrechnung_2026-12.csv --as-of 2026-12-21 --out rec-map2
[ "$(grep -c '^kaufhaus,' rec-map2/reconciliation.csv)" = 6 ] &&
    [ "$(grep -c '^shopify,' rec-map2/reconciliation.csv)" = 0 ] && report ok "" ||
    report bad "--payout-format map:FILE did not read the Kaufhaus settlement alone"

# A long order reference (over the 256 bytes a key is built in on the stack) is an order
# like any other: paid, never shipped by slipway. (A payout without fees once refused the
# run as out of memory: this file has none.)
long=$(awk 'BEGIN { s = "#"; for (i = 0; i < 300; i++) s = s "x"; print s }')
{ head -1 $R/shopify_payouts_2026-11-30.csv
  echo "2026-11-27 10:02:11 +0100,charge,$long,visa,online,paid,2026-11-30,90009,2026-11-30,1.00,0.00,1.00,,card,1.00,EUR,EUR"
} >long.csv
"$bin" reconcile -q --history night1 --payouts long.csv --as-of 2026-12-21 --out rec-long
if [ $? = 0 ] && grep -q "^shopify,$long,EUR,PAID_NOT_SHIPPED,UNKNOWN," rec-long/reconciliation.csv
then report ok ""; else report bad "a 301-byte order reference is not PAID_NOT_SHIPPED UNKNOWN"; fi

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
printf 'slip_no,order_id\nOUT-1,A\n' >short-slips.csv
refused "a history file missing columns (its path printed after the state is freed)" 3 \
    "short-slips.csv:1: required column" --history short-slips.csv \
    --payouts $R/shopify_payouts_2026-11-30.csv
refused "slips given as payouts" 3 "this is slipway's slips.csv: give it" --history night1 \
    --payouts night1/slips.csv
tr ',' ';' <$R/shopify_payouts_2026-11-30.csv >semicolons.csv
refused "a spreadsheet's semicolon CSV" 3 "the file is cut at semicolons" --history night1 \
    --payouts semicolons.csv
refused "map:FILE forced on another layout's file" 3 "no header with every column the mapping" \
    --history kaufhaus --payout-format map:$R/kaufhaus_payouts.map \
    --payouts $R/shopify_payouts_2026-11-30.csv
sed 's/^currency .*//' $R/kaufhaus_payouts.map >no-currency.map
refused "a payout mapping without a currency" 3 "no currency: give" --history kaufhaus \
    --payout-map no-currency.map --payouts $R/kaufhaus_abrechnung_2026-12.csv
printf 'order_id = A\namount = B\ncurrency = EUR\nbetrag = C\n' >unknown-key.map
refused "a payout mapping's unknown key (file and line)" 3 "unknown-key.map:4: unknown key" \
    --history kaufhaus --payout-map unknown-key.map --payouts $R/kaufhaus_abrechnung_2026-12.csv
printf 'order_id = A\namount = B\ncurrency = EUR\ndecimal_comma = maybe\n' >bad-value.map
refused "a payout mapping's bad value" 3 "decimal_comma \"maybe\": give yes or no" \
    --history kaufhaus --payout-map bad-value.map --payouts $R/kaufhaus_abrechnung_2026-12.csv
# warnings: a history without slips; --as-of before the last slip
"$bin" reconcile -q --history night1/order_totals.csv --payouts $R/shopify_payouts_2026-11-30.csv \
    --out rec-w1 2>"$work/err"
grep -q "warning: the --history given holds no slips" "$work/err" && report ok "" ||
    report bad "no warning for a history without slips: $(cat "$work/err")"
"$bin" reconcile -q --history night1 --payouts $R/shopify_payouts_2026-11-30.csv \
    --as-of 2026-11-01 --out rec-w2 2>"$work/err"
grep -q "warning: --as-of 2026-11-01 is before the last slip (2026-11-27)" "$work/err" &&
    report ok "" || report bad "no warning for --as-of before the slips: $(cat "$work/err")"

echo "reconcile: $pass passed, $fail failed"
[ "$fail" = 0 ]
