#!/usr/bin/env bash
# The two default models, used as a user would: check, compile, train a few epochs (the
# loss must fall well below the untrained loss), encode/decode/reconstruct/score, info,
# and `aec run`.
set -euo pipefail
: "${AEC:?set AEC to the aec binary}"
: "${AEC_SOURCE_DIR:?}"
M="$AEC_SOURCE_DIR/models"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

first_last_loss() { awk -F, 'NR == 2 { f = $2 } END { print f, $2 }' "$1"; }

"$AEC" check "$M/ring.yaml" | tee check.txt
grep -qE "5,?503" check.txt  # 150 + 2550 + 51 + 100 + 2550 + 102 parameters
"$AEC" compile "$M/ring.yaml" -o ring
./ring info | tee info.txt
grep -q "train_step" info.txt
# The compile-time memory plan: one arena within 1.2x of the most bytes live at once.
sed -n 's/.*train_step arena \([0-9]*\) bytes.*live lower bound \([0-9]*\)).*/\1 \2/p' info.txt |
  awk '{ print "arena", $1, "bound", $2; ok = $2 > 0 && $1 <= 1.2 * $2 } END { exit !ok }'
./ring train --epochs 40 --save ring.npz --log ring.csv > train.log
read -r first last < <(first_last_loss ring.csv)
echo "ring loss $first -> $last"
awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < 0.3 * f) }'
# The last partial batch is trained on: 1000 samples, batch 32 -> 32 steps per epoch.
grep -q "epoch 40/40" train.log

"$AEC" data ring --n 50 --seed 4 -o probe.csv
./ring encode --weights ring.npz --data probe.csv --out code.csv
./ring decode --weights ring.npz --latent code.csv --out back.csv
./ring reconstruct --weights ring.npz --data probe.csv --out rec.csv
./ring score --weights ring.npz --data probe.csv --out score.csv
for f in code.csv back.csv rec.csv score.csv; do
  test "$(($(wc -l < "$f") - 1))" -eq 50 || { echo "$f: expected 50 rows"; exit 1; }
done
# decode(encode(x)) is the reconstruction.
paste -d, back.csv rec.csv | awk -F, 'NR > 1 { d = ($1 - $3)^2 + ($2 - $4)^2; if (d > 1e-8) bad = 1 } END { exit bad }'

"$AEC" compile "$M/sdss_colors.yaml" -o colors
./colors train --epochs 3 --save colors.npz --log colors.csv > colors.log
read -r first last < <(first_last_loss colors.csv)
echo "sdss_colors loss $first -> $last"
awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < 0.8 * f) }'
grep -q "val_loss" colors.log

XDG_CACHE_HOME="$work/cache" "$AEC" run "$M/ring.yaml" --epochs 2 --save run.npz > run1.log
XDG_CACHE_HOME="$work/cache" "$AEC" run "$M/ring.yaml" --epochs 2 --save run2.npz > run2.log
test -s run2.npz
# Same seed, same machine: bit-identical weights.
cmp run.npz run2.npz
