#!/usr/bin/env bash
# Data-parallel training over MPI on this machine: steady-state samples/s of one process and of
# 2 ranks (shared memory, TCP over loopback, and, where `ip netns` works (root), TCP over a veth
# pair between the root network namespace and a second one), with the time per step spent in
# the gradients' MPI_Allreduce (rank 0's figure, waiting for the slower rank included).
#
#   bash bench/mpi.sh BUILD_DIR [MODEL[:BATCH] ...]     (default: sdss_colors:256 circles_conv)
#
# On a busy machine a rank waits for the other's time slice inside the allreduce, so the
# trainer's figure is mostly waiting; bench/allreduce.c (built here with mpicc) times the
# allreduce alone, after a barrier, for the models' gradient sizes and a few more.
# Each model is compiled with --shards 2 (rank r computes shard r); EPOCHS (default 6) epochs
# per run, the median of epochs 2.. taken. Ranks run one thread each. Unset
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE in the calling command as for `make bench`.
set -euo pipefail
build="$(cd "${1:-build}" && pwd)"
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(sdss_colors:256 circles_conv)
src="$(cd "$(dirname "$0")/.." && pwd)"
epochs="${EPOCHS:-6}"
command -v mpirun > /dev/null || { echo "mpirun is not installed (scripts/install-deps.sh)"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work="$(mktemp -d)"
ns=aec-mpi-bench-$$
cleanup() {
  ip netns del "$ns" 2> /dev/null || true
  ip link del "aecb$$" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# The veth pair: 10.78.0.1 (root namespace) <-> 10.78.0.2 (namespace $ns).
veth=0
if ip netns add "$ns" 2> netns.err && ip link add "aecb$$" type veth peer name "aecc$$" 2>> netns.err &&
  ip link set "aecc$$" netns "$ns" && ip addr add 10.78.0.1/24 dev "aecb$$" && ip link set "aecb$$" up &&
  ip netns exec "$ns" ip addr add 10.78.0.2/24 dev "aecc$$" && ip netns exec "$ns" ip link set "aecc$$" up &&
  ip netns exec "$ns" ip link set lo up; then
  veth=1
else
  echo "no veth run: $(head -1 netns.err)"
fi

# Median samples/s of epochs 2..N, and the allreduce line's microseconds per step.
summary() {
  local sps us
  sps=$(sed -n 's/^epoch \([0-9]*\)\/.* \([0-9]*\) samples\/s$/\1 \2/p' "$1" | awk '$1 > 1 {print $2}' | sort -n |
    awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : "?")}')
  us=$(sed -n 's/^mpi: .*: \([0-9.]*\) us per step.*/\1/p' "$1")
  printf "%12s  %10s\n" "$sps" "${us:--}"
}

printf "%-16s %-44s %12s  %10s\n" model run samples/s "allreduce us/step"
sizes=(4096 65536 1048576 4194304)
for spec in "${models[@]}"; do
  m="${spec%%:*}"
  batch=()
  [ "$m" != "$spec" ] && batch=(--batch "${spec#*:}")
  "$build/aec" compile "$src/models/$m.yaml" -o "$m" --shards 2 "${batch[@]}" 2> /dev/null
  args=(train --epochs "$epochs" --save w.npz --checkpoint-every 1000000e)
  run() { # label, command...
    local label="$1"
    shift
    "$@" > out.txt 2> err.txt || { echo "$m $label failed:"; tail -5 err.txt; return 0; }
    printf "%-16s %-44s %s\n" "$m" "$label" "$(summary out.txt)"
  }
  "./$m" info > info.txt
  sizes+=($((4 * ($(sed -n 's/^params *\([0-9]*\).*/\1/p' info.txt) + 2))))
  run "1 process, 1 thread" "./$m" "${args[@]}" --threads 1
  run "1 process, 2 threads" "./$m" "${args[@]}" --threads 2
  run "2 ranks, shared memory" mpirun -np 2 --oversubscribe --bind-to none "./$m" "${args[@]}"
  run "2 ranks, TCP over loopback" mpirun -np 2 --oversubscribe --bind-to none --mca btl tcp,self "./$m" "${args[@]}"
  if [ "$veth" = 1 ]; then
    # Rank 1 in the second namespace: its only route to rank 0 is the veth pair. PMIx (the
    # launcher's channel) has to accept connections from outside the loopback for it.
    run "2 ranks, TCP over veth (2 network namespaces)" env PMIX_MCA_ptl_tcp_remote_connections=1 PMIX_MCA_ptl_tcp_if_include=10.78.0.0/24 \
      mpirun --oversubscribe --bind-to none --mca btl tcp,self --mca btl_tcp_if_include 10.78.0.0/24 \
      --mca oob_tcp_if_include 10.78.0.0/24 -x PMIX_MCA_ptl_tcp_remote_connections \
      -np 1 "./$m" "${args[@]}" : -np 1 ip netns exec "$ns" "./$m" "${args[@]}"
  fi
done

# The allreduce alone: median microseconds of one call of each size, both ranks ready.
mpicc -O2 -o allreduce "$src/bench/allreduce.c"
sorted=($(printf "%s\n" "${sizes[@]}" | sort -n | uniq))
echo
echo "MPI_Allreduce alone (median of 200 calls after a barrier), microseconds:"
mpirun -np 2 --oversubscribe --bind-to none ./allreduce "${sorted[@]}" | sed 's/^/  shared memory         /'
mpirun -np 2 --oversubscribe --bind-to none --mca btl tcp,self ./allreduce "${sorted[@]}" | sed 's/^/  TCP over loopback     /'
if [ "$veth" = 1 ]; then
  env PMIX_MCA_ptl_tcp_remote_connections=1 PMIX_MCA_ptl_tcp_if_include=10.78.0.0/24 \
    mpirun --oversubscribe --bind-to none --mca btl tcp,self --mca btl_tcp_if_include 10.78.0.0/24 \
    --mca oob_tcp_if_include 10.78.0.0/24 -x PMIX_MCA_ptl_tcp_remote_connections \
    -np 1 ./allreduce "${sorted[@]}" : -np 1 ip netns exec "$ns" ./allreduce "${sorted[@]}" | sed 's/^/  TCP over veth         /'
fi
