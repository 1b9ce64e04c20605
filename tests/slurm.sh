#!/bin/sh
# make test-slurm: a sharded night through a real Slurm cluster of one node, started here
# (munged, then slurmctld and slurmd with a configuration this script writes: every CPU
# a slot, accounting off, linuxproc process tracking, no task plugin, as root without
# systemd), compared byte for byte with `slipway run`:
#   1. the sample night as 3 map tasks, 3 group tasks and a finishing task through sbatch,
#      the phases chained with --dependency=afterok;
#   2. a night whose map task 1 is cancelled mid-way (scancel, between its files and its
#      .done record, held there by the SLIPWAY_TEST_MAP_HOLD test hook): the group and
#      finishing jobs never run, nothing is written, and the same command submitted again
#      (map task 1, the group tasks, the finish) finishes the night with the same bytes;
#   3. slipway slurm --status names what is done.
# The cluster is stopped on exit (the daemons this script started, by their pid files).
#
# usage: tests/slurm.sh path/to/slipway      (as root; Debian's slurm-wlm and munge)
set -u
bin=$(realpath "$1")
if [ "$(id -u)" != 0 ]; then
    echo "test-slurm: needs root, to start munged, slurmctld and slurmd"
    exit 1
fi
for cmd in munged slurmctld slurmd sbatch squeue scancel sinfo; do
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || {
        echo "test-slurm: $cmd is missing (apt-get install slurm-wlm slurmctld slurmd slurm-client munge)"
        exit 1
    }
done
PATH=$PATH:/usr/sbin
scratch=$(mktemp -d /tmp/slipway-slurm.XXXXXX)
chmod 755 "$scratch"
started_munge=0
stop() {
    # the private cluster's own jobs (SLURM_CONF names it), then its daemons
    [ -f "$scratch/slurmctld.pid" ] && squeue -h -o %A 2>/dev/null | xargs -r scancel 2>/dev/null
    sleep 1
    for d in slurmd slurmctld; do
        [ -f "$scratch/$d.pid" ] && kill "$(cat "$scratch/$d.pid")" 2>/dev/null
    done
    sleep 1
    [ "$started_munge" = 1 ] && [ -f "$scratch/munged.pid" ] && kill "$(cat "$scratch/munged.pid")" 2>/dev/null
    rm -rf "$scratch"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP PIPE
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# ---- the cluster ----
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    [ -f /etc/munge/munge.key ] || { mungekey --create --keyfile /etc/munge/munge.key &&
        chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key; }
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- munged --pid-file=/run/munge/munged-slipway.pid || { echo "test-slurm: munged does not start"; exit 1; }
    cp /run/munge/munged-slipway.pid "$scratch/munged.pid" 2>/dev/null
    started_munge=1
    sleep 1
fi
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
mkdir -p "$scratch/state" "$scratch/spool"
export SLURM_CONF=$scratch/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=slipwaytest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
slurmctld -f "$SLURM_CONF" || { echo "test-slurm: slurmctld does not start"; cat "$scratch/slurmctld.log"; exit 1; }
slurmd -f "$SLURM_CONF" || { echo "test-slurm: slurmd does not start"; cat "$scratch/slurmd.log"; exit 1; }
i=0
until [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; do
    i=$((i + 1))
    if [ $i -gt 60 ]; then
        echo "test-slurm: the node is not idle after 30 s: $(sinfo -h -o '%t %E' 2>&1)"
        tail -5 "$scratch/slurmctld.log" "$scratch/slurmd.log"
        exit 1
    fi
    sleep 0.5
done
echo "test-slurm: cluster up ($host, $cpus CPUs, Slurm $(sinfo -V | cut -d' ' -f2))"

# Wait until none of the night's jobs is queued or running (at most $2 seconds).
wait_jobs() {
    jobs=$(awk '$2 != 0 {print $2}' "$1/slurm/jobs" | paste -sd, -)
    i=0
    while [ -n "$(squeue -h -j "$jobs" -o %i 2>/dev/null)" ]; do
        i=$((i + 1))
        [ $i -gt $(($2 * 2)) ] && return 1
        sleep 0.5
    done
    return 0
}

args=$(cat tests/cases/samples/args)
# shellcheck disable=SC2086
"$bin" run $args --threads 1 --quiet --out "$scratch/plain" || bad "the plain sample night failed"

# ---- 1. the sample night through sbatch ----
# shellcheck disable=SC2086
"$bin" slurm $args --threads 1 --shards 3 --work "$scratch/w1" --out "$scratch/o1" >"$scratch/submit" 2>&1 ||
    { bad "slipway slurm failed"; cat "$scratch/submit"; }
grep -q "submitted map tasks 0-2 as job" "$scratch/submit" && ok || { bad "submission message"; cat "$scratch/submit"; }
wait_jobs "$scratch/w1" 120 || bad "the sample night's jobs still run after 120 s"
if diff -r -x metrics.json "$scratch/plain" "$scratch/o1" >"$scratch/diff" 2>&1; then ok; else
    bad "the night through Slurm differs from slipway run"; head -20 "$scratch/diff"
    tail -5 "$scratch"/w1/slurm/*.log
fi
cat "$scratch"/w1/slurm/finish.job*.log | grep -q "orders read    325" && ok || bad "the finishing job's log lacks the summary"
"$bin" slurm --status --work "$scratch/w1" >"$scratch/status"
grep -q "map *2 *done" "$scratch/status" && grep -q "group *2 *done" "$scratch/status" &&
    grep -q "finish     done" "$scratch/status" && ok ||
    { bad "status of a finished night"; cat "$scratch/status"; }

# ---- 2. a map task cancelled mid-way, then the same command again ----
SLIPWAY_TEST_MAP_HOLD=1:300 "$bin" slurm $args --threads 1 --shards 3 --work "$scratch/w2" \
    --out "$scratch/o2" >"$scratch/submit" 2>&1 || { bad "slipway slurm (2) failed"; cat "$scratch/submit"; }
map_job=$(awk '$1 == "map" {print $2}' "$scratch/w2/slurm/jobs")
# map task 1 has written its files and holds before its .done record
i=0
until [ -f "$scratch/w2/map-1.bucket-2.zst" ] && [ "$(squeue -h -j "${map_job}_1" -o %T 2>/dev/null)" = RUNNING ]; do
    i=$((i + 1))
    [ $i -gt 240 ] && { bad "map task 1 never got mid-way"; break; }
    sleep 0.5
done
scancel "${map_job}_1"
sleep 2
[ ! -f "$scratch/w2/map-1.done" ] && [ -f "$scratch/w2/map-0.done" ] && ok ||
    bad "after scancel: map-1.done $(ls "$scratch/w2" | tr '\n' ' ')"
"$bin" slurm --status --work "$scratch/w2" >"$scratch/status"
grep -q "map *1 *not done" "$scratch/status" && grep -q "group *0 *not done" "$scratch/status" &&
    grep -q "finish     waits for the map tasks" "$scratch/status" && ok ||
    { bad "status after the cancel"; cat "$scratch/status"; }
[ ! -e "$scratch/o2" ] && ok || bad "a cancelled night wrote its output folder"
# shellcheck disable=SC2086
"$bin" slurm $args --threads 1 --shards 3 --work "$scratch/w2" --out "$scratch/o2" >"$scratch/submit" 2>&1 ||
    { bad "the resubmission failed"; cat "$scratch/submit"; }
grep -q "submitted map tasks 1 as job" "$scratch/submit" && grep -q "submitted group tasks 0-2 as job" "$scratch/submit" &&
    ok || { bad "the resubmission submits only map 1 (and the group tasks)"; cat "$scratch/submit"; }
wait_jobs "$scratch/w2" 120 || bad "the resubmitted jobs still run after 120 s"
if diff -r -x metrics.json "$scratch/plain" "$scratch/o2" >"$scratch/diff" 2>&1; then ok; else
    bad "the resubmitted night differs from slipway run"; head -20 "$scratch/diff"
    tail -5 "$scratch"/w2/slurm/*.log
fi

echo "slurm: $pass passed, $fail failed"
[ "$fail" = 0 ]
