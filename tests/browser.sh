#!/bin/sh
# report.html in a real browser (issue 17): Debian's chromium, headless, renders the
# report of the sample nights (the main night, the marketplace night, and night 2 with
# its returns) and of a reconcile of them, and
#
#   - the rendered page's text holds the night's key figures, read from its summary.json
#     (run date, orders read and shipped, exceptions, a shipped amount per currency);
#   - the page loads nothing from elsewhere: Chromium's network log has no request the
#     page started (the browser's own update and account checks are told apart by their
#     initiator, "not an origin"); a page with an outside image is caught, so the check
#     can fail;
#   - a screenshot of each, desktop and phone width, goes to build/artefacts/; the paths
#     are printed.
#
# usage: sh tests/browser.sh path/to/slipway        (from the repository root)
set -u
if [ $# -ne 1 ]; then
    echo "usage: sh tests/browser.sh path/to/slipway" >&2
    exit 2
fi
bin=$1
chromium=$(command -v chromium || command -v chromium-browser) || {
    echo "browser: chromium is not installed (make test installs Debian's chromium as root)" >&2
    exit 1
}
root=$(pwd)
art=$root/build/artefacts
mkdir -p "$art"
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-browser.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

# No background networking, a profile of its own (root needs --no-sandbox).
browse() { # netlog, then chromium arguments
    log=$1
    shift
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
        --no-first-run --no-default-browser-check --disable-background-networking \
        --disable-component-update --disable-sync --disable-extensions --disable-default-apps \
        --user-data-dir="$work/profile" --log-net-log="$log" "$@" 2>>"$work/chromium.log"
}

# Requests a page started: initiator is its origin ("null" for a file), never "not an
# origin" (the browser's own).
page_requests() {
    grep '"initiator"' "$1" | grep -v '"initiator":"not an origin"' | grep -o '"url":"[^"]*"'
}

value() { # summary.json, key: the first "key": value
    grep -m1 "\"$2\": " "$1" | sed 's/.*": //; s/[",]//g'
}

check_night() { # name dir
    name=$1 dir=$2
    url=file://$dir/report.html
    browse "$work/$name.net" --dump-dom "$url" >"$work/$name.dom"
    [ -s "$work/$name.dom" ] || { report bad "$name: chromium rendered nothing"; return; }
    # the DOM's text: tags out
    sed 's/<[^>]*>/ /g' "$work/$name.dom" | tr -s ' ' >"$work/$name.txt"
    for want in "Night of $(value "$dir/summary.json" run_date)" \
        "$(value "$dir/summary.json" read) orders read" \
        "$(grep -A3 '"orders": {' "$dir/summary.json" | value /dev/stdin shipped) shipped" \
        "$(grep -A1 '"exceptions": {' "$dir/summary.json" | value /dev/stdin total) exceptions" \
        "$(grep -A2 '"currency": ' "$dir/summary.json" | value /dev/stdin shipped)"; do
        grep -qF -- "$want" "$work/$name.txt" && report ok "" ||
            report bad "$name: the rendered page lacks \"$want\""
    done
    requests=$(page_requests "$work/$name.net")
    [ -z "$requests" ] && report ok "" ||
        report bad "$name: the page loaded from elsewhere: $(echo "$requests" | head -2)"
    browse "$work/$name-shot.net" --window-size=1000,3400 --screenshot="$art/report-$name.png" \
        "$url" >/dev/null
    browse "$work/$name-phone.net" --window-size=390,5200 \
        --screenshot="$art/report-$name-phone.png" "$url" >/dev/null
    if [ -s "$art/report-$name.png" ] && [ -s "$art/report-$name-phone.png" ]; then
        report ok ""
        echo "browser: screenshots build/artefacts/report-$name.png, build/artefacts/report-$name-phone.png"
    else
        report bad "$name: no screenshot"
    fi
}

M=samples/marketplaces
"$bin" run -q --catalog samples/catalog.csv --inventory samples/inventory.csv \
    --orders samples/orders_shop.csv --orders samples/orders_marketplace.csv.zst \
    --orders samples/orders_wholesale.csv --run-date 2026-11-27 --out "$work/main" &&
    check_night main "$work/main"
"$bin" run -q --catalog $M/catalog.csv --inventory $M/inventory.csv --policy $M/policy.conf \
    --orders $M/shopify_orders_export_2026-11-26.csv --orders $M/amazon_orders_2026-11-26.txt \
    --orders $M/amazon_all_orders_2026-11-26.txt --orders $M/woocommerce_orders_2026-11-26.csv \
    --orders $M/ebay_orders_2026-11-26.csv --orders $M/tmall_orders_2026-11-26.csv \
    --run-date 2026-11-27 --out "$work/marketplaces" && check_night marketplaces "$work/marketplaces"
"$bin" run -q --catalog $M/catalog.csv --policy $M/policy.conf \
    --inventory "$work/marketplaces/inventory.csv" --orders samples/reconcile/night2/orders.csv \
    --returns samples/reconcile/night2/returns.csv --history "$work/marketplaces" \
    --run-date 2026-11-28 --out "$work/night2" && check_night night2 "$work/night2"

# The reconcile of the marketplace nights: its page renders with its figures.
"$bin" reconcile -q --history "$work/marketplaces" --history "$work/night2" \
    --payouts samples/reconcile/shopify_payouts_2026-11-30.csv \
    --payouts samples/reconcile/amazon_settlement_11223344.txt \
    --payouts samples/reconcile/ebay_transactions_2026-12-01.csv --as-of 2026-12-21 \
    --out "$work/reconcile" || report bad "the reconcile failed"
browse "$work/rec.net" --dump-dom "file://$work/reconcile/report.html" >"$work/rec.dom"
sed 's/<[^>]*>/ /g' "$work/rec.dom" | tr -s ' ' >"$work/rec.txt"
lines=$(grep -m1 '"total": ' "$work/reconcile/reconcile_summary.json" | sed 's/.*: //; s/,//')
open=$(grep -A1 '"open_items": {' "$work/reconcile/reconcile_summary.json" | sed -n 's/.*"total": \([0-9]*\).*/\1/p')
for want in "Reconciliation as of 2026-12-21" "$lines payout lines" "$open open items"; do
    grep -qF -- "$want" "$work/rec.txt" && report ok "" ||
        report bad "reconcile: the rendered page lacks \"$want\""
done
[ -z "$(page_requests "$work/rec.net")" ] && report ok "" ||
    report bad "reconcile: the page loaded from elsewhere"
browse "$work/rec-shot.net" --window-size=1000,3000 --screenshot="$art/report-reconcile.png" \
    "file://$work/reconcile/report.html" >/dev/null
[ -s "$art/report-reconcile.png" ] && { report ok ""; echo "browser: screenshot build/artefacts/report-reconcile.png"; } ||
    report bad "reconcile: no screenshot"

# The network check can fail: a page with an image from elsewhere is caught.
printf '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png"><p>x</p></body></html>\n' \
    >"$work/outside.html"
browse "$work/outside.net" --dump-dom "file://$work/outside.html" >/dev/null
[ -n "$(page_requests "$work/outside.net")" ] && report ok "" ||
    report bad "a page loading an outside image is not caught by the network check"

echo "browser: $pass passed, $fail failed"
[ "$fail" = 0 ]
