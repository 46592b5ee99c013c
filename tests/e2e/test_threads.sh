#!/usr/bin/env bash
# Data-parallel threads (train --threads N on a step compiled in shards): the thread count
# shows in `info` and the banner; same seed and thread count give bit-identical weights;
# 2 threads agree with 1 to float32 reduction tolerance (a dense and a conv model, with a
# partial last batch); batch-coupled models fall back to 1 thread with the reason, exactly.
set -euo pipefail
: "${AEC:?set AEC to the aec binary}"
: "${AEC_SOURCE_DIR:?}"
here="$(cd "$(dirname "$0")" && pwd)"
M="$AEC_SOURCE_DIR/models"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# ring (tiny steps: split only when asked) and circles_conv (split by default), on data whose
# last batch is partial: 1000 % 32 = 8 real rows and 180 % 32 = 20 (a 0.1 validation split), in shard 0 or both.
"$AEC" compile "$M/ring.yaml" -o ring --shards 2 2> ring.err
! grep -q "heap call" ring.err
"$AEC" compile "$M/ring.yaml" -o ring1 2> /dev/null
./ring1 info > info1.txt
grep -q "^threads  1 (a step of .* kFLOP is too small to pay for a second thread" info1.txt
./ring info | tee info.txt
grep -q "^threads  .* grad_step on 2 shards of 16 samples" info.txt
grep -Eq "^  grad_step +workspace [0-9]+ bytes" info.txt

./ring train --epochs 2 --threads 2 --save a.npz > a.log
./ring train --epochs 2 --threads 2 --save b.npz > b.log
grep -q "batch 32, 2 threads," a.log
cmp a.npz b.npz
# One thread runs the same shards in turn (a split step has no train_step): the same weights.
./ring train --epochs 2 --threads 1 --save one.npz > one.log
grep -q "batch 32, 1 thread," one.log
cmp one.npz a.npz
# More threads than shards: the shards' count, said so.
./ring train --epochs 1 --threads 4 --save c.npz > c.log
grep -q "2 threads (the step was compiled in 2 shards" c.log

sed -e "s/n: 4000/n: 200/" "$M/circles_conv.yaml" > circles.yaml
"$AEC" compile circles.yaml -o circles 2> circles.err
! grep -q "heap call" circles.err
./circles info > circles.txt
grep -q "^threads  .* grad_step on 2 shards" circles.txt
./circles train --epochs 2 --threads 2 --save c2.npz > c2.log
grep -q "2 threads," c2.log
./circles train --epochs 2 --threads 2 --save c2b.npz > /dev/null
cmp c2.npz c2b.npz
./circles train --epochs 2 --threads 1 --save c1.npz > /dev/null
cmp c1.npz c2.npz

# batchnorm's batch statistics: by default no split, 1 thread with the reason, the same weights.
"$AEC" compile "$AEC_SOURCE_DIR/tests/e2e/models/batchnorm_ring.yaml" -o bn 2> /dev/null
./bn info > bn.txt
grep -q "^threads  1 (batchnorm's batch statistics couple the samples of a batch; aec compile --shards K splits" bn.txt
./bn train --threads 2 --save bn2.npz > bn2.log
grep -q "1 thread (batchnorm's batch statistics" bn2.log
./bn train --threads 1 --save bn1.npz > /dev/null
cmp bn1.npz bn2.npz
# --shards 2 splits it (statistics per shard, test_mpi_batchnorm.sh): 2 threads = 1.
"$AEC" compile "$AEC_SOURCE_DIR/tests/e2e/models/batchnorm_ring.yaml" -o bns --shards 2 2> /dev/null
./bns train --threads 2 --save bns2.npz > bns2.log
grep -q "2 threads" bns2.log
./bns train --threads 1 --save bns1.npz > /dev/null
cmp bns1.npz bns2.npz
echo ok
