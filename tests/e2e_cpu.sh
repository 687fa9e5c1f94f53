#!/usr/bin/env bash
# e2e_cpu.sh - the same seed gives the same bits whatever the CPU (models/fixedmath.c):
# glibc picks its exp, log, pow, ... per CPU when a program loads; here every kind of
# output is written twice, once as this CPU runs it and once with glibc's FMA, AVX2 and
# AVX-512 variants masked (GLIBC_TUNABLES, what a node without them runs), and the two
# files must hold the same data bit for bit: summary, attribution and Sobol indices,
# raw draws (batched lanes and the scalar fallback: busan-deal's floors send every draw
# there), a calendar and a sweep. The batched solve's own kernels: tests/e2e_solve.sh.
set -u
cd "$(dirname "$0")/.."
. tests/e2e-common.sh

MASK=glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F
if ! grep -qw fma /proc/cpuinfo; then
    echo "e2e_cpu: this CPU has no FMA, so glibc runs its baseline variants either way:"
    echo "  nothing to compare here (the check needs an FMA CPU)"
    finish e2e_cpu
    exit
fi

# both NAME ARGS... : run ARGS into T/NAME-cpu.h5 and T/NAME-mask.h5
both() {
    local name=$1; shift
    "$A" "$@" -q -o "$T/$name-cpu.h5" && GLIBC_TUNABLES=$MASK "$A" "$@" -q -o "$T/$name-mask.h5"
}
# same NAME GROUP... : every dataset under each GROUP is equal in the two files
same() {
    local name=$1 g; shift
    for g in "$@"; do h5diff -q "$T/$name-cpu.h5" "$T/$name-mask.h5" "$g" "$g" || return 1; done
}

echo "e2e_cpu: this CPU against glibc's baseline variants"
check "default (summary, attribution)" both default run configs/default.yaml -n 20000 -j 2
check "... the same data" same default /summary /point
check "trade-war-2018 --raw-draws" both tw run configs/trade-war-2018.yaml -n 4000 --raw-draws
check "... the same data and raw draws" same tw /summary /point /draws
check "busan-deal-2025 --raw-draws (every draw solved one at a time)" \
    both busan run configs/busan-deal-2025.yaml -n 3000 --raw-draws
check "... the same data and raw draws" same busan /summary /point /draws
check "the quarterly calendar" both quarters run configs/seasons-quarterly.yaml -n 1500
check "... the same data" same quarters /summary /point
check "tariff-sweep" both sweep run configs/tariff-sweep.yaml -n 1000
check "... the same data" same sweep /summary /point
check "truce-uncertainty --sobol" both sobol run configs/truce-uncertainty.yaml -n 1000 --sobol 200
check "... the same data and indices" same sobol /summary /point /sensitivity
finish e2e_cpu
