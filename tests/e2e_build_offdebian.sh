#!/usr/bin/env bash
# End-to-end test of the build off Debian: with NO_DEPS=1 (nothing installed, apt-get
# never called) and a pkg-config search path that knows HDF5 only by its upstream name
# `hdf5` (a generated hdf5.pc pointing at Debian's serial HDF5, as on RHEL/Spack/module
# systems), agtrade builds, links the high-level library, and runs to the same results
# as the normal build. Also: the one-message report of a library pkg-config cannot
# find, and the HDF5_CFLAGS/HDF5_LIBS overrides that silence it.
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL   # a make of its own, not a sub-make of `make test`
cd "$(dirname "$0")/.."
ROOT=$PWD
. tests/e2e-common.sh

# The serial HDF5 the Debian build uses, described under the plain name only.
serial_cflags=$(pkg-config --cflags hdf5-serial)
serial_libs=$(pkg-config --libs hdf5-serial)
mkdir -p "$T/pc" "$T/fakebin"
cat > "$T/pc/hdf5.pc" <<EOF
Name: hdf5
Description: HDF5 known only as hdf5 (test)
Version: 1.10
Cflags: $serial_cflags
Libs: $serial_libs
EOF
for m in gsl yaml-0.1 cmocka json-c; do
    cp "$(pkg-config --variable=pcfiledir $m)/$m.pc" "$T/pc/"
done
# apt-get and dpkg-query that record being called
for tool in apt-get dpkg-query; do
    printf '#!/bin/sh\necho "%s $*" >> %s/called\nexit 1\n' "$tool" "$T" > "$T/fakebin/$tool"
    chmod +x "$T/fakebin/$tool"
done
export PATH="$T/fakebin:$PATH"

echo "e2e_build_offdebian: NO_DEPS=1, PKG_CONFIG_LIBDIR knowing only 'hdf5'"
check "pkg-config sees hdf5 and not hdf5-serial" bash -c "
    PKG_CONFIG_LIBDIR='$T/pc' pkg-config --exists hdf5 && ! PKG_CONFIG_LIBDIR='$T/pc' pkg-config --exists hdf5-serial"
PKG_CONFIG_LIBDIR="$T/pc" nice make -C "$ROOT" -j2 --no-print-directory NO_DEPS=1 \
    BUILD="$T/build" BIN="$T/bin" deps-run "$T/bin/agtrade" > "$T/build.log" 2>&1
rc=$?
check "the build succeeds" test $rc -eq 0
[ $rc -eq 0 ] || tail -20 "$T/build.log"
check "apt-get and dpkg-query were never called" test ! -e "$T/called"
check "no missing-library message" bash -c "! grep -q 'not found with the flags in force' '$T/build.log'"
check "linked with -lhdf5_hl from the hdf5 module's folder" \
    grep -q -- "$(echo "$serial_libs" | grep -o -- '-L[^ ]*') -lhdf5_hl -lhdf5" "$T/build.log"
check "its results equal the normal build's bit for bit" bash -c "
    '$T/bin/agtrade' run configs/tariff-sweep.yaml -n 600 -s 11 -q -o '$T/off.h5' &&
    '$A' run configs/tariff-sweep.yaml -n 600 -s 11 -q -o '$T/deb.h5' &&
    h5diff -q '$T/off.h5' '$T/deb.h5' /summary /summary"

echo "e2e_build_offdebian: a library pkg-config cannot find"
mkdir -p "$T/pc-nohdf5"
cp "$T/pc/gsl.pc" "$T/pc/yaml-0.1.pc" "$T/pc-nohdf5/"
PKG_CONFIG_LIBDIR="$T/pc-nohdf5" make -s -C "$ROOT" --no-print-directory NO_DEPS=1 deps-run \
    > "$T/missing.log" 2>&1
rc=$?
check "reported, not fatal" test $rc -eq 0
check "one message naming HDF5, its pkg-config names and the variables to set" bash -c "
    test \$(grep -c 'not found with the flags in force' '$T/missing.log') -eq 1 &&
    grep -q 'HDF5: <hdf5_hl.h> (pkg-config: hdf5-serial or hdf5)' '$T/missing.log' &&
    grep -q \"HDF5_CFLAGS='-I<dir>/include' HDF5_LIBS='-L<dir>/lib -lhdf5_hl -lhdf5'\" '$T/missing.log' &&
    ! grep -q 'GSL:' '$T/missing.log'"
PKG_CONFIG_LIBDIR="$T/pc-nohdf5" make -s -C "$ROOT" --no-print-directory NO_DEPS=1 deps-run \
    HDF5_CFLAGS="$serial_cflags" HDF5_LIBS="$(echo "$serial_libs" | grep -o -- '-L[^ ]*') -lhdf5_hl -lhdf5" \
    > "$T/given.log" 2>&1
check "HDF5_CFLAGS and HDF5_LIBS given: found, no message" bash -c "
    test -e '$T/given.log' && ! grep -q 'not found' '$T/given.log'"

echo "e2e_build_offdebian: what make run and make test would install on a bare Debian"
# dpkg-query that reports every package missing, apt-get and sudo that only record
mkdir -p "$T/bare"
printf '#!/bin/sh\nexit 1\n' > "$T/bare/dpkg-query"
printf '#!/bin/sh\necho "$*" >> %s/apt\n' "$T" > "$T/bare/apt-get"
printf '#!/bin/sh\nexec "$@"\n' > "$T/bare/sudo"
chmod +x "$T/bare/"*
PATH="$T/bare:$PATH" make -s -C "$ROOT" --no-print-directory deps-run > /dev/null 2>&1
check "make run installs the compiler, pkg-config and the five libraries only" bash -c "
    inst=\$(grep '^install' '$T/apt' | tr ' ' '\n' | grep -v '^-' | sort | tr '\n' ' ')
    test \"\$inst\" = 'build-essential install libgsl-dev libhdf5-dev librandom123-dev libsleef-dev libyaml-dev pkg-config zlib1g-dev ' ||
    { echo \"    installs: \$inst\"; exit 1; }"
rm -f "$T/apt"
PATH="$T/bare:$PATH" make -s -C "$ROOT" --no-print-directory deps > /dev/null 2>&1
check "make test / make deps install the test tools too, but not R or Octave" bash -c "
    for p in libcmocka-dev valgrind slurmd munge clang openmpi-bin python3-xarray; do
        grep -q \"^install.* \$p\\( \\|\$\\)\" '$T/apt' || { echo \"    no \$p\"; exit 1; }
    done
    ! grep -qE 'octave|r-cran' '$T/apt'"

[ $fails -eq 0 ]
