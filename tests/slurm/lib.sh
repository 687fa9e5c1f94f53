# shellcheck shell=bash
# lib.sh - helpers for the scripts that drive the test cluster (sourced; needs SLURM_CONF).

# wait_jobs TIMEOUT ID... - wait until none of the jobs (array jobs: all their tasks) is
# pending or running. Returns 1 on timeout, after printing the queue.
wait_jobs() {
    local timeout=$1 start=$SECONDS ids
    shift
    ids=$(IFS=,; echo "$*")
    while [ $((SECONDS - start)) -lt "$timeout" ]; do
        [ -z "$(squeue -h -j "$ids" -o '%i' 2>/dev/null)" ] && return 0
        sleep 1
    done
    echo "wait_jobs: jobs $ids still queued after ${timeout} s:" >&2
    squeue -j "$ids" -o '%.18i %.9P %.20j %.8T %.10M %R' >&2 || true
    return 1
}

# job_states ID - "JOBID STATE EXITCODE" per job (per task of an array job), sorted.
job_states() {
    scontrol -o show job "$1" 2>/dev/null |
        sed -n 's/^JobId=\([0-9]*\) .*ArrayJobId=\([0-9]*\) ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\) .*/\2_\3 \4 \5/p;
                t;
                s/^JobId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\) .*/\1 \2 \3/p' |
        sort
}

# all_completed ID... - every job and task COMPLETED with exit 0:0.
all_completed() {
    local id bad
    for id in "$@"; do
        bad=$(job_states "$id" | awk '$2 != "COMPLETED" || $3 != "0:0"')
        [ -z "$bad" ] && [ -n "$(job_states "$id")" ] || return 1
    done
}

# print_logs FILE... - dump job output files (for failures).
print_logs() {
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        echo "----- $f -----" >&2
        tail -n 60 "$f" >&2
    done
}
