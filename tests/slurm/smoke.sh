#!/usr/bin/env bash
# smoke.sh - checks the test cluster and the job scripts in configs/slurm/ on the real
# scheduler, with tests/slurm/fake-agtrade.sh and mpi_hello.c standing in for agtrade
# (so this passes before agtrade's sweep, shard and merge code exists).
#
#   tests/slurm/smoke.sh            start a cluster in a temporary directory, check, stop
#   tests/slurm/smoke.sh STATEDIR   use the cluster already running in STATEDIR
#
# Checks: (1) a plain job array and an afterok job that runs after all its tasks;
# (2) an afterok job on an array with a failing task is cancelled, never run;
# (3) submit-sweep.sh: shards K/N, OMP_NUM_THREADS, merge after the array, and a
#     time-limit USR1 (sent with scancel --signal=USR1 --batch) that makes the task save,
#     exit 75, requeue itself and finish with --resume; (4) mpi.sbatch starts one MPI world
#     of 2 ranks with srun --mpi=pmix and with mpirun, and fails when nothing was written.
# Prints "smoke: ok" or the failing check with the job logs; exit 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
repo=$PWD
# shellcheck source=lib.sh
. tests/slurm/lib.sh
TIMEOUT=${SLURM_SMOKE_TIMEOUT:-120}

own_cluster=0
if [ $# -ge 1 ]; then
    STATE=$1
else
    STATE=$(mktemp -d /tmp/agtrade-slurm.XXXXXX)
    own_cluster=1
fi
cleanup() {
    [ "$own_cluster" = 1 ] || return 0
    tests/slurm/cluster.sh stop "$STATE" >/dev/null
    rm -rf "$STATE"
}
trap cleanup EXIT
if [ "$own_cluster" = 1 ]; then
    tests/slurm/cluster.sh start "$STATE" || exit 1
fi
export SLURM_CONF=$STATE/slurm.conf
W=$(mktemp -d "$STATE/smoke.XXXXXX")
failures=0

check() {   # check NAME COMMAND... - run a predicate, report
    local name=$1
    shift
    if "$@"; then
        echo "smoke: ok   $name"
    else
        echo "smoke: FAIL $name"
        failures=$((failures + 1))
        print_logs "$W"/*.out "$W"/*/*.out
    fi
}

# --- 1. a job array, then a job that depends on all of it --------------------------
a=$(sbatch --parsable --array=0-2 --cpus-per-task=1 -o "$W/triv-%A_%a.out" \
      --wrap "echo task \$SLURM_ARRAY_TASK_ID of \$SLURM_ARRAY_TASK_COUNT >$W/triv-\$SLURM_ARRAY_TASK_ID; sleep 1")
d=$(sbatch --parsable --dependency=afterok:"$a" -o "$W/triv-dep-%j.out" \
      --wrap "cat $W/triv-0 $W/triv-1 $W/triv-2 >$W/triv-all")
wait_jobs "$TIMEOUT" "$a" "$d"
job_states "$a"; job_states "$d"
dependent_ran_last() {
    local last_end dep_start
    last_end=$(scontrol -o show job "$a" | sed -n 's/.* EndTime=\([^ ]*\) .*/\1/p' | sort | tail -1)
    dep_start=$(scontrol -o show job "$d" | sed -n 's/.* StartTime=\([^ ]*\) .*/\1/p')
    [ -n "$last_end" ] && [[ ! "$dep_start" < "$last_end" ]]
}
check "array of 3 and afterok job completed" all_completed "$a" "$d"
check "afterok job saw all 3 tasks" \
    grep -qx "task 0 of 3 task 1 of 3 task 2 of 3" <(tr '\n' ' ' <"$W/triv-all" | sed 's/ $//')
check "afterok job started after the last task ended" dependent_ran_last

# --- 2. an array with a failing task: the dependent job never runs -----------------
a=$(sbatch --parsable --array=0-1 --cpus-per-task=1 -o "$W/fail-%A_%a.out" \
      --wrap "[ \$SLURM_ARRAY_TASK_ID = 1 ] && exit 3; true")
d=$(sbatch --parsable --dependency=afterok:"$a" --kill-on-invalid-dep=yes \
      -o "$W/fail-dep-%j.out" --wrap "touch $W/fail-dep-ran")
wait_jobs "$TIMEOUT" "$a" "$d"
job_states "$a"; job_states "$d"
check "task 1 failed with exit 3" grep -q "_1 FAILED 3:0" <(job_states "$a")
check "dependent of a failed array was cancelled, not run" \
    eval '[ ! -e "$W/fail-dep-ran" ] && job_states "$d" | grep -q " CANCELLED "'

# --- 3. submit-sweep.sh with a time-limit signal on task 1 -------------------------
sweep_out=$W/sweep
echo "scenario: stand-in" >"$W/scenario.yaml"
ids=$(AGTRADE=$repo/tests/slurm/fake-agtrade.sh CONFIG=$W/scenario.yaml \
      OUTDIR=$sweep_out SHARDS=3 SWEEP='--sweep scenario.tariffs.US.China=0.03,0.155,0.28' \
      DRAWS=137 FAKE_HANG_TASK=1 ARRAY_SBATCH_ARGS='--cpus-per-task=1' \
      configs/slurm/submit-sweep.sh)
echo "$ids"
arr=$(sed -n 's/^ARRAY_JOB=//p' <<<"$ids")
mrg=$(sed -n 's/^MERGE_JOB=//p' <<<"$ids")
if [ -z "$arr" ] || [ -z "$mrg" ]; then
    check "submit-sweep.sh printed both job ids" false
else
    # Wait for task 1 to block in the fake agtrade, then deliver what --signal=B:USR1@120
    # would deliver at the time limit.
    log1=$(printf '%s/slurm-sweep-%s_1.out' "$sweep_out" "$arr")
    for _ in $(seq "$TIMEOUT"); do
        grep -q "waiting for USR1" "$log1" 2>/dev/null && break
        sleep 1
    done
    scancel --batch --signal=USR1 "${arr}_1"
    # Slurm holds a requeued job back for 120 s (EligibleTime); skip that wait here.
    for _ in $(seq "$TIMEOUT"); do
        scontrol -o show job "${arr}_1" | grep -q 'JobState=PENDING.* Restarts=1 ' && break
        sleep 1
    done
    scontrol update JobId="${arr}_1" StartTime=now
    wait_jobs "$TIMEOUT" "$arr" "$mrg"
    job_states "$arr"; job_states "$mrg"
    check "sweep array and merge completed" all_completed "$arr" "$mrg"
    check "every task ran its own shard K/3 with 1 thread and the sweep and draws" eval '(
        for k in 0 1 2; do
            grep -q "args=--sweep scenario.tariffs.US.China=0.03,0.155,0.28 --set run.draws=137 shard=$k/3 omp=1 " \
                "$sweep_out/shard-$k.h5" || exit 1
        done)'
    check "USR1: task 1 exited 75, requeued itself, resumed" eval '
        grep -q "requeueing" "$log1" && grep -q "exit 75" "$log1" &&
        grep -q "resume=1" "$sweep_out/shard-1.h5" &&
        ! grep -q "resume=1" "$sweep_out/shard-0.h5" &&
        test ! -e "$sweep_out/shard-1.partial.h5"'
    check "merge combined the 3 shards" eval '[ "$(wc -l <"$sweep_out/merged.h5")" = 3 ]'
    before=$(squeue -h -o %i | wc -l)
    AGTRADE=$repo/tests/slurm/fake-agtrade.sh CONFIG=$W/scenario.yaml OUTDIR=$sweep_out \
        configs/slurm/submit-sweep.sh >/dev/null 2>&1
    rc=$?
    refused_cleanly() { [ "$rc" = 73 ] && [ "$(squeue -h -o %i | wc -l)" = "$before" ]; }
    check "submit-sweep.sh refuses an OUTDIR with shards (exit 73, nothing queued)" \
        refused_cleanly
fi

# --- 4. mpi.sbatch: one world of 2 ranks, with each launcher -----------------------
if command -v mpicc >/dev/null && mpicc -std=c11 -o "$W/mpi_hello" tests/slurm/mpi_hello.c; then
    for launcher in "srun --mpi=pmix" mpirun; do
        tag=${launcher%% *}
        j=$(AGTRADE_MPI=$W/mpi_hello CONFIG=configs/default.yaml OUTDIR=$W OUTPUT=mpi-$tag.txt \
            MPI_LAUNCHER=$launcher sbatch --parsable --cpus-per-task=1 -o "$W/mpi-$tag-%j.out" \
            configs/slurm/mpi.sbatch)
        wait_jobs "$TIMEOUT" "$j"
        job_states "$j"
        check "mpi.sbatch with $launcher: one world of 2 ranks" \
            eval "all_completed $j && grep -qx 'size=2 rank_sum=1' '$W/mpi-$tag.txt'"
    done
else
    check "mpicc builds tests/slurm/mpi_hello.c" false
fi
# srun exits 0 when a step fails to launch: mpi.sbatch must still fail if nothing was written.
j=$(AGTRADE_MPI=/bin/true CONFIG=configs/default.yaml OUTDIR=$W OUTPUT=mpi-none.txt \
    sbatch --parsable --cpus-per-task=1 -o "$W/mpi-none-%j.out" configs/slurm/mpi.sbatch)
wait_jobs "$TIMEOUT" "$j"
job_states "$j"
check "mpi.sbatch fails (exit 70) when the run wrote no output" \
    eval "job_states $j | grep -q ' FAILED 70:0\$'"

if [ "$failures" -eq 0 ]; then
    echo "smoke: ok"
    exit 0
fi
echo "smoke: $failures check(s) failed"
exit 1
