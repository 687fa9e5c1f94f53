# agtrade - build, test and run. See README.md.
#
#   make            build bin/agtrade and build/libagtrade.a
#   make run        install missing packages, build, run configs/default.yaml
#   make test       install missing packages, build, check layers, run every test suite
#   make layers     fail when a lower source folder includes a higher one (sim/layers.sh)
#   make asan       the suites under AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   the suites under valgrind
#   make bench      the benchmark (never part of the tests)
#   make plot [FILE=out.h5]  charts (PNG) of FILE, by default of a fresh run of
#                   configs/tariff-sweep.yaml, into outputs/ (sim/python/README.md)
#   make MPI=1      build with Open MPI (mpicc)

VERSION := 0.1.0
PREFIX  ?= /usr/local
BUILD   ?= build
BIN     := bin

# Debian packages the build, the tests and the tools need.
DEB_PKGS := build-essential pkg-config libgsl-dev libhdf5-dev hdf5-tools libcmocka-dev \
            libyaml-dev librandom123-dev valgrind time netcdf-bin \
            openmpi-bin libopenmpi-dev clang libclang-rt-14-dev \
            slurmctld slurmd slurm-client munge \
            python3 python3-numpy python3-h5py python3-xarray python3-h5netcdf \
            python3-netcdf4 python3-pandas python3-matplotlib libjson-c-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PKGS    := gsl hdf5-serial yaml-0.1
ifeq ($(MPI),1)
CC      := mpicc
MPIDEF  := -DAGTRADE_MPI
BUILD   := build-mpi
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-align -Wwrite-strings -Wundef -Wvla -Wformat=2
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -ffp-contract=off
OPT     ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) json-c 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhdf5_serial_hl
CFLAGS  += $(CSTD) $(OPT) $(WARN) -fopenmp -MMD -MP $(PKG_CFLAGS) $(MPIDEF) \
           -I$(BUILD)/gen $(EXTRA_CFLAGS)
# ($(BUILD)/gen/version.h, generated below, defines AGTRADE_VERSION and AGTRADE_GIT_COMMIT.)
# The source folders, lowest layer first (sim/layers.sh); headers are included by name.
SRC_DIRS := models sim/config sim/mc sim/io sim/cli
CFLAGS  += $(SRC_DIRS:%=-I%)
LDLIBS  += -fopenmp $(PKG_LIBS) -lm $(EXTRA_LDLIBS)

LIB_SRC  := $(filter-out sim/cli/main.c sim/config/fuzz_config.c,$(wildcard $(SRC_DIRS:%=%/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libagtrade.a
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_LIBS = -lcmocka $(shell pkg-config --libs json-c 2>/dev/null)
AGTRADE  := $(BIN)/agtrade$(if $(filter 1,$(MPI)),-mpi,)

.PHONY: all deps run run-seasons test layers asan valgrind bench fuzz install clean plot
all: $(AGTRADE) $(TEST_BIN)

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
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

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(AGTRADE): $(BUILD)/sim/cli/main.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB) tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests $< $(LIB) -o $@ $(LDLIBS) $(TEST_LIBS)

run: deps $(AGTRADE)
	@mkdir -p outputs
	$(AGTRADE) run configs/default.yaml -o outputs/default.h5
	$(AGTRADE) summary outputs/default.h5

# The calendar scenarios (configs/README.md, "Time"): quarters, then the 2025 tariff path
# by month over two marketing years.
run-seasons: deps $(AGTRADE)
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
# distributions' names and rules, sweep ranges) and the models.
FUZZ_SRC := $(wildcard sim/config/*.c models/*.c) sim/mc/quantities.c sim/mc/dist.c \
            sim/mc/sample.c sim/mc/rng.c sim/mc/sweep.c
build-fuzz/gen/version.h: FORCE
	@sh sim/gen-version.sh $@ $(VERSION)
build-fuzz/fuzz_config: $(FUZZ_SRC) $(wildcard sim/*/*.h models/*.h) build-fuzz/gen/version.h
	@mkdir -p $(dir $@)
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  $(PKG_CFLAGS) -Ibuild-fuzz/gen $(SRC_DIRS:%=-I%) $(FUZZ_SRC) -o $@ \
	  $(shell pkg-config --libs gsl yaml-0.1) -lm

fuzz: deps build-fuzz/fuzz_config
	@mkdir -p fuzz-corpus/config fuzz-corpus/artifacts
	nice -n 10 build-fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
	  -dict=sim/config/fuzz_config.dict -artifact_prefix=fuzz-corpus/artifacts/ \
	  -print_final_stats=1 fuzz-corpus/config configs

install: $(AGTRADE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/agtrade/configs
	install -m 755 $(AGTRADE) $(DESTDIR)$(PREFIX)/bin/agtrade
	install -m 644 configs/*.yaml $(DESTDIR)$(PREFIX)/share/agtrade/configs/

clean:
	rm -rf build build-asan build-mpi build-fuzz bin

-include $(LIB_OBJ:.o=.d) $(BUILD)/sim/cli/main.d $(TEST_BIN:=.d)
