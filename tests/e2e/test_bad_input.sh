#!/usr/bin/env bash
# Bad input to the trainer: each case gets one clear error naming the file (and the layer or
# array), exit status 1, no traceback-like noise, and no half-written output file.
source "$(dirname "$0")/prelude.sh"

# expect_error DESCRIPTION PATTERN COMMAND...: exit 1, stderr matches PATTERN, one line.
expect_error() {
  local what=$1 pattern=$2
  shift 2
  "$@" > out.txt 2> err.txt
  local rc=$?
  if [ $rc -ne 1 ]; then
    echo "FAIL $what: exit $rc (expected 1)"; cat err.txt; failures=$((failures + 1)); return
  fi
  if ! grep -qE "$pattern" err.txt; then
    echo "FAIL $what: stderr does not match /$pattern/:"; cat err.txt; failures=$((failures + 1)); return
  fi
  if grep -qiE "terminate called|what\(\)|Aborted|Segmentation|backtrace|#[0-9]+ 0x" err.txt; then
    echo "FAIL $what: crash noise in stderr"; cat err.txt; failures=$((failures + 1)); return
  fi
  echo "ok   $what: $(head -1 err.txt)"
}

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
data: {path: good.csv}
YAML
sed -e 's/name: m$/name: other/' -e 's/units: 4,/units: 5,/' m.yaml > other.yaml
printf 'x,y\n' > good.csv
for i in $(seq 1 20); do echo "0.$i,-0.$i" >> good.csv; done
printf 'x,y,z\n1,2,3\n4,5,6\n' > wide.csv
printf 'x,y\n1,2\n3,nan\n' > nan.csv

"$AEC" compile m.yaml -o m || { echo "FAIL: compile"; exit 1; }
"$AEC" compile other.yaml -o other || { echo "FAIL: compile other"; exit 1; }
./m train --save w.npz > /dev/null || { echo "FAIL: train"; exit 1; }
./other train --save other.npz > /dev/null || { echo "FAIL: train other"; exit 1; }
head -c 100 w.npz > truncated.npz

expect_error "data file with the wrong width" "wide.csv.*(3|width)" ./m train --data wide.csv --save x.npz
expect_error "NaN in data" "nan.csv:3:.*NaN" ./m train --data nan.csv --save x.npz
expect_error "missing data file" "missing.csv" ./m train --data missing.csv --save x.npz
expect_error "missing weights file" "nope.npz" ./m encode --weights nope.npz --data good.csv --out z.csv
expect_error "truncated weights file" "truncated.npz" ./m encode --weights truncated.npz --data good.csv --out z.csv
expect_error "weights from another model" "other.npz.*encoder.0/kernel" ./m encode --weights other.npz --data good.csv --out z.csv
expect_error "unknown trainer command" "frobnicate" ./m frobnicate

# Nothing half-written: failed runs leave neither outputs nor temporaries behind.
for f in x.npz z.csv; do
  [ -e "$f" ] && { echo "FAIL: $f was written by a failed run"; failures=$((failures + 1)); }
done
if ls | grep -q '\.tmp'; then echo "FAIL: temporary files left: $(ls | grep '\.tmp')"; failures=$((failures + 1)); fi

# An existing output survives a failed run untouched.
cp w.npz keep.npz
./m train --data nan.csv --init w.npz --save keep.npz > /dev/null 2>&1
cmp -s w.npz keep.npz || { echo "FAIL: a failed run changed an existing output"; failures=$((failures + 1)); }

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
