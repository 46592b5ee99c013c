#!/usr/bin/env bash
# Trainers compiled by the normal aec but linked against libaecrt built under ASan + UBSan
# (AECRT_ASAN): the generated kernels stay optimised, every runtime line (data, threads,
# checkpoints, signals, resume, restore_best, plots, file errors) runs sanitized with
# LeakSanitizer on. A sanitizer report exits 86 and is searched for in every output.
source "$AEC_SOURCE_DIR/tests/e2e/prelude.sh"
: "${AECRT_ASAN:?the sanitized libaecrt.a}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1}:exitcode=86"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$AEC_SOURCE_DIR/tests/lsan.supp}" # fontconfig's caches

# aec links a trainer as `c++ OBJECTS... .../libaecrt.a LIBS -o OUT` (passes/lowering/Link.cpp):
# a c++ first in PATH puts the sanitized runtime in its place, and refuses a link line
# without it (so a change there cannot quietly test the plain runtime).
mkdir bin
cat > bin/c++ <<EOF
#!/bin/sh
swapped=0
for a; do
  shift
  case \$a in */libaecrt.a) set -- "\$@" "$AECRT_ASAN"; swapped=1 ;; *) set -- "\$@" "\$a" ;; esac
done
[ \$swapped = 1 ] || { echo "trainers.sh: no libaecrt.a on the link line" >&2; exit 1; }
exec /usr/bin/c++ "\$@" -fsanitize=address,undefined
EOF
chmod +x bin/c++
compile() { # compile MODEL OUT [aec args]: a trainer with the sanitized runtime
  local model=$1 out=$2
  shift 2
  PATH="$PWD/bin:$PATH" "$AEC" compile "$model" -o "$out" "$@" > "$out".compile 2>&1 \
    || { echo "FAIL: compile $out"; cat "$out".compile; exit 1; }
  ldd "$out" > "$out".ldd # (not piped into grep -q: with pipefail, ldd's SIGPIPE would fail it)
  grep -q libasan "$out".ldd || { echo "FAIL: $out is not linked with ASan"; exit 1; }
}
# clean NAME FILE...: no sanitizer report in the outputs of step NAME.
clean() {
  local name=$1
  shift
  if grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: .*Sanitizer" "$@" > /dev/null 2>&1; then
    fail "$name: sanitizer report"
    grep -hE -A25 "ERROR: (Address|Leak)Sanitizer|runtime error:" "$@" | head -60
    return 1
  fi
}
# run NAME EXPECTED-EXIT COMMAND...: runs it, checks the exit status and that nothing was reported.
run() {
  local name=$1 want=$2
  shift 2
  "$@" > "$name".out 2> "$name".err
  local rc=$?
  clean "$name" "$name".out "$name".err || return 1
  [ $rc -eq "$want" ] || { fail "$name: exit $rc (expected $want)"; tail -5 "$name".err; return 1; }
  echo "ok   $name"
}

# ring: dense, one thread; SIGTERM mid-run and the printed resume, then every command.
compile "$AEC_SOURCE_DIR/models/ring.yaml" ring
run ring.reference 0 ./ring train --epochs 60 --save ref.npz --log ref.csv
./ring train --epochs 60 --save w.npz --log log.csv > term.out 2> term.err &
pid=$!
for _ in $(seq 1 1000); do grep -q "^epoch 3/" term.out 2> /dev/null && break; sleep 0.01; done
kill -TERM $pid
wait $pid
rc=$?
clean ring.sigterm term.out term.err && { [ $rc -eq 143 ] || fail "ring.sigterm: exit $rc"; }
run ring.resume 0 ./ring train --epochs 60 --save w.npz --log log.csv --resume w.ckpt.npz \
  && { cmp -s ref.npz w.npz || fail "ring.resume: weights differ from the unbroken run"; }
aec_data() { "$AEC" data ring --n 200 -o ring.csv > /dev/null 2>&1; }
aec_data || fail "aec data"
run ring.encode 0 ./ring encode --weights w.npz --data ring.csv --out z.csv
run ring.decode 0 ./ring decode --weights w.npz --latent z.csv --out x.csv
run ring.reconstruct 0 ./ring reconstruct --weights w.npz --data ring.csv --out r.npy
run ring.score 0 ./ring score --weights w.npz --data ring.csv --out s.csv
run ring.plot 0 ./ring plot --weights w.npz --out pics
ls pics/*.png > /dev/null 2>&1 || fail "ring.plot: no pictures"
run ring.info 0 ./ring info
head -c 5000 w.npz > cut.npz
run ring.truncated_weights 1 ./ring encode --weights cut.npz --data ring.csv --out z2.csv
run ring.bad_flag 1 ./ring train --lr nan
run ring.missing_data 1 ./ring encode --weights w.npz --data nothing.csv --out z3.csv

# circles_conv: convolutions on 2 threads (grad_step shards, the worker pool, the sum).
compile "$AEC_SOURCE_DIR/models/circles_conv.yaml" circles --shards 2
run circles.train 0 ./circles train --epochs 1 --threads 2 --save c.npz --plot cpics
grep -q "2 threads" circles.train.out || fail "circles.train: not on 2 threads"

# Early stopping with restore_best and the lr plateau; its checkpoint (with the best weights) resumed.
cat > es.yaml <<'YAML'
name: es
input: [2]
encoder:
  - dense: {units: 16, activation: relu}
  - dense: {units: 1, activation: sigmoid, name: code}
decoder:
  - dense: {units: 16, activation: relu}
  - dense: {units: 2}
loss: mse
optimizer: {adam: {lr: 0.05}}
train:
  batch: 64
  epochs: 200
  seed: 3
  validation_split: 0.2
  early_stopping: {monitor: val_loss, patience: 4, restore_best: true}
  reduce_lr_on_plateau: {factor: 0.5, patience: 2}
data: {synthetic: ring, n: 2000}
YAML
compile es.yaml es
run es.reference 0 ./es train --save esref.npz
grep -q "^restore_best: restored" es.reference.out || fail "es: no early stop with restore_best"
run es.ended 0 ./es train --save es_end.npz --resume esref.ckpt.npz

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
