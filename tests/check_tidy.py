# check_tidy.py OUT.h5 TABLE.csv: the tidy table of `agtrade summary --format csv` holds one
# row per cell (no duplicate keys), every /summary statistic cell of the all-draws group has
# its row, and every value reads back bit for bit. Used by tests/e2e_time.sh.
import os, sys, math, h5py, numpy as np, pandas as pd
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sim', 'python'))
from agtrade_results import h5_text  # noqa: E402  (labels: character arrays or older strings)
h5, csv = sys.argv[1], sys.argv[2]
d = pd.read_csv(csv, dtype=str, keep_default_na=False)
key = [c for c in d.columns if c not in ('value', 'units')]
assert not d.duplicated(key).any(), d[d.duplicated(key, keep=False)].head()
f = h5py.File(h5, 'r')
lab = {a: h5_text(f[a]) for a in ('exporter', 'importer', 'period', 'year') if a in f}
sfx = {'level': '', 'reference': '_ref', 'change': '_change'}
q = ['q01', 'q05', 'q10', 'q25', 'q50', 'q75', 'q90', 'q95', 'q99']
seen = {}
d = d[(d.regime == 'all') & ~d.quantity.isin(['draws_ok', 'draws_failed', 'threshold'])]
pts = list(f['point'][:])
for r in d.itertuples(index=False):
    welfare = r.quantity.startswith('welfare_')
    stem = r.quantity + ('' if welfare else sfx[r.form])
    var = 'summary/%s_%s' % (stem, 'q' if r.statistic in q else r.statistic)
    idx = [pts.index(int(float(r.point)))]
    for a in ('exporter', 'importer', 'period', 'year'):
        v = getattr(r, a)
        if v != '':
            idx.append(lab[a].index(v))
    if r.statistic in q:
        idx.append(q.index(r.statistic))
    x = f[var][tuple(idx)]
    y = float(r.value) if r.value != '' else float('nan')
    assert (x == y) or (math.isnan(x) and math.isnan(y)), (var, idx, x, r.value)
    seen.setdefault(var, set()).add(tuple(idx))
stats = ['mean', 'sd', 'mcse', 'min', 'max', 'q', 'q_error_bound']
n = 0
for name in f['summary']:
    if any(name.endswith('_' + s) for s in stats) and not name.startswith(('threshold', 'draws')) \
            and '_by_regime' not in name:
        want = f['summary/' + name].size
        got = len(seen.get('summary/' + name, ()))
        assert got == want, (name, got, want)
        n += 1
print('checked', len(d), 'rows,', n, 'variables')
