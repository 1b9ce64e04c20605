#!/bin/sh
# End-to-end tests of what slipway trusts in --history (issue 12, 2026-12-06):
#
#   waves        two runs with the same --run-date (a morning and an afternoon wave):
#                the afternoon continues the morning's slip and return numbers, and a
#                later night given both waves' slips ships neither order again
#   old waves    the same with two slip files that both start at OUT-...-000001 (as an
#                older slipway wrote them): history tells the orders apart by order id
#   copies       the same history path twice is refused; a byte-identical copy under
#                another name is skipped with a warning and changes no output
#   manifest     a history file beside its run's manifest.json must be the one that run
#                wrote: an edited slips.csv is refused, named; files without a manifest
#                beside them are taken as given
#   foreign      a history file none of whose SKUs is in the catalog gets a warning
#   folders      --history takes one run folder (with manifest.json) or a folder of run
#                folders, in name order, hidden entries skipped; anything else is refused
#   channels     an order is (channel, order id): the same number from two channels is two
#                orders that both ship, both are recognised the next night, a return
#                names its channel when the id is on two, and fed-back backorders keep it
#
# Every night is small enough to check by hand; the files are written below. Status rows
# are sorted by order id, then source path (market.csv before shop.csv). KEEP=1 keeps the
# scratch folder.
#
# usage: sh tests/history.sh path/to/slipway      (from the repository root)
set -u
if [ $# -ne 1 ]; then
    echo "usage: sh tests/history.sh path/to/slipway" >&2
    exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
LC_ALL=C
export LC_ALL
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-history.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$work" || exit 1
pass=0
fail=0

report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

# check name command...: the command must succeed.
check() {
    name=$1
    shift
    if "$@"; then report ok "$name"; else report bad "$name"; fi
}

# run name exit-code args...: slipway run into name/, expecting the exit code.
run() {
    name=$1 want=$2
    shift 2
    "$bin" run "$@" --threads 2 --out "$name" >"$name.stdout" 2>"$name.stderr"
    got=$?
    if [ "$got" != "$want" ]; then
        report bad "$name: exit $got, expected $want"
        sed 's/^/    /' "$name.stderr" | head -5
        return 1
    fi
    report ok "$name: exit $want"
}

# Column of a CSV output (no quoted fields in these nights), without the header.
col() { # file column-name
    awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }' "$1"
}

cat >catalog.csv <<'EOF'
sku,name,status,list_price,min_price,currency
MUG,Mug,active,10.00,5.00,EUR
CAP,Cap,active,15.00,5.00,EUR
EOF
cat >inventory.csv <<'EOF'
sku,on_hand
MUG,100
CAP,100
EOF
H=order_id,order_time,sku,qty,unit_price,currency,ship_name,ship_street,ship_city,ship_country
REF="--catalog catalog.csv"

# ---- waves -------------------------------------------------------------------------------
# Night 0 ships E-0, so that each wave can approve a return against it.
printf '%s\nE-0,2026-11-25T08:00:00Z,MUG,4,10.00,EUR,Eve,St 0,Town,DE\n' "$H" >night0.csv
printf '%s\nA-1,2026-11-26T08:00:00Z,MUG,1,10.00,EUR,Ann,St 1,Town,DE\n' "$H" >morning.csv
printf '%s\nB-2,2026-11-26T12:00:00Z,MUG,1,10.00,EUR,Bob,St 2,Town,DE\n' "$H" >afternoon.csv
R=request_id,order_id,sku,qty,reason,condition
printf '%s\nR-1,E-0,MUG,1,too big,new\n' "$R" >returns_morning.csv
printf '%s\nR-2,E-0,MUG,1,too small,new\n' "$R" >returns_afternoon.csv

run night0 0 $REF --inventory inventory.csv --orders night0.csv --run-date 2026-11-26
run morning 0 $REF --inventory night0/inventory.csv --orders morning.csv \
    --returns returns_morning.csv --history night0/slips.csv --run-date 2026-11-27
run afternoon 0 $REF --inventory morning/inventory.csv --orders afternoon.csv \
    --returns returns_afternoon.csv --history night0/slips.csv --history morning/slips.csv \
    --history morning/returns_ledger.csv --run-date 2026-11-27
check "morning wave: slip OUT-20261127-000001" \
    test "$(col morning/slips.csv slip_no)" = OUT-20261127-000001
check "afternoon wave continues the morning's slip numbers: OUT-20261127-000002" \
    test "$(col afternoon/slips.csv slip_no)" = OUT-20261127-000002
check "morning wave: return RMA-20261127-000001" \
    test "$(col morning/returns_ledger.csv return_no)" = RMA-20261127-000001
check "afternoon wave continues the morning's return numbers: RMA-20261127-000002" \
    test "$(col afternoon/returns_ledger.csv return_no)" = RMA-20261127-000002

# The next night the marketplace re-sends both orders; both waves are history.
cat morning.csv >resend.csv && tail -n 1 afternoon.csv >>resend.csv
run next 0 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history morning/slips.csv --history afternoon/slips.csv --run-date 2026-11-28
check "both waves as history: nothing ships again" test "$(col next/slips.csv slip_no)" = ""
check "both waves as history: both orders DUPLICATE_ORDER" \
    test "$(col next/order_status.csv code | tr '\n' ' ')" = "DUPLICATE_ORDER DUPLICATE_ORDER "

# ---- old waves ---------------------------------------------------------------------------
# Two waves numbered from 000001 each, as a slipway before this fix wrote them: the same
# slip number, line, SKU, warehouse, qty and amount, for two different orders.
S=slip_no,order_id,channel,line_no,sku,name,qty,unit_price,line_amount,currency,warehouse,bin,ship_name,ship_street,ship_city,ship_region,ship_postal,ship_country,ship_service,ship_date
printf '%s\nOUT-20261127-000001,A-1,,1,MUG,Mug,1,10.00,10.00,EUR,MAIN,,Ann,St 1,Town,,,DE,,2026-11-27\n' \
    "$S" >old_morning.csv
printf '%s\nOUT-20261127-000001,B-2,,1,MUG,Mug,1,10.00,10.00,EUR,MAIN,,Bob,St 2,Town,,,DE,,2026-11-27\n' \
    "$S" >old_afternoon.csv
run old 0 $REF --inventory inventory.csv --orders resend.csv \
    --history old_morning.csv --history old_afternoon.csv --run-date 2026-11-28
check "old waves numbered alike: nothing ships again" test "$(col old/slips.csv slip_no)" = ""
check "old waves numbered alike: both orders DUPLICATE_ORDER" \
    test "$(col old/order_status.csv code | tr '\n' ' ')" = "DUPLICATE_ORDER DUPLICATE_ORDER "

# ---- copies ------------------------------------------------------------------------------
run same_path 3 $REF --inventory inventory.csv --orders resend.csv \
    --history morning/slips.csv --history morning/slips.csv --run-date 2026-11-28
check "the same history path twice is refused, naming it" \
    grep -q 'morning/slips.csv.*given twice' same_path.stderr
cp morning/slips.csv morning_copy.csv
run with_copy 0 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history morning/slips.csv --history afternoon/slips.csv --history morning_copy.csv \
    --run-date 2026-11-28
check "a byte-identical copy is skipped with a warning naming both files" \
    grep -q 'warning: .*morning_copy.csv.*same bytes as morning/slips.csv.*skipped' with_copy.stderr
for f in slips.csv order_status.csv exceptions.csv inventory.csv; do
    check "a skipped copy changes nothing: $f" cmp -s next/$f with_copy/$f
done

# ---- manifest ---------------------------------------------------------------------------
# Someone edits the morning's slips so that A-1 looks unshipped (its line moved to an
# order that does not exist): without the check, A-1 ships again.
cp -r morning edited && sed -i 's/,A-1,/,Z-9,/' edited/slips.csv
run edited_history 3 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history edited/slips.csv --history afternoon/slips.csv --run-date 2026-11-28
check "an edited history file beside its run's manifest is refused, naming it" \
    grep -q 'edited/slips.csv: this history file is not the one its run wrote' \
    edited_history.stderr
run edited_folder 3 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history edited --run-date 2026-11-28
check "the same through the run folder" \
    grep -q 'edited/slips.csv: this history file is not the one its run wrote' edited_folder.stderr
cp morning/slips.csv edited/other.csv
run unlisted 3 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history edited/other.csv --run-date 2026-11-28
check "a file beside a manifest that does not list it is refused" \
    grep -q 'edited/other.csv: .*manifest.json that does not list it' unlisted.stderr
mkdir loose_history && cp edited/slips.csv loose_history/slips.csv
run loose 0 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history loose_history/slips.csv --history afternoon/slips.csv --run-date 2026-11-28
check "a history file with no manifest beside it is taken as given (A-1 ships: the edit wins)" \
    test "$(col loose/slips.csv order_id)" = A-1

# ---- foreign ----------------------------------------------------------------------------
printf '%s\nOUT-20261120-000001,A-1,,1,BIKE-9,Bike,1,10.00,10.00,EUR,MAIN,,Ann,St 1,Town,,,DE,,2026-11-20\n' \
    "$S" >other_shop.csv
run foreign 0 $REF --inventory inventory.csv --orders morning.csv --history other_shop.csv \
    --run-date 2026-11-28
check "a history file of another shop's SKUs gets a warning naming it" \
    grep -q "warning: none of the 1 rows of history file other_shop.csv names a SKU of the catalog" \
    foreign.stderr
check "our own history gets no such warning" \
    test -z "$(grep "names a SKU" next.stderr)"

# ---- folders ----------------------------------------------------------------------------
run one_folder 0 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history morning --history afternoon --run-date 2026-11-28
for f in slips.csv order_status.csv exceptions.csv inventory.csv; do
    check "run folders as --history read like their files: $f" cmp -s next/$f one_folder/$f
done
mkdir runs && cp -r morning runs/2026-11-27a && cp -r afternoon runs/2026-11-27b &&
    mkdir runs/.runs.tmp-123-abcdef01
run runs_folder 0 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history runs --run-date 2026-11-28
for f in slips.csv order_status.csv exceptions.csv inventory.csv; do
    check "a folder of run folders reads each run: $f" cmp -s next/$f runs_folder/$f
done
check "a folder of runs is listed in name order in the manifest" \
    test "$(grep -o '"path": "runs/[^"]*"' runs_folder/manifest.json | tr '\n' ' ')" = \
    '"path": "runs/2026-11-27a/slips.csv" "path": "runs/2026-11-27a/returns_ledger.csv" "path": "runs/2026-11-27b/slips.csv" "path": "runs/2026-11-27b/returns_ledger.csv" '
echo notes >runs/README.txt
run runs_stray 3 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history runs --run-date 2026-11-28
check "a stray file in a folder of runs is refused, naming it" \
    grep -q 'runs: README.txt: not a run folder' runs_stray.stderr
rm runs/README.txt && cp -r runs runs_bad && rm runs_bad/2026-11-27b/slips.csv
run runs_incomplete 3 $REF --inventory afternoon/inventory.csv --orders resend.csv \
    --history runs_bad --run-date 2026-11-28
check "a run folder without its slips is refused, naming it" \
    grep -q 'runs_bad: 2026-11-27b: .*no slips.csv' runs_incomplete.stderr

# ---- channels ---------------------------------------------------------------------------
HC=order_id,order_time,sku,qty,unit_price,currency,channel,ship_name,ship_street,ship_city,ship_country
printf '%s\nC-8,2026-11-26T09:00:00Z,MUG,1,10.00,EUR,shop,Ann,St 1,Town,DE\n' "$HC" >shop.csv
printf '%s\nC-8,2026-11-26T10:00:00Z,CAP,2,15.00,EUR,marketplace,Bob,St 2,Town,DE\n' "$HC" >market.csv
run two_channels 0 $REF --inventory inventory.csv --orders shop.csv --orders market.csv \
    --run-date 2026-11-27
check "the same order number on two channels: two orders, both SHIPPED" \
    test "$(awk -F, 'NR > 1 { print $2 "/" $3 }' two_channels/order_status.csv | tr '\n' ' ')" = \
    "marketplace/SHIPPED shop/SHIPPED "
check "the same order number on two channels: no exception" \
    test "$(wc -l <two_channels/exceptions.csv)" = 1
# Re-sent the next night (the marketplace's copy first this time): both already shipped.
run two_channels_again 0 $REF --inventory two_channels/inventory.csv --orders market.csv \
    --orders shop.csv --history two_channels/slips.csv --run-date 2026-11-28
check "both channels' orders re-sent with history: both DUPLICATE_ORDER, nothing ships" \
    test "$(col two_channels_again/order_status.csv code | tr '\n' ' ')$(col two_channels_again/slips.csv sku)" = \
    "DUPLICATE_ORDER DUPLICATE_ORDER "
# A copy of the shop's order in a later file is still a re-sent copy.
run resent_same_channel 0 $REF --inventory inventory.csv --orders shop.csv --orders shop.csv \
    --run-date 2026-11-27
check "the same (channel, order id) in a later file: one status row, SHIPPED" \
    test "$(col resent_same_channel/order_status.csv status | tr '\n' ' ')" = "SHIPPED "
check "the same (channel, order id) in a later file: its row is DUPLICATE_ORDER" \
    test "$(col resent_same_channel/exceptions.csv code | tr '\n' ' ')" = "DUPLICATE_ORDER "
# Returns: without a channel column, an id on two channels cannot be told apart.
printf '%s\nR-8,C-8,CAP,1,too big,new\n' "$R" >returns_nochannel.csv
run return_ambiguous 0 $REF --inventory two_channels/inventory.csv --orders night0.csv \
    --returns returns_nochannel.csv --history two_channels/slips.csv --run-date 2026-11-28
check "a return for an id on two channels without a channel: RETURN_UNKNOWN_ORDER naming both" \
    grep -q 'R-8,RETURN_UNKNOWN_ORDER,order_id,.*shipped on 2 channels.*channel column' \
    return_ambiguous/exceptions.csv
printf '%s,channel\nR-8,C-8,CAP,1,too big,new,marketplace\n' "$R" >returns_channel.csv
run return_channel 0 $REF --inventory two_channels/inventory.csv --orders night0.csv \
    --returns returns_channel.csv --history two_channels/slips.csv --run-date 2026-11-28
check "a return naming its channel: approved against that channel's order, channel in the ledger" \
    test "$(awk -F, 'NR == 2 { print $9 "/" $11 "/" $16 }' return_channel/returns_ledger.csv)" = \
    "APPROVED/15.00/marketplace"
# Fed-back backorders keep the channel: the marketplace's C-8 waits for CAP; the next
# night it comes back with the shop's C-8 (already shipped) in history and ships alone.
printf 'sku,on_hand\nMUG,100\nCAP,0\n' >inventory_nocap.csv
run short 0 $REF --inventory inventory_nocap.csv --orders shop.csv --orders market.csv \
    --run-date 2026-11-27
check "the marketplace's C-8 is backordered, the shop's ships" \
    test "$(awk -F, 'NR > 1 { print $2 "/" $3 }' short/order_status.csv | tr '\n' ' ')" = \
    "marketplace/BACKORDERED shop/SHIPPED "
run fed_back 0 $REF --inventory inventory.csv --orders short/backorders.csv --orders shop.csv \
    --history short/slips.csv --run-date 2026-11-28
check "fed back, the backordered marketplace order ships; the shop's copy is a duplicate" \
    test "$(awk -F, 'NR > 1 { print $2 "/" $3 }' fed_back/order_status.csv | tr '\n' ' ')" = \
    "shop/REJECTED marketplace/SHIPPED "

# ---- every committed night verifies -------------------------------------------------------
# slipway verify recounts each from its inputs (engine/verify/): same-date waves, copies,
# folders of runs and two channels with one order number must all hold there too.
for d in */manifest.json; do
    d=${d%/manifest.json}
    case $d in runs | runs_bad | edited) continue ;; esac
    "$bin" verify "$d" >"$d.verify" 2>&1
    rc=$?
    if [ "$rc" = 0 ]; then report ok "$d verifies"; else
        report bad "$d: slipway verify exit $rc"
        grep -v '^  [1-9] .* holds' "$d.verify" | head -8 | sed 's/^/    /'
    fi
done

echo "history: $pass passed, $fail failed"
[ "$fail" = 0 ]
