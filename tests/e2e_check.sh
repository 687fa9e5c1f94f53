#!/usr/bin/env bash
# agtrade check: every shipped config validates and prints its baseline; a bad file
# exits 65 with a git-style "agtrade: file:line:col: message"; a missing file exits 66.
set -u
AGTRADE=${AGTRADE:-bin/agtrade}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "e2e_check: $*" >&2; exit 1; }
for f in configs/*.yaml; do
    "$AGTRADE" check "$f" >"$tmp/out" 2>&1 || fail "$f: exit $?: $(cat "$tmp/out")"
    grep -q "^$f: valid" "$tmp/out" || fail "$f: no 'valid' line"
done
"$AGTRADE" check configs/soybeans-2024-25.yaml >"$tmp/out"
grep -Eq '^  China +108\.00 ' "$tmp/out" || fail "China imports 108.00 not printed"
grep -Eq '^  US +21\.1 % at +463\.50' "$tmp/out" || fail "US share of China 21.1 % not printed"
printf 'base: soybeans-2024-25.yaml\nimporters:\n  China:\n    sigma: -2\n' >"$tmp/bad.yaml"
cp configs/soybeans-2024-25.yaml "$tmp/"
"$AGTRADE" check "$tmp/bad.yaml" 2>"$tmp/err"; rc=$?
[ $rc -eq 65 ] || fail "invalid file: exit $rc, want 65"
grep -qx "agtrade: $tmp/bad.yaml:4:12: importers.China.sigma must be > 0 (got -2)" "$tmp/err" \
    || fail "message: $(cat "$tmp/err")"
"$AGTRADE" check "$tmp/missing.yaml" 2>/dev/null; rc=$?
[ $rc -eq 66 ] || fail "missing file: exit $rc, want 66"
"$AGTRADE" check --set run.draws=12x configs/default.yaml 2>"$tmp/err"; rc=$?
[ $rc -eq 65 ] || fail "--set junk: exit $rc, want 65"
grep -q "trailing junk 'x'" "$tmp/err" || fail "--set message: $(cat "$tmp/err")"
"$AGTRADE" check --help | grep -q '^usage: agtrade check' || fail "--help"
exit 0
