#!/usr/bin/env bash
# e2e_attrib.sh - which uncertainty drives the outcome, on REAL files (sim/mc/attrib.h):
# runs bin/agtrade (env AGTRADE) to write runs with raw draws, other thread counts, a
# sharded sweep and its merge, a regime scenario and a scenario with an attribution
# list, Sobol designs (--sobol) at two thread counts and sharded, then
# tests/test_attrib.py checks the streamed attribution against numpy on the
# raw draws, bit-for-bit reproducibility, the law of total variance and the sampled
# inputs. Run from the repository root (as tests/run-all does).
set -euo pipefail
cd "$(dirname "$0")/.."
AGTRADE=${AGTRADE:-bin/agtrade}
PYTHON=/usr/bin/python3
[ -x "$AGTRADE" ] || { echo "e2e_attrib: FAILED: no agtrade binary at '$AGTRADE'" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/agtrade-e2e-attrib.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

run() {
    echo "+ $*"
    "$@" >"$tmp/log" 2>&1 || { rc=$?; cat "$tmp/log" >&2; echo "e2e_attrib: FAILED (exit $rc): $*" >&2; exit 1; }
}
run "$AGTRADE" run configs/default.yaml -n 3000 -j 1 --raw-draws -q -o "$tmp/raw.h5"
run "$AGTRADE" run configs/default.yaml -n 3000 -j 2 -q -o "$tmp/threads2.h5"
run "$AGTRADE" run configs/tariff-sweep.yaml -n 300 -q -o "$tmp/sweep.h5"
run "$AGTRADE" run configs/tariff-sweep.yaml -n 300 -q --shard 0/2 -o "$tmp/shard0.h5"
run "$AGTRADE" run configs/tariff-sweep.yaml -n 300 -q --shard 1/2 -o "$tmp/shard1.h5"
run "$AGTRADE" merge "$tmp/merged.h5" "$tmp/shard1.h5" "$tmp/shard0.h5"
run "$AGTRADE" run configs/truce-uncertainty.yaml -n 3000 --raw-draws -q -o "$tmp/truce.h5"
printf 'base: %s/configs/default.yaml\nattribution: [imports, production_change]\n' "$PWD" \
    > "$tmp/listed.yaml"
run "$AGTRADE" run "$tmp/listed.yaml" -n 500 -q -o "$tmp/listed.h5"
run "$AGTRADE" run configs/truce-uncertainty.yaml -n 2000 --sobol 300 -j 1 -q -o "$tmp/sobol1.h5"
run "$AGTRADE" run configs/truce-uncertainty.yaml -n 2000 --sobol 300 -j 2 -q -o "$tmp/sobol2.h5"
run "$AGTRADE" run configs/truce-uncertainty.yaml -n 2000 --sobol 300 --raw-draws -q -o "$tmp/sobol_raw.h5"
run "$AGTRADE" run configs/tariff-sweep.yaml -n 200 --sobol 60 -q -o "$tmp/sobol_sweep.h5"
run "$AGTRADE" run configs/tariff-sweep.yaml -n 200 --sobol 60 -q --shard 0/2 -o "$tmp/sobol_s0.h5"
run "$AGTRADE" run configs/tariff-sweep.yaml -n 200 --sobol 60 -q --shard 1/2 -o "$tmp/sobol_s1.h5"
run "$AGTRADE" merge "$tmp/sobol_merged.h5" "$tmp/sobol_s0.h5" "$tmp/sobol_s1.h5"
"$AGTRADE" summary "$tmp/sobol1.h5" > "$tmp/sobol1.txt"
"$AGTRADE" summary "$tmp/truce.h5" > "$tmp/truce.txt"
"$AGTRADE" summary "$tmp/raw.h5" > "$tmp/raw.txt"

AGTRADE_E2E_DIR="$tmp" "$PYTHON" tests/test_attrib.py
