# agtrade - build, test and run. See README.md.
#
#   make            build bin/agtrade and build/libagtrade.a
#   make run        install missing packages (only what running needs), build, run
#                   configs/default.yaml
#   make run-seasons  the same set-up, then the quarterly and the monthly 2025 calendar
#                   scenarios (configs/seasons-quarterly.yaml, front-loading-2025.yaml)
#   make test       install missing packages (what testing needs), build, check layers,
#                   run every suite
#   make deps       install every package any target uses
#   make layers     fail when a lower source folder includes a higher one (sim/layers.sh)
#   make asan       the suites under AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   the suites under valgrind
#   make bench      the benchmark (never part of the tests)
#   make plot [FILE=out.h5]  charts (PNG) of FILE, by default of a fresh run of
#                   configs/tariff-sweep.yaml, into outputs/ (sim/python/README.md)
#   make MPI=1      build with Open MPI (mpicc)
#   make install PREFIX=/usr/local DESTDIR=   everything a user needs (README.md)
#
# Off Debian, or with NO_DEPS=1, nothing is installed: the libraries are found with
# pkg-config and every location can be given instead (README.md, "Building elsewhere"):
#   GSL_CFLAGS GSL_LIBS HDF5_CFLAGS HDF5_LIBS YAML_CFLAGS YAML_LIBS ZLIB_CFLAGS ZLIB_LIBS
#   RANDOM123_CFLAGS SLEEF_CFLAGS SLEEF_LIBS
#   CMOCKA_CFLAGS CMOCKA_LIBS JSONC_CFLAGS JSONC_LIBS (tests only), PKG_CONFIG.

VERSION := 0.1.0
PREFIX  ?= /usr/local
BUILD   ?= build
BIN     := bin

# ---- packages (Debian) --------------------------------------------------------------
# Running: a C compiler and six libraries (zlib: the raw draws' chunks are deflated
# outside HDF5, sim/io/h5chunk.h; SLEEF: the batched solve's exp/log, models/README.md).
# Testing adds the test libraries, the
# HDF5/netCDF tools, valgrind, Open MPI, clang (fuzzer), Slurm (tests/e2e_slurm.sh) and
# the Python side. R and Octave (tests/e2e_readers.sh) are large: .ci/run installs them.
RUN_PKGS  := build-essential pkg-config libgsl-dev libhdf5-dev libyaml-dev librandom123-dev \
             zlib1g-dev libsleef-dev
TEST_PKGS := libcmocka-dev libjson-c-dev hdf5-tools netcdf-bin time valgrind \
             openmpi-bin libopenmpi-dev clang libclang-rt-14-dev \
             slurmctld slurmd slurm-client munge \
             python3 python3-numpy python3-h5py python3-xarray python3-h5netcdf \
             python3-netcdf4 python3-pandas python3-matplotlib python3-yaml python3-openturns
DEB_PKGS  := $(RUN_PKGS) $(TEST_PKGS)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

ifeq ($(MPI),1)
CC      := mpicc
MPIDEF  := -DAGTRADE_MPI
BUILD   := build-mpi
endif

# ---- libraries ----------------------------------------------------------------------
# Each X_CFLAGS / X_LIBS given on the command line or in the environment wins; else
# pkg-config answers; else a plain -lNAME (the compiler's default paths). HDF5 is looked
# up as hdf5-serial (Debian, which also has an MPI flavour) then hdf5 (upstream, Spack,
# RHEL, modules); its high-level library (dimension scales) is hdf5_hl beside it.
# Each is computed on first use (X = $(eval X := ...)$(X)), i.e. when a recipe runs,
# after `deps` may have installed pkg-config and the libraries, then kept.
PKG_CONFIG ?= pkg-config
pc = $(shell $(PKG_CONFIG) $(1) 2>/dev/null)
define find_lib
ifeq ($$(origin $(1)_CFLAGS),undefined)
$(1)_CFLAGS = $$(eval $(1)_CFLAGS := $$(call pc,--cflags $(2)))$$($(1)_CFLAGS)
endif
ifeq ($$(origin $(1)_LIBS),undefined)
$(1)_LIBS = $$(eval $(1)_LIBS := $$(or $$(call pc,--libs $(2)),$(3)))$$($(1)_LIBS)
endif
endef
ifeq ($(origin HDF5_PKG),undefined)
HDF5_PKG = $(eval HDF5_PKG := $(firstword $(foreach m,hdf5-serial hdf5,$(call pc,--exists $(m) && echo $(m)))))$(HDF5_PKG)
endif
with_hl = $(filter-out -l%,$(1)) -lhdf5_hl $(filter -l%,$(1))
ifeq ($(origin HDF5_LIBS),undefined)
HDF5_LIBS = $(eval HDF5_LIBS := $(call with_hl,$(if $(HDF5_PKG),$(call pc,--libs $(HDF5_PKG)),-lhdf5)))$(HDF5_LIBS)
endif
$(eval $(call find_lib,HDF5,$$(HDF5_PKG),))
$(eval $(call find_lib,GSL,gsl,-lgsl -lgslcblas -lm))
$(eval $(call find_lib,YAML,yaml-0.1,-lyaml))
$(eval $(call find_lib,ZLIB,zlib,-lz))
$(eval $(call find_lib,SLEEF,sleef,-lsleef))
$(eval $(call find_lib,CMOCKA,cmocka,-lcmocka))
$(eval $(call find_lib,JSONC,json-c,-ljson-c))
RANDOM123_CFLAGS ?=
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-align -Wwrite-strings -Wundef -Wvla -Wformat=2
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -ffp-contract=off
OPT     ?= -O2 -g
PKG_CFLAGS = $(GSL_CFLAGS) $(HDF5_CFLAGS) $(YAML_CFLAGS) $(ZLIB_CFLAGS) $(RANDOM123_CFLAGS) \
             $(SLEEF_CFLAGS)
PKG_LIBS   = $(GSL_LIBS) $(HDF5_LIBS) $(YAML_LIBS) $(ZLIB_LIBS) $(SLEEF_LIBS)
CFLAGS  += $(CSTD) $(OPT) $(WARN) -fopenmp -MMD -MP $(PKG_CFLAGS) $(MPIDEF) \
           -I$(BUILD)/gen $(EXTRA_CFLAGS)
# ($(BUILD)/gen/version.h, generated below, defines AGTRADE_VERSION and AGTRADE_GIT_COMMIT.)
# The source folders, lowest layer first (sim/layers.sh); headers are included by name.
SRC_DIRS := models sim/config sim/mc sim/io sim/cli
CFLAGS  += $(SRC_DIRS:%=-I%)
LDLIBS  += -fopenmp $(PKG_LIBS) -lm $(EXTRA_LDLIBS)

LIB_SRC  := $(filter-out sim/cli/main.c sim/config/fuzz_config.c,$(wildcard $(SRC_DIRS:%=%/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# The batched solve's kernel (models/solve_batch_kernel.c) is compiled twice more for
# x86-64 CPUs with AVX and with AVX-512, chosen at run time; -ffp-contract=off (CSTD)
# keeps every object's arithmetic the same IEEE operations, so they give the same bits.
ifneq ($(filter x86_64% amd64%,$(shell $(CC) -dumpmachine 2>/dev/null)),)
LIB_OBJ  += $(BUILD)/models/solve_batch_kernel_avx.o $(BUILD)/models/solve_batch_kernel_avx512.o
CFLAGS   += -DAGTRADE_X86_KERNELS
endif
LIB      := $(BUILD)/libagtrade.a
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_LIBS = $(CMOCKA_LIBS) $(JSONC_LIBS)
AGTRADE  := $(BIN)/agtrade$(if $(filter 1,$(MPI)),-mpi,)

.PHONY: all deps deps-run check-libs run run-seasons test layers asan valgrind bench fuzz install clean plot
all: $(AGTRADE) $(TEST_BIN)

# $(call install_pkgs,PACKAGES): the missing ones with apt-get; without apt-get or
# with NO_DEPS=1 nothing is installed. Either way check-libs then says, in one message,
# which libraries the compiler cannot find and how to point the build at them.
define install_pkgs
	@if [ "$(NO_DEPS)" != 1 ] && command -v apt-get >/dev/null 2>&1 && \
	    command -v dpkg-query >/dev/null 2>&1; then \
	  missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	  if [ -n "$$missing" ]; then \
	    echo "make: installing" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	fi
endef
deps:
	$(call install_pkgs,$(DEB_PKGS))
	@$(MAKE) --no-print-directory check-libs CHECK_TEST=1
deps-run:
	$(call install_pkgs,$(RUN_PKGS))
	@$(MAKE) --no-print-directory check-libs

# Compiles and links one tiny program per library with the flags in force (a sub-make
# runs this, so libraries installed a moment ago are seen). Reports; does not stop the
# build, which then fails at the first missing header with the compiler's message.
# VAR:header:pkg-config name:example libraries (',' for ' ')
LIB_PROBES := GSL:gsl/gsl_rng.h:gsl:-lgsl,-lgslcblas HDF5:hdf5_hl.h:hdf5-serial,or,hdf5:-lhdf5_hl,-lhdf5 \
              YAML:yaml.h:yaml-0.1:-lyaml ZLIB:zlib.h:zlib:-lz RANDOM123:Random123/philox.h:none: \
              SLEEF:sleef.h:sleef:-lsleef \
              $(if $(CHECK_TEST),CMOCKA:cmocka.h:cmocka:-lcmocka JSONC:json-c/json.h:json-c:-ljson-c)
check-libs:
	@tmp=$$(mktemp -d); missing=; \
	for probe in $(LIB_PROBES); do \
	  var=$${probe%%:*}; r=$${probe#*:}; hdr=$${r%%:*}; r=$${r#*:}; pc=$${r%%:*}; ex=$${r#*:}; \
	  pc=$$(echo $$pc | tr , ' '); ex=$$(echo $$ex | tr , ' '); \
	  case $$var in \
	    GSL) cf='$(GSL_CFLAGS)'; lb='$(GSL_LIBS)';; HDF5) cf='$(HDF5_CFLAGS)'; lb='$(HDF5_LIBS)';; \
	    YAML) cf='$(YAML_CFLAGS)'; lb='$(YAML_LIBS)';; ZLIB) cf='$(ZLIB_CFLAGS)'; lb='$(ZLIB_LIBS)';; \
	    SLEEF) cf='$(SLEEF_CFLAGS)'; lb='$(SLEEF_LIBS)';; RANDOM123) cf='$(RANDOM123_CFLAGS)'; lb=;; \
	    CMOCKA) cf='$(CMOCKA_CFLAGS)'; lb='$(CMOCKA_LIBS)';; JSONC) cf='$(JSONC_CFLAGS)'; lb='$(JSONC_LIBS)';; \
	  esac; \
	  case $$hdr in cmocka.h) pre='#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n';; \
	    *) pre=;; esac; \
	  printf "$$pre#include <$$hdr>\nint main(void) { return 0; }\n" > $$tmp/p.c; \
	  $(CC) $$cf $$tmp/p.c -o $$tmp/p $$lb >/dev/null 2>&1 || \
	    missing="$$missing\n  $$var: <$$hdr> (pkg-config: $$pc) - set $${var}_CFLAGS='-I<dir>/include'$$([ -n "$$ex" ] && echo " $${var}_LIBS='-L<dir>/lib $$ex'")"; \
	done; rm -rf $$tmp; \
	if [ -n "$$missing" ]; then \
	  printf "make: not found with the flags in force:$$missing\n"; \
	  printf "  (or add the folders holding their .pc files to PKG_CONFIG_PATH; README.md,\n"; \
	  printf "  \"Building elsewhere\"). Building with what was found.\n"; \
	fi

# The commit the build is made from: regenerated on every make, but rewritten (and the
# few files that include it rebuilt, through their .d dependencies) only when the commit
# or the tree's cleanliness changes (sim/gen-version.sh).
VERSION_H := $(BUILD)/gen/version.h
$(VERSION_H): FORCE
	@sh sim/gen-version.sh $@ $(VERSION)
FORCE:

$(BUILD)/%.o: %.c | $(VERSION_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/models/solve_batch_kernel_avx.o: models/solve_batch_kernel.c | $(VERSION_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -mavx2 -DSOLVE_BATCH_AVX -c $< -o $@
$(BUILD)/models/solve_batch_kernel_avx512.o: models/solve_batch_kernel.c | $(VERSION_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -mavx512f -DSOLVE_BATCH_AVX512 -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(AGTRADE): $(BUILD)/sim/cli/main.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB) tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) $(JSONC_CFLAGS) -Itests $< $(LIB) -o $@ $(LDLIBS) $(TEST_LIBS)

run: deps-run
	@$(MAKE) --no-print-directory $(AGTRADE)
	@mkdir -p outputs
	$(AGTRADE) run configs/default.yaml -o outputs/default.h5
	$(AGTRADE) summary outputs/default.h5

# The calendar scenarios (configs/README.md, "Time"): quarters, then the 2025 tariff path
# by month over two marketing years.
run-seasons: deps-run
	@$(MAKE) --no-print-directory $(AGTRADE)
	@mkdir -p outputs
	$(AGTRADE) run configs/seasons-quarterly.yaml -o outputs/seasons-quarterly.h5
	$(AGTRADE) summary outputs/seasons-quarterly.h5
	$(AGTRADE) run configs/front-loading-2025.yaml -o outputs/front-loading-2025.h5
	$(AGTRADE) summary outputs/front-loading-2025.h5

# The include rule of the source folders: no lower layer includes a higher one.
layers:
	@sh sim/layers.sh .

# Every cmocka suite, then every end-to-end script; tests/run-all prints the totals.
test: deps
	$(MAKE) all
	$(MAKE) layers
	BUILD=$(BUILD) AGTRADE=$(AGTRADE) tests/run-all $(TEST_BIN)

asan: deps
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT='-O1 -g -fno-omit-frame-pointer' \
	  EXTRA_CFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all' \
	  EXTRA_LDLIBS='-fsanitize=address,undefined' all
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  BUILD=build-asan AGTRADE=build-asan/bin/agtrade tests/run-all $(TEST_SRC:tests/%.c=build-asan/tests/%)

valgrind: deps all
	VALGRIND='valgrind --quiet --error-exitcode=99 --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite' \
	  BUILD=$(BUILD) AGTRADE=$(AGTRADE) tests/run-all $(TEST_BIN)

# Charts of FILE, or of the shipped tariff sweep (run first) when FILE is not given.
PYTHON     := /usr/bin/python3
PLOT_ARGS  ?=
plot: deps $(AGTRADE)
	@mkdir -p outputs
	@if [ -z "$(FILE)" ]; then \
	  echo "$(AGTRADE) run configs/tariff-sweep.yaml -o outputs/tariff-sweep.h5"; \
	  $(AGTRADE) run configs/tariff-sweep.yaml -o outputs/tariff-sweep.h5 || exit $$?; \
	fi
	$(PYTHON) sim/python/plots.py $(or $(FILE),outputs/tariff-sweep.h5) --outdir outputs $(PLOT_ARGS)

bench: deps all $(BENCH_BIN)
	sim/bench.sh $(AGTRADE) $(BENCH_BIN)

# libFuzzer target for the scenario-file loader: clang builds the loader's library sources
# and sim/config/fuzz_config.c into build-fuzz/; seeds are configs/*.yaml, the growing corpus is
# fuzz-corpus/config (git-ignored), crashes land in fuzz-corpus/artifacts/ (copy any into
# tests/data/fuzz-regressions/, which test_config loads). FUZZ_SECONDS=600 by default.
FUZZ_SECONDS ?= 600
# The loader's sources: the config layer, what it calls (numbers, quantity names, the
# distributions' names and rules, sweep ranges, the attributed quantities) and the models.
FUZZ_SRC := $(wildcard sim/config/*.c models/*.c) sim/mc/quantities.c sim/mc/dist.c \
            sim/mc/sample.c sim/mc/rng.c sim/mc/sweep.c sim/mc/attrib.c
build-fuzz/gen/version.h: FORCE
	@sh sim/gen-version.sh $@ $(VERSION)
build-fuzz/fuzz_config: $(FUZZ_SRC) $(wildcard sim/*/*.h models/*.h) build-fuzz/gen/version.h
	@mkdir -p $(dir $@)
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  $(PKG_CFLAGS) -Ibuild-fuzz/gen $(SRC_DIRS:%=-I%) $(FUZZ_SRC) -o $@ \
	  $(GSL_LIBS) $(YAML_LIBS) $(SLEEF_LIBS) -lm

fuzz: deps build-fuzz/fuzz_config
	@mkdir -p fuzz-corpus/config fuzz-corpus/artifacts
	nice -n 10 build-fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
	  -dict=sim/config/fuzz_config.dict -artifact_prefix=fuzz-corpus/artifacts/ \
	  -print_final_stats=1 fuzz-corpus/config configs

# Everything a user needs, under DESTDIR + PREFIX (the binary finds its scenarios next
# to itself, ../share/agtrade/configs, so a staged or moved tree works too).
BINDIR       ?= $(PREFIX)/bin
DATADIR      ?= $(PREFIX)/share/agtrade
PYTHONDIR    ?= $(DATADIR)/python
MANDIR       ?= $(PREFIX)/share/man
DOCDIR       ?= $(PREFIX)/share/doc/agtrade
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# Headers include each other by name (-I), so they install flat into include/agtrade/.
PUBLIC_HEADERS := $(filter-out sim/cli/cli.h sim/config/config_internal.h %_internal.h,$(wildcard $(SRC_DIRS:%=%/*.h)))
D := $(DESTDIR)
install: $(AGTRADE) $(LIB)
	install -d $(D)$(BINDIR) $(D)$(DATADIR)/configs/slurm $(D)$(PYTHONDIR) $(D)$(MANDIR)/man1 \
	  $(D)$(DOCDIR) $(D)$(LIBDIR)/pkgconfig $(D)$(INCLUDEDIR)/agtrade $(D)$(COMPLETIONDIR)
	install -m 755 $(AGTRADE) $(D)$(BINDIR)/
	install -m 644 configs/*.yaml configs/README.md $(D)$(DATADIR)/configs/
	install -m 644 configs/slurm/README.md $(D)$(DATADIR)/configs/slurm/
	install -m 755 configs/slurm/*.sbatch configs/slurm/*.sh $(D)$(DATADIR)/configs/slurm/
	install -m 644 sim/python/agtrade_results.py sim/python/README.md $(D)$(PYTHONDIR)/
	install -m 755 sim/python/plots.py $(D)$(PYTHONDIR)/
	install -m 644 sim/doc/agtrade.1 $(D)$(MANDIR)/man1/
	install -m 644 sim/doc/agtrade.bash-completion $(D)$(COMPLETIONDIR)/agtrade
	install -m 644 README.md LICENSE CITATION.cff $(D)$(DOCDIR)/
	install -m 644 sim/README.md $(D)$(DOCDIR)/sim-README.md
	install -m 644 models/README.md $(D)$(DOCDIR)/models-README.md
	install -m 644 $(LIB) $(D)$(LIBDIR)/
	install -m 644 $(PUBLIC_HEADERS) $(D)$(INCLUDEDIR)/agtrade/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	  'Name: agtrade' 'Description: Monte Carlo simulator of agricultural trade (library)' \
	  'Version: $(VERSION)' 'Cflags: -I$${includedir}/agtrade -fopenmp $(PKG_CFLAGS)' \
	  'Libs: -L$${libdir} -lagtrade -fopenmp $(PKG_LIBS) -lm' > $(D)$(LIBDIR)/pkgconfig/agtrade.pc

clean:
	rm -rf build build-asan build-mpi build-fuzz bin

-include $(LIB_OBJ:.o=.d) $(BUILD)/sim/cli/main.d $(TEST_BIN:=.d)
