# Quick start: `make demo` (train the default models on built-in data) and `make test`.
# Each target installs missing Debian packages, configures and builds first.
BUILD ?= build
JOBS ?= 2

.PHONY: deps configure build demo test bench fuzz clean

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j 1

bench: build
	@bash bench/run.sh $(BUILD)

# libFuzzer targets (clang, ASan + UBSan) in build-fuzz/, FUZZ_RUNS executions each.
fuzz: deps
	@bash tests/fuzz/run.sh

clean:
	rm -rf $(BUILD)
