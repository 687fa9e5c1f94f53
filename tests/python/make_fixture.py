#!/usr/bin/python3
"""make_fixture.py - write a SYNTHETIC agtrade output file that follows the file contract
of sim/README.md, for the unit tests of the Python loaders and plots only.

The numbers are a toy (lognormal flows falling with the tariff), not the model: the
real-file checks in tests/test_results.py always use files written by bin/agtrade. What
this file gets right is the layout: root coordinates with HDF5 dimension scales, the
`sweep_<key>` variables along `point`, /summary statistics computed from the synthetic
draws (so tests can check e.g. that histogram-based probabilities match the draws), the
`_by_regime` variants, thresholds, and an optional /draws group.

    /usr/bin/python3 tests/python/make_fixture.py OUT.h5 [--sweep] [--regimes] [--raw-draws]
"""
import argparse
import sys

import h5py
import numpy as np

EXPORTERS = ["US", "Brazil", "Argentina", "Paraguay", "Other exporters"]
IMPORTERS = ["China", "EU", "Other importers"]
QUANTILES = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]
BASE_FLOW = np.array([[22.8, 5.1, 23.13], [76.8, 6.6, 19.74], [4.2, 0.1, 3.57],
                      [0.0, 0.8, 6.00], [4.2, 2.0, 9.98]])
BASE_FOB = np.array([410.0, 400.0, 385.0, 375.0, 405.0])
N_BINS = 40
STR = h5py.string_dtype("utf-8")

# name -> (region axes, units, long name, has reference/change forms)
QUANTITIES = {
    "flow": (("exporter", "importer"), "Mt", "bilateral trade flow", True),
    "share": (("exporter", "importer"), "1", "origin share of imports", True),
    "exports": (("exporter",), "Mt", "exports", True),
    "farm_revenue": (("exporter",), "billion USD", "farm revenue", True),
    "fob_price": (("exporter",), "USD/t", "FOB price", True),
    "fob_spread": (("exporter",), "USD/t", "first exporter's FOB price minus this one's", True),
    "welfare_total": ((), "billion USD", "world welfare change", False),
}


def simulate(tariff, regime_tariffs, n_draws, rng):
    """Synthetic draws: dict name -> (scenario, reference) arrays of shape (D, region...),
    plus the regime index per draw (-1 without regimes)."""
    d = n_draws
    yield_shock = rng.lognormal(0.0, 0.12, size=(d, len(EXPORTERS)))
    demand_shock = rng.lognormal(0.0, 0.05, size=(d, len(IMPORTERS)))
    flow_ref = BASE_FLOW[None] * yield_shock[:, :, None] * demand_shock[:, None, :]
    if regime_tariffs is None:
        regime = np.full(d, -1, dtype=np.int32)
        t_us_china = np.full(d, tariff)
    else:
        probs = np.array([p for _, p, _ in regime_tariffs])
        regime = rng.choice(len(regime_tariffs), size=d, p=probs / probs.sum()).astype(np.int32)
        t_us_china = np.array([t for _, _, t in regime_tariffs])[regime]
    flow = flow_ref.copy()
    lost = flow_ref[:, 0, 0] * (1.0 - np.exp(-2.3 * t_us_china))
    flow[:, 0, 0] -= lost
    flow[:, 1, 0] += 0.8 * lost          # Brazil takes most of the US share in China
    flow[:, 0, 2] += 0.6 * lost          # the US sells more elsewhere
    share_ref = flow_ref / flow_ref.sum(axis=1, keepdims=True)
    share = flow / flow.sum(axis=1, keepdims=True)
    fob_ref = BASE_FOB[None] * (1.0 + 0.05 * (1.0 / yield_shock - 1.0))
    fob = fob_ref.copy()
    fob[:, 0] -= 45.0 * (1.0 - np.exp(-2.3 * t_us_china))
    fob[:, 1] += 25.0 * (1.0 - np.exp(-2.3 * t_us_china))
    prod = 100.0 * yield_shock
    out = {
        "flow": (flow, flow_ref),
        "share": (share, share_ref),
        "exports": (flow.sum(axis=2), flow_ref.sum(axis=2)),
        "farm_revenue": (fob * prod / 1000.0, fob_ref * prod / 1000.0),
        "fob_price": (fob, fob_ref),
        "fob_spread": (fob[:, :1] - fob, fob_ref[:, :1] - fob_ref),
        "welfare_total": (-0.002 * lost ** 2, None),
    }
    return out, regime


def stats_of(x, regime, n_regimes):
    """Summary statistics of x (D, region...) the way the engine reports them."""
    s = {"mean": x.mean(axis=0), "sd": x.std(axis=0, ddof=1), "min": x.min(axis=0),
         "max": x.max(axis=0)}
    s["mcse"] = s["sd"] / np.sqrt(x.shape[0])
    s["q"] = np.moveaxis(np.quantile(x, QUANTILES, axis=0), 0, -1)
    # Histogram range from the 0.5th to the 99.5th percentile, so that under- and
    # overflow counts exist and readers must take them into account.
    lo = np.quantile(x, 0.005, axis=0)
    hi = np.quantile(x, 0.995, axis=0)
    hi = np.where(hi > lo, hi, lo + 1.0)
    flat_x = x.reshape(x.shape[0], -1)
    edges = np.linspace(lo.ravel(), hi.ravel(), N_BINS + 1, axis=-1)
    hist = np.zeros((flat_x.shape[1], N_BINS), dtype=np.int64)
    under = np.zeros(flat_x.shape[1], dtype=np.int64)
    over = np.zeros(flat_x.shape[1], dtype=np.int64)
    for k in range(flat_x.shape[1]):
        col = flat_x[:, k]
        inside = (col >= edges[k, 0]) & (col <= edges[k, -1])
        hist[k], _ = np.histogram(col[inside], bins=edges[k])
        under[k] = np.sum(col < edges[k, 0])
        over[k] = np.sum(col > edges[k, -1])
    region = x.shape[1:]
    s["hist"] = hist.reshape(region + (N_BINS,))
    s["hist_edges"] = edges.reshape(region + (N_BINS + 1,))
    s["hist_underflow"] = under.reshape(region)
    s["hist_overflow"] = over.reshape(region)
    if n_regimes:
        by = {k: [] for k in ("mean", "sd", "mcse", "q")}
        for r in range(n_regimes):
            xr = x[regime == r]
            by["mean"].append(xr.mean(axis=0))
            by["sd"].append(xr.std(axis=0, ddof=1))
            by["mcse"].append(by["sd"][-1] / np.sqrt(len(xr)))
            by["q"].append(np.moveaxis(np.quantile(xr, QUANTILES, axis=0), 0, -1))
        for k, v in by.items():
            s[k + "_by_regime"] = np.stack(v)
    return s


def _scale(f, name, data, units, long_name, dtype=None):
    ds = f.create_dataset(name, data=data, dtype=dtype, track_order=True)
    ds.attrs["units"] = units
    ds.attrs["long_name"] = long_name
    ds.make_scale(name)
    return ds


def _variable(grp, name, data, dims, scales, units, long_name, **kw):
    ds = grp.create_dataset(name, data=data, track_order=True, **kw)
    for i, dim in enumerate(dims):
        ds.dims[i].attach_scale(scales[dim])
    ds.attrs["units"] = units
    ds.attrs["long_name"] = long_name
    return ds


def write_fixture(path, sweep=None, regimes=None, thresholds=None, n_draws=4000,
                  raw_draws=False, complete=1, seed=20251130, scenario_tariff=0.25):
    """Write a contract-shaped file.

    sweep: list of (dotted key, values); points are the Cartesian product, first key
    slowest. regimes: list of (name, probability, US->China tariff). thresholds: list of
    (name, variable, exporter, importer, 'below'|'above', value) on scenario levels.
    """
    rng = np.random.default_rng(seed)
    if sweep:
        grids = np.meshgrid(*[np.asarray(v, float) for _, v in sweep], indexing="ij")
        sweep_values = [g.ravel() for g in grids]
        first = [i for i, (k, _) in enumerate(sweep) if k.endswith("US.China")]
        tariffs = sweep_values[first[0]] if first else np.full(grids[0].size, scenario_tariff)
    else:
        sweep_values, tariffs = [], np.array([scenario_tariff])
    n_points = len(tariffs)
    n_regimes = len(regimes) if regimes else 0
    thresholds = thresholds or []

    per_point = [simulate(t, regimes, n_draws, rng) for t in tariffs]
    with h5py.File(path, "w", track_order=True) as f:
        f.attrs["complete"] = np.int32(0)
        sc = {}
        sc["point"] = _scale(f, "point", np.arange(n_points, dtype=np.int64), "1", "sweep point")
        sc["draw"] = _scale(f, "draw", np.arange(n_draws, dtype=np.int64), "1", "draw index")
        sc["exporter"] = _scale(f, "exporter", EXPORTERS, "1", "exporter", dtype=STR)
        sc["importer"] = _scale(f, "importer", IMPORTERS, "1", "importer", dtype=STR)
        sc["quantile"] = _scale(f, "quantile", np.array(QUANTILES), "1", "probability level")
        if n_regimes:
            sc["regime"] = _scale(f, "regime", [r[0] for r in regimes], "1", "policy regime",
                                  dtype=STR)
        if thresholds:
            sc["threshold"] = _scale(f, "threshold", [t[0] for t in thresholds], "1",
                                     "threshold", dtype=STR)
        sc["hist_bin"] = _scale(f, "hist_bin", np.arange(N_BINS, dtype=np.int32), "1",
                                "histogram bin")
        sc["hist_edge"] = _scale(f, "hist_edge", np.arange(N_BINS + 1, dtype=np.int32), "1",
                                 "histogram bin edge")
        for (key, _), vals in zip(sweep or [], sweep_values):
            ds = _variable(f, "sweep_" + key, vals, ("point",), sc, "1", "swept " + key)
            ds.attrs["sweep_key"] = key
        cfg = f.create_dataset("config_yaml", data="base: default.yaml\n", dtype=STR)
        cfg.attrs["long_name"] = "resolved configuration"
        cfg.attrs["units"] = "1"

        summ = f.create_group("summary", track_order=True)
        for name, (axes, units, long_name, has_ref) in QUANTITIES.items():
            forms = {name: 0}
            if has_ref:
                forms[name + "_ref"] = 1
                forms[name + "_change"] = 2
            for form, which in forms.items():
                per = []
                for draws, regime in per_point:
                    scen, ref = draws[name]
                    x = [scen, ref, None if ref is None else scen - ref][which]
                    per.append(stats_of(x, regime, n_regimes))
                for stat in per[0]:
                    data = np.stack([p[stat] for p in per])
                    if stat.endswith("_by_regime"):
                        dims = ("point", "regime") + axes
                    else:
                        dims = ("point",) + axes
                    if stat.startswith("q"):
                        dims += ("quantile",)
                    elif stat == "hist":
                        dims += ("hist_bin",)
                    elif stat == "hist_edges":
                        dims += ("hist_edge",)
                    u = "1" if stat.startswith("hist") and stat != "hist_edges" else units
                    ds = _variable(summ, f"{form}_{stat}", data, dims, sc, u,
                                   f"{stat} of {long_name}")
                    if stat.startswith("q"):
                        ds.attrs["quantile_error_bound"] = float(
                            np.max(np.diff(np.stack([p["hist_edges"] for p in per]))))
        draws_ok = np.full(n_points, n_draws, dtype=np.int64)
        _variable(summ, "draws_ok", draws_ok, ("point",), sc, "1", "converged draws")
        _variable(summ, "draws_failed", np.zeros(n_points, np.int64), ("point",), sc, "1",
                  "failed draws")
        if n_regimes:
            counts = np.array([[np.sum(r == k) for k in range(n_regimes)]
                               for _, r in per_point], dtype=np.int64)
            _variable(summ, "regime_draws", counts, ("point", "regime"), sc, "1",
                      "draws per regime")
            _variable(summ, "regime_draws_failed", np.zeros_like(counts), ("point", "regime"),
                      sc, "1", "failed draws per regime")
        if thresholds:
            prob = np.zeros((n_points, len(thresholds)))
            prob_r = np.zeros((n_points, max(n_regimes, 1), len(thresholds)))
            for p, (draws, regime) in enumerate(per_point):
                for k, (_, var, ex, im, op, value) in enumerate(thresholds):
                    x = draws[var][0][:, EXPORTERS.index(ex), IMPORTERS.index(im)]
                    hit = x < value if op == "below" else x > value
                    prob[p, k] = hit.mean()
                    for r in range(n_regimes):
                        prob_r[p, r, k] = hit[regime == r].mean()
            _variable(summ, "threshold_probability", prob, ("point", "threshold"), sc, "1",
                      "probability of the threshold event")
            _variable(summ, "threshold_mcse", np.sqrt(prob * (1 - prob) / n_draws),
                      ("point", "threshold"), sc, "1", "Monte Carlo standard error")
            if n_regimes:
                _variable(summ, "threshold_probability_by_regime", prob_r,
                          ("point", "regime", "threshold"), sc, "1",
                          "probability of the threshold event by regime")

        if raw_draws:
            grp = f.create_group("draws", track_order=True)
            for name, (axes, units, long_name, has_ref) in QUANTITIES.items():
                for suffix, which in (("", 0), ("_ref", 1)) if has_ref else (("", 0),):
                    data = np.stack([d[name][which] for d, _ in per_point])
                    _variable(grp, name + suffix, data, ("point", "draw") + axes, sc, units,
                              long_name, compression="gzip", shuffle=True)
            reg = np.stack([r for _, r in per_point]).astype(np.int32)
            _variable(grp, "regime", reg, ("point", "draw"), sc, "1", "regime index")
            _variable(grp, "status", np.zeros_like(reg), ("point", "draw"), sc, "1",
                      "solver status (0 = converged)")
            _variable(grp, "iterations", np.full_like(reg, 4), ("point", "draw"), sc, "1",
                      "solver iterations")

        f.attrs["agtrade_version"] = "fixture"
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["draws"] = np.uint64(n_draws)
        f.attrs["draws_failed"] = np.uint64(0)
        f.attrs["complete"] = np.int32(complete)


DEFAULT_REGIMES = [("truce", 0.6, 0.13), ("escalation", 0.3, 1.0), ("deal", 0.1, 0.03)]
DEFAULT_THRESHOLDS = [("US -> China below 5 Mt", "flow", "US", "China", "below", 5.0),
                      ("US -> China below 15 Mt", "flow", "US", "China", "below", 15.0)]
# as configs/tariff-sweep.yaml: 0 to 150 % in steps of 10 points
DEFAULT_SWEEP = [("scenario.tariffs.US.China", np.linspace(0.0, 1.5, 16))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--regimes", action="store_true")
    ap.add_argument("--thresholds", action="store_true")
    ap.add_argument("--raw-draws", action="store_true")
    ap.add_argument("-n", "--draws", type=int, default=4000)
    a = ap.parse_args(argv)
    write_fixture(a.out, sweep=DEFAULT_SWEEP if a.sweep else None,
                  regimes=DEFAULT_REGIMES if a.regimes else None,
                  thresholds=DEFAULT_THRESHOLDS if a.thresholds else None,
                  n_draws=a.draws, raw_draws=a.raw_draws)
    return 0


if __name__ == "__main__":
    sys.exit(main())
