"""agtrade_results - load agtrade output files (HDF5, netCDF-4 compatible) into xarray.

The file layout is the contract in sim/README.md: root coordinates (point, draw,
exporter, importer, quantile, regime, threshold, hist_bin, hist_edge and one
`sweep_<key>` variable per swept configuration key), group /summary with the statistics
(`<F>_mean`, `<F>_q`, `<F>_hist`, ... for each form F in V, V_ref, V_change) and, with
`agtrade run --raw-draws`, group /draws with every draw.

Import it with Debian's Python (`/usr/bin/python3`) after putting sim/python on the path:

    PYTHONPATH=sim/python /usr/bin/python3 my_script.py          # from the repository root
    # or, inside a script or notebook:
    import sys; sys.path.insert(0, "/path/to/agtrade/sim/python")
    import agtrade_results as ar

    ds = ar.open_results("outputs/tariff-sweep.h5")             # /summary, sweep unstacked
    ds["flow_q"].sel(exporter="US", importer="China", quantile=0.5)

pandas.read_hdf() cannot read these files: it only reads files written by pandas
(PyTables layout). Go through xarray instead: `to_dataframe(ds, "flow_mean")` or
`ds["flow_mean"].to_dataframe()`.
"""
import warnings

import h5py
import numpy as np
import xarray as xr

__all__ = [
    "ResultsError", "open_results", "open_draws", "to_dataframe", "summary_table",
    "sweep_dims", "sweep_label", "unstack_sweep", "file_attributes", "hist_cdf", "hist_density",
    "probability_below", "quantile_cdf", "empirical_cdf", "h5_text", "ROOT_DIMS",
]

ROOT_DIMS = ("point", "draw", "exporter", "importer", "quantile", "regime", "threshold",
             "hist_bin", "hist_edge", "input")
SWEEP_PREFIX = "sweep_"
NC_DIM_ONLY = "This is a netCDF dimension but not a netCDF variable."   # <name>_strlen


class ResultsError(ValueError):
    """A file that is not a complete agtrade output file, or a request it cannot answer."""


def _to_str(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _to_str(value[()])
    return value


def h5_text(dataset):
    """The text of an h5py dataset agtrade wrote: a list of str for a label coordinate
    (exporter, importer, period, regime, input, ...), one str for config_yaml.

    Files of this version store text as netCDF character arrays (1-byte characters along
    a last axis `<name>_strlen`, NUL-padded, UTF-8), which h5py returns as an array of
    single bytes; older files stored variable-length strings. Both are read. xarray and
    netCDF4 decode either by themselves (open_results)."""
    data = dataset[()]
    if isinstance(data, np.ndarray) and data.dtype.kind == "S" and data.dtype.itemsize == 1 \
            and data.ndim >= 1:
        rows = data.reshape(-1, data.shape[-1])
        texts = [r.tobytes().split(b"\0", 1)[0].decode("utf-8") for r in rows]
        return texts[0] if data.ndim == 1 else texts
    if isinstance(data, np.ndarray):
        return [_to_str(x) if isinstance(x, bytes) else str(x) for x in data.ravel()]
    return _to_str(data)


def file_attributes(path):
    """Root attributes of an output file as a dict of plain Python values."""
    with h5py.File(path, "r") as f:
        attrs = {k: _to_str(v) for k, v in f.attrs.items()}
        for k, v in attrs.items():
            if isinstance(v, np.generic):
                attrs[k] = v.item()
    return attrs


def _check_file(path, group):
    """Raise ResultsError unless the file is complete and holds `group`."""
    try:
        f = h5py.File(path, "r")
    except FileNotFoundError:
        raise
    except OSError as e:
        raise ResultsError(f"{path}: not an HDF5 file agtrade can read ({e})") from None
    with f:
        try:   # listing the attributes reads the object header, and checks its checksum
            complete = f.attrs["complete"] if "complete" in list(f.attrs) else None
        except (KeyError, OSError, RuntimeError) as e:
            raise ResultsError(f"{path}: checksum error in the attributes of /: the file is "
                               f"corrupt ({e})") from None
        if complete is None:
            raise ResultsError(f"{path}: no 'complete' attribute: not an agtrade output "
                               "file, or one whose writer was stopped before the end")
        if int(np.asarray(complete).ravel()[0]) != 1:
            raise ResultsError(f"{path}: partial results (complete = {int(complete)}): the "
                               "run was interrupted or is still being written; rerun it or "
                               "merge its shards before loading")
        damaged = _damaged_chunk_index(f)
        if damaged:
            raise ResultsError(f"{path}: checksum error in /{damaged}: the file is corrupt "
                               "(its chunk index is damaged)")
        if group not in (None, "", "/"):
            name = group.strip("/")
            if not isinstance(f.get(name), h5py.Group):
                have = sorted(k for k, v in f.items() if isinstance(v, h5py.Group))
                hint = " (write it with `agtrade run --raw-draws`)" if name == "draws" else ""
                raise ResultsError(f"{path}: no group /{name}{hint}; groups in the file: "
                                   f"{', '.join('/' + h for h in have) or 'none'}")


def _damaged_chunk_index(f):
    """The first chunked dataset whose chunks are not all there, once, at their own
    place and found there by the lookup a read makes, or None. Fletcher-32 guards the
    chunks but not their index: a flipped bit in a chunk's key would make HDF5 read the
    fill value without an error. (As in the C reader, sim/h5out.c: every dataset agtrade
    writes is written whole.) The lookup reads each chunk's bytes, so it is skipped for
    the large /draws group, which gets the walk of the index only."""
    found = []

    def visit(name, obj):
        if found or not isinstance(obj, h5py.Dataset) or obj.chunks is None or \
                _to_str(obj.attrs.get("NAME", "")).startswith(NC_DIM_ONLY):
            return
        expected = int(np.prod([-(-n // c) for n, c in zip(obj.shape, obj.chunks)]))
        n = obj.id.get_num_chunks()
        for i in range(n if n == expected else 0):
            info = obj.id.get_chunk_info(i)
            if any(o >= s or o % c for o, s, c in zip(info.chunk_offset, obj.shape, obj.chunks)):
                break
            if not name.startswith("draws/"):   # the lookup a read makes (reads the chunk)
                try:
                    obj.id.read_direct_chunk(info.chunk_offset)
                except (OSError, RuntimeError, ValueError):
                    break
        else:
            if n == expected:
                return
        found.append(name)

    f.visititems(visit)
    return found[0] if found else None


def _corrupt_dataset(path):
    """The first dataset of the file whose read fails (agtrade writes every numeric
    dataset with HDF5's Fletcher-32 checksum), or None."""
    bad = []

    def visit(name, obj):
        if bad or not isinstance(obj, h5py.Dataset):
            return
        try:
            obj[()]
        except OSError as e:
            bad.append((name, e))

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return bad[0] if bad else None


def _checksum_error(path):
    """ResultsError naming the corrupt dataset when there is one, else None."""
    found = _corrupt_dataset(path)
    if found is None:
        return None
    name, e = found
    what = "checksum error" if "Fletcher32" in str(e) or "filter" in str(e) else "read error"
    return ResultsError(f"{path}: {what} in /{name}: the file is corrupt ({e})")


def sweep_dims(ds):
    """Names of the swept-key variables (`sweep_<key>`), in file order."""
    return [name for name in ds.variables
            if name.startswith(SWEEP_PREFIX) or "sweep_key" in ds[name].attrs]


def sweep_label(ds, name):
    """Human label of a swept variable: its `sweep_key` attribute, else the name."""
    return ds[name].attrs.get("sweep_key", name[len(SWEEP_PREFIX):]
                              if name.startswith(SWEEP_PREFIX) else name)


def unstack_sweep(ds, sweeps=None):
    """Replace `point` by one dimension per swept key (see open_results)."""
    sweeps = sweep_dims(ds) if sweeps is None else sweeps
    if not sweeps or "point" not in ds.dims:
        return ds
    attrs = {s: dict(ds[s].attrs) for s in sweeps}
    if len(sweeps) == 1:
        # set_index/unstack needs at least two levels; one key is a plain dimension swap.
        ds = ds.swap_dims({"point": sweeps[0]})
    else:
        ds = ds.drop_vars("point").set_index(point=sweeps).unstack("point")
    for s in sweeps:
        ds[s].attrs.update(attrs[s])
    # unstack appends the new dimensions; put the sweep first, where `point` was.
    return ds.transpose(*sweeps, ...)


def _auto_engine(path):
    """netcdf4 (the netCDF-C library) opens files with many variables about ten times
    faster than h5netcdf, which resolves every dimension scale through h5py; h5netcdf
    is the fallback when netCDF4 is not installed or refuses the file."""
    try:
        import netCDF4
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            netCDF4.Dataset(path, "r").close()
        return "netcdf4"
    except Exception:   # noqa: BLE001 - any refusal means: use the other reader
        return "h5netcdf"


def open_results(path, group="summary", *, engine="auto", unstack=True, load=True):
    """Open one group of an agtrade output file as an xarray.Dataset.

    The group's variables are merged with the root coordinates (exporter, importer,
    quantile, regime, threshold, ...) and the `sweep_<key>` variables; the root
    attributes (seed, draws, git_commit, ...) become the dataset's attributes and the
    resolved configuration is in attrs["config_yaml"]. With unstack=True and swept keys,
    the `point` dimension is replaced by one dimension per swept key (named
    `sweep_<key>`, with its `sweep_key` attribute kept): select with
    `ds.sel({"sweep_scenario.tariffs.US.China": 0.5}, method="nearest")`. Without swept
    keys `point` stays (length 1 for a single run).

    group: "summary" (default), "draws", or None / "/" for the root only.
    engine: "netcdf4" (the netCDF-C library), "h5netcdf" (h5py underneath) or "auto"
    (default: netcdf4 when it can open the file - much faster on files with many
    variables - else h5netcdf).
    load: read the values into memory and close the file (False keeps it lazy, for
    large /draws groups).
    Raises FileNotFoundError, or ResultsError for a partial file (attribute
    `complete` != 1), a missing group, or a corrupt file (a failed checksum; with
    load=False it surfaces only when the values are read).
    """
    _check_file(path, group)
    try:
        return _open_results(path, group, engine, unstack, load)
    except (OSError, RuntimeError):   # netCDF-C says only "NetCDF: HDF error"
        clear = _checksum_error(path)
        if clear is None:
            raise
        raise clear from None


def _open_results(path, group, engine, unstack, load):
    if engine == "auto":
        engine = _auto_engine(path)
    root = xr.open_dataset(path, engine=engine)
    if group in (None, "", "/"):
        ds = root
    else:
        ds = xr.open_dataset(path, group=group.strip("/"), engine=engine)
        coords = {name: root[name] for name in root.coords if name in ROOT_DIMS
                  and name in ds.dims}
        ds = ds.assign_coords(coords)
    for name in ("exporter", "importer", "regime", "threshold", "input"):
        if name in ds.coords and ds[name].dtype.kind == "S":   # fixed-length strings
            ds = ds.assign_coords({name: ds[name].astype(str)})
    sweeps = sweep_dims(root)
    if sweeps and "point" in ds.dims:
        ds = ds.assign_coords({s: root[s] for s in sweeps})
    attrs = dict(root.attrs)
    if "config_yaml" in root.variables:
        attrs["config_yaml"] = _to_str(root["config_yaml"].values)
    if ds is root:
        ds = ds.drop_vars("config_yaml", errors="ignore")
    attrs.update(ds.attrs)
    ds.attrs = attrs
    if load:
        ds = ds.load()
        root.close()
        ds.close()
    if unstack and sweeps and "point" in ds.dims:
        ds = unstack_sweep(ds, sweeps)
    return ds


def open_draws(path, *, engine="auto", unstack=True, load=False):
    """The raw draws (/draws, written by `agtrade run --raw-draws`): V(point, draw,
    region...), V_ref, regime, status, iterations. Lazy by default (it can be large).
    Raises ResultsError when the file has no /draws group."""
    return open_results(path, "draws", engine=engine, unstack=unstack, load=load)


def to_dataframe(ds, var, tidy=True):
    """One variable as a pandas DataFrame, one row per cell, e.g.

        to_dataframe(ds, "flow_mean")  ->  columns exporter, importer, flow_mean
                                           (plus the swept keys or point)

    tidy=False keeps the dimensions as a MultiIndex. This is the pandas route: the files
    are not PyTables files, so pandas.read_hdf() cannot open them.
    """
    if var not in ds.variables:
        raise ResultsError(f"no variable '{var}' (have e.g. "
                           f"{', '.join(list(ds.data_vars)[:8])}, ...)")
    da = ds[var]
    extra = [c for c in da.coords if c not in da.dims]
    df = da.drop_vars(extra).to_dataframe(name=var)
    return df.reset_index() if tidy else df


def _select(da, region):
    sel = {k: v for k, v in region.items() if v is not None and k in da.dims}
    return da.sel(sel)


def hist_cdf(ds, form, **region):
    """Piecewise-linear CDF of `form` (e.g. "flow", "flow_ref", "farm_revenue_change")
    from its summary histogram, for one cell (region= exporter/importer/point/sweep
    selections that leave a single histogram). Under- and overflow counts are spread
    linearly between the minimum (maximum) and the outer edge. Returns (x, F)."""
    counts = _select(ds[f"{form}_hist"], region).values.astype(float)
    edges = _select(ds[f"{form}_hist_edges"], region).values.astype(float)
    if counts.ndim != 1:
        raise ResultsError(f"{form}_hist: selection {region} leaves shape {counts.shape}; "
                           "select one exporter/importer/point")
    under = float(_select(ds[f"{form}_hist_underflow"], region).values) \
        if f"{form}_hist_underflow" in ds else 0.0
    over = float(_select(ds[f"{form}_hist_overflow"], region).values) \
        if f"{form}_hist_overflow" in ds else 0.0
    total = counts.sum() + under + over
    if total <= 0:
        raise ResultsError(f"{form}_hist: no draws in selection {region}")
    x = list(edges)
    cum = list((under + np.concatenate([[0.0], np.cumsum(counts)])) / total)
    if under > 0:
        lo = float(_select(ds[f"{form}_min"], region).values) if f"{form}_min" in ds \
            else edges[0] - (edges[1] - edges[0])
        x.insert(0, min(lo, edges[0]))
        cum.insert(0, 0.0)
    if over > 0:
        hi = float(_select(ds[f"{form}_max"], region).values) if f"{form}_max" in ds \
            else edges[-1] + (edges[-1] - edges[-2])
        x.append(max(hi, edges[-1]))
        cum.append(1.0)
    return np.asarray(x), np.asarray(cum)


def hist_density(ds, form, **region):
    """(edges, density) of `form` from its summary histogram: counts / (total draws x
    bin width), so that the bars integrate to the share of draws inside the edges."""
    counts = _select(ds[f"{form}_hist"], region).values.astype(float)
    edges = _select(ds[f"{form}_hist_edges"], region).values.astype(float)
    total = counts.sum()
    for extra in ("underflow", "overflow"):
        if f"{form}_hist_{extra}" in ds:
            total += float(_select(ds[f"{form}_hist_{extra}"], region).values)
    widths = np.diff(edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(widths > 0, counts / (max(total, 1.0) * widths), 0.0)
    return edges, density


def probability_below(ds, form, value, **region):
    """P(form < value) for one cell, interpolated in the summary histogram."""
    x, cdf = hist_cdf(ds, form, **region)
    return float(np.interp(value, x, cdf, left=0.0, right=1.0))


def quantile_cdf(ds, var, **region):
    """(values, probabilities) from a quantile variable (`<F>_q` or `<F>_q_by_regime`
    with a regime selected): points of the CDF at the stored quantile levels."""
    da = _select(ds[var], region)
    if da.ndim != 1:
        raise ResultsError(f"{var}: selection {region} leaves dims {da.dims}")
    return da.values.astype(float), ds["quantile"].values.astype(float)


def empirical_cdf(values):
    """(sorted values, probabilities) of raw draws (NaN dropped)."""
    v = np.sort(np.asarray(values, float).ravel())
    v = v[np.isfinite(v)]
    return v, np.arange(1, v.size + 1) / max(v.size, 1)


# The headline rows of summary_table(): (label, form, region selection).
HEADLINES = (
    ("{ex} -> {im} exports (Mt)", "flow", {"exporter": "{ex}", "importer": "{im}"}),
    ("{rival} share of {im} imports", "share", {"exporter": "{rival}", "importer": "{im}"}),
    ("{ex} farm revenue change (bn USD)", "farm_revenue_change", {"exporter": "{ex}"}),
    ("FOB spread {first} - {rival} (USD/t)", "fob_spread", {"exporter": "{rival}"}),
    ("world welfare change (bn USD)", "welfare_total", {}),
)


def summary_table(path, exporter="US", importer="China", rival="Brazil"):
    """A pandas DataFrame of headline results: one row per (quantity, sweep point) with
    the scenario mean, sd, 5 %, 50 % and 95 % quantiles, and the reference median where
    the quantity has one. Quantities absent from the file are skipped."""
    import pandas as pd
    ds = open_results(path, unstack=False)
    first = str(ds["exporter"].values[0]) if "exporter" in ds.coords else ""
    names = dict(ex=exporter, im=importer, rival=rival, first=first)
    sweeps = sweep_dims(ds)
    rows = []
    for label, form, region in HEADLINES:
        if f"{form}_mean" not in ds:
            continue
        sel = {k: v.format(**names) for k, v in region.items()}
        try:
            cell = ds.sel(sel)
        except KeyError:
            continue
        for p in range(ds.sizes["point"]):
            row = {"quantity": label.format(**names), "point": p}
            for s in sweeps:
                row[sweep_label(ds, s)] = float(ds[s].values[p])
            q = cell[f"{form}_q"].isel(point=p)
            row.update(mean=float(cell[f"{form}_mean"].isel(point=p)),
                       sd=float(cell[f"{form}_sd"].isel(point=p)),
                       q05=float(q.sel(quantile=0.05, method="nearest")),
                       median=float(q.sel(quantile=0.5, method="nearest")),
                       q95=float(q.sel(quantile=0.95, method="nearest")))
            if f"{form}_ref_q" in cell:
                row["ref_median"] = float(cell[f"{form}_ref_q"].isel(point=p)
                                          .sel(quantile=0.5, method="nearest"))
            rows.append(row)
    return pd.DataFrame(rows)
