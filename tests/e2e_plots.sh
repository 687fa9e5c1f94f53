#!/usr/bin/env bash
# e2e_plots.sh - the charts of sim/python/plots.py on real files: words instead of
# config keys, scenario, draws and seed in titles, policy rates marked, distributions at
# the scenario's own policy, and CDFs of several files overlaid (tests/test_plots.py).
set -euo pipefail
cd "$(dirname "$0")/.."
A=${AGTRADE:-bin/agtrade}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run() { "$A" run "$@" -q -s 11 || { echo "e2e_plots: FAILED: agtrade run $*" >&2; exit 1; }; }
run configs/tariff-sweep.yaml -n 300 --sweep scenario.tariffs.US.China=0,0.1,0.23,0.28,0.6,0.9,1.2,1.38,1.5 -o "$T/sweep.h5"
run configs/baseline.yaml -n 100 --sweep scenario.tariffs.US.China=0.03,0.5 -o "$T/baseline-sweep.h5"
run configs/busan-deal-2025.yaml -n 400 -o "$T/busan.h5"
run configs/geneva-truce-2025.yaml -n 400 -o "$T/geneva.h5"
AGTRADE_PLOTS_DIR="$T" /usr/bin/python3 tests/test_plots.py
