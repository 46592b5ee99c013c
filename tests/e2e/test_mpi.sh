#!/usr/bin/env bash
# Data-parallel training over MPI (mpirun -np 2 on this machine): `info` says whether MPI can
# be loaded; a split step on 2 ranks gives bit-identical weights to one process running the
# same shards (a dense and a conv model, partial last batch included) and agrees with the
# fused train_step to float32 tolerance; an unsplit step (small, or batchnorm's statistics)
# runs whole on every rank: identical to one process; rank 0 alone prints and writes; --resume,
# SIGTERM to a rank and Ctrl-C to mpirun; a diverged step stops every rank; a killed rank ends
# the job.
source "$(dirname "$0")/prelude.sh"
set -e
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND"' ERR
require_mpirun
here="$(cd "$(dirname "$0")" && pwd)"
M="$AEC_SOURCE_DIR/models"
# Root in CI containers; 2 ranks on 2 cores shared with other work; one thread per rank.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpi2() { timeout 120 mpirun -np 2 --oversubscribe "$@"; }

"$AEC" compile "$M/ring.yaml" -o ring2 --shards 2 2> /dev/null
"$AEC" compile "$M/ring.yaml" -o ring 2> /dev/null
./ring2 info > info.txt
grep -q "^mpi      available (libmpi.so.40): mpirun -np N splits each batch's 2 shards over N ranks" info.txt
AEC_MPI_LIBRARY=libmpi-missing.so ./ring2 info | grep -q "^mpi      not available (libmpi-missing.so: cannot open"
# Started by mpirun (its environment) without a loadable MPI: a clear error, exit 1.
rc=0
OMPI_COMM_WORLD_SIZE=2 AEC_MPI_LIBRARY=libmpi-missing.so ./ring2 train --epochs 1 --save x.npz 2> nompi.err || rc=$?
[ "$rc" -eq 1 ]
grep -q "error: started by mpirun, but MPI cannot be loaded: libmpi-missing.so: cannot open" nompi.err

# Dense, split in 2 shards: 1000 % 32 = 8 real rows in the last batch, all in rank 0's shard.
./ring2 train --epochs 2 --threads 1 --save one.npz --log one.csv > one.log
mpi2 ./ring2 train --epochs 2 --save two.npz --log two.csv > two.log 2> two.err
grep -q "1 thread (this rank computes 1 of the 2 shards), 2 MPI ranks (rank r computes shards r, r+2, ... of 2; one MPI_Allreduce of 5505 floats per step: 5503 params, the loss, a stop vote)" two.log
cmp one.npz two.npz
# Rank 0 alone prints and writes.
[ "$(grep -c '^saved weights to two.npz' two.log)" -eq 1 ]
[ "$(grep -c '^epoch 2/2' two.log)" -eq 1 ]
[ "$(wc -l < two.csv)" -eq 3 ]
# The fused train_step (one process) sums the batch in another order: float32 tolerance.
./ring train --epochs 2 --save fused.npz > /dev/null
/usr/bin/python3 "$here/compare_weights.py" two.npz fused.npz 1e-4 > cmp.txt || { cat cmp.txt; exit 1; }

# An unsplit step (ring's default: too small to pay for a second core, still less a second
# machine) runs whole on every rank: exactly one process's weights.
mpi2 ./ring train --epochs 2 --save rep.npz > rep.log
grep -q "1 thread (a step of .* kFLOP is too small to pay for a second thread .*), 2 MPI ranks (the step is not split: every rank runs the whole batch)" rep.log
cmp rep.npz fused.npz

# Conv (split by default), 180 training rows: a last batch of 20 rows over both shards.
sed -e "s/n: 4000/n: 200/" "$M/circles_conv.yaml" > circles.yaml
"$AEC" compile circles.yaml -o circles 2> /dev/null
./circles train --epochs 2 --threads 1 --save c1.npz > /dev/null
mpi2 ./circles train --epochs 2 --save c2.npz > c2.log
grep -q "2 MPI ranks (rank r computes shards r, r+2, ... of 2" c2.log
cmp c1.npz c2.npz

# batchnorm, compiled by default: its batch statistics keep the step unsplit, so every rank
# runs the whole global batch: the statistics are the global batch's (as SyncBatchNorm), the
# weights one process's. (--shards 2 splits it, as DDP: test_mpi_batchnorm.sh.)
"$AEC" compile "$AEC_SOURCE_DIR/tests/e2e/models/batchnorm_ring.yaml" -o bn 2> /dev/null
./bn train --save bn1.npz > /dev/null
mpi2 ./bn train --save bn2.npz > bn2.log
grep -q "1 thread (batchnorm's batch statistics couple the samples of a batch; aec compile --shards K splits the step, each shard with its own statistics, as PyTorch DDP), 2 MPI ranks (the step is not split" bn2.log
cmp bn1.npz bn2.npz

# --resume under MPI: 2 epochs, then 2 more from the checkpoint = 4 in one go.
mpi2 ./ring2 train --epochs 4 --save four.npz > /dev/null
mpi2 ./ring2 train --epochs 2 --save half.npz --checkpoint half.ckpt.npz > /dev/null
mpi2 ./ring2 train --epochs 4 --save resumed.npz --resume half.ckpt.npz > resumed.log
grep -q "resuming from 'half.ckpt.npz' after epoch 2" resumed.log
cmp four.npz resumed.npz

# SIGTERM to one rank (what mpirun sends every rank on Ctrl-C, below): its vote in the next
# step's allreduce stops every rank after the same step; rank 0 writes the checkpoint and says
# so once; the resumed run ends on the unbroken weights.
mpirun -np 2 --oversubscribe ./ring2 train --epochs 100000 --save int.npz > int.log 2> int.err &
pid=$!
for _ in $(seq 300); do grep -q "^epoch 2/" int.log && break; sleep 0.1; done
rank=$(pgrep -P "$pid" -f "ring2 train" | tail -1)
kill -TERM "$rank"
rc=0
wait "$pid" || rc=$?
[ "$rc" -ne 0 ]
[ "$(grep -c '^interrupted by SIGTERM' int.err)" -eq 1 ] || { cat int.err; exit 1; }
grep -q "checkpoint written to int.ckpt.npz" int.err
# Resumed to the end of the epoch after the one it stopped in: the weights of an unbroken run.
stopped=$(sed -n 's/^interrupted by SIGTERM in epoch \([0-9]*\) .*/\1/p; s/^interrupted by SIGTERM after epoch \([0-9]*\).*/\1/p' int.err)
end=$((stopped + 1))
mpi2 ./ring2 train --epochs "$end" --save int.npz --resume int.ckpt.npz > /dev/null
mpi2 ./ring2 train --epochs "$end" --save long.npz > /dev/null
cmp long.npz int.npz

# Ctrl-C: SIGINT to mpirun, to its process group (as a terminal sends it; the ranks have
# groups of their own) or to mpirun alone. OpenMPI 4.1's mpirun then stops draining the
# ranks' stdout, sends them SIGCONT, SIGTERM odls_base_sigkill_timeout later and SIGKILL as
# long after that: rank 0 must not block on a progress line (it gives stdout up once it is
# signalled), every rank stops after the same step, rank 0 writes the checkpoint and weights
# and says so on stderr. 3 s instead of the default 1 s leaves time on a busy machine; the
# ranks then stay in MPI_Finalize until mpirun kills them, and mpirun exits 1 whatever they
# return. Epochs of 2 steps: progress lines come fast enough to fill the stdout mpirun no
# longer drains (a trainer that blocks there loses its checkpoint here; measured).
"$AEC" data ring --n 64 --seed 2 -o small.csv 2> /dev/null
for how in group mpirun; do
  OMPI_MCA_odls_base_sigkill_timeout=3 setsid mpirun -np 2 --oversubscribe ./ring2 train --data small.csv \
    --epochs 10000000 --save c.npz --checkpoint c.ckpt.npz > c.log 2> c.err &
  pid=$!
  for _ in $(seq 300); do grep -q "^epoch 2/" c.log && break; sleep 0.1; done
  if [ "$how" = group ]; then kill -INT -- "-$pid"; else kill -INT "$pid"; fi
  timeout 60 tail --pid="$pid" -f /dev/null || { echo "FAIL: Ctrl-C ($how) did not end the job"; kill -9 "$pid"; exit 1; }
  rc=0
  wait "$pid" || rc=$?
  [ "$rc" -ne 0 ]
  [ "$(grep -c '^interrupted by SIGTERM' c.err)" -eq 1 ] || { echo "$how: rc $rc"; cat c.err; exit 1; }
  grep -q "checkpoint written to c.ckpt.npz, weights to c.npz" c.err
  # The checkpoint continues the run where it stopped.
  where=$(sed -n 's/^interrupted by SIGTERM in epoch \([0-9]*\) after step \([0-9]*\) .*/\1 \2/p' c.err)
  if [ -n "$where" ]; then
    read -r epoch step <<< "$where"
    mpi2 ./ring2 train --data small.csv --epochs "$epoch" --save c2.npz --resume c.ckpt.npz > c2.log
    grep -q "resuming from 'c.ckpt.npz' after epoch $((epoch - 1)) and step $step of 2 of epoch $epoch" c2.log
  fi
  rm -f c.npz c.ckpt.npz c.log c.err
done

# A diverged step: the reduced loss is the same on every rank, so all stop there; one message.
rc=0
mpi2 ./ring2 train --epochs 2 --lr 1e30 --save nan.npz > nan.log 2> nan.err || rc=$?
[ "$rc" -ne 0 ]
[ "$(grep -c 'error: training diverged at epoch 1, step' nan.err)" -eq 1 ] || { cat nan.err; exit 1; }
! grep -q "MPI_ABORT" nan.err

# A rank killed mid-run: mpirun ends the other with a message naming the rank, no hang.
mpirun -np 2 --oversubscribe ./ring2 train --epochs 100000 --save k.npz > k.log 2> k.err &
pid=$!
for _ in $(seq 100); do grep -q "^epoch 2/" k.log && break; sleep 0.1; done
rank=$(pgrep -P "$pid" -f "ring2 train" | tail -1)
[ -n "$rank" ]
kill -9 "$rank"
start=$SECONDS
rc=0
timeout 60 tail --pid="$pid" -f /dev/null || { echo "FAIL: the job hangs after a rank was killed"; kill -9 "$pid"; exit 1; }
wait "$pid" || rc=$?
[ "$rc" -ne 0 ]
grep -Eq "exited on signal 9 \(Killed\)|MPI_ABORT|lost communication" k.err || { cat k.err; exit 1; }
echo "job ended $((SECONDS - start)) s after the kill"
echo ok
