#!/usr/bin/python3
"""test_results.py - the Python side of agtrade: loaders (sim/python/agtrade_results.py),
plots (sim/python/plots.py) and whether real tools read the files bin/agtrade writes.

    /usr/bin/python3 tests/test_results.py              # logic tests on synthetic files
    AGTRADE=bin/agtrade AGTRADE_E2E_DIR=DIR /usr/bin/python3 tests/test_results.py

Two kinds of tests:
  - Logic*: unstacking, errors, histogram probabilities, plots, on SYNTHETIC files made
    by tests/python/make_fixture.py (the contract's layout with toy numbers);
  - RealFile*: files written by the binary (tests/e2e_python.sh writes them into
    AGTRADE_E2E_DIR: a.h5 = default.yaml -n 2000, sweep.h5 = tariff-sweep.yaml,
    raw.h5 = default.yaml --raw-draws). Without AGTRADE_E2E_DIR they are skipped; with
    it, a missing file is a failure.
Exits non-zero when anything fails; prints unittest's summary and "N passed, N failed".
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "sim", "python"))
sys.path.insert(0, os.path.join(HERE, "python"))

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

with warnings.catch_warnings():   # Debian's netCDF4 warns about numpy's ABI at import
    warnings.simplefilter("ignore")
    import netCDF4  # noqa: E402,F401
import agtrade_results as ar  # noqa: E402
import make_fixture as mf  # noqa: E402
import plots  # noqa: E402

warnings.filterwarnings("ignore", category=RuntimeWarning)
PYTHON = "/usr/bin/python3"
PLOT_NAMES = ("tariff_response", "distributions", "stoplight", "spread")
SWEEP_KEY = "scenario.tariffs.US.China"


# --- `agtrade summary` output --------------------------------------------------------
# Kept in one place so it is easy to adapt to the real table. Expected (documented in
# sim/python/README.md): one row per quantity and region, either as name/value pairs
#     flow[US,China]  mean 12.345  sd 1.2  q05 10.1  median 12.3  q95 14.5
# or as a table whose header names the columns and whose rows end in that many numbers
#     quantity            mean     sd    q05  median    q95
#     flow[US,China]    12.345  1.200 10.100  12.300 14.500

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%?"
STAT_ALIASES = {"q50": "median", "p50": "median", "50%": "median", "med": "median"}


def parse_summary(text):
    """{row label: {statistic: (value, printed text)}} from `agtrade summary` output."""
    rows, header = {}, None
    pair = re.compile(r"([A-Za-z_][\w%]*)\s*[:=]?\s+(" + NUMBER + r")(?=\s|$)")
    for line in text.splitlines():
        line = line.rstrip()
        if not line.strip() or set(line.strip()) <= set("-=+| "):
            continue
        tokens = line.split()
        lowered = [t.lower() for t in tokens]
        if lowered[0] in ("quantity", "variable") or (
                "mean" in lowered and not any(re.fullmatch(NUMBER, t) for t in tokens)):
            header = [("q" + t[:-1]) if re.fullmatch(r"\d+%", t) else STAT_ALIASES.get(t, t)
                      for t in lowered if t not in ("quantity", "variable")]
            header = [h for h in header if h in ("mean", "sd", "median", "min", "max",
                                                 "mcse") or re.fullmatch(r"q\d+", h)]
            continue
        m = re.match(r"\s*(\S.*?\S|\S)\s{2,}(\S.*)$", line)
        if not m:
            continue
        label, rest = m.group(1), m.group(2)
        stats = {}
        for name, value in pair.findall(rest):
            stats[STAT_ALIASES.get(name.lower(), name.lower())] = value
        if not stats and header:
            numbers = re.findall(NUMBER, rest)
            if len(numbers) >= len(header):
                stats = dict(zip(header, numbers[-len(header):]))
        if stats:
            rows[label] = {k: (float(v.rstrip("%")), v) for k, v in stats.items()}
    return rows


def summary_row(rows, var, exporter, importer):
    """The parsed row of var[exporter, importer], whatever spacing the label uses."""
    def norm(s):
        return re.sub(r"[\s_]+", "", s.lower())
    wanted = (norm(f"{var}[{exporter},{importer}]"), norm(f"{var} {exporter} {importer}"),
              norm(f"{exporter} -> {importer} {var}"), norm(f"{var} {exporter}->{importer}"),
              norm(f"exports {exporter} -> {importer}") if var == "flow" else None)
    for label, stats in rows.items():
        if norm(label) in wanted:
            return stats
    return None


def printed_tolerance(text):
    """Half a unit in the last printed digit of a number as printed."""
    t = text.rstrip("%").lower()
    mant, _, exp = t.partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    return 0.5 * 10.0 ** (-decimals + (int(exp) if exp else 0)) * 1.0001


# --- helpers -------------------------------------------------------------------------


def check_png(test, path):
    """A PNG worth looking at: a real file, a real size, not blank."""
    test.assertTrue(os.path.isfile(path), f"{path} not written")
    test.assertGreater(os.path.getsize(path), 15000, f"{path} is suspiciously small")
    img = plt.imread(path)
    test.assertGreaterEqual(img.shape[0], 380, path)
    test.assertGreaterEqual(img.shape[1], 800, path)
    rgb = img[..., :3]
    non_white = np.mean(np.any(rgb < 0.95, axis=-1))
    test.assertGreater(non_white, 0.03, f"{path} is almost blank")
    colors = np.unique((rgb.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    test.assertGreater(len(colors), 20, f"{path} has only {len(colors)} colours")


def phony_dims(ds):
    return [d for d in ds.dims if str(d).startswith("phony_dim")]


class FixtureFiles:
    tmp = None

    @classmethod
    def make(cls):
        if cls.tmp is None:
            cls.tmp = tempfile.mkdtemp(prefix="agtrade-pytest-")
            mf.write_fixture(cls.path("single"), n_draws=3000, seed=71)
            mf.write_fixture(cls.path("sweep"), sweep=mf.DEFAULT_SWEEP, n_draws=800,
                             thresholds=mf.DEFAULT_THRESHOLDS, seed=72)
            mf.write_fixture(cls.path("sweep2"), sweep=[("scenario.tariffs.US.China",
                                                         [0.0, 0.35, 1.2]),
                                                        ("run.freight_index", [0.9, 1.15])],
                             n_draws=300, seed=73)
            mf.write_fixture(cls.path("regimes"), regimes=mf.DEFAULT_REGIMES,
                             thresholds=mf.DEFAULT_THRESHOLDS, raw_draws=True,
                             n_draws=5000, seed=74)
            mf.write_fixture(cls.path("partial"), n_draws=200, complete=0, seed=75)
        return cls.tmp

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp, name + ".h5")


# --- logic tests on synthetic files --------------------------------------------------


class LogicLoaders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        FixtureFiles.make()
        cls.P = FixtureFiles.path

    def test_single_run_keeps_point_dimension(self):
        ds = ar.open_results(self.P("single"))
        self.assertEqual(ds["flow_mean"].dims, ("point", "exporter", "importer"))
        self.assertEqual(ds.sizes["point"], 1)
        self.assertEqual(list(ds["exporter"].values), mf.EXPORTERS)
        self.assertEqual(ds.attrs["complete"], 1)
        self.assertIn("base: default.yaml", ds.attrs["config_yaml"])

    def test_h5_text_reads_older_variable_length_strings(self):
        # the fixtures hold text as variable-length strings, as agtrade did before the
        # character arrays
        with h5py.File(self.P("single"), "r") as f:
            self.assertEqual(h5py.check_string_dtype(f["exporter"].dtype).length, None)
            self.assertEqual(ar.h5_text(f["exporter"]), mf.EXPORTERS)
            self.assertIn("base: default.yaml", ar.h5_text(f["config_yaml"]))

    def test_one_swept_key_becomes_a_dimension_with_its_key(self):
        ds = ar.open_results(self.P("sweep"))
        dim = "sweep_" + SWEEP_KEY
        self.assertEqual(ds["flow_q"].dims, (dim, "exporter", "importer", "quantile"))
        np.testing.assert_allclose(ds[dim].values, mf.DEFAULT_SWEEP[0][1])
        self.assertEqual(ds[dim].attrs["sweep_key"], SWEEP_KEY)
        flat = ar.open_results(self.P("sweep"), unstack=False)
        np.testing.assert_array_equal(ds["flow_mean"].values, flat["flow_mean"].values)

    def test_two_swept_keys_unstack_into_a_grid(self):
        ds = ar.open_results(self.P("sweep2"))
        a, b = "sweep_scenario.tariffs.US.China", "sweep_run.freight_index"
        self.assertEqual(ds["flow_mean"].dims[:2], (a, b))
        self.assertEqual((ds.sizes[a], ds.sizes[b]), (3, 2))
        self.assertEqual(ds[b].attrs["sweep_key"], "run.freight_index")
        flat = ar.open_results(self.P("sweep2"), unstack=False)
        for p in range(flat.sizes["point"]):
            ta, fb = float(flat[a][p]), float(flat[b][p])
            got = ds["flow_mean"].sel({a: ta, b: fb, "exporter": "US", "importer": "China"})
            want = flat["flow_mean"].isel(point=p).sel(exporter="US", importer="China")
            self.assertEqual(float(got), float(want))

    def test_both_engines_give_the_same_dataset(self):
        a = ar.open_results(self.P("regimes"), engine="h5netcdf")
        b = ar.open_results(self.P("regimes"), engine="netcdf4")
        xr.testing.assert_identical(a, b)

    def test_partial_file_is_refused_with_a_clear_error(self):
        with self.assertRaisesRegex(ar.ResultsError, r"partial results \(complete = 0\)"):
            ar.open_results(self.P("partial"))

    def test_missing_draws_group_names_the_option(self):
        with self.assertRaisesRegex(ar.ResultsError, r"no group /draws.*--raw-draws"):
            ar.open_draws(self.P("single"))

    def test_missing_file_raises_file_not_found(self):
        with self.assertRaises(FileNotFoundError):
            ar.open_results(os.path.join(FixtureFiles.tmp, "nope.h5"))

    def test_hist_probability_matches_the_draws(self):
        ds = ar.open_results(self.P("regimes"))
        dr = ar.open_draws(self.P("regimes"), load=True)
        x = dr["flow"].isel(point=0).sel(exporter="US", importer="China").values
        for value in (2.737, 14.35, 21.9):
            got = ar.probability_below(ds, "flow", value, point=0, exporter="US",
                                       importer="China")
            # within the mass of the bin holding `value`, at most
            edges = ds["flow_hist_edges"].isel(point=0).sel(exporter="US", importer="China")
            counts = ds["flow_hist"].isel(point=0).sel(exporter="US", importer="China")
            k = min(max(np.searchsorted(edges.values, value) - 1, 0), counts.size - 1)
            self.assertLessEqual(abs(got - np.mean(x < value)),
                                 float(counts[k]) / x.size + 1e-12, value)

    def test_hist_cdf_counts_under_and_overflow(self):
        ds = ar.open_results(self.P("single"))
        cell = dict(point=0, exporter="Brazil", importer="China")
        under = float(ds["flow_hist_underflow"].sel(exporter="Brazil", importer="China")[0])
        self.assertGreater(under, 0)   # the fixture puts 0.5 % of draws outside the edges
        x, cdf = ar.hist_cdf(ds, "flow", **cell)
        edge0 = float(ds["flow_hist_edges"].isel(point=0, hist_edge=0)
                      .sel(exporter="Brazil", importer="China"))
        self.assertAlmostEqual(float(np.interp(edge0, x, cdf)), under / 3000.0, places=12)
        self.assertEqual(cdf[0], 0.0)
        self.assertEqual(cdf[-1], 1.0)
        self.assertTrue(np.all(np.diff(cdf) >= 0))

    def test_to_dataframe_is_one_row_per_cell(self):
        ds = ar.open_results(self.P("sweep"))
        df = ar.to_dataframe(ds, "flow_mean")
        self.assertEqual(len(df), 16 * 5 * 3)
        self.assertEqual(list(df.columns),
                         ["sweep_" + SWEEP_KEY, "exporter", "importer", "flow_mean"])
        row = df[(df.exporter == "US") & (df.importer == "China")
                 & (df["sweep_" + SWEEP_KEY] == 0.5)]
        self.assertEqual(float(row.flow_mean.iloc[0]),
                         float(ds["flow_mean"].sel({"sweep_" + SWEEP_KEY: 0.5, "exporter": "US",
                                                   "importer": "China"})))
        with self.assertRaisesRegex(ar.ResultsError, "no variable 'flows_mean'"):
            ar.to_dataframe(ds, "flows_mean")

    def test_summary_table_has_headlines_per_point(self):
        t = ar.summary_table(self.P("sweep"))
        flow = t[t.quantity == "US -> China exports (Mt)"]
        self.assertEqual(len(flow), 16)
        self.assertTrue(np.all(np.diff(flow["median"].values) < 0))  # toy: falls with t
        self.assertTrue(np.all(flow.q05 <= flow["median"]) and np.all(flow["median"] <= flow.q95))


class LogicPlots(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        FixtureFiles.make()
        cls.P = FixtureFiles.path

    def test_threshold_names_are_matched_by_value_and_route(self):
        names = ["US -> China share below 5", "US -> China below 5 Mt",
                 "Brazil -> China below 15 Mt", "US -> China above 15 Mt"]
        self.assertEqual(plots.match_threshold(names, "US", "China", "below", 5.0), 1)
        self.assertIsNone(plots.match_threshold(names, "US", "China", "below", 15.0))
        self.assertEqual(plots.match_threshold(names, "US", "China", "above", 15.0), 3)

    def test_stoplight_rows_are_probabilities_matching_thresholds(self):
        pds = ar.open_results(self.P("sweep"), unstack=False)
        names = plots.Names(pds, "US", "China", "Brazil")
        rows, source = plots.stoplight_rows(pds, None, names, 5.0, 15.0)
        self.assertIn("threshold probabilities", source)
        self.assertEqual(len(rows), 1 + 16)
        for label, *p in rows:
            self.assertAlmostEqual(sum(p), 1.0, places=12, msg=label)
            self.assertTrue(all(-1e-12 <= v <= 1 + 1e-12 for v in p), label)
        # the histogram route gives nearly the same numbers as the exact probabilities
        no_thr = pds.drop_vars(["threshold_probability", "threshold_mcse"])
        rows_h, source_h = plots.stoplight_rows(no_thr, None, names, 5.0, 15.0)
        self.assertIn("histograms", source_h)
        for (_, *a), (_, *b) in zip(rows[1:], rows_h[1:]):
            np.testing.assert_allclose(a, b, atol=0.03)

    def test_regime_stoplight_from_draws_equals_exact_fraction(self):
        pds = ar.open_results(self.P("regimes"), unstack=False)
        draws = ar.open_draws(self.P("regimes"), unstack=False, load=True)
        names = plots.Names(pds, "US", "China", "Brazil")
        no_thr = pds.drop_vars([v for v in pds.data_vars if v.startswith("threshold_")])
        rows, _ = plots.stoplight_rows(no_thr, draws, names, 5.0, 15.0)
        labels = [r[0] for r in rows]
        self.assertEqual(labels[-3:], ["regime: truce", "regime: escalation", "regime: deal"])
        x = draws["flow"].isel(point=0).sel(exporter="US", importer="China").values
        reg = draws["regime"].isel(point=0).values
        esc = x[reg == 1]
        self.assertAlmostEqual(rows[-2][1], np.mean(esc < 5.0), places=12)

    def test_unknown_exporter_is_a_clear_error(self):
        pds = ar.open_results(self.P("single"), unstack=False)
        with self.assertRaisesRegex(ar.ResultsError, "exporter 'USA' is not in the file"):
            plots.Names(pds, "USA", "China", "Brazil")

    def test_plots_write_four_nonblank_pngs(self):
        for name in ("sweep", "regimes", "sweep2", "single"):
            out = os.path.join(FixtureFiles.tmp, "png-" + name)
            if name == "sweep":      # the command line once, the function for the rest
                r = subprocess.run([PYTHON, os.path.join(ROOT, "sim", "python", "plots.py"),
                                    self.P(name), "--outdir", out, "--thresholds", "15,5"],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.split(), [os.path.join(out, p + ".png")
                                                    for p in PLOT_NAMES])
            else:
                plots.make_plots(self.P(name), out, thresholds=(15.0, 5.0))
            for p in PLOT_NAMES:
                check_png(self, os.path.join(out, p + ".png"))

    def test_missing_variable_names_it_and_still_writes_other_charts(self):
        broken = os.path.join(FixtureFiles.tmp, "broken.h5")
        shutil.copy(self.P("sweep"), broken)
        with h5py.File(broken, "a") as f:
            del f["summary/fob_spread_ref_q"]
        out = os.path.join(FixtureFiles.tmp, "png-broken")
        with self.assertRaisesRegex(ar.ResultsError, r"spread.png: .*'fob_spread_ref_q'"):
            plots.make_plots(broken, out)
        for p in ("tariff_response", "distributions", "stoplight"):
            check_png(self, os.path.join(out, p + ".png"))

    def test_plots_cli_refuses_partial_file(self):
        r = subprocess.run([PYTHON, os.path.join(ROOT, "sim", "python", "plots.py"),
                            self.P("partial"), "--outdir", FixtureFiles.tmp],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("partial results", r.stderr)

    def test_summary_parser_reads_both_documented_layouts(self):
        pairs = "flow[US,China]  mean 12.345 sd 1.20 median 12.1 q05 9.5\n"
        table = ("quantity           mean      sd   median\n"
                 "-----------------  ------  ------  ------\n"
                 "flow[US, China]    12.345   1.200  12.100\n")
        for text in (pairs, table):
            row = summary_row(parse_summary(text), "flow", "US", "China")
            self.assertIsNotNone(row, text)
            self.assertEqual(row["mean"][0], 12.345)
            self.assertAlmostEqual(row["median"][0], 12.1)
        self.assertAlmostEqual(printed_tolerance("12.345"), 0.0005, delta=1e-6)
        self.assertAlmostEqual(printed_tolerance("1.5e+01"), 0.5, places=3)


# --- real files from bin/agtrade -----------------------------------------------------

E2E_DIR = os.environ.get("AGTRADE_E2E_DIR")


@unittest.skipUnless(E2E_DIR, "AGTRADE_E2E_DIR not set (tests/e2e_python.sh sets it)")
class RealFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = {n: os.path.join(E2E_DIR, n + ".h5") for n in ("a", "sweep", "raw")}
        missing = [p for p in cls.files.values() if not os.path.isfile(p)]
        if missing:
            raise AssertionError(f"binary output missing: {missing}")

    def test_h5py_every_axis_has_a_dimension_scale(self):
        for path in self.files.values():
            with h5py.File(path, "r") as f:
                self.assertEqual(int(f.attrs["complete"]), 1, path)
                seen = []

                def visit(name, obj):
                    if not isinstance(obj, h5py.Dataset) or \
                            ar._to_str(obj.attrs.get("NAME", "")).startswith(ar.NC_DIM_ONLY):
                        return   # a netCDF dimension only (exporter_strlen): no variable
                    seen.append(name)
                    self.assertIn("units", obj.attrs, f"{path}:{name}")
                    self.assertIn("long_name", obj.attrs, f"{path}:{name}")
                    if obj.ndim > 0 and not h5py.h5ds.is_scale(obj.id):
                        for i in range(obj.ndim):
                            self.assertGreaterEqual(len(obj.dims[i]), 1,
                                                    f"{path}:{name} axis {i} has no scale")
                f.visititems(visit)
                self.assertIn("summary/flow_mean", seen, path)

    def test_xarray_both_engines_read_root_and_groups_without_phony_dims(self):
        for key, path in self.files.items():
            groups = [None, "summary"] + (["draws"] if key == "raw" else [])
            for group in groups:
                opened = {}
                for engine in ("h5netcdf", "netcdf4"):
                    with xr.open_dataset(path, group=group, engine=engine) as ds:
                        self.assertEqual(phony_dims(ds), [], f"{path} {group} {engine}")
                        for d in ds.dims:
                            self.assertTrue(d in ar.ROOT_DIMS, f"{path} {group}: dim {d}")
                        if group == "summary":
                            opened[engine] = ds["flow_mean"].values.copy()
                if group == "summary":
                    np.testing.assert_array_equal(opened["h5netcdf"], opened["netcdf4"])

    def test_text_is_a_character_array_every_python_reader_decodes(self):
        import netCDF4
        for key, path in self.files.items():
            with h5py.File(path, "r") as f:
                ex, cfg = f["exporter"], f["config_yaml"]
                self.assertEqual((ex.dtype, ex.ndim, cfg.dtype, cfg.ndim),
                                 (np.dtype("S1"), 2, np.dtype("S1"), 1), path)
                labels, yaml_text = ar.h5_text(ex), ar.h5_text(cfg)
                self.assertEqual(ar.h5_text(f["summary/exporter"]), labels)
            self.assertIn("US", labels)
            self.assertTrue(yaml_text.startswith("# agtrade "), yaml_text[:40])
            for engine in ("h5netcdf", "netcdf4"):
                with xr.open_dataset(path, engine=engine) as root, \
                        xr.open_dataset(path, group="summary", engine=engine) as summ:
                    self.assertEqual(list(root["exporter"].values), labels, engine)
                    self.assertEqual(list(summ["exporter"].values), labels, engine)
                    self.assertEqual(str(root["config_yaml"].values), yaml_text, engine)
            with netCDF4.Dataset(path) as nc:
                self.assertEqual(list(nc["exporter"][:]), labels)
            ds = ar.open_results(path)
            self.assertEqual(ds.attrs["config_yaml"], yaml_text)
            self.assertEqual(list(ds["exporter"].values), labels)

    def test_ncdump_reads_header_and_groups(self):
        for key, path in self.files.items():
            r = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("group: summary", r.stdout)
            self.assertNotIn("phony_dim", r.stdout)
            self.assertRegex(r.stdout, r"flow_mean\(point, exporter, importer\)")
            if key == "raw":
                self.assertIn("group: draws", r.stdout)

    def test_open_results_unstacks_the_tariff_sweep(self):
        ds = ar.open_results(self.files["sweep"])
        dims = [d for d in ds["flow_q"].dims if d not in ("exporter", "importer", "quantile")]
        self.assertEqual(len(dims), 1, ds["flow_q"].dims)
        dim = dims[0]
        self.assertNotEqual(dim, "point")
        self.assertTrue(ds[dim].attrs.get("sweep_key"), "sweep_key attribute lost")
        np.testing.assert_allclose(ds[dim].values, np.linspace(0.0, 1.5, 16), atol=1e-9)
        med = ds["flow_q"].sel(exporter="US", importer="China", quantile=0.5)
        self.assertLess(float(med[-1]), float(med[0]),
                        "US -> China exports should fall as China's tariff rises")

    def test_draw_counts_add_up_in_attributes_and_histograms(self):
        for key in ("a", "raw"):
            ds = ar.open_results(self.files[key])
            draws = int(ds.attrs["draws"])
            ok = int(ds["draws_ok"].isel(point=0))
            self.assertEqual(ok + int(ds["draws_failed"].isel(point=0)), draws)
            self.assertGreater(ok, 0.9 * draws, "more than 10 % of draws failed")
            cell = ds.isel(point=0).sel(exporter="US", importer="China")
            for form in ("flow", "flow_ref", "flow_change"):
                n = int(cell[f"{form}_hist"].sum()) + int(cell[f"{form}_hist_underflow"]) \
                    + int(cell[f"{form}_hist_overflow"])
                self.assertEqual(n, ok, f"{key}: {form} histogram counts {n} != draws_ok {ok}")
                q = cell[f"{form}_q"].values
                self.assertTrue(np.all(np.diff(q) >= 0), f"{form}_q not monotone: {q}")

    def test_raw_draws_have_the_contract_axes(self):
        dr = ar.open_draws(self.files["raw"])
        self.assertEqual(dr["flow"].dims, ("point", "draw", "exporter", "importer"))
        self.assertEqual(dr.sizes["draw"], 300)
        self.assertEqual(dr["regime"].dims, ("point", "draw"))
        self.assertEqual(str(dr["status"].dtype), "int32")

    def test_summary_means_equal_the_mean_of_raw_draws(self):
        ds = ar.open_results(self.files["raw"])
        dr = ar.open_draws(self.files["raw"], load=True)
        ok = dr["status"].isel(point=0).values == 0
        x = dr["flow"].isel(point=0).sel(exporter="US", importer="China").values[ok]
        mean = float(ds["flow_mean"].isel(point=0).sel(exporter="US", importer="China"))
        self.assertAlmostEqual(mean, float(np.mean(x)), delta=1e-9 * max(1.0, abs(mean)))
        cell = ds.isel(point=0).sel(exporter="US", importer="China")
        q = float(cell["flow_q"].sel(quantile=0.5))
        bound = float(cell["flow_q_error_bound"])
        # the stated bound holds where the sample is dense; with few draws, allow the gap
        # between the order statistics around the median as well
        xs = np.sort(x)
        k = len(xs) // 2
        spacing = xs[min(k + 1, len(xs) - 1)] - xs[max(k - 1, 0)]
        self.assertGreater(bound, 0.0)
        self.assertLessEqual(abs(q - float(np.median(x))), bound + spacing)

    def test_values_read_equal_what_agtrade_summary_prints(self):
        agtrade = os.environ.get("AGTRADE", os.path.join(ROOT, "bin", "agtrade"))
        r = subprocess.run([agtrade, "summary", self.files["a"]], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        row = summary_row(parse_summary(r.stdout), "flow", "US", "China")
        self.assertIsNotNone(row, "no flow[US,China] row in `agtrade summary` output; "
                             "adapt parse_summary()/summary_row():\n" + r.stdout)
        ds = ar.open_results(self.files["a"])
        cell = ds.isel(point=0).sel(exporter="US", importer="China")
        file_values = {"mean": float(cell["flow_mean"]),
                       "median": float(cell["flow_q"].sel(quantile=0.5, method="nearest"))}
        checked = 0
        for stat, want in file_values.items():
            if stat in row:
                got, text = row[stat]
                self.assertAlmostEqual(got, want, delta=printed_tolerance(text),
                                       msg=f"{stat}: printed {text}, file {want}")
                checked += 1
        self.assertGreater(checked, 0, f"neither mean nor median in row {row}")

    def test_plots_of_real_files_are_nonblank(self):
        out_root = tempfile.mkdtemp(prefix="agtrade-plots-")
        try:
            for key in ("sweep", "raw"):
                out = os.path.join(out_root, key)
                r = subprocess.run([PYTHON, os.path.join(ROOT, "sim", "python", "plots.py"),
                                    self.files[key], "--outdir", out],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                for p in PLOT_NAMES:
                    check_png(self, os.path.join(out, p + ".png"))
        finally:
            shutil.rmtree(out_root, ignore_errors=True)


def main():
    result = unittest.main(exit=False, verbosity=2).result
    if FixtureFiles.tmp:
        shutil.rmtree(FixtureFiles.tmp, ignore_errors=True)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
