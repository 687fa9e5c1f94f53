#!/bin/sh
# layers.sh [ROOT] - the include rule of the source folders (`make layers`, run by
# `make test`): a file may include headers of its own layer or of lower ones only.
#   0 models/          the economic model: includes nothing of sim/
#   1 sim/config/, sim/mc/   scenario files; the Monte Carlo (may use each other)
#   2 sim/io/          the HDF5 files
#   3 sim/cli/         the command line
# Headers are found as the compiler finds them: the including file's folder, then the
# -I folders above; a header found in none (the generated version.h) belongs to no
# layer. Prints one line per offence and exits 1 when there is any.
root=${1:-.}
cd "$root" || exit 2
layer() {
    case $1 in
    models/*) echo 0 ;;
    sim/config/* | sim/mc/*) echo 1 ;;
    sim/io/*) echo 2 ;;
    sim/cli/*) echo 3 ;;
    *) echo - ;;
    esac
}
dirs="models sim/config sim/mc sim/io sim/cli"
bad=0
for f in $(find $dirs -name '*.[ch]' 2>/dev/null | sort); do
    mine=$(layer "$f")
    for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        found=
        for d in "$(dirname "$f")" $dirs; do
            if [ -f "$d/$h" ]; then found=$d/$h; break; fi
        done
        [ -n "$found" ] || continue
        theirs=$(layer "$found")
        if [ "$theirs" != - ] && [ "$theirs" -gt "$mine" ]; then
            echo "layers: $f (layer $mine) includes $found (layer $theirs)"
            bad=1
        fi
    done
done
exit $bad
