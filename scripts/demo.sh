#!/usr/bin/env bash
# `make demo`: compile and train the two default models on built-in data, then show that
# they learned: the loss falling, the ring's 1-D code walking round the ring, and the
# stellar colours' 2-D latent following temperature.
set -euo pipefail
BUILD="$(cd "${1:-build}" && pwd)"
AEC="$BUILD/aec"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/out/demo"
PY=/usr/bin/python3
mkdir -p "$OUT"
cd "$OUT"

echo "== ring (seed 003, assignment 5): 2 -> 50 -> 50 -> 1 (sigmoid code) -> 50 -> 50 -> 2"
"$AEC" check "$ROOT/models/ring.yaml"
"$AEC" compile "$ROOT/models/ring.yaml" -o ring
./ring train --save ring.npz --log ring_log.csv | awk 'NR <= 3 || NR % 40 == 0 || /saved|wrote/'
awk 'BEGIN { print "code"; for (i = 0; i <= 20; i++) printf "%.3f\n", i / 20 }' > codes.csv
./ring decode --weights ring.npz --latent codes.csv --out scan.csv
"$AEC" data ring --n 6 --seed 9 -o probe.csv
./ring encode --weights ring.npz --data probe.csv --out probe_code.csv

echo "== sdss_colors (seed 001): 5 -> 4 x (40, SiLU, LayerNorm) -> 2 -> mirror -> 5"
"$AEC" compile "$ROOT/models/sdss_colors.yaml" -o sdss_colors
./sdss_colors train --save colors.npz --log colors_log.csv
"$AEC" data blackbody_colors --n 2000 --seed 7 -o colors.csv --truth colors_truth.csv
./sdss_colors encode --weights colors.npz --data colors.csv --out colors_latent.csv

$PY "$ROOT/scripts/demo_summary.py" "$OUT"
