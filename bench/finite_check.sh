#!/usr/bin/env bash
# Cost of the per-step finite check of params and optimizer states: the same trainer with
# AEC_FINITE_CHECK=0 and =1, alternated, PASSES times each; median steady-state samples/s
# (per-epoch log, epoch 1 left out) and best epoch (least disturbed by other load). Usage: bench/finite_check.sh [BUILD] [PASSES]
# Run it as the other benchmarks: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE, quiet machine.
set -euo pipefail
BUILD="$(cd "${1:-build}" && pwd)"
PASSES=${2:-5}
SRC="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# model | epochs
for case in "ring 300" "fashion_stacked 4"; do
  set -- $case
  "$BUILD/aec" compile "$SRC/models/$1.yaml" -o "$1" > /dev/null 2>&1
  for pass in $(seq 1 "$PASSES"); do
    for check in 0 1; do
      AEC_FINITE_CHECK=$check "./$1" train --epochs "$2" --threads 1 --save w.npz --log "log_${check}_$pass.csv" > /dev/null
    done
  done
  /usr/bin/python3 - "$1" "$PASSES" <<'PY'
import csv, statistics, sys
name, passes = sys.argv[1], int(sys.argv[2])
med = {}
for check in (0, 1):
    rates = []
    for p in range(1, passes + 1):
        rows = list(csv.DictReader(open(f"log_{check}_{p}.csv")))[1:]
        rates += [float(r["samples_per_s"]) for r in rows]
    med[check] = (statistics.median(rates), max(rates))
print(f"{name:16s} median samples/s without check {med[0][0]:9.0f}, with {med[1][0]:9.0f} (ratio {med[1][0] / med[0][0]:.3f});"
      f"  best epoch {med[0][1]:9.0f} vs {med[1][1]:9.0f} (ratio {med[1][1] / med[0][1]:.3f})")
PY
done
