#!/usr/bin/python3
"""mutate.py - a seeded mutation campaign against bin/agtrade (run by tests/e2e_mutate.sh).

    mutate.py AGTRADE --configs N --files N [--seed S] [--timeout SECONDS] [--keep DIR]

configs: N mutants of the shipped scenario files (byte flips, deleted and duplicated
lines, swapped values, wrong types, huge numbers, stray syntax, and two or three of
these at once). Each mutant replaces one file of a copy of configs/ and is checked
through a scenario that reads it (itself, or a file whose base it is); when the check
passes, it is also run with a few draws and summarised. files: N output files with one
flipped bit (a shard merged with a clean one, and `summary`).

Every run must end with exit 0, or with a known exit code and a single stderr line
"agtrade: ..." that names a file (a .yaml or .h5 name, with line:col where there is
one); never a signal, a timeout, exit 70, or a sanitizer report. A run that exits 0 on
a corrupt output file must give the same data as the clean file, unless the flipped bit
is in HDF5's string heap (names, config_yaml: no checksum there; counted apart). Prints one line per
failure and the totals "tried N, survived N" (mutants); exits 1 on any failure.
"""
import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OK_CODES = {0, 1, 64, 65, 66, 74}   # 1: draws beyond the failure limit (README)
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                       r"runtime error:|Segmentation fault")
NAMES_FILE = re.compile(r"^agtrade: (--set |--sweep |sweep point \d+: )?\S*\.(yaml|h5)"
                        r"(:\d+:\d+)?: \S")
HUGE = ["1e308", "1e400", "-1e308", "18446744073709551616", "-0", "nan", ".nan", ".inf",
        "-.inf", "1e-320", "99999999999999999999", "0x7fffffff", "-9223372036854775809"]
WRONG = ["[1, 2]", "{a: 1}", "yes", "'text'", "", "~", "-", "!!str 3", "&a 1", "*a", "!!int x",
         "[[[[[[]]]]]]", "{", "\"\\x00\"", "1:2", "? a", "|\n  text"]
JUNK = ["[", "]", "{", "}", ":", "'", "\"", "\t", "\x00", "\x01", "&", "*", "!", "%", "@",
        "#", ",", "- ", "\xff", "\u2028", "---\n", "...\n", "<<: *x\n"]


def mutate(text, r):
    lines = text.split("\n")
    kind = r.choice(["flip", "delete", "duplicate", "swap", "wrong", "huge", "junk"])
    values = [i for i, l in enumerate(lines) if re.match(r"^\s*[\w.\- ]+:\s+\S", l)]
    if kind == "flip":
        data = bytearray(text.encode("utf-8", "surrogateescape"))
        i = r.randrange(len(data))
        data[i] ^= 1 << r.randrange(8)
        return data.decode("utf-8", "surrogateescape"), kind
    if kind == "delete":
        del lines[r.randrange(len(lines))]
    elif kind == "duplicate":
        i = r.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "swap" and len(values) > 1:
        a, b = r.sample(values, 2)
        ka, va = lines[a].split(":", 1)
        kb, vb = lines[b].split(":", 1)
        lines[a], lines[b] = ka + ":" + vb, kb + ":" + va
    elif kind in ("wrong", "huge") and values:
        i = r.choice(values)
        key = lines[i].split(":", 1)[0]
        lines[i] = key + ": " + r.choice(WRONG if kind == "wrong" else HUGE)
    else:
        i = r.randrange(len(lines))
        at = r.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + r.choice(JUNK) + lines[i][at:]
    return "\n".join(lines), kind


def run(cmd, timeout, cwd):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, ""
    return p.returncode, p.stderr.decode("utf-8", "replace")


def verdict(rc, err):
    """None when the run ended well, else why not."""
    if rc is None:
        return "timeout (hang)"
    if SANITIZER.search(err):
        return "sanitizer report: " + SANITIZER.search(err).group(0)
    if rc not in OK_CODES:
        return f"exit {rc}"
    if rc in (0, 1):
        return None
    lines = [l for l in err.split("\n") if l]
    if len(lines) != 1:
        return f"exit {rc} with {len(lines)} stderr lines"
    if not NAMES_FILE.match(lines[0]):
        return f"exit {rc}: message names no file"
    return None


def sweep_points(check_out):
    n = 1
    for m in re.finditer(r"over (\d+) values", check_out):
        n *= int(m.group(1))
    return n


def users_of(configs):
    """file -> the scenario files that read it (itself and those naming it as base)."""
    users = {c: [c] for c in configs}
    for c in configs:
        with open(os.path.join(ROOT, "configs", c)) as f:
            m = re.search(r"^base:\s*(\S+)", f.read(), re.M)
        if m and m.group(1) in users:
            users[m.group(1)].append(c)
    return users


def config_campaign(agtrade, n, r, timeout, work, failures, keep):
    configs = sorted(f for f in os.listdir(os.path.join(ROOT, "configs")) if f.endswith(".yaml"))
    users = users_of(configs)
    runs = 0
    for k in range(n):
        d = os.path.join(work, f"c{k}")
        shutil.copytree(os.path.join(ROOT, "configs"), d, ignore=shutil.ignore_patterns("slurm"))
        target = r.choice(configs)
        path = os.path.join(d, target)
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        kinds = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            text, kind = mutate(text, r)
            kinds.append(kind)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        scenario = r.choice(users[target])
        what = f"mutant {k} ({'+'.join(kinds)} of {target}, checked as {scenario})"
        rc, err = run([agtrade, "check", scenario], timeout, d)
        bad = verdict(rc, err)
        out_check = ""
        if rc == 0:
            p = subprocess.run([agtrade, "check", scenario], cwd=d, capture_output=True,
                               timeout=timeout)
            out_check = p.stdout.decode("utf-8", "replace")
        if not bad and rc == 0 and sweep_points(out_check) <= 64:
            runs += 1
            rc, err = run([agtrade, "run", scenario, "-n", "8", "-j", "1", "-q", "-o", "m.h5"],
                          timeout, d)
            bad = verdict(rc, err)
            if not bad and rc == 0:
                rc, err = run([agtrade, "summary", "m.h5"], timeout, d)
                bad = verdict(rc, err) or (f"summary exit {rc}" if rc else None)
        if bad:
            failures.append((f"c{k}", f"{what}: {bad}: {err.strip()[:300]}"))
            if keep:
                shutil.copy(path, os.path.join(keep, f"mutant-{k}-{target}"))
        shutil.rmtree(d)
    return runs


def different_datasets(a, b):
    """Datasets (values, with config_yaml and the labels) that differ between a and b."""
    import h5py
    import numpy as np
    names, differ = [], []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        fa.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        for n in names:
            if n not in fb:
                differ.append(n)
                continue
            x, y = np.asarray(fa[n][()]), np.asarray(fb[n][()])
            if x.dtype.kind == "O":   # strings: the values, not the pointers
                x, y = x.tolist(), y.tolist()
            else:
                x, y = (x.dtype, x.shape, x.tobytes()), (y.dtype, y.shape, y.tobytes())
            if x != y:
                differ.append(n)
    return differ


def summary_of(agtrade, work, timeout):
    p = subprocess.run([agtrade, "summary", "bad.h5"], cwd=work, capture_output=True,
                       timeout=timeout)
    return p.stdout


def string_regions(path, data):
    """Byte ranges of the variable-length strings, which HDF5 cannot checksum
    (sim/README.md): the global heap collections ("GCOL", size at offset 8) and the
    contiguous storage of string datasets (their references into those heaps)."""
    import h5py
    ranges, at = [], data.find(b"GCOL")
    while at >= 0:
        size = struct.unpack_from("<Q", data, at + 8)[0]
        ranges.append((at, at + size))
        at = data.find(b"GCOL", at + 4)

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "O" and obj.id.get_offset():
            ranges.append((obj.id.get_offset(), obj.id.get_offset() + obj.id.get_storage_size()))

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return ranges


def file_campaign(agtrade, n, r, timeout, work, failures, known):
    sweep = ["--sweep", "scenario.tariffs.US.China=0,0.5", "-n", "40", "-j", "1", "-q"]
    cfg = os.path.join(ROOT, "configs", "default.yaml")
    for k in (0, 1):
        rc, err = run([agtrade, "run", cfg, *sweep, "--shard", f"{k}/2", "-o", f"s{k}.h5"],
                      timeout, work)
        if rc != 0:
            failures.append(("setup", f"shard {k}: exit {rc}: {err.strip()[:300]}"))
            return
    rc, err = run([agtrade, "merge", "m.h5", "s0.h5", "s1.h5"], timeout, work)
    if rc != 0:
        failures.append(("setup", f"clean merge: exit {rc}: {err.strip()[:300]}"))
        return
    shutil.copy(os.path.join(work, "m.h5"), os.path.join(work, "clean.h5"))
    shutil.copy(os.path.join(work, "s1.h5"), os.path.join(work, "bad.h5"))
    clean_summary = summary_of(agtrade, work, timeout)
    with open(os.path.join(work, "s1.h5"), "rb") as f:
        clean = f.read()
    heaps = string_regions(os.path.join(work, "s1.h5"), clean)
    for k in range(n):
        data = bytearray(clean)
        i = r.randrange(len(data))
        data[i] ^= 1 << r.randrange(8)
        with open(os.path.join(work, "bad.h5"), "wb") as f:
            f.write(data)
        what = f"corrupt shard {k} (bit flipped at byte {i})"
        in_strings = any(a <= i < b for a, b in heaps)
        if os.path.exists(os.path.join(work, "m.h5")):
            os.unlink(os.path.join(work, "m.h5"))
        for cmd in (["merge", "m.h5", "s0.h5", "bad.h5"], ["summary", "bad.h5"]):
            rc, err = run([agtrade, *cmd], timeout, work)
            bad = verdict(rc, err)
            if bad:
                failures.append((f"f{k}", f"{what}, {cmd[0]}: {bad}: {err.strip()[:300]}"))
                continue
            silent = None
            if cmd[0] == "summary" and rc == 0 and summary_of(agtrade, work, timeout) != \
                    clean_summary:
                silent = "summary with exit 0 of different data"
            elif cmd[0] == "merge" and rc == 0:
                differ = different_datasets(os.path.join(work, "clean.h5"),
                                            os.path.join(work, "m.h5"))
                if differ:
                    silent = f"merged with exit 0 into different data: {', '.join(differ[:5])}"
            if silent and in_strings:   # the known gap: counted, not failed
                known.add(k)
            elif silent:
                failures.append((f"f{k}", f"{what}: {silent}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agtrade")
    ap.add_argument("--configs", type=int, default=60)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--keep", help="copy failing mutants into this folder")
    a = ap.parse_args()
    agtrade = os.path.abspath(a.agtrade)
    r = random.Random(a.seed)
    failures = []
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        runs = config_campaign(agtrade, a.configs, r, a.timeout, work, failures, a.keep)
        known = set()
        file_campaign(agtrade, a.files, r, a.timeout, work, failures, known)
    for _, f in failures:
        print("FAIL", f)
    tried = a.configs + a.files
    failed = {who for who, _ in failures}   # a mutant fails once, however many runs did
    print(f"mutate: seed {a.seed}: {a.configs} scenario mutants ({runs} also run), "
          f"{a.files} corrupt shards; tried {tried}, survived {tried - len(failed)}"
          + (f" ({len(known)} of them read a flipped string silently: strings carry no "
             "checksum)" if known else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
