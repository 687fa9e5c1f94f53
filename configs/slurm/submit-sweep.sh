#!/bin/bash
# submit-sweep.sh - queue a sharded sweep and its merge: the one command users run.
#
#   CONFIG=configs/tariffs.yaml \
#   SWEEP='--sweep scenario.tariffs.US.China=0.03,0.155,0.28' \
#   SHARDS=3 OUTDIR=outputs/tariffs configs/slurm/submit-sweep.sh [sbatch options...]
#
# Submits sweep-array.sbatch as an array of SHARDS tasks, then merge.sbatch with
# --dependency=afterok on the whole array, and prints
#   ARRAY_JOB=<id>
#   MERGE_JOB=<id>
# The result is $OUTDIR/merged.h5. sbatch options given here (e.g. --partition=long,
# --account=agecon) apply to both jobs; ARRAY_SBATCH_ARGS and MERGE_SBATCH_ARGS (word-split)
# to one each (e.g. ARRAY_SBATCH_ARGS='--cpus-per-task=16 --time=12:00:00').
#
# Environment: AGTRADE CONFIG OUTDIR SWEEP DRAWS RUN_ARGS REQUEUE (see sweep-array.sbatch),
#   SHARDS  number of array tasks [3]; agtrade splits the sweep points evenly over them.
# Variables reach the jobs through the environment (sbatch's default --export=ALL), so
# values may contain commas.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)

SHARDS=${SHARDS:-3}
CONFIG=${CONFIG:-configs/default.yaml}
OUTDIR=${OUTDIR:-outputs/sweep}
if [ -z "${AGTRADE:-}" ]; then
    AGTRADE=$(command -v agtrade || echo "$PWD/bin/agtrade")
fi
case $AGTRADE in /*) ;; */*) AGTRADE=$PWD/$AGTRADE ;; esac
[ -x "$AGTRADE" ] || command -v "$AGTRADE" >/dev/null ||
    { echo "submit-sweep.sh: no agtrade binary at '$AGTRADE' (set AGTRADE)" >&2; exit 66; }
[ -r "$CONFIG" ] || { echo "submit-sweep.sh: cannot read CONFIG=$CONFIG" >&2; exit 66; }
case $SHARDS in ''|*[!0-9]*|0) echo "submit-sweep.sh: SHARDS must be a positive integer" >&2; exit 64 ;; esac
mkdir -p "$OUTDIR"
# The merge takes every shard-*.h5 there: files of an earlier sweep would be merged in.
if compgen -G "$OUTDIR/shard-*.h5" >/dev/null || [ -e "$OUTDIR/merged.h5" ]; then
    echo "submit-sweep.sh: $OUTDIR already holds shard-*.h5 or merged.h5 of another sweep;" \
         "choose a new OUTDIR or remove them" >&2
    exit 73
fi
export AGTRADE CONFIG OUTDIR SHARDS SWEEP="${SWEEP:---sweep scenario.tariffs.US.China=0.03,0.155,0.28}"

read -r -a array_args <<<"${ARRAY_SBATCH_ARGS:-}"
read -r -a merge_args <<<"${MERGE_SBATCH_ARGS:-}"

array=$(sbatch --parsable --export=ALL --array="0-$((SHARDS - 1))" \
        --output="$OUTDIR/slurm-sweep-%A_%a.out" "$@" "${array_args[@]}" \
        "$here/sweep-array.sbatch")
array=${array%%;*}   # "id;cluster" on multi-cluster setups
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes \
        --output="$OUTDIR/slurm-merge-%j.out" "$@" "${merge_args[@]}" \
        "$here/merge.sbatch")
merge=${merge%%;*}
echo "ARRAY_JOB=$array"
echo "MERGE_JOB=$merge"
