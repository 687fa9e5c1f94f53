#!/usr/bin/env bash
# End-to-end tests of `agtrade summary`: every region, welfare rows that add up to the
# total, per-regime threshold standard errors (in the file and printed), aligned
# columns, and the tidy CSV / JSON tables read by pandas into one row per cell.
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh

$A run configs/truce-uncertainty.yaml -n 2000 -s 7 -q -j 1 -o "$T/truce.h5" || exit 1
$A run configs/truce-uncertainty.yaml -n 2000 -s 7 -q -j 3 -o "$T/truce-j3.h5" || exit 1
$A run configs/tariff-sweep.yaml -n 300 -s 7 -q --sweep scenario.tariffs.US.China=0.03,0.23,1.38 \
    -o "$T/sweep.h5" || exit 1

echo "e2e_summary: options and regions"
check "--help prints a single % (no literal %%)" \
    bash -c "$A summary --help | grep -q '5-95 % interval' && ! $A summary --help | grep -q '%%'"
check "default: the first exporter and importer" \
    bash -c "$A summary '$T/truce.h5' | grep -q '^  exports US -> China '"
check "--exporter Brazil --importer EU" \
    bash -c "$A summary '$T/truce.h5' --exporter Brazil --importer EU | grep -q '^  exports Brazil -> EU '"
check "--all lists every route" \
    bash -c "$A summary '$T/truce.h5' --all | grep -q '^  exports Other exporters -> Other importers '"
check "an unknown region: exit 64 naming the regions the file has" \
    expect_exit 64 "no exporter 'Chile' (it has: 'US'" $A summary "$T/truce.h5" --exporter Chile
check "a bad --format: exit 64" expect_exit 64 "text, csv or json" $A summary "$T/truce.h5" -f xls
check "two files: exit 64 pointing at agtrade compare" \
    expect_exit 64 "agtrade compare" $A summary "$T/truce.h5" "$T/sweep.h5"

echo "e2e_summary: text table"
$A summary "$T/truce.h5" --all >"$T/all.txt"
check "columns aligned on long names (units column at one position in every table)" $PY - "$T/all.txt" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
tables, cur = [], None
for ln in lines:
    if ln.startswith("  quantity "):
        cur = [ln]; tables.append(cur)
    elif cur is not None and ln.startswith("  ") and not ln.startswith("  P(") and ln.strip() \
            and not ln.startswith("  regime") and not ln.startswith("  draws"):
        cur.append(ln)
    else:
        cur = None
assert len(tables) == 4, len(tables)          # all draws + 3 regimes
for t in tables:
    col = t[0].index("units")
    for row in t[1:]:
        assert row[col - 2:col] == "  " and row[col] != " ", (row, col)
    # the label column is as wide as the longest label
    assert any(r.startswith("  share of Other importers's imports from Other exporters") for r in t)
EOF
check "every welfare term printed: the means add up to the world total" $PY - "$T/all.txt" <<'EOF'
import sys
block, ok = [], 0
for ln in open(sys.argv[1]).read().splitlines() + [""]:
    if ln.startswith("  welfare: "):
        block.append(ln)
        continue
    if block:
        mean = lambda r: float(r[:r.rindex("billion")].split()[-2])
        total = [mean(r) for r in block if r.startswith("  welfare: world total")]
        terms = [mean(r) for r in block if not r.startswith("  welfare: world total")]
        assert len(total) == 1 and len(terms) >= 6, block
        # printed with 4 significant digits: the sum agrees to their rounding
        tol = sum(abs(x) for x in terms) * 1e-3 + 1e-3
        assert abs(sum(terms) - total[0]) <= tol, (sum(terms), total[0], block)
        ok += 1
        block = []
assert ok == 4, ok
EOF
check "per-regime threshold probabilities print their standard error" \
    bash -c "sed -n \"/regime 'deal_holds'/,/regime 'escalation'/p\" '$T/all.txt' | grep -Eq 'P\(US -> China below 12 Mt \(Busan 2025 pledge\)\) = 0\.0[0-9]+ \+/- 0\.00[1-9]'"
check "threshold_mcse_by_regime in the file: sqrt(p (1 - p) / n) of each regime" $PY - "$T/truce.h5" <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
p = f["summary/threshold_probability_by_regime"][...]
se = f["summary/threshold_mcse_by_regime"][...]
n = f["summary/regime_draws"][...]
assert se.shape == p.shape and se.shape[1] == 3, se.shape
assert np.array_equal(se, np.sqrt(p * (1 - p) / n[:, :, None])), (se, p, n)
assert (se > 0).any()
assert [d.decode() if isinstance(d, bytes) else d for d in
        f["summary/threshold_mcse_by_regime"].attrs["units"].split()] == ["1"]
EOF
check "threshold_mcse_by_regime: the same bits with 1 and 3 threads" \
    h5diff -q "$T/truce.h5" "$T/truce-j3.h5" /summary/threshold_mcse_by_regime /summary/threshold_mcse_by_regime
cp "$T/truce.h5" "$T/old.h5"
$PY -c "import h5py; f = h5py.File('$T/old.h5', 'a'); del f['summary/threshold_mcse_by_regime']"
check "a file without threshold_mcse_by_regime (older version): the same summary" \
    bash -c "$A summary '$T/old.h5' | sed 1d > '$T/old.txt' && $A summary '$T/truce.h5' | sed 1d | cmp -s - '$T/old.txt'"

echo "e2e_summary: tidy tables"
$A summary "$T/truce.h5" --format csv >"$T/truce.csv"
$A summary "$T/truce.h5" --format json >"$T/truce.json"
$A summary "$T/sweep.h5" -f csv >"$T/sweep.csv"
$A summary "$T/truce.h5" -f csv --exporter Brazil >"$T/brazil.csv"
check "CSV: pandas.read_csv gives one row per cell, values equal to the file's bits" $PY - "$T" <<'EOF'
import sys, h5py, numpy as np, pandas as pd
T = sys.argv[1]
d = pd.read_csv(f"{T}/truce.csv", keep_default_na=False, na_values=[""],
                float_precision="round_trip")
assert list(d.columns) == ["point", "regime", "quantity", "form", "exporter", "importer",
                           "period", "year", "threshold", "statistic", "value", "units"], list(d.columns)
assert d["period"].isna().all() and d["year"].isna().all()   # an annual file: empty
assert d["value"].dtype == np.float64 and d["point"].dtype == np.int64
key = [c for c in d.columns if c not in ("value", "units")]
assert not d.duplicated(key).any(), "two rows for one cell"
f = h5py.File(f"{T}/truce.h5", "r")
s = f["summary"]
sys.path.insert(0, "sim/python")
from agtrade_results import h5_text
ex, im, rg = h5_text(f["exporter"]), h5_text(f["importer"]), h5_text(f["regime"])
def cell(**k):
    m = np.ones(len(d), bool)
    for c, v in k.items():
        m &= d[c] == v
    assert m.sum() == 1, (k, m.sum())
    return d["value"][m].iloc[0]
assert cell(regime="all", quantity="flow", form="level", exporter="US", importer="China",
            statistic="q50") == s["flow_q"][0, 0, 0, 4]
assert cell(regime="escalation", quantity="fob_spread", form="change", exporter="Brazil",
            statistic="mean") == s["fob_spread_change_mean_by_regime"][0, rg.index("escalation"), 1]
assert cell(regime="all", quantity="welfare_total", form="change", statistic="mcse") \
    == s["welfare_total_mcse"][0]
assert cell(regime="boycott", quantity="threshold", threshold="US -> China below 5 Mt",
            statistic="mcse") == s["threshold_mcse_by_regime"][0, rg.index("boycott"), 0]
rows = len(d)
assert rows > 20000, rows
# welfare means add up to the total exactly (to rounding) in every group
m = d[(d.statistic == "mean") & d.quantity.str.startswith("welfare")]
for g, x in m.groupby("regime"):
    tot = x[x.quantity == "welfare_total"]["value"].iloc[0]
    assert abs(x[x.quantity != "welfare_total"]["value"].sum() - tot) < 1e-9 * max(1, abs(tot)), g
b = pd.read_csv(f"{T}/brazil.csv", keep_default_na=False, na_values=[""],
                float_precision="round_trip")
assert set(b.exporter.dropna()) == {"Brazil"}, set(b.exporter)
assert set(b.importer.dropna()) == set(im), set(b.importer)
# read as is, with pandas' defaults: the same table (values to pandas' parser precision)
d0 = pd.read_csv(f"{T}/truce.csv")
assert d0.shape == d.shape and d0["value"].dtype == np.float64
assert np.allclose(d0["value"], d["value"], rtol=1e-11, atol=0, equal_nan=True)
EOF
check "CSV of a sweep: the sweep coordinate is a column named like the file's variable" $PY - "$T" <<'EOF'
import sys, h5py, pandas as pd
T = sys.argv[1]
d = pd.read_csv(f"{T}/sweep.csv", keep_default_na=False, na_values=[""],
                float_precision="round_trip")
col = "sweep_scenario_tariffs_US_China"
assert col in d.columns, list(d.columns)
f = h5py.File(f"{T}/sweep.h5", "r")
for p, v in zip(f["point"][...], f[col][...]):
    assert set(d[d.point == p][col]) == {v}, (p, v)
x = d[(d.quantity == "flow") & (d.form == "level") & (d.exporter == "US") & (d.importer == "China")
      & (d.statistic == "mean")].sort_values("point")
assert list(x["value"]) == list(f["summary/flow_mean"][:, 0, 0])
EOF
check "JSON: the same rows and values as the CSV" $PY - "$T" <<'EOF'
import sys, json, math, pandas as pd
T = sys.argv[1]
j = json.load(open(f"{T}/truce.json"))
d = pd.read_csv(f"{T}/truce.csv", keep_default_na=False, na_values=[""],
                float_precision="round_trip")
assert len(j) == len(d)
for r, (_, c) in zip(j, d.iterrows()):
    assert r["quantity"] == c["quantity"] and r["statistic"] == c["statistic"]
    v = r["value"]
    assert (v is None and math.isnan(c["value"])) or v == c["value"], (r, c)
EOF

finish e2e_summary
