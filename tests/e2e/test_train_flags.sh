#!/usr/bin/env bash
# Every numeric flag of every trainer command is validated before any work: a bad value is
# one error line naming the flag, the value and what is expected, exit status 1, and nothing
# is trained or written. (They were once ignored: `--lr -5` trained with the YAML's rate.)
source "$(dirname "$0")/prelude.sh"

cat > m.yaml <<'YAML'
name: m
input: [2]
encoder:
  - dense: {units: 4, activation: tanh}
  - dense: {units: 1, name: code}
decoder:
  - dense: {units: 2}
loss: mse
optimizer: {adam: {lr: 0.01}}
train: {batch: 8, epochs: 2, seed: 1}
data: {synthetic: ring, n: 40}
YAML
"$AEC" compile m.yaml -o m > /dev/null 2>&1 || { echo "FAIL: compile"; exit 1; }
./m train --save w.npz > /dev/null || { echo "FAIL: train"; exit 1; }
./m encode --weights w.npz --out z.csv || { echo "FAIL: encode"; exit 1; }

# command | flag | bad value | what the message says is expected
while IFS='|' read -r cmd flag value expected; do
  [ -z "$cmd" ] && continue
  case "$cmd" in
    train) args=(train --save out.npz) ;;
    sample) args=(sample --weights w.npz --out out.csv); [ "$flag" != --n ] && args+=(--n 3) ;;
    plot) args=(plot --weights w.npz --out plots) ;;
  esac
  rm -f out.npz out.csv out.ckpt.npz
  ./m "${args[@]}" "$flag=$value" > out.txt 2> err.txt
  rc=$?
  want="error: $flag: expected $expected, got '$value'"
  if [ $rc -ne 1 ]; then
    echo "FAIL $cmd $flag=$value: exit $rc (expected 1)"; failures=$((failures + 1))
  elif [ "$(cat err.txt)" != "$want" ]; then
    echo "FAIL $cmd $flag=$value: stderr"; cat err.txt; echo "expected: $want"; failures=$((failures + 1))
  elif [ -s out.txt ] || [ -e out.npz ] || [ -e out.csv ] || [ -e out.ckpt.npz ] || [ -e plots ]; then
    echo "FAIL $cmd $flag=$value: it did some work"; failures=$((failures + 1))
  else
    echo "ok   $cmd $flag=$value"
  fi
done <<'TABLE'
train|--lr|-5|a positive number (float32: 1e-38 to 3.4e38)
train|--lr|-0.001|a positive number (float32: 1e-38 to 3.4e38)
train|--lr|0|a positive number (float32: 1e-38 to 3.4e38)
train|--lr|nan|a positive number (float32: 1e-38 to 3.4e38)
train|--lr|inf|a positive number (float32: 1e-38 to 3.4e38)
train|--lr|1e39|a positive number (float32: 1e-38 to 3.4e38)
train|--lr|0.01x|a positive number (float32: 1e-38 to 3.4e38)
train|--epochs|-1|an integer from 0 to 1000000000
train|--epochs|2.5|an integer from 0 to 1000000000
train|--epochs|1e3|an integer from 0 to 1000000000
train|--epochs|ten|an integer from 0 to 1000000000
train|--seed|-1|an integer from 0 to 18446744073709551615
train|--seed|18446744073709551616|an integer from 0 to 18446744073709551615
train|--seed|1.5|an integer from 0 to 18446744073709551615
train|--threads|0|an integer from 1 to 1024
train|--threads|-2|an integer from 1 to 1024
train|--threads|1025|an integer from 1 to 1024
train|--threads|two|an integer from 1 to 1024
train|--checkpoint-every|30|a positive number and a unit: s, m or h (time, e.g. 30s, 5m, 1h) or e (epochs, e.g. 1e)
train|--checkpoint-every|0s|a positive number and a unit: s, m or h (time, e.g. 30s, 5m, 1h) or e (epochs, e.g. 1e)
train|--checkpoint-every|-5m|a positive number and a unit: s, m or h (time, e.g. 30s, 5m, 1h) or e (epochs, e.g. 1e)
train|--checkpoint-every|0e|a positive number and a unit: s, m or h (time, e.g. 30s, 5m, 1h) or e (epochs, e.g. 1e)
train|--checkpoint-every|1.5e|a positive number and a unit: s, m or h (time, e.g. 30s, 5m, 1h) or e (epochs, e.g. 1e)
train|--checkpoint-every|1d|a positive number and a unit: s, m or h (time, e.g. 30s, 5m, 1h) or e (epochs, e.g. 1e)
sample|--n|0|an integer from 1 to 100000000
sample|--n|-3|an integer from 1 to 100000000
sample|--n|100000001|an integer from 1 to 100000000
sample|--n|1.5|an integer from 1 to 100000000
sample|--seed|-1|an integer from 0 to 18446744073709551615
plot|--samples|0|an integer from 1 to 64
plot|--samples|65|an integer from 1 to 64
plot|--samples|many|an integer from 1 to 64
TABLE

# A space before a negative value ("--lr -5") reaches the same check.
./m train --lr -5 --save out.npz > /dev/null 2> err.txt
[ $? -eq 1 ] && grep -qx "error: --lr: expected a positive number (float32: 1e-38 to 3.4e38), got '-5'" err.txt \
  || { echo "FAIL: --lr -5 (with a space)"; cat err.txt; failures=$((failures + 1)); }

# Good values still work, and --lr is used: a bigger rate moves the weights further.
./m train --epochs 1 --lr 1e-6 --seed 7 --threads 1 --checkpoint-every 1e --save small.npz > /dev/null || failures=$((failures + 1))
./m train --epochs 1 --lr 0.5 --seed 7 --threads 1 --checkpoint-every 2.5m --save big.npz > /dev/null || failures=$((failures + 1))
./m train --epochs 0 --seed 7 --save zero.npz > /dev/null || failures=$((failures + 1))
/usr/bin/python3 - <<'PY' || { echo "FAIL: --lr has no effect"; failures=$((failures + 1)); }
import numpy as np
s, b, z = np.load("small.npz"), np.load("big.npz"), np.load("zero.npz")
k = "encoder.0/kernel"
ds, db = np.abs(s[k] - z[k]).max(), np.abs(b[k] - z[k]).max()
print(f"moved {ds:.2e} with lr 1e-6, {db:.2e} with lr 0.5")
assert 0 < ds < 1e-4 and db > 100 * ds
PY

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
