#!/usr/bin/env bash
# End-to-end tests of `agtrade compare`: differences of means with standard errors paired
# per draw (raw draws, same seed) or independent, files of other markets or other sweep
# points refused, and the CSV / JSON tables.
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh

run() { $A run "$@" -q || exit 1; }
run configs/busan-deal-2025.yaml -n 800 -s 7 --raw-draws -o "$T/busan.h5"
run configs/geneva-truce-2025.yaml -n 800 -s 7 --raw-draws -o "$T/geneva.h5"
run configs/geneva-truce-2025.yaml -n 800 -s 7 -o "$T/geneva-summary.h5"
run configs/geneva-truce-2025.yaml -n 800 -s 8 --raw-draws -o "$T/geneva-s8.h5"
run configs/tariff-sweep.yaml -n 200 -s 7 --sweep scenario.tariffs.US.China=0.03,0.23 -o "$T/sweep.h5"
# another market: the same file with one exporter renamed
sed 's/Paraguay/Uruguay/g' configs/soybeans-2024-25.yaml >"$T/other-market.yaml"
run "$T/other-market.yaml" -n 200 -s 7 -o "$T/other.h5"

echo "e2e_compare: tables"
$A compare "$T/busan.h5" "$T/geneva.h5" "$T/geneva-summary.h5" >"$T/text.txt"
check "text: scenario names, paired and independent comparisons named" \
    bash -c "grep -q \"scenario 'Geneva truce 2025 (23 %)'\" '$T/text.txt' && grep -q '^\[2\]-\[1\]: paired per draw' '$T/text.txt' && grep -q '^\[3\]-\[1\]: independent' '$T/text.txt' && grep -q '^  flow US -> China ' '$T/text.txt'"
$A compare "$T/busan.h5" "$T/geneva.h5" "$T/geneva-summary.h5" "$T/geneva-s8.h5" -f csv >"$T/c.csv"
$A compare "$T/busan.h5" "$T/geneva.h5" -f json >"$T/c.json"
check "paired: mean and standard error of the per-draw differences of the raw draws" $PY - "$T" <<'EOF'
import sys, h5py, numpy as np, pandas as pd
T = sys.argv[1]
d = pd.read_csv(f"{T}/c.csv", float_precision="round_trip")
a, b = h5py.File(f"{T}/busan.h5", "r"), h5py.File(f"{T}/geneva.h5", "r")
ok = (a["draws/status"][0] == 0) & (b["draws/status"][0] == 0)
def row(q, form, f, e="US", i="China"):
    m = (d.quantity == q) & (d.form == form) & (d.file == f)
    m &= (d.exporter == e) if e else d.exporter.isna()
    m &= (d.importer == i) if i else d.importer.isna()
    assert m.sum() == 1, (q, form, f, m.sum())
    return d[m].iloc[0]
for q, form, e, i, x in [
        ("flow", "change", "US", "China", lambda f: f["draws/flow"][0, :, 0, 0] - f["draws/flow_ref"][0, :, 0, 0]),
        ("fob_price", "level", "Brazil", None, lambda f: f["draws/fob_price"][0, :, 1]),
        ("welfare_total", "change", None, None, lambda f: f["draws/welfare_total"][0, :])]:
    diff = (x(b) - x(a))[ok]
    r = row(q, form, 2, e, i)
    assert r["method"] == "paired", r
    assert abs(r["diff"] - diff.mean()) <= 1e-12 * max(1, abs(diff.mean())), (r["diff"], diff.mean())
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert abs(r["diff_se"] - se) <= 1e-9 * se, (r["diff_se"], se)
    # common random numbers: the paired error is well below the independent one
    ind = row(q, form, 3, e, i)
    assert ind["method"] == "independent", ind
    assert r["diff_se"] < ind["diff_se"], (r["diff_se"], ind["diff_se"])
    assert row(q, form, 4, e, i)["method"] == "independent"   # raw draws, other seed
# independent: difference of the summaries' means, errors added in quadrature
r1, r3 = row("flow", "level", 1), row("flow", "level", 3)
assert r3["diff"] == r3["mean"] - r1["mean"]
assert abs(r3["diff_se"] - np.hypot(r1["mcse"], r3["mcse"])) <= 1e-15 * r3["diff_se"]
s = h5py.File(f"{T}/geneva-summary.h5", "r")
assert r3["mean"] == s["summary/flow_mean"][0, 0, 0]
assert np.isnan(r1["diff"])                                     # the base file
key = [c for c in d.columns if c not in ("mean", "mcse", "diff", "diff_se", "method")]
assert not d.duplicated(key).any()
EOF
check "JSON: one object per file and quantity, the base file's difference null" $PY - "$T" <<'EOF'
import sys, json
j = json.load(open(sys.argv[1] + "/c.json"))
assert {r["file"] for r in j} == {1, 2}
assert all(r["diff"] is None for r in j if r["file"] == 1)
assert all(isinstance(r["diff_se"], float) for r in j if r["file"] == 2)
EOF
check "a sweep against itself: one table per point, zero differences" \
    bash -c "$A compare '$T/sweep.h5' '$T/sweep.h5' > '$T/sw.txt' && [ \$(grep -c '^point ' '$T/sw.txt') = 2 ] && grep '^  flow US -> China ' '$T/sw.txt' | awk '{ if (\$(NF-2) != 0) bad = 1 } END { exit bad }'"
check "--exporter Brazil --importer EU" \
    bash -c "$A compare '$T/busan.h5' '$T/geneva.h5' --exporter Brazil --importer EU | grep -q '^  flow Brazil -> EU '"

echo "e2e_compare: calendars"
Q=configs/seasons-quarterly.yaml
run $Q -n 400 -s 7 --raw-draws -o "$T/q1.h5"
sed 's/tariff: 0.23}/tariff: 0.5}/' $Q >"$T/q2.yaml"
cp configs/soybeans-2024-25.yaml "$T/"
run "$T/q2.yaml" -n 400 -s 7 --raw-draws -o "$T/q2.h5"
run configs/soybeans-2024-25-monthly.yaml -n 20 -s 7 -o "$T/monthly.h5"
$A compare "$T/q1.h5" "$T/q2.h5" >"$T/q.txt"
check "calendar files: US -> China by period side by side, units from the file's layout" \
    bash -c "grep -Eq '^  flow US -> China, Jun-Aug 2025 .* Mt\$' '$T/q.txt' && grep -Eq '^  flow_year US -> China, 2024/25 .* Mt\$' '$T/q.txt' && [ \$(grep -c '^  flow US -> China, ' '$T/q.txt') = 4 ]"
$A compare "$T/q1.h5" "$T/q2.h5" -f csv >"$T/q.csv"
check "calendar files, paired: each period's difference is the mean of the per-draw differences" $PY - "$T" <<'EOF'
import sys, h5py, numpy as np, pandas as pd
T = sys.argv[1]
d = pd.read_csv(f"{T}/q.csv", float_precision="round_trip", keep_default_na=False)
a, b = h5py.File(f"{T}/q1.h5", "r"), h5py.File(f"{T}/q2.h5", "r")
ok = (a["draws/status"][0] == 0) & (b["draws/status"][0] == 0)
sys.path.insert(0, "sim/python")
from agtrade_results import h5_text
per = h5_text(a["period"])
key = [c for c in d.columns if c not in ("mean", "mcse", "diff", "diff_se", "method")]
assert not d.duplicated(key).any()
for t, name in enumerate(per):
    m = (d.quantity == "flow") & (d.form == "level") & (d.file == 2) & (d.period == name) \
        & (d.exporter == "US") & (d.importer == "China")
    assert m.sum() == 1, (name, m.sum())
    r = d[m].iloc[0]
    diff = (b["draws/flow"][0, :, 0, 0, t] - a["draws/flow"][0, :, 0, 0, t])[ok]
    assert r["method"] == "paired" and r["units"] == "Mt", r
    assert abs(float(r["diff"]) - diff.mean()) <= 1e-12 * max(1, abs(diff.mean())), (name, r["diff"], diff.mean())
m = (d.quantity == "flow_year") & (d.file == 1) & (d.form == "level")
assert set(d[m].year) == {"2024/25"} and set(d[m].period) == {""}
assert float(d[(d.quantity == "flow") & (d.period == "Jun-Aug 2025") & (d.file == 2) & (d.form == "level")]["diff"].iloc[0]) < 0
EOF
check "calendar files --period: that period's rows only" \
    bash -c "$A compare '$T/q1.h5' '$T/q2.h5' --period 'Mar-May 2025' >'$T/qp.txt' && [ \$(grep -c '^  flow' '$T/qp.txt') = 2 ] && grep -q 'flow US -> China, Mar-May 2025' '$T/qp.txt'"
check "a calendar file against an annual one: exit 65 with a clear message" \
    expect_exit 65 "has a calendar (4 periods) and .*busan.h5 is annual" $A compare "$T/q1.h5" "$T/busan.h5"
check "files of different calendars (quarterly vs monthly): exit 65" \
    expect_exit 65 "have different calendars" $A compare "$T/q1.h5" "$T/monthly.h5"
check "--period on annual files: exit 64" \
    expect_exit 64 "needs a file with a calendar" $A compare "$T/busan.h5" "$T/geneva.h5" --period Mar

echo "e2e_compare: refusals"
check "files of different markets: exit 65 with a clear message" \
    expect_exit 65 "model different markets" $A compare "$T/busan.h5" "$T/other.h5"
check "files of different sweep points: exit 65" \
    expect_exit 65 "compare files of the same points" $A compare "$T/busan.h5" "$T/sweep.h5"
check "one file: exit 64" expect_exit 64 "2 to 64 output files" $A compare "$T/busan.h5"
check "a missing file: exit 66" expect_exit 66 "missing.h5" $A compare "$T/busan.h5" "$T/missing.h5"
check "--help: exit 0" bash -c "$A compare --help | grep -q 'paired per draw'"
check "--version, and a bad option like every subcommand (exit 64)" \
    bash -c "$A compare --version | grep -Eq '^agtrade [0-9.]+ \(git ' && ! $A compare --bogus a b 2>'$T/e' && grep -qx \"agtrade compare: unrecognized option '--bogus' (try 'agtrade compare --help')\" '$T/e'"
check "agtrade --help lists compare" bash -c "$A --help | grep -q '^  compare '"

finish e2e_compare
