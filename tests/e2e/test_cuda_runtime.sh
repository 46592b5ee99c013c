#!/usr/bin/env bash
# The CUDA device runtime end to end, without a GPU: trainers compiled with --target cuda and
# AEC_TEST_CUDA_ON_HOST=1 (CPU code behind the device ABI) run against the host-memory fake
# libcuda.so.1 (tests/cuda/fake_libcuda.cpp), so uploads, downloads, the state kept on the
# "device", its double-buffer swaps, validation, inference, checkpoints, resume, restore_best
# and the rollback of a non-finite step all run for real. Same code, same numbers: every
# result must be bit-identical to the cpu trainer's. CUDA graphs are off here (a graph cannot
# record CPU work; tests/unit/runtime_cuda.cpp checks the graph cache with fake kernels).
source "$(dirname "$0")/prelude.sh"
: "${AEC_BUILD_DIR:?}"
fake="$AEC_BUILD_DIR/fake_cuda"
[ -e "$fake/libcuda.so.1" ] || { echo "FAIL: no fake libcuda at $fake"; exit 1; }
# On the fake: cuda trainers only, and never a real driver.
oncuda() { LD_LIBRARY_PATH="$fake" AEC_CUDA_GRAPHS=0 "$@"; }
export OMP_NUM_THREADS=1

compile_pair() { # NAME MODEL.yaml
  # One shard on cpu too (a cuda step is never split): the same sums in the same order.
  "$AEC" compile "$2" --shards 1 -o "$1_cpu" > /dev/null 2>&1 || { echo "FAIL: compile $1 (cpu)"; exit 1; }
  AEC_TEST_CUDA_ON_HOST=1 "$AEC" compile "$2" --target cuda -o "$1_cuda" > /dev/null 2>&1 \
    || { echo "FAIL: compile $1 (cuda)"; exit 1; }
}

# same_npz A B: the same arrays, bit for bit.
same_npz() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert sorted(a.files) == sorted(b.files), (a.files, b.files)
for k in a.files:
    assert a[k].shape == b[k].shape and a[k].tobytes() == b[k].tobytes(), k
PY
}
# The log without the timing columns.
losses() { cut -d, -f1-4 "$1"; }

# train_both NAME ARGS...: the same training on cpu and cuda; weights, checkpoints (optimizer
# state and progress) and logs must be equal.
train_both() {
  local name=$1
  shift
  "./${name}_cpu" train "$@" --save "${name}_cpu.npz" --log "${name}_cpu.csv" > "${name}_cpu.out" 2>&1 \
    || { fail "$name: cpu train"; cat "${name}_cpu.out"; return; }
  oncuda "./${name}_cuda" train "$@" --save "${name}_cuda.npz" --log "${name}_cuda.csv" > "${name}_cuda.out" 2>&1 \
    || { fail "$name: cuda train"; cat "${name}_cuda.out"; return; }
  grep -q "^device: CUDA 0 of 1: Fake GPU, compute capability 9.0" "${name}_cuda.out" || fail "$name: device line"
  if same_npz "${name}_cpu.npz" "${name}_cuda.npz" && same_npz "${name}_cpu.ckpt.npz" "${name}_cuda.ckpt.npz" &&
    [ "$(losses "${name}_cpu.csv")" == "$(losses "${name}_cuda.csv")" ]; then
    echo "ok   $name: cuda trains as cpu, bit for bit ($*)"
  else
    fail "$name: cuda and cpu differ ($*)"
  fi
}

# ---- the device: info, --device, no device ------------------------------------------------
compile_pair sd "$AEC_SOURCE_DIR/models/sdss_colors.yaml"
oncuda ./sd_cuda info > info.txt
grep -q "^device   0 of 1: Fake GPU, compute capability 9.0, 80.0 GiB$" info.txt && echo "ok   info names the device" \
  || { fail "info with the fake device"; cat info.txt; }
./sd_cpu info | grep -q "^device   cpu$" || fail "info of a cpu model"
env -u LD_LIBRARY_PATH ./sd_cuda info | grep -q "^device   no CUDA device found (libcuda.so.1: cannot open" \
  || fail "info without libcuda"
# expect_error WHAT STDERR COMMAND...: exit 1 and exactly this message.
expect_error() {
  local what=$1 want=$2
  shift 2
  "$@" > out.txt 2> err.txt
  local rc=$?
  if [ $rc -ne 1 ]; then fail "$what: exit $rc (expected 1)"; cat err.txt
  elif [ "$(cat err.txt)" != "$want" ]; then fail "$what: stderr"; cat err.txt; echo "expected: $want"
  else echo "ok   $what"; fi
}
expect_error "no libcuda" \
  "error: no CUDA device found (libcuda.so.1: cannot open shared object file: No such file or directory)" \
  env -u LD_LIBRARY_PATH ./sd_cuda train --epochs 1 --save nodev.npz
[ -e nodev.npz ] && fail "no libcuda: wrote weights"
expect_error "0 devices" "error: no CUDA device found (the driver reports 0 devices)" \
  env FAKE_CUDA_DEVICES=0 LD_LIBRARY_PATH="$fake" ./sd_cuda train --epochs 1
expect_error "cuInit fails" \
  "error: no CUDA device found (cuInit failed: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected))" \
  env FAKE_CUDA_INIT_ERROR=100 LD_LIBRARY_PATH="$fake" ./sd_cuda encode --weights x.npz --out z.csv
expect_error "--device out of range" "error: --device 5: this machine has 1 CUDA device (--device 0)" \
  oncuda ./sd_cuda train --device 5
expect_error "--device 3 of 3" "error: --device 3: this machine has 3 CUDA devices (--device 0 to 2)" \
  env FAKE_CUDA_DEVICES=3 LD_LIBRARY_PATH="$fake" ./sd_cuda info --device 3
FAKE_CUDA_DEVICES=3 LD_LIBRARY_PATH="$fake" ./sd_cuda info --device 2 | grep -q "^device   2 of 3: Fake GPU" \
  || fail "--device 2 of 3"
expect_error "--device on a cpu model" \
  "error: --device: model 'sdss_colors' was compiled for the cpu target (aec compile --target cuda makes a trainer for an NVIDIA GPU)" \
  ./sd_cpu train --device 0
# libcuda is opened by cuda trainers only.
rm -f opens.log
FAKE_CUDA_LOG="$PWD/opens.log" LD_LIBRARY_PATH="$fake" ./sd_cpu train --epochs 1 --save cpu1.npz > /dev/null
[ -e opens.log ] && { fail "a cpu trainer opened libcuda"; cat opens.log; } || echo "ok   a cpu trainer never opens libcuda"
FAKE_CUDA_LOG="$PWD/opens.log" oncuda ./sd_cuda info > /dev/null
[ "$(head -1 opens.log)" == "open" ] || fail "the cuda trainer did not open the fake"

# ---- training: bit-identical to cpu, state on the device ----------------------------------
./sd_cpu train --epochs 1 --save sd_init.npz > /dev/null || fail "sd init"
rm -f fake.log
FAKE_CUDA_LOG="$PWD/fake.log" train_both sd --epochs 2 --init sd_init.npz
# Residency: after the state's first upload, one copy in per step and per validation batch
# (the batch, its hypers, noise and the NaN check's table together), and per step two words
# out (the loss and the NaN flag); the state comes back once, for the checkpoint and save.
/usr/bin/python3 - <<'PY' || fail "sd: copies per step"
import numpy as np
log = [l.split() for l in open("fake.log")]
w = np.load("sd_cuda.ckpt.npz")
weights = np.load("sd_cuda.npz")
arrays = [k for k in weights.files if k in w.files and "/" in k and not k.startswith("norm")]
arrays += [k for k in w.files if k.startswith("state/")]
steps, val_batches = 2 * -(-18000 // 64), 2 * -(-2000 // 64)
htod = sum(1 for l in log if l[0] == "htod")
assert htod == len(arrays) + steps + val_batches, (htod, len(arrays), steps, val_batches)
dtoh4 = sum(1 for l in log if l[0] == "dtoh" and l[1] == "4")
state_words = sum(1 for k in arrays if w[k].size == 1)
assert dtoh4 == 2 * steps + state_words, (dtoh4, steps)
PY

compile_pair bn "$AEC_SOURCE_DIR/tests/e2e/models/batchnorm_ring.yaml"
./bn_cpu train --epochs 1 --save bn_init.npz > /dev/null || fail "bn init"
train_both bn --epochs 3 --init bn_init.npz

compile_pair vae "$AEC_SOURCE_DIR/models/vae.yaml"
compile_pair conv "$AEC_SOURCE_DIR/models/fashion_conv.yaml"
# Small Fashion-MNIST parts: 640 training images, 300 to infer on.
/usr/bin/python3 - <<'PY' || exit 1
import gzip, numpy as np
with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
np.save("fashion.npy", x[:640].astype(np.float32))
np.save("fashion_infer.npy", x[1000:1300].astype(np.float32))
PY
./vae_cpu train --epochs 1 --data fashion.npy --save vae_init.npz > /dev/null || fail "vae init"
train_both vae --epochs 2 --data fashion.npy --init vae_init.npz
./conv_cpu train --epochs 1 --data fashion.npy --save conv_init.npz > /dev/null || fail "conv init"
train_both conv --epochs 2 --data fashion.npy --init conv_init.npz

# ---- inference on the device: the same files --------------------------------------------
infer_both() { # NAME COMMAND OUT ARGS...
  local name=$1 cmd=$2 out=$3
  shift 3
  "./${name}_cpu" "$cmd" --weights "${name}_cpu.npz" --out "cpu_$out" "$@" > /dev/null 2>&1 || { fail "$name $cmd (cpu)"; return; }
  oncuda "./${name}_cuda" "$cmd" --weights "${name}_cpu.npz" --out "cuda_$out" "$@" > /dev/null 2>&1 \
    || { fail "$name $cmd (cuda)"; return; }
  cmp -s "cpu_$out" "cuda_$out" && echo "ok   $name $cmd on the device" || fail "$name $cmd: cuda differs"
}
infer_both sd encode sd_z.csv
infer_both sd reconstruct sd_r.csv
infer_both sd score sd_s.csv
infer_both sd decode sd_d.csv --latent cpu_sd_z.csv
infer_both vae encode vae_z.npy --data fashion_infer.npy
infer_both vae sample vae_x.npy --n 50 --seed 7
infer_both conv reconstruct conv_r.npy --data fashion_infer.npy
infer_both conv score conv_s.npy --data fashion_infer.npy
./sd_cpu plot --weights sd_cpu.npz --out plot_cpu > /dev/null && oncuda ./sd_cuda plot --weights sd_cpu.npz --out plot_cuda > /dev/null &&
  cmp -s plot_cpu/latent.png plot_cuda/latent.png && cmp -s plot_cpu/reconstructions.png plot_cuda/reconstructions.png &&
  echo "ok   sd plot on the device" || fail "sd plot: cuda differs"

# ---- checkpoints: resume on the device continues as an unbroken run ----------------------
oncuda ./sd_cuda train --epochs 1 --init sd_init.npz --save half.npz > /dev/null || fail "sd: first half"
oncuda ./sd_cuda train --epochs 2 --resume half.ckpt.npz --save resumed.npz > /dev/null || fail "sd: resume"
same_npz resumed.npz sd_cpu.npz && echo "ok   resume on the device" || fail "sd: resumed weights"

# SIGTERM mid-epoch: the checkpoint written then holds the device's state of that step.
LD_LIBRARY_PATH="$fake" AEC_CUDA_GRAPHS=0 ./sd_cuda train --epochs 40 --init sd_init.npz --save int.npz \
  > int.out 2> int.err &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
rc=$?
./sd_cpu train --epochs 40 --init sd_init.npz --save ref40.npz > /dev/null || fail "sd: 40 epochs on cpu"
if [ $rc -ne 143 ]; then
  fail "SIGTERM: exit $rc (expected 143; the run may have ended before the signal)"; cat int.err
else
  oncuda ./sd_cuda train --epochs 40 --resume int.ckpt.npz --save int.npz > /dev/null || fail "sd: resume after SIGTERM"
  same_npz int.npz ref40.npz && echo "ok   SIGTERM on the device, resumed: as an unbroken run ($(grep -o '^interrupted by SIGTERM [a-z0-9 ]*' int.err))" \
    || fail "sd: weights after SIGTERM and resume"
fi

# ---- restore_best, and a step that goes non-finite, as on cpu ----------------------------
cat > es.yaml <<'YAML'
name: es
input: [2]
encoder:
  - dense: {units: 32, activation: relu}
  - dense: {units: 1, activation: sigmoid, name: code}
decoder:
  - dense: {units: 32, activation: relu}
  - dense: {units: 2}
loss: mse
optimizer: {adam: {lr: 0.05}}
train:
  batch: 64
  epochs: 40
  seed: 3
  validation_split: 0.2
  early_stopping: {monitor: val_loss, patience: 3, restore_best: true}
data: {synthetic: ring, n: 3000}
YAML
compile_pair es es.yaml
train_both es
grep -q "^restore_best: restored the weights of epoch" es_cuda.out || fail "es: no restore_best on cuda"
[ "$(grep -E '^(early stopping|restore_best)' es_cpu.out)" == "$(grep -E '^(early stopping|restore_best)' es_cuda.out)" ] \
  || fail "es: stopping lines differ"
# A negative Adam second moment makes the next update NaN: caught on the device, undone.
./es_cpu train --epochs 2 --save base.npz > /dev/null || fail "es: base run"
/usr/bin/python3 - <<'PY' || exit 1
import numpy as np
c = dict(np.load("base.ckpt.npz"))
k = next(k for k in c if k.startswith("state/adam.v/"))
c[k].flat[1] = -1.0
np.savez("poisoned.npz", **c)
PY
./es_cpu train --resume poisoned.npz --save nan_cpu.npz > nan_cpu.out 2> nan_cpu.err
rc_cpu=$?
oncuda ./es_cuda train --resume poisoned.npz --save nan_cuda.npz > nan_cuda.out 2> nan_cuda.err
rc_cuda=$?
if [ $rc_cpu -eq 1 ] && [ $rc_cuda -eq 1 ] && grep -q "training diverged at epoch" nan_cuda.err &&
  [ "$(sed 's/nan_cpu/X/g' nan_cpu.err)" == "$(sed 's/nan_cuda/X/g' nan_cuda.err)" ] &&
  same_npz nan_cpu.npz nan_cuda.npz && same_npz nan_cpu.ckpt.npz nan_cuda.ckpt.npz; then
  echo "ok   a non-finite step is caught on the device and undone"
else
  fail "non-finite step (exit $rc_cpu / $rc_cuda)"; cat nan_cpu.err nan_cuda.err
fi

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all cuda runtime checks passed"
