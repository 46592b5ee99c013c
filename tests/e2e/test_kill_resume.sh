#!/usr/bin/env bash
# kill -9 at random moments during training, several times, resuming each time: the final
# weights and the log's losses are bit-identical to an unbroken run, no more than one
# checkpoint interval is lost per kill, and no temporary file is left behind. Two runs: one
# checkpointing every 25 epochs (lost work counted in epochs), one every 0.5 s (checkpoints
# fall inside epochs; lost work measured by the checkpoint's age at the kill).
source "$(dirname "$0")/prelude.sh"
seed=${KILL_TEST_SEED:-$(date +%s)}
RANDOM=$seed
echo "random seed $seed (KILL_TEST_SEED=$seed reproduces the kill times)"

"$AEC" compile "$AEC_SOURCE_DIR/models/ring.yaml" -o ring > /dev/null 2>&1 || { echo "FAIL: compile"; exit 1; }
epochs=2000
./ring train --epochs $epochs --save ref.npz --log ref.csv > ref.out || { echo "FAIL: reference run"; exit 1; }
# A process's start (loading, and under a sanitizer its own set-up) is not training: the
# time of a one-epoch run is left out of the work a kill loses before the first checkpoint.
startup=$(/usr/bin/python3 -c '
import subprocess, time
t = time.time()
subprocess.run(["./ring", "train", "--epochs", "1", "--save", "startup.npz"], capture_output=True, check=True)
print(f"{time.time() - t:.3f}")')
echo "startup (a one-epoch run): $startup s"

for every in 25e 0.5s; do
  rm -f w.npz w.ckpt.npz log.csv
  before=$failures
  kills=0
  for round in 1 2 3 4 5; do
    resume=()
    [ -e w.ckpt.npz ] && resume=(--resume w.ckpt.npz)
    start=$(date +%s.%N)
    ./ring train --epochs $epochs --save w.npz --log log.csv --checkpoint-every $every "${resume[@]}" > r$round.out 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 8 + 2))" # 0.2 .. 0.9 s
    kill_time=$(date +%s.%N)
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    rc=$?
    [ $rc -eq 0 ] && break # finished before the kill
    [ $rc -eq 137 ] || { fail "$every round $round: exit $rc"; cat r$round.out; break; }
    kills=$((kills + 1))
    printed=$(grep -c "^epoch" r$round.out)
    from=$(sed -n "s/^resuming from 'w.ckpt.npz' after epoch \([0-9]*\).*/\1/p" r$round.out)
    last=$(( ${from:-0} + printed ))                  # the last epoch completed before the kill
    saved=0
    [ -e w.ckpt.npz ] && saved=$(/usr/bin/python3 -c '
import numpy as np
a = [int(v) for v in np.load("w.ckpt.npz")["trainer/epoch"]]  # 4 x 16 bits
print((a[0] << 48) | (a[1] << 32) | (a[2] << 16) | a[3])')
    if [ "$every" = 25e ]; then
      # The checkpoint follows the epoch's progress line: at most 25 epochs behind it.
      [ $((last - saved)) -le 25 ] || fail "$every round $round: checkpoint at epoch $saved, killed after $last"
      echo "ok   $every kill $kills after epoch $last: checkpoint at epoch $saved"
    else
      age=$(/usr/bin/python3 -c '
import os, sys
kill, start = float(sys.argv[1]), float(sys.argv[2]) + float(sys.argv[3])
since = max(start, os.stat("w.ckpt.npz").st_mtime) if os.path.exists("w.ckpt.npz") else start
print(f"{max(0.0, kill - since):.3f}")' "$kill_time" "$start" "$startup")
      # One interval, plus a step and the write, plus scheduling slack on a busy machine.
      /usr/bin/python3 -c "import sys; sys.exit(0 if $age <= 1.0 else 1)" \
        || fail "$every round $round: $age s of work lost"
      echo "ok   $every kill $kills after epoch $last: $age s since the last checkpoint"
    fi
  done
  [ $kills -ge 3 ] || fail "$every: only $kills kills landed (the run is too fast?)"
  resume=()
  [ -e w.ckpt.npz ] && resume=(--resume w.ckpt.npz)
  ./ring train --epochs $epochs --save w.npz --log log.csv --checkpoint-every $every "${resume[@]}" > final.out 2>&1 \
    || { fail "$every: final run"; cat final.out; }
  /usr/bin/python3 -c '
import sys, numpy as np
a, b = np.load("ref.npz"), np.load("w.npz")
sys.exit(0 if a.files == b.files and all(a[k].tobytes() == b[k].tobytes() for k in a.files) else 1)' \
    || fail "$every: final weights differ from the unbroken run"
  cmp -s <(cut -d, -f1,2 ref.csv) <(cut -d, -f1,2 log.csv) || fail "$every: the log's losses differ"
  [ $failures -eq $before ] && echo "ok   $every: $kills kills, final weights and losses bit-identical to the unbroken run"
  if ls | grep -q '\.tmp\.'; then fail "$every: temporaries left: $(ls | grep '\.tmp\.')"; fi
done

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
