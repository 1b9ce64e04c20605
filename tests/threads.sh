#!/bin/sh
# A night large enough that the writers cut slips, backorders and order_status into many
# ranges (outputs.c: a range is ORDERS_PER_RANGE orders, formatted on any thread and
# appended in turn), run under ThreadSanitizer at --threads 1, 2 and 8: every output is
# the same bytes, TSan finds no race, and slipway verify accepts the night. The night has
# exceptions, several warehouses, multi-line orders and returns with exchanges.
#
# usage: sh tests/threads.sh path/to/tsan/slipway path/to/gen     (from the repository root)
set -u
test_name=threads
. tests/night_test.sh
"$gen" --out "$work/night" --rows 40000 --error-ppm 3000 --returns 300 --seed 7 >/dev/null ||
    { echo "threads: gen failed"; exit 1; }
n=$work/night
for t in 1 2 8; do
    TSAN_OPTIONS=halt_on_error=1 "$bin" run --catalog "$n/catalog.csv" --inventory "$n/inventory.csv" \
        --orders "$n/orders.csv" --returns "$n/returns.csv" --run-date 2026-11-27 --threads "$t" \
        --out "$work/t$t" >"$work/t$t.log" 2>&1 || { bad "--threads $t: exit $?"; sed 's/^/    /' "$work/t$t.log" | head -20; }
done
# Enough orders for many ranges of each ranged file (2048 orders a range).
orders=$(($(wc -l <"$work/t1/order_status.csv") - 1))
[ "$orders" -gt $((4 * 2048)) ] || bad "only $orders orders: too few to cut into ranges"
for t in 2 8; do
    for f in "$work"/t1/*; do
        b=$(basename "$f")
        [ "$b" = metrics.json ] && continue
        cmp -s "$f" "$work/t$t/$b" || bad "$b differs between --threads 1 and $t"
    done
done
TSAN_OPTIONS=halt_on_error=1 "$bin" verify "$work/t8" >"$work/verify.log" 2>&1 ||
    { bad "verify of the --threads 8 night"; sed 's/^/    /' "$work/verify.log" | head -20; }
[ "$fail" = 0 ] && echo "threads: $orders orders, the same bytes at 1, 2 and 8 threads, verified"
[ "$fail" = 0 ]
