#!/usr/bin/env bash
# aec vs PyTorch: the same YAML model, the same initial weights (--init), data in file order
# (--no-shuffle), several epochs with a partial last batch; final weights must agree.
set -euo pipefail
: "${AEC:?set AEC to the aec binary}"
here="$(cd "$(dirname "$0")" && pwd)"
PY=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

"$AEC" data ring --n 100 --seed 3 -o ring.csv
# Data in (0, 1) for the bce case.
$PY -c "
import numpy as np
d = np.loadtxt('ring.csv', delimiter=',', skiprows=1)
np.savetxt('unit.csv', (d + 1.1) / 2.2, delimiter=',', header='x,y', comments='')"
"$AEC" data blackbody_colors --n 100 --seed 4 -o raw_colors.csv
# Standardised here so both frameworks see the same numbers (normalisation has its own tests).
$PY -c "
import numpy as np
d = np.loadtxt('raw_colors.csv', delimiter=',', skiprows=1)
np.savetxt('colors.csv', (d - d.mean(0)) / d.std(0), delimiter=',', header='u,g,r,i,z', comments='')"

# name  data  optimizer  loss  tolerance  encoder  decoder
run_case() {
  local name=$1 data=$2 opt=$3 loss=$4 tol=$5 enc=$6 dec=$7 width
  width=$(head -1 "$data" | tr ',' '\n' | wc -l)
  cat > "$name.yaml" <<YAML
name: $name
input: [$width]
encoder: $enc
decoder: $dec
loss: $loss
optimizer: $opt
train: {batch: 32, epochs: 3, seed: 1}
data: {path: $data}
YAML
  "$AEC" compile "$name.yaml" -o "$name"
  $PY "$here/torch_reference.py" "$name.yaml" --init init.npz --make-init 5
  "./$name" train --init init.npz --no-shuffle --save aec.npz --epochs 3 --log log.csv > train.log
  $PY "$here/torch_reference.py" "$name.yaml" --data "$data" --init init.npz --save torch.npz --epochs 3
  echo "== $name"
  $PY "$here/compare_weights.py" aec.npz torch.npz "$tol"
}

RING_ENC='[{dense: {units: 50, activation: relu}}, {dense: {units: 50, activation: relu}}, {dense: {units: 1, activation: sigmoid, name: code}}]'
RING_DEC='[{dense: {units: 50, activation: relu}}, {dense: {units: 50, activation: relu}}, {dense: 2}]'
run_case ring_sgd ring.csv '{sgd: {lr: 0.05, momentum: 0.9}}' mse 1e-4 "$RING_ENC" "$RING_DEC"
run_case ring_adam ring.csv '{adam: {lr: 0.002, eps: 1.0e-7}}' mse 1e-3 "$RING_ENC" "$RING_DEC"
run_case unit_bce_sgd unit.csv '{sgd: {lr: 0.1}}' bce 1e-4 \
  '[{dense: {units: 16, activation: tanh}}, {dense: {units: 1, activation: elu, name: code}}]' \
  '[{dense: {units: 16, activation: gelu}}, {dense: {units: 2, activation: sigmoid}}]'
SDSS_ENC='[{dense: {units: 40, activation: silu}}, {layernorm: {epsilon: 1.0e-5}}, {dense: {units: 40, activation: silu}}, {layernorm: {epsilon: 1.0e-5}}, {dense: {units: 2, name: code}}]'
SDSS_DEC='[{dense: {units: 40, activation: silu}}, {layernorm: {epsilon: 1.0e-5}}, {dense: {units: 40, activation: selu}}, {layernorm: {epsilon: 1.0e-5}}, {dense: 5}]'
run_case sdss_adam colors.csv '{adam: {lr: 0.001}}' mae 1e-3 "$SDSS_ENC" "$SDSS_DEC"
run_case sdss_sgd colors.csv '{sgd: {lr: 0.01, momentum: 0.5}}' mse 1e-4 "$SDSS_ENC" "$SDSS_DEC"
