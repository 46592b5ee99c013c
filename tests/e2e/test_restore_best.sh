#!/usr/bin/env bash
# Early stopping, restore_best and the lr plateau survive interruptions: a run killed (kill -9,
# and SIGTERM mid-epoch) after its best epoch and before it stops, then resumed, ends with
# weights bit-identical to an unbroken run and prints the same lines about stopping and
# restoring. (Once, a resumed run had lost the best weights: it stopped with the last ones.)
# A checkpoint written when the run stopped resumes to nothing left to train; an older
# trainer's checkpoint without the best weights resumes with a warning, early stopping afresh.
source "$(dirname "$0")/prelude.sh"

cat > es.yaml <<'YAML'
name: es
input: [2]
encoder:
  - dense: {units: 64, activation: relu}
  - dense: {units: 1, activation: sigmoid, name: code}
decoder:
  - dense: {units: 64, activation: relu}
  - dense: {units: 2}
loss: mse
optimizer: {adam: {lr: 0.03}}
train:
  batch: 64
  epochs: 200
  seed: 3
  validation_split: 0.2
  early_stopping: {monitor: val_loss, patience: 8, restore_best: true}
  reduce_lr_on_plateau: {factor: 0.5, patience: 2, min_lr: 1.0e-4}
data: {synthetic: ring, n: 100000}
YAML
"$AEC" compile es.yaml -o es > /dev/null 2>&1 || { echo "FAIL: compile"; exit 1; }
./es train --save ref.npz --log ref.csv > ref.out 2>&1 || { echo "FAIL: reference run"; cat ref.out; exit 1; }
events() { grep -E "^(early stopping|restore_best)" "$@"; }
stop_line=$(grep "^early stopping after epoch" ref.out)
stop=$(sed -n 's/^early stopping after epoch \([0-9]*\): .*/\1/p' ref.out)
best=$(sed -n 's/^early stopping after epoch .* (epoch \([0-9]*\)) for 8 epochs$/\1/p' ref.out)
[ -n "$stop" ] && [ -n "$best" ] || { echo "FAIL: the reference run did not stop early"; cat ref.out; exit 1; }
grep -q "^restore_best: restored the weights of epoch $best (val_loss [0-9.e-]*)$" ref.out \
  || { echo "FAIL: the reference run did not restore epoch $best"; cat ref.out; exit 1; }
echo "reference: best epoch $best, stopped after epoch $stop"
# The lr went down in the window the interruptions fall in: plateau state is crossed too.
lrs=$(awk -F, -v b="$best" 'NR > 1 && $1 > b { print $4 }' ref.csv | sort -u | wc -l)
[ "$lrs" -ge 2 ] || fail "the lr did not change after the best epoch (a weaker test)"

# ckpt_int FILE KEY: a trainer/ field of a checkpoint (four 16-bit pieces).
ckpt_int() {
  /usr/bin/python3 -c '
import sys, numpy as np
a = [int(v) for v in np.load(sys.argv[1])["trainer/" + sys.argv[2]]]
print((a[0] << 48) | (a[1] << 32) | (a[2] << 16) | a[3])' "$1" "$2"
}

# interrupt SIGNAL NAME ARGS...: trains, sends SIGNAL once epoch best+2 is printed, waits.
interrupt() {
  local sig=$1 name=$2
  shift 2
  ./es train --save "$name".npz --log "$name".csv "$@" > "$name".out 2>&1 &
  local pid=$!
  for _ in $(seq 1 3000); do grep -q "^epoch $((best + 2))/" "$name".out 2> /dev/null && break; sleep 0.01; done
  kill -"$sig" $pid
  wait $pid 2> /dev/null
}

for case in "9 137 kill -9" "TERM 143 SIGTERM"; do
  set -- $case
  sig=$1 code=$2 what="$3${4:+ $4}" name=run_$1 before=$failures
  extra=()
  [ "$sig" = 9 ] && extra=(--checkpoint-every 1e)
  interrupt "$sig" "$name" "${extra[@]}"
  rc=$?
  [ $rc -eq "$code" ] || { fail "$what: exit $rc (expected $code; too late, after the stop?)"; cat "$name".out; continue; }
  at=$(ckpt_int "$name".ckpt.npz epoch)
  step=$(ckpt_int "$name".ckpt.npz epoch_step)
  saved_best=$(ckpt_int "$name".ckpt.npz best_epoch)
  # The checkpoint lies between the best epoch and the stop, with the best weights in it.
  [ "$at" -gt "$best" ] && [ "$at" -lt "$stop" ] || fail "$what: checkpoint after epoch $at, outside ($best, $stop)"
  [ "$saved_best" = "$best" ] || fail "$what: checkpoint's best epoch $saved_best (expected $best)"
  /usr/bin/python3 -c '
import sys, numpy as np
c = np.load(sys.argv[1])
sys.exit(0 if "restore_best/encoder.0/kernel" in c.files and "restore_best/state/adam.m/encoder.0/kernel" in c.files else 1)' \
    "$name".ckpt.npz || fail "$what: no restore_best weights in the checkpoint"
  events "$name".out > /dev/null && fail "$what: stopped before the interruption"
  cp "$name".ckpt.npz "$name".old.npz
  ./es train --save "$name".npz --log "$name".csv "${extra[@]}" --resume "$name".ckpt.npz > "$name".out2 2>&1 \
    || { fail "$what: resume failed"; cat "$name".out2; continue; }
  cmp -s ref.npz "$name".npz || fail "$what: final weights differ from the unbroken run"
  cmp -s <(cut -d, -f1-4 ref.csv) <(cut -d, -f1-4 "$name".csv) || fail "$what: the log's losses or lrs differ"
  cmp -s <(events ref.out) <(events "$name".out "$name".out2 | cut -d: -f2-) \
    || { fail "$what: different lines about stopping/restoring"; events "$name".out2; }
  [ $failures -eq $before ] && echo "ok   $what after epoch $at${step:+ (+$step steps)} (best $best): resumed to identical weights, lrs and '$stop_line'"
done

# The checkpoint written when the run stopped: nothing is left to train, the weights stay.
./es train --save ended.npz --resume ref.ckpt.npz > ended.out 2>&1 || fail "resuming a stopped run failed"
grep -q "^early stopping had ended this run after epoch $stop: nothing left to train$" ended.out \
  || { fail "resuming a stopped run: message"; cat ended.out; }
grep -q "^epoch" ended.out && fail "resuming a stopped run trained again"
cmp -s ref.npz ended.npz && echo "ok   a stopped run's checkpoint resumes to nothing left to train" \
  || fail "resuming a stopped run changed the weights"

# An older trainer's checkpoint (no restore_best copy, no best epoch): a warning, and early
# stopping starts afresh at the resumed epoch, so whatever it restores is from after it.
/usr/bin/python3 - <<'PY' || exit 1
import numpy as np
c = np.load("run_9.old.npz")
np.savez("older.npz", **{k: c[k] for k in c.files
                         if not k.startswith("restore_best/") and k != "trainer/best_epoch"})
PY
at=$(ckpt_int run_9.old.npz epoch)
./es train --save older_w.npz --resume older.npz > older.out 2>&1 || { fail "older checkpoint: exit $?"; cat older.out; }
grep -q "^warning: checkpoint 'older.npz' holds no weights for restore_best (an older trainer wrote it): early stopping starts afresh from epoch $((at + 1)), forgetting the best val_loss so far ([0-9.e-]*)$" older.out \
  || { fail "older checkpoint: no warning"; cat older.out; }
restored=$(sed -n 's/^restore_best: restored the weights of epoch \([0-9]*\) .*/\1/p' older.out)
[ -n "$restored" ] && [ "$restored" -gt "$at" ] && echo "ok   older checkpoint: warned, restored epoch $restored (after $at)" \
  || { fail "older checkpoint: restored '$restored'"; cat older.out; }

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
