#!/usr/bin/env bash
# `aec compile` time of every model in models/ at its own batch: the best wall and CPU (user +
# system) seconds of N runs each (default 3), and the worst model's. The issue's bar is 3 s of
# wall time per model on this 2-core machine; run it on a quiet machine.
#   bash bench/compile_times.sh [BUILD_DIR] [RUNS]
set -euo pipefail
BUILD="$(cd "${1:-build}" && pwd)"
RUNS=${2:-3}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-20s %8s %8s\n' model wall_s cpu_s
worst=0 worst_model=
for yaml in "$ROOT"/models/*.yaml; do
  model=$(basename "$yaml" .yaml)
  best_wall= best_cpu=
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S' -o "$work/t" "$BUILD/aec" compile "$yaml" -o "$work/trainer" > /dev/null 2>&1 \
      || { echo "FAIL: aec compile $model" >&2; exit 1; }
    read -r wall user sys < "$work/t"
    cpu=$(echo "$user + $sys" | bc)
    if [ -z "$best_wall" ] || [ "$(echo "$wall < $best_wall" | bc)" = 1 ]; then best_wall=$wall; fi
    if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then best_cpu=$cpu; fi
  done
  printf '%-20s %8s %8s\n' "$model" "$best_wall" "$best_cpu"
  if [ "$(echo "$best_wall > $worst" | bc)" = 1 ]; then worst=$best_wall worst_model=$model; fi
done
echo "slowest: $worst_model, $worst s"
