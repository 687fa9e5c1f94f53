#!/usr/bin/env bash
# End-to-end check of sim/h5out: the fixture written by build/tests/test_h5out
# (H5OUT_FIXTURE mode) must open with h5py, with xarray through both netCDF engines
# (root, /summary and /draws, no phony dimensions, right names and values) and with
# ncdump. Run from the repository root (tests/run-all does). BUILD selects the build.
set -u
BUILD=${BUILD:-build}
die() { echo "e2e_h5out: $*" >&2; exit 1; }

# Built by make test / make asan; built here (plain flags) only when missing.
[ -x "$BUILD/tests/test_h5out" ] || make -s "$BUILD/tests/test_h5out" >/dev/null ||
    die "cannot build $BUILD/tests/test_h5out"
dir=$(mktemp -d) || die "mktemp failed"
trap 'rm -rf "$dir"' EXIT
fixture="$dir/fixture.h5"
H5OUT_FIXTURE="$fixture" "$BUILD/tests/test_h5out" || die "writing the fixture failed"
[ -f "$fixture" ] || die "no fixture at $fixture"
ls "$dir" | grep -q '\.tmp\.' && die "temporary file left next to $fixture"

command -v ncdump >/dev/null || die "ncdump missing (Debian package netcdf-bin)"
ncdump -h "$fixture" >"$dir/header.cdl" 2>"$dir/ncdump.err" ||
    die "ncdump -h failed: $(cat "$dir/ncdump.err")"
grep -q 'phony' "$dir/header.cdl" && die "ncdump shows phony dimensions"
grep -q 'double flow(point, draw, exporter)' "$dir/header.cdl" ||
    die "ncdump does not show draws/flow(point, draw, exporter)"
grep -q 'lag = 3 ;' "$dir/header.cdl" || die "ncdump lacks the length-only dimension lag"
# text is a character array (NC_CHAR): ncdump prints its UTF-8 bytes in octal
grep -q 'char exporter(exporter, exporter_strlen) ;' "$dir/header.cdl" ||
    die "ncdump does not show the character array exporter(exporter, exporter_strlen)"
grep -q 'char config_yaml(config_yaml_strlen) ;' "$dir/header.cdl" ||
    die "ncdump does not show the character array config_yaml(config_yaml_strlen)"
grep -q 'string ' "$dir/header.cdl" && die "ncdump shows a variable-length string (NC_STRING)"
ncdump -v exporter "$fixture" | grep -qF '"S\303\243o Paulo \342\230\203"' ||
    die "ncdump: UTF-8 exporter name wrong"

PYTHONPATH=sim/python /usr/bin/python3 - "$fixture" <<'EOF' || die "python checks failed"
import math, sys
import numpy as np, h5py, netCDF4, xarray as xr
import agtrade_results as ar

path = sys.argv[1]
P, D, E, I, B, L = 3, 70001, 4, 2, 5, 3
exporters = ["Estados Unidos", "Brasil", "Argentina", "São Paulo ☃"]
quantiles = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]

def value_at(i, salt):   # tests/test_h5out.c's formula; numpy's sin may differ by an ulp
    i = np.asarray(i, dtype=np.float64)
    return np.sin(i * 1.7320508 + salt) * 123.456789 + i * 0.0012345 + salt

def close(a, b):   # bitwise equality is checked by the C suite
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-13, atol=1e-11)

def check(cond, what):
    if not cond:
        sys.exit("e2e_h5out: " + what)

with h5py.File(path, "r") as f:
    check(f.attrs["complete"] == 1, "h5py: complete != 1")
    check(f.attrs["seed"] == 18446744073709551557, "h5py: seed")
    check(f["summary/flow_mean"].dims[2][0].name == "/importer", "h5py: flow_mean dim 2 scale")
    check(f["draws/flow"].chunks is not None and f["draws/flow"].compression == "gzip",
          "h5py: draws/flow is not chunked + deflated")
    chunk_bytes = np.prod(f["draws/flow"].chunks) * 8
    check(0.5 * 2**20 <= chunk_bytes <= 2**20, f"h5py: chunk of {chunk_bytes} bytes")
    check(ar.h5_text(f["config_yaml"]).startswith("seed: 20240611"), "h5py: config_yaml")
    # text: netCDF character arrays, the coordinate its own 2-D dimension scale with the
    # axes named by dimension number (_Netcdf4Coordinates, _Netcdf4Dimid on every scale)
    ex = f["exporter"]
    width = max(len(x.encode()) for x in exporters)
    check(ex.dtype == np.dtype("S1") and ex.shape == (E, width), f"h5py: exporter {ex.dtype} {ex.shape}")
    check(ex.attrs["_Encoding"] == b"utf-8", "h5py: exporter _Encoding")
    ids = {n: int(f[n].attrs["_Netcdf4Dimid"]) for n in f if "_Netcdf4Dimid" in f[n].attrs}
    check(sorted(ids.values()) == list(range(len(ids))) and len(ids) == 12, f"h5py: dimids {ids}")
    check(list(ex.attrs["_Netcdf4Coordinates"]) == [ids["exporter"], ids["exporter_strlen"]],
          "h5py: exporter _Netcdf4Coordinates")
    check(f["exporter_strlen"].shape == (width,), "h5py: exporter_strlen")
    check(ar.h5_text(ex) == exporters and ar.h5_text(f["summary/exporter"]) == exporters and
          ar.h5_text(f["draws/exporter"]) == exporters, "h5py: exporter labels")
    sx = f["summary/exporter"]
    check([sx.dims[k][0].name for k in (0, 1)] == ["/exporter", "/exporter_strlen"],
          "h5py: summary/exporter attached to /exporter and /exporter_strlen")
    check(f["exporter"].id.get_create_plist().get_filter(0)[0] == h5py.h5z.FILTER_FLETCHER32,
          "h5py: exporter without a checksum")
    check(f["config_yaml"].ndim == 1 and f["config_yaml"].dims[0][0].name == "/config_yaml_strlen",
          "h5py: config_yaml along config_yaml_strlen")

nc = netCDF4.Dataset(path)
check(list(nc["exporter"][:]) == exporters and nc["exporter"].dimensions ==
      ("exporter", "exporter_strlen"), "netCDF4: exporter")
check(list(nc["summary"]["importer"][:]) == ["China", "rest of world"], "netCDF4: summary/importer")
check(str(nc["config_yaml"][:]).startswith("seed: 20240611"), "netCDF4: config_yaml")
nc.close()

for engine in ("h5netcdf", "netcdf4"):
    kw = {"phony_dims": None} if engine == "h5netcdf" else {}
    root = xr.open_dataset(path, engine=engine, **kw)
    check(root.attrs["complete"] == 1, f"{engine}: root complete")
    check(root.attrs["agtrade_version"] == "0.1.0-ü", f"{engine}: agtrade_version")
    for d, n in (("point", P), ("draw", D), ("exporter", E), ("importer", I),
                 ("quantile", 9), ("regime", 2), ("hist_bin", B)):
        check(root.sizes.get(d) == n, f"{engine}: root dimension {d} size {root.sizes.get(d)}")
    check(list(root["exporter"].values) == exporters, f"{engine}: exporter names")
    check(np.array_equal(root["draw"].values, np.arange(D)), f"{engine}: draw coordinate")
    check(np.array_equal(root["quantile"].values, quantiles), f"{engine}: quantile values")
    check(root["sweep_tariff_us"].dims == ("point",), f"{engine}: sweep dims")
    check(root["sweep_tariff_us"].attrs["sweep_key"] == "policy.tariff.us", f"{engine}: sweep_key")
    check(str(root["config_yaml"].values).startswith("seed: 20240611"), f"{engine}: config_yaml")
    check(not any(str(d).startswith("phony") for d in root.dims), f"{engine}: phony dims in root")

    s = xr.open_dataset(path, engine=engine, group="summary", **kw)
    check(not any(str(d).startswith("phony") for d in s.dims), f"{engine}: phony dims {dict(s.sizes)}")
    fm = s["flow_mean"]
    check(fm.dims == ("point", "exporter", "importer"), f"{engine}: flow_mean dims {fm.dims}")
    check(fm.attrs["units"] == "Mt" and fm.attrs["long_name"] == "mean flow", f"{engine}: attrs")
    check(close(fm.values.ravel(), value_at(np.arange(P * E * I), 2.385)),
          f"{engine}: flow_mean values")
    check(list(fm["exporter"].values) == exporters, f"{engine}: summary exporter coordinate")
    check(s["flow_q"].dims == ("point", "exporter", "quantile"), f"{engine}: flow_q dims")
    check(s["flow_q"].attrs["quantile_error_bound"] == 0.0421875, f"{engine}: error bound")
    check(s["flow_hist"].dtype == np.int64, f"{engine}: flow_hist dtype {s['flow_hist'].dtype}")
    check(s["regime_draws"].dtype == np.int32 and s["regime_draws"].dims == ("point", "regime"),
          f"{engine}: regime_draws")
    check(s["lagged"].dims == ("point", "lag") and "lag" not in s.coords,
          f"{engine}: length-only dimension lag")
    check(s.sel(exporter="Brasil", importer="China")["flow_mean"].sizes == {"point": P},
          f"{engine}: selecting by coordinate label")

    dr = xr.open_dataset(path, engine=engine, group="draws", **kw)
    check(dr["flow"].dims == ("point", "draw", "exporter"), f"{engine}: draws/flow dims")
    check(close(dr["flow"].values.ravel(), value_at(np.arange(P * D * E), 0.577)),
          f"{engine}: draws/flow values")
    check(dr["status"].dtype == np.int32, f"{engine}: status dtype {dr['status'].dtype}")
    check(np.array_equal(dr["draw"].values, np.arange(D)), f"{engine}: draws/draw copy")
    check(dr.sel(exporter="Argentina")["flow"].sizes == {"point": P, "draw": D},
          f"{engine}: selecting a draws exporter by label")
    check(dr["regime"].dims == ("point", "draw") and dr["regime"].dtype == np.int32,
          f"{engine}: draws/regime (named like the root dimension regime)")
    for ds in (root, s, dr):
        ds.close()
print("e2e_h5out: h5py, xarray (h5netcdf, netcdf4) and ncdump read the fixture")
EOF

# Raw draws of a real run (the streams' chunks are compressed on the run's threads and
# written with H5Dwrite_chunk): -j 1 and -j 2 give the same values and the same stored
# chunk bytes in every /draws variable; the file reads with ncdump and xarray. A sweep
# of 2 points x 3000 draws puts both points in one chunk of the region variables; 20000
# draws span several of the engine's chunks and several chunks of every stream.
AGTRADE=${AGTRADE:-bin/agtrade}
[ -x "$AGTRADE" ] || die "no $AGTRADE (make first)"
for j in 1 2; do
    "$AGTRADE" run configs/default.yaml -q -n 3000 -s 5 -j $j --raw-draws \
        --sweep scenario.tariffs.US.China=0.1,0.3 -o "$dir/sweep-j$j.h5" ||
        die "run --raw-draws -j $j (sweep) failed"
    "$AGTRADE" run configs/default.yaml -q -n 20000 -s 5 -j $j --raw-draws \
        -o "$dir/long-j$j.h5" || die "run --raw-draws -j $j failed"
done
ncdump -v status "$dir/long-j2.h5" >/dev/null 2>"$dir/ncdump.err" ||
    ncdump -h "$dir/long-j2.h5" | grep -q 'int status(point, draw)' ||
    die "ncdump cannot read the raw draws: $(cat "$dir/ncdump.err")"
/usr/bin/python3 - "$dir" <<'EOF' || die "raw draws differ between -j 1 and -j 2"
import sys
import numpy as np, h5py, xarray as xr

d = sys.argv[1]
for name in ("sweep", "long"):
    with h5py.File(f"{d}/{name}-j1.h5", "r") as a, h5py.File(f"{d}/{name}-j2.h5", "r") as b:
        assert set(a["draws"]) == set(b["draws"]), "other variables"
        chunks = 0
        for k in a["draws"]:
            x, y = a["draws"][k], b["draws"][k]
            assert x.shape == y.shape and x.dtype == y.dtype and x.chunks == y.chunks, k
            same = (x[()].tolist() == y[()].tolist() if x.dtype.kind == "O"
                    else x[()].tobytes() == y[()].tobytes())
            assert same, f"{name}: values of {k}"
            if x.chunks is None or x.id.get_num_chunks() != y.id.get_num_chunks():
                assert x.chunks is None, f"{name}: chunk count of {k}"
                continue
            for i in range(x.id.get_num_chunks()):
                off = x.id.get_chunk_info(i).chunk_offset
                assert x.id.read_direct_chunk(off) == y.id.read_direct_chunk(off), \
                    f"{name}: stored chunk {off} of {k}"
                chunks += 1
        assert a["draws/flow"].compression == "gzip" and a["draws/flow"].shuffle and \
            a["draws/flow"].fletcher32, "filters of draws/flow"
        print(f"e2e_h5out: {name}: -j 1 and -j 2 raw draws the same ({chunks} chunks)")
ds = xr.open_dataset(f"{d}/long-j2.h5", engine="h5netcdf", group="draws")
assert ds["flow"].dims == ("point", "draw", "exporter", "importer")
assert int(ds["status"].isel(point=0, draw=19999)) >= 0, "last draw not written"
ds.close()
EOF
