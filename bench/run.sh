#!/usr/bin/env bash
# `make bench`: aec vs PyTorch on the default models, in one run (see bench/bench.py).
set -euo pipefail
BUILD="$(cd "${1:-build}" && pwd)"
exec /usr/bin/python3 "$(dirname "$0")/bench.py" --aec "$BUILD/aec" "${@:2}"
