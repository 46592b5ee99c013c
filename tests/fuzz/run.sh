#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (clang, ASan + UBSan; tests/fuzz/CMakeLists.txt)
# and runs each for a fixed number of executions from its seed corpus: models/ and the lit
# tests' model files (spec), the lit tests' graph IR (ir), tests/fuzz/seeds/<target>/ (the
# readers), plus every input saved in tests/fuzz/regressions/<target>/. An input that
# crashes, hangs (-timeout), allocates past -rss_limit_mb or raises anything but a clean
# error is saved there (the replay tests in the main build keep it as a regression test)
# and the run fails.
#   FUZZ_RUNS=N      executions per target (default 20000)
#   FUZZ_SECONDS=S   run each target for S seconds instead (the long pass)
#   FUZZ_TARGETS=".." subset of: spec ir csv npy npz idx weights
#   FUZZ_BUILD=DIR   build directory (default build-fuzz)
#   FUZZ_FLAGS=".."  compile flags (default "-O1 -gline-tables-only")
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${FUZZ_BUILD:-$root/build-fuzz}"
runs="${FUZZ_RUNS:-20000}"
targets="${FUZZ_TARGETS:-spec ir csv npy npz idx weights}"
flags="${FUZZ_FLAGS:--O1 -gline-tables-only}"

for tool in clang clang++; do
  command -v "$tool" > /dev/null || { echo "fuzz: $tool not found (scripts/install-deps.sh installs clang)"; exit 1; }
done
if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a > /dev/null 2>&1 &&
   ! ls /usr/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a > /dev/null 2>&1; then
  echo "fuzz: libFuzzer runtime missing (scripts/install-deps.sh installs libclang-rt-14-dev)"; exit 1
fi

start=$(date +%s)
mkdir -p "$build"
cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  "-DAEC_FUZZ_FLAGS=$flags" > "$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
targetNames=""
for t in $targets; do targetNames+=" fuzz_$t"; done
cmake --build "$build" -j "${JOBS:-2}" --target $targetNames > "$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log"; exit 1; }
echo "fuzz: built$targetNames in $(( $(date +%s) - start )) s"

# Seed corpora: a working copy per target (libFuzzer adds the inputs it finds to it).
seed() {
  local t=$1 dir="$build/corpus/$1"
  mkdir -p "$dir" "$root/tests/fuzz/regressions/$t"
  case $t in
    spec) cp "$root"/models/*.yaml "$dir"/; find "$root/tests/lit" -name '*.yaml' -exec cp {} "$dir"/ \; ;;
    ir) find "$root/tests/lit" -name '*.ir' -exec cp {} "$dir"/ \; ;;
    *) cp "$root/tests/fuzz/seeds/$t"/* "$dir"/ ;;
  esac
}

failed=0
summary=""
for t in $targets; do
  seed "$t"
  regress="$root/tests/fuzz/regressions/$t"
  before=$(ls "$regress" | wc -l)
  budget="-runs=$runs"
  [ -n "${FUZZ_SECONDS:-}" ] && budget="-max_total_time=$FUZZ_SECONDS"
  log="$build/fuzz_$t.log"
  t0=$(date +%s)
  (cd "$build" && TMPDIR="$build" "./fuzz_$t" "$budget" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$regress/" "corpus/$t" "$regress") > "$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  found=$(( $(ls "$regress" | wc -l) - before ))
  line=$(printf '%-8s %10s execs %4s s  corpus %5s  new failures %s' "$t" "${execs:-?}" \
         "$(( $(date +%s) - t0 ))" "$(ls "$build/corpus/$t" | wc -l)" "$found")
  echo "fuzz: $line"
  summary+="$line"$'\n'
  if [ $rc -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "fuzz: $t failed (exit $rc); its input is in $regress; log: $log"
    grep -E 'ERROR|SUMMARY|unclean|runtime error' "$log" | head -5
  fi
done
echo "fuzz: total $(( $(date +%s) - start )) s"
exit $failed
