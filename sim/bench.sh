#!/usr/bin/env bash
# make bench: the benchmark of agtrade (never a test). Prints ratios measured in one run;
# absolute times depend on the machine and its load.
#   sim/bench.sh BIN/agtrade BUILD/tests/bench_*   (BENCH_MAX_DRAWS caps the memory runs)
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

echo "== draws per second (default scenario, 200000 draws)"
read -r t1 _ < <(measure $A run $C -q -n 200000 -j 1 -o "$T/a.h5")
read -r tn _ < <(measure $A run $C -q -n 200000 -j "$cores" -o "$T/b.h5")
awk -v t1="$t1" -v tn="$tn" -v n="$cores" 'BEGIN {
    printf "  1 thread:  %8.0f draws/s (%.2f us per draw: 2 solves + sampling + statistics)\n", 200000 / t1, 1e6 * t1 / 200000;
    printf "  %d threads: %8.0f draws/s\n", n, 200000 / tn;
    printf "  parallel efficiency: %.2f (target >= 0.9)\n", t1 / tn / n }'
# bench_stats' CPU time per draw against the whole draw at one thread (wall time)
stats_us=$( [ -f "$T/micro" ] && awk '$1 == "stats" { print $2; exit }' "$T/micro" || true)
if [ -n "$stats_us" ]; then
    awk -v s="$stats_us" -v t1="$t1" 'BEGIN {
        printf "  statistics (bench_stats): %.2f us per draw, %.0f %% of a draw at 1 thread\n", s, 100 * s / (1e6 * t1 / 200000) }'
fi
echo

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

echo "== sweep overhead: 10 points x N draws vs 1 point x 10 N draws ($cores threads)"
# ten points of the default policy (28 %), so each point costs what the single run's draws do
same_points=$(printf '0.28,%.0s' 1 2 3 4 5 6 7 8 9)0.28
for n in 20000 100000; do
    read -r t1p _ < <(measure $A run $C -q -n $((10 * n)) -o "$T/one.h5")
    read -r ts _ < <(measure $A run $C -q -n $n --sweep scenario.tariffs.US.China=$same_points -o "$T/s.h5")
    awk -v n=$n -v t="$t1p" -v ts="$ts" 'BEGIN {
        printf "  N = %6d: time ratio sweep / single run %.2f; %.0f ms per point beyond the draws\n", n, ts / t, 100 * (ts - t) }'
done
