# e2e-common.sh - what the end-to-end scripts share (sourced, not run: tests/run-all runs
# tests/e2e_*.sh only). From the repository root: A (the binary), PY (Debian's python3),
# T (a temporary folder removed on exit), fails (the count so far), and
#   check NAME COMMAND...          run a check and report it ("  ok   NAME" / "  FAIL NAME")
#   expect_exit CODE PATTERN CMD... the command exits CODE (within 60 s: a hang fails) and
#                                  says PATTERN on stderr
#   same_data A.h5 B.h5            the datasets users read (/summary, /point) are equal
#   finish NAME                    the closing line and the script's exit status
A=${AGTRADE:-bin/agtrade}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {
    local name=$1; shift
    if "$@"; then echo "  ok   $name"; else echo "  FAIL $name"; fails=$((fails + 1)); fi
}
expect_exit() {
    local code=$1 pattern=$2; shift 2
    timeout 60 "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ $rc -ne "$code" ] || ! grep -q -- "$pattern" "$T/err"; then
        echo "    got exit $rc, stderr: $(head -c 400 "$T/err")"
        return 1
    fi
}
same_data() {
    h5diff -q "$1" "$2" /summary /summary && h5diff -q "$1" "$2" /point /point
}
finish() {
    echo "$1: $fails failure(s)"
    [ "$fails" -eq 0 ]
}
