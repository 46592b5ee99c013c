# Quick start: `make demo` (train the default models on built-in data) and `make test`.
# Each target installs missing Debian packages, configures and builds first.
BUILD ?= build
JOBS ?= 2

.PHONY: deps test-deps configure build demo test test-asan test-asan-ci bench fuzz clean

# `make demo` installs what building and the demo need; the tests' references (PyTorch,
# scikit-learn), data and tools come with test-deps.
deps:
	@bash scripts/install-deps.sh

test-deps:
	@bash scripts/install-deps.sh --test

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

test: test-deps build
	@cd $(BUILD) && ctest --output-on-failure -j 1

# ASan + UBSan (g++): every target and the libaecrt that trainers link, in its own build dir.
# LSan stays on (fontconfig's process-wide caches aside: tests/lsan.supp); UBSan stops at the
# first report.
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp
test-asan: test-deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DAEC_SANITIZE=address,undefined > /dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && $(ASAN_ENV) ctest --output-on-failure -j 1

# By hand, between CI's share (the asan.* tests of `make test`, tests/asan/) and test-asan:
# everything but the MLIR-heavy lowering files sanitized, the runtime and frontend unit tests,
# the core tests and the trainer e2e tests that exercise the runtime.
ASAN_CI_E2E = bad_input|train_flags|nonfinite|interrupt|kill_resume|threads|restore_best|corrupt_files
test-asan-ci: test-deps
	@cmake -S . -B build-asan-ci -G Ninja -DCMAKE_BUILD_TYPE=Release -DAEC_SANITIZE=address,undefined \
	  -DAEC_SANITIZE_LOWERING=OFF > /dev/null
	@cmake --build build-asan-ci -j $(JOBS)
	@$(ASAN_ENV) build-asan-ci/tests/aec_unit_tests "[runtime],[frontend]"
	@cd build-asan-ci && $(ASAN_ENV) ctest --output-on-failure -j 1 -R '^(core|e2e\.test_($(ASAN_CI_E2E)))$$'

bench: test-deps build
	@bash bench/run.sh $(BUILD)

# libFuzzer targets (clang, ASan + UBSan) in build-fuzz/, FUZZ_RUNS executions each.
fuzz: test-deps
	@bash tests/fuzz/run.sh

clean:
	rm -rf $(BUILD)
