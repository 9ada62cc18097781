# swiftloss — build, test and run the articles.
#
#   make articles   set up, build, install the Python package, print the articles' numbers
#   make test       set up, build, run every test (Swift, C, Python)
#   make lib        build .build/release/libswiftloss.so
#   make bench      install the Python package, print the benchmark table (benchmarks/)
#
SHELL  := /bin/bash
PYTHON ?= python3
export PATH := /opt/swift/usr/bin:$(PATH)

LIBDIR := .build/release
LIB    := $(LIBDIR)/libswiftloss.so

.PHONY: all setup lib python articles bench test test-swift test-c test-python clean

all: lib

setup:
	@bash .ci/setup

lib:
	swift build -c release --product swiftloss

python: lib
	$(PYTHON) -m pip install -q ./bindings/python 2>/dev/null || \
	    $(PYTHON) -m pip install -q --break-system-packages ./bindings/python

articles: setup python
	cd /tmp && $(PYTHON) $(CURDIR)/examples/articles.py

bench: setup python
	cd /tmp && $(PYTHON) $(CURDIR)/benchmarks/bench.py

test: setup test-swift test-c test-python

test-swift:
	swift test

test-c: lib
	bash Tests/c/run.sh $(LIBDIR)

test-python: python
	cd /tmp && $(PYTHON) -m pytest -q $(CURDIR)/Tests/python

clean:
	rm -rf .build Tests/c/build bindings/python/build
