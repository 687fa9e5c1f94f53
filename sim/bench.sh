#!/usr/bin/env bash
# make bench: the benchmark of agtrade (never a test). Prints ratios measured in one run;
# absolute times depend on the machine and its load.
#   sim/bench.sh BIN/agtrade BUILD/tests/bench_*   (BENCH_MAX_DRAWS caps the memory runs)
#   BENCH_BASE=OLD/agtrade also times another build's draws against this one's
set -euo pipefail
A=$1; shift
cd "$(dirname "$0")/.."
C=configs/default.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cores=$(nproc)
max_draws=${BENCH_MAX_DRAWS:-10000000}
echo "agtrade bench on $(hostname): $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo

echo "== equilibrium solves and a draw's statistics (one core)"
for b in "$@"; do case $b in *bench_attrib) ;; *) "$b" | tee -a "$T/micro" ;; esac; done
echo

# the cost of the streamed attribution (target < 15 % extra time) and of one Sobol
# design evaluation (target: one ordinary draw), measured in the engine (bench_attrib.c)
echo "== attribution and Sobol design (one core)"
for b in "$@"; do case $b in *bench_attrib) "$b" 40000 ;; esac; done
echo

# seconds and peak resident memory (kB): the fastest of three runs (the machine is shared)
measure() {
    local best=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null 2>"$T/stderr" || { cat "$T/stderr"; exit 1; }
        if [ -z "$best" ] || awk -v a="$(cut -d' ' -f1 "$T/time")" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$(cat "$T/time")
        fi
    done
    echo "$best"
}
once() {   # the same for one run (the long ones)
    /usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null 2>"$T/stderr" || { cat "$T/stderr"; exit 1; }
    cat "$T/time"
}
# interleaved NAME...: each NAME is an array holding a command; three rounds, each runs
# every command once, in turn (a change of load on the shared machine then hits them
# alike); sets best_NAME to the fastest wall time of each, cpu_NAME to its least CPU
# time (user + system: what a loaded machine inflates least)
interleaved() {
    local name w c
    for name in "$@"; do printf -v "best_$name" '%s' ""; printf -v "cpu_$name" '%s' ""; done
    for _ in 1 2 3; do
        for name in "$@"; do
            local -n cmd=$name
            /usr/bin/time -f "%e %U %S" -o "$T/time" "${cmd[@]}" >/dev/null 2>"$T/stderr" ||
                { cat "$T/stderr"; exit 1; }
            unset -n cmd
            read -r w c < <(awk '{ print $1, $2 + $3 }' "$T/time")
            keep_least "best_$name" "$w"
            keep_least "cpu_$name" "$c"
        done
    done
}
keep_least() {   # VAR VALUE: VAR = VALUE when VAR is empty or larger
    if [ -z "${!1}" ] || awk -v a="$2" -v b="${!1}" 'BEGIN { exit !(a < b) }'; then
        printf -v "$1" '%s' "$2"
    fi
}

echo "== draws per second (default scenario, 200000 draws)"
read -r t1 _ < <(measure $A run $C -q -n 200000 -j 1 -o "$T/a.h5")
read -r tn _ < <(measure $A run $C -q -n 200000 -j "$cores" -o "$T/b.h5")
awk -v t1="$t1" -v tn="$tn" -v n="$cores" 'BEGIN {
    printf "  1 thread:  %8.0f draws/s (%.2f us per draw: 2 solves + sampling + statistics)\n", 200000 / t1, 1e6 * t1 / 200000;
    printf "  %d threads: %8.0f draws/s\n", n, 200000 / tn;
    printf "  parallel efficiency: %.2f (target >= 0.95)\n", t1 / tn / n }'
# bench_stats' CPU time per draw against the whole draw at one thread (wall time)
stats_us=$( [ -f "$T/micro" ] && awk '$1 == "stats" { print $2; exit }' "$T/micro" || true)
if [ -n "$stats_us" ]; then
    awk -v s="$stats_us" -v t1="$t1" 'BEGIN {
        printf "  statistics (bench_stats): %.2f us per draw, %.0f %% of a draw at 1 thread\n", s, 100 * s / (1e6 * t1 / 200000) }'
fi
echo

# BENCH_BASE=OLD/agtrade: the same 1-thread draws with another build, interleaved with
# this one's (the machine is shared: only a comparison made back to back means much)
if [ -n "${BENCH_BASE:-}" ]; then
    echo "== against $BENCH_BASE (1 thread, 200000 draws, best of 3 each, interleaved)"
    [ -x "$BENCH_BASE" ] || { echo "BENCH_BASE=$BENCH_BASE is not an executable" >&2; exit 1; }
    old=("$BENCH_BASE" run $C -q -n 200000 -j 1 -o "$T/old.h5")
    new=($A run $C -q -n 200000 -j 1 -o "$T/new.h5")
    interleaved old new
    awk -v o="$best_old" -v n="$best_new" 'BEGIN {
        printf "  old: %.2f us per draw; new: %.2f us per draw; old / new = %.2f\n",
               1e6 * o / 200000, 1e6 * n / 200000, o / n }'
    echo
fi

echo "== calendars: draws per second, 1 thread (28 % on US -> China from the first period, the quarterly file adds its schedule; 20000 draws)"
S="--set scenario.tariffs.US.China=0.28"
read -r ta _ < <(measure $A run configs/soybeans-2024-25.yaml $S -q -n 20000 -j 1 -o "$T/ca.h5")
read -r tq _ < <(measure $A run configs/seasons-quarterly.yaml $S -q -n 20000 -j 1 -o "$T/cq.h5")
read -r tm _ < <(measure $A run configs/soybeans-2024-25-monthly.yaml $S -q -n 20000 -j 1 -o "$T/cm.h5")
awk -v ta="$ta" -v tq="$tq" -v tm="$tm" 'BEGIN {
    printf "  annual:    %8.0f draws/s (%7.1f us per draw)\n", 20000 / ta, 1e6 * ta / 20000;
    printf "  quarterly: %8.0f draws/s (%7.1f us per draw, %.1f x annual)\n", 20000 / tq, 1e6 * tq / 20000, tq / ta;
    printf "  monthly:   %8.0f draws/s (%7.1f us per draw, %.1f x annual)\n", 20000 / tm, 1e6 * tm / 20000, tm / ta }'
echo

echo "== peak memory without raw draws (target: flat, <= 64 MB at 10^7)"
for n in 100000 1000000 10000000; do
    [ "$n" -le "$max_draws" ] || continue
    read -r t mem < <(once $A run $C -q -n $n -o "$T/m.h5")
    awk -v n=$n -v t="$t" -v m="$mem" 'BEGIN { printf "  %9d draws: %6.1f MB peak, %7.1f s\n", n, m / 1024, t }'
done
echo

echo "== cost of --raw-draws (200000 draws, $cores threads)"
read -r tr memr < <(measure $A run $C -q -n 200000 --raw-draws -o "$T/r.h5")
size=$(stat -c %s "$T/r.h5")
awk -v t="$tn" -v tr="$tr" -v m="$memr" -v s="$size" 'BEGIN {
    printf "  time ratio raw / summary only: %.2f; peak %.1f MB; file %.1f MB\n", tr / t, m / 1024, s / 1048576 }'
echo

# What a sweep point costs beyond its draws (pilot, set-up, summary, its share of the
# file; issue 13's target: under 2 % of the point's draws at 20000 draws per point). N
# points of one policy (the default's 28 %), so each point's draws cost what a single
# run's do. A sweep of N points takes F + N (D + o): F the run's fixed cost (start-up,
# file), D a point's draws, o the per-point overhead. A single run of N x 20000 draws
# takes F + N D + o (one point), one of 20000 draws F + D + o. So
#     o = (T_sweep - T_single(N x 20000)) / (N - 1)
#     D = (T_single(N x 20000) - T_single(20000)) / (N - 1)
# (the fixed costs cancel), each time the best of 3, the three interleaved.
N_PTS=40
same_points=$(printf '0.28,%.0s' $(seq 2 $N_PTS))0.28
for J in 1 "$cores"; do
    echo "== sweep overhead per point: $N_PTS points x 20000 draws against single runs ($J thread(s))"
    sweep=($A run $C -q -j "$J" -n 20000 --sweep scenario.tariffs.US.China=$same_points -o "$T/s.h5")
    single_all=($A run $C -q -j "$J" -n $((N_PTS * 20000)) -o "$T/one.h5")
    single_one=($A run $C -q -j "$J" -n 20000 -o "$T/p.h5")
    interleaved sweep single_all single_one
    for m in wall cpu; do
        [ $m = wall ] && set -- "$best_sweep" "$best_single_all" "$best_single_one" ||
            set -- "$cpu_sweep" "$cpu_single_all" "$cpu_single_one"
        awk -v ts="$1" -v ta="$2" -v t1="$3" -v n=$N_PTS -v m=$m 'BEGIN {
            o = (ts - ta) / (n - 1); d = (ta - t1) / (n - 1);
            printf "  %-4s sweep %6.2f s, single runs %6.2f s (%d x 20000 draws), %5.2f s (20000): ", m, ts, ta, n, t1;
            printf "%.2f ms per point beyond %.1f ms of draws, %.1f %% (target < 2 %%)\n", 1e3 * o, 1e3 * d, 100 * o / d }'
    done
done
