#!/usr/bin/env bash
# End-to-end test that readers other than Python open an output: ncdump (no NC_STRING
# attribute or variable), netCDF4-python (a CF `coordinates` attribute on every variable with a
# point axis, the CF global attributes), R's ncdf4 (with warnings as errors: no 8-byte
# integer attribute warning) and Octave's netcdf package. R and Octave run when they are
# installed (.ci/run installs them: r-cran-ncdf4, octave, octave-netcdf) and are
# reported as skipped otherwise. Each reader's values are compared with h5py's, the
# region labels and config_yaml (netCDF character arrays) included: Octave's netcdf 1.0
# cannot read variable-length strings (NC_STRING), and its ncinfo of the whole file
# fails on the first one. Also: summary, compare and merge read files of the older
# layout (variable-length strings).
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh
F=$T/sweep.h5
$A run configs/tariff-sweep.yaml -n 500 -s 7 -q --raw-draws -o "$F" \
    --set 'run.institution=Univ. of Somewhere, Dept. of Ag. Econ.' \
    --set 'run.references=doi:10.0000/example' || { echo "  FAIL run"; exit 1; }

# What h5py reads: the expected values (flow_mean at point 1, US -> China; sweep values;
# the labels and the configuration, written to config.yaml)
PYTHONPATH=sim/python /usr/bin/python3 - "$F" "$T/config.yaml" > "$T/expected" <<'EOF'
import sys, h5py
import agtrade_results as ar
with h5py.File(sys.argv[1], "r") as f:
    s = f["summary"]
    print("%.17g" % s["flow_mean"][1, 0, 0])
    print(" ".join("%.17g" % v for v in f["sweep_scenario_tariffs_US_China"][:]))
    print(f.attrs["title"].decode())
    print(" ".join(ar.h5_text(f["exporter"])))
    print(int(f.attrs["seed"]), int(f.attrs["draws"]))
    print(";".join(ar.h5_text(f["summary/importer"])))
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        out.write(ar.h5_text(f["config_yaml"]))
EOF
mean=$(sed -n 1p "$T/expected"); sweep=$(sed -n 2p "$T/expected"); title=$(sed -n 3p "$T/expected")
exporters=$(sed -n 4p "$T/expected"); seed_draws=$(sed -n 5p "$T/expected")
importers=$(sed -n 6p "$T/expected")
[ -s "$T/config.yaml" ] && [ -n "$importers" ] || { echo "  FAIL h5py: no labels or config_yaml"; exit 1; }

echo "e2e_readers: ncdump and netCDF4-python"
check "ncdump -h: no variable-length string attribute or variable (all NC_CHAR)" bash -c "
    ncdump -h '$F' > '$T/cdl' && grep -q ':title = ' '$T/cdl' && ! grep -qE '^\s+string ' '$T/cdl' &&
    grep -q 'char exporter(exporter, exporter_strlen) ;' '$T/cdl'"
check "netCDF4: CF global attributes, coordinates on every point variable, int32 attributes" \
    /usr/bin/python3 - "$F" "$title" <<'EOF'
import re, sys, netCDF4
path, title = sys.argv[1], sys.argv[2]
ds = netCDF4.Dataset(path)
for a in ("title", "institution", "source", "history", "references", "Conventions"):
    assert a in ds.ncattrs(), a
assert ds.title == title, ds.title
assert ds.institution == "Univ. of Somewhere, Dept. of Ag. Econ.", ds.institution
assert ds.references == "doi:10.0000/example", ds.references
assert ds.source.startswith("agtrade "), ds.source
assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: agtrade run .*-o " + re.escape(path),
                ds.history), ds.history
for a in ("seed", "draws", "threads", "points_total", "complete"):
    assert ds.getncattr(a).dtype.itemsize == 4, (a, ds.getncattr(a).dtype)
n = 0
for g in (ds, ds["summary"], ds["draws"]):
    for name, v in g.variables.items():
        coord = name == "point" or name.startswith("sweep_")
        if "point" in v.dimensions and not coord:
            assert v.coordinates == "sweep_scenario_tariffs_US_China", (g.path, name)
            n += 1
        elif coord:
            assert "coordinates" not in v.ncattrs(), (g.path, name)
assert n > 100, n
EOF

for k in 0 1; do
    $A run configs/tariff-sweep.yaml -n 300 -q --shard $k/2 -o "$T/shard$k.h5" \
        --set run.institution=ACME --set run.references=none
done
$A merge "$T/merged.h5" "$T/shard0.h5" "$T/shard1.h5"
check "merge carries title, institution and references over, with its own history" \
    /usr/bin/python3 - "$T/merged.h5" "$title" <<'EOF'
import sys, netCDF4
ds = netCDF4.Dataset(sys.argv[1])
assert (ds.title, ds.institution, ds.references) == (sys.argv[2], "ACME", "none"), ds
assert "agtrade merge" in ds.history, ds.history
EOF

echo "e2e_readers: files of the older layout (variable-length strings)"
# Files written before the character arrays hold the labels as 1-D variable-length
# strings (each its own dimension scale) and config_yaml as a scalar one. to_vlen.py
# turns a new file into that layout in place (the older binary is not at hand in a
# test); summary, compare and merge must read it as they read the new file.
cat > "$T/to_vlen.py" <<'EOF'
import sys, h5py
sys.path.insert(0, "sim/python")
from agtrade_results import h5_text
vlen = h5py.string_dtype()
with h5py.File(sys.argv[1], "r+") as f:
    coords = [n for n in f if "_Netcdf4Coordinates" in f[n].attrs]
    assert coords, "no character-array coordinate to convert"
    copies = []
    for g in [f[n] for n in f if isinstance(f[n], h5py.Group)]:
        for n in coords:
            if n in g:
                old = g[n]
                texts, attrs = h5_text(old), {k: old.attrs[k] for k in ("units", "long_name")}
                old.dims[0].detach_scale(f[n])
                old.dims[1].detach_scale(f[n + "_strlen"])
                del g[n]
                g.create_dataset(n, data=texts, dtype=vlen).attrs.update(attrs)
                copies.append(g[n])
    for n in coords:
        old = f[n]
        texts, attrs = h5_text(old), {k: old.attrs[k] for k in ("units", "long_name")}
        new = f.create_dataset(n + ".vlen", data=texts, dtype=vlen)
        new.attrs.update(attrs)
        new.make_scale(n)
        for ref, axis in old.attrs.get("REFERENCE_LIST", []):
            f[ref].dims[axis].detach_scale(old)
            f[ref].dims[axis].attach_scale(new)
        del f[n]
        f.move(n + ".vlen", n)
        del f[n + "_strlen"]
    for c in copies:
        c.dims[0].attach_scale(f[c.name.rsplit("/", 1)[1]])
    old = f["config_yaml"]
    text, attrs = h5_text(old), {k: old.attrs[k] for k in ("units", "long_name")}
    old.dims[0].detach_scale(f["config_yaml_strlen"])
    del f["config_yaml"], f["config_yaml_strlen"]
    f.create_dataset("config_yaml", data=text, dtype=vlen).attrs.update(attrs)
    f.visititems(lambda n, o: o.attrs.__delitem__("_Netcdf4Dimid")
                 if "_Netcdf4Dimid" in o.attrs else None)
    if "_Netcdf4Dimid" in f.attrs:
        del f.attrs["_Netcdf4Dimid"]
with h5py.File(sys.argv[1], "r") as f:   # the older layout, and nothing else of the new
    strs = []
    f.visititems(lambda n, o: strs.append(n) if isinstance(o, h5py.Dataset) and
                 o.dtype.kind in "OS" else None)
    assert all(f[n].dtype.kind == "O" and h5py.check_string_dtype(f[n].dtype) for n in strs), strs
    assert f["config_yaml"].shape == () and f["exporter"].ndim == 1, "not converted"
    assert not any(n.endswith("_strlen") for n in f), "a character dimension is left"
EOF
old_ok=1
for k in 0 1; do
    cp "$T/shard$k.h5" "$T/old$k.h5" && /usr/bin/python3 "$T/to_vlen.py" "$T/old$k.h5" || old_ok=0
done
check "to_vlen.py writes the older layout" test $old_ok = 1
# the same text but for the file's name in the first line
summary_same() {   # summary_same NEW OLD [OPTIONS]
    local new=$1 old=$2; shift 2
    $A summary "$new" "$@" | sed 1d > "$T/s.new" && $A summary "$old" "$@" | sed 1d > "$T/s.old" &&
        [ -s "$T/s.new" ] && cmp -s "$T/s.new" "$T/s.old"
}
check "summary: an older file prints what its new twin prints (text, --all, csv)" bash -c "
    $(declare -f summary_same); A='$A'; T='$T'
    summary_same '$T/shard0.h5' '$T/old0.h5' && summary_same '$T/shard0.h5' '$T/old0.h5' --all &&
    summary_same '$T/shard0.h5' '$T/old0.h5' -f csv --exporter Brazil"
check "compare: an older file against a new one prints what two new ones print" bash -c "
    $A compare '$T/shard0.h5' '$T/shard0.h5' -f csv > '$T/c.new' &&
    $A compare '$T/old0.h5' '$T/shard0.h5' -f csv > '$T/c.old' && [ -s '$T/c.new' ] &&
    cmp -s <(sed 's#old0#shard0#g' '$T/c.old') '$T/c.new'"
check "merge: older shards (and an older with a new one) merge as the new shards do" bash -c "
    $A merge '$T/merged-old.h5' '$T/old0.h5' '$T/old1.h5' > /dev/null &&
    $A merge '$T/merged-mixed.h5' '$T/old0.h5' '$T/shard1.h5' > /dev/null &&
    h5diff -q '$T/merged.h5' '$T/merged-old.h5' /summary /summary &&
    h5diff -q '$T/merged.h5' '$T/merged-mixed.h5' /summary /summary &&
    ncdump -h '$T/merged-old.h5' | grep -q 'char exporter(exporter, exporter_strlen) ;'"

echo "e2e_readers: R (ncdf4)"
if command -v Rscript >/dev/null && Rscript -e 'library(ncdf4)' >/dev/null 2>&1; then
    cat > "$T/read.R" <<'EOF'
options(warn = 2)   # any warning fails
suppressPackageStartupMessages(library(ncdf4))
a <- commandArgs(trailingOnly = TRUE)
nc <- nc_open(a[1])
m <- ncvar_get(nc, "summary/flow_mean")          # [importer, exporter, point]
stopifnot(sprintf("%.17g", m[1, 1, 2]) == a[2])
stopifnot(sprintf("%.17g", ncvar_get(nc, "sweep_scenario_tariffs_US_China")) ==
          strsplit(a[3], " ")[[1]])
stopifnot(ncatt_get(nc, 0, "title")$value == a[4])
stopifnot(paste(ncvar_get(nc, "exporter"), collapse = " ") == a[5])
stopifnot(paste(ncatt_get(nc, 0, "seed")$value, ncatt_get(nc, 0, "draws")$value) == a[6])
stopifnot(ncatt_get(nc, "summary/flow_mean", "coordinates")$value ==
          "sweep_scenario_tariffs_US_China")
stopifnot(ncatt_get(nc, "summary/flow_mean", "units")$value == "Mt")
yaml <- readChar(a[7], file.info(a[7])$size, useBytes = TRUE)
stopifnot(ncvar_get(nc, "config_yaml") == yaml)
nc_close(nc)
cat("R read ok\n")
EOF
    # ncdf4 prints (not warns) "... this could lose precision!" for 8-byte integer attributes
    check "R reads data, labels, config_yaml and attributes, equal to h5py's, without a warning" bash -c "
        Rscript '$T/read.R' '$F' '$mean' '$sweep' '$title' '$exporters' '$seed_draws' '$T/config.yaml' > '$T/r.out' 2>&1
        grep -q 'R read ok' '$T/r.out' && ! grep -qi 'precision\|warning' '$T/r.out' || { tail -5 '$T/r.out'; exit 1; }"
else
    echo "  skip R (Rscript with ncdf4 not installed: apt-get install r-cran-ncdf4)"
fi

echo "e2e_readers: Octave (netcdf)"
if command -v octave >/dev/null && octave --no-gui -q --eval 'pkg load netcdf' >/dev/null 2>&1; then
    cat > "$T/read.m" <<'EOF'
pkg load netcdf
a = argv();
f = a{1};
m = ncread(f, '/summary/flow_mean');             % [importer, exporter, point]
assert(strcmp(sprintf('%.17g', m(1, 1, 2)), a{2}));
s = ncread(f, '/sweep_scenario_tariffs_US_China');
assert(strcmp(strtrim(sprintf('%.17g ', s)), a{3}));
assert(strcmp(ncreadatt(f, '/', 'title'), a{4}));
assert(strcmp(sprintf('%d %d', ncreadatt(f, '/', 'seed'), ncreadatt(f, '/', 'draws')), a{5}));
assert(strcmp(ncreadatt(f, '/summary/flow_mean', 'coordinates'), 'sweep_scenario_tariffs_US_China'));
assert(strcmp(ncreadatt(f, '/summary/flow_mean', 'units'), 'Mt'));
assert(strcmp(ncreadatt(f, '/', 'Conventions'), 'CF-1.8'));
% text: netCDF character arrays, one label per column (NUL-padded)
labels = @(c, sep) strjoin(deblank(cellstr(c')), sep);
assert(strcmp(labels(ncread(f, '/exporter'), ' '), a{6}));
assert(strcmp(labels(ncread(f, '/summary/importer'), ';'), a{7}));
assert(strcmp(ncread(f, '/config_yaml')', fileread(a{8})));
info = ncinfo(f);                                % the whole file, every group
names = {info.Variables.Name};
assert(strcmp(info.Variables(strcmp(names, 'exporter')).Datatype, 'char'));
assert(any(strcmp({info.Groups.Name}, 'summary')));
disp('Octave read ok')
EOF
    check "Octave reads data, labels, config_yaml and attributes (ncread, ncinfo), equal to h5py's" bash -c "
        octave --no-gui -q '$T/read.m' '$F' '$mean' '$sweep' '$title' '$seed_draws' '$exporters' '$importers' '$T/config.yaml' > '$T/octave.out' 2>&1
        grep -q 'Octave read ok' '$T/octave.out' || { tail -5 '$T/octave.out'; exit 1; }"
else
    echo "  skip Octave (octave with the netcdf package not installed: apt-get install octave octave-netcdf)"
fi

[ $fails -eq 0 ]
