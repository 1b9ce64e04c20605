#!/bin/sh
# slipway init DIR (issue 17): the templates run as they are and say what each column is.
#   - init writes README.txt, catalog.csv, inventory.csv, orders.csv and policy.conf;
#   - the run README.txt shows succeeds with no exception, ships orders 1001 and 1003,
#     backorders 1002 (two stoves, one on hand), and slipway verify holds;
#   - every column of the templates' headers, and every key of the policy, is explained
#     in README.txt or the policy's comments;
#   - an existing DIR is refused (exit 2) and left as it was.
# usage: sh tests/init.sh path/to/slipway
set -u
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-init.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}
"$bin" init "$work/first" >"$work/out" 2>&1
[ $? = 0 ] && report ok "" || report bad "init failed: $(cat "$work/out")"
for f in README.txt catalog.csv inventory.csv orders.csv policy.conf; do
    [ -s "$work/first/$f" ] && report ok "" || report bad "init wrote no $f"
done
cd "$work/first" || exit 1
cmd=$(sed -n 's/^  slipway run \(.*\) \\$/\1/p' README.txt)
cont=$(sed -n '/^  slipway run .* \\$/{n;s/^ *//;p}' README.txt)
# shellcheck disable=SC2086
"$bin" run -q $cmd $cont --run-date 2026-11-27
[ $? = 0 ] && report ok "" || report bad "the README.txt's run of the templates failed"
[ "$(wc -l <night-1/exceptions.csv)" = 1 ] && report ok "" ||
    report bad "the templates have exceptions: $(tail -n +2 night-1/exceptions.csv | head -3)"
for want in "1001,shop,SHIPPED" "1003,marketplace,SHIPPED" "1002,shop,BACKORDERED"; do
    grep -q "^$want," night-1/order_status.csv && report ok "" ||
        report bad "order_status.csv lacks $want"
done
"$bin" verify night-1 >/dev/null 2>&1 && report ok "" || report bad "verify of the first night"
for f in catalog.csv inventory.csv orders.csv; do
    for col in $(head -1 "$f" | tr ',' ' '); do
        grep -q "$col" README.txt || report bad "README.txt does not explain $f's $col"
    done
done
for key in $(sed -n 's/^\([a-z_]*\) = .*/\1/p' policy.conf); do
    grep -B4 "^$key = " policy.conf | grep -q '^#' || report bad "policy.conf's $key has no comment"
done
report ok ""
cd "$work" || exit 1
sum=$(cat first/README.txt | cksum)
"$bin" init first >/dev/null 2>"$work/err"
[ $? = 2 ] && [ "$(cat first/README.txt | cksum)" = "$sum" ] && grep -q "exists" "$work/err" &&
    report ok "" || report bad "init over an existing folder: $(cat "$work/err")"
echo "init: $pass passed, $fail failed"
[ "$fail" = 0 ]
