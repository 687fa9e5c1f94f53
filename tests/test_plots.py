#!/usr/bin/python3
"""test_plots.py - the words, titles, policy marks, policy point and overlay of
sim/python/plots.py, on real files written by bin/agtrade (tests/e2e_plots.sh makes them
and passes their folder in AGTRADE_PLOTS_DIR). Every text of every figure is collected
when it is saved, so the tests read what a user sees.

    AGTRADE_PLOTS_DIR=DIR /usr/bin/python3 tests/test_plots.py
"""
import os
import sys
import tempfile
import unittest

import matplotlib
matplotlib.use("Agg")
import matplotlib.figure  # noqa: E402
import matplotlib.image  # noqa: E402
import matplotlib.text  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "sim", "python"))
import plots  # noqa: E402

DIR = os.environ.get("AGTRADE_PLOTS_DIR", "")
SAVED = {}   # PNG base name -> every text of the figure

_savefig = matplotlib.figure.Figure.savefig


def _recording_savefig(fig, path, *args, **kwargs):
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    SAVED[os.path.basename(str(path))] = texts
    return _savefig(fig, path, *args, **kwargs)


matplotlib.figure.Figure.savefig = _recording_savefig


def P(name):
    return os.path.join(DIR, name + ".h5")


def nonblank(test, png):
    img = matplotlib.image.imread(png)
    test.assertGreater(float(np.std(img[..., :3])), 0.01, png)


class Words(unittest.TestCase):
    def test_config_keys_become_words(self):
        cases = {
            "scenario.tariffs.US.China": ("China's tariff on US soybeans", True),
            "regimes.escalation.tariffs.US.China":
                ("China's tariff on US soybeans (regime escalation)", True),
            "routes.US.China.tariff": ("China's baseline tariff on US soybeans", True),
            "scenario.export_taxes.Argentina": ("Argentina's export tax on soybeans", True),
            "scenario.floors.US.China": ("China's purchase floor on US soybeans", False),
            "inputs.sigma_China.median": ("median of the random input sigma_China", False),
            "importers.EU.eta": ("EU's import demand elasticity", False),
            "run.draws": ("run.draws", False),
        }
        for key, want in cases.items():
            self.assertEqual(plots.human_key(key), want, key)

    def test_policy_rates_only_on_the_route_they_belong_to(self):
        self.assertTrue(plots._marks_policy_rates("scenario.tariffs.US.China"))
        self.assertTrue(plots._marks_policy_rates("routes.US.China.tariff"))
        self.assertFalse(plots._marks_policy_rates("scenario.tariffs.Brazil.China"))
        self.assertEqual([r for r, _ in plots.POLICY_RATES if r in (0.23, 1.23, 1.38)],
                         [0.23, 1.23, 1.38])


@unittest.skipUnless(DIR, "AGTRADE_PLOTS_DIR not set (run tests/e2e_plots.sh)")
class RealFiles(unittest.TestCase):
    def test_sweep_charts_use_words_titles_and_marks(self):
        with tempfile.TemporaryDirectory() as out:
            pngs = plots.make_plots(P("sweep"), out)
            for png in pngs:
                nonblank(self, png)
        every = [t for texts in SAVED.values() for t in texts]
        self.assertFalse([t for t in every if "scenario.tariffs" in t], "a config key shown")
        resp = SAVED["tariff_response.png"]
        self.assertIn("China's tariff on US soybeans, %", resp)
        for mark in (" 23 % Geneva, May 2025", " 123 % threatened, Oct 2025", " 138 % Apr 2025"):
            self.assertIn(mark, resp)
        for name in ("tariff_response.png", "distributions.png", "stoplight.png", "spread.png"):
            title = "\n".join(SAVED[name])
            self.assertIn("trade war (28 % on US soybeans): 300 draws per point, seed 11", title,
                          name)

    def test_distributions_at_the_scenarios_own_policy(self):
        info = plots.RunInfo(P("sweep"))
        pds = plots.ar.open_results(P("sweep"), unstack=False)
        values = list(pds["sweep_scenario_tariffs_US_China"].values)
        point, why = plots.policy_point(pds, info)
        self.assertEqual(values[point], 0.28)              # the scenario file's 28 %, not the middle
        self.assertNotEqual(point, len(values) // 2)
        self.assertEqual(why, "the scenario's own policy")
        point, why = plots.policy_point(pds, info, at=1.3)
        self.assertEqual(values[point], 1.38)              # nearest to 130 %
        self.assertIn("nearest to 130 %", why)
        with tempfile.TemporaryDirectory() as out:
            plots.make_plots(P("sweep"), out)
        self.assertTrue(any("China's tariff on US soybeans = 28 % (the scenario's own policy)" in t
                            for t in SAVED["distributions.png"]), SAVED["distributions.png"])

    def test_inherited_value_found_through_reference_and_routes(self):
        info = plots.RunInfo(P("baseline-sweep"))
        self.assertEqual(info.value_of("scenario.tariffs.US.China"), 0.03)
        self.assertIsNone(info.value_of("scenario.tariffs.US.Nowhere"))

    def test_several_files_overlay_their_cdfs(self):
        with tempfile.TemporaryDirectory() as out:
            r = plots.main([P("busan"), P("geneva"), P("sweep"), "--outdir", out])
            self.assertEqual(r, 0)
            png = os.path.join(out, "cdf_overlay.png")
            nonblank(self, png)
            self.assertEqual(sorted(os.listdir(out)), ["cdf_overlay.png"])
        texts = "\n".join(SAVED["cdf_overlay.png"])
        for name in ("Busan deal 2025 (13 % + 25 Mt floor) (400 draws, seed 11)",
                     "Geneva truce 2025 (23 %) (400 draws, seed 11)",
                     "at China's tariff on US soybeans = 28 %"):
            self.assertIn(name, texts)

    def test_point_and_at_exclude_each_other(self):
        with self.assertRaises(SystemExit):
            plots.main([P("sweep"), "--point", "1", "--at", "0.2"])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    bad = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)
