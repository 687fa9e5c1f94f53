#!/usr/bin/env bash
# End-to-end tests of `agtrade run / summary / merge` through the binary: bitwise
# identity across thread counts and shard counts, common random numbers across sweep
# points, interruption and --resume, and the exit codes and messages of bad input.
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh
C=configs/default.yaml

echo "e2e_run: threads"
for j in 1 2 3 8; do
    $A run $C -n 5000 -j $j -q -o "$T/j$j.h5" || fails=$((fails + 1))
done
for j in 2 3 8; do check "summary with $j threads equals 1 thread bit for bit" same_data "$T/j1.h5" "$T/j$j.h5"; done
check "summary prints the headline table" \
    bash -c "$A summary '$T/j1.h5' | grep -q 'exports US -> China' && $A summary '$T/j1.h5' | grep -q 'P(US -> China below 5 Mt)'"
check "xarray opens every group with h5netcdf, no phony dims" /usr/bin/python3 -c "
import xarray as xr, sys
for g in (None, 'summary'):
    ds = xr.open_dataset('$T/j1.h5', engine='h5netcdf', group=g)
    assert not any(d.startswith('phony') for d in ds.dims), ds.dims
    for v in ds.variables.values():
        assert 'units' in v.attrs and 'long_name' in v.attrs, v.name
ds = xr.open_dataset('$T/j1.h5', engine='h5netcdf', group='summary')
assert ds.flow_q.dims == ('point', 'exporter', 'importer', 'quantile'), ds.flow_q.dims
assert float(ds.flow_q.sel(exporter='US', importer='China', quantile=0.5)[0]) > 0
"

$A run configs/truce-uncertainty.yaml -n 3000 -q -o "$T/regimes.h5"
check "summary reports each regime, and the boycott regime has no US -> China exports" \
    bash -c "$A summary '$T/regimes.h5' > '$T/regimes.txt' && grep -q \"regime 'deal_holds'\" '$T/regimes.txt' && sed -n \"/regime 'boycott'/,\\\$p\" '$T/regimes.txt' | grep -Eq '^  exports US -> China +0 +0 +0 +0 '"
check "progress: a plain line on a pipe, nothing with --quiet" \
    bash -c "$A run $C -n 3000 -o '$T/p.h5' 2>'$T/p.err' && grep -q '3000/3000 draws (100.0%), [0-9]* draws/s' '$T/p.err' && $A run $C -n 3000 -q -o '$T/p.h5' 2>'$T/q.err' && test ! -s '$T/q.err'"
if command -v script >/dev/null; then
    check "progress: a bar with draws/s and time left on a terminal" \
        bash -c "script -qec \"$A run $C -n 3000 -o '$T/tty.h5'\" /dev/null | tr '\\r' '\\n' | grep -Eq '^\\[#+\\] 100.0%  3000/3000 draws  [0-9]+ draws/s  0m00s left'"
fi

echo "e2e_run: sweeps and shards"
S="--sweep scenario.tariffs.US.China=0:1.5:0.15 --sweep inputs.sigma_China.median=8,16"
$A run $C -n 700 -q $S -o "$T/whole.h5" || fails=$((fails + 1))
for k in 0 1 2; do $A run $C -n 700 -q $S --shard $k/3 -o "$T/shard-$k.h5" || fails=$((fails + 1)); done
check "2 x 11 sweep: 3 shards merged equal the whole run bit for bit" \
    bash -c "$A merge '$T/merged.h5' '$T'/shard-*.h5 && h5diff -q '$T/whole.h5' '$T/merged.h5' /summary /summary && h5diff -q '$T/whole.h5' '$T/merged.h5' /sweep_scenario_tariffs_US_China /sweep_scenario_tariffs_US_China"
check "Slurm array variables choose the shard" \
    bash -c "SLURM_ARRAY_TASK_ID=11 SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_COUNT=3 $A run $C -n 700 -q $S -o '$T/slurm-1.h5' && h5diff -q '$T/slurm-1.h5' '$T/shard-1.h5' /summary /summary"
check "merge names the missing points" expect_exit 65 "7 of 22 points missing from the shards: 1, 4, 7" \
    $A merge "$T/m.h5" "$T/shard-0.h5" "$T/shard-2.h5"
check "merge refuses a point given twice" expect_exit 65 "appears in more than one shard" \
    $A merge "$T/m.h5" "$T/shard-0.h5" "$T/shard-1.h5" "$T/slurm-1.h5"
$A run $C -n 700 -q -s 99 $S --shard 1/3 -o "$T/other-seed.h5"
check "merge refuses shards of another seed" expect_exit 65 "different seed" \
    $A merge "$T/m.h5" "$T/shard-0.h5" "$T/other-seed.h5" "$T/shard-2.h5"
$A run $C -n 900 -q --sweep scenario.tariffs.US.China=0.03,0.28 --raw-draws -o "$T/crn.h5"
check "common random numbers: tariff at its reference level gives zero change in every draw" /usr/bin/python3 -c "
import h5py, numpy as np
f = h5py.File('$T/crn.h5', 'r')
flow, ref = f['draws/flow'][...], f['draws/flow_ref'][...]
assert flow.shape == (2, 900, 5, 3), flow.shape
assert np.array_equal(flow[0], ref[0])             # 3 % is the reference tariff
assert np.array_equal(ref[0], ref[1])              # same shocks at both points
assert (flow[1, :, 0, 0] < ref[1, :, 0, 0]).all()  # 28 % cuts US -> China in every draw
assert np.array_equal(f['summary/flow_change_mean'][0], np.zeros((5, 3)))
"

echo "e2e_run: interruption and resume"
R="$A run $C -n 20000 --sweep scenario.tariffs.US.China=0:1.5:0.3"
$R -o "$T/r.h5" 2>"$T/r.log" &
interrupt_after 2 "$T/r.log" $!
rc=$?
check "SIGUSR1 exits 75" test $rc -eq 75
check "an interrupted run leaves no file at the output path" test ! -e "$T/r.h5"
check "an interrupted run leaves a partial file with the finished points" /usr/bin/python3 -c "
import h5py
f = h5py.File('$T/r.partial.h5', 'r')
assert f.attrs['complete'] == 0
assert 2 <= len(f['point']) < 6, f['point'][...]
"
check "a partial file is marked incomplete" expect_exit 65 "not a complete agtrade output file" \
    $A summary "$T/r.partial.h5"
$R -q -o "$T/r.h5" --resume
check "--resume finishes the run" test -e "$T/r.h5" -a ! -e "$T/r.partial.h5"
$R -q -o "$T/r-full.h5"
check "resumed run equals the uninterrupted one bit for bit" same_data "$T/r.h5" "$T/r-full.h5"
$A run $C -n 200000 -q -o "$T/int.h5" --raw-draws &
pid=$!
for _ in $(seq 300); do   # the temporary file exists once the run is under way
    ls "$T"/int.h5.tmp.* >/dev/null 2>&1 && break
    sleep 0.1
done
kill -INT $pid
wait $pid
rc=$?
check "SIGINT during raw draws exits 75 and leaves no file at the output path" \
    test $rc -eq 75 -a ! -e "$T/int.h5"
check "no temporary file is left behind" bash -c "! ls '$T' | grep -q tmp"

echo "e2e_run: bad input"
check "missing scenario file: exit 66 naming it" expect_exit 66 "nope.yaml" $A run "$T/nope.yaml"
check "unknown option: exit 64" expect_exit 64 "try 'agtrade run --help'" $A run $C --bogus
check "bad --draws: exit 64" expect_exit 64 "draws '12x'" $A run $C -n 12x
check "bad --sweep: exit 64" expect_exit 64 "sweep" $A run $C --sweep scenario.tariffs.US.China=0:1
check "unknown --set key: exit 65" expect_exit 65 "nonsense" $A run $C --set nonsense.key=1 -q
check "output folder missing: exit 74 naming the file" expect_exit 74 "$T/no/such/dir/x.h5" \
    $A run $C -n 300 -q -o "$T/no/such/dir/x.h5"
check "a full disk (file-size limit) exits 74 naming the file, leaving nothing behind" \
    bash -c "mkdir '$T/disk' && ulimit -f 1024; $A run $C -n 20000 -q --raw-draws -o '$T/disk/full.h5' 2>'$T/full.err'; rc=\$?; test \$rc -eq 74 && grep -q 'disk/full.h5' '$T/full.err' && test -z \"\$(ls '$T/disk')\""
mkdir -p "$T/outdir.h5" "$T/confdir"
check "output path that is a directory: exit 74 before any draw" \
    expect_exit 74 "is a directory" $A run $C -n 100000000 -q -o "$T/outdir.h5"
check "scenario path that is a directory: exit 66" expect_exit 66 "not a regular file" \
    $A run "$T/confdir"
check "draws beyond 10^12: exit 64" expect_exit 64 "run.draws must be <= 1000000000000" \
    $A run $C -n 18446744073709551615 -q -o "$T/x.h5"
check "merge into a full disk: exit 74, nothing left behind" \
    bash -c "mkdir '$T/disk2' && ulimit -f 200; $A merge '$T/disk2/m.h5' '$T'/shard-*.h5 2>'$T/m.err'; test \$? -eq 74 && grep -q 'File too large' '$T/m.err' && test -z \"\$(ls '$T/disk2')\""
check "a bad value at a later sweep point fails before any draw: exit 65 naming the point" \
    expect_exit 65 "sweep point 1: .*median (30)" $A run $C -n 100000000 -q \
    --sweep inputs.sigma_China.median=12,30 -o "$T/late.h5"
check "shard with no points: exit 64" expect_exit 64 "has no points" $A run $C -n 300 -q --shard 3/4 -o "$T/x.h5"
check "summary of a missing file: exit 66" expect_exit 66 "missing.h5" $A summary "$T/missing.h5"
check "--help on stdout, exit 0" bash -c "$A run --help | grep -q 'usage: agtrade run'"

echo "e2e_run: print-config"
$A run $C --print-config --set run.draws=1500 > "$T/resolved.yaml"
$A run "$T/resolved.yaml" -q -o "$T/p1.h5"
$A run $C --set run.draws=1500 -q -o "$T/p2.h5"
check "--print-config output runs to the same results" same_data "$T/p1.h5" "$T/p2.h5"

[ $fails -eq 0 ]
