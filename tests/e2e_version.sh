#!/usr/bin/env bash
# Provenance: --version and every output's git_commit name the commit the binary was
# built from. In a throw-away git copy of the tracked files: build, commit, `make` again
# (which must rebuild what includes version.h), check --version names the new commit;
# edit a tracked file: "-dirty"; an unchanged tree rebuilds nothing.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "e2e_version: $*" >&2; exit 1; }
command -v git >/dev/null && git rev-parse HEAD >/dev/null 2>&1 \
    || { echo "e2e_version: skipped (not a git checkout)"; exit 0; }
# the tracked files as they are now (a commit of the working tree; HEAD when clean)
snapshot=$(git stash create 2>/dev/null); git archive "${snapshot:-HEAD}" | tar -x -C "$tmp" \
    || fail "git archive"
cd "$tmp"
g() { git -c user.name=t -c user.email=t@example.org "$@" >/dev/null 2>&1; }
g init -q && g add -A && g commit -q -m one || fail "git init/commit in the copy"
mk() { make -j2 OPT=-O0 BUILD=build bin/agtrade >make.log 2>&1 || fail "make: $(tail -5 make.log)"; }
version() { bin/agtrade --version; }
mk
first=$(git rev-parse --short=12 HEAD)
[ "$(version)" = "agtrade 0.1.0 (git $first)" ] || fail "first build: $(version), want $first"
echo "# a change" >>README.md
g commit -q -a -m two || fail "second commit"
second=$(git rev-parse --short=12 HEAD)
mk
[ "$(version)" = "agtrade 0.1.0 (git $second)" ] || fail "after a commit: $(version), want $second"
[ "$(bin/agtrade run --version)" = "agtrade 0.1.0 (git $second)" ] || fail "run --version"
before=$(stat -c %Y.%s build/sim/cli/main.o build/sim/config/config.o)
sleep 1
mk
[ "$(stat -c %Y.%s build/sim/cli/main.o build/sim/config/config.o)" = "$before" ] \
    || fail "a build with nothing changed recompiled main.o or config.o"
echo "# uncommitted" >>README.md
mk
[ "$(version)" = "agtrade 0.1.0 (git $second-dirty)" ] || fail "dirty tree: $(version)"
git checkout -q README.md
mk
[ "$(version)" = "agtrade 0.1.0 (git $second)" ] || fail "clean again: $(version)"
# sources unpacked inside some other repository: not that repository's commit
mkdir -p outer/src && git archive HEAD | tar -x -C outer/src && (cd outer && g init -q && g commit -q --allow-empty -m outer)
sh outer/src/sim/gen-version.sh outer/v.h 0.1.0
grep -qx '#define AGTRADE_GIT_COMMIT "unknown"' outer/v.h || fail "inside another repo: $(cat outer/v.h)"
exit 0
