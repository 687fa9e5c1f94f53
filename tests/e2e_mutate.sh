#!/usr/bin/env bash
# The seeded mutation campaign (tests/mutate.py): mutants of the shipped scenario files
# and output files with a flipped bit, against the binary; each run ends in exit 0 or a
# one-line error naming a file, never a crash, a hang or a sanitizer report.
#   MUTANTS (default 60) scenario mutants, CORRUPT (default 10) corrupt shards,
#   MUTATE_SEED, MUTATE_TIMEOUT (seconds per run, default 30).
# .ci/run runs a larger campaign against the ASan build.
set -u
cd "$(dirname "$0")/.."
A=${AGTRADE:-bin/agtrade}
case "$A" in
*asan*)   # HDF5's own leak on corrupt metadata (sim/README.md, tests/lsan.supp)
    export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" ;;
esac
/usr/bin/python3 tests/mutate.py "$A" --configs "${MUTANTS:-60}" --files "${CORRUPT:-10}" \
    --seed "${MUTATE_SEED:-20260101}" --timeout "${MUTATE_TIMEOUT:-30}"
