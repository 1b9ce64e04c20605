#!/bin/sh
# End-to-end test of `slipway verify`: it passes on fresh runs (the samples night plain
# and with --compress, night 2 with returns and history, night 2 re-sent with its own
# outputs as history, one file of each marketplace layout, a map:FILE marketplace, order
# ids escaped, blank and re-sent), and catches each kind of corruption of a copy of a run, naming the right invariant and
# exiting 4:
#
#   oversell          a slips qty bumped, inventory.csv and manifest.json fixed up  -> 1
#   manifest rewrite  a slips qty bumped and only manifest.json recomputed          -> 1, 2 (not 6)
#   stock arithmetic  an inventory.csv on_hand changed, manifest fixed               -> 2
#   missing status    an order_status.csv row deleted, manifest fixed               -> 3
#   duplicate status  an order_status.csv row repeated, manifest fixed              -> 3
#   unnamed row       an orders row appended to an input, manifest (inputs) fixed   -> 3
#   slip amount       a slips line_amount changed, manifest fixed                   -> 4
#   ledger refund     a night-2 refund_amount changed, manifest fixed               -> 4
#   output byte       a picklist.csv byte changed, manifest left alone              -> 6
#   input changed     a byte appended to the catalog input, manifest left alone     -> 6
#   resent twice      night-2 slips fed as history to a copy of night 2             -> 5
#
# Each corruption must break exactly the invariants listed (the verdict lines), so a check
# that fires for the wrong reason fails the test. Then usage and unreadable cases: --help
# (0), no DIR (2), a missing folder and a manifest that is not JSON (3).
#
# The runs use a copy of samples/ in a scratch folder, so inputs can be edited safely.
#
# usage: sh tests/verify.sh path/to/slipway      (from the repository root)
set -u
if [ $# -ne 1 ]; then
    echo "usage: sh tests/verify.sh path/to/slipway" >&2
    exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
LC_ALL=C
export LC_ALL
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r samples "$work/samples" || exit 1
cd "$work" || exit 1
pass=0
fail=0

report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

NIGHT1="--catalog samples/catalog.csv --inventory samples/inventory.csv
    --policy samples/policy.conf --orders samples/orders_shop.csv
    --orders samples/orders_marketplace.csv.zst --orders samples/orders_wholesale.csv
    --run-date 2026-11-27"
NIGHT2="--catalog samples/catalog.csv --inventory night1/inventory.csv
    --policy samples/night2/policy.conf --orders samples/night2/orders_shop.csv
    --orders samples/night2/orders_marketplace.csv --returns samples/night2/returns.csv
    --history night1/slips.csv --run-date 2026-11-28"

run() { # out-dir args...
    out=$1
    shift
    # shellcheck disable=SC2068
    if ! "$bin" run $@ --threads 2 --out "$out" >"$out.stdout" 2>"$out.stderr"; then
        echo "verify: slipway run into $out failed:"
        sed 's/^/    /' "$out.stderr"
        exit 1
    fi
}

MARKET="--catalog samples/marketplaces/catalog.csv --inventory samples/marketplaces/inventory.csv
    --policy samples/marketplaces/policy.conf --run-date 2026-11-27"
for f in shopify_orders_export_2026-11-26.csv amazon_orders_2026-11-26.txt \
    amazon_all_orders_2026-11-26.txt woocommerce_orders_2026-11-26.csv \
    ebay_orders_2026-11-26.csv tmall_orders_2026-11-26.csv; do
    MARKET="$MARKET --orders samples/marketplaces/$f"
done
KAUFHAUS="--catalog samples/marketplaces/catalog.csv --inventory samples/marketplaces/inventory.csv
    --policy samples/marketplaces/policy.conf --run-date 2026-11-27
    --orders samples/marketplaces/kaufhaus_bestellungen_2026-11-26.csv
    --format map:samples/marketplaces/kaufhaus.map"

# Order ids as the run shows them: invalid UTF-8 escaped (\xFF, backslashes doubled), a
# backslash kept as is in a valid id, a blank id, and the file given twice (re-sent).
{
    head -n 2 samples/orders_shop.csv
    printf 'BAD\377\\ID,2026-11-26T01:08:09Z,RAIN-PONCHO,2,19.90,EUR,shop,,C-1,Ana,Street 1,Madrid,,28013,ES,standard,,,,\n'
    printf 'OK\\ID,2026-11-26T01:08:09Z,RAIN-PONCHO,1,19.90,EUR,shop,,C-1,Ana,Street 1,Madrid,,28013,ES,standard,,,,\n'
    printf ',2026-11-26T01:08:09Z,RAIN-PONCHO,1,19.90,EUR,shop,,C-1,Ana,Street 1,Madrid,,28013,ES,standard,,,,\n'
} >ids.csv
IDS="--catalog samples/catalog.csv --inventory samples/inventory.csv --orders ids.csv
    --orders ids.csv --run-date 2026-11-27"

run night1 "$NIGHT1"
run ids "$IDS"
run market "$MARKET"
run kaufhaus "$KAUFHAUS"
run night1z "$NIGHT1 --compress"
run night2 "$NIGHT2"
run night2-rerun "$NIGHT2 --history night2/slips.csv --history night2/returns_ledger.csv"

# Invariants a verify of dir reports BROKEN, as "1 2 ..." (empty when none).
broken() {
    sed -n 's/^  \([1-6]\) .* BROKEN (.*/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# Verify dir; expect exit code want_rc and exactly the broken invariants want_broken.
expect() { # name dir want_rc want_broken [verify args...]
    name=$1 dir=$2 want_rc=$3 want_broken=$4
    shift 4
    "$bin" verify "$dir" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    got=$(broken "$work/out")
    if [ "$rc" != "$want_rc" ] || [ "$got" != "$want_broken" ]; then
        report bad "$name: exit $rc, broken '$got'; expected exit $want_rc, broken '$want_broken'"
        sed 's/^/    /' "$work/out" "$work/err" | head -30
        return
    fi
    for inv in $want_broken; do
        if ! grep -q "^invariant $inv broken: " "$work/out"; then
            report bad "$name: no 'invariant $inv broken:' line naming the rows"
            return
        fi
    done
    report ok "$name"
}

# Recompute every sha256 and byte count manifest.json records (inputs by their path from
# here, outputs in dir): what someone hiding an edit would do.
fix_manifest() { # dir
    awk -v d="$1" '
    function cmd1(c,   s) { c | getline s; close(c); return s }
    function q(f) { gsub(/'\''/, "'\''\\'\'''\''", f); return "'\''" f "'\''" }
    /"path": "/ { f = $0; sub(/.*"path": "/, "", f); sub(/",?$/, "", f) }
    /"name": "/ { f = $0; sub(/.*"name": "/, "", f); sub(/",?$/, "", f); f = d "/" f }
    /"bytes": / && f != "" { n = cmd1("wc -c < " q(f)) + 0; sub(/: [0-9]+/, ": " n) }
    /"sha256": / && f != "" {
        s = cmd1("sha256sum " q(f)); sub(/ .*/, "", s)
        sub(/: "[0-9a-f]*"/, ": \"" s "\""); f = ""
    }
    { print }' "$1/manifest.json" >"$1/manifest.tmp" && mv "$1/manifest.tmp" "$1/manifest.json"
}

# A fresh copy of a run to corrupt.
copy() { # from to
    rm -rf "$2" && cp -r "$1" "$2"
}

# Rewrite line n of a CSV file (1-based) with an awk program on its comma-split fields;
# only for lines without quotes, which the callers pick.
edit_line() { # file n awk-statements
    awk -F, -v OFS=, -v n="$2" "NR == n { $3 } { print }" "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# First line number (> 1) of a file whose text matches an ERE and holds no quote.
pick() { # file ere
    awk -v re="$2" 'NR > 1 && $0 ~ re && index($0, "\"") == 0 { print NR; exit }' "$1"
}

# ---- fresh runs pass ---------------------------------------------------------------------
expect "samples night verifies" night1 0 ""
expect "samples night with --compress verifies" night1z 0 ""
expect "night 2 with returns and history verifies" night2 0 ""
expect "night 2 re-sent with its own history verifies" night2-rerun 0 ""
grep -q '^  5 .* holds: ' "$work/out" || report bad "re-run: invariant 5 should be checked and hold"
expect "one file of each marketplace layout verifies" market 0 ""
expect "a map:FILE marketplace verifies" kaufhaus 0 ""
expect "escaped, re-sent and blank order ids verify" ids 0 ""
grep -q 'BAD\\xFF\\\\ID' ids/order_status.csv || report bad "ids: the escaped id is not in order_status.csv"
# Without summary.json the layouts (and Tmall's GB18030) are detected from the headers,
# as the run detects them: only the missing output is a finding.
copy market c && rm c/summary.json
expect "marketplace layouts detected without summary.json" c 4 "6"
"$bin" verify night1 >"$work/out" 2>&1
grep -q '^  5 .*not checked: needs the earlier nights' "$work/out" ||
    report bad "night 1: invariant 5 should say it needs history"

# ---- corruptions -------------------------------------------------------------------------
# Oversell: a slip line ships 1000 more; tomorrow's inventory and the manifest agree.
copy night1 c && n=$(pick c/slips.csv ',MAIN,') && sku=$(sed -n "${n}p" c/slips.csv | cut -d, -f5)
edit_line c/slips.csv "$n" '$7 += 1000'
m=$(awk -F, -v s="$sku" 'NR > 1 && $1 == s && $2 == "MAIN" { print NR }' c/inventory.csv)
edit_line c/inventory.csv "$m" '$3 -= 1000'
fix_manifest c
expect "oversell with everything else fixed up" c 4 "1"
grep -q "^invariant 1 broken: SKU $sku at MAIN shipped .* > available .*slips.csv lines .*$n" \
    "$work/out" || report bad "oversell: the finding does not name SKU $sku and slips.csv line $n"

# The same edit with only the manifest recomputed: invariant 6 holds, 1 and 2 do not.
copy night1 c && edit_line c/slips.csv "$n" '$7 += 1000' && fix_manifest c
expect "oversell hidden by a rewritten manifest" c 4 "1 2"

copy night1 c && n=$(pick c/inventory.csv .) && edit_line c/inventory.csv "$n" '$3 += 1'
fix_manifest c
expect "stock arithmetic: inventory.csv on_hand changed" c 4 "2"

copy night1 c && n=$(pick c/order_status.csv ',REJECTED,')
id=$(sed -n "${n}p" c/order_status.csv | cut -d, -f1)
sed -i "${n}d" c/order_status.csv && fix_manifest c
expect "missing order_status row" c 4 "3"
grep -q "order $id .* has no row in order_status.csv" "$work/out" ||
    report bad "missing status: the finding does not name order $id"

copy night1 c && n=$(pick c/order_status.csv ',REJECTED,')
sed -i "${n}p" c/order_status.csv && fix_manifest c
expect "duplicated order_status row" c 4 "3"

copy night1 c && cp samples/orders_shop.csv "$work/shop.orig"
tail -n 1 samples/orders_shop.csv | sed 's/^[^,]*,/SHOP-99999,/' >>samples/orders_shop.csv
last=$(wc -l <samples/orders_shop.csv)
fix_manifest c
expect "an orders row neither in a status nor in exceptions" c 4 "3"
grep -q "order SHOP-99999 (samples/orders_shop.csv:$last) has no row" "$work/out" ||
    report bad "unnamed row: the finding does not name samples/orders_shop.csv:$last"
cp "$work/shop.orig" samples/orders_shop.csv

copy night1 c && n=$(pick c/slips.csv ',EUR,') && edit_line c/slips.csv "$n" '$9 = sprintf("%.2f", $9 + 1)'
fix_manifest c
expect "slip line_amount changed" c 4 "4"

copy night2 c && n=$(pick c/returns_ledger.csv ',refund,APPROVED,')
edit_line c/returns_ledger.csv "$n" '$11 = sprintf("%.2f", $11 + 1)'
fix_manifest c
expect "ledger refund_amount changed" c 4 "4"

copy night1 c && sed -i '2s/,/;/' c/picklist.csv
expect "an output byte changed, manifest not fixed" c 4 "6"

cp samples/catalog.csv "$work/catalog.orig" && echo >>samples/catalog.csv
expect "an input changed" night1 4 "6"
grep -q "input samples/catalog.csv (catalog) changed" "$work/out" ||
    report bad "input changed: the finding does not name samples/catalog.csv"
cp "$work/catalog.orig" samples/catalog.csv

# Night 2's own slips given as history to night 2's outputs: every slip ships twice.
expect "night 2 checked against its own slips ships twice" night2 4 "5 6" \
    --history night1/slips.csv --history night2/slips.csv

# ---- usage and unreadable ----------------------------------------------------------------
"$bin" verify --help >"$work/out" 2>&1
[ $? = 0 ] && grep -q 'invariant\|Exit codes' "$work/out" && report ok "verify --help" ||
    report bad "verify --help: exit 0 with the checks described"
"$bin" verify >/dev/null 2>&1
[ $? = 2 ] && report ok "verify without DIR: exit 2" || report bad "verify without DIR: exit 2"
"$bin" verify night1 --frobnicate >/dev/null 2>&1
[ $? = 2 ] && report ok "verify unknown flag: exit 2" || report bad "verify unknown flag: exit 2"
"$bin" verify no-such-dir >/dev/null 2>&1
[ $? = 3 ] && report ok "verify of a missing folder: exit 3" || report bad "missing folder: exit 3"
copy night1 c && echo '{"inputs": [' >c/manifest.json
"$bin" verify c >/dev/null 2>"$work/err"
[ $? = 3 ] && grep -q manifest.json "$work/err" && report ok "manifest not JSON: exit 3" ||
    report bad "a manifest that is not JSON: exit 3 naming it"
copy night1 c && rm c/slips.csv
"$bin" verify c >"$work/out" 2>&1
[ $? = 4 ] && grep -q '^invariant 6 broken: slips.csv is listed in manifest.json but missing' \
    "$work/out" && report ok "a missing output is invariant 6" ||
    report bad "a missing output: exit 4, invariant 6"

echo "verify: $pass passed, $fail failed"
[ "$fail" = 0 ]
