#!/usr/bin/env bash
# Nothing non-finite is trained on or saved: weights and checkpoints with NaN/Inf are refused
# on load (file, array, position), and a step that makes a param or optimizer state
# non-finite stops the run (epoch, step, param), exit 1, with the weights from before that
# step saved, finite. (Once, --init weights with one NaN trained 3 epochs and saved NaNs:
# relu turns NaN into 0, so the loss never showed it.)
source "$(dirname "$0")/prelude.sh"

"$AEC" compile "$AEC_SOURCE_DIR/models/ring.yaml" -o ring > /dev/null 2>&1 || { echo "FAIL: compile"; exit 1; }
./ring train --epochs 2 --save w.npz > /dev/null || { echo "FAIL: train"; exit 1; }

# Poisoned copies, written by numpy: a NaN in a kernel, +Inf in an Adam state, and a negative
# Adam second moment (finite, so it loads; sqrt(v) makes the first update NaN).
/usr/bin/python3 - <<'PY' || exit 1
import numpy as np
w = dict(np.load("w.npz"))
w["encoder.1/kernel"][3, 7] = np.nan
np.savez("w_nan.npz", **w)
c = dict(np.load("w.ckpt.npz"))
c["state/adam.v/decoder.0/kernel"][0, 5] = np.inf
np.savez("c_inf.npz", **c)
c = dict(np.load("w.ckpt.npz"))
c["state/adam.v/encoder.1/kernel"][1, 2] = -1.0
np.savez("c_neg.npz", **c)
PY

# expect_refused DESCRIPTION EXPECTED-STDERR COMMAND...
expect_refused() {
  local what=$1 want=$2
  shift 2
  rm -f out.npz out.ckpt.npz z.csv
  "$@" > out.txt 2> err.txt
  local rc=$?
  if [ $rc -ne 1 ]; then fail "$what: exit $rc (expected 1)"; cat err.txt
  elif [ "$(cat err.txt)" != "$want" ]; then fail "$what: stderr"; cat err.txt; echo "expected: $want"
  elif [ -e out.npz ] || [ -e out.ckpt.npz ] || [ -e z.csv ]; then fail "$what: wrote an output"
  else echo "ok   $what"; fi
}
nan_init="error: weights file 'w_nan.npz': 'encoder.1/kernel' has NaN at [3, 7] (element 157 of [50, 50]); refusing non-finite weights"
expect_refused "train --init with a NaN weight" "$nan_init" ./ring train --init w_nan.npz --save out.npz
expect_refused "encode with a NaN weight" "$nan_init" ./ring encode --weights w_nan.npz --out z.csv
expect_refused "train --resume with an Inf optimizer state" \
  "error: checkpoint 'c_inf.npz': 'state/adam.v/decoder.0/kernel' has +Inf at [0, 5] (element 5 of [1, 50]); refusing non-finite optimizer state" \
  ./ring train --resume c_inf.npz --save out.npz

# A NaN born in a step: caught at that step (epoch 3, the first after the 2 of the checkpoint,
# step 2 * 32 + 1), with the first param that went non-finite named.
./ring train --resume c_neg.npz --epochs 4 --save out.npz > out.txt 2> err.txt
rc=$?
[ $rc -eq 1 ] || fail "diverging step: exit $rc (expected 1)"
grep -q "^error: training diverged at epoch 3, step 65: the loss was [0-9.e-]*, parameter 'encoder.1/kernel' has NaN at \[1, 2\] (element 52 of \[50, 50\]) after the update" err.txt \
  || { fail "diverging step: message"; cat err.txt; }
grep -q "saved the weights from before that step to out.npz and a checkpoint to out.ckpt.npz" err.txt \
  || { fail "diverging step: where the weights are"; cat err.txt; }
# What was saved is finite, is the checkpoint's state (the step before the NaN), and loads.
/usr/bin/python3 - <<'PY' || fail "diverging step: saved weights"
import numpy as np
out, start = np.load("out.npz"), np.load("c_neg.npz")
for k in out.files:
    assert np.all(np.isfinite(out[k])), k
    assert np.array_equal(out[k], start[k]), k
ck = np.load("out.ckpt.npz")
assert all(np.all(np.isfinite(ck[k])) for k in ck.files)
print("ok   diverging step: the saved weights are the last good ones, finite")
PY
./ring encode --weights out.npz --out z.csv > /dev/null 2>&1 || fail "the saved weights do not load"
[ "$(cat err.txt | wc -l)" -eq 1 ] || { fail "diverging step: more than one line"; cat err.txt; }

# The same on 2 threads (grad_step on shards + update_step): caught and undone alike.
"$AEC" compile "$AEC_SOURCE_DIR/models/ring.yaml" -o ring2 --shards 2 > /dev/null 2>&1 || fail "compile --shards 2"
./ring2 train --resume c_neg.npz --epochs 4 --threads 2 --save out2.npz > out.txt 2> err.txt
rc=$?
[ $rc -eq 1 ] && grep -q "^error: training diverged at epoch 3, step 65: .*parameter 'encoder.1/kernel' has NaN at \[1, 2\]" err.txt \
  || { fail "2 threads: exit $rc"; cat err.txt; }
grep -q "batch 32, 2 threads" out.txt || fail "2 threads: not on 2 threads"
/usr/bin/python3 -c '
import numpy as np, sys
out, start = np.load("out2.npz"), np.load("c_neg.npz")
sys.exit(0 if all(np.array_equal(out[k], start[k]) for k in out.files) else 1)' \
  && echo "ok   2 threads: caught, and the saved weights are the last good ones" || fail "2 threads: saved weights"

# A rate so large that float32 overflows: the loss or a param goes non-finite, the run stops
# with exit 1, and everything saved is finite.
./ring train --lr 3e38 --epochs 3 --save big.npz > out.txt 2> err.txt
rc=$?
[ $rc -eq 1 ] && grep -q "^error: training diverged at epoch 1, step [0-9]*: " err.txt \
  || { fail "lr 3e38: exit $rc"; cat err.txt; }
/usr/bin/python3 -c '
import numpy as np, sys
for f in ("big.npz", "big.ckpt.npz"):
    z = np.load(f)
    assert all(np.all(np.isfinite(z[k])) for k in z.files), f
print("ok   lr 3e38: stopped, and what it saved is finite")' || fail "lr 3e38: non-finite output"
ls | grep -q '\.tmp' && fail "temporary files left: $(ls | grep '\.tmp')"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
