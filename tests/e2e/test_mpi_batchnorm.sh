#!/usr/bin/env bash
# Batchnorm in a step split by an explicit `aec compile --shards 2` (README, Training on
# several machines): each shard normalises by its own batch statistics, as a rank of PyTorch's
# DDP does, and the moving statistics are the shards' updates averaged, weighted by real rows.
# (a) 2 MPI ranks give bit-identical weights to one process running the same 2 shards (a sum
#     of two is the same in either order);
# (b) the weights and moving statistics agree with PyTorch emulating DDP from the same
#     initial weights (tests/e2e/torch_ddp_reference.py, float64) within float32 tolerance.
# The default compile keeps such a step whole, and says why. kl_sparsity splits likewise.
source "$(dirname "$0")/prelude.sh"
set -e
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND"' ERR
require_mpirun
here="$(cd "$(dirname "$0")" && pwd)"
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpi2() { timeout 120 mpirun -np 2 --oversubscribe "$@"; }

# 120 rows at batch 32: a last batch of 24 rows, shards of 16 and 8 (unequal weights in the
# moving average). tanh before batchnorm, as in test_torch_crosscheck.sh (an always-active
# relu unit's bias has an exactly zero gradient under batchnorm).
"$AEC" data ring --n 120 --seed 3 -o ring.csv
cat > bn.yaml <<'YAML'
name: bn
input: [2]
encoder:
  - dense: {units: 16, activation: tanh}
  - batchnorm: {name: bn1}
  - dense: {units: 1, name: code}
decoder:
  - dense: {units: 16, activation: tanh}
  - batchnorm: {momentum: 0.9, epsilon: 1.0e-5}
  - dense: 2
loss: mse
optimizer: {sgd: {lr: 0.05, momentum: 0.9}}
train: {batch: 32, epochs: 3, seed: 1}
data: {path: ring.csv}
YAML

# The default: the step stays whole (one process's results do not change), and says why.
"$AEC" check bn.yaml > check.txt
grep -q "^threads: 1 (batchnorm's batch statistics couple the samples of a batch; aec compile --shards K splits the step, each shard with its own statistics, as PyTorch DDP)" check.txt
"$AEC" compile bn.yaml -o whole 2> /dev/null
./whole info > whole.txt
grep -q "^mpi      available (libmpi.so.40): under mpirun every rank runs the whole (unsplit) step" whole.txt

"$AEC" compile bn.yaml -o bn2 --shards 2 2> /dev/null
./bn2 info > info.txt
grep -q "batchnorm's batch statistics per shard of 16 samples, as PyTorch DDP per rank; moving statistics averaged over the shards, weighted by real rows" info.txt

# Initial weights with moving statistics away from 0 and 1 (torch_reference.py --make-init).
$PY "$here/torch_reference.py" bn.yaml --init init.npz --make-init 5
./bn2 train --init init.npz --no-shuffle --threads 1 --save one.npz > one.log
mpi2 ./bn2 train --init init.npz --no-shuffle --save two.npz > two.log
grep -q "2 MPI ranks (rank r computes shards r, r+2, ... of 2; one MPI_Allreduce of .* floats per step: .* params, 64 moving statistics, the loss, a stop vote)" two.log
# (a) bit-identical
cmp one.npz two.npz

# (b) PyTorch's DDP, emulated in float64.
$PY "$here/torch_ddp_reference.py" bn.yaml --data ring.csv --init init.npz --shards 2 --epochs 3 --save ddp.npz
$PY "$here/compare_weights.py" two.npz ddp.npz 1e-4 > ddp.txt || { cat ddp.txt; exit 1; }
grep -E "moving|worst" ddp.txt
# The reference tells per-shard statistics from the whole batch's: the fused step (one
# process, whole-batch statistics) is far from it.
./whole train --init init.npz --no-shuffle --save fused.npz > /dev/null
if $PY "$here/compare_weights.py" fused.npz ddp.npz 1e-3 > fused.txt; then
  cat fused.txt
  echo "FAIL: whole-batch statistics agree with the per-shard reference: the check cannot tell them apart"
  exit 1
fi

# kl_sparsity likewise: each shard's mean activation and penalty (its share of the batch's
# rows); 2 ranks = 1 process, bit-identical. The per-shard loss itself is checked against
# train_step on the shard alone in tests/unit/core/ShardedStepTest.cpp.
sed -e 's/^name: bn/name: kl/' -e '/batchnorm/d' \
  -e 's/^loss: mse/loss: {reconstruction: mse, terms: [{kl_sparsity: {layer: code, rho: 0.2, weight: 0.5}}]}/' \
  -e 's/units: 1, name: code/units: 3, activation: sigmoid, name: code/' bn.yaml > kl.yaml
"$AEC" check kl.yaml | grep -q "^threads: 1 (kl_sparsity's mean activation couples the samples of a batch; "
"$AEC" compile kl.yaml -o kl2 --shards 2 2> /dev/null
./kl2 train --no-shuffle --threads 1 --save kl1.npz > /dev/null
mpi2 ./kl2 train --no-shuffle --save kl2.npz > kl2.log
grep -q "2 MPI ranks (rank r computes shards r, r+2" kl2.log
cmp kl1.npz kl2.npz
echo ok
