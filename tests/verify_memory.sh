#!/bin/sh
# Regression (issue 12, 2026-12-06): `slipway verify` loaded every --history file whole, so
# its memory grew with all history (2.2 GB for a year where the run itself needs 31 MB).
# It now streams history row by row, keeping only what tonight's orders and requests need.
#
# A generated night is run twice: with the latest history night only, and with 24 nights
# (31 MB of history). Verify's peak RSS (bench/timeit, from wait4) on the second may exceed
# the first by at most 8 MiB; the old loader grew by about 55 MiB here. Release binaries:
# ASan's shadow memory would drown the figures.
#
# usage: sh tests/verify_memory.sh build/slipway build/bench/gen build/bench/timeit
set -u
if [ $# -ne 3 ]; then
    echo "usage: sh tests/verify_memory.sh path/to/slipway path/to/gen path/to/timeit" >&2
    exit 2
fi
abs() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
bin=$(abs "$1") gen=$(abs "$2") timeit=$(abs "$3")
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-vmem.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

"$gen" --out d --rows 2000 --skus 500 --nights 24 --history-rows 8000 --returns 100 \
    >/dev/null || { echo "verify-memory: gen failed"; exit 1; }
all=""
for f in d/history/*; do all="$all --history $f"; done
last="--history $(ls d/history/slips-* | tail -n 1) --history $(ls d/history/ledger-* | tail -n 1)"
base="--catalog d/catalog.csv --inventory d/inventory.csv --orders d/orders.csv
    --returns d/returns.csv --run-date 2026-11-27 --threads 2"
# shellcheck disable=SC2086
"$bin" run $base $last --out small >/dev/null 2>&1 || { echo "verify-memory: run failed"; exit 1; }
# shellcheck disable=SC2086
"$bin" run $base $all --out big >/dev/null 2>&1 || { echo "verify-memory: run failed"; exit 1; }

fail=0
for d in small big; do
    "$timeit" -o rss -- "$bin" verify "$d" >"$d.out" 2>&1
    st=$(tail -n 1 rss | cut -d' ' -f3)
    if [ "$st" != 0 ]; then
        echo "FAIL verify of the $d-history run: exit $st"
        sed 's/^/    /' "$d.out" | head -20
        fail=1
    fi
done
small=$(sed -n 1p rss | cut -d' ' -f2) big=$(sed -n 2p rss | cut -d' ' -f2)
grow=$((big - small))
echo "verify-memory: peak RSS $small KiB with 1 history night, $big KiB with 24 ($(du -sk d/history |
    cut -f1) KiB of history)"
if [ "$grow" -gt 8192 ]; then
    echo "FAIL verify's memory grows with history: +$grow KiB (at most 8192)"
    fail=1
fi
[ $fail = 0 ] && echo "verify-memory: 1 passed, 0 failed" || echo "verify-memory: 0 passed, 1 failed"
[ $fail = 0 ]
