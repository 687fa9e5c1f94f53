#!/usr/bin/env bash
# cluster.sh - a private single-node Slurm cluster on this machine, for testing the job
# scripts in configs/slurm/ against the real scheduler (Debian's slurmctld, slurmd, munge).
#
#   tests/slurm/cluster.sh start  STATEDIR   start munged, slurmctld, slurmd; wait for idle
#   tests/slurm/cluster.sh stop   STATEDIR   stop exactly the daemons started in STATEDIR
#   tests/slurm/cluster.sh status STATEDIR   print the daemons' state and sinfo
#   tests/slurm/cluster.sh env    STATEDIR   print the export line clients need
#
# Everything lives in STATEDIR: munge key, munge socket, slurm.conf, state, spool, logs,
# pid files. Nothing system-wide is read or written (not /etc/munge, not /etc/slurm, not
# /run/munge), so it coexists with a real installation and with other test clusters.
# Clients find the cluster through SLURM_CONF=STATEDIR/slurm.conf (`start` writes
# STATEDIR/env to source). See tests/slurm/README.md.
#
# Environment:
#   SLURM_TEST_PORT     first of the two TCP ports (slurmctld, slurmd); default: a free
#                       pair picked at random in 20000-39999
#   SLURM_TEST_TIMEOUT  seconds to wait for the node to become idle (default 60)
#
# Must run as root (SlurmdUser=root is needed to launch jobs). Safe to rerun after a
# crash: `start` first stops whatever an earlier run left in the same STATEDIR.
set -euo pipefail

die() { echo "cluster.sh: $*" >&2; exit 1; }

usage() {
    sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
}

[ $# -eq 2 ] || usage
cmd=$1
if [ "$cmd" = start ]; then
    mkdir -p "$2"
elif [ ! -d "$2" ]; then
    echo "cluster.sh: no cluster directory $2"
    [ "$cmd" = status ] && exit 3
    exit 0
fi
STATE=$(cd "$2" && pwd -P)
CONF=$STATE/slurm.conf
MUNGE_SOCKET=$STATE/munge/munge.socket

pidfile() { echo "$STATE/run/$1.pid"; }

# The pid in $1's pid file, only if that process is still the daemon we started: its
# command line names this STATEDIR (a recycled pid never does).
our_pid() {
    local f pid
    f=$(pidfile "$1")
    [ -s "$f" ] || return 1
    pid=$(tr -dc 0-9 <"$f")
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$STATE/" || return 1
    echo "$pid"
}

stop_daemon() {
    local name=$1 pid
    if ! pid=$(our_pid "$name"); then
        rm -f "$(pidfile "$name")"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do     # 10 s, then SIGKILL
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "cluster.sh: $name ($pid) ignored SIGTERM, killing" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    rm -f "$(pidfile "$name")"
}

# Job steps (slurmstepd) and the job scripts they run outlive slurmd when it stops. Ours
# are: every slurmstepd whose working directory is our log directory, their descendants,
# and any process whose environment has our SLURM_CONF and a SLURM_JOB_ID (a job left
# behind by a crashed step). Never this script or its ancestors, so `stop` can be called
# from a job-submitting test that has exported SLURM_CONF itself.
stop_jobs() {
    local roots="" keep="" victims="" p tree
    # "pid ppid" of every process, from /proc/*/stat (the command name may hold spaces).
    tree=$(awk 'FNR == 1 { f = FILENAME; sub(/^\/proc\//, "", f); sub(/\/stat$/, "", f)
                           sub(/.*\) /, ""); print f, $2 }' /proc/[0-9]*/stat 2>/dev/null)
    p=$$
    while [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != 1 ]; do
        keep="$keep $p"
        p=$(awk -v p="$p" '$1 == p { print $2 }' <<<"$tree")
    done
    for p in $(grep -lsz '^slurmstepd' /proc/[0-9]*/cmdline); do
        p=${p#/proc/}; p=${p%/cmdline}
        [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$STATE/log" ] && roots="$roots $p"
    done
    for p in $(grep -lszxF "SLURM_CONF=$CONF" /proc/[0-9]*/environ); do
        grep -qsz '^SLURM_JOB_ID=' "$p" && { p=${p#/proc/}; roots="$roots ${p%/environ}"; }
    done
    [ -n "$roots" ] || return 0
    victims=$(awk -v roots="$roots" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) mark[r[i]] = 1 }
        { parent[$1] = $2 }
        END {
            do { changed = 0
                 for (p in parent) if (!(p in mark) && (parent[p] in mark)) { mark[p] = 1; changed = 1 }
            } while (changed)
            for (p in mark) print p
        }' <<<"$tree")
    for p in $keep; do victims=$(echo "$victims" | grep -vx "$p" || true); done
    [ -n "$victims" ] || return 0
    for p in $victims; do
        echo "cluster.sh: killing leftover job process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
    done
    # shellcheck disable=SC2086
    kill -KILL $victims 2>/dev/null || true
}

do_stop() {
    [ -d "$STATE/run" ] || return 0   # never started here
    if [ -f "$CONF" ] && our_pid slurmctld >/dev/null; then
        # Cancel jobs first so slurmd reaps their steps cleanly.
        SLURM_CONF=$CONF timeout 5 scancel --quiet --full --user="$(id -un)" 2>/dev/null || true
        for _ in $(seq 1 50); do   # up to 10 s for the jobs to end
            [ -z "$(SLURM_CONF=$CONF timeout 5 squeue -h -t R,CG -o %i 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    # slurmd and slurmctld each take 1-2 s to exit: stop them together, munged after.
    stop_daemon slurmd &
    stop_daemon slurmctld &
    wait
    stop_daemon munged
    stop_jobs
}

free_port() {   # is TCP port $1 unbound? (read /proc: no dependency on ss or netstat)
    local hex
    hex=$(printf ':%04X ' "$1")
    ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{ print $2 " " }' | grep -qF "$hex"
}

pick_ports() {
    local p tries=0
    if [ -n "${SLURM_TEST_PORT:-}" ]; then
        CTLD_PORT=$SLURM_TEST_PORT; SLURMD_PORT=$((SLURM_TEST_PORT + 1))
        free_port "$CTLD_PORT" && free_port "$SLURMD_PORT" ||
            die "SLURM_TEST_PORT=$SLURM_TEST_PORT: port $CTLD_PORT or $SLURMD_PORT is in use"
        return
    fi
    while :; do
        p=$((20000 + (RANDOM % 10000) * 2))
        if free_port "$p" && free_port $((p + 1)); then
            CTLD_PORT=$p; SLURMD_PORT=$((p + 1)); return
        fi
        tries=$((tries + 1))
        [ $tries -lt 50 ] || die "no free port pair found in 20000-39999"
    done
}

write_munge_key() {
    local key=$STATE/munge/munge.key
    mkdir -p "$STATE/munge"
    chmod 0755 "$STATE/munge"   # munged wants the socket directory searchable
    if [ ! -s "$key" ]; then
        # 1024 random bytes, as mungekey --create makes, but without its size prompts.
        head -c 1024 /dev/urandom >"$key.tmp"
        chmod 0400 "$key.tmp"
        mv "$key.tmp" "$key"
    fi
}

write_conf() {
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
    : >"$STATE/plugstack.conf"
    cat >"$CONF" <<EOF
# Generated by tests/slurm/cluster.sh; every path is inside $STATE.
ClusterName=agtrade-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
TmpFS=$STATE/tmp
FirstJobId=$FIRST_JOB_ID
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$STATE/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SlurmdParameters=config_overrides
JobRequeue=1
MaxArraySize=1001
KillWait=10
InactiveLimit=0
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

print_logs() {
    local f
    for f in "$STATE"/log/*.log; do
        [ -f "$f" ] || continue
        echo "----- $f (last 40 lines) -----" >&2
        tail -n 40 "$f" >&2
    done
}

wait_idle() {
    local timeout=${SLURM_TEST_TIMEOUT:-60} start=$SECONDS state=""
    while [ $((SECONDS - start)) -lt "$timeout" ]; do
        state=$(SLURM_CONF=$CONF sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
        case $state in
            idle) return 0 ;;
            drain*|down*|fail*)   # e.g. a stale state from the daemon's first contact
                SLURM_CONF=$CONF scontrol update NodeName="$(hostname -s)" State=RESUME \
                    >/dev/null 2>&1 || true ;;
        esac
        sleep 0.5
    done
    echo "cluster.sh: node not idle after ${timeout} s (state '${state:-no answer}')" >&2
    SLURM_CONF=$CONF sinfo -N -l >&2 2>&1 || true
    print_logs
    return 1
}

do_start() {
    [ "$(id -u)" = 0 ] || die "must run as root (slurmd launches jobs as SlurmdUser=root)"
    local b
    for b in munged slurmctld slurmd sinfo scontrol; do
        command -v "$b" >/dev/null || PATH=$PATH:/usr/sbin:/sbin
        command -v "$b" >/dev/null || die "$b not found (apt-get install munge slurmctld slurmd slurm-client)"
    done
    do_stop   # whatever a crashed run left behind in this STATEDIR
    # From here on, a failure anywhere stops what was started (start is all or nothing).
    trap 'do_stop >/dev/null 2>&1' EXIT
    # Fresh state each start: no jobs or node states survive from an earlier run.
    rm -rf "$STATE/ctld" "$STATE/spool" "$STATE/log" "$STATE/run" "$STATE/tmp" \
        "$STATE/munge/munge.socket"*
    mkdir -p "$STATE/ctld" "$STATE/spool" "$STATE/log" "$STATE/run" "$STATE/tmp"
    chmod 1777 "$STATE/tmp"
    chmod 0755 "$STATE"
    write_munge_key
    pick_ports
    # Job ids distinct between clusters running at once (derived from the unique port):
    # Slurm names per-job paths by job id alone, e.g. PMIx's spmix_appdir_<uid>_<job>.<step>.
    FIRST_JOB_ID=$((CTLD_PORT * 100))
    write_conf
    printf 'export SLURM_CONF=%s\n' "$CONF" >"$STATE/env"

    if ! munged --key-file="$STATE/munge/munge.key" --socket="$MUNGE_SOCKET" \
            --pid-file="$(pidfile munged)" --log-file="$STATE/log/munged.log" \
            --seed-file="$STATE/munge/munged.seed" --force \
            </dev/null >"$STATE/log/munged.stderr.log" 2>&1; then
        print_logs; die "munged failed to start"
    fi
    # Daemons never hold the caller's stdout or stderr (a pipe would never close).
    if ! slurmctld -f "$CONF" -c -i </dev/null >"$STATE/log/slurmctld.stderr.log" 2>&1; then
        print_logs; die "slurmctld failed to start"
    fi
    if ! slurmd -f "$CONF" </dev/null >"$STATE/log/slurmd.stderr.log" 2>&1; then
        print_logs; die "slurmd failed to start"
    fi
    wait_idle || exit 1
    trap - EXIT
    echo "cluster.sh: up in $STATE (slurmctld :$CTLD_PORT, slurmd :$SLURMD_PORT);" \
         "clients: export SLURM_CONF=$CONF"
}

do_status() {
    local d pid rc=0
    for d in munged slurmctld slurmd; do
        if pid=$(our_pid "$d"); then echo "$d: running (pid $pid)"
        else echo "$d: stopped"; rc=3; fi
    done
    [ -f "$CONF" ] && SLURM_CONF=$CONF sinfo -N -o '%N %t %c %m %P' 2>&1 || true
    return $rc
}

case $cmd in
    start)  do_start ;;
    stop)   do_stop; echo "cluster.sh: stopped ($STATE)" ;;
    status) do_status ;;
    env)    echo "export SLURM_CONF=$CONF" ;;
    *)      usage ;;
esac
