#!/bin/sh
# End-to-end test of three nights in a row (samples/README.md, "Three nights in a row").
#
#   night1  samples/ as `make run` uses it, run date 2026-11-27
#   night2  samples/night2/ orders and returns, run date 2026-11-28; --inventory is
#           night1/inventory.csv, --history night1/slips.csv
#   night3  samples/night3/ orders plus night2/backorders.csv, returns, run date 2026-12-30;
#           --inventory night2/inventory.csv, --history night1/slips.csv, night2/slips.csv
#           and night2/returns_ledger.csv
#   night2-rerun  night 2 again with its own slips.csv and returns_ledger.csv added to
#           --history: it must ship nothing twice and approve nothing
#
# The chain runs at --threads 1 and --threads 4, each in its own working folder with the
# same relative paths (so manifest.json and exceptions.csv name the same files), and the
# two must give byte-identical outputs (metrics.json aside). The 1-thread outputs of
# nights 1-3 are compared with tests/cases/samples/expected/ and tests/cases/chain/night2/,
# night3/ (every output
# but metrics.json), then checked across the chain:
#
#   - no summary.json has an invariant with "holds": false; invariant 5 holds when
#     there is history;
#   - night N+1 read night N's inventory.csv (manifest sha256), and per SKU and
#     warehouse on_hand_after = on_hand_before - slip units + ledger restock_qty;
#   - each pick list row sums the slips: units, and distinct slips taking from the bin;
#   - over all nights' slips, no (order_id, sku) ships more than the order asked for
#     (from every orders file given); every exchange slip line is an EXCHANGE_SHIPPED
#     return of that night, same SKU and qty, price 0.00;
#   - a DUPLICATE_ORDER against history names the latest earlier slip of that order;
#   - no request_id is APPROVED in two ledgers; per currency, each night's summary
#     "refunded" and their total equal the ledgers' APPROVED refund_amount;
#   - the night-2 re-run ships no line at all, every request night 2 approved is
#     RETURN_DUPLICATE and every one it rejected is rejected again for its reason, it
#     refunds 0, and every night-2 order is DUPLICATE_ORDER or as before.
#
# usage: sh tests/chain.sh path/to/slipway      (from the repository root)
#        UPDATE=1 sh tests/chain.sh ...          rewrites night2/ and night3/ expected files
set -u
if [ $# -ne 1 ]; then
    echo "usage: sh tests/chain.sh path/to/slipway" >&2
    exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(pwd)
if [ ! -d tests/cases/chain ] || [ ! -d samples/night2 ]; then
    echo "chain: run from the repository root (tests/cases/chain and samples/night2 not found)" >&2
    exit 2
fi
want=$root/tests/cases/chain
LC_ALL=C
export LC_ALL
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-chain.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

# Show a check's findings (if any) and count it.
verdict() { # name file-with-findings
    if [ -s "$2" ]; then
        report bad "$1"
        head -20 "$2" | sed 's/^/    /'
    else
        report ok "$1"
    fi
}

NIGHT1="--catalog samples/catalog.csv --inventory samples/inventory.csv
    --policy samples/policy.conf --orders samples/orders_shop.csv
    --orders samples/orders_marketplace.csv.zst --orders samples/orders_wholesale.csv
    --run-date 2026-11-27"
NIGHT2="--catalog samples/catalog.csv --inventory night1/inventory.csv
    --policy samples/night2/policy.conf --orders samples/night2/orders_shop.csv
    --orders samples/night2/orders_marketplace.csv --returns samples/night2/returns.csv
    --history night1/slips.csv --run-date 2026-11-28"
NIGHT3="--catalog samples/catalog.csv --inventory night2/inventory.csv
    --policy samples/policy.conf --orders samples/night3/orders_shop.csv
    --orders night2/backorders.csv --returns samples/night3/returns.csv
    --history night1/slips.csv --history night2/slips.csv
    --history night2/returns_ledger.csv --run-date 2026-12-30"
RERUN="$NIGHT2 --history night2/slips.csv --history night2/returns_ledger.csv"
NIGHTS="night1 night2 night3"

# ---- run the chain at 1 and 4 threads ---------------------------------------------------
chain() { # threads
    d=$work/t$1
    mkdir -p "$d" && ln -s "$root/samples" "$d/samples" || exit 1
    for name in night1 night2 night3 night2-rerun; do
        case $name in
        night1) args=$NIGHT1 ;;
        night2) args=$NIGHT2 ;;
        night3) args=$NIGHT3 ;;
        night2-rerun) args=$RERUN ;;
        esac
        # shellcheck disable=SC2086
        (cd "$d" && "$bin" run $args --threads "$1" --out "$name" >"$name.stdout" 2>"$name.stderr")
        got=$?
        if [ "$got" != 0 ]; then
            report bad "$name (--threads $1): exit $got"
            sed 's/^/    /' "$d/$name.stderr"
            return 1
        fi
        report ok "$name (--threads $1) runs"
    done
}

chain 1 || { echo "chain: $pass passed, $fail failed"; exit 1; }
# UPDATE=1 rewrites the night-2 and night-3 expected files (review the diff!).
if [ "${UPDATE:-0}" = 1 ]; then
    for n in night2 night3; do
        rm -rf "${want:?}/$n" && cp -r "$work/t1/$n" "$want/$n" && rm -f "$want/$n/metrics.json"
    done
    echo "chain: updated $want/night2 and night3"
    exit 0
fi
chain 4 || { echo "chain: $pass passed, $fail failed"; exit 1; }
t1=$work/t1

# shellcheck disable=SC2010
for n in $NIGHTS night2-rerun; do
    : >"$work/find"
    a=$(ls "$t1/$n" | grep -v '^metrics.json$')
    b=$(ls "$work/t4/$n" | grep -v '^metrics.json$')
    [ "$a" = "$b" ] || echo "outputs differ: $a / $b" >>"$work/find"
    for f in $a; do
        cmp -s "$t1/$n/$f" "$work/t4/$n/$f" || echo "$f differs between --threads 1 and 4" >>"$work/find"
    done
    verdict "$n: --threads 1 and 4 give the same outputs" "$work/find"
done

# ---- expected outputs -------------------------------------------------------------------
for n in $NIGHTS; do
    : >"$work/find"
    # Night 1 is the samples golden case: one copy of its expected files.
    expected=$want/$n
    [ "$n" = night1 ] && expected=$root/tests/cases/samples/expected
    for f in "$expected"/*; do
        base=$(basename "$f")
        if ! cmp -s "$f" "$t1/$n/$base"; then
            echo "$base differs:" >>"$work/find"
            diff "$f" "$t1/$n/$base" | head -10 | sed 's/^/  /' >>"$work/find"
        fi
    done
    # shellcheck disable=SC2012
    n_want=$(ls "$expected" | wc -l)
    # shellcheck disable=SC2010
    n_got=$(ls "$t1/$n" | grep -vc '^metrics.json$')
    [ "$n_want" = "$n_got" ] || echo "$n_got outputs, expected $n_want" >>"$work/find"
    verdict "$n: outputs match $expected" "$work/find"
done

# ---- CSV helper ------------------------------------------------------------------------
# RFC 4180 CSV to one line per record, fields separated by \037 (a line break inside a
# quoted field becomes a space, a CR before LF is dropped). A quote opens a quoted field
# only at the start of a field, as libcsv reads it.
# shellcheck disable=SC2016
CSV='
BEGIN { US = "\037"; inq = 0; out = ""; field = ""; start = 1 }
{
    line = $0
    sub(/\r$/, "", line)
    n = length(line)
    for (i = 1; i <= n; i++) {
        c = substr(line, i, 1)
        if (inq) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ }
                else inq = 0
            } else field = field c
        } else if (c == "\"" && start) { inq = 1; start = 0 }
        else if (c == ",") { out = out field US; field = ""; start = 1 }
        else { field = field c; start = 0 }
    }
    if (inq) { field = field " "; next }
    print out field
    out = ""; field = ""; start = 1
}
END { if (inq) print out field }'
csv() { awk "$CSV" "$@"; }

# An awk prelude: col(name) is the index of a header column (call hdr() on the header line),
# money(s) reads a decimal amount as an integer count of thousandths.
# shellcheck disable=SC2016
LIB='
BEGIN { FS = "\037" }
function hdr(   i) { for (i in C) delete C[i]; for (i = 1; i <= NF; i++) C[$i] = i }
function col(name) { if (!(name in C)) { print "no column " name " in " FILENAME; exit 1 } return C[name] }
function money(s,   p, ip, fp) {
    p = index(s, ".")
    if (p == 0) return (s + 0) * 1000
    ip = substr(s, 1, p - 1); fp = substr(s "000", p + 1, 3)
    return (ip + 0) * 1000 + (fp + 0)
}
function show(m,   s) { s = sprintf("%d.%03d", int(m / 1000), m % 1000); sub(/0$/, "", s); return s }'

for n in $NIGHTS night2-rerun; do
    for f in slips returns_ledger inventory order_status exceptions; do
        csv "$t1/$n/$f.csv" >"$t1/$n/$f.us"
    done
done

# ---- summary invariants -----------------------------------------------------------------
: >"$work/find"
for n in $NIGHTS night2-rerun; do
    grep -q '"holds": false' "$t1/$n/summary.json" && echo "$n: an invariant does not hold" >>"$work/find"
    [ "$n" = night1 ] && continue
    five=$(awk '/"id": 5,/ { f = 1 } f && /"holds":/ { print $2; exit }' "$t1/$n/summary.json")
    [ "$five" = "true," ] || echo "$n: invariant 5 is $five, expected true with history" >>"$work/find"
done
verdict "every night's summary invariants hold" "$work/find"

# ---- stock continuity -------------------------------------------------------------------
: >"$work/find"
before=$t1/samples/inventory.csv
for n in $NIGHTS; do
    if [ "$n" != night1 ]; then
        # by construction; the manifest records what was read
        sha=$(sha256sum "$before" | cut -d' ' -f1)
        got=$(awk '/"role": "inventory"/ { f = 1 } f && /"sha256"/ { gsub(/[",]/, "", $2); print $2; exit }' "$t1/$n/manifest.json")
        [ "$sha" = "$got" ] || echo "$n: input inventory sha256 $got is not the previous night's $sha" >>"$work/find"
    fi
    csv "$before" >"$work/before.us"
    awk "$LIB"'
    FNR == 1 { hdr(); file++; next }
    file == 1 { k = $col("sku") SUBSEP ($col("warehouse") == "" ? "MAIN" : $col("warehouse")); B[k] = $col("on_hand"); K[k] = 1 }
    file == 2 { S[$col("sku") SUBSEP $col("warehouse")] += $col("qty") }
    file == 3 && $col("decision") == "APPROVED" { R[$col("sku") SUBSEP $col("warehouse")] += $col("restock_qty") }
    file == 4 { k = $col("sku") SUBSEP $col("warehouse"); A[k] = $col("on_hand"); K[k] = 1 }
    END {
        for (k in S) if (!(k in B)) { split(k, p, SUBSEP); print night ": " p[1] " " p[2] " ships from a slot with no inventory row" }
        for (k in K) {
            split(k, p, SUBSEP)
            oh = B[k] - S[k] + R[k]
            if (A[k] != oh) print night ": " p[1] " " p[2] ": on_hand " A[k] ", expected " B[k] " - " S[k] + 0 " shipped + " R[k] + 0 " restocked = " oh
        }
    }' night="$n" "$work/before.us" "$t1/$n/slips.us" "$t1/$n/returns_ledger.us" "$t1/$n/inventory.us" >>"$work/find" 2>&1
    before=$t1/$n/inventory.csv
done
verdict "stock continuity: on_hand_after = on_hand_before - shipped + restocked, night by night" "$work/find"

# ---- nothing ships more than ordered ----------------------------------------------------
: >"$work/orders.us"
for f in samples/orders_shop.csv samples/orders_marketplace.csv.zst samples/orders_wholesale.csv \
    samples/night2/orders_shop.csv samples/night2/orders_marketplace.csv \
    samples/night3/orders_shop.csv night2/backorders.csv; do
    case $f in
    *.zst) zstd -dcq "$t1/$f" | csv ;;
    *) csv "$t1/$f" ;;
    esac | awk -v f="$f" '{ print f "\037" $0 }' >>"$work/orders.us"
done
awk "$LIB"'
# orders.us: file, then the order row (header rows start with order_id); a row repeated
# byte for byte in one file counts once (DUPLICATE_ROW).
FILENAME ~ /orders.us$/ {
    if ($2 == "order_id") next
    if (seen[$0]++) next
    Q[$1 SUBSEP $2 SUBSEP $4] += $5
    next
}
FNR == 1 { hdr(); night = FILENAME; next }
{
    id = $col("order_id"); sku = $col("sku")
    if (id ~ /^RMA-/) next
    SHIP[id SUBSEP sku] += $col("qty")
}
END {
    for (k in Q) { split(k, p, SUBSEP); o = p[2] SUBSEP p[3]; if (Q[k] > ASK[o]) ASK[o] = Q[k] }
    for (o in SHIP) {
        split(o, p, SUBSEP)
        if (!(o in ASK)) print p[1] " " p[2] ": ships " SHIP[o] " units but no orders file asks for it"
        else if (SHIP[o] > ASK[o]) print p[1] " " p[2] ": ships " SHIP[o] " units over the nights, ordered " ASK[o]
    }
}' "$work/orders.us" "$t1/night1/slips.us" "$t1/night2/slips.us" "$t1/night3/slips.us" >"$work/find" 2>&1
verdict "no (order_id, sku) ships more than ordered over the three nights" "$work/find"

: >"$work/find"
for n in $NIGHTS; do
    awk "$LIB"'
    FNR == 1 { hdr(); file++; next }
    file == 1 && $col("status") == "EXCHANGE_SHIPPED" { X[$col("return_no")] = $col("sku") SUBSEP $col("qty") }
    file == 2 && $col("order_id") ~ /^RMA-/ {
        r = $col("order_id")
        if (!(r in X)) print night ": slip line for " r " is not an EXCHANGE_SHIPPED return"
        else if (X[r] != $col("sku") SUBSEP $col("qty")) print night ": slip line for " r " is not the returned SKU and qty"
        else if ($col("unit_price") != "0.00" || $col("line_amount") != "0.00") print night ": replacement " r " is not priced 0.00"
        else delete X[r]
    }
    END { for (r in X) print night ": " r " is EXCHANGE_SHIPPED but has no slip line" }' \
        night="$n" "$t1/$n/returns_ledger.us" "$t1/$n/slips.us" >>"$work/find" 2>&1
done
verdict "exchange slip lines are the EXCHANGE_SHIPPED returns, at 0.00" "$work/find"

# The pick list sums the slips: per warehouse, bin and SKU, the units and the number of
# distinct slips (exchange replacements included) that take from it.
: >"$work/find"
for n in $NIGHTS; do
    csv "$t1/$n/picklist.csv" >"$t1/$n/picklist.us"
    awk "$LIB"'
    FNR == 1 { hdr(); file++; next }
    file == 1 {
        k = $col("warehouse") SUBSEP $col("bin") SUBSEP $col("sku")
        U[k] += $col("qty"); K[k] = 1
        if (!((k SUBSEP $col("slip_no")) in SEEN)) { SEEN[k SUBSEP $col("slip_no")] = 1; N[k]++ }
        next
    }
    {
        k = $col("warehouse") SUBSEP $col("bin") SUBSEP $col("sku")
        if (!(k in K)) print night ": picklist row " $col("sku") " in " $col("warehouse") " has no slip line"
        else if ($col("qty") != U[k] || $col("slips") != N[k])
            print night ": picklist " $col("warehouse") " " $col("bin") " " $col("sku") ": qty " $col("qty") ", slips " $col("slips") "; slips.csv has " U[k] " units on " N[k] " slips"
        delete K[k]
    }
    END { for (k in K) { split(k, p, SUBSEP); print night ": " p[3] " in " p[1] " ships but is not on the pick list" } }
    ' night="$n" "$t1/$n/slips.us" "$t1/$n/picklist.us" >>"$work/find" 2>&1
done
verdict "pick lists sum the slips (units and slips per warehouse, bin, SKU)" "$work/find"

# DUPLICATE_ORDER against history names the latest earlier slip (greatest date, then number).
: >"$work/find"
hist=
for n in $NIGHTS; do
    if [ -n "$hist" ]; then
        # shellcheck disable=SC2086
        awk "$LIB"'
        FNR == 1 { hdr(); file = FILENAME; next }
        file !~ /exceptions.us$/ {
            id = $col("order_id"); v = $col("ship_date") " " $col("slip_no")
            if (v > LAST[id]) LAST[id] = v
            next
        }
        $col("code") == "DUPLICATE_ORDER" && $col("message") ~ /earlier night/ {
            m = $col("message"); id = $col("record_id")
            sub(/.*\(slip /, "", m); sub(/\).*/, "", m); split(m, p, " on ")
            if (!(id in LAST)) print night ": " id " is DUPLICATE_ORDER but no earlier slip has it"
            else if (LAST[id] != p[2] " " p[1]) print night ": " id " names slip " p[1] " on " p[2] ", latest is " LAST[id]
        }' night="$n" $hist "$t1/$n/exceptions.us" >>"$work/find" 2>&1
    fi
    hist="$hist $t1/$n/slips.us"
done
verdict "DUPLICATE_ORDER names the latest earlier slip" "$work/find"

# ---- ledgers and refunds ----------------------------------------------------------------
awk "$LIB"'
FNR == 1 { hdr(); next }
$col("decision") == "APPROVED" {
    id = $col("request_id")
    if (id in WHERE) print id " is APPROVED in " WHERE[id] " and in " FILENAME
    WHERE[id] = FILENAME
}' "$t1/night1/returns_ledger.us" "$t1/night2/returns_ledger.us" "$t1/night3/returns_ledger.us" 2>&1 |
    sed "s|$t1/||g" >"$work/find"
verdict "no request_id is APPROVED in two ledgers" "$work/find"

: >"$work/find"
for n in $NIGHTS; do
    awk "$LIB"'
    FILENAME ~ /summary.json$/ {
        if ($0 ~ /^  "[a-z_]+":/) { sec = $0; gsub(/^  "|":.*$/, "", sec) }
        if (sec != "amounts") next
        if ($0 ~ /"currency":/) { cur = $0; gsub(/.*: "|",?$/, "", cur) }
        if ($0 ~ /"refunded":/) { v = $0; gsub(/.*: "|",?$/, "", v); SUM[cur] += money(v); CUR[cur] = 1 }
        next
    }
    FNR == 1 { hdr(); next }
    $col("decision") == "APPROVED" { LED[$col("currency")] += money($col("refund_amount")); CUR[$col("currency")] = 1 }
    END { for (c in CUR) if (SUM[c] != LED[c]) print night " " c ": summary refunded " show(SUM[c]) ", ledger APPROVED refunds " show(LED[c]) }
    ' night="$n" "$t1/$n/summary.json" "$t1/$n/returns_ledger.us" >>"$work/find" 2>&1
done
awk "$LIB"'
FILENAME ~ /summary.json$/ {
    if ($0 ~ /^  "[a-z_]+":/) { sec = $0; gsub(/^  "|":.*$/, "", sec) }
    if (sec != "amounts") next
    if ($0 ~ /"currency":/) { cur = $0; gsub(/.*: "|",?$/, "", cur) }
    if ($0 ~ /"refunded":/) { v = $0; gsub(/.*: "|",?$/, "", v); SUM[cur] += money(v); CUR[cur] = 1 }
    next
}
FNR == 1 { hdr(); next }
$col("decision") == "APPROVED" { LED[$col("currency")] += money($col("refund_amount")); CUR[$col("currency")] = 1 }
END { for (c in CUR) if (SUM[c] != LED[c]) print "all nights " c ": summaries refunded " show(SUM[c]) ", ledgers " show(LED[c]) }
' "$t1/night1/summary.json" "$t1/night2/summary.json" "$t1/night3/summary.json" \
    "$t1/night1/returns_ledger.us" "$t1/night2/returns_ledger.us" "$t1/night3/returns_ledger.us" >>"$work/find" 2>&1
verdict "refunds per currency: summaries equal the ledgers' APPROVED refund_amount" "$work/find"

# Issue 16: summary.json's by_channel refunds, per channel and currency, are the ledger's
# APPROVED refund_amount by its channel column.
: >"$work/find"
for n in $NIGHTS; do
    awk "$LIB"'
    FILENAME ~ /summary.json$/ {
        if ($0 ~ /^  "[a-z_]+":/) { sec = $0; gsub(/^  "|":.*$/, "", sec) }
        if (sec != "by_channel") next
        if ($0 ~ /"channel":/) { ch = $0; gsub(/.*: "|",?$/, "", ch) }
        if ($0 ~ /"currency":/) { cur = $0; gsub(/.*: "|",?$/, "", cur) }
        if ($0 ~ /"refunded":/) { v = $0; gsub(/.*: "|",?$/, "", v); SUM[ch " " cur] += money(v); K[ch " " cur] = 1 }
        next
    }
    FNR == 1 { hdr(); next }
    $col("decision") == "APPROVED" { k = $col("channel") " " $col("currency"); LED[k] += money($col("refund_amount")); K[k] = 1 }
    END { for (k in K) if (SUM[k] != LED[k]) print night " " k ": by_channel refunded " show(SUM[k]) ", ledger APPROVED refunds " show(LED[k]) }
    ' night="$n" "$t1/$n/summary.json" "$t1/$n/returns_ledger.us" >>"$work/find" 2>&1
done
verdict "refunds per channel and currency: by_channel equals the ledger's APPROVED refund_amount" "$work/find"

# ---- night 2 re-sent with its own outputs as history ------------------------------------
r=$t1/night2-rerun
: >"$work/find"
lines=$(wc -l <"$r/slips.us")
[ "$lines" = 1 ] || echo "slips.csv has $((lines - 1)) lines; expected none" >>"$work/find"
awk "$LIB"'
FNR == 1 { hdr(); file++; next }
file == 1 { S[$col("order_id") SUBSEP $col("sku")] = 1; next }
($col("order_id") SUBSEP $col("sku")) in S { print $col("order_id") " " $col("sku") " ships again" }
' "$t1/night2/slips.us" "$r/slips.us" >>"$work/find" 2>&1
verdict "night-2 re-run: no (order_id, sku) ships again" "$work/find"

# Only an approved request blocks a later one (issue 15): a request night 2 approved is
# RETURN_DUPLICATE now; one it rejected comes again and is rejected for its own reason.
awk "$LIB"'
FNR == 1 { hdr(); file++; next }
file == 1 { D[$col("request_id")] = $col("decision") " " $col("code"); next }
{
    req = $col("request_id"); now = $col("decision") " " $col("code")
    want = D[req] ~ /^REJECTED/ ? D[req] : "REJECTED RETURN_DUPLICATE"
    if (now != want || $col("return_no") != "")
        print req ": " now ", expected " want
}' "$t1/night2/returns_ledger.us" "$r/returns_ledger.us" >"$work/find" 2>&1
n2=$(wc -l <"$t1/night2/returns_ledger.us")
nr=$(wc -l <"$r/returns_ledger.us")
[ "$n2" = "$nr" ] || echo "re-run ledger has $nr rows, night 2 had $n2" >>"$work/find"
grep '"refunded"' "$r/summary.json" | grep -v '"0\.00"' | sed 's/^ */summary: /' >>"$work/find"
verdict "night-2 re-run: approved requests are RETURN_DUPLICATE, rejected ones rejected again, nothing refunded" "$work/find"

awk "$LIB"'
FNR == 1 { hdr(); file++; next }
file == 1 { ST[$col("order_id")] = $col("status") " " $col("code"); next }
{
    id = $col("order_id"); now = $col("status") " " $col("code")
    if (!(id in ST)) print id ": not in night 2"
    else if (ST[id] ~ /^SHIPPED/ && now != "REJECTED DUPLICATE_ORDER") print id ": SHIPPED on night 2, now " now
    else if (ST[id] !~ /^SHIPPED/ && ST[id] != now) print id ": " ST[id] " on night 2, now " now
}' "$t1/night2/order_status.us" "$r/order_status.us" >"$work/find" 2>&1
verdict "night-2 re-run: shipped orders are DUPLICATE_ORDER, the others as before" "$work/find"

echo "chain: $pass passed, $fail failed"
[ "$fail" = 0 ]
