#!/bin/sh
# End-to-end test of `slipway verify`: it passes on fresh runs (the samples night plain
# and with --compress, night 2 with returns and history, night 2 re-sent with its own
# outputs as history, night 3 with night 2's backorders fed back, one file of each
# marketplace layout, a map:FILE marketplace, order ids escaped, blank and re-sent) and
# on the expected outputs of every golden case (tests/cases/*/expected), and catches each
# kind of corruption of a copy of a run, naming the right invariant and exiting 4. In
# every case below manifest.json is recomputed (but for the two 6 cases), and so is every
# figure the checks before issue 12 recounted, so that only the check named can catch it:
#
#   oversell          a slips qty +1000, inventory.csv fixed up      -> 1, 7, 8, 9
#   manifest rewrite  a slips qty +1000, only manifest.json fixed    -> 1, 2, 7, 8, 9 (not 6)
#   stock arithmetic  an inventory.csv on_hand changed               -> 2
#   missing status    an order_status.csv row deleted                -> 3
#   duplicate status  an order_status.csv row repeated               -> 3
#   unnamed row       an orders row appended to an input             -> 3
#   slip amount       a slips line_amount changed                    -> 4, 7
#   ledger refund     a night-2 refund_amount changed                -> 4
#   order totals      (issue 16) an order_totals.csv status, items,
#                     order_total or ship_date changed; summary.json's
#                     by_channel shipped or refunded changed          -> 4
#   (issue 16: order_totals.csv follows order_status.csv and by_channel the slips, so
#   the corruptions below that change a status or a slip also break 4)
#   output byte       a picklist.csv byte changed, manifest left     -> 6
#   input changed     a byte appended to the catalog input, left     -> 6
#   resent twice      night-2 slips fed as history to night 2        -> 5, 6, 7, 8
#   (issue 12: each of these passed before)
#   ship-to           a slip's ship_city changed                     -> 7
#   another SKU       a slip line's SKU, name and bin another's,
#                     stock moved to match                           -> 7, 9
#   5 more units      a slip qty +5 at the same amount, stock taken  -> 7, 8, 9
#   unit price        a slip's unit_price changed                    -> 7
#   REJECTED shipped  a slip line for a rejected order, its status
#                     SHIPPED for that amount, stock taken           -> 7, 8, 9
#   flipped           a SHIPPED order's slips removed, stock put
#                     back, status BACKORDERED, not in backorders    -> 8, 9
#   backorders        a backordered order's rows dropped             -> 8
#   status units      a SHIPPED row's units changed                  -> 8
#   could have shipped  +1000 in the input inventory (and tomorrow's)
#                     for every SKU of a backordered order           -> 8, 9
#   pick list, alert  a picklist qty changed; an alerts row deleted  -> 9
#   exchange          a night-2 replacement's qty +1, stock taken    -> 7, 9
#   four outputs      picklist, backorders, alerts, returns_analysis
#                     deleted with their manifest entries            -> 6
#   after cut-off     (issue 14) an order after the cut-off labelled
#                     INSUFFICIENT_STOCK in its status and backorders -> 8
#   cut-off ignored   that order shipped (a slip, stock and pick list
#                     to match, status SHIPPED, out of backorders)    -> 8
#   held at the cut-off  the order exactly at the instant held back
#                     as AFTER_CUTOFF (slip removed, stock back)      -> 8
#   route broken      (issue 14) a slip from a warehouse the order's
#                     route does not allow, stock moved               -> 7, 9
#   no allowed        NO_ALLOWED_WAREHOUSE relabelled INSUFFICIENT_STOCK -> 8
#   proportional tie  (issue 14) a tied unit handed to the later order  -> 8
#   below min_fill    a shipment below min_fill_order_pct kept           -> 8
#   special files     a manifest naming /dev/zero; an output that is
#                     a FIFO: refused by name, exit 3, within 20 s
#
# Each corruption must break exactly the invariants listed (the verdict lines), so a check
# that fires for the wrong reason fails the test. Then usage and unreadable cases: --help
# (0), no DIR (2), a missing folder and a manifest that is not JSON (3); a missing folder
# or input never "holds" (issue 15).
# tests/verify_memory.sh checks that verify's memory does not grow with history.
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
root=$(pwd)
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
NIGHT3="--catalog samples/catalog.csv --inventory night2/inventory.csv
    --policy samples/policy.conf --orders samples/night3/orders_shop.csv
    --orders night2/backorders.csv --returns samples/night3/returns.csv
    --history night1/slips.csv --history night2/slips.csv
    --history night2/returns_ledger.csv --run-date 2026-12-30"
run night3 "$NIGHT3"

# Invariants a verify of dir reports BROKEN, as "1 2 ..." (empty when none).
broken() {
    sed -n 's/^  \([1-9]\) .* BROKEN (.*/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
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
expect "night 3 with fed-back backorders, history and a ledger verifies" night3 0 ""
expect "escaped, re-sent and blank order ids verify" ids 0 ""
grep -q 'BAD\\xFF\\\\ID' ids/order_status.csv || report bad "ids: the escaped id is not in order_status.csv"
# Without summary.json the layouts (and Tmall's GB18030) are detected from the headers,
# as the run detects them: only the missing output is a finding.
copy market c && rm c/summary.json
expect "marketplace layouts detected without summary.json" c 4 "6"
"$bin" verify night1 >"$work/out" 2>&1
grep -q '^  5 .*not checked: needs the earlier nights' "$work/out" ||
    report bad "night 1: invariant 5 should say it needs history"

# Every golden case's expected outputs verify, from the repository root where their
# manifests name the inputs: allocation policies, warehouses, history, fed-back
# backorders and every marketplace layout, none of which may raise a false finding.
for m in "$root"/tests/cases/*/expected/manifest.json; do
    c=$(basename "$(dirname "$(dirname "$m")")")
    (cd "$root" && "$bin" verify "tests/cases/$c/expected") >"$work/out" 2>"$work/err"
    rc=$?
    if [ $rc = 0 ]; then report ok "golden case $c verifies"; else
        report bad "golden case $c: verify exit $rc"
        sed 's/^/    /' "$work/out" "$work/err" | grep -v '^    slipway verify' | head -12
    fi
done

# ---- corruptions -------------------------------------------------------------------------
# Issue 14's cut-off (tests/cases/cutoff, whose manifest names its inputs from the root):
# an order that came after it relabelled as merely short of stock, in order_status.csv and
# backorders.csv alike; then the cut-off ignored, that order's MUGs shipped (a slip, stock
# taken, status SHIPPED, out of backorders.csv).
cd "$root" || exit 1
copy tests/cases/cutoff/expected "$work/cut"
sed '/^K-4,/s/AFTER_CUTOFF/INSUFFICIENT_STOCK/' "$work/cut/order_status.csv" >"$work/cut/s.tmp" &&
    mv "$work/cut/s.tmp" "$work/cut/order_status.csv"
sed '/^K-4,/s/AFTER_CUTOFF/INSUFFICIENT_STOCK/' "$work/cut/backorders.csv" >"$work/cut/b.tmp" &&
    mv "$work/cut/b.tmp" "$work/cut/backorders.csv"
fix_manifest "$work/cut"
expect "an order after the cut-off labelled INSUFFICIENT_STOCK" "$work/cut" 4 "8"
grep -q "^invariant 8 broken: .*order K-4 (BACKORDERED) has code \"INSUFFICIENT_STOCK\"; expected \"AFTER_CUTOFF\"" "$work/out" ||
    report bad "cut-off relabelled: no finding names K-4's code"
copy tests/cases/cutoff/expected "$work/cut"
echo "OUT-20261127-000005,K-4,shop,1,MUG,Enamel mug,3,11.50,34.50,EUR,MAIN,A-01,Dora Diaz,Via 4,Roma,,00100,IT,standard,2026-11-27" >>"$work/cut/slips.csv"
edit_line "$work/cut/order_status.csv" 5 '$3 = "SHIPPED"; $8 = ""'
awk -F, '$1 != "K-4"' "$work/cut/backorders.csv" >"$work/cut/b.tmp" && mv "$work/cut/b.tmp" "$work/cut/backorders.csv"
edit_line "$work/cut/inventory.csv" 3 '$3 -= 3'
edit_line "$work/cut/picklist.csv" 2 '$5 += 3; $6 += 1'
fix_manifest "$work/cut"
expect "an order after the cut-off shipped" "$work/cut" 4 "4 8"
grep -q "^invariant 8 broken: order K-4 .*came after tonight's cut-off, but slips.csv ships it" "$work/out" ||
    report bad "cut-off ignored: no finding says K-4 came after the cut-off"
# The order exactly at the cut-off instant (K-2, 13:00:00Z) is tonight's: held back as
# AFTER_CUTOFF (its slip removed, stock put back), it is caught.
copy tests/cases/cutoff/expected "$work/cut"
awk -F, '$2 != "K-2"' "$work/cut/slips.csv" >"$work/cut/s.tmp" && mv "$work/cut/s.tmp" "$work/cut/slips.csv"
edit_line "$work/cut/order_status.csv" 3 '$3 = "BACKORDERED"; $8 = "AFTER_CUTOFF"'
sed '1a K-2,2026-11-27T13:00:00Z,MUG,1,11.50,EUR,shop,,CU-2,Ben Bauer,Gasse 2,Wien,,1010,AT,standard,,,,,1,1,AFTER_CUTOFF,11.50' \
    "$work/cut/backorders.csv" >"$work/cut/b.tmp" && mv "$work/cut/b.tmp" "$work/cut/backorders.csv"
edit_line "$work/cut/inventory.csv" 3 '$3 += 1'
edit_line "$work/cut/picklist.csv" 2 '$5 -= 1; $6 -= 1'
fix_manifest "$work/cut"
expect "an order at the cut-off instant held back" "$work/cut" 4 "4 8"
grep -q "^invariant 8 broken: .*order K-2 (BACKORDERED) has code \"AFTER_CUTOFF\"; expected \"INSUFFICIENT_STOCK\"" "$work/out" ||
    report bad "held at the instant: no finding names K-2's code"
# Issue 14's routes (tests/cases/routes): an order shipped from a warehouse its route
# does not allow (R-2, a US order, from BER instead of NJ; the stock moved to match, the
# pick list, alerts and routing.csv left, so 9 and 8 fire too); and an order whose SKU no
# allowed warehouse stocks relabelled as merely short of stock.
copy tests/cases/routes/expected "$work/rt"
sed '/,R-2,/s/,NJ,/,BER,/' "$work/rt/slips.csv" >"$work/rt/s.tmp" && mv "$work/rt/s.tmp" "$work/rt/slips.csv"
awk -F, -v OFS=, '$1 == "BER" && $2 == "MUG" { $3 -= 1 } $1 == "NJ" && $2 == "MUG" { $3 += 1 } { print }' \
    "$work/rt/inventory.csv" >"$work/rt/i.tmp" && mv "$work/rt/i.tmp" "$work/rt/inventory.csv"
fix_manifest "$work/rt"
expect "an order shipped from a warehouse its route does not allow" "$work/rt" 4 "7 8 9"
grep -q "^invariant 7 broken: .*order R-2 line 1 ships from BER, which its route and channel do not allow" "$work/out" ||
    report bad "routes: no finding names R-2's warehouse"
copy tests/cases/routes/expected "$work/rt"
sed '/^R-6,/s/NO_ALLOWED_WAREHOUSE/INSUFFICIENT_STOCK/' "$work/rt/order_status.csv" >"$work/rt/s.tmp" &&
    mv "$work/rt/s.tmp" "$work/rt/order_status.csv"
sed '/^R-6,/s/NO_ALLOWED_WAREHOUSE/INSUFFICIENT_STOCK/' "$work/rt/backorders.csv" >"$work/rt/b.tmp" &&
    mv "$work/rt/b.tmp" "$work/rt/backorders.csv"
fix_manifest "$work/rt"
expect "NO_ALLOWED_WAREHOUSE relabelled INSUFFICIENT_STOCK" "$work/rt" 4 "8"
grep -q "^invariant 8 broken: .*order R-6 (BACKORDERED) has code \"INSUFFICIENT_STOCK\"; expected \"NO_ALLOWED_WAREHOUSE\"" "$work/out" ||
    report bad "routes: no finding names R-6's code"
# Issue 14's split (tests/cases/split_fewest, split_single_partial, max_split_line): an
# order shipped from two warehouses when one of them alone had all of it (F-1's X from B,
# not C); one over max_split = 1 (H-2's X from B); one over split = single (G-1's Y from
# B, which leaves a unit at A that G-1 and G-4 could have had: 8 fires too). Each moves
# the stock to match and gets its own slip number; the pick list and routing.csv are left
# as they were, so 9 and 8 fire too.
move_line() { # dir order sku from to slip
    awk -F, -v OFS=, -v o="$2" -v k="$3" -v w="$5" -v n="$6" '$2 == o && $5 == k { $11 = w; $1 = n } { print }' \
        "$1/slips.csv" >"$1/s.tmp" && mv "$1/s.tmp" "$1/slips.csv"
    qty=$(awk -F, -v o="$2" -v k="$3" '$2 == o && $5 == k { print $7 }' "$1/slips.csv")
    awk -F, -v OFS=, -v k="$3" -v f="$4" -v t="$5" -v q="$qty" \
        '$2 == k && $1 == f { $3 += q } $2 == k && $1 == t { $3 -= q } { print }' \
        "$1/inventory.csv" >"$1/i.tmp" && mv "$1/i.tmp" "$1/inventory.csv"
    fix_manifest "$1"
}
copy tests/cases/split_fewest/expected "$work/sp"
move_line "$work/sp" F-1 X C B OUT-20261127-000007
expect "an order split when one warehouse had all of it" "$work/sp" 4 "7 8 9"
grep -q "^invariant 7 broken: order F-1 .* ships from 2 warehouses, but C alone had every unit" "$work/out" ||
    report bad "split = fewest: no finding says C alone could ship F-1"
copy tests/cases/max_split_line/expected "$work/sp"
move_line "$work/sp" H-2 X A B OUT-20261127-000005
expect "an order over max_split" "$work/sp" 4 "7 8 9"
grep -q "^invariant 7 broken: order H-2 .* ships from 2 warehouses; max_split = 1 allows 1" "$work/out" ||
    report bad "max_split: no finding names H-2"
copy tests/cases/split_single_partial/expected "$work/sp"
move_line "$work/sp" G-1 Y A B OUT-20261127-000004
expect "an order from two warehouses under split = single" "$work/sp" 4 "7 8 9"
grep -q "^invariant 7 broken: order G-1 .* ships from 2 warehouses; split = single allows 1" "$work/out" ||
    report bad "split = single: no finding names G-1"
# routing.csv (tests/cases/routes): a chosen warehouse the slips do not ship from, two
# rows out of rank order, and an order without a row.
copy tests/cases/routes/expected "$work/rt"
sed '/,R-3,/s/,NJ;BER,NJ,/,NJ;BER,BER,/' "$work/rt/routing.csv" >"$work/rt/r.tmp" && mv "$work/rt/r.tmp" "$work/rt/routing.csv"
fix_manifest "$work/rt"
expect "routing.csv names a warehouse the slips do not use" "$work/rt" 4 "8"
grep -q "^invariant 8 broken: routing.csv:4: order R-3 chosen \"BER\"; expected \"NJ\"" "$work/out" ||
    report bad "routing.csv chosen: no finding names R-3"
copy tests/cases/routes/expected "$work/rt"
awk 'NR == 2 { held = $0; next } NR == 3 { print; sub(/^1,/, "2,", held); print held; next } { print }' \
    "$work/rt/routing.csv" | sed '2s/^2,/1,/' >"$work/rt/r.tmp" && mv "$work/rt/r.tmp" "$work/rt/routing.csv"
fix_manifest "$work/rt"
expect "routing.csv out of rank order" "$work/rt" 4 "8"
grep -q "^invariant 8 broken: routing.csv:3: order R-1 comes after order R-2 in rank order" "$work/out" ||
    report bad "routing.csv rank: no finding names R-1 after R-2"
copy tests/cases/routes/expected "$work/rt"
sed -i '/,R-5,/d' "$work/rt/routing.csv"
fix_manifest "$work/rt"
expect "routing.csv without an order's row" "$work/rt" 4 "8"
grep -q "^invariant 8 broken: order R-5 .* reached allocation, but routing.csv has no row for it" "$work/out" ||
    report bad "routing.csv row: no finding names R-5"
# The replay (tests/cases/reserves_caps): Amazon's A-2 ranks before ebay's E-2, and the
# one tent the reserves leave is A-2's; handed to E-2 instead, with status, backorders
# and stock consistent, no bound is broken (the reserve and cap hold, nothing could have
# shipped more), and only the replay says whose the tent was. routing.csv is left (8).
copy tests/cases/reserves_caps/expected "$work/rc"
sed -i 's/^OUT-20261127-000005,A-2,amazon,/OUT-20261127-000005,E-2,ebay,/' "$work/rc/slips.csv"
sed -i 's/^A-2,amazon,SHIPPED,1,1,199.00,EUR,$/A-2,amazon,BACKORDERED,1,1,199.00,EUR,INSUFFICIENT_STOCK/;
        s/^E-2,ebay,BACKORDERED,1,1,199.00,EUR,INSUFFICIENT_STOCK$/E-2,ebay,SHIPPED,1,1,199.00,EUR,/' \
    "$work/rc/order_status.csv"
sed -i 's/^E-2,2026-11-26T08:05:00Z,\(.*\),ebay,,CU-E-2,/A-2,2026-11-26T08:04:00Z,\1,amazon,,CU-A-2,/' \
    "$work/rc/backorders.csv"
fix_manifest "$work/rc"
expect "the one tent handed to the later order" "$work/rc" 4 "4 8"
grep -q "^invariant 8 broken: order A-2 .* line 1: replaying the night in rank order under the policy ships 1 from EU; slips.csv ships nothing" "$work/out" ||
    report bad "replay: no finding names A-2's tent"
# An exchange replacement from a warehouse its original order's route does not allow
# (tests/cases/routes_exchange: the US customer's replacement from Berlin).
copy tests/cases/routes_exchange/expected "$work/sp"
move_line "$work/sp" RMA-20261127-000002 MUG NJ BER OUT-20261127-000002
expect "an exchange off its original order's route" "$work/sp" 4 "7 9"
grep -q "^invariant 7 broken: .*exchange RMA-20261127-000002 ships from BER, which its original order's route and channel do not allow" "$work/out" ||
    report bad "exchange route: no finding names RMA-20261127-000002"
# A correct night under reserve_release = second_pass (tests/cases/second_pass_split_verify):
# E-1 had its turn while W1 kept a mug for the web shop, so its split is right although
# W1 alone could ship it by the end of the night, when the reserve had let go.
copy tests/cases/second_pass_split_verify/expected "$work/sp"
expect "a split judged by the reserves of its turn" "$work/sp" 0 ""
# Issue 14's reserves and caps (tests/cases/reserves_caps): ebay's E-2 ships the tent
# the webshop's reserve keeps, and Amazon's A-3 a mug past its cap (40% of 7 = 2); each
# with its slip, stock, status and backorders made to match, the pick list (9) and
# routing.csv (8) left.
ship_open() { # dir order sku qty warehouse slip line-rest
    echo "$6,$2,$7" >>"$1/slips.csv"
    awk -F, -v OFS=, -v k="$3" -v w="$5" -v q="$4" '$1 == w && $2 == k { $3 -= q } { print }' \
        "$1/inventory.csv" >"$1/i.tmp" && mv "$1/i.tmp" "$1/inventory.csv"
    awk -F, -v OFS=, -v o="$2" '$1 == o { $3 = "SHIPPED"; $8 = "" } { print }' \
        "$1/order_status.csv" >"$1/s.tmp" && mv "$1/s.tmp" "$1/order_status.csv"
    awk -F, -v o="$2" '$1 != o' "$1/backorders.csv" >"$1/b.tmp" && mv "$1/b.tmp" "$1/backorders.csv"
    fix_manifest "$1"
}
copy tests/cases/reserves_caps/expected "$work/rc"
ship_open "$work/rc" E-2 TENT 1 EU OUT-20261127-000007 \
    "ebay,1,TENT,Tent 2P,1,199.00,199.00,EUR,EU,B-01,Dana Diaz,Via 4,Roma,,00100,IT,standard,2026-11-27"
expect "a channel takes another's reserve" "$work/rc" 4 "1 4 8 9"
grep -q "^invariant 1 broken: SKU TENT at EU: other channels than shop took 2, but of the 3 free before orders its reserve keeps 2, leaving them 1" "$work/out" ||
    report bad "reserve: no finding names the shop's tent reserve"
copy tests/cases/reserves_caps/expected "$work/rc"
ship_open "$work/rc" A-3 MUG 1 US OUT-20261127-000007 \
    "amazon,1,MUG,Enamel mug,1,12.00,12.00,EUR,US,A-01,Dana Diaz,Via 4,Roma,,00100,IT,standard,2026-11-27"
expect "a channel over its cap" "$work/rc" 4 "1 4 8 9"
grep -q "^invariant 1 broken: channel amazon got 3 of SKU MUG tonight; its cap allows 2" "$work/out" ||
    report bad "cap: no finding names amazon's mug cap"
# Issue 14's shortage rules. Proportional shares (tests/cases/shortage_proportional): A's
# two rakes go to P-4 and P-5, whose remainders tie with P-6's, in rank order; P-5's
# rake handed to P-6 instead, with status and backorders to match, breaks no bound and
# only the replay's rounds say whose it was.
copy tests/cases/shortage_proportional/expected "$work/sh"
sed -i 's/^OUT-20261127-000008,P-5,shop,/OUT-20261127-000008,P-6,shop,/' "$work/sh/slips.csv"
sed -i 's/^P-5,shop,SHIPPED,1,1,15.00,EUR,$/P-5,shop,BACKORDERED,1,1,15.00,EUR,INSUFFICIENT_STOCK/;
        s/^P-6,shop,BACKORDERED,1,1,15.00,EUR,INSUFFICIENT_STOCK$/P-6,shop,SHIPPED,1,1,15.00,EUR,/' \
    "$work/sh/order_status.csv"
sed -i 's/^P-6,2026-11-26T08:06:00Z,\(.*\),CU-P-6,/P-5,2026-11-26T08:05:00Z,\1,CU-P-5,/' \
    "$work/sh/backorders.csv"
fix_manifest "$work/sh"
expect "a tied rake handed to the later order" "$work/sh" 4 "4 8"
grep -q "^invariant 8 broken: order P-5 .* line 1: replaying the night in rank order under the policy ships 1 from A; slips.csv ships nothing" "$work/out" ||
    report bad "proportional: no finding names P-5's rake"
# The minima (tests/cases/min_fill): M-4's one kettle of two meets min_fill_line_pct = 50
# exactly but leaves the order at 50% < min_fill_order_pct = 60, so it went to M-5. Kept
# by M-4 instead (PARTIAL), with status and backorders to match, only the replay objects.
copy tests/cases/min_fill/expected "$work/mf"
sed -i 's/^OUT-20261127-000002,M-5,shop,/OUT-20261127-000002,M-4,shop,/' "$work/mf/slips.csv"
sed -i 's/^M-4,shop,BACKORDERED,1,2,80.00,EUR,INSUFFICIENT_STOCK$/M-4,shop,PARTIAL,1,1,40.00,EUR,INSUFFICIENT_STOCK/;
        s/^M-5,shop,SHIPPED,1,1,40.00,EUR,$/M-5,shop,BACKORDERED,1,1,40.00,EUR,INSUFFICIENT_STOCK/' \
    "$work/mf/order_status.csv"
sed -i 's/^\(M-4,.*,1,\)2,INSUFFICIENT_STOCK,80.00$/\11,INSUFFICIENT_STOCK,80.00/' \
    "$work/mf/backorders.csv"
grep '^M-4,' "$work/mf/backorders.csv" |
    sed 's/^M-4,2026-11-26T08:04:00Z,K,2,\(.*\),CU-M-4,\(.*\),1,1,INSUFFICIENT_STOCK,80.00$/M-5,2026-11-26T08:05:00Z,K,1,\1,CU-M-5,\2,1,1,INSUFFICIENT_STOCK,40.00/' \
    >>"$work/mf/backorders.csv"
fix_manifest "$work/mf"
expect "a shipment below min_fill_order_pct kept" "$work/mf" 4 "4 8"
grep -q "^invariant 8 broken: order M-4 .* line 1: replaying the night in rank order under the policy ships nothing; slips.csv ships 1 from A" "$work/out" ||
    report bad "min_fill: no finding names M-4's kettle"
# Copies of an order (issue 15, tests/cases/order_copies): B-1's backorders copy goes on
# and its export copy is DUPLICATE_ORDER. Labelled ORDER_AMENDED instead, only the status
# check objects; given a status row of its own, only invariant 3 does.
copy tests/cases/order_copies/expected "$work/cp"
sed -i 's/^\(tests\/cases\/order_copies\/input\/orders_export.csv,3,B-1,\)DUPLICATE_ORDER,/\1ORDER_AMENDED,/' \
    "$work/cp/exceptions.csv"
fix_manifest "$work/cp"
expect "a copy set aside with the wrong code" "$work/cp" 4 "8"
grep -q "^invariant 8 broken: order B-1 (tests/cases/order_copies/input/orders_export.csv:3) is a copy another copy goes on instead of, but exceptions.csv has no DUPLICATE_ORDER for it" "$work/out" ||
    report bad "copies: no finding names B-1's export copy"
copy tests/cases/order_copies/expected "$work/cp"
sed -i 's/^B-1,shop,SHIPPED,1,1,10.00,EUR,$/&\nB-1,shop,REJECTED,1,3,30.00,EUR,DUPLICATE_ORDER/' \
    "$work/cp/order_status.csv"
fix_manifest "$work/cp"
expect "a copy set aside with a status row" "$work/cp" 4 "3 4"
cd "$work" || exit 1

# A copy code on an order that goes on (issue 15): backordered SHOP-10045 relabelled
# REJECTED ORDER_CHANGED_AFTER_SHIPMENT with an exception to match, out of backorders.csv:
# the status check sees it has units outstanding (and the alerts lose its demand).
copy night1 c
sed -i 's/^SHOP-10045,shop,BACKORDERED,\(.*\),INSUFFICIENT_STOCK$/SHOP-10045,shop,REJECTED,\1,ORDER_CHANGED_AFTER_SHIPMENT/' \
    c/order_status.csv
printf 'samples/orders_shop.csv,71,SHOP-10045,ORDER_CHANGED_AFTER_SHIPMENT,order_id,made up\n' >>c/exceptions.csv
sed -i '/^SHOP-10045,/d' c/backorders.csv
fix_manifest c
expect "a copy code on the order that goes on" c 4 "4 8 9"
grep -q "^invariant 8 broken: order SHOP-10045 (samples/orders_shop.csv:71) is rejected as ORDER_CHANGED_AFTER_SHIPMENT, but 3 units of it are outstanding" "$work/out" ||
    report bad "copy code: no finding names SHOP-10045's outstanding units"

# Oversell: a slip line ships 1000 more; tomorrow's inventory and the manifest agree.
copy night1 c && n=$(pick c/slips.csv ',MAIN,') && sku=$(sed -n "${n}p" c/slips.csv | cut -d, -f5)
edit_line c/slips.csv "$n" '$7 += 1000'
m=$(awk -F, -v s="$sku" 'NR > 1 && $1 == s && $2 == "MAIN" { print NR }' c/inventory.csv)
edit_line c/inventory.csv "$m" '$3 -= 1000'
fix_manifest c
expect "oversell with everything else fixed up" c 4 "1 7 8 9"
grep -q "^invariant 1 broken: SKU $sku at MAIN shipped .* > available .*slips.csv lines .*$n" \
    "$work/out" || report bad "oversell: the finding does not name SKU $sku and slips.csv line $n"

# The same edit with only the manifest recomputed: invariant 6 holds, 1 and 2 do not.
copy night1 c && edit_line c/slips.csv "$n" '$7 += 1000' && fix_manifest c
expect "oversell hidden by a rewritten manifest" c 4 "1 2 7 8 9"

copy night1 c && n=$(pick c/inventory.csv .) && edit_line c/inventory.csv "$n" '$3 += 1'
fix_manifest c
expect "stock arithmetic: inventory.csv on_hand changed" c 4 "2"

copy night1 c && n=$(pick c/order_status.csv ',REJECTED,')
id=$(sed -n "${n}p" c/order_status.csv | cut -d, -f1)
sed -i "${n}d" c/order_status.csv && fix_manifest c
expect "missing order_status row" c 4 "3 4"
grep -q "order $id .* has no row in order_status.csv" "$work/out" ||
    report bad "missing status: the finding does not name order $id"

copy night1 c && n=$(pick c/order_status.csv ',REJECTED,')
sed -i "${n}p" c/order_status.csv && fix_manifest c
expect "duplicated order_status row" c 4 "3 4"

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
expect "slip line_amount changed" c 4 "4 7"

copy night2 c && n=$(pick c/returns_ledger.csv ',refund,APPROVED,')
edit_line c/returns_ledger.csv "$n" '$11 = sprintf("%.2f", $11 + 1)'
fix_manifest c
expect "ledger refund_amount changed" c 4 "4"

# order_totals.csv and summary.json's by_channel (issue 16): each edit is caught by
# invariant 4 alone.
copy night1 c && n=$(pick c/order_totals.csv ',SHIPPED,')
edit_line c/order_totals.csv "$n" '$11 = "BACKORDERED"; $12 = ""'
fix_manifest c
expect "an order_totals.csv status changed" c 4 "4"
grep -q "^invariant 4 broken: order_totals.csv line $n: status \"BACKORDERED\" but order_status.csv line $n has \"SHIPPED\"" \
    "$work/out" || report bad "order_totals status: the finding does not name line $n"

copy night1 c && n=$(pick c/order_totals.csv ',SHIPPED,')
edit_line c/order_totals.csv "$n" '$4 = sprintf("%.2f", $4 + 1); $8 = sprintf("%.2f", $8 + 1)'
fix_manifest c
expect "order_totals.csv items and total raised together" c 4 "4"
grep -q "^invariant 4 broken: order_totals.csv line $n: items .*, but the order's .* come to" \
    "$work/out" || report bad "order_totals items: the finding does not name line $n"

copy night1 c && n=$(pick c/order_totals.csv ',SHIPPED,')
edit_line c/order_totals.csv "$n" '$8 = sprintf("%.2f", $8 + 1)'
fix_manifest c
expect "order_totals.csv order_total that does not add up" c 4 "4"

copy night1 c && n=$(pick c/order_totals.csv ',SHIPPED,2026')
edit_line c/order_totals.csv "$n" '$12 = "2026-01-01"'
fix_manifest c
expect "order_totals.csv ship_date not the run date" c 4 "4"

copy night1 c
sed -i '/"by_channel"/,/]/ s/"shipped": "\([0-9]*\)\.\([0-9]*\)"/"shipped": "1\1.\2"/' c/summary.json
fix_manifest c
expect "summary.json by_channel shipped changed" c 4 "4"
grep -q '^invariant 4 broken: channel ".*" EUR: slips ship .*, summary.json by_channel says shipped' \
    "$work/out" || report bad "by_channel: the finding does not name the channel"

copy night2 c
sed -i '/"by_channel"/,/]/ s/"refunded": "[1-9][0-9]*\.\([0-9]*\)"/"refunded": "0.\1"/' c/summary.json
fix_manifest c
expect "summary.json by_channel refunded changed" c 4 "4"

copy night1 c && sed -i '2s/,/;/' c/picklist.csv
expect "an output byte changed, manifest not fixed" c 4 "6"

cp samples/catalog.csv "$work/catalog.orig" && echo >>samples/catalog.csv
expect "an input changed" night1 4 "6"
grep -q "input samples/catalog.csv (catalog) changed" "$work/out" ||
    report bad "input changed: the finding does not name samples/catalog.csv"
cp "$work/catalog.orig" samples/catalog.csv

# Night 2's own slips given as history to night 2's outputs: every slip ships twice.
expect "night 2 checked against its own slips ships twice" night2 4 "5 6 7 8" \
    --history night1/slips.csv --history night2/slips.csv

# ---- corruptions that change what ships (issue 12, item 3) -------------------------------
# Regression (issue 12, 2026-12-06): each of these passed verify with the manifest (and
# every figure the old checks recounted) fixed up; each is now caught from the inputs.

# Add delta to on_hand of (sku, warehouse) in dir/inventory.csv.
inv_add() { # dir sku warehouse delta
    awk -F, -v OFS=, -v s="$2" -v w="$3" -v d="$4" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
        NR > 1 && $c["sku"] == s && $c["warehouse"] == w { $c["on_hand"] += d } { print }' \
        "$1/inventory.csv" >"$1/inv.tmp" && mv "$1/inv.tmp" "$1/inventory.csv"
}

# First quote-free EUR slip line at MAIN whose SKU has at least $2 free units left there.
spare_line() { # dir units
    awk -F, -v u="$2" 'NR == FNR { if (FNR > 1 && $2 == "MAIN" && $3 - $6 >= u) ok[$1] = 1; next }
        FNR > 1 && $11 == "MAIN" && $10 == "EUR" && ok[$5] && index($0, "\"") == 0 { print FNR; exit }' \
        "$1/inventory.csv" "$1/slips.csv"
}
field() { # file line n
    sed -n "$2p" "$1" | cut -d, -f"$3"
}

# A slip's ship-to redirected.
copy night1 c && n=$(pick c/slips.csv ',MAIN,') && edit_line c/slips.csv "$n" '$15 = "Elsewhere"'
fix_manifest c
expect "a slip's ship_city redirected" c 4 "7"
grep -q "^invariant 7 broken: slips.csv:$n: .*ship_city \"Elsewhere\"" "$work/out" ||
    report bad "ship-to: the finding does not name slips.csv:$n and the city"

# A slip line ships another SKU (name and bin of that SKU, stock moved to match).
copy night1 c && n=$(pick c/slips.csv ',MAIN,')
a=$(field c/slips.csv "$n" 5) q=$(field c/slips.csv "$n" 7)
b=$(awk -F, -v a="$a" 'NR == FNR { if (FNR > 1 && index($0, "\"") == 0) clean[$1] = 1; next }
    FNR > 1 && $2 == "MAIN" && $1 != a && clean[$1] && $3 - $6 > best { best = $3 - $6; s = $1 }
    END { print s }' samples/catalog.csv c/inventory.csv)
bname=$(awk -F, -v s="$b" '$1 == s { print $2 }' samples/catalog.csv)
bbin=$(awk -F, -v s="$b" '$1 == s { print $9 }' samples/catalog.csv)
edit_line c/slips.csv "$n" "\$5 = \"$b\"; \$6 = \"$bname\"; \$12 = \"$bbin\""
inv_add c "$a" MAIN "$q" && inv_add c "$b" MAIN "-$q"
fix_manifest c
expect "a slip line ships another SKU" c 4 "7 9"
grep -q "^invariant 7 broken: slips.csv:$n: .*SKU $b" "$work/out" ||
    report bad "another SKU: the finding does not name slips.csv:$n and SKU $b"

# A slip line ships 5 more units at the same amount (stock taken to match).
copy night1 c && n=$(spare_line c 5) && sku=$(field c/slips.csv "$n" 5)
edit_line c/slips.csv "$n" '$7 += 5' && inv_add c "$sku" MAIN -5 && fix_manifest c
expect "a slip line ships 5 more units at the same amount" c 4 "7 8 9"

# A slip's unit_price changed, its line_amount kept.
copy night1 c && n=$(pick c/slips.csv ',EUR,')
edit_line c/slips.csv "$n" '$8 = sprintf("%.2f", $8 + 1)' && fix_manifest c
expect "a slip unit_price no longer the order's" c 4 "7"

# A REJECTED order shipped: a slip line for it, its status SHIPPED for that amount, the
# stock taken.
copy night1 c
s=$(awk -F, 'NR > 1 && $3 == "REJECTED" && $7 == "EUR" && $6 != "" && index($0, "\"") == 0 {
    print NR; exit }' c/order_status.csv)
id=$(field c/order_status.csv "$s" 1) ch=$(field c/order_status.csv "$s" 2)
n=$(spare_line c 1) && sku=$(field c/slips.csv "$n" 5) && price=$(field c/slips.csv "$n" 8)
sed -n "${n}p" c/slips.csv | awk -F, -v OFS=, -v id="$id" -v ch="$ch" \
    '{ $1 = "OUT-20261127-999999"; $2 = id; $3 = ch; $4 = 1; $7 = 1; $9 = $8; print }' >>c/slips.csv
edit_line c/order_status.csv "$s" "\$3 = \"SHIPPED\"; \$4 = 1; \$5 = 1; \$6 = \"$price\"; \$8 = \"\""
inv_add c "$sku" MAIN -1 && fix_manifest c
expect "a REJECTED order shipped" c 4 "4 7 8 9"
grep -q "^invariant 8 broken: .*order $id .*REJECTED" "$work/out" ||
    report bad "rejected shipped: the finding does not name order $id and its rejection"

# A SHIPPED order flipped to BACKORDERED: its slip lines removed, their stock put back, and
# nothing added to backorders.csv.
copy night1 c
id=$(awk -F, 'NR == FNR { if (FNR > 1) { if (index($0, "\"")) bad[$2] = 1; else has[$2] = 1 }; next }
    FNR > 1 && $3 == "SHIPPED" && $7 == "EUR" && has[$1] && !bad[$1] && index($0, "\"") == 0 {
    print $1; exit }' c/slips.csv c/order_status.csv)
awk -F, -v id="$id" 'NR > 1 && $2 == id { print $5, $11, $7 }' c/slips.csv >"$work/moved"
while read -r sku wh q; do inv_add c "$sku" "$wh" "$q"; done <"$work/moved"
awk -F, -v id="$id" '$2 != id' c/slips.csv >c/slips.tmp && mv c/slips.tmp c/slips.csv
s=$(awk -F, -v id="$id" '$1 == id { print NR }' c/order_status.csv)
edit_line c/order_status.csv "$s" '$3 = "BACKORDERED"; $8 = "INSUFFICIENT_STOCK"' && fix_manifest c
expect "a SHIPPED order flipped to BACKORDERED, not in backorders.csv" c 4 "4 8 9"
grep -q "^invariant 8 broken: .*order $id .*backorders.csv" "$work/out" ||
    report bad "flipped to BACKORDERED: no finding names order $id missing from backorders.csv"

# A backordered order's rows dropped from backorders.csv.
copy night1 c && id=$(field c/backorders.csv 2 1)
awk -F, -v id="$id" '$1 != id' c/backorders.csv >c/bo.tmp && mv c/bo.tmp c/backorders.csv
fix_manifest c
expect "a backordered order's rows dropped from backorders.csv" c 4 "8"
grep -q "^invariant 8 broken: order $id .*line 1 .*no row in backorders.csv" "$work/out" ||
    report bad "backorders dropped: the finding does not name order $id line 1"

# Status figures: a SHIPPED row's units changed.
copy night1 c && n=$(pick c/order_status.csv ',SHIPPED,') && edit_line c/order_status.csv "$n" '$5 += 1'
fix_manifest c
expect "an order_status units changed" c 4 "8"

# A backordered order that could have shipped: stock added to the input inventory (and so
# to tomorrow's) at MAIN for every SKU of a backordered order.
copy night1 c && cp samples/inventory.csv "$work/inventory.orig"
id=$(awk -F, 'NR == FNR { if ($2 == "MAIN") stocked[$1] = 1; next }
    FNR > 1 { if (!($1 in ok)) { ok[$1] = 1; order[++k] = $1 }; if (!stocked[$3]) ok[$1] = 0 }
    END { for (i = 1; i <= k; i++) if (ok[order[i]]) { print order[i]; exit } }' \
    samples/inventory.csv c/backorders.csv)
for sku in $(awk -F, -v id="$id" '$1 == id { print $3 }' c/backorders.csv | sort -u); do
    awk -F, -v OFS=, -v s="$sku" '$1 == s && $2 == "MAIN" { $3 += 1000 } { print }' \
        samples/inventory.csv >"$work/inv.tmp" && mv "$work/inv.tmp" samples/inventory.csv
    inv_add c "$sku" MAIN 1000
done
fix_manifest c
expect "a backordered order that could have shipped" c 4 "8 9"
grep -q "^invariant 8 broken: .*order $id .*could have shipped" "$work/out" ||
    report bad "could have shipped: the finding does not name order $id"
cp "$work/inventory.orig" samples/inventory.csv

# The pick list and the alerts, recounted from the slips and the stock.
copy night1 c && edit_line c/picklist.csv 2 '$5 += 1' && fix_manifest c
expect "a picklist qty changed" c 4 "9"
copy night1 c && sed -i 2d c/alerts.csv && fix_manifest c
expect "an alert row deleted" c 4 "9"

# An exchange replacement inflated (night 2), the stock taken to match.
copy night2 c && n=$(awk -F, '$2 ~ /^RMA-/ && $5 == "PACK-35L" { print NR; exit }' c/slips.csv)
edit_line c/slips.csv "$n" '$7 += 1' && inv_add c PACK-35L MAIN -1 && fix_manifest c
expect "an exchange replacement inflated" c 4 "7 9"
grep -q "^invariant 7 broken: slips.csv:$n: .*RMA-" "$work/out" ||
    report bad "exchange inflated: the finding does not name slips.csv:$n"

# Four outputs deleted together with their manifest entries.
copy night1 c && rm c/picklist.csv c/backorders.csv c/alerts.csv c/returns_analysis.csv
awk -v drop=" picklist.csv backorders.csv alerts.csv returns_analysis.csv " '
    /"outputs": \[/ { print; inout = 1; next }
    inout && /^  \]/ { for (i = 1; i <= k; i++) printf "%s%s\n", kept[i], i < k ? "," : ""
                       inout = 0; print; next }
    inout && /^    \{/ { obj = $0; next }
    inout && /^    \}/ { if (index(drop, " " name " ") == 0) kept[++k] = obj "\n    }"; next }
    inout { obj = obj "\n" $0; if ($0 ~ /"name": "/) { name = $0; sub(/.*"name": "/, "", name)
            sub(/".*/, "", name) }; next }
    { print }' c/manifest.json >c/m.tmp && mv c/m.tmp c/manifest.json
fix_manifest c
expect "four outputs deleted with their manifest entries" c 4 "6"
for f in picklist.csv backorders.csv alerts.csv returns_analysis.csv; do
    grep -q "^invariant 6 broken: $f is missing" "$work/out" ||
        report bad "outputs deleted: no finding says $f is missing"
done

# Special files: a manifest naming /dev/zero as an input, an output that is a FIFO. Each is
# refused by name (exit 3) without being read, so verify cannot hang on it.
copy night1 c && sed -i 's#"path": "samples/catalog.csv"#"path": "/dev/zero"#' c/manifest.json
timeout 20 "$bin" verify c >"$work/out" 2>"$work/err"
rc=$?
[ $rc = 3 ] && grep -q '/dev/zero.*not a regular file' "$work/err" &&
    report ok "a manifest naming /dev/zero is refused" ||
    report bad "manifest naming /dev/zero: exit $rc, expected 3 naming it"
copy night1 c && rm c/picklist.csv && mkfifo c/picklist.csv
timeout 20 "$bin" verify c >"$work/out" 2>"$work/err"
rc=$?
[ $rc = 3 ] && grep -q 'picklist.csv.*not a regular file' "$work/err" &&
    report ok "an output that is a FIFO is refused" ||
    report bad "output FIFO: exit $rc, expected 3 naming it"

# ---- usage and unreadable ----------------------------------------------------------------
"$bin" verify --help >"$work/out" 2>&1
[ $? = 0 ] && grep -q 'invariant\|Exit codes' "$work/out" && report ok "verify --help" ||
    report bad "verify --help: exit 0 with the checks described"
"$bin" verify >/dev/null 2>&1
[ $? = 2 ] && report ok "verify without DIR: exit 2" || report bad "verify without DIR: exit 2"
"$bin" verify night1 --frobnicate >/dev/null 2>&1
[ $? = 2 ] && report ok "verify unknown flag: exit 2" || report bad "verify unknown flag: exit 2"
"$bin" verify no-such-dir >"$work/out" 2>&1
[ $? = 3 ] && report ok "verify of a missing folder: exit 3" || report bad "missing folder: exit 3"
# Issue 15: nothing was checked, so no invariant "holds"; each says why.
[ "$(grep -c ' not checked: the run folder does not exist$' "$work/out")" = 9 ] &&
    ! grep -q ' holds' "$work/out" && report ok "a missing folder: all 9 not checked" ||
    report bad "a missing folder: every invariant must say not checked"
# An input that is gone: named once, and the invariants that need it are not checked.
copy night1 c && mv samples/orders_wholesale.csv "$work/wholesale.keep"
"$bin" verify c >"$work/out" 2>"$work/err"
rc=$?
mv "$work/wholesale.keep" samples/orders_wholesale.csv
[ $rc = 3 ] && [ "$(grep -c 'orders_wholesale.csv' "$work/err")" = 1 ] &&
    ! grep -Eq '^  (3|5|6|7|8) .* holds' "$work/out" &&
    grep -q '^  6 .* not checked: 1 of 6 inputs could not be read' "$work/out" &&
    report ok "an input gone: named once, its invariants not checked" ||
    { report bad "an input gone: exit $rc, named once, 3 5 6 7 8 not checked"; cat "$work/out" "$work/err"; }
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
