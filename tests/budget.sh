#!/bin/sh
# The memory estimate (intake/budget.c) and the early refusal of a night too large for
# the memory it may use:
#   - the estimate of order lines from the start of each file is within 3% of the lines
#     read, for a plain file, a .zst that states its size, a streamed .zst that does not,
#     a .zst of two frames, and two files together;
#   - the memory estimate is not below the peak the run reached, nor above twice it
#     (metrics.json), so the model in budget.c has not drifted from the engine;
#   - --memory-limit below the estimate, and `ulimit -v` below it, refuse the night with
#     exit 3 before anything is read: the message gives the estimate, the memory
#     available and where that figure came from, and no DIR or temporary folder is left;
#   - --memory-limit takes K, M, G and T and refuses a size under 1 MiB (a forgotten
#     unit) or over 16 EiB (which would wrap) as a usage error.
#
# usage: sh tests/budget.sh path/to/slipway path/to/gen      (from the repository root)
set -u
test_name=budget
. tests/night_test.sh
metric() { sed -n "s/.*\"$2\": *\([0-9]*\).*/\1/p" "$1/metrics.json"; }
"$gen" --out "$work/night" --rows 60000 --seed 11 >/dev/null || { echo "budget: gen failed"; exit 1; }
n=$work/night
"$gen" --out "$work/night2" --rows 30000 --seed 12 --multi-line 0 >/dev/null ||
    { echo "budget: gen failed"; exit 1; }
zstd -q -c "$n/orders.csv" >"$work/sized.csv.zst"      # states its content size
zstd -q -c <"$n/orders.csv" >"$work/streamed.csv.zst" # does not
# Two frames, each stating its own size (as `cat a.zst b.zst` or pzstd make): the first
# frame's size is not the file's. The first frame is larger than the 16 MiB the survey
# decompresses, so only the frame header could (wrongly) size the file: the night's
# orders three times over (repeated orders are fine here, lines are what is counted).
{ cat "$n/orders.csv"; tail -n +2 "$n/orders.csv"; tail -n +2 "$n/orders.csv"; } >"$work/thrice"
head -c 18000000 "$work/thrice" >"$work/part1"
tail -c +18000001 "$work/thrice" >"$work/part2"
zstd -q -c "$work/part1" >"$work/two-frames.csv.zst"
zstd -q -c "$work/part2" >>"$work/two-frames.csv.zst"
# One-line orders with 300 more bytes of address each: an order keeps its texts, so the
# estimate must grow with the text of a row, not only with the count of orders.
"$gen" --out "$work/night3" --rows 150000 --seed 13 --multi-line 0 >/dev/null ||
    { echo "budget: gen failed"; exit 1; }
pad=$(printf '%300s' '' | tr ' ' x)
awk -F, -v OFS=, -v pad="$pad" 'NR > 1 { $11 = $11 " " pad } 1' "$work/night3/orders.csv" \
    >"$work/long-addresses.csv"
# Orders of 50 lines: the peak is then the last batch read (a row a line), not the orders
# grouped, so the estimate must hold a row's worth a line. The rows of each order are
# given the order-level values of its first (no quotes in this night: awk splits on
# commas).
"$gen" --out "$work/night4" --rows 1500000 --seed 15 --multi-line 0 --quoted 0 --error-ppm 0 \
    >/dev/null || { echo "budget: gen failed"; exit 1; }
awk -F, -v OFS=, 'NR == 1 { print; next }
    { if ((NR - 2) % 50 == 0) { for (i = 2; i <= 20; i++) f[i] = $i; f[17] = "" }
      $1 = "M" int((NR - 2) / 50); for (i = 2; i <= 20; i++) if (i < 3 || i > 5) $i = f[i]
      print }' "$work/night4/orders.csv" >"$work/fifty-lines.csv"
rm -f "$work/night4/orders.csv"
ref="--catalog $n/catalog.csv --inventory $n/inventory.csv --run-date 2026-11-27"
i=0
for orders in "$n/orders.csv" "$work/sized.csv.zst" "$work/streamed.csv.zst" \
    "$work/two-frames.csv.zst" "$n/orders.csv --orders $work/night2/orders.csv" \
    "$work/long-addresses.csv" "$work/fifty-lines.csv"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # ref and orders are word lists
    "$bin" run $ref --orders $orders --out "$work/run$i" >/dev/null 2>"$work/run$i.err" ||
        { bad "run $i ($orders): exit $?"; sed 's/^/    /' "$work/run$i.err"; continue; }
    rows=$(metric "$work/run$i" order_rows)
    est=$(metric "$work/run$i" estimated_order_rows)
    peak=$(metric "$work/run$i" peak_rss_kib)
    mem=$(metric "$work/run$i" memory_estimate_kib)
    [ $((est * 100)) -ge $((rows * 97)) ] && [ $((est * 100)) -le $((rows * 103)) ] ||
        bad "$orders: estimated $est order lines, read $rows (not within 3%)"
    [ "$mem" -ge "$peak" ] && [ "$mem" -le $((2 * peak)) ] ||
        bad "$orders: memory estimate $mem KiB against a peak of $peak KiB (outside 1x to 2x)"
done
# Refused by --memory-limit: exit 3, the figures, nothing left behind.
mkdir "$work/parent"
"$bin" run $ref --orders "$n/orders.csv" --memory-limit 8M --out "$work/parent/out" \
    >/dev/null 2>"$work/limit.err"
rc=$?
[ "$rc" = 3 ] || bad "--memory-limit 8M: exit $rc, want 3"
grep -q "needs about .* MiB of memory (about [0-9,]* order lines in [0-9,]* orders" "$work/limit.err" ||
    bad "--memory-limit 8M: no estimate in: $(cat "$work/limit.err")"
grep -q "but 8.0 MiB is available (--memory-limit)" "$work/limit.err" ||
    bad "--memory-limit 8M: no limit named in: $(cat "$work/limit.err")"
[ -z "$(ls -A "$work/parent")" ] || bad "--memory-limit 8M left $(ls -A "$work/parent")"
# Refused by the address-space limit a batch system sets (ulimit -v, in KiB).
(ulimit -v 40000 && exec "$bin" run $ref --orders "$n/orders.csv" --threads 1 \
    --out "$work/parent/out") >/dev/null 2>"$work/ulimit.err"
rc=$?
if [ "$rc" = 3 ]; then
    grep -q "(RLIMIT_AS (ulimit -v))" "$work/ulimit.err" ||
        bad "ulimit -v: the limit is not named: $(cat "$work/ulimit.err")"
else
    bad "ulimit -v 40000: exit $rc, want 3: $(cat "$work/ulimit.err")"
fi
[ -z "$(ls -A "$work/parent")" ] || bad "ulimit -v left $(ls -A "$work/parent")"
# Generous limits pass; sizes in every unit parse, and a bare small number is refused.
for size in 64G 65536M 64GiB 1T 68719476736; do
    "$bin" run $ref --orders "$n/orders.csv" --memory-limit "$size" --out "$work/ok-$size" \
        >/dev/null 2>"$work/ok.err" || bad "--memory-limit $size: exit $?: $(cat "$work/ok.err")"
done
for size in 16 512K 12X 1.5G -1G 17592186044418M 16777216T; do
    "$bin" run $ref --orders "$n/orders.csv" --memory-limit "$size" --out "$work/no" \
        >/dev/null 2>"$work/no.err"
    rc=$?
    [ "$rc" = 2 ] || bad "--memory-limit $size: exit $rc, want 2 (usage)"
done
[ "$fail" = 0 ] && echo "budget: estimates within 3% of the lines, refusals exit 3 with the figures"
[ "$fail" = 0 ]
