#!/bin/sh
# A sharded night writes the bytes a plain night writes: every golden case with an
# expected output folder, run with `--shards N --work DIR` (map tasks, group tasks and the
# finishing task as separate processes through the work folder), must match its expected/
# byte for byte (metrics.json aside); a refused case must be refused with its exit code
# and leave no output folder. Then the work folder's promises: a task run again does
# nothing, a task with an earlier phase's results missing is refused naming them, a
# damaged exchange file is refused naming it, a changed input is refused, and a plan
# written by another night (other arguments) is replaced, not mixed.
#
# usage: tests/shards.sh path/to/slipway [SHARDS ...]     (default: 1 2 8)
set -u
bin=$1
shift
counts=${*:-1 2 8}
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-shards.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

for dir in tests/cases/*/; do
    c=$(basename "$dir")
    [ -f "$dir/args" ] || continue
    args=$(cat "$dir/args")
    want_exit=0
    [ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
    # the cases read standard input only through their own wrappers; none here
    case " $args " in *" - "*) continue ;; esac
    for n in $counts; do
        out=$work/out-$c-$n
        # shellcheck disable=SC2086
        "$bin" run $args --threads 2 --shards "$n" --work "$work/w-$c-$n" --out "$out" \
            >"$work/stdout" 2>"$work/stderr"
        got=$?
        if [ "$got" != "$want_exit" ]; then
            bad "$c --shards $n: exit $got, expected $want_exit"
            sed 's/^/    /' "$work/stderr" | head -5
            continue
        fi
        if [ ! -d "$dir/expected" ]; then
            if [ -e "$out" ]; then bad "$c --shards $n: a refused night left $out"; else ok; fi
            continue
        fi
        if diff -r -x metrics.json "$dir/expected" "$out" >"$work/diff" 2>&1; then
            ok
        else
            bad "$c --shards $n: output differs from expected/"
            head -20 "$work/diff" | sed 's/^/    /'
        fi
        rm -rf "$out" "$work/w-$c-$n"
    done
done

# ---- a file parsed by every map task, a chunk each ----
# A generated night of 150,000 lines (5 chunks of 4 MiB) in CSV, larger than a task's
# share, and again as .zst (the same orders: each a copy set aside), with malformed and
# multi-line records and returns: the CSV is cut among the tasks chunk by chunk.
if [ -x build/bench/gen ]; then
    build/bench/gen --out "$work/g" --rows 150000 --error-ppm 3000 --multi-line 20 --quoted 10 \
        --returns 500 --both >/dev/null 2>&1 || bad "bench/gen failed"
    gargs="--catalog $work/g/catalog.csv --inventory $work/g/inventory.csv --run-date 2026-11-27 --orders $work/g/orders.csv --orders $work/g/orders.csv.zst --returns $work/g/returns.csv"
    # shellcheck disable=SC2086
    "$bin" run $gargs --threads 2 --out "$work/g-plain" >/dev/null 2>&1 || bad "the generated night failed"
    for n in 2 3; do
        # shellcheck disable=SC2086
        "$bin" run $gargs --threads 2 --shards $n --work "$work/gw$n" --out "$work/g-$n" >/dev/null 2>&1 || bad "the generated night at $n shards failed"
        # every task parsed a part: each one's rows weigh over 100 KB
        small=$(find "$work/gw$n" -name 'map-*.bucket-0.zst' -size -100k | wc -l)
        if diff -r -x metrics.json "$work/g-plain" "$work/g-$n" >/dev/null 2>&1 && [ "$small" = 0 ]; then ok
        else bad "the generated night at $n shards differs"; fi
        rm -rf "$work/g-$n"
    done
    rm -rf "$work/g-plain"
else
    bad "build/bench/gen is missing (make build/bench/gen)"
fi

# ---- the work folder ----
args=$(cat tests/cases/samples/args)
w=$work/w
# shellcheck disable=SC2086
"$bin" run $args --threads 2 --shards 3 --work "$w" --out "$work/first" >/dev/null 2>&1 || bad "samples --shards 3 failed"
# the sample night's three files (one a .zst of 5 KB holding 42 KB of text) are dealt
# one to each task by the text they hold: every task has rows (each file is one chunk,
# so sharing one by chunks would give it all to task 0)
for t in 0 1 2; do
    [ "$(cat "$w"/map-$t.bucket-*.zst | wc -c)" -gt 2000 ] || { bad "map task $t of the sample night got no file"; ls -l "$w"; }
done
before=$(ls -l --time-style=+%s.%N "$w" | md5sum)
# a task run again, its results in, does nothing (same files, same times)
"$bin" task map 1 --work "$w" && [ "$(ls -l --time-style=+%s.%N "$w" | md5sum)" = "$before" ] && ok || bad "map 1 run again rewrote its results"
# (each check below runs the finishing task again as if it had not finished: its record
# of a committed night makes it a no-op otherwise)
rm "$w/finish-0.done"
# finish with a map or group task's results missing: refused, naming them, no output
mv "$w/map-2.done" "$work/map-2.done"
"$bin" task finish --work "$w" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && grep -q "missing: map 2" "$work/stderr"; then ok; else bad "finish without map 2: exit $got"; cat "$work/stderr"; fi
mv "$work/map-2.done" "$w/map-2.done"
mv "$w/group-0.done" "$work/group-0.done"
mv "$w/group-2.done" "$work/group-2.done"
"$bin" task finish --work "$w" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && grep -q "holds the results of 1 of 3 group tasks; missing: group 0, group 2" "$work/stderr"; then ok
else bad "finish without groups 0 and 2: exit $got"; cat "$work/stderr"; fi
mv "$work/group-0.done" "$work/group-2.done" "$w/"
# a group task with a map task's results missing: refused, naming it
mv "$w/map-1.done" "$work/map-1.done"
rm "$w/group-1.done"
"$bin" task group 1 --work "$w" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && grep -q "missing: map 1. Run them (they are idempotent) and then group task 1 again" "$work/stderr"; then ok
else bad "group 1 without map 1: exit $got"; cat "$work/stderr"; fi
mv "$work/map-1.done" "$w/map-1.done"
"$bin" task group 1 --work "$w" || bad "group 1 again"
# a damaged exchange file: refused by name (its digest differs) by the task reading it
# (a group file by finish, a map bucket by its group task), no output
for f in group-1.orders.zst map-0.bucket-1.zst; do
    cp "$w/$f" "$work/keep.zst"
    printf 'X' | dd of="$w/$f" bs=1 seek=20 conv=notrunc 2>/dev/null
    rm -rf "$work/first"
    case $f in
    map-*) rm "$w/group-1.done"; "$bin" task group 1 --work "$w" >/dev/null 2>"$work/stderr" ;;
    *) "$bin" task finish --work "$w" >/dev/null 2>"$work/stderr" ;;
    esac
    got=$?
    if [ "$got" = 3 ] && grep -q "$f" "$work/stderr" && [ ! -e "$work/first" ]; then ok
    else bad "a damaged $f: exit $got"; cat "$work/stderr"; fi
    cp "$work/keep.zst" "$w/$f"
done
"$bin" task group 1 --work "$w" && "$bin" task finish --work "$w" >/dev/null 2>"$work/stderr" && diff -r -x metrics.json tests/cases/samples/expected "$work/first" >/dev/null && ok || { bad "finish after the repair"; cat "$work/stderr"; }
# a file cut short and recorded as if whole (its .done naming the new digest and size,
# as only a writer of the work folder could): refused by name, no crash, no output
forge_cut() { # folder, file, task record, bytes of payload to keep
    cp "$1/$2" "$work/keep.zst"
    cp "$1/$3" "$work/keep.done"
    zstd -dc -q "$1/$2" | head -c "$4" | zstd -1 -q -c >"$work/cut.zst"
    mv "$work/cut.zst" "$1/$2"
    sed -i "s/^file $2 [0-9]* [0-9a-f]* /file $2 $(stat -c %s "$1/$2") $(sha256sum "$1/$2" | cut -d' ' -f1) /" "$1/$3"
}
rm -rf "$work/first"
forge_cut "$w" group-0.orders.zst group-0.done 3000
"$bin" task finish --work "$w" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && grep -q "group-0.orders.zst does not decode" "$work/stderr" && [ ! -e "$work/first" ]; then ok
else bad "a group file cut short, its record forged: exit $got"; cat "$work/stderr"; fi
cp "$work/keep.zst" "$w/group-0.orders.zst"
cp "$work/keep.done" "$w/group-0.done"
forge_cut "$w" map-1.bucket-2.zst map-1.done 5000
rm "$w/group-2.done"
"$bin" task group 2 --work "$w" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && grep -q "map-1.bucket-2.zst does not decode" "$work/stderr" && [ ! -e "$w/group-2.done" ]; then ok
else bad "a bucket file cut short, its record forged: exit $got"; cat "$work/stderr"; fi
cp "$work/keep.zst" "$w/map-1.bucket-2.zst"
cp "$work/keep.done" "$w/map-1.done"
"$bin" task group 2 --work "$w" && "$bin" task finish --work "$w" >/dev/null 2>"$work/stderr" && diff -r -x metrics.json tests/cases/samples/expected "$work/first" >/dev/null && ok || { bad "finish after the forged files' repair"; cat "$work/stderr"; }
# the same command again reuses the plan and the map and group results (their times
# unchanged)
rm -rf "$work/first"
maps=$(ls -l --time-style=+%s.%N "$w"/map-* "$w"/group-* | md5sum)
# shellcheck disable=SC2086
"$bin" run $args --threads 2 --shards 3 --work "$w" --out "$work/first" >/dev/null 2>&1 &&
    [ "$(ls -l --time-style=+%s.%N "$w"/map-* "$w"/group-* | md5sum)" = "$maps" ] &&
    diff -r -x metrics.json tests/cases/samples/expected "$work/first" >/dev/null && ok ||
    bad "a rerun did not reuse the map results, or wrote no output folder"
# a changed input after the plan: the task refuses it
cp -r samples "$work/samples"
sargs=$(echo "$args" | sed "s#samples/#$work/samples/#g")
rm -rf "$work/second"
# shellcheck disable=SC2086
"$bin" run $sargs --threads 2 --shards 2 --work "$work/w2" --out "$work/second" >/dev/null 2>&1 || bad "copied samples --shards 2"
touch -d '2020-01-01' "$work/samples/orders_shop.csv"
rm -rf "$work/second" "$work/w2/finish-0.done"
"$bin" task finish --work "$work/w2" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && grep -q "orders_shop.csv has changed" "$work/stderr"; then ok; else bad "changed input: exit $got"; cat "$work/stderr"; fi
# a work folder that is a link is refused
ln -s "$work/w2" "$work/link"
rm -rf "$work/third"
# shellcheck disable=SC2086
"$bin" run $args --shards 2 --work "$work/link" --out "$work/third" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 2 ] && grep -q "link is refused" "$work/stderr" && [ ! -e "$work/third" ]; then ok; else bad "a linked work folder: exit $got"; cat "$work/stderr"; fi

# slipway slurm --dry-run writes the plan and the job scripts, prints the sbatch commands
rm -rf "$work/o4"
# shellcheck disable=SC2086
"$bin" slurm $args --threads 2 --shards 4 --work "$work/w4" --out "$work/o4" --dry-run >"$work/dry" 2>&1
got=$?
w4=$(cd "$work/w4" && pwd -P)
if [ "$got" = 0 ] && grep -q "^#SBATCH --array=0-3$" "$w4/slurm/map.sh" &&
    grep -q "^#SBATCH --cpus-per-task=2$" "$w4/slurm/map.sh" &&
    grep -q "^#SBATCH --chdir=$(pwd -P)$" "$w4/slurm/map.sh" &&
    digest=$(sha256sum "$w4/plan" | cut -d' ' -f1) &&
    grep -q "task map \"\$SLURM_ARRAY_TASK_ID\" --work '$w4' --plan $digest$" "$w4/slurm/map.sh" &&
    grep -q "task finish --work '$w4' --plan $digest$" "$w4/slurm/finish.sh" &&
    grep -q "^#SBATCH --output=$w4/slurm/map-%a.job%A.log$" "$w4/slurm/map.sh" &&
    grep -q "task group \"\$SLURM_ARRAY_TASK_ID\" --work '$w4' --plan $digest$" "$w4/slurm/group.sh" &&
    grep -q "^#SBATCH --array=0-3$" "$w4/slurm/group.sh" &&
    grep -q "^sbatch --parsable --array=0-3 $w4/slurm/map.sh$" "$work/dry" &&
    grep -q "^sbatch --parsable --array=0-3 --dependency=afterok:MAP_JOB $w4/slurm/group.sh$" "$work/dry" &&
    grep -q "^sbatch --parsable --dependency=afterok:GROUP_JOB $w4/slurm/finish.sh$" "$work/dry" &&
    [ -f "$w4/plan" ] && [ ! -e "$w4/slurm/jobs" ] && [ ! -e "$work/o4" ]; then ok
else bad "slurm --dry-run: exit $got"; cat "$work/dry"; fi
# the scripts' tasks, run by hand in any order, make the night
for t in 3 1 0 2; do sh -c "$(grep '^exec' "$w4/slurm/map.sh" | sed "s/\$SLURM_ARRAY_TASK_ID/$t/")" || bad "map.sh task $t"; done
for t in 2 0 3 1; do sh -c "$(grep '^exec' "$w4/slurm/group.sh" | sed "s/\$SLURM_ARRAY_TASK_ID/$t/")" || bad "group.sh task $t"; done
sh "$w4/slurm/finish.sh" >/dev/null && diff -r -x metrics.json tests/cases/samples/expected "$work/o4" >/dev/null && ok || bad "the dry run's scripts run by hand"
# the finished night submitted again: nothing to do, exit 0 (sbatch never asked)
# shellcheck disable=SC2086
PATH=/nonexistent "$bin" slurm $args --threads 2 --shards 4 --work "$work/w4" --out "$work/o4" >/dev/null 2>"$work/stderr"
got=$?
[ "$got" = 0 ] && grep -q "is done: .*o4 is complete" "$work/stderr" && ok || { bad "a finished night submitted again: exit $got"; cat "$work/stderr"; }
# --threads takes a count
"$bin" task finish --work "$w4" --threads 0 >/dev/null 2>"$work/stderr"
[ $? = 2 ] && grep -q "takes a number from 1 to 1024" "$work/stderr" && ok || { bad "task --threads 0"; cat "$work/stderr"; }
# --plan takes a digest
"$bin" task finish --work "$w4" --plan 1234 >/dev/null 2>"$work/stderr"
got=$?
[ "$got" = 2 ] && grep -q "takes the plan's SHA-256" "$work/stderr" && ok || { bad "task --plan 1234: exit $got"; cat "$work/stderr"; }
# --status names what is done; the finished night's tasks do nothing when run again
"$bin" slurm --status --work "$work/w4" >"$work/status"
grep -q "map *3 *done" "$work/status" && grep -q "group *1 *done" "$work/status" && grep -q "finish     done" "$work/status" && ok || { bad "slurm --status"; cat "$work/status"; }
sh "$w4/slurm/finish.sh" >/dev/null 2>&1 && ok || bad "a finished night's finish task run again fails"
# --status without --work, --shards without --work, --work without --shards
"$bin" slurm --status >/dev/null 2>&1; [ $? = 2 ] && ok || bad "slurm --status without --work"
# shellcheck disable=SC2086
"$bin" run $args --shards 2 --out "$work/o5" >/dev/null 2>&1; [ $? = 2 ] && ok || bad "--shards without --work"
# shellcheck disable=SC2086
"$bin" run $args --work "$work/w5" --out "$work/o5" >/dev/null 2>&1; [ $? = 2 ] && ok || bad "--work without --shards"
"$bin" task map 9 --work "$work/w4" >/dev/null 2>&1; [ $? = 2 ] && ok || bad "task map beyond the shards"

# ---- what a new user's trial found (each failed before its fix) ----
# a task started for one plan refuses another night's plan in its folder
"$bin" task map 0 --work "$work/w4" --plan 0000000000000000000000000000000000000000000000000000000000000000 >/dev/null 2>"$work/stderr"
got=$?
[ "$got" = 3 ] && grep -q "no longer the plan this task was started for" "$work/stderr" && ok || { bad "--plan of another night: exit $got"; cat "$work/stderr"; }
# the same command once the night is done: exit 0, nothing run
rm -rf "$work/first2"
# shellcheck disable=SC2086
"$bin" run $args --threads 2 --shards 2 --work "$work/w11" --out "$work/first2" >/dev/null 2>&1 || bad "w11"
before=$(ls -l --time-style=+%s.%N "$work/w11" | md5sum)
# shellcheck disable=SC2086
"$bin" run $args --threads 2 --shards 2 --work "$work/w11" --out "$work/first2" >/dev/null 2>"$work/stderr" &&
    grep -q "is done" "$work/stderr" && [ "$(ls -l --time-style=+%s.%N "$work/w11" | md5sum)" = "$before" ] && ok ||
    { bad "a finished night run again"; cat "$work/stderr"; }
# its files are the owner's alone; the plan pins the run date
[ "$(stat -c %a "$work/w11/map-0.bucket-0.zst")" = 600 ] && [ "$(stat -c %a "$work/w11")" = 700 ] && ok || bad "work files' modes: $(stat -c '%a %n' "$work/w11" "$work/w11/map-0.bucket-0.zst")"
noday=$(echo "$args" | sed 's/--run-date [0-9-]*//')
# shellcheck disable=SC2086
"$bin" slurm $noday --shards 2 --work "$work/w12" --out "$work/o12" --dry-run >/dev/null 2>&1
grep -A1 -x 'arg 10' "$work/w12/plan" | grep -q -x -- "--run-date" && grep -q -x "$(date -u +%F)" "$work/w12/plan" && ok || bad "the plan does not pin the run date"
# a missing --returns file or output parent refused before any map task runs
# shellcheck disable=SC2086
"$bin" run $args --returns "$work/none.csv" --shards 2 --work "$work/w13" --out "$work/o13" >/dev/null 2>&1
[ $? = 3 ] && [ ! -e "$work/w13" ] && ok || bad "a missing --returns file"
# shellcheck disable=SC2086
"$bin" run $args --shards 2 --work "$work/w14" --out "$work/no/such/o14" >/dev/null 2>&1
[ $? = 2 ] && [ ! -e "$work/w14" ] && ok || bad "a missing output parent"
# SIGTERM to the driver alone stops its tasks; no output folder
# shellcheck disable=SC2086
SLIPWAY_TEST_MAP_HOLD=0:30 "$bin" run $args --shards 2 --work "$work/w15" --out "$work/o15" >/dev/null 2>"$work/stderr" &
drv=$!
i=0
until [ -f "$work/w15/map-0.bucket-1.zst" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
# the map tasks, running at once, share the night's threads: each is started with a share
shared=$(for p in /proc/[0-9]*; do { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null; echo; done | grep -c "task ma[p] 0 --work $work/w15 --plan [0-9a-f]* --threads [1-9]")
[ "$shared" -ge 1 ] && ok || bad "the map task was started without its share of the threads"
# meanwhile a second run on the same work folder is refused (its lock)
# shellcheck disable=SC2086
"$bin" run $args --shards 2 --work "$work/w15" --out "$work/o16" >/dev/null 2>"$work/stderr2"
got2=$?
[ "$got2" = 2 ] && grep -q "another slipway run uses the work folder" "$work/stderr2" && [ ! -e "$work/o16" ] && ok ||
    { bad "a second run on a busy work folder: exit $got2"; cat "$work/stderr2"; }
# ... and so is slipway slurm, which would rewrite the plan under it
plan_before=$(md5sum <"$work/w15/plan")
# shellcheck disable=SC2086
"$bin" slurm $args --shards 3 --work "$work/w15" --out "$work/o17" --dry-run >/dev/null 2>"$work/stderr2"
got2=$?
[ "$got2" = 2 ] && grep -q "another slipway run uses the work folder" "$work/stderr2" && [ "$(md5sum <"$work/w15/plan")" = "$plan_before" ] && ok ||
    { bad "slurm on a busy work folder: exit $got2"; cat "$work/stderr2"; }
kill -TERM $drv
wait $drv
got=$?
sleep 0.5
# (no pgrep: procps may be absent; the processes' command lines from /proc)
left=$(for p in /proc/[0-9]*; do { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null; echo; done | grep -c "task ma[p] 0 --work $work/w15")
[ "$got" = 143 ] && grep -q "interrupted by" "$work/stderr" && [ ! -e "$work/o15" ] && [ "$left" = 0 ] && ok ||
    { bad "SIGTERM to the driver: exit $got"; cat "$work/stderr"; }

# ---- what a review found (each failed before its fix) ----
# the catalog changed between the map tasks and the finish: refused, no output
cp -r samples "$work/s3"
s3args=$(echo "$args" | sed "s#samples/#$work/s3/#g")
# shellcheck disable=SC2086
"$bin" slurm $s3args --threads 2 --shards 2 --work "$work/w6" --out "$work/o6" --dry-run >/dev/null 2>&1
"$bin" task map 0 --work "$work/w6" && "$bin" task map 1 --work "$work/w6" || bad "map tasks of w6"
"$bin" task group 0 --work "$work/w6" || bad "group task 0 of w6"
touch -d '2020-01-01' "$work/s3/catalog.csv"
"$bin" task group 1 --work "$work/w6" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && grep -q "catalog.csv has changed" "$work/stderr" && [ ! -e "$work/w6/group-1.done" ]; then ok
else bad "a catalog changed after the map tasks, group: exit $got"; cat "$work/stderr"; fi
"$bin" task finish --work "$work/w6" >/dev/null 2>"$work/stderr"
got=$?
if [ "$got" = 3 ] && [ ! -e "$work/o6" ]; then ok
else bad "a catalog changed after the map tasks: exit $got"; cat "$work/stderr"; fi
# a plan whose input lines do not fit its arguments (one dropped, one added): refused
cp "$work/w4/plan" "$work/plan.keep"
last=$(grep '^input ' "$work/w4/plan" | tail -1 | cut -d' ' -f2)
sed -i "/^input $last /d" "$work/w4/plan"
"$bin" task map 0 --work "$work/w4" >/dev/null 2>"$work/stderr"
got=$?
[ "$got" = 3 ] && grep -q "does not fit its own arguments" "$work/stderr" && ok || { bad "a plan lacking an input: exit $got"; cat "$work/stderr"; }
cp "$work/plan.keep" "$work/w4/plan"
sed -i 's/^end$/input 9 1 0.000000000\nend/' "$work/w4/plan"
"$bin" task map 0 --work "$work/w4" >/dev/null 2>"$work/stderr"
got=$?
[ "$got" = 3 ] && ok || { bad "a plan with an input too many: exit $got"; cat "$work/stderr"; }
cp "$work/plan.keep" "$work/w4/plan"
# a bucket file damaged at its own size: the map task asked again redoes it, then the
# group task and finish
f=$work/w4/map-0.bucket-1.zst
printf 'X' | dd of="$f" bs=1 seek=30 conv=notrunc 2>/dev/null
rm -rf "$work/o4" "$work/w4/finish-0.done" "$work/w4/group-1.done"
"$bin" task group 1 --work "$work/w4" >/dev/null 2>&1 && bad "group took a damaged bucket"
"$bin" task map 0 --work "$work/w4" && "$bin" task group 1 --work "$work/w4" &&
    "$bin" task finish --work "$work/w4" >/dev/null &&
    diff -r -x metrics.json tests/cases/samples/expected "$work/o4" >/dev/null && ok || bad "the damaged bucket was not redone"
# a world-writable work folder is refused (anyone could forge the tasks' results)
mkdir -m 0777 "$work/open"
chmod 0777 "$work/open"
# shellcheck disable=SC2086
"$bin" run $args --shards 2 --work "$work/open" --out "$work/o7" >/dev/null 2>"$work/stderr"
got=$?
[ "$got" = 2 ] && grep -q "can be written by anyone" "$work/stderr" && [ ! -e "$work/o7" ] && ok || { bad "a world-writable work folder: exit $got"; cat "$work/stderr"; }
# --work the same as --out
# shellcheck disable=SC2086
"$bin" run $args --shards 2 --work "$work/o8" --out "$work/o8" >/dev/null 2>&1; [ $? = 2 ] && [ ! -e "$work/o8" ] && ok || bad "--work equal to --out"
# 32 shards: the whole array as one range; --status --work=DIR
# shellcheck disable=SC2086
"$bin" slurm $args --shards 32 --work "$work/w9" --out "$work/o9" --dry-run >"$work/dry" 2>&1
grep -q -- "--array=0-31 " "$work/dry" && ok || { bad "32 shards' array"; grep sbatch "$work/dry"; }
"$bin" slurm --status --work="$work/w9" >/dev/null && ok || bad "slurm --status --work=DIR"
# a folder whose path would break an #SBATCH line is refused
nl_dir="$work/a
b"
mkdir -p "$nl_dir"
(cd "$nl_dir" && "$OLDPWD/$bin" slurm $(echo "$args" | sed "s#samples/#$OLDPWD/samples/#g") --shards 2 --work "$work/w10" --out "$work/o10" --dry-run >/dev/null 2>"$work/stderr")
got=$?
[ "$got" = 2 ] && grep -q "#SBATCH lines cannot hold" "$work/stderr" && ok || { bad "a folder with a newline: exit $got"; cat "$work/stderr"; }

echo "shards: $pass passed, $fail failed (shards $counts)"
[ "$fail" = 0 ]
