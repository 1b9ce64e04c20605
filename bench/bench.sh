#!/bin/sh
# make bench: slipway against the machine's floors on the same generated night.
#
# Every command runs BENCH_RUNS times, interleaved (round 1 of every command, then round
# 2, ...), so a noisy moment of the machine hits all of them alike; the table gives
# medians. Engine runs are timed as users run them: the whole process, fsync included.
#
#   sh bench/bench.sh            (make bench builds what it needs and calls this)
#
# Environment:
#   BENCH_ROWS=5000000             order lines of the main night
#   BENCH_CONTENTION_ROWS=1000000  orders of the contention night (one line each, all
#                                  on 20 hot SKUs with scarce stock); 0 skips it
#   BENCH_RUNS=3                   rounds
#   BENCH_DATA=build/bench-data    where generated nights are kept between runs
#   BENCH_RESULTS=bench/results    where the table is written (empty: not written)
#   BENCH_NOTE=""                  a line for the results file ("after fast path", ...)
#   BENCH_BASELINE=""              another slipway binary (the build before a change): also
#                                  timed, at all CPUs, on both inputs, and its outputs must
#                                  be the same bytes as this build's
set -eu

rows=${BENCH_ROWS:-5000000}
crows=${BENCH_CONTENTION_ROWS:-1000000}
runs=${BENCH_RUNS:-3}
data=${BENCH_DATA:-build/bench-data}
results=${BENCH_RESULTS-bench/results}
note=${BENCH_NOTE:-}
baseline=${BENCH_BASELINE:-}
bin=build/slipway
gen=build/bench/gen
timeit=build/bench/timeit
csvparse=build/bench/csvparse
run_date=2026-11-27
cpus=$(nproc)

for tool in $bin $gen $timeit $csvparse $baseline; do
    [ -x $tool ] || { echo "bench: $tool is missing; run make bench" >&2; exit 2; }
done
for tool in zstd sha256sum; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing" >&2; exit 2; }
done

# ---- data -------------------------------------------------------------------------------
main=$data/main-$rows
cont=$data/contention-$crows
# A night is generated again when its flags or the generator's source changed.
gen_version=$(sha256sum bench/gen.c | cut -c1-16)
make_night() { # dir, gen flags...
    dir=$1
    shift
    if [ ! -f "$dir/.done" ] || [ "$(cat "$dir/.done")" != "$* gen $gen_version" ]; then
        echo "bench: generating $dir ($*)"
        rm -rf "$dir"
        mkdir -p "$(dirname "$dir")"
        $gen --out "$dir" "$@"
        echo "$* gen $gen_version" >"$dir/.done"
    fi
}
make_night "$main" --rows "$rows" --both
[ "$crows" -gt 0 ] && make_night "$cont" --rows "$crows" --contention --multi-line 0 --both

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
raw=$work/raw # name round wall rss status
: >"$raw"

# ---- commands -----------------------------------------------------------------------------
# One per line: name|rows|input bytes|command. The engine's output folder is $work/out.
cmds=$work/cmds
plain=$main/orders.csv
zst=$main/orders.csv.zst
plain_bytes=$(wc -c <"$plain")
ref="--catalog $main/catalog.csv --inventory $main/inventory.csv --run-date $run_date"
threads="1 2"
[ "$cpus" -gt 2 ] && threads="1 2 $cpus"
{
    echo "cat|$rows|$plain_bytes|cat $plain"
    echo "zstd -dc|$rows|$plain_bytes|sh -c 'zstd -dc $zst >/dev/null'"
    echo "durable copy|$rows|$plain_bytes|sh -c 'cp $plain $work/copy.csv && sync $work/copy.csv'"
    echo "libcsv parse|$rows|$plain_bytes|$csvparse $plain"
    for t in $threads; do
        echo "engine csv, $t thr|$rows|$plain_bytes|$bin run $ref --orders $plain --threads $t --out $work/out"
        echo "engine zst, $t thr|$rows|$plain_bytes|$bin run $ref --orders $zst --threads $t --out $work/out"
    done
    if [ -n "$baseline" ]; then
        echo "baseline csv, $cpus thr|$rows|$plain_bytes|$baseline run $ref --orders $plain --threads $cpus --out $work/out"
        echo "baseline zst, $cpus thr|$rows|$plain_bytes|$baseline run $ref --orders $zst --threads $cpus --out $work/out"
    fi
    if [ "$crows" -gt 0 ]; then
        cbytes=$(wc -c <"$cont/orders.csv")
        echo "contention zst, $cpus thr|$crows|$cbytes|$bin run --catalog $cont/catalog.csv --inventory $cont/inventory.csv --run-date $run_date --orders $cont/orders.csv.zst --threads $cpus --out $work/out"
    fi
} >"$cmds"

# The outputs of every engine run of one input file must be the same bytes for any thread
# count (SPEC); a benchmark that changed them would be measuring something else.
check_outputs() { # name
    sums=$(cd "$work/out" && ls | grep -v '^metrics.json$' | xargs sha256sum | sha256sum | cut -c1-16)
    case $1 in contention*) key=contention ;; *csv*) key=csv ;; *) key=zst ;; esac
    if [ -f "$work/sums.$key" ]; then
        [ "$(cat "$work/sums.$key")" = "$sums" ] ||
            { echo "bench: $1 wrote different outputs than an earlier run" >&2; exit 1; }
    else
        echo "$sums" >"$work/sums.$key"
    fi
}

stages="load_reference read_orders check_orders allocate write_outputs"
round=1
while [ $round -le "$runs" ]; do
    echo "bench: round $round of $runs"
    while IFS='|' read -r name nrows nbytes cmd; do
        rm -rf "$work/out" "$work/copy.csv"
        sync
        : >"$work/one"
        eval "$timeit -o $work/one -- $cmd" >/dev/null || {
            echo "bench: '$name' failed" >&2
            exit 1
        }
        read -r wall rss status <"$work/one"
        st=""
        if [ -f "$work/out/metrics.json" ]; then
            check_outputs "$name"
            for s in $stages; do
                v=$(sed -n "s/.*\"$s\": *\([0-9.]*\).*/\1/p" "$work/out/metrics.json")
                st="$st ${v:-0}"
            done
        else
            st=" - - - - -"
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$wall" "$rss" "$nrows $nbytes" "$st" >>"$raw"
        printf '  %-24s %8.2f s\n' "$name" "$wall"
    done <"$cmds"
    round=$((round + 1))
done

# ---- table --------------------------------------------------------------------------------
table=$work/table
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # name, field number of raw
    awk -F'\t' -v n="$1" -v f="$2" '$1 == n { print $f }' "$raw"
}
{
    echo "| command | wall, median (min-max) | rows/s | MB/s | peak RSS | RSS B/line | reference | read | check | allocate | write |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    while IFS='|' read -r name nrows nbytes cmd; do
        w=$(col "$name" 3 | median)
        lo=$(col "$name" 3 | sort -g | head -1)
        hi=$(col "$name" 3 | sort -g | tail -1)
        r=$(col "$name" 4 | median)
        s=""
        for k in 1 2 3 4 5; do
            v=$(col "$name" 6 | awk -v k=$k '{ split($0, a, " "); print a[k] }')
            case $v in -*) s="$s | -" ;; *) s="$s | $(echo "$v" | median | awk '{ printf "%.2f s", $1 }')" ;; esac
        done
        awk -v n="$name" -v w="$w" -v lo="$lo" -v hi="$hi" -v r="$r" -v rows="$nrows" -v b="$nbytes" -v s="$s" 'BEGIN {
            printf "| %s | %.2f s (%.2f-%.2f) | %.2f M | %.0f | %.0f MiB | %.0f%s |\n",
                n, w, lo, hi, rows / w / 1e6, b / w / 1e6, r / 1024, r * 1024 / rows, s }'
    done <"$cmds"
} >"$table"

med() { col "$1" 3 | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
top=2
[ "$cpus" -gt 2 ] && top=$cpus
zdc=$(med "zstd -dc")
cpy=$(med "durable copy")
e1=$(med "engine csv, 1 thr")
e2=$(med "engine csv, 2 thr")
ez=$(med "engine zst, $top thr")
ec=$(med "engine csv, $top thr")
rss=$(col "engine zst, $top thr" 4 | median)
{
    echo
    echo "| ratio | measured | target (stretch) |"
    echo "| --- | --- | --- |"
    echo "| engine zst, $top thr ÷ zstd -dc | $(ratio "$ez" "$zdc") × | ≤ 3.0 × (2.0 ×) |"
    echo "| engine csv, $top thr ÷ durable copy | $(ratio "$ec" "$cpy") × | ≤ 3.0 × (2.0 ×) |"
    echo "| speed-up, 2 thr over 1 thr (csv) | $(ratio "$e1" "$e2") × | ≥ 1.8 × |"
    echo "| peak RSS per order line (zst, $top thr) | $(awk -v r="$rss" -v n="$rows" 'BEGIN { printf "%.0f", r * 1024 / n }') B | ≤ 200 B (120 B) |"
    if [ -n "$baseline" ]; then
        echo "| this build ÷ baseline, csv, $cpus thr | $(ratio "$(med "engine csv, $cpus thr")" "$(med "baseline csv, $cpus thr")") × | below 1: faster |"
        echo "| this build ÷ baseline, zst, $cpus thr | $(ratio "$(med "engine zst, $cpus thr")" "$(med "baseline zst, $cpus thr")") × | below 1: faster |"
        echo "| peak RSS, this build ÷ baseline (zst) | $(ratio "$(col "engine zst, $cpus thr" 4 | median)" "$(col "baseline zst, $cpus thr" 4 | median)") × | below 1: smaller |"
    fi
    if [ "$crows" -gt 0 ]; then
        ct=$(med "contention zst, $cpus thr")
        echo "| contention ÷ main, seconds per line | $(awk -v c="$ct" -v cr="$crows" -v m="$ez" -v mr="$rows" 'BEGIN { printf "%.2f", (c / cr) / (m / mr) }') × | ≤ 1.0 × |"
    fi
} >>"$table"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -v '^??' | head -1)
[ -n "$dirty" ] && commit="$commit (with uncommitted changes)"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
head=$work/head
{
    echo "# slipway bench, $(date -u +%Y-%m-%d) on $(hostname)"
    echo
    [ -n "$note" ] && { echo "$note"; echo; }
    echo "commit $commit; $cpus CPUs ($cpu); $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)."
    echo "Main night: $rows order lines, $(awk -v b="$plain_bytes" 'BEGIN { printf "%.0f MB", b / 1e6 }') CSV, $(wc -c <"$zst" | awk '{ printf "%.0f MB", $1 / 1e6 }') .zst."
    [ "$crows" -gt 0 ] && echo "Contention night: $crows one-line orders on 20 hot SKUs with scarce stock."
    [ -n "$baseline" ] && echo "Baseline: $baseline ($(sha256sum "$baseline" | cut -c1-12))."
    echo "$runs interleaved rounds; medians. Stage times are the engine's own (metrics.json)."
    echo
} >"$head"

cat "$head" "$table"
if [ -n "$results" ]; then
    mkdir -p "$results"
    out=$results/$(date -u +%Y-%m-%d)-$(hostname).md
    if [ -f "$out" ]; then
        { echo; echo "---"; echo; cat "$head" "$table"; } >>"$out"
    else
        cat "$head" "$table" >"$out"
    fi
    echo
    echo "bench: written to $out"
fi
