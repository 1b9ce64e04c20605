#!/bin/sh
# Faults: what a failed or killed run leaves behind. SPEC: outputs go to
# .DIR.tmp-PID-XXXXXXXX, are fsynced, and the folder is renamed to DIR only when complete;
# a failed run exits 1 and leaves no DIR; the next run removes stale temporary folders
# (marked by the run, their lock free: README "Faults").
#
#   1. Injected write failures (tests/faults/failio.c, an LD_PRELOAD shim): the Kth
#      mkdir/open/write/fsync/close/rename under the output's parent (the temporary
#      folder's marker included) fails with ENOSPC,
#      for every K of a run (--compress and the ASan binary: one K of each kind unless
#      FAULT_FULL=1), and byte budgets that end the disk inside each file (a short
#      write, then ENOSPC); EIO, EROFS and EDQUOT at a few K. Exit 1, the OS error and the file
#      on stderr, no DIR, no temporary folder. Failing the parent's fsync after the
#      rename is only a warning: DIR is complete (exit 0).
#   2. A read-only parent (as an unprivileged user: root ignores modes) and a real full
#      and read-only tmpfs (in a private mount namespace), each skipped with the reason
#      when the machine does not allow it.
#   3. strace: every output file is fsynced before the rename, the temporary folder
#      after its last file, the parent after the rename (skipped without strace).
#   4. kill -9 at seeded random moments of a large run (bench/gen.c's night), FAULT_RUNS
#      times: afterwards DIR is absent or complete (every file in manifest.json, sha256
#      equal, same bytes as an uninterrupted run); the next run with the same --out
#      succeeds and removes the killed run's temporary folder. Prints a tally.
#   5. An input changed while it is read (tests/faults/changeio.c, an LD_PRELOAD shim that
#      grows, cuts or rewrites it after the first read), in every role: exit 3 naming it.
#
# usage: tests/faults.sh path/to/slipway path/to/gen [path/to/asan/slipway]
#   FAULT_RUNS (5) kill iterations; FAULT_ROWS (200000) order lines of the large night;
#   FAULT_FULL=1 adds byte budgets on the large night; ENG_SEED the seed (default: time).
set -u
bin=$1
gen=$2
asan_bin=${3:-}
runs=${FAULT_RUNS:-5}
rows=${FAULT_ROWS:-200000}
seed=${ENG_SEED:-$(date +%s)}
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
case "$gen" in /*) ;; *) gen=$PWD/$gen ;; esac
case "$asan_bin" in /* | "") ;; *) asan_bin=$PWD/$asan_bin ;; esac
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-faults.XXXXXX")
# The injected-failure runs write into a tmpfs when there is one: their thousands of
# fsyncs are then free, and they only test the failure paths (section 4 runs on disk).
shm=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/slipway-faults.XXXXXX 2>/dev/null) || shm=
fi
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work" ${shm:+"$shm"}' EXIT
pass=0
fail=0
skip=0
start=$(date +%s)

ok() { pass=$((pass + 1)); }
lap() { now=$(date +%s); echo "faults: ($((now - start)) s) $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
skipped() { skip=$((skip + 1)); echo "skip: $*"; }

# Inputs copied into the work folder, so an unprivileged user can read them too.
mkdir "$work/in"
cp samples/catalog.csv samples/inventory.csv samples/orders_shop.csv "$work/in/"
small="--catalog $work/in/catalog.csv --inventory $work/in/inventory.csv --orders $work/in/orders_shop.csv --run-date 2026-11-27"

# ---- helpers ---------------------------------------------------------------------------

# Output entries of a manifest, one "name bytes sha256" line each.
manifest_outputs() {
    awk '/"outputs"/ { on = 1 }
         on && /"name"/ { gsub(/[",]/, "", $2); name = $2 }
         on && /"bytes"/ { gsub(/,/, "", $2); bytes = $2 }
         on && /"sha256"/ { gsub(/[",]/, "", $2); print name, bytes, $2 }' "$1"
}

# DIR is a complete output folder: manifest.json and metrics.json present, every output
# of the manifest present with its bytes and sha256, and nothing else. Prints why not.
complete() {
    d=$1
    [ -f "$d/manifest.json" ] || { echo "no manifest.json"; return 1; }
    [ -f "$d/metrics.json" ] || { echo "no metrics.json"; return 1; }
    manifest_outputs "$d/manifest.json" >"$work/m.list"
    [ -s "$work/m.list" ] || { echo "manifest lists no outputs"; return 1; }
    n=2
    while read -r name bytes sum; do
        [ -f "$d/$name" ] || { echo "$name missing"; return 1; }
        [ "$(wc -c <"$d/$name" | tr -d ' ')" = "$bytes" ] || { echo "$name: size differs"; return 1; }
        [ "$(sha256sum "$d/$name" | cut -d' ' -f1)" = "$sum" ] || { echo "$name: sha256 differs"; return 1; }
        n=$((n + 1))
    done <"$work/m.list"
    [ "$(ls -A "$d" | wc -l | tr -d ' ')" = "$n" ] || { echo "files not in the manifest"; return 1; }
    # And the run's invariants hold: slipway verify re-reads the outputs and inputs.
    "$bin" verify "$d" >"$work/verify.out" 2>&1
    vrc=$?
    if [ "$vrc" != 0 ]; then echo "slipway verify (exit $vrc): $(head -3 "$work/verify.out")"; return 1; fi
    return 0
}

# Nothing but $2 (if given) in folder $1: no DIR, no temporary folder.
only() {
    left=$(ls -A "$1" | grep -v -x -F "${2:-/}" | tr '\n' ' ')
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# ---- 1. injected failures ---------------------------------------------------------------
shim=$work/failio.so
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 -shared -fPIC \
    tests/faults/failio.c -o "$shim" -ldl; then
    bad "cannot build tests/faults/failio.c"
    shim=
fi

fs=${shm:-$work}/fs
# run_failio BIN K|"" BYTES|"" ERRNO EXTRA... -> exit code in $rc, stderr in $work/err
run_failio() {
    rb=$1 rk=$2 rbudget=$3 rerrno=$4
    shift 4
    rm -rf "$fs" && mkdir "$fs"
    FAILIO_DIR=$fs FAILIO_AT=$rk FAILIO_BYTES=$rbudget FAILIO_ERRNO=$rerrno LD_PRELOAD=$shim \
        ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 \
        "$rb" run $small "$@" --out "$fs/o" >/dev/null 2>"$work/err"
    rc=$?
}

# One failure at K (or a byte budget): exit 1, message, nothing left; or, past the
# rename, exit 0 with DIR complete.
check_failure() { # label, after_rename (0/1), errno text
    label=$1
    if [ "$2" = 1 ]; then
        if [ "$rc" = 0 ] && why=$(complete "$fs/o") && only "$fs" o >/dev/null; then ok; else
            bad "$label: after the rename: exit $rc, want 0 and a complete DIR ${why:-}"
            cat "$work/err"
        fi
        return
    fi
    why=$(only "$fs")
    if [ "$rc" != 1 ]; then
        bad "$label: exit $rc, want 1"; head -5 "$work/err"
    elif ! grep -q "$3" "$work/err"; then
        bad "$label: stderr does not give the OS error \"$3\": $(head -3 "$work/err")"
    elif ! grep -q "$fs/" "$work/err"; then
        bad "$label: stderr names no output path: $(head -3 "$work/err")"
    elif [ "$(wc -l <"$work/err" | tr -d ' ')" != 1 ]; then
        bad "$label: stderr is not one line: $(head -5 "$work/err")"
    elif [ -n "$why" ]; then
        bad "$label: $why"
    else
        ok
    fi
}

# Every counted call of one run fails in turn (or only calls $only_calls when set).
sweep_calls() { # binary, label, flags...
    b=$1 lab=$2
    shift 2
    rm -rf "$fs" && mkdir "$fs"
    rm -f "$work/log"
    FAILIO_DIR=$fs FAILIO_LOG=$work/log LD_PRELOAD=$shim ASAN_OPTIONS=verify_asan_link_order=0 \
        "$b" run $small "$@" --out "$fs/o" >/dev/null 2>&1
    total=$(wc -l <"$work/log" | tr -d ' ')
    at_rename=$(awk '$2 == "rename" { print $1 }' "$work/log")
    if [ -z "$at_rename" ] || [ "$total" -lt 10 ]; then
        bad "$lab: the shim saw no rename ($total calls)"
        return
    fi
    for k in ${only_calls:-$(seq 1 $((total + 1)))}; do
        [ "$k" = rename ] && k=$at_rename
        run_failio "$b" "$k" "" ENOSPC "$@"
        what=$(awk -v k="$k" '$1 == k { print $2, $3 }' "$work/log")
        check_failure "$lab: call $k (${what:-none}) fails" $([ "$k" -gt "$at_rename" ] && echo 1 || echo 0) \
            "No space left on device"
    done
    if [ -n "${only_calls:-}" ]; then
        lap "$lab: calls $only_calls of $total failed (rename is call $at_rename)"
    else
        lap "$lab: each of $total calls failed in turn (rename is call $at_rename)"
    fi
}

# The disk fills after B bytes, for B across the whole output, including inside files.
sweep_bytes() { # binary, label, steps, flags...
    b=$1 lab=$2 steps=$3
    shift 3
    run_failio "$b" "" "" ENOSPC "$@"
    total=0
    for f in "$fs"/o/*; do total=$((total + $(wc -c <"$f"))); done
    # metrics.json is written last and its length varies a little from run to run: the
    # last budget ends the disk halfway through it, never past the run's end.
    upper=$((total - $(wc -c <"$fs/o/metrics.json") / 2))
    i=0
    while [ "$i" -le "$steps" ]; do
        budget=$((upper * i / steps - 1))
        [ "$budget" -lt 0 ] && budget=0
        run_failio "$b" "" "$budget" ENOSPC "$@"
        check_failure "$lab: disk full after $budget of $total bytes" 0 "No space left on device"
        i=$((i + 1))
    done
    lap "$lab: disk full at $((steps + 1)) points across $total bytes"
}

# A run's counted calls at --threads 1: 1 open of the parent, 2 mkdir of the temporary
# folder, 3 its open, 4-7 its marker's create, write and fsync and the folder's fsync,
# then per output file create, write, fsync and close (slips.csv 8-11, summary.json
# 44-47, manifest.json 48-51, metrics.json 52-55), the folder's fsync, the rename, and
# after it the folder's and the parent's fsyncs and the marker's close.
full=${FAULT_FULL:-0}
if [ -n "$shim" ]; then
    sweep_calls "$bin" "release" --threads 1
    [ "$full" = 1 ] || only_calls="1 2 3 4 5 6 7 8 9 10 11 45 49 53 rename"
    sweep_calls "$bin" "release --compress" --threads 1 --compress
    only_calls=
    sweep_bytes "$bin" "release, 2 threads" $([ "$full" = 1 ] && echo 200 || echo 20) --threads 2
    sweep_bytes "$bin" "release --compress" $([ "$full" = 1 ] && echo 100 || echo 8) \
        --threads 2 --compress
    for spec in "EIO:Input/output error" "EROFS:Read-only file system" "EDQUOT:quota exceeded"; do
        for k in 1 2 4 9 52; do
            run_failio "$bin" "$k" "" "${spec%%:*}" --threads 1
            check_failure "${spec%%:*} at call $k" 0 "${spec#*:}"
        done
    done
    # The sanitized binary, so a failure path that touches freed memory is caught: every
    # call with FAULT_FULL=1, else one of each kind (open of the parent, mkdir, marker
    # create and write, create, write, fsync, close of a CSV, write of summary.json, fsync
    # of the folder, rename).
    if [ -n "$asan_bin" ]; then
        [ "$full" = 1 ] || only_calls="1 2 4 5 8 9 10 11 45 56 rename"
        sweep_calls "$asan_bin" "asan" --threads 1
        only_calls=
    fi
fi

# ---- 2. read-only parent, real full and read-only file systems ---------------------------
mkdir "$work/ro"
chmod 555 "$work/ro"
chmod 755 "$work"
if [ "$(id -u)" != 0 ]; then
    "$bin" run $small --out "$work/ro/o" >/dev/null 2>"$work/err"
    rc=$?
elif command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null &&
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$bin" 2>/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" run $small --out "$work/ro/o" \
        >/dev/null 2>"$work/err"
    rc=$?
else
    rc=skip
    skipped "read-only parent: running as root and cannot drop to an unprivileged user"
fi
if [ "$rc" != skip ]; then
    fs=$work/ro
    check_failure "read-only parent" 0 "Permission denied"
    lap "read-only parent: $(head -1 "$work/err")"
    fs=${shm:-$work}/fs
fi

# A small tmpfs in a private mount namespace (nothing is mounted for anyone else): full,
# then read-only.
mnt=$work/mnt
mkdir "$mnt"
if command -v unshare >/dev/null 2>&1 &&
    unshare -m sh -c "mount -t tmpfs -o size=16k tmpfs '$mnt'" 2>/dev/null; then
    gen_out=$work/tmpfs.err
    for spec in "size=16k:No space left on device" "ro,size=16k:Read-only file system"; do
        unshare -m sh -c "mount -t tmpfs -o ${spec%%:*} tmpfs '$mnt' &&
            '$bin' run $small --threads 2 --out '$mnt/o' >/dev/null 2>'$gen_out'
            echo \$? >'$work/rc'; ls -A '$mnt' >'$work/left'"
        rc=$(cat "$work/rc")
        if [ "$rc" = 1 ] && grep -q "${spec#*:}" "$gen_out" && [ ! -s "$work/left" ]; then
            ok
        else
            bad "tmpfs ${spec%%:*}: exit $rc, want 1; left: $(cat "$work/left"); $(cat "$gen_out")"
        fi
    done
    lap "real tmpfs: full and read-only"
else
    skipped "real tmpfs: cannot mount in a private namespace here (needs root and unshare)"
fi

# ---- 3. fsync before rename, parent after (strace) --------------------------------------
# Both checks join strace -f's "<unfinished ...>" / "<... resumed>" halves and follow each
# descriptor from open to close. slipway works relative to folder descriptors (openat,
# mkdirat, renameat2 on the parent's and the temporary folder's): at() makes a name
# absolute through the descriptor's path; renamed_to is a successful rename's target.
strace_join='
    function at(dfd, name) {
        gsub(/"/, "", name)
        if (dfd == "AT_FDCWD" || name ~ /^\//) return name
        return path[dfd] "/" name
    }
    /<unfinished \.\.\.>$/ { pid = $1; sub(/ <unfinished \.\.\.>$/, ""); pend[pid] = $0; next }
    /<\.\.\. [a-z0-9_]+ resumed>/ { pid = $1; rest = $0; sub(/^.*resumed>/, "", rest); $0 = pend[pid] rest }
    {
        line = $0; sub(/^[0-9]+ +/, "", line)
        rv = line; sub(/^.*= /, "", rv); sub(/ .*/, "", rv)
        fd = line; sub(/^[a-z0-9_]+\(/, "", fd); sub(/[,)].*/, "", fd)
        renamed_to = ""
        if (line ~ /^rename/ && rv == "0") {
            args = line; sub(/^[a-z0-9_]+\(/, "", args); sub(/\) += .*$/, "", args)
            split(args, arg, ", ")
            renamed_to = line ~ /^rename\(/ ? at("AT_FDCWD", arg[2]) : at(arg[3], arg[4])
        }
    }'

# Every file created in the temporary folder is fsynced, before the rename.
check_strace_files() { # log, tmp, dir
    awk -v tmp="$2/" -v dir="$3" "$strace_join"'
    line ~ /^(open|openat|creat)\(/ && rv ~ /^[0-9]+$/ {
        p = line; sub(/^[^"]*"/, "", p); sub(/".*/, "", p)
        if (line ~ /^openat\(/) p = at(fd, p)
        path[rv] = p
        if (index(p, tmp) == 1 && line ~ /O_CREAT/) created[p] = NR
    }
    line ~ /^f(data)?sync\(/ && rv == "0" && (path[fd] in created) { synced[path[fd]] = NR }
    line ~ /^close\(/ { delete path[fd] }
    renamed_to == dir { renamed = NR }
    END {
        if (!renamed) { print "no successful rename to " dir; exit 1 }
        n = 0; bad = 0
        for (p in created) {
            n++
            if (!(p in synced)) { print p " never fsynced"; bad = 1 }
            else if (synced[p] > renamed) { print p " fsynced after the rename"; bad = 1 }
        }
        if (n == 0) { print "no files created"; exit 1 }
        printf "%d files fsynced before the rename; ", n
        exit bad
    }' "$1"
}

# The temporary folder is fsynced after its last file is created, then renamed, then the
# parent is fsynced (the folder's second fsync, after the rename, makes its marker's
# removal durable).
check_strace_folders() { # log, tmp, dir, parent
    awk -v tmp="$2" -v dir="$3" -v parent="$4" "$strace_join"'
    line ~ /^(open|openat|creat)\(/ && rv ~ /^[0-9]+$/ {
        p = line; sub(/^[^"]*"/, "", p); sub(/".*/, "", p)
        if (line ~ /^openat\(/) p = at(fd, p)
        path[rv] = p
        if (index(p, tmp "/") == 1 && line ~ /O_CREAT/) last = NR
    }
    line ~ /^f(data)?sync\(/ && rv == "0" && path[fd] == tmp && !r { t = NR }
    line ~ /^f(data)?sync\(/ && rv == "0" && path[fd] == parent && r { p2 = NR }
    line ~ /^close\(/ { delete path[fd] }
    renamed_to == dir { r = NR }
    END {
        if (last && t > last && r > t && p2 > r) print "ok"
        else print "last file created at line " last ", folder fsynced at " t ", renamed at " r ", parent fsynced at " p2
    }' "$1"
}

if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
    for flags in "" "--compress"; do
        rm -rf "$fs" && mkdir "$fs"
        strace -f -qq -o "$work/strace" \
            -e trace=%file,fsync,fdatasync,close \
            "$bin" run $small --threads 2 $flags --out "$fs/o" >/dev/null 2>&1
        name=$(sed -n 's/.*mkdirat([0-9]*, "\(\.o\.tmp-[0-9]*-[0-9a-f]*\)".*/\1/p' "$work/strace" | head -1)
        tmp=$fs/$name
        order=$(check_strace_folders "$work/strace" "$tmp" "$fs/o" "$fs")
        files=$(check_strace_files "$work/strace" "$tmp" "$fs/o")
        frc=$?
        nfiles=$(ls -A "$fs/o" 2>/dev/null | wc -l | tr -d ' ')
        ncreated=$(grep -c "O_CREAT" "$work/strace" | tr -d ' ')
        if [ -z "$name" ]; then
            bad "strace $flags: no temporary folder made"
        elif [ "$frc" != 0 ]; then
            bad "strace $flags: $files"
        elif [ "$order" != ok ]; then
            bad "strace $flags: folder order wrong: $order"
        elif [ "$ncreated" -lt "$nfiles" ]; then
            bad "strace $flags: $nfiles files in DIR but $ncreated created"
        else
            ok
            lap "strace ${flags:-plain}: ${files}temporary folder fsynced after its last file, renamed, parent fsynced after"
        fi
    done
else
    skipped "strace: not installed or not allowed to trace here; outputs go through fmt_sink_close (fsync) and eng_outdir_commit (fsync folder, rename, fsync parent)"
fi

# ---- 4. kill -9 at random moments ----------------------------------------------------------
night=$work/night
"$gen" --out "$night" --rows "$rows" --returns 0 >/dev/null || bad "gen failed"
big="--catalog $night/catalog.csv --inventory $night/inventory.csv --orders $night/orders.csv --run-date 2026-11-27 --threads 2"
# Two uninterrupted runs: the first warms the page cache, the second's wall time sets
# the range of kill moments and its outputs are the reference.
"$bin" run $big --out "$work/ref" >/dev/null 2>"$work/err" || bad "first run: $(cat "$work/err")"
rm -rf "$work/ref"
t0=$(date +%s%N)
"$bin" run $big --out "$work/ref" >/dev/null 2>"$work/err" || bad "reference run: $(cat "$work/err")"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
why=$(complete "$work/ref") || bad "reference run incomplete: $why"
manifest_outputs "$work/ref/manifest.json" >"$work/ref.list"

if [ "$full" = 1 ] && [ -n "$shim" ]; then
    # Disk full inside the large files, at 2 threads (files written at once).
    refbytes=0
    for f in "$work/ref"/*; do refbytes=$((refbytes + $(wc -c <"$f"))); done
    for i in 1 2 3 4 5 6 7 8; do
        budget=$(awk -v s="$seed" -v i="$i" -v t="$refbytes" 'BEGIN { srand(s + i); printf "%d", rand() * t }')
        rm -rf "$fs" && mkdir "$fs"
        FAILIO_DIR=$fs FAILIO_BYTES=$budget LD_PRELOAD=$shim "$bin" run $big --out "$fs/o" \
            >/dev/null 2>"$work/err"
        rc=$?
        check_failure "large night, disk full after $budget of $refbytes bytes" 0 "No space left on device"
    done
    lap "large night: disk full at 8 random points"
fi

lap "kill -9 x $runs, seed $seed (ENG_SEED), $rows lines, uninterrupted run ${ms} ms"
early=0 writing=0 precommit=0 aftercommit=0 finished=0 unmarked=0
out=$work/k/night
mkdir "$work/k"
i=1
while [ "$i" -le "$runs" ]; do
    # Half the kills anywhere in the run, half in its last 40% (writing and commit).
    delay=$(awk -v s="$seed" -v i="$i" -v ms="$ms" 'BEGIN { srand(s + i); r = rand();
        lo = (i % 2) ? 0 : 0.6 * ms; printf "%.3f", (lo + r * (1.05 * ms - lo)) / 1000 }')
    "$bin" run $big --out "$out" >/dev/null 2>"$work/err" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    tmp=$(ls -d "$work/k/.night.tmp-$pid-"* 2>/dev/null | head -1)
    tmp=${tmp:-$work/k/.night.tmp-$pid-none}
    state=
    if [ -e "$out" ]; then
        if why=$(complete "$out"); then
            manifest_outputs "$out/manifest.json" >"$work/k.list"
            if ! cmp -s "$work/k.list" "$work/ref.list"; then
                bad "kill $i (${delay}s): DIR differs from the uninterrupted run"
            elif [ -e "$tmp" ]; then
                bad "kill $i (${delay}s): DIR and the temporary folder both exist"
            elif [ "$rc" = 0 ]; then
                state=finished
            elif [ "$rc" = 137 ]; then
                state=aftercommit
            else
                bad "kill $i: exit $rc: $(cat "$work/err")"
            fi
        else
            bad "kill $i (${delay}s, exit $rc): PARTIAL output folder: $why"
        fi
    elif [ "$rc" != 137 ]; then
        bad "kill $i (${delay}s): exit $rc without DIR: $(cat "$work/err")"
    elif [ ! -e "$tmp" ]; then
        state=early
    elif [ -f "$tmp/metrics.json" ]; then
        state=precommit
    else
        state=writing
    fi
    [ -n "$state" ] && eval "$state=\$(($state + 1))" && ok
    left=$(ls -A "$work/k" | grep -v -x -e night -e "\.night\.tmp-$pid-[0-9a-f]*" | tr '\n' ' ')
    [ -z "$left" ] || bad "kill $i: stray entries: $left"

    # The next run with the same --out (DIR removed if it was committed): succeeds,
    # removes the killed run's temporary folder, and commits a complete DIR. A run killed
    # in the microseconds between making its folder and its marker, or between removing
    # the marker and the rename, leaves a folder nobody can tell for slipway's: it is
    # left alone, and the warning must name it.
    rm -rf "$out"
    "$bin" run $small --out "$out" >/dev/null 2>"$work/err"
    rc=$?
    if [ "$rc" != 0 ]; then
        bad "kill $i: the next run failed with exit $rc: $(cat "$work/err")"
    elif [ -e "$tmp" ] && grep -q "${tmp##*/}: .*slipway-run" "$work/err"; then
        unmarked=$((unmarked + 1))
    elif [ -e "$tmp" ]; then
        bad "kill $i: the next run left the stale $tmp"
    elif ! why=$(complete "$out"); then
        bad "kill $i: the next run's DIR: $why"
    else
        ok
    fi
    rm -rf "$out" "$work/k"/.night.tmp-*
    i=$((i + 1))
done
lap "kill -9 tally: $early before the temporary folder, $writing before commit (temporary folder left)," \
    "$precommit with every file written but not renamed, none mid-rename (rename(2) is atomic)," \
    "$aftercommit after the rename (DIR complete), $finished finished before the kill;" \
    "$unmarked killed while making or committing the folder (left alone, warned)"

# ---- 5. an input that changes while it is read ------------------------------------------
# Regression (issue 12, 2026-12-06): a file still arriving (a transfer in progress) was read
# as far as it had come and taken as complete. tests/faults/changeio.c changes one input
# right after slipway's first read of it: grows it, cuts it, or rewrites it in place (same
# size, new modification time). Every role: exit 3 naming the file, no DIR left.
changeio=$work/changeio.so
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O2 -shared -fPIC \
    tests/faults/changeio.c -o "$changeio" -ldl; then
    bad "cannot build tests/faults/changeio.c"
else
    ch=$(cd "$work" && pwd -P)/change
    mk=samples/marketplaces
    h=tests/hostile
    fresh_inputs() {
        rm -rf "$ch" && mkdir "$ch"
        cp "$h/base/catalog.csv" "$h/base/inventory.csv" "$h/base/orders.csv" \
            "$h/base/history_slips.csv" "$h/files/returns_hostile_rows.csv" "$ch/"
        zstd -q -c "$h/base/orders.csv" >"$ch/orders.csv.zst"
        printf 'allocation = partial\n' >"$ch/policy.conf"
    }
    # A .zst is cut rather than grown: appended text would be corrupt zstd data (also a
    # refusal, with another message).
    for spec in catalog:grow inventory:shrink orders:touch orders-zst:shrink policy:touch \
        mapping:grow returns:shrink history:grow; do
        role=${spec%%:*} how=${spec#*:}
        fresh_inputs
        extra="--orders $ch/orders.csv"
        case $role in
        catalog) file=$ch/catalog.csv ;;
        inventory) file=$ch/inventory.csv ;;
        orders) file=$ch/orders.csv ;;
        orders-zst) file=$ch/orders.csv.zst extra="--orders $file" ;;
        policy) file=$ch/policy.conf extra="$extra --policy $file" ;;
        returns) file=$ch/returns_hostile_rows.csv
            extra="$extra --returns $file --history $ch/history_slips.csv" ;;
        history) file=$ch/history_slips.csv extra="$extra --history $file" ;;
        mapping) # the Kaufhaus night: its own reference files and mapping
            cp "$mk/catalog.csv" "$ch/mk_catalog.csv"
            cp "$mk/inventory.csv" "$ch/mk_inventory.csv"
            cp "$mk/kaufhaus.map" "$ch/kaufhaus.map"
            file=$ch/kaufhaus.map
            extra="--orders $mk/kaufhaus_bestellungen_2026-11-26.csv --format map:$file" ;;
        esac
        refs="--catalog $ch/catalog.csv --inventory $ch/inventory.csv"
        [ "$role" = mapping ] && refs="--catalog $ch/mk_catalog.csv --inventory $ch/mk_inventory.csv"
        # shellcheck disable=SC2086
        CHANGEIO_FILE=$file CHANGEIO_HOW=$how LD_PRELOAD=$changeio \
            "$bin" run $refs $extra --run-date 2026-11-27 --out "$ch/o" >/dev/null 2>"$work/err"
        rc=$?
        want="slipway: $file: changed while it was read (a transfer still in progress?); wait until it is complete and run again"
        if [ "$rc" != 3 ]; then
            bad "$role changed while read ($how): exit $rc, want 3: $(head -3 "$work/err")"
        elif ! grep -qF -- "$want" "$work/err"; then
            bad "$role changed while read ($how): stderr lacks '$want': $(head -3 "$work/err")"
        elif [ -e "$ch/o" ]; then
            bad "$role changed while read ($how): a refused run left its DIR"
        else
            ok
        fi
    done
    # The same inputs untouched commit: the refusals above are the change's doing.
    fresh_inputs
    "$bin" run --catalog "$ch/catalog.csv" --inventory "$ch/inventory.csv" \
        --orders "$ch/orders.csv" --policy "$ch/policy.conf" --returns "$ch/returns_hostile_rows.csv" \
        --history "$ch/history_slips.csv" --run-date 2026-11-27 --out "$ch/o" >/dev/null 2>"$work/err"
    rc=$?
    if [ "$rc" = 0 ]; then ok; else bad "unchanged inputs: exit $rc: $(head -3 "$work/err")"; fi
    lap "inputs changed while read: every role refused"
fi

echo "faults: $pass passed, $fail failed, $skip skipped ($(($(date +%s) - start)) s)"
[ "$fail" = 0 ]
