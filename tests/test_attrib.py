#!/usr/bin/python3
"""test_attrib.py - attribution on files bin/agtrade wrote (tests/e2e_attrib.sh makes
them in AGTRADE_E2E_DIR):
  raw.h5       default.yaml -n 3000 -j 1 --raw-draws
  threads2.h5  the same without raw draws, 2 threads
  sweep.h5, shard0.h5, shard1.h5, merged.h5   tariff-sweep.yaml -n 300, whole and sharded
  truce.h5     truce-uncertainty.yaml -n 3000 --raw-draws (regimes)
  listed.h5    default.yaml with `attribution: [imports, production_change]`
  truce.txt, raw.txt   `agtrade summary` of truce.h5 and raw.h5
  sobol1.h5, sobol2.h5   truce-uncertainty.yaml -n 2000 --sobol 300, -j 1 and -j 2
  sobol_raw.h5           the same with --raw-draws (the design's outputs in /draws)
  sobol_sweep.h5, sobol_merged.h5   tariff-sweep.yaml -n 200 --sobol 60, whole and
                                    merged from two shards; sobol1.txt its summary
"""
import os
import sys
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim", "python"))
from agtrade_results import h5_text  # noqa: E402  (labels: character arrays or older strings)

DIR = os.environ.get("AGTRADE_E2E_DIR")


def names(f):
    return h5_text(f["input"])


def attrib_vars(f):
    return sorted(k for k in f["summary"]
                  if k.endswith(("_corr_input", "_src_input", "_r2")))


@unittest.skipUnless(DIR, "needs AGTRADE_E2E_DIR (tests/e2e_attrib.sh)")
class StreamedAttribution(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.f = h5py.File(os.path.join(DIR, "raw.h5"), "r")

    def scores(self):
        d = self.f["draws"]
        z = np.stack([d["input_%s_z" % n][0] for n in names(self.f)], axis=1)
        return z, d["status"][0] == 0

    def test_correlations_src_and_r2_equal_numpy_on_the_raw_draws(self):
        z, ok = self.scores()
        z = z[ok]
        zs = (z - z.mean(0)) / z.std(0)
        s, d = self.f["summary"], self.f["draws"]
        checked = 0
        for var in ("flow", "share", "fob_price", "farm_revenue", "welfare_total"):
            raw = d[var][0][ok]
            raw = raw.reshape(raw.shape[0], -1)
            corr = s[var + "_corr_input"][0].reshape(z.shape[1], -1)
            src = s[var + "_src_input"][0].reshape(z.shape[1], -1)
            r2 = s[var + "_r2"][0].reshape(-1)
            for j in range(raw.shape[1]):
                x = raw[:, j]
                if not x.std() > 1e-12 * (1 + abs(x.mean())):
                    continue
                xs = (x - x.mean()) / x.std()
                want = np.array([np.corrcoef(z[:, i], x)[0, 1] for i in range(z.shape[1])])
                np.testing.assert_allclose(corr[:, j], want, rtol=1e-9, atol=1e-9)
                beta = np.linalg.lstsq(zs, xs, rcond=None)[0]
                np.testing.assert_allclose(src[:, j], beta, rtol=1e-9, atol=1e-9)
                fit = 1 - np.sum((xs - zs @ beta) ** 2) / np.sum(xs ** 2)
                self.assertAlmostEqual(r2[j], fit, delta=1e-9)
                checked += 1
        self.assertGreater(checked, 15)

    def test_scores_are_standard_normal_and_match_normal_inputs(self):
        z, ok = self.scores()
        self.assertLess(np.max(np.abs(z.mean(0))), 0.1)
        self.assertLess(np.max(np.abs(z.std(0) - 1)), 0.1)
        d = self.f["draws"]
        # a lognormal input: log value = meanlog + sdlog * z exactly
        x, zz = np.log(d["input_sigma_China"][0]), d["input_sigma_China_z"][0]
        slope, icpt = np.polyfit(zz, x, 1)
        np.testing.assert_allclose(x, icpt + slope * zz, rtol=1e-12, atol=1e-12)
        self.assertAlmostEqual(np.exp(icpt), 12.0, delta=1e-9)   # its median
        self.assertTrue(np.all(d["compliance"][0] == 1.0))   # default.yaml samples none

    def test_thread_count_changes_no_bit(self):
        with h5py.File(os.path.join(DIR, "threads2.h5"), "r") as g:
            for v in attrib_vars(self.f):
                self.assertEqual(self.f["summary"][v][()].tobytes(),
                                 g["summary"][v][()].tobytes(), v)

    def test_summary_prints_the_top_drivers(self):
        with open(os.path.join(DIR, "raw.txt")) as t:
            text = t.read()
        self.assertIn("top drivers", text)
        self.assertIn("sigma_China", text)


@unittest.skipUnless(DIR, "needs AGTRADE_E2E_DIR (tests/e2e_attrib.sh)")
class ShardsAndLists(unittest.TestCase):
    def test_merged_shards_equal_the_whole_sweep_bit_for_bit(self):
        with h5py.File(os.path.join(DIR, "sweep.h5"), "r") as a, \
                h5py.File(os.path.join(DIR, "merged.h5"), "r") as b:
            va = attrib_vars(a)
            self.assertGreater(len(va), 30)
            self.assertEqual(va, attrib_vars(b))
            self.assertEqual(names(a), names(b))
            for v in va:
                self.assertEqual(a["summary"][v][()].tobytes(), b["summary"][v][()].tobytes(), v)

    def test_a_listed_quantity_is_attributed(self):
        with h5py.File(os.path.join(DIR, "listed.h5"), "r") as f:
            s = f["summary"]
            for v in ("imports", "production_change"):
                self.assertEqual(s[v + "_corr_input"].dims[1][0].name, "/input")
                r2, sd = s[v + "_r2"][()], s[v + "_sd"][()]
                # NAN exactly where the value does not vary (production does not
                # respond to the policy in the annual model: its change is 0)
                np.testing.assert_array_equal(np.isfinite(r2), sd > 0)
            self.assertTrue(np.all(s["imports_r2"][()] > 0.5))


@unittest.skipUnless(DIR, "needs AGTRADE_E2E_DIR (tests/e2e_attrib.sh)")
class LawOfTotalVariance(unittest.TestCase):
    def test_within_plus_between_is_the_variance_and_matches_the_raw_draws(self):
        with h5py.File(os.path.join(DIR, "truce.h5"), "r") as f:
            s, d = f["summary"], f["draws"]
            ok = d["status"][0] == 0
            reg = d["regime"][0][ok]
            for var in ("flow", "fob_price", "welfare_total", "flow_change"):
                w = s[var + "_var_within_regimes"][0]
                b = s[var + "_var_between_regimes"][0]
                sd = s[var + "_sd"][0]
                total = sd ** 2
                np.testing.assert_allclose(w + b, total, rtol=1e-12, atol=1e-300)
                if var.endswith("_change"):
                    x = d[var[:-7]][0][ok] - d[var[:-7] + "_ref"][0][ok]
                else:
                    x = d[var][0][ok]
                n = x.shape[0]
                means = [x[reg == r].mean(0) for r in np.unique(reg)]
                within = sum(((x[reg == r] - m) ** 2).sum(0) for r, m in zip(np.unique(reg), means))
                between = sum((reg == r).sum() * (m - x.mean(0)) ** 2
                              for r, m in zip(np.unique(reg), means))
                np.testing.assert_allclose(w, within / (n - 1), rtol=1e-9, atol=1e-12)
                np.testing.assert_allclose(b, between / (n - 1), rtol=1e-9, atol=1e-12)

    def test_summary_reports_policy_and_market_shares(self):
        with open(os.path.join(DIR, "truce.txt")) as t:
            text = t.read()
        line = [x for x in text.splitlines()
                if x.strip().startswith("exports US -> China:") and "% policy" in x]
        self.assertEqual(len(line), 1, text)
        self.assertIn("% market", line[0])
        # the split printed is the file's
        with h5py.File(os.path.join(DIR, "truce.h5"), "r") as f:
            w = f["summary/flow_var_within_regimes"][0, 0, 0]
            b = f["summary/flow_var_between_regimes"][0, 0, 0]
        self.assertIn("%.1f %% policy" % (100 * b / (w + b)), line[0])


def sensitivity_vars(f):
    return sorted(k for k in f["sensitivity"] if k.endswith(("_S1", "_ST", "_conf")))


@unittest.skipUnless(DIR, "needs AGTRADE_E2E_DIR (tests/e2e_attrib.sh)")
class SobolIndices(unittest.TestCase):
    def test_thread_count_and_shards_change_no_bit(self):
        for a_name, b_name in (("sobol1.h5", "sobol2.h5"), ("sobol_sweep.h5", "sobol_merged.h5")):
            with h5py.File(os.path.join(DIR, a_name), "r") as a, \
                    h5py.File(os.path.join(DIR, b_name), "r") as b:
                va = sensitivity_vars(a)
                self.assertGreater(len(va), 40)
                self.assertEqual(va, sensitivity_vars(b))
                for v in va:
                    self.assertEqual(a["sensitivity"][v][()].tobytes(),
                                     b["sensitivity"][v][()].tobytes(), v)

    def test_regime_s1_is_the_between_regime_share_of_the_variance(self):
        # Var(E[Y | regime]) / Var(Y): the law of total variance's between part
        with h5py.File(os.path.join(DIR, "sobol1.h5"), "r") as f:
            labels = h5_text(f["sobol_input"])
            self.assertEqual(labels[-1], "regime")
            self.assertEqual(labels[:-1], names(f))
            s, m = f["sensitivity"], f["summary"]
            for var in ("flow", "flow_change", "welfare_total"):
                s1 = s[var + "_S1"][0, -1].reshape(-1)
                conf = s[var + "_S1_conf"][0, -1].reshape(-1)
                w = m[var + "_var_within_regimes"][0].reshape(-1)
                b = m[var + "_var_between_regimes"][0].reshape(-1)
                share = b / (w + b)
                big = share > 0.2
                self.assertTrue(np.any(big))
                np.testing.assert_array_less(np.abs(s1[big] - share[big]), 2.5 * conf[big] + 0.02)
                st = s[var + "_ST"][0].reshape(len(labels), -1)
                self.assertTrue(np.all(st[:, big] > -0.05))

    def design(self, f, var):
        k = len(f["sobol_input"])
        y = f["draws"]["sobol_" + var][0]
        y = y.reshape(y.shape[0], -1)
        n = y.shape[0] // (k + 2)
        return k, n, y

    def test_indices_are_the_estimators_applied_to_the_design(self):
        with h5py.File(os.path.join(DIR, "sobol_raw.h5"), "r") as f, \
                h5py.File(os.path.join(DIR, "sobol1.h5"), "r") as g:
            for v in sensitivity_vars(g):   # raw draws change no index
                self.assertEqual(f["sensitivity"][v][()].tobytes(),
                                 g["sensitivity"][v][()].tobytes(), v)
            for var in ("flow", "fob_price", "welfare_total"):
                k, n, y = self.design(f, var)
                a, b = y[:n], y[n:2 * n]
                pooled = np.concatenate([a, b])
                mean, v = pooled.mean(0), pooled.var(0)
                s1 = f["sensitivity"][var + "_S1"][0].reshape(k, -1)
                st = f["sensitivity"][var + "_ST"][0].reshape(k, -1)
                for i in range(k):
                    ab = y[(2 + i) * n:(3 + i) * n]
                    ok = v > 0
                    want1 = np.mean((b - mean) * (ab - a), axis=0)[ok] / v[ok]
                    wantt = np.mean((a - ab) ** 2, axis=0)[ok] / (2 * v[ok])
                    np.testing.assert_allclose(s1[i][ok], want1, rtol=1e-9, atol=1e-12)
                    np.testing.assert_allclose(st[i][ok], wantt, rtol=1e-9, atol=1e-12)

    def test_openturns_on_the_same_design_agrees_within_the_intervals(self):
        try:
            import openturns as ot
        except ImportError:
            self.skipTest("python3-openturns is not installed (make deps installs it)")
        with h5py.File(os.path.join(DIR, "sobol_raw.h5"), "r") as f:
            s = f["sensitivity"]
            checked = 0
            for var in ("flow", "flow_change", "welfare_total"):
                k, n, y = self.design(f, var)
                j = 0   # the first region element (US -> China for the routes)
                out = ot.Sample(np.ascontiguousarray(y[:, j:j + 1]))
                inp = ot.Sample(y.shape[0], k)   # only the sizes matter to the estimators
                st_ot = np.array(ot.JansenSensitivityAlgorithm(inp, out, n)
                                 .getTotalOrderIndices())
                s1_ot = np.array(ot.SaltelliSensitivityAlgorithm(inp, out, n)
                                 .getFirstOrderIndices())
                st = s[var + "_ST"][0].reshape(k, -1)[:, j]
                stc = s[var + "_ST_conf"][0].reshape(k, -1)[:, j]
                s1 = s[var + "_S1"][0].reshape(k, -1)[:, j]
                s1c = s[var + "_S1_conf"][0].reshape(k, -1)[:, j]
                # the same Jansen total index, up to OpenTURNS' variance estimate
                np.testing.assert_array_less(np.abs(st - st_ot), stc + 0.02 * np.abs(st) + 1e-9)
                # first order: OpenTURNS' Saltelli form (uncentred, the product of the
                # means subtracted) is another estimator of S1; with 300 rows it puts
                # inputs without effect near -0.13, so only a loose agreement holds
                np.testing.assert_array_less(np.abs(s1 - s1_ot), 2 * s1c + 0.2)
                checked += 1
            self.assertEqual(checked, 3)

    def test_summary_prints_sobol_drivers(self):
        with open(os.path.join(DIR, "sobol1.txt")) as t:
            text = t.read()
        self.assertIn("Sobol", text)
        self.assertIn("regime S1", text)


@unittest.skipUnless(DIR, "needs AGTRADE_E2E_DIR (tests/e2e_attrib.sh)")
class DriverCharts(unittest.TestCase):
    def test_tornado_and_variance_split_are_drawn(self):
        import tempfile
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                        "sim", "python"))
        import matplotlib
        matplotlib.use("Agg")
        import plots
        import agtrade_results as ar
        with tempfile.TemporaryDirectory() as out:
            for name, want in (("truce.h5", {"tornado.png", "variance_split.png"}),
                               ("sobol1.h5", {"tornado.png", "variance_split.png"}),
                               ("raw.h5", {"tornado.png"})):
                written = {os.path.basename(p) for p in
                           plots.make_plots(os.path.join(DIR, name), out)}
                self.assertTrue(want <= written, (name, written))
                if name == "raw.h5":
                    self.assertNotIn("variance_split.png", written)
                for png in want:
                    self.assertGreater(os.path.getsize(os.path.join(out, png)), 10000)
        # the bars: largest swing first, each the 5-95 % swing of the linear model
        pds = ar.open_results(os.path.join(DIR, "raw.h5"), unstack=False)
        region = {"exporter": "US", "importer": "China"}
        bars = plots.tornado_bars(pds, None, "flow", region, 0)
        src = pds["flow_src_input"].isel(point=0).sel(**region)
        top = str(pds["input"].values[int(np.nanargmax(np.abs(src.values)))])
        self.assertEqual(bars[0][0], top)
        sd = float(pds["flow_sd"].isel(point=0).sel(**region))
        swing = [abs(hi - lo) for _, lo, hi in bars]
        self.assertEqual(swing, sorted(swing, reverse=True))
        self.assertAlmostEqual(swing[0], 2 * plots.Z90 * sd * float(np.nanmax(np.abs(src.values))))


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    bad = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - bad - len(result.skipped), bad))
    sys.exit(1 if bad or not DIR else 0)
