#!/usr/bin/env bash
# e2e_slurm.sh - a sharded sweep on a real (private, single-node) Slurm cluster gives the
# same results as the same sweep run in one process.
#
#   tests/e2e_slurm.sh              run by tests/run-all (AGTRADE: the binary, default bin/agtrade)
#   tests/e2e_slurm.sh --selftest   only check the cluster and job scripts (tests/slurm/smoke.sh)
#
# Starts tests/slurm/cluster.sh in a temporary directory (always stopped on exit), checks
# the job scripts with stand-ins (tests/slurm/smoke.sh; SLURM_E2E_SMOKE=0 skips), submits
# configs/slurm/submit-sweep.sh (an array of SHARDS tasks, then the merge with afterok),
# waits for both, runs the same sweep unsharded with $AGTRADE, and compares the merged
# file with h5diff: every dataset under /summary and every root coordinate variable, plus
# the root attributes seed, draws, draws_failed; `complete` must be 1. Attributes that
# legitimately differ (created_utc, hostname, command_line) and config_yaml (with its length, config_yaml_strlen) are not compared.
# With Open MPI installed, bin/agtrade-mpi is (re)built and the same sweep also runs through mpi.sbatch
# (2 ranks) and is compared the same way.
#
# Needs root and Debian's slurmctld, slurmd, slurm-client, munge, hdf5-tools (make deps);
# prints SKIP and passes where they are missing (not root: Slurm cannot launch jobs).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$PWD

# The sweep under test; the key scheme is that of `agtrade run --sweep` (sim/config/config.h).
SWEEP_KEY=${SLURM_E2E_SWEEP_KEY:-scenario.tariffs.US.China}
SWEEP_VALUES=${SLURM_E2E_SWEEP_VALUES:-0.03,0.155,0.28}
SWEEP="--sweep $SWEEP_KEY=$SWEEP_VALUES"
CONFIG=${SLURM_E2E_CONFIG:-configs/default.yaml}
DRAWS=${SLURM_E2E_DRAWS:-240}
SHARDS=${SLURM_E2E_SHARDS:-3}
TIMEOUT=${SLURM_E2E_TIMEOUT:-300}
H5DIFF_ARGS=${H5DIFF_ARGS:-}          # e.g. "-d 1e-12"; default: exact equality
AGTRADE=${AGTRADE:-bin/agtrade}
AGTRADE_MPI=${AGTRADE_MPI:-bin/agtrade-mpi}

# the MPI binary must be this tree's: rebuild it (quick when up to date)
if [ "$AGTRADE_MPI" = bin/agtrade-mpi ] && command -v mpicc >/dev/null; then
    make -s MPI=1 bin/agtrade-mpi >/dev/null || { echo "e2e_slurm: make MPI=1 failed"; exit 1; }
fi

if [ "${1:-}" = --selftest ]; then
    exec tests/slurm/smoke.sh
fi

skip() { echo "e2e_slurm: SKIP: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root to run slurmd (jobs run as SlurmdUser=root)"
PATH=$PATH:/usr/sbin:/sbin
for b in munged slurmctld slurmd sbatch squeue scontrol h5diff h5ls h5dump; do
    command -v "$b" >/dev/null || skip "$b not installed (make deps)"
done

fail() { echo "e2e_slurm: FAIL: $*" >&2; exit 1; }
case $AGTRADE in /*) ;; *) AGTRADE=$repo/$AGTRADE ;; esac
case $AGTRADE_MPI in /*) ;; *) AGTRADE_MPI=$repo/$AGTRADE_MPI ;; esac

STATE=$(mktemp -d /tmp/agtrade-slurm.XXXXXX)
cleanup() {
    tests/slurm/cluster.sh stop "$STATE" >/dev/null 2>&1
    rm -rf "$STATE"
}
trap cleanup EXIT
# shellcheck source=slurm/lib.sh
. tests/slurm/lib.sh
tests/slurm/cluster.sh start "$STATE" || fail "the test cluster did not start"
export SLURM_CONF=$STATE/slurm.conf
W=$STATE/work
mkdir -p "$W"

if [ "${SLURM_E2E_SMOKE:-1}" != 0 ]; then
    tests/slurm/smoke.sh "$STATE" || fail "job script smoke test (tests/slurm/smoke.sh)"
fi
# Checked after the smoke test, which needs neither, so the job scripts are tested even
# before agtrade builds.
[ -x "$AGTRADE" ] || fail "no agtrade binary at $AGTRADE (make, or set AGTRADE)"
[ -r "$CONFIG" ] || fail "cannot read $CONFIG"

job_logs() { print_logs "$W"/sweep/slurm-*.out "$W"/mpi/slurm-*.out "$STATE"/log/slurmctld.log; }

# --- the sharded sweep on Slurm ------------------------------------------------------
ids=$(AGTRADE=$AGTRADE CONFIG=$CONFIG OUTDIR=$W/sweep SHARDS=$SHARDS SWEEP=$SWEEP \
      DRAWS=$DRAWS ARRAY_SBATCH_ARGS='--cpus-per-task=1' configs/slurm/submit-sweep.sh) ||
    fail "submit-sweep.sh failed"
echo "$ids"
arr=$(sed -n 's/^ARRAY_JOB=//p' <<<"$ids")
mrg=$(sed -n 's/^MERGE_JOB=//p' <<<"$ids")
wait_jobs "$TIMEOUT" "$arr" "$mrg" || { job_logs; fail "jobs did not finish in ${TIMEOUT} s"; }
job_states "$arr"
job_states "$mrg"
all_completed "$arr" "$mrg" || { job_logs; fail "the array or the merge did not complete"; }
[ -s "$W/sweep/merged.h5" ] || { job_logs; fail "no $W/sweep/merged.h5"; }

# --- the same sweep in one process ---------------------------------------------------
read -r -a sweep_args <<<"$SWEEP"
# Not sharded even when this test itself runs inside a Slurm array task; 2 threads where
# the shards had 1 (results must not depend on the thread count).
env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN -u SLURM_ARRAY_TASK_COUNT \
    OMP_NUM_THREADS=2 "$AGTRADE" run "$CONFIG" "${sweep_args[@]}" --set "run.draws=$DRAWS" \
    -o "$W/whole.h5" || fail "the unsharded run failed"

root_attr() {   # root_attr FILE NAME - the attribute's DATA block as h5dump prints it
    h5dump -a "/$2" "$1" 2>/dev/null | sed -n '/DATA {/,/}/p' | grep -v 'DATA {\|}'
}

# same_results A B - every /summary dataset and root coordinate variable equal
same_results() {
    local a=$1 b=$2 name ok=0 va vb
    # shellcheck disable=SC2086
    h5diff $H5DIFF_ARGS "$a" "$b" /summary /summary >"$W/h5diff.txt" 2>&1 ||
        { echo "/summary differs:"; head -40 "$W/h5diff.txt"; ok=1; }
    local ds_a ds_b
    ds_a=$(h5ls "$a" | awk '$2 == "Dataset" { print $1 }' | grep -vxE 'config_yaml(_strlen)?' | sort)
    ds_b=$(h5ls "$b" | awk '$2 == "Dataset" { print $1 }' | grep -vxE 'config_yaml(_strlen)?' | sort)
    [ "$ds_a" = "$ds_b" ] || { echo "root variables differ: [$ds_a] vs [$ds_b]"; ok=1; }
    [ -n "$ds_a" ] || { echo "no root coordinate variables in $a"; ok=1; }
    for name in $ds_a; do
        # shellcheck disable=SC2086
        h5diff $H5DIFF_ARGS "$a" "$b" "/$name" "/$name" >"$W/h5diff.txt" 2>&1 ||
            { echo "/$name differs:"; head -20 "$W/h5diff.txt"; ok=1; }
    done
    for name in seed draws draws_failed; do
        va=$(root_attr "$a" "$name"); vb=$(root_attr "$b" "$name")
        [ -n "$va" ] && [ "$va" = "$vb" ] ||
            { echo "root attribute $name: '$va' vs '$vb'"; ok=1; }
    done
    for f in "$a" "$b"; do
        root_attr "$f" complete | grep -q '(0): 1$' || { echo "$f: complete is not 1"; ok=1; }
    done
    return $ok
}

same_results "$W/sweep/merged.h5" "$W/whole.h5" ||
    { job_logs; fail "merged shards differ from the unsharded run"; }
echo "e2e_slurm: $SHARDS shards merged on Slurm == unsharded run ($SWEEP, $DRAWS draws)"

# --- the same sweep with MPI, when the MPI build exists ------------------------------
if [ -x "$AGTRADE_MPI" ]; then
    mkdir -p "$W/mpi"
    j=$(AGTRADE_MPI=$AGTRADE_MPI CONFIG=$CONFIG OUTDIR=$W/mpi OUTPUT=mpi.h5 SWEEP=$SWEEP \
        DRAWS=$DRAWS sbatch --parsable --cpus-per-task=1 -o "$W/mpi/slurm-mpi-%j.out" \
        configs/slurm/mpi.sbatch) || fail "sbatch mpi.sbatch failed"
    wait_jobs "$TIMEOUT" "$j" || { job_logs; fail "MPI job did not finish in ${TIMEOUT} s"; }
    job_states "$j"
    all_completed "$j" || { job_logs; fail "the MPI job did not complete"; }
    same_results "$W/mpi/mpi.h5" "$W/whole.h5" ||
        { job_logs; fail "MPI run (2 ranks) differs from the unsharded run"; }
    echo "e2e_slurm: mpi.sbatch (2 ranks) == unsharded run"
else
    echo "e2e_slurm: no $AGTRADE_MPI (make MPI=1): MPI job not checked"
fi
echo "e2e_slurm: ok"
