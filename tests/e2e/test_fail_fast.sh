#!/usr/bin/env bash
# Fail fast, say what happened (issue 10): outputs that cannot be written fail before the first
# epoch naming the flag, the path and why; callbacks (early stopping, restore_best, lr
# reductions) print a line each; the banner names the normalization and warns when a fixed
# scale would divide already-scaled data again; unknown commands get a did-you-mean and exit
# 1; decode names its columns as reconstruct does.
source "$(dirname "$0")/prelude.sh"

# expect_error DESCRIPTION PATTERN COMMAND...: exit 1, stderr matches PATTERN, nothing trained.
expect_error() {
  local what=$1 pattern=$2
  shift 2
  "$@" > out.txt 2> err.txt
  local rc=$?
  if [ $rc -ne 1 ]; then
    fail "$what: exit $rc (expected 1)"; cat err.txt; return
  fi
  if ! grep -qE -- "$pattern" err.txt; then
    fail "$what: stderr does not match /$pattern/:"; cat err.txt; return
  fi
  if grep -q "^epoch " out.txt; then
    fail "$what: trained before failing"; return
  fi
  echo "ok   $what: $(head -1 err.txt)"
}
# expect_line DESCRIPTION PATTERN FILE: FILE has a line matching PATTERN.
expect_line() {
  if grep -qE -- "$2" "$3"; then echo "ok   $1: $(grep -E -- "$2" "$3" | head -1)"; else fail "$1: no line /$2/ in:"; cat "$3"; fi
}

cat > m.yaml <<'YAML'
name: m
input: [5]
encoder:
  - dense: {units: 8, activation: tanh}
  - dense: {units: 2, name: code}
decoder:
  - dense: {units: 5}
loss: mse
optimizer: {sgd: {lr: 0.5}}
train:
  batch: 16
  epochs: 40
  seed: 1
  validation_split: 0.2
  early_stopping: {monitor: val_loss, patience: 2, min_delta: 0.002, restore_best: true}
  reduce_lr_on_plateau: {factor: 0.5, patience: 1}
data: {path: stars.csv, normalize: standard}
YAML
/usr/bin/python3 - <<'PY'
import random
random.seed(3)
with open("stars.csv", "w") as f:
    f.write("u,g,r,i,z\n")
    for _ in range(200):
        t = random.random()
        f.write(",".join(f"{t * k + random.gauss(0, 0.3):.5f}" for k in (1, 2, 3, 4, 5)) + "\n")
    # the same data already scaled to [0, 1], as a user would save it after dividing by 255 once
with open("scaled.csv", "w") as f:
    f.write("a,b,c,d,e\n")
    for _ in range(64):
        f.write(",".join(f"{random.random():.4f}" for _ in range(5)) + "\n")
PY
sed -e 's/name: m$/name: s/' -e 's/{path: stars.csv, normalize: standard}/{path: stars.csv, normalize: {scale: 255}}/' \
  -e '/early_stopping/d' -e '/reduce_lr/d' -e 's/epochs: 40/epochs: 1/' m.yaml > s.yaml
"$AEC" compile m.yaml -o m || { echo "FAIL: compile"; exit 1; }
"$AEC" compile s.yaml -o s || { echo "FAIL: compile s"; exit 1; }
touch afile

# Outputs that cannot be written: an error before the first epoch, exit 1.
expect_error "--save into a missing directory" "^error: --save 'nodir/w.npz': directory 'nodir' does not exist" \
  ./m train --save nodir/w.npz
expect_error "--log into a missing directory" "^error: --log 'nodir/log.csv': directory 'nodir' does not exist" \
  ./m train --save w.npz --log nodir/log.csv
expect_error "--checkpoint into a missing directory" "^error: --checkpoint 'nodir/c.npz': directory 'nodir' does not exist" \
  ./m train --save w.npz --checkpoint nodir/c.npz
expect_error "--save is a directory" "^error: --save '\.': is a directory" ./m train --save .
expect_error "--plot under a file" "^error: --plot 'afile/plots': 'afile' is not a directory" \
  ./m train --save w.npz --plot afile/plots
# /proc takes no new files, for root too.
expect_error "--save where no file can be created" "^error: --save '/proc/w.npz': cannot write in directory '/proc'" \
  ./m train --save /proc/w.npz
if [ "$(id -u)" != 0 ]; then # root writes anywhere: the probe cannot fail
  mkdir ro && chmod 555 ro
  expect_error "--save into a read-only directory" "^error: --save 'ro/w.npz': cannot write in directory 'ro': Permission denied" \
    ./m train --save ro/w.npz
  expect_error "--log into a read-only directory" "^error: --log 'ro/l.csv'" \
    ./m train --save w.npz --log ro/l.csv
  [ -z "$(ls -A ro)" ] || fail "probe files left in ro/: $(ls -A ro)"
  chmod 755 ro
fi
ls -A | grep -q "aec-probe" && fail "probe file left behind"

# Commands and input paths.
expect_error "unknown trainer command" "^error: unknown command 'trian'; did you mean 'train'\?" ./m trian
expect_error "unknown aec command" "^error: unknown command 'chek'; did you mean 'check'\?" "$AEC" chek m.yaml
expect_error "aec without a command" "^error: .*subcommand is required" "$AEC"
expect_error "directory as --init" "^error: --init '\.': is a directory" ./m train --init . --save w.npz
expect_error "directory as --resume" "^error: --resume '\.': is a directory" ./m train --resume . --save w.npz

# Callbacks print what they do; the banner names the normalization.
./m train --save w.npz > train.txt 2> train.err || { fail "train"; cat train.err; }
expect_line "normalization in the banner" "^normalize: standard \(mean and std per feature of the 160 training samples\)" train.txt
expect_line "lr reduction" "^epoch [0-9]+: val_loss did not improve for 1 epoch: reducing lr 0.5 -> 0.25$" train.txt
expect_line "early stopping" "^early stopping after epoch [0-9]+: val_loss has not improved on [0-9.e-]+ \(epoch [0-9]+\) for 2 epochs$" train.txt
expect_line "restore best" "^restore_best: restored the weights of epoch [0-9]+ \(val_loss [0-9.e-]+\)$" train.txt
# The lines agree with the log: the stop comes 2 epochs after the best, whose val_loss is the smallest.
last=$(grep -c "^epoch [0-9]*/40" train.txt)
best=$(sed -nE 's/^restore_best: restored the weights of epoch ([0-9]+) .*/\1/p' train.txt)
[ -n "$best" ] && [ $((last - best)) -eq 2 ] || fail "restored epoch $best, stopped after epoch $last"

# A fixed /255 on data already in [0, 1]: said, not silent; raw data: no warning.
./s train --data scaled.csv --save sw.npz > s.txt 2> s.err || { fail "train s"; cat s.err; }
expect_line "fixed scale in the banner" "^normalize: /255 \(fixed, data.normalize \{scale: 255\}\)" s.txt
expect_line "double scaling warned" "^warning: 'scaled.csv' is already in \[0, 1\] .* divides it by 255 again" s.err
./s train --save sw.npz > s.txt 2> s.err || { fail "train s raw"; cat s.err; }
grep -q "warning" s.err && fail "warning on data not in [0, 1]: $(cat s.err)"

# aec check reads the data and reports a width that does not fit, as train does.
cut -d, -f1-4 stars.csv > narrow.csv
./m train --data narrow.csv --save x.npz 2> train_narrow.err
sed 's/stars.csv/narrow.csv/' m.yaml > narrow.yaml
"$AEC" check narrow.yaml > /dev/null 2> check.err && fail "check accepted narrow.csv"
expect_line "check names the width (at data.path)" "^narrow.yaml:[0-9]+:[0-9]+: error: $(sed 's/^error: //; s/[][().]/\\&/g' train_narrow.err)$" check.err
expect_error "check --data" "^error: 'narrow.csv' has 4 values per sample" "$AEC" check m.yaml --data narrow.csv
"$AEC" check m.yaml > check.txt 2>&1 || fail "check m.yaml: $(cat check.txt)"
expect_line "check reports the data" "^data: 'stars.csv', 200 samples of \[5\]" check.txt

# decode and reconstruct name their columns the same way: the data's names.
./m encode --weights w.npz --out z.csv || fail "encode"
./m decode --weights w.npz --latent z.csv --out xd.csv || fail "decode"
./m reconstruct --weights w.npz --out xr.csv || fail "reconstruct"
[ "$(head -1 xd.csv)" = "u,g,r,i,z" ] || fail "decode columns: $(head -1 xd.csv)"
[ "$(head -1 xr.csv)" = "u,g,r,i,z" ] || fail "reconstruct columns: $(head -1 xr.csv)"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all fail-fast checks passed"
