#!/usr/bin/env bash
# End-to-end test that readers other than Python open an output: ncdump (no NC_STRING
# attribute), netCDF4-python (a CF `coordinates` attribute on every variable with a
# point axis, the CF global attributes), R's ncdf4 (with warnings as errors: no 8-byte
# integer attribute warning) and Octave's netcdf package. R and Octave run when they are
# installed (.ci/run installs them: r-cran-ncdf4, octave, octave-netcdf) and are
# reported as skipped otherwise. Each reader's values are compared with h5py's.
set -u
cd "$(dirname "$0")/.."
A=${AGTRADE:-bin/agtrade}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() {   # check NAME COMMAND...
    local name=$1; shift
    if "$@"; then echo "  ok   $name"; else echo "  FAIL $name"; fails=$((fails + 1)); fi
}
F=$T/sweep.h5
$A run configs/tariff-sweep.yaml -n 500 -s 7 -q --raw-draws -o "$F" \
    --set 'run.institution=Univ. of Somewhere, Dept. of Ag. Econ.' \
    --set 'run.references=doi:10.0000/example' || { echo "  FAIL run"; exit 1; }

# What h5py reads: the expected values (flow_mean at point 1, US -> China; sweep values)
/usr/bin/python3 - "$F" > "$T/expected" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    s = f["summary"]
    print("%.17g" % s["flow_mean"][1, 0, 0])
    print(" ".join("%.17g" % v for v in f["sweep_scenario_tariffs_US_China"][:]))
    print(f.attrs["title"].decode())
    print(" ".join(x.decode() for x in f["exporter"][:]))
    print(int(f.attrs["seed"]), int(f.attrs["draws"]))
EOF
mean=$(sed -n 1p "$T/expected"); sweep=$(sed -n 2p "$T/expected"); title=$(sed -n 3p "$T/expected")
exporters=$(sed -n 4p "$T/expected"); seed_draws=$(sed -n 5p "$T/expected")

echo "e2e_readers: ncdump and netCDF4-python"
check "ncdump -h: no variable-length string attribute (all NC_CHAR)" bash -c "
    ncdump -h '$F' > '$T/cdl' && grep -q ':title = ' '$T/cdl' && ! grep -qE '^\s+string [^ (]*:' '$T/cdl'"
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
nc_close(nc)
cat("R read ok\n")
EOF
    # ncdf4 prints (not warns) "... this could lose precision!" for 8-byte integer attributes
    check "R reads data, labels and attributes, equal to h5py's, without a warning" bash -c "
        Rscript '$T/read.R' '$F' '$mean' '$sweep' '$title' '$exporters' '$seed_draws' > '$T/r.out' 2>&1
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
disp('Octave read ok')
EOF
    check "Octave reads data and attributes, equal to h5py's" bash -c "
        octave --no-gui -q '$T/read.m' '$F' '$mean' '$sweep' '$title' '$seed_draws' 2>&1 | tail -3 | grep -q 'Octave read ok'"
else
    echo "  skip Octave (octave with the netcdf package not installed: apt-get install octave octave-netcdf)"
fi

[ $fails -eq 0 ]
