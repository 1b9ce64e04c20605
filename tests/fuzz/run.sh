#!/bin/sh
# Run one libFuzzer harness for a bounded time, seeded from the committed corpus.
#
#   tests/fuzz/run.sh NAME SECONDS SCRATCH_CORPUS LOG
#
# NAME is a harness (csv, order_row, detect, policy, run): build/fuzz/fuzz_NAME. New
# inputs go to SCRATCH_CORPUS, never to tests/fuzz/corpus/NAME (read as seeds only);
# crashes, leaks and timeouts go to build/fuzz-artifacts/NAME-*. One job, one process:
# the machine is shared. Exit status is the fuzzer's (non-zero on any finding); the last
# line of LOG is libFuzzer's "Done N runs in S second(s)".
set -u
name=$1
seconds=$2
scratch=$3
log=$4
opts="-timeout=25 -rss_limit_mb=2048 -print_final_stats=1"
[ -f "tests/fuzz/$name.dict" ] && opts="$opts -dict=tests/fuzz/$name.dict"
case $name in
# Chunk cuts need more than the chunker's 4096-byte minimum chunk.
csv) opts="$opts -max_len=20000" ;;
# A whole night; its refusals are one stderr line each (libFuzzer keeps its own output).
run) opts="$opts -max_len=12000 -close_fd_mask=2" ;;
esac
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm # outputs are fsynced: keep it in RAM
# libFuzzer ends the process without running atexit handlers, so the harness cannot
# remove its own scratch folder: give it one inside a folder this script removes.
tmp=$(mktemp -d "$base/slipway-fuzz-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$scratch" build/fuzz-artifacts
# shellcheck disable=SC2086
TMPDIR=$tmp ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "./build/fuzz/fuzz_$name" $opts -max_total_time="$seconds" \
    -artifact_prefix="build/fuzz-artifacts/$name-" "$scratch" "tests/fuzz/corpus/$name" \
    >"$log" 2>&1
rc=$?
grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" |
    sed "s/^/  $name: /"
if [ $rc != 0 ]; then
    echo "fuzz_$name failed (exit $rc); see $log:"
    tail -50 "$log" | sed 's/^/    /'
fi
exit $rc
