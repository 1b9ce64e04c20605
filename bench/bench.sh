#!/bin/sh
# make bench: slipway against the machine's floor and a DuckDB peer on the same nights.
#
# Every command runs BENCH_RUNS times, interleaved (round 1 of every command of every
# night, then round 2, ...), so a noisy moment of the machine hits all of them alike; the
# tables give medians, and each round's ratios are printed after it so a noisy round
# shows. Engine runs are timed as users run them: the whole process, fsync included.
# bench/README.md says what each command, ratio and target is.
#
#   sh bench/bench.sh            (make bench builds and installs what it needs, then calls this)
#
# Environment:
#   BENCH_ROWS="1000000 5000000"   order lines of each main night (one table section each)
#   BENCH_CONTENTION_ROWS=1000000  orders of the contention night (one line each, all on
#                                  20 hot SKUs with scarce stock) and of its twin, the same
#                                  number of one-line orders over the whole catalog; 0 skips
#   BENCH_ROUTED_ROWS=1000000      order lines of the routed night (issue 14: customers in
#                                  four countries, four warehouses, routes by country, a
#                                  webshop reserve, split = fewest), run with its policy
#                                  and without (plain.conf); 0 skips
#   BENCH_PAYOUT_LINES=1000000     payout lines of the reconcile year (issue 16: 365 nights
#                                  of history, Shopify, Amazon and eBay payouts, all .zst),
#                                  reconciled against zstd -dc of the same files; 0 skips
#   BENCH_RUNS=3                   rounds
#   BENCH_DATA=build/bench-data    where generated nights are kept between runs
#   BENCH_RESULTS=bench/results    where the tables are written (empty: not written)
#   BENCH_NOTE=""                  a line for the results file ("after fast path", ...)
#   BENCH_BASELINE=""              another slipway binary (the build before a change): also
#                                  timed on each main night, at all CPUs, on both inputs, and
#                                  its outputs must be the same bytes as this build's
#   BENCH_SKIP_OUTPUTS=""          output files the same-outputs check leaves out, for a
#                                  baseline written before them (report.html ...)
#   BENCH_DUCKDB=1                 0: leave the DuckDB peer out (it needs node and
#                                  build/duckdb, which make bench installs)
set -eu

rows_list=${BENCH_ROWS:-1000000 5000000}
crows=${BENCH_CONTENTION_ROWS:-1000000}
rrows=${BENCH_ROUTED_ROWS:-1000000}
plines=${BENCH_PAYOUT_LINES:-1000000}
runs=${BENCH_RUNS:-3}
data=${BENCH_DATA:-build/bench-data}
results=${BENCH_RESULTS-bench/results}
note=${BENCH_NOTE:-}
baseline=${BENCH_BASELINE:-}
# Files left out of the same-outputs check (besides metrics.json), for a baseline that
# predates them: BENCH_SKIP_OUTPUTS="report.html summary.txt manifest.json".
skip_files=$(for f in ${BENCH_SKIP_OUTPUTS:-}; do printf ' -e %s' "$f"; done)
duckdb=${BENCH_DUCKDB:-1}
bin=build/slipway
gen=build/bench/gen
timeit=build/bench/timeit
csvparse=build/bench/csvparse
peer=build/duckdb/run.mjs
run_date=2026-11-27
cpus=$(nproc)

for tool in $bin $gen $timeit $csvparse $baseline; do
    [ -x $tool ] || { echo "bench: $tool is missing; run make bench" >&2; exit 2; }
done
for tool in zstd sha256sum; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing" >&2; exit 2; }
done

# The DuckDB peer runs when node and its install in build/duckdb are there; otherwise one
# line says why not, and its rows and ratios are left out.
peer_info=""
if [ "$duckdb" != 1 ]; then
    peer_skip="DuckDB peer: not run (BENCH_DUCKDB=$duckdb)."
elif ! command -v node >/dev/null; then
    peer_skip="DuckDB peer: skipped, node is absent (make bench installs it from Debian's nodejs and npm)."
elif [ ! -f build/duckdb/node_modules/@duckdb/node-api/package.json ] || [ ! -f $peer ]; then
    peer_skip="DuckDB peer: skipped, build/duckdb is not installed (make bench-duckdb)."
elif ! peer_info=$(node $peer --info 2>&1); then
    peer_skip="DuckDB peer: skipped, it does not start: $peer_info"
    peer_info=""
else
    peer_skip=""
fi
[ -n "$peer_skip" ] && echo "bench: $peer_skip"
# "duckdb v1.5.6 (@duckdb/node-api 1.5.6-r.1), 2 threads": its threads name its row.
peer_threads=$(echo "$peer_info" | sed -n 's/.*, \([0-9]*\) threads$/\1/p')

# ---- data -------------------------------------------------------------------------------
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
for rows in $rows_list; do
    make_night "$data/main-$rows" --rows "$rows" --both
done
if [ "$crows" -gt 0 ]; then
    make_night "$data/contention-$crows" --rows "$crows" --contention --multi-line 0 --both
    make_night "$data/one-line-$crows" --rows "$crows" --multi-line 0 --both
fi
[ "$rrows" -gt 0 ] && make_night "$data/routed-$rrows" --rows "$rrows" --routed --both
# The reconcile year: bench/payoutgen.c's files, every CSV then compressed (.zst), as a
# year of nights and payouts would be kept.
payoutgen_version=$(sha256sum bench/payoutgen.c | cut -c1-16)
if [ "$plines" -gt 0 ]; then
    ydir=$data/reconcile-$plines
    if [ ! -f "$ydir/.done" ] || [ "$(cat "$ydir/.done")" != "$plines $payoutgen_version" ]; then
        echo "bench: generating $ydir (a year, $plines payout lines)"
        rm -rf "$ydir"
        mkdir -p "$data"
        build/bench/payoutgen --out "$ydir" --lines "$plines"
        find "$ydir" -name '*.csv' -o -name '*.txt' | xargs zstd -q --rm
        echo "$plines $payoutgen_version" >"$ydir/.done"
    fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
raw=$work/raw # night name round wall rss
: >"$raw"

ref() { # night folder: the engine's reference flags
    echo "--catalog $1/catalog.csv --inventory $1/inventory.csv --run-date $run_date"
}

# The outputs of every run of one input must be the same bytes for any thread count and
# any build (SPEC: metrics.json aside); a benchmark that changed them would be measuring
# something else. The DuckDB peer's must be the same in every round too.
check_outputs() { # key, name
    sums=$(cd "$work/out" && ls | grep -vx -e metrics.json $skip_files | xargs sha256sum |
        sha256sum | cut -c1-16)
    if [ -f "$work/sums.$1" ]; then
        [ "$(cat "$work/sums.$1")" = "$sums" ] ||
            { echo "bench: $2 wrote different outputs than an earlier run of $1" >&2; exit 1; }
    else
        echo "$sums" >"$work/sums.$1"
    fi
}

# The floor's second half is a durable write of as many bytes as the engine's outputs. A
# sizing run of each main night (zst, 2 threads, before round 1; its outputs also seed
# the identical-output check) gives that size; the file is the night's CSV repeated and
# cut to it, so it is made of ordinary text, not zeros a device might treat specially.
make_outputs_file() { # night folder, file, check key
    rm -rf "$work/out"
    $bin run $(ref "$1") --orders "$1/orders.csv.zst" --threads 2 --out "$work/out" >/dev/null
    check_outputs "$3" "the sizing run"
    size=$(stat -c %s "$work/out"/* | awk '{ s += $1 } END { print s }')
    csv_bytes=$(wc -c <"$1/orders.csv")
    n=$((size / csv_bytes + 1))
    i=0
    while [ $i -lt $n ]; do
        cat "$1/orders.csv"
        i=$((i + 1))
    done | head -c "$size" >"$2"
    echo "$size"
}

# ---- commands -----------------------------------------------------------------------------
# One per line: night|name|rows|bytes|check|command. check names the outputs that must be
# the same bytes in every run that has it (empty: the command writes no outputs); the
# engine's and the peer's output folder is $work/out.
cmds=$work/cmds
nights=""
for rows in $rows_list; do
    night=main-$rows
    nights="$nights $night"
    d=$data/$night
    plain=$d/orders.csv
    zst=$d/orders.csv.zst
    pb=$(wc -c <"$plain")
    echo "bench: sizing $night's outputs"
    ob=$(make_outputs_file "$d" "$work/outputs-$night" "$night-zst")
    echo "$ob" >"$work/outputs-bytes-$night"
    threads="1 2"
    [ "$cpus" -gt 2 ] && threads="1 2 $cpus"
    {
        echo "$night|cat|$rows|$pb||cat $plain"
        echo "$night|zstd -dc|$rows|$pb||sh -c 'zstd -dc $zst >/dev/null'"
        echo "$night|durable copy|$rows|$pb||sh -c 'cp $plain $work/copy && sync $work/copy'"
        echo "$night|durable write|$rows|$ob||sh -c 'cp $work/outputs-$night $work/copy && sync $work/copy'"
        echo "$night|libcsv parse|$rows|$pb||$csvparse $plain"
        for t in $threads; do
            echo "$night|engine csv, $t thr|$rows|$pb|$night-csv|$bin run $(ref "$d") --orders $plain --threads $t --out $work/out"
            echo "$night|engine zst, $t thr|$rows|$pb|$night-zst|$bin run $(ref "$d") --orders $zst --threads $t --out $work/out"
        done
        # issue 18: the same night as 2 map tasks and a finishing task, separate processes
        # through a work folder (emptied first: a kept one would skip the map tasks)
        echo "$night|engine zst, 2 thr, 2 shards|$rows|$pb|$night-zst|sh -c 'rm -rf $work/sw-$night && $bin run $(ref "$d") --orders $zst --threads 2 --shards 2 --work $work/sw-$night --out $work/out'"
        if [ -n "$baseline" ]; then
            echo "$night|baseline csv, $cpus thr|$rows|$pb|$night-csv|$baseline run $(ref "$d") --orders $plain --threads $cpus --out $work/out"
            echo "$night|baseline zst, $cpus thr|$rows|$pb|$night-zst|$baseline run $(ref "$d") --orders $zst --threads $cpus --out $work/out"
        fi
        if [ -z "$peer_skip" ]; then
            echo "$night|duckdb zst, $peer_threads thr|$rows|$pb|$night-duckdb|node $peer --quiet $(ref "$d") --orders $zst --out $work/out"
        fi
    } >>"$cmds"
done
if [ "$crows" -gt 0 ]; then
    nights="$nights contention"
    for n in contention one-line; do
        d=$data/$n-$crows
        echo "contention|$n zst, 2 thr|$crows|$(wc -c <"$d/orders.csv")|$n|$bin run $(ref "$d") --orders $d/orders.csv.zst --threads 2 --out $work/out"
    done >>"$cmds"
fi
if [ "$rrows" -gt 0 ]; then
    nights="$nights routed"
    d=$data/routed-$rrows
    for p in plain policy fair; do
        echo "routed|$p.conf zst, 2 thr|$rrows|$(wc -c <"$d/orders.csv")|routed-$p|$bin run $(ref "$d") --policy $d/$p.conf --orders $d/orders.csv.zst --threads 2 --out $work/out"
    done >>"$cmds"
fi

if [ "$plines" -gt 0 ]; then
    nights="$nights reconcile"
    find "$ydir" -name '*.zst' | sort >"$work/zst-list"
    yb=$(xargs cat <"$work/zst-list" | zstd -dc | wc -c)
    args=$(for d in "$ydir"/nights/*; do printf ' --history %s' "$d"; done)
    args="$args$(for f in "$ydir"/payouts/*; do printf ' --payouts %s' "$f"; done)"
    # The outputs' share of the floor, as for the main nights: a durable write of as many
    # bytes as reconcile writes (a sizing run, whose outputs seed the identical-output
    # check), the night's own text repeated (ordinary text, not zeros).
    echo "bench: sizing the reconcile year's outputs"
    rm -rf "$work/out"
    eval "$bin reconcile -q$args --as-of 2027-01-15 --out $work/out" >/dev/null
    check_outputs reconcile "the sizing run"
    rob=$(stat -c %s "$work/out"/* | awk '{ s += $1 } END { print s }')
    echo "$rob" >"$work/outputs-bytes-reconcile"
    while cat "$work/out/payout_lines.csv"; do :; done 2>/dev/null | head -c "$rob" >"$work/outputs-reconcile"
    {
        echo "reconcile|zstd -dc of its files|$plines|$yb||sh -c 'xargs zstd -qdc <$work/zst-list >/dev/null'"
        echo "reconcile|durable write of its outputs' size|$plines|$rob||sh -c 'cp $work/outputs-reconcile $work/copy && sync $work/copy'"
        echo "reconcile|reconcile zst|$plines|$yb|reconcile|$bin reconcile -q$args --as-of 2027-01-15 --out $work/out"
        if [ -n "$baseline" ]; then
            echo "reconcile|baseline reconcile zst|$plines|$yb|reconcile|$baseline reconcile -q$args --as-of 2027-01-15 --out $work/out"
        fi
        # The same year with one payout file: nearly every order is an open item (the
        # open items once sorted in quadratic time, 3 minutes at 330,000 of them).
        first=$(ls "$ydir"/payouts/* | head -1)
        hargs=$(for d in "$ydir"/nights/*; do printf ' --history %s' "$d"; done)
        echo "reconcile|reconcile zst, one payout file|$plines|$yb|reconcile-open|$bin reconcile -q$hargs --payouts $first --as-of 2027-01-15 --out $work/out"
    } >>"$cmds"
fi

# ---- values and ratios ----------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else if (NR) printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # night, name, field of raw (4 wall, 5 rss KiB, 6 stages)
    awk -F'\t' -v t="$1" -v n="$2" -v f="$3" '$1 == t && $2 == n { print $f }' "$raw"
}
val() { # night, name, field, round (m: the median of all rounds): one number or nothing
    if [ "$4" = m ]; then
        col "$1" "$2" "$3" | median
    else
        awk -F'\t' -v t="$1" -v n="$2" -v f="$3" -v r="$4" '$1 == t && $2 == n && $3 == r { print $f }' "$raw"
    fi
}
div() { # a, b: a / b to two decimals, or - when either is missing
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'
}

# ratios NIGHT ROUND: "label|value|target" lines, in the same order for every round.
ratios() {
    rt=$1 # POSIX sh has no locals: no name set here is in use where ratios is called
    rr=$2
    if [ "$rt" = contention ]; then
        echo "contention ÷ one-line night, seconds per line (zst, 2 thr)|$(div "$(val "$rt" "contention zst, 2 thr" 4 "$rr")" "$(val "$rt" "one-line zst, 2 thr" 4 "$rr")") ×|≤ 1.0 ×"
        return
    fi
    if [ "$rt" = reconcile ]; then
        echo "reconcile ÷ zstd -dc of the same files|$(div "$(val "$rt" "reconcile zst" 4 "$rr")" "$(val "$rt" "zstd -dc of its files" 4 "$rr")") ×|≤ 3.0 ×"
        zdc=$(val "$rt" "zstd -dc of its files" 4 "$rr")
        wrt=$(val "$rt" "durable write of its outputs' size" 4 "$rr")
        fz=$(awk -v a="$zdc" -v b="$wrt" 'BEGIN { if (a != "" && b != "") print a + b }')
        echo "reconcile ÷ floor (zstd -dc + durable write of its outputs)|$(div "$(val "$rt" "reconcile zst" 4 "$rr")" "$fz") ×|none (the main nights' floor)"
        echo "floor (zstd -dc + durable write) ÷ zstd -dc|$(div "$fz" "$zdc") ×|none"
        if [ -n "$baseline" ]; then
            echo "this build ÷ baseline, reconcile zst|$(div "$(val "$rt" "reconcile zst" 4 "$rr")" "$(val "$rt" "baseline reconcile zst" 4 "$rr")") ×|below 1: faster"
        fi
        return
    fi
    if [ "$rt" = routed ]; then
        echo "routed ÷ plain, the same night (zst, 2 thr)|$(div "$(val "$rt" "policy.conf zst, 2 thr" 4 "$rr")" "$(val "$rt" "plain.conf zst, 2 thr" 4 "$rr")") ×|≤ 1.2 ×"
        echo "fair (proportional, minimum fills) ÷ plain (zst, 2 thr)|$(div "$(val "$rt" "fair.conf zst, 2 thr" 4 "$rr")" "$(val "$rt" "plain.conf zst, 2 thr" 4 "$rr")") ×|none"
        return
    fi
    nl=${rt#main-}
    zdc=$(val "$rt" "zstd -dc" 4 "$rr")
    cpy=$(val "$rt" "durable copy" 4 "$rr")
    wrt=$(val "$rt" "durable write" 4 "$rr")
    fz=$(awk -v a="$zdc" -v b="$wrt" 'BEGIN { if (a != "" && b != "") print a + b }')
    fc=$(awk -v a="$cpy" -v b="$wrt" 'BEGIN { if (a != "" && b != "") print a + b }')
    echo "engine zst, 2 thr ÷ floor (zstd -dc + durable write)|$(div "$(val "$rt" "engine zst, 2 thr" 4 "$rr")" "$fz") ×|≤ 3.0 × (2.0 ×)"
    echo "engine csv, 2 thr ÷ floor (durable copy + durable write)|$(div "$(val "$rt" "engine csv, 2 thr" 4 "$rr")" "$fc") ×|≤ 3.0 × (2.0 ×)"
    echo "speed-up, 2 thr over 1 thr, csv|$(div "$(val "$rt" "engine csv, 1 thr" 4 "$rr")" "$(val "$rt" "engine csv, 2 thr" 4 "$rr")") ×|≥ 1.8 ×"
    echo "speed-up, 2 thr over 1 thr, zst|$(div "$(val "$rt" "engine zst, 1 thr" 4 "$rr")" "$(val "$rt" "engine zst, 2 thr" 4 "$rr")") ×|≥ 1.8 ×"
    echo "2 shards ÷ plain (zst, 2 thr)|$(div "$(val "$rt" "engine zst, 2 thr, 2 shards" 4 "$rr")" "$(val "$rt" "engine zst, 2 thr" 4 "$rr")") ×|≤ 1.3 ×"
    # what the tasks hand each other, per order line, against the input's text per line
    moved=$(cat "$work/sw-$rt"/map-*.zst "$work/sw-$rt"/group-*.zst 2>/dev/null | wc -c)
    pbytes=$(wc -c <"$data/$rt/orders.csv")
    echo "bytes moved between tasks per order line (2 shards) ÷ input bytes per line|$(awk -v m="$moved" -v p="$pbytes" -v n="$nl" 'BEGIN { printf "%.1f B ÷ %.1f B = %.2f", m / n, p / n, m / p }') ×|≤ 0.33 ×"
    if [ "$rr" = m ]; then
        alloc=$(col "$rt" "engine zst, 2 thr" 6 | awk '{ print $4 }' | median)
    else
        alloc=$(val "$rt" "engine zst, 2 thr" 6 "$rr" | awk '{ print $4 }')
    fi
    echo "allocation stage, order lines per second (zst, 2 thr)|$(awk -v a="$alloc" -v n="$nl" 'BEGIN { if (a == "" || a == "-" || a == 0) print "-"; else printf "%.2f M", n / a / 1e6 }')|none (sequential by design)"
    rss=$(val "$rt" "engine zst, 2 thr" 5 "$rr")
    echo "peak RSS per order line (zst, 2 thr)|$(awk -v k="$rss" -v n="$nl" 'BEGIN { if (k == "") print "-"; else printf "%.0f", k * 1024 / n }') B|≤ 120 B at 5M lines (issue 6: ≤ 200 B)"
    if [ -z "$peer_skip" ]; then
        dn="duckdb zst, $peer_threads thr"
        en="engine zst, $cpus thr"
        echo "DuckDB ÷ slipway, wall ($dn ÷ $en)|$(div "$(val "$rt" "$dn" 4 "$rr")" "$(val "$rt" "$en" 4 "$rr")") ×|≥ 5.0 × (10.0 ×)"
        echo "DuckDB ÷ slipway, peak RSS|$(div "$(val "$rt" "$dn" 5 "$rr")" "$(val "$rt" "$en" 5 "$rr")") ×|> 1.0 ×"
    fi
    if [ -n "$baseline" ]; then
        for k in csv zst; do
            echo "this build ÷ baseline, $k, $cpus thr|$(div "$(val "$rt" "engine $k, $cpus thr" 4 "$rr")" "$(val "$rt" "baseline $k, $cpus thr" 4 "$rr")") ×|below 1: faster"
        done
        echo "peak RSS, this build ÷ baseline (zst)|$(div "$(val "$rt" "engine zst, $cpus thr" 5 "$rr")" "$(val "$rt" "baseline zst, $cpus thr" 5 "$rr")") ×|below 1: smaller"
    fi
}

# ---- rounds ---------------------------------------------------------------------------------
stages="load_reference read_orders check_orders allocate write_outputs"
round=1
while [ $round -le "$runs" ]; do
    echo "bench: round $round of $runs"
    while IFS='|' read -r night name nrows nbytes key cmd; do
        rm -rf "$work/out" "$work/copy"
        sync
        : >"$work/one"
        eval "$timeit -o $work/one -- $cmd" >/dev/null || {
            echo "bench: '$name' on $night failed" >&2
            exit 1
        }
        read -r wall rss status <"$work/one"
        [ -n "$key" ] && check_outputs "$key" "'$name' on $night"
        st=""
        for s in $stages; do
            v=""
            [ -f "$work/out/metrics.json" ] &&
                v=$(sed -n "s/.*\"$s\": *\([0-9.]*\).*/\1/p" "$work/out/metrics.json")
            st="$st ${v:--}"
        done
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$night" "$name" "$round" "$wall" "$rss" "$st" >>"$raw"
        printf '  %-14s %-24s %8.2f s %6.0f MiB\n' "$night" "$name" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
    done <"$cmds"
    for night in $nights; do
        ratios "$night" "$round" | awk -F'|' -v t="$night" -v r="$round" '{ printf "  round %s, %s: %s = %s\n", r, t, $1, $2 }'
    done
    round=$((round + 1))
done

# ---- tables -------------------------------------------------------------------------------
# Per night: every command's medians, then its ratios, from the medians and round by round.
tables=$work/tables
: >"$tables"
for night in $nights; do
    {
        echo
        if [ "$night" = contention ]; then
            echo "## Contention: $crows one-line orders on 20 hot SKUs against as many over the catalog"
        elif [ "$night" = reconcile ]; then
            echo "## A year of payouts: $plines payout lines of Shopify, Amazon and eBay against 365 nights of history (bench/payoutgen.c), all .zst; reconcile writes $(awk -v b="$(cat "$work/outputs-bytes-reconcile")" 'BEGIN { printf "%.0f MB", b / 1e6 }') (the durable write's size)"
        elif [ "$night" = routed ]; then
            echo "## Routed night, $rrows order lines: its policy.conf (routes by country, a webshop reserve, split = fewest) and fair.conf (the routes, max_split = 2, proportional shares, minimum fills) against plain.conf (warehouse order alone)"
        else
            rows=${night#main-}
            d=$data/$night
            echo "## Main night, $rows order lines"
            echo
            echo "$(awk -v b="$(wc -c <"$d/orders.csv")" 'BEGIN { printf "%.0f MB", b / 1e6 }') of CSV, $(wc -c <"$d/orders.csv.zst" | awk '{ printf "%.0f MB", $1 / 1e6 }') as .zst; the engine's outputs $(awk -v b="$(cat "$work/outputs-bytes-$night")" 'BEGIN { printf "%.0f MB", b / 1e6 }') (the durable write's size)."
        fi
        echo
        echo "| command | wall, median (min-max) | rows/s | MB/s | peak RSS | RSS B/line | reference | read | check | allocate | write |"
        echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        while IFS='|' read -r t name nrows nbytes key cmd; do
            [ "$t" = "$night" ] || continue
            w=$(val "$t" "$name" 4 m)
            lo=$(col "$t" "$name" 4 | sort -g | head -1)
            hi=$(col "$t" "$name" 4 | sort -g | tail -1)
            r=$(val "$t" "$name" 5 m)
            s=""
            for k in 1 2 3 4 5; do
                v=$(col "$t" "$name" 6 | awk -v k=$k '{ split($0, a, " "); print a[k] }')
                case $v in -*) s="$s | -" ;; *) s="$s | $(echo "$v" | median | awk '{ printf "%.2f s", $1 }')" ;; esac
            done
            awk -v n="$name" -v w="$w" -v lo="$lo" -v hi="$hi" -v r="$r" -v rows="$nrows" -v b="$nbytes" -v s="$s" 'BEGIN {
                printf "| %s | %.2f s (%.2f-%.2f) | %.2f M | %.0f | %.0f MiB | %.0f%s |\n",
                    n, w, lo, hi, rows / w / 1e6, b / w / 1e6, r / 1024, r * 1024 / rows, s }'
        done <"$cmds"
        echo
        head="| ratio | of the medians |"
        line="| --- | --- |"
        round=1
        while [ $round -le "$runs" ]; do
            head="$head round $round |"
            line="$line --- |"
            round=$((round + 1))
        done
        echo "$head target (stretch) |"
        echo "$line --- |"
        ratios "$night" m >"$work/ratios.m"
        round=1
        while [ $round -le "$runs" ]; do
            ratios "$night" $round | cut -d'|' -f2 >"$work/ratios.$round"
            round=$((round + 1))
        done
        set -- "$work/ratios.m"
        round=1
        while [ $round -le "$runs" ]; do
            set -- "$@" "$work/ratios.$round"
            round=$((round + 1))
        done
        # label|medians|target, then each round's value: | label | medians | r1 ... | target |
        paste -d'|' "$@" | awk -F'|' '{ printf "| %s | %s |", $1, $2; for (i = 4; i <= NF; i++) printf " %s |", $i; printf " %s |\n", $3 }'
    } >>"$tables"
done

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
    echo "Main nights: $(echo $rows_list | sed 's/ /, /g') order lines."
    [ "$crows" -gt 0 ] && echo "Contention night: $crows one-line orders on 20 hot SKUs with scarce stock; one-line night: $crows one-line orders over the whole catalog."
    [ "$plines" -gt 0 ] && echo "Reconcile year: $plines payout lines, 365 nights of history (bench/payoutgen.c)."
    [ "$rrows" -gt 0 ] && echo "Routed night: $rrows order lines, customers in DE, FR, GB and the US, stock in MAIN, EAST, UK and US (bench/gen.c --routed)."

    if [ -n "$peer_skip" ]; then
        echo "$peer_skip"
    else
        echo "DuckDB peer: $peer_info, bench/duckdb/night.sql on the .zst."
    fi
    [ -n "$baseline" ] && echo "Baseline: $baseline ($(sha256sum "$baseline" | cut -c1-12))."
    if [ "$runs" = 1 ]; then
        echo "One round. Stage times are the engine's own (metrics.json)."
    else
        echo "$runs interleaved rounds; medians. Stage times are the engine's own (metrics.json)."
    fi
} >"$head"

cat "$head" "$tables"
if [ -n "$results" ]; then
    mkdir -p "$results"
    out=$results/$(date -u +%Y-%m-%d)-$(hostname).md
    if [ -f "$out" ]; then
        { echo; echo "---"; echo; cat "$head" "$tables"; } >>"$out"
    else
        cat "$head" "$tables" >"$out"
    fi
    echo
    echo "bench: written to $out"
fi
