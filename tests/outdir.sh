#!/bin/sh
# The output folder against a hostile neighbourhood (issue 12): what the cleanup of
# stale temporary folders may remove and what it must leave alone, signals during and
# after a run, a closed stdout, and the permissions of what a run writes.
#
# A temporary folder is `.DIR.tmp-PID-XXXXXXXX`; inside it slipway keeps `.slipway-run`
# ("host=NAME" and "pid=PID" lines), locked with flock(2) for the run's life. The next run
# removes such a folder only when it is a real folder owned by the same user, its marker is
# a regular file naming this host, and the marker's lock is free.
#
# usage: tests/outdir.sh path/to/slipway
set -u
bin=$1
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-outdir.XXXXXX")
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
pass=0
fail=0
args="--catalog samples/catalog.csv --inventory samples/inventory.csv --orders samples/orders_shop.csv --run-date 2026-11-27"
host=$(uname -n)

expect() { # name, expected exit, actual exit
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: exit $3, expected $2"; fi
}
expect_true() { # name, command...
    name=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}
lines() { wc -l <"$1" | tr -d ' '; }
# A temporary folder as a run of slipway on this host leaves it: marker and one output.
plant() { # folder, host, pid
    mkdir "$1"
    printf 'host=%s\npid=%s\n' "$2" "$3" >"$1/.slipway-run"
    echo "order_id" >"$1/slips.csv"
}
# Files a victim folder starts with; intact() checks they are all still there.
victim() {
    mkdir "$1"
    echo "keep me" >"$1/a.csv"
    echo "keep me too" >"$1/b.csv"
}
intact() { [ "$(cat "$1/a.csv" "$1/b.csv" 2>/dev/null)" = "keep me
keep me too" ]; }
no_tmp() { ! ls -A "$work" | grep -q "^\.$1\.tmp-"; }

# ---- the cleanup never follows a link and touches only its own folders -------------------
# Regression (issue 12, 2026-12-06): a symlink named like a stale temporary folder of a
# dead PID was followed and every file of the folder it points to was deleted (exit 0,
# the link left for the next night).
victim "$work/victim"
ln -s victim "$work/.night.tmp-4000000"
ln -s victim "$work/.night.tmp-4000001-0badf00d"
"$bin" run $args --out "$work/night" >/dev/null 2>"$work/err"
expect "run beside a planted symlink" 0 $?
expect_true "the symlink's target keeps its files" intact "$work/victim"
expect_true "the planted symlinks stay" test -L "$work/.night.tmp-4000000" -a -L "$work/.night.tmp-4000001-0badf00d"
expect_true "one warning per planted symlink" test "$(grep -c "left alone" "$work/err")" = 2
expect_true "the warning names the symlink" grep -q "\.night\.tmp-4000000: .*symbolic link" "$work/err"
expect_true "the run committed" test -f "$work/night/manifest.json"
rm -rf "$work/night" "$work/.night.tmp-"*

# A stale folder of this host whose lock is free: removed. Links inside it are removed,
# never followed; a sub-folder is not descended into, so that folder is kept (warned).
plant "$work/.night.tmp-4000000-00000001" "$host" 4000000
ln -s ../victim "$work/.night.tmp-4000000-00000001/link"
plant "$work/.night.tmp-4000000-00000002" "$host" 4000000
mkdir "$work/.night.tmp-4000000-00000002/sub"
echo "inner" >"$work/.night.tmp-4000000-00000002/sub/x.csv"
"$bin" run $args --out "$work/night" >/dev/null 2>"$work/err"
expect "run after a dead run on this host" 0 $?
expect_true "a stale folder of this host with a free lock is removed" test ! -e "$work/.night.tmp-4000000-00000001"
expect_true "a link inside a stale folder is not followed" intact "$work/victim"
expect_true "a sub-folder of a stale folder is not descended into" test -f "$work/.night.tmp-4000000-00000002/sub/x.csv"
expect_true "a stale folder that cannot be emptied is named" grep -q "\.night\.tmp-4000000-00000002" "$work/err"
rm -rf "$work/night" "$work/.night.tmp-"*

# A live run's folder (its marker locked, as by `flock`), on this host or another, and a
# folder without a marker are left alone, whatever PID their names carry: two containers
# both run slipway as PID 1 and share the output's parent.
plant "$work/.night.tmp-1-0000000a" "$host" 1
# The holder execs into sleep, so killing it releases the lock at once.
sh -c 'exec 9<"$1" && flock 9 && exec sleep 60' sh "$work/.night.tmp-1-0000000a/.slipway-run" &
holder=$!
i=0
while flock -n "$work/.night.tmp-1-0000000a/.slipway-run" true && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
plant "$work/.night.tmp-1-0000000b" "other-host.example" 1
plant "$work/.night.tmp-4000000-0000000c" "other-host.example" 4000000
mkdir "$work/.night.tmp-4000000"
echo "order_id" >"$work/.night.tmp-4000000/slips.csv"
"$bin" run $args --out "$work/night" >/dev/null 2>"$work/err"
expect "run beside live and foreign folders" 0 $?
expect_true "a folder whose lock is held is kept" test -f "$work/.night.tmp-1-0000000a/slips.csv"
expect_true "a folder of another host is kept" test -f "$work/.night.tmp-1-0000000b/slips.csv"
expect_true "a dead PID on another host is kept" test -f "$work/.night.tmp-4000000-0000000c/slips.csv"
expect_true "a folder without a marker is kept" test -f "$work/.night.tmp-4000000/slips.csv"
expect_true "the folder without a marker is warned about" grep -q "\.night\.tmp-4000000: .*no .slipway-run" "$work/err"
expect_true "live and foreign folders are not warned about" test "$(lines "$work/err")" = 1
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=
# The lock is free now: the same folder is stale and goes.
rm -rf "$work/night"
"$bin" run $args --out "$work/night" >/dev/null 2>&1
expect "run after the live run ended" 0 $?
expect_true "the folder whose lock was released is removed" test ! -e "$work/.night.tmp-1-0000000a"
rm -rf "$work/night" "$work/.night.tmp-"*

# Only DIR's own temporary folders are looked at: a stale one of a DIR named
# "night.tmp-7" is not "night"'s.
plant "$work/.night.tmp-7.tmp-4000000-0000000f" "$host" 4000000
"$bin" run $args --out "$work/night" >/dev/null 2>"$work/err"
expect "run beside another DIR's stale folder" 0 $?
expect_true "another DIR's stale folder is not touched" test -f "$work/.night.tmp-7.tmp-4000000-0000000f/slips.csv"
expect_true "another DIR's stale folder is not warned about" test ! -s "$work/err"
rm -rf "$work/night" "$work/.night.tmp-"*

# A marker that is a link, or a folder of another user, is not slipway's.
plant "$work/.night.tmp-4000000-0000000d" "$host" 4000000
mv "$work/.night.tmp-4000000-0000000d/.slipway-run" "$work/marker"
ln -s ../marker "$work/.night.tmp-4000000-0000000d/.slipway-run"
if [ "$(id -u)" = 0 ]; then
    plant "$work/.night.tmp-4000000-0000000e" "$host" 4000000
    chown -R 65534:65534 "$work/.night.tmp-4000000-0000000e"
fi
"$bin" run $args --out "$work/night" >/dev/null 2>"$work/err"
expect "run beside folders that are not its own" 0 $?
expect_true "a folder whose marker is a link is kept" test -f "$work/.night.tmp-4000000-0000000d/slips.csv"
if [ "$(id -u)" = 0 ]; then
    expect_true "a folder of another user is kept" test -f "$work/.night.tmp-4000000-0000000e/slips.csv"
fi
rm -rf "$work/night" "$work/.night.tmp-"* "$work/marker"

# Regression (issue 5, 2026-11-27), rewritten for issue 12 (2026-12-06): a folder named
# with the new run's own PID (PIDs are reused; a container starts each run with the same
# small PID) made every retry fail on mkdir. Names now carry a random part, so such a
# folder never blocks the run; it is removed only when it is a stale slipway folder (the
# first), and an unmarked one is left alone (the second). exec keeps the shell's PID.
sh -c 'mkdir "$1/.again.tmp-$$-00000000" "$1/.again.tmp-$$" &&
       printf "host=%s\npid=%s\n" "$4" $$ >"$1/.again.tmp-$$-00000000/.slipway-run" &&
       exec "$2" run $3 --out "$1/again"' sh "$work" "$bin" "$args" "$host" >/dev/null 2>"$work/err"
expect "stale folders with the run's own PID" 0 $?
expect_true "a stale marked folder with the run's own PID is removed" \
    test "$(ls -A "$work" | grep -c '^\.again\.tmp-')" = 1
expect_true "an unmarked folder with the run's own PID is kept and named" grep -q "\.again\.tmp-[0-9]*: " "$work/err"
expect_true "the run with its own PID committed" test -f "$work/again/manifest.json"
rm -rf "$work/again" "$work/.again.tmp-"*

# A committed folder holds only outputs (the marker is gone) and verifies.
"$bin" run $args --out "$work/clean" >/dev/null 2>&1
expect "a plain run" 0 $?
expect_true "the committed folder has no marker" test ! -e "$work/clean/.slipway-run"
"$bin" verify "$work/clean" >/dev/null 2>&1
expect "verify of a plain run" 0 $?

# ---- signals -----------------------------------------------------------------------------
# Regression (issue 12, 2026-12-06): SIGINT, SIGTERM and SIGHUP left the half-written
# temporary folder with customer data. Now: the folder is removed, one line on stderr,
# exit 128 + the signal's number. The run waits on a FIFO as its catalog (nobody writes),
# so the signal lands while the temporary folder exists. A shell starts background
# commands with SIGINT ignored: env gives slipway the default back, as a terminal would.
mkfifo "$work/fifo"
sig_args="--catalog $work/fifo --inventory samples/inventory.csv --orders samples/orders_shop.csv --run-date 2026-11-27"
wait_tmp() { # name: until .name.tmp-* exists (10 s at most)
    i=0
    while ! ls -A "$work" | grep -q "^\.$1\.tmp-" && [ "$i" -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}
# Wait for a signalled run: 30 s at most (a sanitizer is slow), then kill -9, which the
# caller sees as exit 137.
reap() { # pid
    i=0
    while kill -0 "$1" 2>/dev/null && [ "$i" -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -9 "$1" 2>/dev/null
    wait "$1"
}
for s in INT:130 TERM:143 HUP:129; do
    sig=${s%%:*} want=${s#*:}
    env --default-signal=INT "$bin" run $sig_args --out "$work/sig" >/dev/null 2>"$work/err" &
    pid=$!
    wait_tmp sig
    kill -"$sig" "$pid"
    reap "$pid"
    expect "SIG$sig during a run" "$want" $?
    expect_true "SIG$sig: one line on stderr" test "$(lines "$work/err")" = 1
    expect_true "SIG$sig: the line names the signal" grep -q "interrupted by SIG$sig; removed the unfinished output folder" "$work/err"
    expect_true "SIG$sig: no temporary folder" no_tmp sig
    expect_true "SIG$sig: no output folder" test ! -e "$work/sig"
done

# The temporary folder swapped for a link while the run waits: the outputs still go into
# the folder the run made (through its descriptor), never through the link, and the
# commit refuses to move the link to DIR.
"$bin" run $sig_args --out "$work/swap" >/dev/null 2>"$work/err" &
pid=$!
wait_tmp swap
tmp=$(ls -A "$work" | grep "^\.swap\.tmp-")
mv "$work/$tmp" "$work/moved"
ln -s victim "$work/$tmp"
timeout 30 sh -c 'cat samples/catalog.csv >"$1"' sh "$work/fifo"
reap "$pid"
expect "temporary folder swapped for a link" 1 $?
expect_true "the swap is named on stderr" grep -q "was moved or replaced during the run" "$work/err"
expect_true "nothing was written through the link" test "$(ls -A "$work/victim" | tr '\n' ' ')" = "a.csv b.csv "
expect_true "no DIR after a swap" test ! -e "$work/swap"
expect_true "the planted link is left" test -L "$work/$tmp"
rm -rf "$work/moved" "$work/$tmp"

# The same swap in the instant between the commit's check and its rename (a racer in a
# parent writable by others; tests/faults/swapio.c does it deterministically): the run
# fails instead of reporting a committed night, and DIR is not left as the link.
swapio=$work/swapio.so
if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC tests/faults/swapio.c \
    -o "$swapio" -ldl; then
    mkdir -p "$work/race" "$work/race/victim"
    # (ASan wants to be first among the preloaded libraries unless told otherwise.)
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 SWAPIO=1 \
        LD_PRELOAD=$swapio "$bin" run $args --out "$work/race/out" >/dev/null 2>"$work/err"
    expect "swapped at the commit's rename" 1 $?
    expect_true "the late swap is named on stderr" \
        grep -q "was replaced at the moment of the commit" "$work/err"
    expect_true "DIR is not left as the planted link" test ! -L "$work/race/out"
    expect_true "the victim folder is untouched" test -z "$(ls -A "$work/race/victim")"
    expect_true "the run's own folder, moved aside, holds no customer data" \
        test -z "$(ls -A "$work/race/swapped-away")"
    rm -rf "$work/race"
else
    fail=$((fail + 1))
    echo "FAIL cannot build tests/faults/swapio.c"
fi

# A signal the caller ignores stays ignored (nohup): the run goes on and commits once the
# catalog arrives.
env --ignore-signal=HUP "$bin" run $sig_args --out "$work/sig" >/dev/null 2>"$work/err" &
pid=$!
wait_tmp sig
kill -HUP "$pid"
# (timeout: a run that died would leave the FIFO without a reader, and cat waiting)
timeout 30 sh -c 'cat samples/catalog.csv >"$1"' sh "$work/fifo"
reap "$pid"
expect "SIGHUP under nohup" 0 $?
expect_true "SIGHUP under nohup: committed" test -f "$work/sig/manifest.json"
rm -rf "$work/sig"

# A signal after the commit keeps the committed folder: stdout is a pipe filled to the
# brim, so the run blocks printing its summary once DIR is in place.
exec 3<>"$work/fifo"
dd if=/dev/zero of=/dev/fd/3 bs=1 count=1048576 oflag=nonblock 2>/dev/null
"$bin" run $args --out "$work/late" >&3 2>"$work/err" 3>&- &
pid=$!
i=0
while [ ! -e "$work/late" ] && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$pid"
reap "$pid"
expect "SIGTERM after the commit" 143 $?
exec 3>&-
expect_true "SIGTERM after the commit: one line" test "$(lines "$work/err")" = 1
expect_true "SIGTERM after the commit: the line says the folder stays" grep -q "interrupted by SIGTERM after .*late was complete" "$work/err"
expect_true "SIGTERM after the commit: the folder is complete" test -f "$work/late/metrics.json"
"$bin" verify "$work/late" >/dev/null 2>&1
expect "SIGTERM after the commit: verify" 0 $?
rm -rf "$work/late"

# Regression (issue 12, 2026-12-06): a reader that went away before the summary turned a
# committed run into exit 141 (SIGPIPE). The FIFO's only reader is closed before the run
# starts, so every write to stdout fails with EPIPE.
exec 3<>"$work/fifo"
exec 4>"$work/fifo"
exec 3<&-
"$bin" run $args --out "$work/pipe" >&4 2>"$work/err" 4>&-
expect "closed stdout after the commit" 0 $?
exec 4>&-
expect_true "closed stdout: the folder is complete" test -f "$work/pipe/metrics.json"
expect_true "closed stdout: a warning says the summary was lost" grep -q "warning: .*summary.*complete" "$work/err"
rm -rf "$work/pipe"

# ---- permissions -------------------------------------------------------------------------
# Regression (issue 12, 2026-12-06): outputs with customer names and addresses were
# world-readable under the usual umask 022.
modes() { # folder -> "folder-mode file-modes..." (distinct file modes)
    printf '%s %s' "$(stat -c %a "$1")" "$(stat -c %a "$1"/* "$1"/.[!.]* 2>/dev/null | sort -u | tr '\n' ' ')"
}
(umask 022 && "$bin" run $args --out "$work/m1" >/dev/null 2>&1)
expect "default modes" 0 $?
expect_true "default: folder 0750, files 0640 ($(modes "$work/m1"))" test "$(modes "$work/m1")" = "750 640 "
(umask 022 && "$bin" run $args --compress --mode 0644 --out "$work/m2" >/dev/null 2>&1)
expect "--mode 0644" 0 $?
expect_true "--mode 0644: folder 0755, files 0644 ($(modes "$work/m2"))" test "$(modes "$work/m2")" = "755 644 "
(umask 077 && "$bin" run $args --mode=0644 --out "$work/m3" >/dev/null 2>&1)
expect "--mode 0644 under umask 077" 0 $?
expect_true "the umask still removes bits ($(modes "$work/m3"))" test "$(modes "$work/m3")" = "700 600 "
(umask 022 && "$bin" run $args --mode 600 --out "$work/m4" >/dev/null 2>&1)
expect "--mode 600" 0 $?
expect_true "--mode 600: folder 0700, files 0600 ($(modes "$work/m4"))" test "$(modes "$work/m4")" = "700 600 "
for m in 0844 abc 0400 01640 "" 00000640 -640; do
    "$bin" run $args --mode "$m" --out "$work/mbad" >/dev/null 2>"$work/err"
    expect "--mode '$m'" 2 $?
    expect_true "--mode '$m' is explained" grep -q -- "--mode" "$work/err"
done
expect_true "bad --mode creates nothing" test ! -e "$work/mbad"
"$bin" run --help >"$work/h" 2>&1
expect_true "run --help names --mode" grep -q -- "--mode" "$work/h"

echo "outdir: $pass passed, $fail failed"
[ "$fail" = 0 ]
