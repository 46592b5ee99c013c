#!/usr/bin/env bash
# Installs the Debian packages aec needs, only those missing. Safe to run repeatedly.
#   install-deps.sh          what building aec and `make demo` need
#   install-deps.sh --test   also what the tests, the benchmarks and the fuzzers need: PyTorch
#                            and scikit-learn (references, ~2 GB with their dependencies),
#                            Fashion-MNIST, clang's fuzzer runtime, OpenMPI, OpenBLAS
set -euo pipefail
PKGS=(cmake ninja-build g++ make ccache
      llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
      libxtensor-dev libxsimd-dev xtl-dev libyaml-cpp-dev catch2
      libzip-dev zipcmp zipmerge ziptool zlib1g-dev libcli11-dev libfmt-dev libpng-dev
      libcairo2-dev fonts-dejavu-core
      python3-numpy)
if [ "${1:-}" = --test ]; then
  PKGS+=(python3-torch python3-sklearn python3-yaml libopenblas-dev time bc
         dataset-fashion-mnist
         clang libclang-rt-14-dev
         openmpi-bin libopenmpi-dev)
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "aec: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
