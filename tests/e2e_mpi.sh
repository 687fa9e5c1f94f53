#!/usr/bin/env bash
# MPI: `make MPI=1` builds bin/agtrade-mpi; its output under mpirun -np 1 and -np 2 must
# equal, bit for bit, that of the non-MPI binary (a single point and an 11 x 2 sweep, and
# a monthly calendar sweep, also against 1 thread and 2 shards merged).
set -u
cd "$(dirname "$0")/.."
A=${AGTRADE:-bin/agtrade}
if ! command -v mpirun >/dev/null || ! command -v mpicc >/dev/null; then
    echo "e2e_mpi: Open MPI is not installed (make deps installs it)"; exit 1
fi
make -s MPI=1 bin/agtrade-mpi >/dev/null || { echo "e2e_mpi: make MPI=1 failed"; exit 1; }
M=bin/agtrade-mpi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
export OMPI_MCA_btl_vader_single_copy_mechanism=none   # containers lack CMA
fails=0
check() {
    local name=$1; shift
    if "$@"; then echo "  ok   $name"; else echo "  FAIL $name"; fails=$((fails + 1)); fi
}
same_data() { h5diff -q "$1" "$2" /summary /summary && h5diff -q "$1" "$2" /point /point; }

C=configs/default.yaml
S="--sweep scenario.tariffs.US.China=0:1.5:0.15 --sweep inputs.sigma_China.median=8,16"   # 11 x 2
# 9000 draws: two chunks per point, so rank 1 computes half of every point
$A run $C -n 20000 -q -j 2 -o "$T/serial.h5"
$A run $C -n 9000 -q -j 2 $S -o "$T/serial-sweep.h5"
$MPIRUN -np 1 $M run $C -n 20000 -q -j 1 -o "$T/np1.h5"
$MPIRUN -np 2 $M run $C -n 20000 -q -j 1 -o "$T/np2.h5"
$MPIRUN -np 2 $M run $C -n 9000 -q -j 1 $S -o "$T/np2-sweep.h5"
check "mpirun -np 1 equals the non-MPI build" same_data "$T/serial.h5" "$T/np1.h5"
check "mpirun -np 2 equals the non-MPI build (draw chunks over ranks)" same_data "$T/serial.h5" "$T/np2.h5"
check "mpirun -np 2: 11 x 2 sweep equals the non-MPI sweep" same_data "$T/serial-sweep.h5" "$T/np2-sweep.h5"
$MPIRUN -np 2 $M run $C -n 2000 -q --raw-draws -o "$T/np2-raw.h5"
$A run $C -n 2000 -q --raw-draws -o "$T/serial-raw.h5"
check "raw draws gathered on rank 0 equal the non-MPI ones" \
    h5diff -q "$T/serial-raw.h5" "$T/np2-raw.h5" /draws /draws

# A monthly calendar (MODEL.md Part 2), swept: 8300 draws are two chunks per point, so
# rank 1 computes part of every point; the same bits with 1 or 2 threads, 1 or 2 ranks,
# and 2 shards merged.
MC=configs/soybeans-2024-25-monthly.yaml
MS="--set scenario.tariffs.US.China=0.25 --sweep time.exporters.US.psi=1,3"
$A run $MC $MS -n 8300 -q -j 2 -o "$T/month-j2.h5"
$A run $MC $MS -n 8300 -q -j 1 -o "$T/month-j1.h5"
for k in 0 1; do $A run $MC $MS -n 8300 -q -j 2 --shard $k/2 -o "$T/month-shard$k.h5"; done
$A merge "$T/month-merged.h5" "$T/month-shard0.h5" "$T/month-shard1.h5"
$MPIRUN -np 2 $M run $MC $MS -n 8300 -q -j 1 -o "$T/month-np2.h5"
check "monthly sweep: 1 thread equals 2 threads" same_data "$T/month-j2.h5" "$T/month-j1.h5"
check "monthly sweep: 2 shards merged equal the whole run" same_data "$T/month-j2.h5" "$T/month-merged.h5"
check "monthly sweep: mpirun -np 2 equals the non-MPI build" same_data "$T/month-j2.h5" "$T/month-np2.h5"
[ $fails -eq 0 ]
