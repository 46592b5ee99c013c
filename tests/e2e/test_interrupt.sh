#!/usr/bin/env bash
# SIGINT and SIGTERM during training: the step finishes, the checkpoint (and --save's weights)
# are written, a message says where and how to continue, the exit status is 130 / 143, and
# the command it prints continues to weights bit-identical to an unbroken run. A second
# SIGINT stops at once. Temporaries a killed writer left beside the outputs are removed on the
# next start (only those: the exact `<file>.tmp.<pid>[.XXXXXX]` names of dead pids).
source "$(dirname "$0")/prelude.sh"

"$AEC" compile "$AEC_SOURCE_DIR/models/ring.yaml" -o ring > /dev/null 2>&1 || { echo "FAIL: compile"; exit 1; }
epochs=300
./ring train --epochs $epochs --save ref.npz --log ref.csv > /dev/null || { echo "FAIL: reference run"; exit 1; }

# start_then SIGNAL NAME: starts a run, sends SIGNAL once training shows progress, waits.
start_then() {
  local sig=$1 name=$2
  rm -f "$name".npz "$name".ckpt.npz "$name".csv
  ./ring train --epochs $epochs --save "$name".npz --log "$name".csv > "$name".out 2> "$name".err &
  local pid=$!
  for _ in $(seq 1 400); do grep -q "^epoch 3/" "$name".out 2> /dev/null && break; sleep 0.02; done
  kill -"$sig" $pid
  wait $pid
}

for case in "INT 130 SIGINT" "TERM 143 SIGTERM"; do
  set -- $case
  sig=$1 code=$2 signame=$3 name=run_$1 before=$failures
  start_then "$sig" "$name"
  rc=$?
  if [ $rc -ne "$code" ]; then fail "$signame: exit $rc (expected $code)"; cat "$name".err; continue; fi
  grep -q "^interrupted by $signame \(in epoch [0-9]* after step [0-9]* of 32\|after epoch [0-9]*\): checkpoint written to $name.ckpt.npz, weights to $name.npz$" "$name".err \
    || { fail "$signame: message"; cat "$name".err; }
  cont=$(sed -n 's/^to continue: //p' "$name".err)
  [ "$cont" = "./ring train --epochs $epochs --save $name.npz --log $name.csv --resume $name.ckpt.npz" ] \
    || fail "$signame: continue command '$cont'"
  [ -s "$name".ckpt.npz ] && [ -s "$name".npz ] || fail "$signame: checkpoint or weights missing"
  last=$(grep -c "^epoch" "$name".out)
  [ "$last" -lt $epochs ] || fail "$signame: the run was not interrupted (it finished)"
  # The printed command continues the run: same weights and losses as the unbroken one.
  eval "$cont" > "$name".out2 2>&1 || { fail "$signame: continuing failed"; cat "$name".out2; }
  grep -q "^resuming from '$name.ckpt.npz' after epoch" "$name".out2 || fail "$signame: no resume line"
  cmp -s ref.npz "$name".npz || fail "$signame: weights after continuing differ from the unbroken run"
  cmp -s <(cut -d, -f1,2 ref.csv) <(cut -d, -f1,2 "$name".csv) || fail "$signame: losses in the log differ"
  [ $failures -eq $before ] && echo "ok   $signame after $last epochs: exit $code, checkpoint, continued to identical weights"
done

# A second SIGINT: no waiting for the step (a slow one here, ~0.3 s) or the checkpoint. (Two
# signals sent back to back may merge into one pending signal: hence the short pause.)
cat > slow.yaml <<'YAML'
name: slow
input: [2]
encoder:
  - dense: {units: 1500, activation: relu}
  - dense: {units: 1500, activation: relu}
  - dense: {units: 1, name: code}
decoder:
  - dense: {units: 2}
loss: mse
optimizer: {adam: {lr: 1.0e-4}}
train: {batch: 512, epochs: 100, seed: 1}
data: {synthetic: ring, n: 5120}
YAML
"$AEC" compile slow.yaml -o slow > /dev/null 2>&1 || { echo "FAIL: compile slow"; exit 1; }
./slow train --save s.npz > s.out 2> s.err &
pid=$!
for _ in $(seq 1 1000); do grep -q "^epoch 1/" s.out 2> /dev/null && break; sleep 0.02; done
kill -INT $pid; sleep 0.05; kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && grep -q "^interrupted again: stopping now, without a checkpoint$" s.err && ! grep -q "checkpoint written" s.err; then
  echo "ok   second SIGINT: stopped at once, exit 130"
else
  fail "second SIGINT: exit $rc"; cat s.err
fi

# Orphaned temporaries: only ours, of dead writers, next to our outputs.
sh -c 'exit 0' & dead=$!
wait $dead
stale=(w.npz.tmp.$dead w.ckpt.npz.tmp.$dead w.ckpt.npz.tmp.$dead.aB3dE9 log.csv.tmp.$dead)
kept=(w.npz.tmp.$$ w.npz.tmp.$dead.x other.npz.tmp.$dead w.npz.tmp.abc notes.tmp.$dead)
for f in "${stale[@]}" "${kept[@]}"; do echo junk > "$f"; done
before=$failures
./ring train --epochs 1 --save w.npz --log log.csv > clean.out 2>&1 || fail "run with stale temporaries"
for f in "${stale[@]}"; do
  [ -e "$f" ] && fail "stale $f was not removed"
  grep -q "^removed '\./$f' (left by an interrupted write)$" clean.out || fail "no message for $f"
done
for f in "${kept[@]}"; do [ -e "$f" ] || fail "$f was removed (not a stale temporary of ours)"; done
[ $failures -eq $before ] && echo "ok   stale temporaries removed, the others kept"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
