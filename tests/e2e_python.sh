#!/usr/bin/env bash
# e2e_python.sh - the Python side on REAL files: runs bin/agtrade (env AGTRADE) to write
# a single run, a small tariff sweep and a run with --raw-draws, then tests/test_results.py
# reads them with h5py, xarray (h5netcdf and netcdf4 engines), ncdump, the loaders and the
# plots, and compares values with `agtrade summary`. Run from the repository root (as
# tests/run-all does). Fails, loudly, when the binary is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
AGTRADE=${AGTRADE:-bin/agtrade}
PYTHON=/usr/bin/python3
if [ ! -x "$AGTRADE" ]; then
    echo "e2e_python: running the logic tests only (synthetic files), then failing:" >&2
    "$PYTHON" tests/test_results.py >&2 || true
    echo "e2e_python: FAILED: no agtrade binary at '$AGTRADE' (build it with make)" >&2
    exit 1
fi
for tool in "$PYTHON" ncdump; do
    command -v "$tool" >/dev/null || { echo "e2e_python: FAILED: $tool missing (make deps)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/agtrade-e2e-python.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

run() {
    echo "+ $*"
    "$@" >"$tmp/log" 2>&1 || { rc=$?; cat "$tmp/log" >&2; echo "e2e_python: FAILED (exit $rc): $*" >&2; exit 1; }
}
run "$AGTRADE" run configs/default.yaml -n 2000 -o "$tmp/a.h5"
run "$AGTRADE" run configs/tariff-sweep.yaml -n 200 -o "$tmp/sweep.h5"
run "$AGTRADE" run configs/default.yaml -n 300 --raw-draws -o "$tmp/raw.h5"

AGTRADE="$AGTRADE" AGTRADE_E2E_DIR="$tmp" "$PYTHON" tests/test_results.py
