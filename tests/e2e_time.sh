#!/usr/bin/env bash
# End-to-end tests of calendar scenarios (configs/README.md, "Time") through the binary:
# bitwise identity across thread counts and shards, raw draws along the period axis,
# the period and year coordinates, summary by period and year, and a bad calendar.
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh
C=configs/seasons-quarterly.yaml

echo "e2e_time: threads and shards"
for j in 1 3; do
    $A run $C -n 1500 -j $j -q -o "$T/j$j.h5" || fails=$((fails + 1))
done
check "quarterly: 3 threads equal 1 thread bit for bit" same_data "$T/j1.h5" "$T/j3.h5"
S="--sweep time.exporters.US.psi=1,3,6"
$A run $C -n 700 -q $S -o "$T/whole.h5" || fails=$((fails + 1))
for k in 0 1; do $A run $C -n 700 -q $S --shard $k/2 -o "$T/shard-$k.h5" || fails=$((fails + 1)); done
check "quarterly psi sweep: 2 shards merged equal the whole run bit for bit" \
    bash -c "$A merge '$T/merged.h5' '$T'/shard-*.h5 && h5diff -q '$T/whole.h5' '$T/merged.h5' /summary /summary"

R="$A run $C -n 4000 --sweep time.importers.China.psi=0,1,2,4,8"
$R -o "$T/r.h5" 2>"$T/r.log" &
interrupt_after 2 "$T/r.log" $!
rc=$?
check "an interrupted calendar sweep exits 75 with a partial file" \
    bash -c "test $rc -eq 75 && test -e '$T/r.partial.h5' && test ! -e '$T/r.h5'"
$R -q -o "$T/r.h5" --resume
$R -q -o "$T/r-full.h5"
check "a resumed calendar sweep equals the uninterrupted one bit for bit" same_data "$T/r.h5" "$T/r-full.h5"

echo "e2e_time: file contract"
$A run $C -n 300 -q --raw-draws -o "$T/raw.h5" || fails=$((fails + 1))
check "period and year coordinates, (exporter, importer, period) flows in /summary and /draws" \
    /usr/bin/python3 -c "
import sys, h5py, numpy as np
sys.path.insert(0, 'sim/python')
from agtrade_results import h5_text
f = h5py.File('$T/raw.h5', 'r')
assert h5_text(f['period']) == ['Sep-Nov 2024', 'Dec-Feb 2025', 'Mar-May 2025', 'Jun-Aug 2025']
assert h5_text(f['year']) == ['2024/25']
assert f['summary/flow_mean'].shape == (1, 5, 3, 4)
assert f['summary/flow_year_mean'].shape == (1, 5, 3, 1)
assert f['summary/stock_mean'].shape == (1, 5, 4)
assert f['summary/importer_stock_q'].shape == (1, 3, 4, 9)
assert f['draws/flow'].shape == (1, 300, 5, 3, 4)
flow, year = f['draws/flow'][0], f['draws/flow_year'][0]
assert np.allclose(flow.sum(axis=-1), year[..., 0], rtol=1e-12, atol=1e-12)   # a year = its periods
# conservation per draw: S_t = S_t-1 + H_t - D_t - X_t from the opening stocks (Mt)
S, H, D, X = (f['draws/' + v][0] for v in ('stock', 'harvest', 'domestic_use', 'exports'))
opening = np.array([11.86, 51.28, 29.65, 2.74, 1.15])
prev = np.concatenate([np.broadcast_to(opening[None, :, None], (300, 5, 1)), S[:, :, :-1]], axis=2)
assert np.abs(prev + H - D - X - S).max() < 1e-7, np.abs(prev + H - D - X - S).max()
assert np.allclose(X, flow.sum(axis=2), rtol=1e-12, atol=1e-12)
fob, value = f['draws/fob_price'][0], f['draws/trade_value_year'][0]
assert np.allclose((fob[:, :, None, :] * flow).sum(axis=-1) / 1000, value[..., 0], rtol=1e-12)
ref = f['draws/flow_ref'][0]
us_cn = flow[:, 0, 0, :] - ref[:, 0, 0, :]
assert (us_cn[:, 2] < 0).all() and (us_cn[:, 1] > 0).all()   # 58.7 % from Mar: front-loading
"
check "xarray opens the calendar file with h5netcdf, named period axis" /usr/bin/python3 -c "
import xarray as xr
ds = xr.open_dataset('$T/raw.h5', engine='h5netcdf', group='summary')
assert ds.flow_mean.dims == ('point', 'exporter', 'importer', 'period'), ds.flow_mean.dims
v = float(ds.flow_mean.sel(exporter='US', importer='China', period='Mar-May 2025')[0])
assert v < 1, v
"
check "summary prints the focus route by period and by year" \
    bash -c "$A summary '$T/j1.h5' > '$T/s.txt' && grep -q 'US -> China, Mar-May 2025' '$T/s.txt' && grep -q 'US -> China, year 2024/25' '$T/s.txt' && grep -q 'P(US -> China Mar-May below 3 Mt)' '$T/s.txt'"

check "plots.py draws the calendar charts (seasons, stocks)" \
    bash -c "/usr/bin/python3 sim/python/plots.py '$T/raw.h5' --outdir '$T/png' >'$T/png.txt' && test -s '$T/png/seasons.png' && test -s '$T/png/stocks.png' && test ! -e '$T/png/spread.png'"

$A summary "$T/j1.h5" --format csv > "$T/tidy.csv"
check "summary --format csv of a calendar file: one row per cell, every /summary cell, bit for bit" \
    /usr/bin/python3 tests/check_tidy.py "$T/j1.h5" "$T/tidy.csv"
check "summary --period: the headline rows at that period only" \
    bash -c "$A summary '$T/j1.h5' --period 'Mar-May 2025' > '$T/p.txt' && grep -q 'US -> China, Mar-May 2025' '$T/p.txt' && grep -q 'stock US, end of Mar-May 2025' '$T/p.txt' && ! grep -q 'Sep-Nov 2024' '$T/p.txt'"
check "summary --year -f csv keeps the rows of that year only" \
    bash -c "$A summary '$T/j1.h5' --year 2024/25 -f csv | /usr/bin/python3 -c \"
import pandas as pd, sys
d = pd.read_csv(sys.stdin, keep_default_na=False)
q = d[~d.quantity.isin(['draws_ok', 'draws_failed', 'threshold'])]
assert len(q) and set(q.year) == {'2024/25'} and set(q.period) == {''}, (set(q.year), set(q.period))
assert 'flow_year' in set(q.quantity)
\""
check "summary --period with an unknown name or on an annual file: exit 64, clear message" \
    bash -c "$A summary '$T/j1.h5' --period Apr 2>'$T/e1'; r1=\$?; $A run configs/baseline.yaml -n 50 -q -o '$T/annual.h5' && $A summary '$T/annual.h5' --year 2025 2>'$T/e2'; r2=\$?; test \$r1 -eq 64 -a \$r2 -eq 64 && grep -q \"no period 'Apr' (it has: 'Sep-Nov 2024'\" '$T/e1' && grep -q 'needs a file with a calendar' '$T/e2'"

echo "e2e_time: bad input"
sed 's/- {from: Mar-May 2025, exporter: US/- {from: Apr 2025, exporter: US/' $C > "$T/bad.yaml"
cp configs/soybeans-2024-25.yaml "$T/"
check "a schedule naming an unknown period: file:line:key, exit 65" \
    bash -c "$A check '$T/bad.yaml' 2>'$T/err'; test \$? -eq 65 && grep -q 'bad.yaml:[0-9]*:[0-9]*: time.schedule.scenario\[0\].from: unknown period .Apr 2025.' '$T/err'"
echo "e2e_time: non-tariff barriers"
# a barrier b on tariff t is tariff t + b (values exact in binary: the sums are exact)
sed -e 's/tariff: 0.587}/tariff: 0.5}/' -e 's/tariff: 0.23}/tariff: 0.25}/' $C > "$T/ntb-base.yaml"
cp "$T/ntb-base.yaml" "$T/ntb.yaml"
printf 'inputs:\n  barrier_US_China: {target: ntb, exporter: US, importer: China, dist: fixed, value: 0.25}\n' >> "$T/ntb.yaml"
sed -e 's/tariff: 0.5}/tariff: 0.75}/' -e 's/tariff: 0.25}/tariff: 0.5}/' \
    -e 's/^\(      \)- {from: Mar-May 2025, exporter: US/\1- {from: Sep-Nov 2024, exporter: US, importer: China, tariff: 0.28}\n&/' \
    "$T/ntb-base.yaml" > "$T/ntb-sum.yaml"   # 0.03 (MFN) + 0.25 is 0.28 exactly in binary
for v in ntb ntb-sum ntb-base; do $A run "$T/$v.yaml" -n 400 -q -o "$T/$v.h5" || fails=$((fails + 1)); done
check "quarterly: a barrier 0.25 on the scenario tariffs equals tariffs + 0.25 bit for bit" \
    bash -c "grep -c 'importer: China, tariff: 0.28}' '$T/ntb-sum.yaml' | grep -q 1 && h5diff -q '$T/ntb.h5' '$T/ntb-sum.h5' /summary /summary"
cp "$T/ntb-base.yaml" "$T/ntb-beta.yaml"
printf 'inputs:\n  barrier_US_China: {target: ntb, exporter: US, importer: China, dist: beta, mean: 0.35, sd: 0.25}\n' >> "$T/ntb-beta.yaml"
for j in 1 3; do $A run "$T/ntb-beta.yaml" -n 600 -j $j -q -o "$T/ntb-beta-$j.h5" || fails=$((fails + 1)); done
check "quarterly, a random barrier: 3 threads equal 1 thread bit for bit" \
    h5diff -q "$T/ntb-beta-1.h5" "$T/ntb-beta-3.h5" /summary /summary
check "quarterly: the barrier changes the scenario (US -> China Mar-May falls), not the reference" /usr/bin/python3 -c "
import h5py
a, b = h5py.File('$T/ntb.h5', 'r'), h5py.File('$T/ntb-base.h5', 'r')
assert (a['summary/flow_ref_mean'][...] == b['summary/flow_ref_mean'][...]).all()
assert a['summary/flow_mean'][0, 0, 0, 2] < b['summary/flow_mean'][0, 0, 0, 2]
"


if [ $fails -ne 0 ]; then echo "e2e_time: $fails FAILED"; exit 1; fi
echo "e2e_time: all passed"
