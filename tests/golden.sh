#!/bin/sh
# End-to-end golden tests: run slipway on every tests/cases/<case>/ and compare each
# output byte for byte with <case>/expected/, at several thread counts and once with
# --compress (decompressed content must match too).
#
#   <case>/args       slipway run arguments, from the repository root, without --out,
#                     --threads or --compress
#   <case>/exit       expected exit code (default 0)
#   <case>/stderr     a fixed string that stderr must contain (refusals)
#   <case>/expected/  every output file except metrics.json; absent when the run is
#                     refused (then the output folder must not exist)
#   <case>/threads    thread counts to try (default "1 4")
#
# Every CSV in <case>/expected/ is also scanned (tests/formula_scan.sh) for a cell that a
# spreadsheet would run as a formula: none may start with = + - @ tab or CR unguarded.
#
# usage: tests/golden.sh path/to/slipway [case ...]
# UPDATE=1 rewrites expected/ from a 1-thread run (review the diff before committing).
set -u
bin=$1
shift
# A case is a folder with an args file (tests/cases/chain holds tests/chain.sh's nights).
cases=${*:-$(ls tests/cases/*/args | sed 's#tests/cases/##; s#/args$##')}
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-golden.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

for c in $cases; do
    dir=tests/cases/$c
    args=$(cat "$dir/args")
    if [ "${UPDATE:-0}" != 1 ] && [ -d "$dir/expected" ]; then
        if sh tests/formula_scan.sh "$dir"/expected/*.csv >"$work/scan"; then
            report ok "$c (formula scan)"
        else
            report bad "$c: an output cell would run as a spreadsheet formula"
            head -10 "$work/scan" | sed 's/^/    /'
        fi
    fi
    want_exit=0
    [ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
    threads="1 4"
    [ -f "$dir/threads" ] && threads=$(cat "$dir/threads")
    if [ "${UPDATE:-0}" = 1 ] && [ "$want_exit" = 0 ]; then
        rm -rf "$dir/expected" "$work/update"
        # shellcheck disable=SC2086
        "$bin" run $args --threads 1 --out "$work/update" >/dev/null || { echo "update failed: $c"; exit 1; }
        rm -f "$work/update/metrics.json"
        mv "$work/update" "$dir/expected"
        echo "updated $c"
        continue
    fi
    for t in $threads compress; do
        out=$work/$c-$t
        extra="--threads $t"
        [ "$t" = compress ] && extra="--threads 2 --compress"
        # shellcheck disable=SC2086
        "$bin" run $args $extra --out "$out" >"$work/stdout" 2>"$work/stderr"
        got=$?
        name="$c ($extra)"
        if [ "$got" != "$want_exit" ]; then
            report bad "$name: exit $got, expected $want_exit"; sed 's/^/    /' "$work/stderr"
            continue
        fi
        if [ -f "$dir/stderr" ] && ! grep -qF -- "$(cat "$dir/stderr")" "$work/stderr"; then
            report bad "$name: stderr lacks '$(cat "$dir/stderr")'"; sed 's/^/    /' "$work/stderr"
            continue
        fi
        if [ ! -d "$dir/expected" ]; then
            if [ -e "$out" ] || ls -a "$work" | grep -q "^\.$c-$t\.tmp-"; then
                report bad "$name: a refused run left output behind"
            else
                report ok "$name"
            fi
            continue
        fi
        [ -f "$out/metrics.json" ] || { report bad "$name: no metrics.json"; continue; }
        ok=1
        for f in "$dir"/expected/*; do
            base=$(basename "$f")
            case "$base" in
            *.csv) produced=$out/$base; [ "$t" = compress ] && produced=$out/$base.zst ;;
            *) produced=$out/$base ;;
            esac
            if [ "$t" = compress ] && [ "$base" != "${base%.csv}" ]; then
                zstd -dcq "$produced" >"$work/plain" 2>/dev/null || { ok=0; echo "    $base: cannot decompress"; continue; }
                produced=$work/plain
            fi
            # The manifest names the .zst files and their hashes; everything else matches.
            [ "$t" = compress ] && [ "$base" = manifest.json ] && continue
            if ! cmp -s "$f" "$produced"; then
                ok=0
                echo "    $base differs:"
                diff "$f" "$produced" | head -10 | sed 's/^/      /'
            fi
        done
        n_expected=$(ls "$dir/expected" | wc -l)
        n_out=$(ls "$out" | grep -vc '^metrics.json$')
        [ "$n_expected" = "$n_out" ] || { ok=0; echo "    $n_out outputs, expected $n_expected"; }
        if [ $ok = 1 ]; then report ok "$name"; else report bad "$name"; fi
    done
done
echo "golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
