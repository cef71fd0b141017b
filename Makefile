# The two commands: `make demo` and `make test`. Everything else is a step of those.
BUILD_DIR ?= build
CMAKE_FLAGS ?=
AKKO_DEMO_DIR ?= ./akko-data
# ccache hits across clones and build directories (CI builds a fresh clone each run),
# including the engine's precompiled header.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime

.PHONY: all setup configure build demo test unit-test integration-test fuzz bench clean

all: build

setup:
	@scripts/setup

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: setup configure
	cmake --build $(BUILD_DIR)

# Starts akko on the embedded default (data under ./akko-data) with the banking demo (demo
# users with well-known passwords; docs/init.md) and prints how to connect.
demo: build
	$(BUILD_DIR)/akko serve --demo --data-dir $(AKKO_DEMO_DIR)

test: build
	scripts/run-tests

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure

fuzz: setup
	scripts/run-fuzz

bench: build
	scripts/run-benchmarks

clean:
	rm -rf $(BUILD_DIR)
