#!/usr/bin/env bash
# The include rule (sim/layers.sh) holds for the tree, and catches an offence: a copy
# of the sources where the model includes the writer, the writer the command line.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "e2e_layers: $*" >&2; exit 1; }
sh sim/layers.sh . >"$tmp/out" 2>&1 || fail "the tree breaks the rule: $(cat "$tmp/out")"
cp -r models sim "$tmp/"
[ -d "$tmp/sim/io" ] || { echo "e2e_layers: skipped (sources not in layer folders)"; exit 0; }
echo '#include "results.h"' >>"$tmp/models/market.c"
echo '#include "cli.h"' >>"$tmp/sim/io/results.c"
sh sim/layers.sh "$tmp" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "offences not caught (exit $rc)"
grep -q '^layers: models/market.c (layer 0) includes sim/io/results.h (layer 2)$' "$tmp/out" \
    || fail "models -> io not reported: $(cat "$tmp/out")"
grep -q '^layers: sim/io/results.c (layer 2) includes sim/cli/cli.h (layer 3)$' "$tmp/out" \
    || fail "io -> cli not reported: $(cat "$tmp/out")"
exit 0
