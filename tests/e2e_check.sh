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
# every subcommand parses options alike: --version, and "agtrade CMD: ..." for a bad one
for cmd in check run summary merge; do
    "$AGTRADE" $cmd --version | grep -Eq '^agtrade [0-9.]+ \(git ' || fail "$cmd --version"
    "$AGTRADE" $cmd --bogus configs/default.yaml 2>"$tmp/err"; rc=$?
    [ $rc -eq 64 ] || fail "$cmd --bogus: exit $rc, want 64"
    grep -qx "agtrade $cmd: unrecognized option '--bogus' (try 'agtrade $cmd --help')" \
        "$tmp/err" || fail "$cmd --bogus: $(cat "$tmp/err")"
done
"$AGTRADE" run configs/default.yaml -n 2>"$tmp/err"; rc=$?
[ $rc -eq 64 ] && grep -q "^agtrade run: option '-n' needs a value" "$tmp/err" \
    || fail "run -n without a value: exit $rc: $(cat "$tmp/err")"
# a message names what the user typed, not the --set it stands for
"$AGTRADE" run configs/default.yaml -q -n 2000000000000 -o "$tmp/x.h5" 2>"$tmp/err"; rc=$?
[ $rc -eq 64 ] && grep -q '^agtrade: -n 2000000000000: run.draws must be <=' "$tmp/err" \
    || fail "-n too large: exit $rc: $(cat "$tmp/err")"
# one number grammar: hexadecimal is refused by --set and --sweep alike
"$AGTRADE" check --set scenario.tariffs.US.China=0x1p-2 configs/default.yaml 2>"$tmp/err"
[ $? -eq 65 ] && grep -q "trailing junk 'x1p-2'" "$tmp/err" || fail "--set 0x1p-2: $(cat "$tmp/err")"
"$AGTRADE" run configs/default.yaml --print-config --sweep scenario.tariffs.US.China=0x1p-2 \
    >/dev/null 2>"$tmp/err"
[ $? -eq 64 ] || fail "--sweep 0x1p-2 accepted: $(cat "$tmp/err")"
exit 0
