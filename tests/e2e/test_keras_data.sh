#!/usr/bin/env bash
# The data options of a Keras user, each against a run that must come out the same:
#   validation_data (a file holding the tail) == validation_split on the whole file;
#   rows: N and rows: [a, b] == the same split; --validation-data P == validation_data;
#   np.savetxt's whitespace text == the same numbers as CSV;
# identical logs (loss, val_loss) and identical weights (normalisation statistics included,
# which come from the training rows only). Then the errors a user meets, and the weights
# Keras' initializers draw.
source "$(dirname "$0")/prelude.sh"
PY=/usr/bin/python3

$PY -c "
import numpy as np
rng = np.random.default_rng(3)
x = rng.normal(size=(250, 3)) * [1, 5, 0.2] + [0, 10, -1]   # standardisation matters
np.savetxt('all.csv', x, delimiter=',', header='a,b,c', comments='')
np.savetxt('head.csv', x[:200], delimiter=',', header='a,b,c', comments='')
np.savetxt('tail.csv', x[200:], delimiter=',', header='a,b,c', comments='')
np.savetxt('all.txt', x, header='a b c')   # np.savetxt's defaults: blanks, '# a b c'
np.savetxt('tail.dat', x[200:])            # no header at all
np.savetxt('narrow.csv', x[200:, :2], delimiter=',', header='a,b', comments='')
" || { echo "FAIL: numpy"; exit 1; }

# model NAME INPUT DATA [TRAIN]: a small model on DATA (a YAML map body), compiled.
model() {
  cat > "$1.yaml" <<YAML
name: $1
input: [$2]
encoder:
  - dense: {units: 8, activation: tanh}
  - dense: {units: 2, name: code}
decoder:
  - dense: {units: 8, activation: tanh}
  - dense: $2
optimizer: {adam: {learning_rate: 0.01}}
train: {batch: 16, epochs: 3, seed: 1${4:+, $4}}
data: {$3}
YAML
  "$AEC" compile "$1.yaml" -o "$1" > /dev/null 2>&1 || { echo "FAIL: compile $1"; cat "$1.yaml"; exit 1; }
}
# train NAME [ARGS]: trains in file order, log NAME.log, weights NAME.npz
train() {
  local name=$1
  shift
  "./$name" train --no-shuffle --log "$name.log" --save "$name.npz" "$@" > "$name.out" 2>&1 ||
    { fail "train $name"; cat "$name.out"; }
}
# same A B: epoch, loss, val_loss and lr of the logs, and every weights array, identical.
same() {
  if ! diff <(cut -d, -f1-4 "$1.log") <(cut -d, -f1-4 "$2.log") > /dev/null; then
    fail "logs of $1 and $2 differ"; paste -d'|' "$1.log" "$2.log"
  elif ! $PY -c "
import numpy as np, sys
a, b = np.load('$1.npz'), np.load('$2.npz')
assert sorted(a.files) == sorted(b.files), (a.files, b.files)
bad = [k for k in a.files if not np.array_equal(a[k], b[k])]
sys.exit('differ: ' + ', '.join(bad) if bad else 0)"; then
    fail "weights of $1 and $2"
  else
    echo "ok   $1 == $2"
  fi
}

std='normalize: standard'
model split 3 "path: all.csv, $std" 'validation_split: 0.2'
train split
[ "$(awk -F, 'NR == 2 {print ($3 != "")}' split.log)" = 1 ] || fail "split.log has no val_loss"
grep -q "250 samples (50 for validation)" split.out || fail "split banner: $(head -1 split.out)"

model valdata 3 "path: head.csv, $std, validation_data: {path: tail.csv}"
train valdata
same split valdata
grep -q "250 samples (50 for validation from .*tail.csv)" valdata.out || fail "valdata banner: $(head -1 valdata.out)"

model rows 3 "path: all.csv, $std, rows: 200, validation_data: {path: all.csv, rows: [200, 250]}"
train rows
same split rows

# --validation-data replaces the model's validation set; a headerless text file works too.
model plain 3 "path: head.csv, $std"
train plain --validation-data tail.dat
same split plain
model plainsplit 3 "path: head.csv, $std" 'validation_split: 0.5'
train plainsplit --validation-data tail.csv
same split plainsplit

# np.savetxt's text (blanks, '# a b c' header naming the columns) == the same numbers as CSV.
model csvcols 2 "path: all.csv, columns: [a, c], $std"
train csvcols
model txtcols 2 "path: all.txt, columns: [a, c], $std"
train txtcols
same csvcols txtcols

# Errors a user meets: each names what is wrong, before any training.
check_error() { # name expected-substring args...
  local name=$1 want=$2
  shift 2
  if "./$name" train --save err.npz "$@" > err.out 2>&1; then
    fail "$name $*: trained"
  elif ! grep -qF -- "$want" err.out; then
    fail "$name $*: message"; cat err.out; echo "expected: $want"
  else
    echo "ok   error: $want"
  fi
}
check_error plain "validation data: '$PWD/narrow.csv' has 2 values per sample (columns: a, b), but the model's input [3] needs 3" \
  --validation-data "$PWD/narrow.csv"
model toomany 3 "path: head.csv, rows: 300"
check_error toomany "head.csv' has 200 samples, but data.rows asks for the first 300"
model range 3 "path: head.csv, rows: [150, 201]"
check_error range "head.csv' has 200 samples, but data.rows asks for samples 150 to 200 ([150, 201])"
cat > both.yaml <<'YAML'
input: [3]
encoder: [dense: 1]
decoder: [dense: 3]
train: {validation_split: 0.2}
data: {path: all.csv, validation_data: {path: tail.csv}}
YAML
"$AEC" check both.yaml > both.out 2>&1 && fail "validation_data with validation_split accepted"
grep -q "both.yaml:5:40: error: validation_data and train 'validation_split' (at line 4) both give a validation set" both.out ||
  { fail "both: message"; cat both.out; }

# Keras' initializers in the trained-from weights: a he_normal kernel [300, 200] is a normal
# truncated at two of its stddevs with std sqrt(2 / 300); lecun_uniform's bound sqrt(3 / 200).
$PY -c "import numpy as np; np.save('wide.npy', np.zeros((4, 300), np.float32))"
cat > init.yaml <<'YAML'
input: [300]
encoder:
  - dense: {units: 200, kernel_initializer: he_normal, bias_initializer: ones, name: e}
decoder:
  - dense: {units: 300, kernel_initializer: lecun_uniform, name: d}
data: {path: wide.npy}
YAML
"$AEC" compile init.yaml -o init > /dev/null 2>&1 || fail "compile init"
./init train --epochs 0 --save init.npz > /dev/null 2>&1 || fail "train init"
$PY -c "
import numpy as np, math
w = np.load('init.npz')
k, b, d = w['e/kernel'], w['e/bias'], w['d/kernel']
sd = math.sqrt(2 / 300)
assert abs(k.std() / sd - 1) < 0.02, k.std()
assert np.abs(k).max() <= 2 * sd / 0.87962566103423978 * (1 + 1e-6), np.abs(k).max()
assert (b == 1).all()
lim = math.sqrt(3 / 200)
assert np.abs(d).max() <= lim and np.abs(d).max() > 0.99 * lim, np.abs(d).max()
assert abs(d.std() / (lim / math.sqrt(3)) - 1) < 0.02, d.std()
" && echo "ok   initializers in the weights" || fail "initializer statistics"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
