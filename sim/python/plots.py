#!/usr/bin/python3
"""plots.py - the standard charts of an agtrade output file, as PNG files.

    /usr/bin/python3 sim/python/plots.py OUT.h5 [--outdir outputs] [--thresholds 5,15]
        [--exporter US --importer China --rival Brazil] [--point N | --at VALUE]
    /usr/bin/python3 sim/python/plots.py A.h5 B.h5 [...] [--outdir outputs]

One file: writes into --outdir
  tariff_response.png  fan chart against the first swept key: median, 50 % and 90 %
                       bands of exporter -> importer exports and of the rival's share of
                       the importer's imports (reference median dashed); on a tariff
                       axis of the importer on the exporter, the rates in force or
                       announced in 2025 (and 2018) are marked
  distributions.png    CDF and histogram of exporter -> importer exports and of the
                       exporter's farm revenue change: scenario, reference, each regime
  stoplight.png        probability that exporter -> importer exports are below the lower
                       threshold (red), between (yellow), above the upper one (green)
  spread.png           FOB spread first exporter - rival: scenario vs reference
  tornado.png          (files with random inputs) per headline quantity, how far each
                       input's 5-95 % range moves it: from the Sobol total indices when
                       the file has /sensitivity, else the standardized regression
                       coefficients; inputs labelled with their 5-95 % range when the
                       file has raw draws
  variance_split.png   (regime scenarios) policy vs market share of each headline
                       quantity's variance (law of total variance)
Several files: writes cdf_overlay.png, the CDFs of exporter -> importer exports and of
the exporter's farm revenue change of every file in one chart (one line per file, at
its own policy point), labelled with the scenario names.

Axes and titles use words ("China's tariff on US soybeans, %"), not config keys; titles
name the scenario, the draws per point and the seed. Per-point charts (distributions,
spread) show the sweep point of the scenario's own policy (the value of the swept key in
the scenario file, e.g. 28 % in tariff-sweep.yaml; the nearest point when it is not on
the grid; the middle point when the file does not say), or --point N, or --at VALUE
(the point nearest VALUE of the first swept key, in the key's own units: 0.23 for 23 %).
A calendar scenario's file (a `period` axis) gets instead:
  seasons.png          exporter -> importer and rival -> importer shipments by period:
                       median, 50 % and 90 % bands, scenario vs reference
  stocks.png           the exporter's and the rival's stocks at the end of each period,
                       and the importer's, scenario vs reference
"""
import argparse
import os
import re
import sys

import h5py

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agtrade_results as ar  # noqa: E402

RED, YELLOW, GREEN = "#c62828", "#f9c80e", "#2e7d32"
SCEN, REF = "#1f4e9c", "#555555"
OTHER_VARIABLES = ("share", "price", "revenue", "spread", "change", "welfare", "tax",
                   "wedge", "transfer", "import", "%")


# Rates of China's tariff on US soybeans that were in force or announced, for the marks on
# a tariff axis: (rate, label). Sources: configs/*.yaml (the scenario files' comments).
POLICY_RATES = (
    (0.03, "3 % MFN"),
    (0.13, "13 % Busan, Nov 2025"),
    (0.23, "23 % Geneva, May 2025"),
    (0.28, "28 % 2018"),
    (1.23, "123 % threatened, Oct 2025"),
    (1.38, "138 % Apr 2025"),
)
POLICY_ROUTE = ("US", "China")


def human_key(key):
    """Words for a config key: "scenario.tariffs.US.China" -> "China's tariff on US
    soybeans"; (label, is_rate). Keys it does not know are returned as they are."""
    parts = key.split(".")
    if len(parts) == 4 and parts[1] == "tariffs":
        where = {"scenario": "", "reference": " (reference)"}.get(parts[0], f" ({parts[0]})")
        return f"{parts[3]}'s tariff on {parts[2]} soybeans{where}", True
    if len(parts) == 5 and parts[0] == "regimes" and parts[2] == "tariffs":
        return f"{parts[4]}'s tariff on {parts[3]} soybeans (regime {parts[1]})", True
    if len(parts) == 4 and parts[0] == "routes" and parts[3] == "tariff":
        return f"{parts[2]}'s baseline tariff on {parts[1]} soybeans", True
    if len(parts) == 3 and parts[1] == "export_taxes":
        return f"{parts[2]}'s export tax on soybeans", True
    if len(parts) == 4 and parts[1] in ("floors", "caps"):
        what = "purchase floor" if parts[1] == "floors" else "quantity cap"
        return f"{parts[3]}'s {what} on {parts[2]} soybeans", False
    if len(parts) == 3 and parts[0] == "inputs":
        return f"{parts[2]} of the random input {parts[1]}", False
    if len(parts) == 3 and parts[0] in ("importers", "exporters"):
        words = {"sigma": "Armington elasticity", "eta": "import demand elasticity",
                 "eps": "domestic demand elasticity", "kappa": "supply elasticity",
                 "production": "production", "fob_price": "FOB price"}
        return f"{parts[1]}'s {words.get(parts[2], parts[2])}", False
    return key, _is_rate(key)


def _marks_policy_rates(key):
    """True when the swept key is the tariff of POLICY_ROUTE (scenario, reference, regime
    or baseline), where POLICY_RATES mean something."""
    ex, im = POLICY_ROUTE
    return key.endswith(f"tariffs.{ex}.{im}") or key == f"routes.{ex}.{im}.tariff"


def _mark_policy_rates(ax, xmin, xmax):
    for rate, label in POLICY_RATES:
        x = rate * 100.0
        if xmin <= x <= xmax:
            ax.axvline(x, color="#8e24aa", lw=0.9, ls=":", zorder=0)
            ax.text(x, 0.99, " " + label, rotation=90, va="top", ha="right", fontsize=7,
                    color="#8e24aa", transform=ax.get_xaxis_transform())


class RunInfo:
    """What a file says about its run: scenario name, draws per point, seed, and the
    resolved configuration (a dict, {} when the file has none)."""

    def __init__(self, path):
        attrs = ar.file_attributes(path)
        self.path, self.draws, self.seed = path, attrs.get("draws"), attrs.get("seed")
        self.config = {}
        with h5py.File(path, "r") as f:
            if "config_yaml" in f:
                try:
                    self.config = yaml.safe_load(ar.h5_text(f["config_yaml"])) or {}
                except yaml.YAMLError:
                    self.config = {}
        scenario = self.config.get("scenario") if isinstance(self.config, dict) else None
        self.scenario = (scenario or {}).get("name") or os.path.basename(path)

    def title(self):
        """'Geneva truce 2025 (23 %): 2000 draws per point, seed 7'."""
        bits = [f"{self.draws} draws per point" if self.draws is not None else None,
                f"seed {self.seed}" if self.seed is not None else None]
        bits = ", ".join(b for b in bits if b)
        return f"{self.scenario}: {bits}" if bits else self.scenario

    def value_of(self, key):
        """The value of a dotted config key in the resolved configuration, following the
        inheritance scenario <- reference <- baseline route for tariffs; None if absent."""
        def get(path):
            node = self.config
            for part in path.split("."):
                if not isinstance(node, dict) or part not in node:
                    return None
                node = node[part]
            return node if isinstance(node, (int, float)) else None
        parts = key.split(".")
        tries = [key]
        if len(parts) == 4 and parts[0] in ("scenario", "reference") and parts[1] == "tariffs":
            tries += [f"reference.tariffs.{parts[2]}.{parts[3]}",
                      f"routes.{parts[2]}.{parts[3]}.tariff"]
        for t in tries:
            v = get(t)
            if v is not None:
                return float(v)
        return None


def policy_point(pds, info, at=None):
    """(point, why): the sweep point of the per-point charts. at: a value of the first
    swept key; default the scenario's own value of it; else the middle point."""
    n = pds.sizes["point"]
    sweeps = ar.sweep_dims(pds)
    if not sweeps:
        return 0, ""
    key = ar.sweep_label(pds, sweeps[0])
    values = pds[sweeps[0]].values.astype(float)
    target, why = at, "requested"
    if target is None:
        target, why = info.value_of(key), "the scenario's own policy"
    if target is None:
        return n // 2, "the middle sweep point"
    point = int(np.argmin(np.abs(values - target)))
    if values[point] != target:
        why += f", nearest to {_format_value(key, target)}"
    return point, why


def _format_value(key, v):
    return f"{v * 100:g} %" if human_key(key)[1] else f"{v:g}"


class Names:
    """The exporter, importer and rival the charts are about, checked against the file."""

    def __init__(self, ds, exporter, importer, rival):
        exporters = [str(v) for v in ds["exporter"].values]
        importers = [str(v) for v in ds["importer"].values]
        for what, name, have in (("exporter", exporter, exporters),
                                 ("importer", importer, importers),
                                 ("rival exporter", rival, exporters)):
            if name not in have:
                raise ar.ResultsError(f"{what} '{name}' is not in the file (have: "
                                      f"{', '.join(have)})")
        self.ex, self.im, self.rival, self.first = exporter, importer, rival, exporters[0]


def _units(ds, var):
    u = ds[var].attrs.get("units", "") if var in ds else ""
    return "" if u in ("", "1") else u


def _point_label(pds, point):
    """"China's tariff on US soybeans = 50 %" for a sweep point, "" for a single run."""
    parts = []
    for s in ar.sweep_dims(pds):
        key, v = ar.sweep_label(pds, s), float(pds[s].values[point])
        parts.append(f"{human_key(key)[0]} = {_format_value(key, v)}")
    return ", ".join(parts)


def _regimes(ds):
    return [str(r) for r in ds["regime"].values] if "regime" in ds.coords else []


def _is_rate(key):
    k = key.lower()
    return "tariff" in k or "tax" in k


# --- tariff response -----------------------------------------------------------------


def _fan(ax, x, q, color, label):
    """Median line and 90 % / 50 % bands from a (x, quantile) DataArray."""
    def at(level):
        return q.sel(quantile=level, method="nearest").values
    ax.fill_between(x, at(0.05), at(0.95), color=color, alpha=0.18, lw=0,
                    label=f"{label}: 90 % band (q05-q95)")
    ax.fill_between(x, at(0.25), at(0.75), color=color, alpha=0.38, lw=0,
                    label=f"{label}: 50 % band (q25-q75)")
    ax.plot(x, at(0.50), color=color, lw=2, label=f"{label}: median")


def _intervals(ax, labels, qs, color):
    """Box-like intervals per category (no sweep): 90 % whisker, 50 % box, median tick."""
    for i, q in enumerate(qs):
        def at(level):
            return float(q.sel(quantile=level, method="nearest"))
        ax.plot([i, i], [at(0.05), at(0.95)], color=color, lw=1.5,
                label="90 % interval" if i == 0 else None)
        ax.fill_between([i - 0.2, i + 0.2], at(0.25), at(0.75), color=color, alpha=0.4,
                        label="50 % interval" if i == 0 else None)
        ax.plot([i - 0.2, i + 0.2], [at(0.5)] * 2, color="black", lw=2,
                label="median" if i == 0 else None)
    ax.set_xticks(range(len(labels)), labels)


def plot_tariff_response(ds, names, path, info=None):
    """Two panels against the first swept key (or per scenario/regime without a sweep)."""
    panels = (("flow", {"exporter": names.ex, "importer": names.im},
               f"{names.ex} soybean exports to {names.im}", 1.0),
              ("share", {"exporter": names.rival, "importer": names.im},
               f"{names.rival}'s share of {names.im}'s soybean imports", 100.0))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    sweeps = [s for s in ar.sweep_dims(ds) if s in ds.dims]
    for ax, (form, region, title, scale) in zip(axes, panels):
        units = "%" if scale == 100.0 else _units(ds, f"{form}_q")
        ylabel = f"{title} ({units})" if units else title
        q = ds[f"{form}_q"].sel(region) * scale
        qref = ds[f"{form}_ref_q"].sel(region) * scale
        if sweeps:
            xdim = sweeps[0]
            others = {s: 0 for s in sweeps[1:]}
            q, qref = q.isel(others), qref.isel(others)
            key = ar.sweep_label(ds, xdim)
            words, is_rate = human_key(key)
            x = ds[xdim].values.astype(float)
            xlabel = words
            if is_rate:
                x, xlabel = x * 100.0, f"{words}, %"
            elif _units(ds, xdim):
                xlabel = f"{words}, {_units(ds, xdim)}"
            _fan(ax, x, q.transpose(xdim, "quantile"), SCEN, "scenario")
            ax.plot(x, qref.sel(quantile=0.5, method="nearest").values, color=REF, ls="--",
                    lw=1.5, label="reference: median")
            ax.set_xlabel(xlabel)
            if is_rate and _marks_policy_rates(key):
                _mark_policy_rates(ax, float(np.min(x)), float(np.max(x)))
            if others:
                fixed = ", ".join(f"{human_key(ar.sweep_label(ds, s))[0]} = "
                                  f"{_format_value(ar.sweep_label(ds, s), float(ds[s].values[0]))}"
                                  for s in others)
                ax.set_title(f"{title}\n({fixed})", fontsize=10)
            else:
                ax.set_title(title)
        else:
            labels, qs = ["reference", "scenario"], [qref.isel(point=0), q.isel(point=0)]
            if f"{form}_q_by_regime" in ds:
                qr = ds[f"{form}_q_by_regime"].sel(region).isel(point=0) * scale
                for r in _regimes(ds):
                    labels.append(f"regime:\n{r}")
                    qs.append(qr.sel(regime=r))
            _intervals(ax, labels, qs, SCEN)
            ax.set_xlabel("policy (no swept key in this file)")
            ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle("Response to the policy: Monte Carlo median and uncertainty bands"
                 + (f"\n{info.title()}" if info else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- distributions -------------------------------------------------------------------


def _draw_values(draws, form, point, region, regime_index=None):
    """Raw draws of a form (V, V_ref or V_change) at one point, optionally one regime."""
    base = form[:-len("_change")] if form.endswith("_change") else form
    if base not in draws:
        return None
    sel = {k: v for k, v in region.items() if k in draws[base].dims}
    x = draws[base].isel(point=point).sel(sel).values.astype(float)
    if form.endswith("_change"):
        x = x - draws[base + "_ref"].isel(point=point).sel(sel).values.astype(float)
    if regime_index is not None:
        x = x[draws["regime"].isel(point=point).values == regime_index]
    return x


def _distribution_row(ax_cdf, ax_hist, pds, draws, point, form, region, title, with_ref):
    one = dict(region, point=point)
    units = _units(pds, f"{form}_mean")
    xlabel = f"{title} ({units})" if units else title
    x, cdf = ar.hist_cdf(pds, form, **one)
    ax_cdf.plot(x, cdf, color=SCEN, lw=2, label="scenario (all regimes)")
    edges, dens = ar.hist_density(pds, form, **one)
    ax_hist.stairs(dens, edges, color=SCEN, lw=1.8, fill=True, alpha=0.35,
                   label="scenario (all regimes)")
    if with_ref and f"{form}_ref_hist" in pds:
        x, cdf = ar.hist_cdf(pds, f"{form}_ref", **one)
        ax_cdf.plot(x, cdf, color=REF, lw=2, ls="--", label="reference")
        e, d = ar.hist_density(pds, f"{form}_ref", **one)
        ax_hist.stairs(d, e, color=REF, lw=1.8, ls="--", label="reference")
    colors = plt.cm.Set2(np.linspace(0, 1, 8))
    for k, r in enumerate(_regimes(pds)):
        c = colors[k % 8]
        vals = _draw_values(draws, form, point, region, k) if draws is not None else None
        if vals is not None and vals.size:
            xs, ps = ar.empirical_cdf(vals)
            ax_cdf.plot(xs, ps, color=c, lw=1.4, label=f"regime: {r} (draws)")
            h, e = np.histogram(vals, bins=edges)
            ax_hist.stairs(h / (len(vals) * np.diff(e)), e, color=c, lw=1.4,
                           label=f"regime: {r} (draws)")
        elif f"{form}_q_by_regime" in pds:
            qv, qp = ar.quantile_cdf(pds, f"{form}_q_by_regime", regime=r, **one)
            ax_cdf.plot(qv, qp, color=c, lw=1.4, marker="o", ms=3,
                        label=f"regime: {r} (quantiles)")
            ax_hist.axvline(float(qv[len(qv) // 2]), color=c, lw=1.4, ls=":",
                            label=f"regime: {r} median")
    ax_cdf.set_xlabel(xlabel)
    ax_cdf.set_ylabel("cumulative probability")
    ax_cdf.set_ylim(0, 1)
    ax_cdf.set_title(f"{title}: CDF")
    ax_hist.set_xlabel(xlabel)
    ax_hist.set_ylabel(f"probability density (1/{units})" if units else "probability density")
    ax_hist.set_title(f"{title}: histogram")
    for ax in (ax_cdf, ax_hist):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")


def plot_distributions(pds, draws, names, point, path, info=None, why=""):
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    _distribution_row(axes[0, 0], axes[0, 1], pds, draws, point, "flow",
                      {"exporter": names.ex, "importer": names.im},
                      f"{names.ex} soybean exports to {names.im}", True)
    _distribution_row(axes[1, 0], axes[1, 1], pds, draws, point, "farm_revenue_change",
                      {"exporter": names.ex},
                      f"{names.ex} farm revenue change vs reference", False)
    label = _point_label(pds, point)
    if label and why:
        label += f" ({why})"
    fig.suptitle("Distributions over the Monte Carlo draws"
                 + (f"\n{info.title()}" if info else "") + (f"\nat {label}" if label else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- stoplight -----------------------------------------------------------------------


def match_threshold(threshold_names, exporter, importer, op, value):
    """Index of the file threshold that is "exporter -> importer flow <op> value" on
    scenario levels (judged from its name, e.g. "US -> China below 5 Mt"), else None."""
    for k, name in enumerate(threshold_names):
        low = name.lower()
        if exporter.lower() not in low or importer.lower() not in low:
            continue
        if any(word in low for word in OTHER_VARIABLES):
            continue
        m = re.search(r"\b(below|above)\s+([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)", low)
        if m and m.group(1) == op and abs(float(m.group(2)) - value) <= 1e-9 * max(1, abs(value)):
            return k
    return None


def stoplight_rows(pds, draws, names, lo, hi):
    """[(label, p_below_lo, p_between, p_above_hi)] for the reference, every point and
    every regime, and a word on where the numbers come from."""
    region = {"exporter": names.ex, "importer": names.im}
    tnames = [str(t) for t in pds["threshold"].values] if "threshold" in pds.coords else []
    i_lo = match_threshold(tnames, names.ex, names.im, "below", lo)
    i_hi = match_threshold(tnames, names.ex, names.im, "below", hi)
    i_up = match_threshold(tnames, names.ex, names.im, "above", hi)
    use_thr = i_lo is not None and (i_hi is not None or i_up is not None) \
        and "threshold_probability" in pds

    def from_thr(var, **sel):
        p = pds[var].isel(**sel)
        p_lo = float(p.isel(threshold=i_lo))
        p_up = float(p.isel(threshold=i_up)) if i_up is not None \
            else 1.0 - float(p.isel(threshold=i_hi))
        return p_lo, max(0.0, 1.0 - p_lo - p_up), p_up

    def from_hist(form, point):
        p_lo = ar.probability_below(pds, form, lo, point=point, **region)
        p_hi = ar.probability_below(pds, form, hi, point=point, **region)
        return p_lo, p_hi - p_lo, 1.0 - p_hi

    rows = [("reference", *from_hist("flow_ref", 0))]
    n_points = pds.sizes["point"]
    for p in range(n_points):
        label = _point_label(pds, p) if n_points > 1 else "scenario (all regimes)"
        rows.append((label, *(from_thr("threshold_probability", point=p) if use_thr
                              else from_hist("flow", p))))
    for k, r in enumerate(_regimes(pds)):
        if n_points > 1:
            break  # per-regime bars for a sweep would be one per (point, regime): too many
        if use_thr and "threshold_probability_by_regime" in pds:
            rows.append((f"regime: {r}",
                         *from_thr("threshold_probability_by_regime", point=0, regime=k)))
        elif draws is not None:
            v = _draw_values(draws, "flow", 0, region, k)
            if v is not None and v.size:
                rows.append((f"regime: {r}", np.mean(v < lo), np.mean((v >= lo) & (v <= hi)),
                             np.mean(v > hi)))
    source = "threshold probabilities in the file" if use_thr else \
        "summary histograms, interpolated within a bin"
    return rows, source


def plot_stoplight(pds, draws, names, lo, hi, path, info=None):
    rows, source = stoplight_rows(pds, draws, names, lo, hi)
    units = _units(pds, "flow_mean") or "Mt"
    fig, ax = plt.subplots(figsize=(10, max(3.6, 1.6 + 0.45 * len(rows))))
    y = np.arange(len(rows))[::-1]
    left = np.zeros(len(rows))
    legends = (f"below {lo:g} {units}", f"{lo:g} to {hi:g} {units}", f"above {hi:g} {units}")
    for j, (color, legend) in enumerate(zip((RED, YELLOW, GREEN), legends)):
        width = np.array([r[1 + j] for r in rows]) * 100.0
        ax.barh(y, width, left=left, color=color, edgecolor="white", label=legend)
        for yi, li, wi in zip(y, left, width):
            if wi >= 4.0:
                ax.text(li + wi / 2, yi, f"{wi:.0f} %", ha="center", va="center",
                        fontsize=8, color="black" if color == YELLOW else "white")
        left += width
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("probability (%)")
    ax.set_title(f"{names.ex} soybean exports to {names.im}: probability of each range\n"
                 + (f"{info.title()}\n" if info else "") + f"(from the {source})", fontsize=10)
    height = fig.get_size_inches()[1]
    fig.legend(loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.4 / height, 1, 1))   # keep 0.4 in at the bottom for it
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- FOB spread ----------------------------------------------------------------------


def plot_spread(pds, names, point, path, info=None, why=""):
    one = {"exporter": names.rival, "point": point}
    units = _units(pds, "fob_spread_mean") or "USD/t"
    xlabel = f"FOB price {names.first} minus {names.rival} ({units})"
    fig, (ax_h, ax_c) = plt.subplots(1, 2, figsize=(12, 4.8))
    for form, label, color, ls in (("fob_spread", "scenario", SCEN, "-"),
                                   ("fob_spread_ref", "reference", REF, "--")):
        edges, dens = ar.hist_density(pds, form, **one)
        ax_h.stairs(dens, edges, color=color, ls=ls, lw=1.8, fill=(form == "fob_spread"),
                    alpha=0.35 if form == "fob_spread" else 1.0, label=label)
        med = float(pds[f"{form}_q"].sel(exporter=names.rival).isel(point=point)
                    .sel(quantile=0.5, method="nearest"))
        ax_h.axvline(med, color=color, ls=":", lw=1.5, label=f"{label} median {med:.1f}")
        x, cdf = ar.hist_cdf(pds, form, **one)
        ax_c.plot(x, cdf, color=color, ls=ls, lw=2, label=label)
    ax_h.set_ylabel(f"probability density (1/{units})")
    ax_h.set_title("histogram")
    ax_c.set_ylabel("cumulative probability")
    ax_c.set_ylim(0, 1)
    ax_c.set_title("CDF")
    for ax in (ax_h, ax_c):
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    label = _point_label(pds, point)
    if label and why:
        label += f" ({why})"
    fig.suptitle(f"{names.first}-{names.rival} FOB price spread, scenario vs reference"
                 + (f"\n{info.title()}" if info else "") + (f"\nat {label}" if label else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- calendars ------------------------------------------------------------------------


def _period_fans(ax, pds, var, sel, point, title):
    """Scenario and reference fans of `var` along the period axis at one point."""
    periods = [str(p) for p in pds["period"].values]
    x = np.arange(len(periods))
    for form, color, label in (("", SCEN, "scenario"), ("_ref", REF, "reference")):
        q = pds[f"{var}{form}_q"].sel(**sel).isel(point=point)
        _fan(ax, x, q.transpose("period", "quantile"), color, label)
    step = max(1, len(periods) // 12)
    ax.set_xticks(x[::step], periods[::step], rotation=45, ha="right")
    ax.set_title(title)
    ax.set_ylabel(_units(pds, f"{var}_mean"))
    ax.grid(alpha=0.3)


def plot_seasons(pds, names, point, path):
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), sharey=True)
    for ax, ex in zip(axes, (names.ex, names.rival)):
        _period_fans(ax, pds, "flow", {"exporter": ex, "importer": names.im}, point,
                     f"{ex} -> {names.im} shipments by period")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(_point_label(pds, point) or "median, 50 % and 90 % bands over draws")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --- drivers: tornado and policy vs market ----------------------------------------------

Z90 = 1.6448536269514722   # Phi^-1(0.95): a 5-95 % range is +- Z90 standard deviations
TORNADO_BARS = 8


def _headline_values(names):
    """(title, variable stem, region selection) of the headline quantities."""
    ex, im, rival = names.ex, names.im, names.rival
    return [
        (f"exports {ex} -> {im}", "flow", {"exporter": ex, "importer": im}),
        (f"change of exports {ex} -> {im}", "flow_change", {"exporter": ex, "importer": im}),
        (f"share of {im}'s imports from {rival}", "share", {"exporter": rival, "importer": im}),
        (f"FOB price {ex}", "fob_price", {"exporter": ex}),
        (f"farm revenue {ex}", "farm_revenue", {"exporter": ex}),
        ("world welfare change", "welfare_total", {}),
    ]


def _input_ranges(draws, point):
    """{input name: "lo-hi"} 5-95 % of each sampled input, from /draws when present."""
    if draws is None:
        return {}
    out = {}
    for var in draws.data_vars:
        name = str(draws[var].attrs.get("input_name", ""))
        if var.startswith("input_") and not var.endswith("_z") and name:
            lo, hi = np.nanquantile(draws[var].isel(point=point).values, [0.05, 0.95])
            out[name] = f"{lo:.3g}-{hi:.3g}"
    return out


def tornado_bars(pds, sens, stem, region, point):
    """[(input, low, high)] largest first: the output's 5-95 % swing explained by each
    input. From the Sobol total indices when the file has them (+- Z90 sd(F) sqrt(ST)),
    else from the standardized regression coefficients (mean +- Z90 SRC sd(F))."""
    sd = float(pds[stem + "_sd"].isel(point=point).sel(**region))
    mean = float(pds[stem + "_mean"].isel(point=point).sel(**region))
    if sens is not None and stem + "_ST" in sens:
        st = sens[stem + "_ST"].isel(point=point).sel(**region)
        labels = [str(v) for v in sens["sobol_input"].values]
        half = Z90 * sd * np.sqrt(np.clip(st.values, 0, None))
        signs = np.ones_like(half)
    else:
        src = pds[stem + "_src_input"].isel(point=point).sel(**region)
        labels = [str(v) for v in pds["input"].values]
        half = Z90 * sd * np.abs(src.values)
        signs = np.sign(src.values)
    bars = [(lab, mean - s * h, mean + s * h, h) for lab, h, s in zip(labels, half, signs)
            if np.isfinite(h)]
    bars.sort(key=lambda b: -b[3])
    return [b[:3] for b in bars[:TORNADO_BARS]]


def plot_tornado(pds, sens, draws, names, point, path):
    """One tornado per headline quantity: how far each input's 5-95 % range moves it."""
    values = [v for v in _headline_values(names) if v[1] + "_src_input" in pds]
    ranges = _input_ranges(draws, point)
    fig, axes = plt.subplots(len(values), 1, figsize=(8, 2.2 * len(values)), squeeze=False)
    how = "Sobol total index" if sens is not None else "standardized regression coefficient"
    for ax, (title, stem, region) in zip(axes[:, 0], values):
        bars = tornado_bars(pds, sens, stem, region, point)
        mean = float(pds[stem + "_mean"].isel(point=point).sel(**region))
        for k, (lab, lo, hi) in enumerate(bars):
            ax.barh(k, hi - lo, left=lo, color=SCEN if hi >= lo else RED, height=0.6)
        ax.set_yticks(range(len(bars)))
        ax.set_yticklabels([f"{lab} ({ranges[lab]})" if lab in ranges else lab
                            for lab, _, _ in bars], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(mean, color=REF, lw=1)
        units = _units(pds, stem + "_mean")
        ax.set_title(f"{title}{' [' + units + ']' if units else ''}", fontsize=9)
    fig.suptitle(f"What drives the outcome: each input's 5-95 % range ({how})"
                 + (f"\n{_point_label(pds, point)}" if _point_label(pds, point) else ""),
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_stocks(pds, names, point, path):
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    panels = (("stock", {"exporter": names.ex}, f"{names.ex} stocks, end of period"),
              ("stock", {"exporter": names.rival}, f"{names.rival} stocks, end of period"),
              ("importer_stock", {"importer": names.im}, f"{names.im} stocks, end of period"))
    for ax, (var, sel, title) in zip(axes, panels):
        _period_fans(ax, pds, var, sel, point, title)
    axes[0].legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_variance_split(pds, names, point, path):
    """Policy (between regimes) vs market (within regimes) share of each headline
    quantity's variance: the law of total variance."""
    rows = []
    for title, stem, region in _headline_values(names):
        if stem + "_var_within_regimes" not in pds:
            continue
        w = float(pds[stem + "_var_within_regimes"].isel(point=point).sel(**region))
        b = float(pds[stem + "_var_between_regimes"].isel(point=point).sel(**region))
        if w + b > 0:
            rows.append((title, 100 * b / (w + b), 100 * w / (w + b)))
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(rows) + 1.5))
    y = np.arange(len(rows))
    ax.barh(y, [r[1] for r in rows], color=RED, label="policy (which regime happens)")
    ax.barh(y, [r[2] for r in rows], left=[r[1] for r in rows], color=SCEN,
            label="market (sampled inputs within a regime)")
    ax.set_yticks(y)
    ax.set_yticklabels([r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the variance over all draws (%)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Policy vs market uncertainty (law of total variance)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def driver_charts(path, pds, draws, names, point):
    """The driver charts the file supports: (name, draw function) pairs."""
    charts = []
    if "flow_src_input" in pds:
        try:
            sens = ar.open_results(path, group="sensitivity", unstack=False)
        except ar.ResultsError:
            sens = None
        charts.append(("tornado", lambda p: plot_tornado(pds, sens, draws, names, point, p)))
    if "flow_var_within_regimes" in pds:
        charts.append(("variance_split", lambda p: plot_variance_split(pds, names, point, p)))
    return charts


# --- command line --------------------------------------------------------------------


def make_plots(path, outdir="outputs", thresholds=(5.0, 15.0), exporter="US",
               importer="China", rival="Brazil", point=None, at=None):
    """Write the four charts; returns their paths. point: a sweep point index; at: a
    value of the first swept key (the nearest point); neither: the scenario's policy."""
    pds = ar.open_results(path, unstack=False)           # point axis, for per-point charts
    sweeps = ar.sweep_dims(pds)
    ds = ar.unstack_sweep(pds, sweeps) if sweeps else pds
    try:
        draws = ar.open_draws(path, unstack=False)
    except ar.ResultsError:
        draws = None
    names = Names(pds, exporter, importer, rival)
    info = RunInfo(path)
    n_points = pds.sizes["point"]
    if point is None:
        point, why = policy_point(pds, info, at)
    else:
        why = "requested"
    if not 0 <= point < n_points:
        raise ar.ResultsError(f"--point {point}: the file has points 0..{n_points - 1}")
    lo, hi = sorted(thresholds)
    os.makedirs(outdir, exist_ok=True)
    if "period" in pds.coords:   # a calendar: the charts along the period axis
        charts = (("seasons", lambda p: plot_seasons(pds, names, point, p)),
                  ("stocks", lambda p: plot_stocks(pds, names, point, p)))
    else:
        charts = (
            ("tariff_response", lambda p: plot_tariff_response(ds, names, p, info)),
            ("distributions", lambda p: plot_distributions(pds, draws, names, point, p, info, why)),
            ("stoplight", lambda p: plot_stoplight(pds, draws, names, lo, hi, p, info)),
            ("spread", lambda p: plot_spread(pds, names, point, p, info, why)),
        )
    charts = tuple(charts) + tuple(driver_charts(path, pds, draws, names, point))
    written, problems = [], []
    for name, chart in charts:
        png = os.path.join(outdir, name + ".png")
        try:
            chart(png)
            written.append(png)
        except KeyError as e:   # a variable the chart needs is not in the file
            plt.close("all")
            problems.append(f"{name}.png: variable or label {e} not in {path}")
    if draws is not None:
        draws.close()
    if problems:
        raise ar.ResultsError("; ".join(problems) + (
            f" (written: {', '.join(written)})" if written else ""))
    return written


def plot_cdf_overlay(paths, outdir="outputs", exporter="US", importer="China"):
    """cdf_overlay.png: the CDFs of exporter -> importer exports and of the exporter's farm
    revenue change of several files, each at its own policy point; returns its path."""
    fig, (ax_f, ax_r) = plt.subplots(1, 2, figsize=(13, 5))
    colors = plt.cm.tab10(np.linspace(0, 1, 10))
    units = {}
    for k, path in enumerate(paths):
        pds = ar.open_results(path, unstack=False)
        Names(pds, exporter, importer, exporter)
        info = RunInfo(path)
        point, _ = policy_point(pds, info)
        where = _point_label(pds, point)
        label = f"{info.scenario} ({info.draws} draws, seed {info.seed})" \
            + (f"\nat {where}" if where else "")
        for ax, form, region in ((ax_f, "flow", {"exporter": exporter, "importer": importer}),
                                 (ax_r, "farm_revenue_change", {"exporter": exporter})):
            x, cdf = ar.hist_cdf(pds, form, point=point, **region)
            ax.plot(x, cdf, color=colors[k % 10], lw=2, label=label)
            units[form] = _units(pds, f"{form}_mean")
        pds.close()
    for ax, form, title in ((ax_f, "flow", f"{exporter} soybean exports to {importer}"),
                            (ax_r, "farm_revenue_change",
                             f"{exporter} farm revenue change vs reference")):
        ax.set_xlabel(f"{title}, {units[form]}" if units.get(form) else title)
        ax.set_ylabel("cumulative probability")
        ax.set_ylim(0, 1)
        ax.set_title(f"{title}: CDF")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(f"Scenarios compared: {len(paths)} files, each at its own policy")
    fig.tight_layout()
    os.makedirs(outdir, exist_ok=True)
    png = os.path.join(outdir, "cdf_overlay.png")
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Standard charts (PNG) of an agtrade output file.",
        epilog="Charts: tariff_response.png, distributions.png, stoplight.png, spread.png "
               "(one file; for a calendar scenario seasons.png, stocks.png), tornado.png, "
               "variance_split.png (when the file has what they need); cdf_overlay.png "
               "(several)")
    ap.add_argument("files", nargs="+", metavar="file",
                    help="agtrade output file (.h5); several: their CDFs overlaid")
    ap.add_argument("--outdir", default="outputs", help="directory for the PNGs (outputs)")
    ap.add_argument("--thresholds", default="5,15",
                    help="lower,upper export thresholds for the stoplight chart, in Mt (5,15)")
    ap.add_argument("--exporter", default="US")
    ap.add_argument("--importer", default="China")
    ap.add_argument("--rival", default="Brazil", help="competing exporter (Brazil)")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--point", type=int, default=None,
                       help="sweep point of the per-point charts (default: the point of "
                            "the scenario's own policy)")
    where.add_argument("--at", type=float, default=None,
                       help="the sweep point nearest this value of the first swept key "
                            "(its own units: 0.23 for a 23 %% tariff)")
    a = ap.parse_args(argv)
    try:
        thresholds = [float(t) for t in a.thresholds.split(",")]
        if len(thresholds) != 2 or thresholds[0] == thresholds[1]:
            raise ValueError
    except ValueError:
        ap.error(f"--thresholds wants two different numbers LOW,HIGH (got '{a.thresholds}')")
    try:
        if len(a.files) > 1:
            paths = [plot_cdf_overlay(a.files, a.outdir, a.exporter, a.importer)]
        else:
            paths = make_plots(a.files[0], a.outdir, thresholds, a.exporter, a.importer,
                               a.rival, a.point, a.at)
    except (ar.ResultsError, FileNotFoundError, KeyError) as e:
        print(f"plots.py: {e}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
