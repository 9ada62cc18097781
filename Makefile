# swiftloss — build, test and run the articles.
#
#   make articles   set up, build, install the Python package into .venv, print the articles' numbers
#   make test       set up (PyTorch too), build, run every test (Swift, C, install, examples,
#                   wheel, Python with the PyTorch bridge)
#   make check      the quick subset of make test: Swift, C and Python suites
#   make lib        build .build/release/libswiftloss.so (and its SONAME link libswiftloss.so.0)
#   make bench      install the Python package, print the benchmark table (benchmarks/)
#   make install PREFIX=/usr/local   (and make uninstall): the library, header and pkg-config file
#   make wheel      a Python wheel carrying libswiftloss.so, in dist/
#
SHELL  := /bin/bash
# Python work happens in a virtual environment of the checkout (.venv, made by .ci/setup);
# PYTHON=/path/to/python uses that interpreter's environment instead.
VENV   ?= $(CURDIR)/.venv
PYTHON ?= $(VENV)/bin/python
export VENV PYTHON
export PATH := /opt/swift/usr/bin:$(PATH)

BUILD_LIBDIR := .build/release
LIB    := $(BUILD_LIBDIR)/libswiftloss.so

.PHONY: all setup setup-test check lib python articles bench test test-swift test-c test-fuzz test-stress test-sanitizers test-python clean

all: lib

setup:
	@PYTHON=$(PYTHON) bash .ci/setup

# `make test` also needs PyTorch (the bridge's tests), abi3audit and auditwheel.
setup-test:
	@PYTHON=$(PYTHON) bash .ci/setup --test

lib:
	swift build -c release --product swiftloss
	ln -sf libswiftloss.so $(BUILD_LIBDIR)/libswiftloss.so.0

python: lib
	$(PYTHON) -m pip install -q --disable-pip-version-check ./bindings/python

articles: setup python
	cd /tmp && $(PYTHON) $(CURDIR)/examples/articles.py

bench: setup-test python
	cd /tmp && $(PYTHON) $(CURDIR)/benchmarks/bench.py

# pytest last: its summary closes the output.
test: setup-test test-swift test-c test-fuzz test-stress test-sanitizers test-install test-examples test-wheel test-python

# The quick subset while developing: the Swift core, the C suite and the Python tests (no
# fuzzing, sanitizers, stress, install, examples or wheel).
check: setup-test test-swift test-c test-python

test-swift:
	swift test

test-c: lib
	bash Tests/c/run.sh $(BUILD_LIBDIR)

# A short fuzz run (Tests/fuzz/run.sh 3600 for an hour), the threads stress test with the
# C-ABI limits, and the Swift and C tests under AddressSanitizer, UBSan and ThreadSanitizer.
test-fuzz: lib
	bash Tests/fuzz/run.sh

test-stress: lib
	bash Tests/stress/run.sh

test-sanitizers: lib
	bash Tests/stress/sanitizers.sh

test-python: python
	cd /tmp && SWIFTLOSS_REQUIRE_TORCH=1 SWIFTLOSS_REQUIRE_MPI=1 $(PYTHON) -m pytest -q $(CURDIR)/Tests/python

clean:
	rm -rf .build Tests/c/build bindings/python/build

# ---- install / uninstall / wheel (Tests/install) ----
PREFIX  ?= /usr/local
DESTDIR ?=
STRIP   ?= yes

.PHONY: install uninstall wheel test-install test-examples test-wheel

# STRIP=no keeps the library's debugging sections (installed stripped by default).
install: lib
	DESTDIR="$(DESTDIR)" STRIP="$(STRIP)" bash Sources/SwiftLossABI/install.sh "$(PREFIX)"

uninstall:
	DESTDIR="$(DESTDIR)" bash Sources/SwiftLossABI/install.sh --uninstall "$(PREFIX)"

# One cp311-abi3 wheel (every CPython from 3.11), tagged manylinux_2_35_x86_64 by auditwheel.
wheel: setup lib
	rm -rf dist/raw && $(PYTHON) -m pip wheel ./bindings/python -w dist/raw --no-deps
	PATH=$(dir $(PYTHON)):$$PATH $(PYTHON) -m auditwheel repair --plat manylinux_2_35_x86_64 -w dist/ dist/raw/swiftloss-*.whl
	rm -rf dist/raw

test-install: lib
	bash Tests/install/test_install.sh

test-examples: lib
	bash Tests/install/test_examples.sh

test-wheel: lib
	bash Tests/install/test_wheel.sh
