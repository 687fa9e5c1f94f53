#!/usr/bin/env bash
# End-to-end test of `make install`: installs into a temporary prefix and, from another
# folder, runs the installed binary on shipped scenarios by bare name (the scenario
# search path and base: through it), writes relative outputs (outputs/ created), reads
# them with the installed Python reader and plots, builds a program against the
# installed libagtrade.a through agtrade.pc, and checks the man page, the completion
# and a DESTDIR-staged install.
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL   # a make of its own, not a sub-make of `make test`
cd "$(dirname "$0")/.."
ROOT=$PWD
A=${AGTRADE:-bin/agtrade}
BUILD=${BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {   # check NAME COMMAND...
    local name=$1; shift
    if "$@"; then echo "  ok   $name"; else echo "  FAIL $name"; fails=$((fails + 1)); fi
}
P=$T/prefix
# the binary and library the suites were built into (no rebuild: same BUILD and BIN)
inst() { make -s --no-print-directory -C "$ROOT" BUILD="$BUILD" BIN="$(dirname "$A")" install "$@"; }

echo "e2e_install: make install PREFIX=$P"
check "make install succeeds" inst PREFIX="$P"
for f in bin/agtrade share/man/man1/agtrade.1 share/bash-completion/completions/agtrade \
         share/agtrade/configs/trade-war-2018.yaml share/agtrade/configs/README.md \
         share/agtrade/configs/slurm/sweep-array.sbatch share/agtrade/python/agtrade_results.py \
         share/agtrade/python/plots.py share/doc/agtrade/README.md share/doc/agtrade/LICENSE \
         share/doc/agtrade/CITATION.cff share/doc/agtrade/sim-README.md lib/libagtrade.a \
         lib/pkgconfig/agtrade.pc include/agtrade/h5out.h include/agtrade/market.h; do
    [ -f "$P/$f" ] || { echo "    missing $P/$f"; fails=$((fails + 1)); }
done
check "the slurm scripts are executable" test -x "$P/share/agtrade/configs/slurm/sweep-array.sbatch"
check "the man page has every subcommand and the exit codes" bash -c "
    for w in 'agtrade check' 'agtrade run' 'agtrade summary' 'agtrade compare' 'agtrade merge' \
             '\\\\-\\\\-period' '.SH EXIT STATUS' \
             'AGTRADE_CONFIG_PATH' '\\\\-\\\\-raw\\\\-draws' '\\\\-\\\\-resume'; do
        grep -q -- \"\$w\" '$P/share/man/man1/agtrade.1' || { echo \"    no '\$w'\"; exit 1; }
    done"

W=$T/elsewhere
mkdir -p "$W"
cd "$W"
IA=$P/bin/agtrade
echo "e2e_install: the installed binary, from $W"
check "run by bare name: exit 0, relative output under a new outputs/" bash -c "
    '$IA' run trade-war-2018.yaml -n 400 -s 5 -q && test -f outputs/trade-war-2018.h5"
check "check of a scenario whose base: is found beside it (installed folder)" bash -c "
    '$IA' check busan-deal-2025.yaml >/dev/null"
mkdir -p "$T/mine"
printf 'base: soybeans-2024-25.yaml\nscenario:\n  name: mine\n  tariffs:\n    US: {China: 0.5}\n' > "$T/mine/my.yaml"
check "AGTRADE_CONFIG_PATH finds a scenario; its base: falls back to the installed configs" \
    bash -c "AGTRADE_CONFIG_PATH='$T/nowhere:$T/mine' '$IA' run my.yaml -n 300 -q -o mine.h5 && test -f mine.h5"
check "a name found nowhere: exit 66 naming it" bash -c "
    '$IA' run no-such-scenario.yaml -q 2>err; test \$? -eq 66 && grep -q no-such-scenario.yaml err"
check "a missing base: found nowhere: exit 65 naming it" bash -c "
    printf 'base: no-such-base.yaml\n' > nb.yaml; '$IA' check nb.yaml 2>err; test \$? -eq 65 && grep -q no-such-base.yaml err"
check "the installed run equals the build tree's run bit for bit" bash -c "
    cd '$ROOT' && '$A' run configs/trade-war-2018.yaml -n 400 -s 5 -q -o '$T/tree.h5' &&
    h5diff -q '$T/tree.h5' '$W/outputs/trade-war-2018.h5' /summary /summary"
check "the Python reader through PYTHONPATH=share/agtrade/python" bash -c "
    PYTHONPATH='$P/share/agtrade/python' /usr/bin/python3 -c '
from agtrade_results import open_results
ds = open_results(\"outputs/trade-war-2018.h5\")
assert ds.attrs[\"title\"] == \"trade war 2018 (28 %)\", ds.attrs[\"title\"]
assert float(ds.flow_mean.sel(exporter=\"US\", importer=\"China\").squeeze()) > 0
'"
check "the installed plots.py draws its charts" bash -c "
    /usr/bin/python3 '$P/share/agtrade/python/plots.py' outputs/trade-war-2018.h5 --outdir charts >/dev/null &&
    test -s charts/distributions.png && test -s charts/spread.png"

echo "e2e_install: libagtrade.a through agtrade.pc"
cat > "$T/use.c" <<'EOF'
#include <h5out.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    char err[512], *title = NULL;
    h5in_t *in = argc > 1 ? h5in_open(argv[1], err, sizeof err) : NULL;
    if (!in || h5in_attr_string(in, "/", "title", &title, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("%s\n", title);
    free(title);
    h5in_close(in);
    return 0;
}
EOF
# (under make asan the library holds sanitizer calls: the program needs their runtime)
san=$(nm "$P/lib/libagtrade.a" 2>/dev/null | grep -q __asan_ && echo -fsanitize=address,undefined)
check "a program built with pkg-config agtrade reads an output" bash -c "
    export PKG_CONFIG_PATH='$P/lib/pkgconfig'
    cc -std=c11 \$(pkg-config --cflags agtrade) '$T/use.c' -o '$T/use' \$(pkg-config --libs agtrade) $san &&
    test \"\$('$T/use' outputs/trade-war-2018.h5)\" = 'trade war 2018 (28 %)'"

echo "e2e_install: bash completion"
check "completes subcommands, options and shipped scenario names" bash -c "
    PATH='$P/bin':\$PATH
    source '$P/share/bash-completion/completions/agtrade'
    COMP_WORDS=(agtrade ru); COMP_CWORD=1; _agtrade; [[ \" \${COMPREPLY[*]} \" == *' run '* ]] || exit 1
    COMP_WORDS=(agtrade run --ra); COMP_CWORD=2; _agtrade; [[ \" \${COMPREPLY[*]} \" == *' --raw-draws '* ]] || exit 1
    COMP_WORDS=(agtrade run trade-w); COMP_CWORD=2; _agtrade; [[ \" \${COMPREPLY[*]} \" == *'trade-war-2018.yaml'* ]] || exit 1
    COMP_WORDS=(agtrade comp); COMP_CWORD=1; _agtrade; [[ \" \${COMPREPLY[*]} \" == *' compare '* ]] || exit 1
    COMP_WORDS=(agtrade summary --pe); COMP_CWORD=2; _agtrade; [[ \" \${COMPREPLY[*]} \" == *' --period '* ]] || exit 1
    COMP_WORDS=(agtrade compare --format c); COMP_CWORD=3; _agtrade; [[ \" \${COMPREPLY[*]} \" == *' csv '* ]]"

echo "e2e_install: DESTDIR staging"
cd "$ROOT"
check "make install DESTDIR=... PREFIX=/opt/agtrade stages under DESTDIR only" bash -c "
    $(declare -f inst); A='$A' BUILD='$BUILD' ROOT='$ROOT' inst DESTDIR='$T/stage' PREFIX=/opt/agtrade &&
    test -x '$T/stage/opt/agtrade/bin/agtrade' && test ! -e /opt/agtrade/bin/agtrade &&
    grep -q '^prefix=/opt/agtrade$' '$T/stage/opt/agtrade/lib/pkgconfig/agtrade.pc'"
check "the staged binary finds its scenarios next to itself" bash -c "
    cd '$W' && '$T/stage/opt/agtrade/bin/agtrade' check default.yaml >/dev/null"

[ $fails -eq 0 ]
