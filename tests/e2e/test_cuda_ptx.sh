#!/usr/bin/env bash
# The cuda target's PTX for every seed model (`aec dump --target cuda --stage ptx`): sm_90,
# one module, one .entry per distinct kernel, no libdevice call (users have no CUDA toolkit),
# and, where ptxas exists (developers' machines: /usr/local/cuda; not CI, not users), every
# module assembled for sm_90. Without ptxas the PTX is still generated and checked here, and
# the test says that it did not assemble it.
source "$(dirname "$0")/prelude.sh"
PTXAS=""
for p in "$(command -v ptxas 2>/dev/null)" /usr/local/cuda/bin/ptxas; do
  [ -n "$p" ] && [ -x "$p" ] && PTXAS="$p" && break
done
[ -z "$PTXAS" ] && echo "NOTE: no ptxas (CUDA toolkit) here: the PTX is generated and checked, NOT assembled (skipped part)"

models=0
for yaml in "$AEC_SOURCE_DIR"/models/*.yaml; do
  m=$(basename "$yaml" .yaml)
  if ! "$AEC" dump "$yaml" --target cuda --stage ptx > "$m.ptx" 2> "$m.err"; then
    fail "$m: aec dump --target cuda --stage ptx: $(head -3 "$m.err")"
    continue
  fi
  models=$((models + 1))
  binaries=$(grep -c '^// gpu.binary @' "$m.ptx")
  entries=$(grep -c '^\.visible \.entry ' "$m.ptx")
  [ "$binaries" = 1 ] || fail "$m: $binaries kernel modules, expected 1 (aec-gpu-merge-kernels)"
  [ "$entries" -gt 0 ] || fail "$m: no kernel entry in the PTX"
  grep -q '^\.target sm_90$' "$m.ptx" || fail "$m: PTX not for sm_90"
  if grep -q '__nv_' "$m.ptx"; then fail "$m: calls libdevice: $(grep -o '__nv_[a-z0-9_]*' "$m.ptx" | sort -u | tr '\n' ' ')"; fi
  if [ -n "$PTXAS" ]; then
    sed '1d' "$m.ptx" > "$m.part.ptx" # the `// gpu.binary @name` header line
    "$PTXAS" -arch=sm_90 "$m.part.ptx" -o "$m.cubin" 2> "$m.ptxas" || fail "$m: ptxas: $(head -5 "$m.ptxas")"
  fi
  echo "$m: $entries kernels$([ -n "$PTXAS" ] && echo ', assembled by ptxas for sm_90')"
done
[ "$models" -ge 15 ] || fail "only $models seed models"

# Real cuda trainers (PTX, not the AEC_TEST_CUDA_ON_HOST stand-in) of a dense, a conv and an
# LSTM model link with the runtime's mgpu* functions. Without a driver they say so and exit 1;
# with the host-memory fake driver (build/fake_cuda) the generated host code loads the
# embedded PTX module and asks for its first kernel by the name the PTX defines, which the
# fake cannot run: the end of what a machine without a GPU can check.
for m in ring fashion_conv fashion_recurrent; do
  "$AEC" compile "$AEC_SOURCE_DIR/models/$m.yaml" --target cuda -o "$m.cuda" 2> "$m.cerr" \
    || { fail "$m: aec compile --target cuda: $(tail -3 "$m.cerr")"; continue; }
  out=$(env LD_LIBRARY_PATH=/nonexistent "./$m.cuda" train --epochs 1 2>&1); rc=$?
  [ $rc = 1 ] || fail "$m: exit $rc without a driver, expected 1"
  echo "$out" | grep -q "^error: no CUDA device found (libcuda.so.1: cannot open shared object file" \
    || fail "$m: without a driver: $out"
  out=$(env LD_LIBRARY_PATH="$AEC_BUILD_DIR/fake_cuda" AEC_CUDA_GRAPHS=0 "./$m.cuda" train --epochs 1 2>&1)
  kernel=$(echo "$out" | sed -n "s/.*looking up kernel '\([a-z_0-9]*\)'.*/\1/p")
  [ -n "$kernel" ] || fail "$m: the fake driver was not asked for a kernel: $out"
  grep -q "^\.visible \.entry $kernel(" "$m.ptx" || fail "$m: kernel '$kernel' is not in the PTX"
done
exit $((failures > 0))
