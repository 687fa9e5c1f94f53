#!/usr/bin/env bash
# The 2018 hindcast (configs/hindcast-2017.yaml, configs/VALIDATION.md): the median
# change of US -> China exports under the 28 % tariff, as a share of the median
# reference flow, stays within 10 points of what happened from 2017 to 2018 (32.9 ->
# 16.6 Mt, -49.5 %). Also checks the reference median reproduces the calibrated 32.9 Mt
# (to 1 Mt) and that the run conditional on the 2018 shocks (Argentine drought, weaker
# Chinese demand) lowers China's imports and Argentina's sales, as VALIDATION.md shows.
set -u
AGTRADE=${AGTRADE:-bin/agtrade}
PYTHON=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "e2e_hindcast: $*" >&2; exit 1; }

"$AGTRADE" run configs/hindcast-2017.yaml -n 4000 -o "$tmp/h.h5" --quiet \
    || fail "run: exit $?"
"$AGTRADE" run configs/hindcast-2017.yaml -n 4000 -o "$tmp/shocks.h5" --quiet \
    --set inputs.yield_Argentina.min=0.68 --set inputs.yield_Argentina.max=0.70 \
    --set inputs.demand_China.min=0.94 --set inputs.demand_China.max=0.96 \
    || fail "conditional run: exit $?"

PYTHONPATH=sim/python "$PYTHON" - "$tmp/h.h5" "$tmp/shocks.h5" <<'EOF' || fail "checks failed (above)"
import sys
import h5py
from agtrade_results import h5_text

OBSERVED = 100.0 * (16.6 - 32.9) / 32.9          # -49.5 %, China customs 2017 -> 2018
ok = True


def cells(path):
    with h5py.File(path, "r") as f:
        s = f["summary"]
        ex, im = h5_text(f["exporter"]), h5_text(f["importer"])
        qs = list(f["quantile"][:])
        m = qs.index(0.5)
        us, ar, cn = ex.index("US"), ex.index("Argentina"), im.index("China")
        return {
            "us_change": s["flow_change_q"][0, us, cn, m],
            "us_ref": s["flow_ref_q"][0, us, cn, m],
            "ar_level": s["flow_q"][0, ar, cn, m],
            "cn_imports": s["imports_q"][0, cn, m],
        }


def check(what, cond):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok = ok and cond


h = cells(sys.argv[1])
pct = 100.0 * h["us_change"] / h["us_ref"]
check("median US -> China change %.1f %% within 10 points of %.1f %%" % (pct, OBSERVED),
      abs(pct - OBSERVED) <= 10.0)
check("median reference US -> China %.2f Mt within 1 Mt of the calibrated 32.9" % h["us_ref"],
      abs(h["us_ref"] - 32.9) <= 1.0)
c = cells(sys.argv[2])
check("with the 2018 shocks China imports less (median %.1f < %.1f Mt)"
      % (c["cn_imports"], h["cn_imports"]), c["cn_imports"] < h["cn_imports"] - 3)
check("with the Argentine drought Argentina -> China collapses (median %.2f < %.2f Mt)"
      % (c["ar_level"], h["ar_level"]), c["ar_level"] < 0.5 * h["ar_level"])
sys.exit(0 if ok else 1)
EOF
exit 0
