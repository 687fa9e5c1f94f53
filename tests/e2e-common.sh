# e2e-common.sh - what the end-to-end scripts share (sourced, not run: tests/run-all runs
# tests/e2e_*.sh only). From the repository root: A (the binary), PY (Debian's python3),
# T (a temporary folder removed on exit), fails (the count so far), and
#   check NAME COMMAND...          run a check and report it ("  ok   NAME" / "  FAIL NAME")
#   expect_exit CODE PATTERN CMD... the command exits CODE (within 60 s: a hang fails) and
#                                  says PATTERN on stderr
#   same_data A.h5 B.h5            the datasets users read (/summary, /point) are equal
#   interrupt_after K LOG PID      wait (at most 60 s) until LOG says "point K of",
#                                  then SIGUSR1 to PID; returns PID's exit status
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
interrupt_after() {
    local k=$1 log=$2 pid=$3
    for _ in $(seq 600); do
        grep -q "point $k of [0-9]* done" "$log" && break
        sleep 0.1
    done
    kill -USR1 "$pid"
    wait "$pid"
}
finish() {
    echo "$1: $fails failure(s)"
    [ "$fails" -eq 0 ]
}
