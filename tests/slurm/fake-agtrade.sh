#!/bin/bash
# fake-agtrade.sh - stands in for bin/agtrade in tests/slurm/smoke.sh, so the job scripts
# are tested on the real scheduler before (and independently of) agtrade's sweep code.
# It follows agtrade's contract for what the scripts rely on:
#   run CONFIG [options] -o OUT   shard K/N from SLURM_ARRAY_TASK_ID/_MIN/_COUNT; on USR1
#                                 saves OUT minus .h5 plus .partial.h5 (never OUT) and
#                                 exits 75; --resume needs that partial file and removes
#                                 it; writes OUT as text, not HDF5
#   merge OUT SHARD...            concatenates the shards
# FAKE_HANG_TASK=K makes array task K wait (up to 120 s) for USR1 on its first run.
set -u
cmd=${1:-}; shift || true
case $cmd in
run)
    config=$1; shift
    out="" resume=0 rest=()
    while [ $# -gt 0 ]; do
        case $1 in
            -o) out=$2; shift 2 ;;
            --resume) resume=1; shift ;;
            *) rest+=("$1"); shift ;;
        esac
    done
    [ -n "$out" ] || { echo "agtrade: run: no -o" >&2; exit 64; }
    id=${SLURM_ARRAY_TASK_ID:-0}
    k=$((id - ${SLURM_ARRAY_TASK_MIN:-0}))
    n=${SLURM_ARRAY_TASK_COUNT:-1}
    line="config=$config args=${rest[*]} shard=$k/$n omp=${OMP_NUM_THREADS:-unset} resume=$resume"
    partial=${out%.h5}.partial.h5
    if [ "$resume" = 1 ]; then
        [ -e "$partial" ] || { echo "agtrade: --resume: $partial: cannot open" >&2; exit 66; }
        rm -f "$partial"
    fi
    if [ "${FAKE_HANG_TASK:-}" = "$id" ] && [ "$resume" = 0 ]; then
        trap 'echo "$line partial=1" >"$partial"; echo "agtrade: interrupted, partial results saved" >&2; exit 75' USR1
        echo "agtrade: shard $k/$n waiting for USR1" >&2
        for _ in $(seq 600); do sleep 0.2; done
        echo "agtrade: no USR1 within 120 s" >&2
        exit 70
    fi
    echo "$line" >"$out"
    ;;
merge)
    out=$1; shift
    cat "$@" >"$out"
    ;;
*)
    echo "fake-agtrade: unknown command '$cmd'" >&2; exit 64 ;;
esac
