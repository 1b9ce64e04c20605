#!/bin/sh
# make profile: where a bench night's time goes, by function.
#
# perf samples the release binary (software cpu-clock, which works where hardware
# counters are not exposed, as on these VMs); with PROFILE_TOOL=callgrind, valgrind counts
# instructions instead: slower (~50x), but the same count on every run, so two builds can
# be compared on a noisy machine. Prints the top functions and the engine's own stage
# times; the full report stays in build/profile/.
#
# Environment: PROFILE_ROWS=1000000 (callgrind: 200000), PROFILE_THREADS=2,
#              PROFILE_INPUT=zst|csv, PROFILE_TOOL=perf|callgrind
set -eu
tool=${PROFILE_TOOL:-perf}
case $tool in perf) def=1000000 ;; *) def=200000 ;; esac
rows=${PROFILE_ROWS:-$def}
threads=${PROFILE_THREADS:-2}
input=${PROFILE_INPUT:-zst}
dir=build/profile
data=build/bench-data/main-$rows
mkdir -p $dir
if [ ! -f "$data/.done" ]; then
    rm -rf "$data"
    mkdir -p build/bench-data
    build/bench/gen --out "$data" --rows "$rows" --both
    echo "--rows $rows --both" >"$data/.done"
fi
orders=$data/orders.csv
[ "$input" = zst ] && orders=$data/orders.csv.zst
rm -rf $dir/out
set -- build/slipway run --catalog "$data/catalog.csv" --inventory "$data/inventory.csv" \
    --orders "$orders" --run-date 2026-11-27 --threads "$threads" --out $dir/out
case $tool in
perf)
    perf record -F 2000 -g -o $dir/perf.data -- "$@" >/dev/null 2>$dir/perf-record.log
    perf report -i $dir/perf.data --stdio --no-children --sort symbol 2>/dev/null \
        >$dir/report.txt
    echo "profile: perf, $rows lines, $input, $threads threads; self time per function:"
    grep -E '^ +[0-9.]+%' $dir/report.txt | sed 's/[ -]*$//' | head -30
    ;;
callgrind)
    valgrind --tool=callgrind --callgrind-out-file=$dir/callgrind.out "$@" >/dev/null \
        2>$dir/callgrind.log
    callgrind_annotate $dir/callgrind.out >$dir/report.txt 2>/dev/null
    echo "profile: callgrind, $rows lines, $input, $threads threads; instructions per function:"
    sed -n '/^Ir/,$p' $dir/report.txt | head -40
    ;;
*)
    echo "profile: PROFILE_TOOL is perf or callgrind" >&2
    exit 2
    ;;
esac
echo
echo "engine stages (metrics.json):"
sed -n '/stage_seconds/,/}/p' $dir/out/metrics.json
echo "full report: $dir/report.txt"
