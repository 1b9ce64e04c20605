#!/bin/sh
# report.html (issue 17) on the sample nights `make run` writes, and on a night of every
# golden case:
#
#   - every figure the page marks with data-k="<path>" equals summary.json's value at that
#     path (arrays of objects named by their channel and currency: amounts.EUR.shipped,
#     by_channel.shop.EUR.shipped), and the page marks the ones a reader looks for first;
#   - the page loads nothing from elsewhere: no URL, no src or href, no @import or url(),
#     no script;
#   - summary.txt is the printed summary without the folder and the time;
#   - a reconcile folder's report.html against its reconcile_summary.json likewise.
# That report.html is the same bytes for any thread count and with --compress is the
# golden test's (it is in every case's expected/).
#
# usage: sh tests/report.sh path/to/slipway        (from the repository root)
set -u
if [ $# -ne 1 ]; then
    echo "usage: sh tests/report.sh path/to/slipway" >&2
    exit 2
fi
bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

# summary.json as path<TAB>value lines (slipway's JSON: one member per line, two spaces a level)
flatten() {
    awk '
    function path(   p, i) { p = ""; for (i = 1; i <= depth; i++) if (name[i] != "") p = p (p == "" ? "" : ".") name[i]; return p }
    {
        line = $0; sub(/^ +/, "", line); sub(/,$/, "", line)
        if (line ~ /^"[^"]*": [{[]$/) { k = line; sub(/^"/, "", k); sub(/".*/, "", k)
            depth++; name[depth] = k; inelem[depth] = 0; next }
        if (line == "{") { depth++; name[depth] = ""; parts[depth] = 0; inelem[depth] = 1; next }
        if (line ~ /^[}\]]$/) { depth--; next }
        if (line ~ /^"[^"]*": /) {
            k = line; sub(/^"/, "", k); sub(/".*/, "", k)
            v = line; sub(/^"[^"]*": /, "", v); gsub(/^"|"$/, "", v)
            if (inelem[depth] && (k == "channel" || k == "currency")) {
                name[depth] = name[depth] (parts[depth]++ ? "." : "") v; next }
            p = path(); print (p == "" ? "" : p ".") k "\t" v
        }
    }' "$1"
}

# data-k figures of report.html as path<TAB>value lines
page_figures() {
    grep -o 'data-k="[^"]*">[^<]*' "$1" | sed 's/^data-k="//; s/">/\t/'
}

check_night() { # name dir
    name=$1 dir=$2
    [ -f "$dir/report.html" ] || { report bad "$name: no report.html"; return; }
    flatten "$dir/summary.json" >"$work/json"
    page_figures "$dir/report.html" >"$work/page"
    bad=$(awk -F'\t' 'NR == FNR { v[$1] = $2; next }
        { k = $1; got = $2
          if (!(k in v)) print k " is not in summary.json"
          else if (v[k] != got) print k ": page " got ", summary.json " v[k] }' "$work/json" "$work/page")
    [ -z "$bad" ] && report ok "" || { report bad "$name: $(echo "$bad" | head -3)"; }
    for k in run_date orders.read orders.shipped orders.backordered orders.rejected slips \
        exceptions.total alerts.total; do
        grep -q "^$k	" "$work/page" || report bad "$name: the page does not show $k"
    done
    n_amounts=$(grep -c '^amounts\..*\.shipped	' "$work/json")
    [ "$(grep -c '^amounts\..*\.shipped	' "$work/page")" = "$n_amounts" ] && report ok "" ||
        report bad "$name: not every currency's shipped amount is on the page"
    if grep -Eiq 'https?:|//[a-z0-9.-]+\.[a-z]|src=|href=|@import|url\(|<script|<link|<iframe|<img' \
        "$dir/report.html"; then
        report bad "$name: report.html refers to something outside it: $(grep -Eio 'https?:[^"]*|src=[^ ]*|href=[^ ]*|@import|url\(|<script|<link|<iframe|<img' "$dir/report.html" | head -2)"
    else report ok ""; fi
    # summary.txt: the printed summary less the folder and the time
    "$bin" run $(cat "$dir/.args") --out "$work/again" >"$work/stdout" 2>/dev/null
    sed '1s/ -> .*//; /^  time /d; /^  report /d' "$work/stdout" >"$work/want-txt"
    cmp -s "$work/want-txt" "$work/again/summary.txt" && report ok "" || {
        report bad "$name: summary.txt is not the printed summary"
        diff "$work/want-txt" "$work/again/summary.txt" | head -5 | sed 's/^/    /'; }
    rm -rf "$work/again"
}

M=samples/marketplaces
run_night() { # name args...
    name=$1
    shift
    "$bin" run -q "$@" --out "$work/$name" || { report bad "$name: the run failed"; return 1; }
    echo "$@" >"$work/$name/.args"
}
run_night main --catalog samples/catalog.csv --inventory samples/inventory.csv \
    --orders samples/orders_shop.csv --orders samples/orders_marketplace.csv.zst \
    --orders samples/orders_wholesale.csv --run-date 2026-11-27 &&
    check_night main "$work/main"
run_night market --catalog $M/catalog.csv --inventory $M/inventory.csv --policy $M/policy.conf \
    --orders $M/shopify_orders_export_2026-11-26.csv --orders $M/amazon_orders_2026-11-26.txt \
    --orders $M/ebay_orders_2026-11-26.csv --orders $M/tmall_orders_2026-11-26.csv \
    --run-date 2026-11-27 && check_night market "$work/market"
run_night night2 --catalog $M/catalog.csv --policy $M/policy.conf \
    --inventory "$work/market/inventory.csv" --orders samples/reconcile/night2/orders.csv \
    --returns samples/reconcile/night2/returns.csv --history "$work/market" \
    --run-date 2026-11-28 && check_night night2 "$work/night2"
grep -q '<h2>Returns by reason and SKU</h2>' "$work/night2/report.html" &&
    grep -q '<td>too small</td>' "$work/night2/report.html" && report ok "" ||
    report bad "night2: the returns are not on the page"

# A reconcile folder's report.html against its reconcile_summary.json: the sample
# reconcile of the two marketplace nights (tests/reconcile.sh's expected outputs).
want=tests/cases/reconcile/expected
flatten "$want/reconcile_summary.json" >"$work/json"
page_figures "$want/report.html" >"$work/page"
bad=$(awk -F'\t' 'NR == FNR { v[$1] = $2; next } !($1 in v) || v[$1] != $2 { print $1 }' \
    "$work/json" "$work/page")
[ -z "$bad" ] && [ "$(wc -l <"$work/page")" -ge 13 ] && report ok "" ||
    report bad "reconcile report.html: $(echo "$bad" | head -3 | tr '\n' ' ') ($(wc -l <"$work/page") figures)"
grep -Eiq 'https?:|src=|href=|@import|url\(|<script|<link|<iframe|<img' "$want/report.html" &&
    report bad "the reconcile report.html refers to something outside it" || report ok ""

# The comparison can fail: a page whose shipped count was changed is caught.
sed 's/data-k="orders.shipped">[0-9]*/data-k="orders.shipped">999999/' "$work/main/report.html" \
    >"$work/tampered.html"
flatten "$work/main/summary.json" >"$work/json"
page_figures "$work/tampered.html" >"$work/page"
awk -F'\t' 'NR == FNR { v[$1] = $2; next } v[$1] != $2 { bad = 1 } END { exit !bad }' \
    "$work/json" "$work/page" && report ok "" || report bad "a changed figure is not caught"

# Every golden case's expected report agrees with its summary.json too.
for d in tests/cases/*/expected; do
    [ -f "$d/report.html" ] && [ -f "$d/summary.json" ] || continue
    flatten "$d/summary.json" >"$work/json"
    page_figures "$d/report.html" >"$work/page"
    bad=$(awk -F'\t' 'NR == FNR { v[$1] = $2; next }
        { k = $1; got = $2
          if (!(k in v) || v[k] != got) print k }' "$work/json" "$work/page")
    [ -z "$bad" ] && report ok "" || report bad "$d: $(echo "$bad" | head -3 | tr '\n' ' ')"
done

echo "report: $pass passed, $fail failed"
[ "$fail" = 0 ]
