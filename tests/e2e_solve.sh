#!/usr/bin/env bash
# e2e_solve.sh - the batched solve (models/solve_batch.h) through the binary: every
# kernel variant this CPU runs writes the same file data as the default, raw draws and
# sweeps included, on 1 and 2 threads; so does AGTRADE_SOLVE=scalar (one draw at a
# time), and shards or resumed points solved either way merge into the same data; a bad
# AGTRADE_SOLVE is a usage error. MPI ranks and shards: tests/e2e_mpi.sh (batched runs).
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh

# run NAME ENV... : trade-war-2018 with raw draws and a small tariff sweep, into T/NAME-*
run() {
    local name=$1; shift
    env "$@" "$A" run configs/trade-war-2018.yaml -q -n 1500 -s 3 --raw-draws -o "$T/raw.h5" &&
        mv "$T/raw.h5" "$T/$name-raw.h5" &&
        env "$@" "$A" run configs/tariff-sweep.yaml -q -n 700 -s 5 -o "$T/sweep.h5" &&
        mv "$T/sweep.h5" "$T/$name-sweep.h5"
}
same_files() {   # every dataset users read, raw draws included
    same_data "$T/$1-raw.h5" "$T/$2-raw.h5" && h5diff -q "$T/$1-raw.h5" "$T/$2-raw.h5" /draws /draws &&
        same_data "$T/$1-sweep.h5" "$T/$2-sweep.h5"
}

echo "e2e_solve: kernels and threads"
check "the default run (2 threads)" run base AGTRADE_SOLVE= OMP_NUM_THREADS=2
check "one thread: the same data" bash -c "$(declare -f run same_files same_data); A=$A T=$T;
    run one OMP_NUM_THREADS=1 && same_files base one"
for k in portable avx2 avx512; do
    if env AGTRADE_SOLVE=$k "$A" run configs/default.yaml -q -n 10 -o "$T/probe.h5" 2>/dev/null; then
        check "AGTRADE_SOLVE=$k: the same data" bash -c "$(declare -f run same_files same_data);
            A=$A T=$T; run $k AGTRADE_SOLVE=$k && same_files base $k"
    else
        echo "  (kernel $k does not run on this CPU: not compared)"
    fi
done

echo "e2e_solve: the scalar path gives the same bits (models/solve_batch.h)"
check "AGTRADE_SOLVE=scalar runs" run scalar AGTRADE_SOLVE=scalar
check "... the same data and raw draws as the batched run" bash -c "$(declare -f same_files same_data);
    T=$T; same_files base scalar"
S="configs/tariff-sweep.yaml -q -n 500 -s 5"
"$A" run $S -o "$T/whole.h5" && "$A" run $S --shard 0/2 -o "$T/sh1.h5" &&
    AGTRADE_SOLVE=scalar "$A" run $S --shard 1/2 -o "$T/sh2.h5"
check "a batched and a scalar shard merge into the unsharded run's data" bash -c "
    '$A' merge '$T/m.h5' '$T/sh1.h5' '$T/sh2.h5' && $(declare -f same_data); same_data '$T/whole.h5' '$T/m.h5'"

R="$A run configs/default.yaml -n 20000 -s 9 --sweep scenario.tariffs.US.China=0:1.5:0.3"
$R -q -o "$T/q.h5"
AGTRADE_SOLVE=scalar $R -o "$T/p.h5" 2>"$T/p.log" &
interrupt_after 2 "$T/p.log" $!
check "a scalar run interrupted leaves a partial file" test -e "$T/p.partial.h5"
check "... which a batched --resume finishes with the uninterrupted run's data" bash -c "
    $R -q -o '$T/p.h5' --resume && $(declare -f same_data); same_data '$T/q.h5' '$T/p.h5'"

echo "e2e_solve: bad input"
check "AGTRADE_SOLVE=fast is a usage error" env AGTRADE_SOLVE=fast \
    bash -c "$(declare -f expect_exit); T=$T; expect_exit 64 'AGTRADE_SOLVE' $A run configs/default.yaml -q -n 10 -o $T/x.h5"
check "... and writes nothing" test ! -e "$T/x.h5"
finish e2e_solve
