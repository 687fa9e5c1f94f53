#!/usr/bin/env bash
# The documentation's examples, run: a doc that drifts from the code fails `make test`.
# From README.md, configs/README.md, sim/README.md and sim/python/README.md it takes
#  - in ```sh blocks: every line starting with `bin/agtrade`, `agtrade ` or
#    `/usr/bin/python3 ` (continuations with a trailing backslash joined), run in order
#    per doc; `make` lines are skipped (make run / make plot are what `make test` itself
#    builds on). `agtrade run` gets `-n 200` (replacing any draw count) so it is quick;
#  - every ```yaml block: written into a scenario file (with `base: soybeans-2024-25.yaml`
#    unless it names a base), then `agtrade check` and a 64-draw `agtrade run`;
#  - a plain ``` block whose lines are all KEY=VALUE (the --set examples of
#    configs/README.md): applied together with `agtrade check --set ...` to
#    configs/truce-uncertainty.yaml, the shipped file with the regimes they name;
#  - every ```python block, run with /usr/bin/python3, the blocks of one doc in order in
#    one namespace (later blocks use earlier ones' variables).
# Everything runs in a temporary folder holding a copy of configs/, an outputs/ folder
# (with default.h5, tariff-sweep.h5 and raw.h5, which the Python examples read) and a
# link to sim/ (the Python module). Prints each example as it runs and, at the end, every
# failure as DOC:LINE: what, with the tail of its output.
set -u
AGTRADE=$(realpath "${AGTRADE:-bin/agtrade}")
PYTHON=${PYTHON:-/usr/bin/python3}
repo=$(pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "e2e_docs: $*" >&2; exit 1; }

cp -r configs "$tmp/configs" && mkdir "$tmp/outputs" && ln -s "$repo/sim" "$tmp/sim" \
    || fail "cannot set up $tmp"
(
    cd "$tmp" &&
    "$AGTRADE" run configs/default.yaml -n 500 --quiet &&
    "$AGTRADE" run configs/tariff-sweep.yaml -n 100 --quiet &&
    "$AGTRADE" run configs/default.yaml -n 200 --raw-draws -o outputs/raw.h5 --quiet
) || fail "could not write the files the examples read"

cd "$tmp" && AGTRADE="$AGTRADE" MPLBACKEND=Agg PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH="$tmp/sim/python" "$PYTHON" - "$repo" <<'EOF'
import contextlib, io, os, re, shlex, subprocess, sys, traceback

repo = sys.argv[1]
DOCS = ["README.md", "configs/README.md", "sim/README.md", "sim/python/README.md"]
AGTRADE = os.environ["AGTRADE"]
DRAWS = "200"
failures = []
counts = {"command": 0, "yaml": 0, "set": 0, "python": 0}


def blocks(doc):
    """(language, first line number of the body, body lines) of each fenced block."""
    out, lang, start, body = [], None, 0, []
    with open(os.path.join(repo, doc)) as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"^```\s*(\S*)\s*$", line.rstrip("\n"))
            if m and lang is None:
                lang, start, body = m.group(1) or "plain", n + 1, []
            elif m:
                out.append((lang, start, body))
                lang = None
            elif lang is not None:
                body.append(line.rstrip("\n"))
    if lang is not None:
        failures.append((doc, start - 1, "code block never closed", ""))
    return out


def tail(text, n=8):
    return "\n".join(text.strip().splitlines()[-n:])


def run(argv, where, what, timeout=120):
    print("[doc] %s:%d: %s" % (where[0], where[1], " ".join(argv)), flush=True)
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        failures.append((where[0], where[1], what + ": timed out", ""))
        return False
    if p.returncode != 0:
        failures.append((where[0], where[1], "%s: exit %d" % (what, p.returncode),
                         tail(p.stdout)))
        return False
    return True


def shell_commands(start, body):
    """(line number, text) of each command, continuation lines joined."""
    cmds, pending, first = [], None, 0
    for k, line in enumerate(body):
        if pending is not None:
            pending += " " + line.strip()
        elif re.match(r"^(bin/agtrade |agtrade |/usr/bin/python3 )", line):
            pending, first = line.strip(), start + k
        else:
            continue
        if pending.endswith("\\"):
            pending = pending[:-1]
        else:
            cmds.append((first, pending))
            pending = None
    return cmds


def agtrade_argv(text):
    argv = shlex.split(text, comments=True)
    if argv[0] in ("bin/agtrade", "agtrade"):
        argv[0] = AGTRADE
        if len(argv) > 1 and argv[1] == "run":
            for k, a in enumerate(argv):
                if a in ("-n", "--draws") and k + 1 < len(argv):
                    argv[k + 1] = DRAWS
                    break
            else:
                argv[2:2] = ["-n", DRAWS]
    elif argv[0] == "/usr/bin/python3":
        argv[0] = sys.executable
    return argv


def yaml_example(doc, line, body):
    text = "\n".join(body) + "\n"
    if not re.search(r"^base:", text, re.M):
        text = "base: soybeans-2024-25.yaml\n" + text
    name = "configs/doc-%s-%d.yaml" % (re.sub(r"\W", "_", doc), line)
    with open(name, "w") as f:
        f.write(text)
    if run([AGTRADE, "check", name], (doc, line), "yaml example: agtrade check"):
        run([AGTRADE, "run", name, "-n", "64", "--quiet", "-o", "outputs/doc-yaml.h5"],
            (doc, line), "yaml example: agtrade run")


def set_example(doc, line, body):
    argv = [AGTRADE, "check", "configs/truce-uncertainty.yaml"]
    for l in body:
        l = l.split("#")[0].strip()
        if l:
            argv += ["--set", l]
    run(argv, (doc, line), "--set examples")


def python_blocks(doc, found):
    ns = {"__name__": "__doc_example__"}
    for line, body in found:
        print("[doc] %s:%d: python example" % (doc, line), flush=True)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile("\n".join(body) + "\n", "%s:%d" % (doc, line), "exec"), ns)
        except Exception:
            failures.append((doc, line, "python example raised",
                             tail(out.getvalue() + traceback.format_exc())))


for doc in DOCS:
    py = []
    for lang, start, body in blocks(doc):
        if lang == "sh":
            for line, text in shell_commands(start, body):
                counts["command"] += 1
                run(agtrade_argv(text), (doc, line), "command `%s`" % text)
        elif lang == "yaml":
            counts["yaml"] += 1
            yaml_example(doc, start, body)
        elif lang == "python":
            counts["python"] += 1
            py.append((start, body))
        elif lang == "plain" and body and all(
                re.match(r"^\s*([\w.]+=\S+)?\s*(#.*)?$", l) for l in body):
            counts["set"] += 1
            set_example(doc, start, body)
    python_blocks(doc, py)

print("[doc] ran %(command)d commands, %(yaml)d YAML examples, %(set)d --set blocks, "
      "%(python)d Python examples" % counts)
# A doc that lost its examples would pass vacuously: insist on what the docs hold today.
for kind, least in (("command", 6), ("yaml", 6), ("set", 1), ("python", 5)):
    if counts[kind] < least:
        failures.append(("(all docs)", 0, "only %d %s examples found, expected at least %d"
                         % (counts[kind], kind, least), ""))
for doc, line, what, out in failures:
    print("FAILED %s:%d: %s" % (doc, line, what))
    for l in out.splitlines():
        print("    " + l)
sys.exit(1 if failures else 0)
EOF
