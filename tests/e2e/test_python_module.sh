#!/usr/bin/env bash
# The Python module (python/aec.py) over a model library (aec compile --shared) gives the
# trainer's own numbers: encode / reconstruct / score / decode bit-identical to the trainer's
# commands (partial last batches included), train_step from identical weights bit-identical
# to a `train --init --no-shuffle` epoch, fresh weights + fit_normalization equal to the
# trainer's epoch-0 weights, and errors as Python exceptions with the library's message. A
# dense model with standard normalization (sdss_colors) and a conv model whose step is split
# in shards (fashion_conv, on a small generated image file) and a VAE whose step draws noise
# (its `sample` too), all loaded in one process with NumPy and PyTorch. The library exports the C API of aec/CApi.h and nothing else.
source "$(dirname "$0")/prelude.sh"
PY=/usr/bin/python3
here="$AEC_SOURCE_DIR/tests/e2e"

# Data: 2000 colour samples (31 batches of 64 and 16) and 200 images of 28x28 in 0..255.
"$AEC" data blackbody_colors --n 2000 --seed 7 -o colors.npy > /dev/null || { echo "FAIL: data"; exit 1; }
$PY -c "
import numpy as np
rng = np.random.default_rng(3)
yy, xx = np.mgrid[0:28, 0:28]
c = rng.uniform(6, 22, (200, 2, 1, 1))
r = rng.uniform(2, 6, (200, 1, 1))
img = 255 * np.exp(-((yy - c[:, 0]) ** 2 + (xx - c[:, 1]) ** 2) / (2 * r ** 2))
np.save('images.npy', np.round(img).astype(np.float32))"
sed 's|^data: .*|data: {path: images.npy, normalize: {scale: 255}}|' "$AEC_SOURCE_DIR/models/fashion_conv.yaml" > fashion_conv.yaml
grep -q "^data: {path: images.npy" fashion_conv.yaml || { echo "FAIL: fashion_conv.yaml has no data line to replace"; exit 1; }

# name MODEL DATA: the trainer NAME, the library libNAME.so, and the trainer's outputs.
prepare() {
  local name=$1 model=$2 data=$3
  "$AEC" compile "$model" -o "$name" > /dev/null 2>&1 || { echo "FAIL: compile $name"; return 1; }
  "$AEC" compile "$model" --shared -o "lib$name.so" > /dev/null 2>&1 || { echo "FAIL: compile --shared $name"; return 1; }
  ./"$name" train --data "$data" --epochs 0 --save "$name.w0.npz" > /dev/null &&
    ./"$name" train --data "$data" --epochs 2 --save "$name.w2.npz" > /dev/null &&
    ./"$name" train --data "$data" --epochs 1 --no-shuffle --init "$name.w0.npz" --save "$name.w1.npz" \
      --log "$name.w1.csv" > /dev/null &&
    ./"$name" encode --weights "$name.w2.npz" --data "$data" --out "$name.z.npy" &&
    ./"$name" reconstruct --weights "$name.w2.npz" --data "$data" --out "$name.r.npy" &&
    ./"$name" score --weights "$name.w2.npz" --data "$data" --out "$name.s.csv" &&
    ./"$name" decode --weights "$name.w2.npz" --latent "$name.z.npy" --out "$name.d.npy" ||
    { echo "FAIL: trainer runs of $name"; return 1; }
}
# A small VAE on the colours: its steps draw noise (the reparameterised code).
cat > vae_colors.yaml <<'YAML'
name: vae_colors
input: [5]
encoder:
  - dense: {units: 24, activation: relu}
  - vae_latent: {units: 2, name: code}
decoder:
  - dense: {units: 24, activation: relu}
  - dense: {units: 5}
loss: {reconstruction: mse, beta: 0.01}
optimizer: {adam: {lr: 1.0e-3}}
train: {batch: 64, epochs: 2, seed: 5, validation_split: 0.1}
data: {path: colors.npy, normalize: minmax}
YAML
prepare sdss_colors "$AEC_SOURCE_DIR/models/sdss_colors.yaml" colors.npy || exit 1
prepare vae_colors vae_colors.yaml colors.npy || exit 1
./vae_colors sample --weights vae_colors.w2.npz --n 77 --seed 9 --out vae_colors.sample.npy ||
  { echo "FAIL: vae_colors sample"; exit 1; }
prepare fashion_conv fashion_conv.yaml images.npy || exit 1

# Exactly the C API is exported: the functions declared in aec/CApi.h.
declared=$(grep -oE '^[a-z][^/]*[ *]aec_[a-z_]+\(' "$AEC_SOURCE_DIR/runtime/include/aec/CApi.h" |
  grep -oE 'aec_[a-z_]+' | sort)
for lib in libsdss_colors.so libfashion_conv.so libvae_colors.so; do
  exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)
  [ -n "$declared" ] && [ "$exported" = "$declared" ] ||
    fail "$lib exports other symbols than aec/CApi.h declares: $(diff <(echo "$exported") <(echo "$declared") | tr '\n' ' ')"
done
# The default name of --shared.
(mkdir -p named && cd named && "$AEC" compile "$AEC_SOURCE_DIR/models/ring.yaml" --shared > /dev/null 2>&1 &&
  test -f libring.so) || fail "aec compile --shared without -o did not write libring.so"

PYTHONPATH="$AEC_SOURCE_DIR/python" $PY "$here/python_module_check.py" || fail "python_module_check.py"
[ "$failures" -eq 0 ] || exit 1
echo "PASS"
