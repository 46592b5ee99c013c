#!/usr/bin/env bash
# `cmake --install build --prefix P` gives a P/bin/aec that finds its runtime relative to
# itself: it compiles and trains a model with the build tree out of the way.
set -euo pipefail
: "${AEC_BUILD_DIR:?}" "${AEC_SOURCE_DIR:?}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$AEC_BUILD_DIR" --prefix "$work/prefix" > /dev/null
test -x "$work/prefix/bin/aec"
test -f "$work/prefix/lib/aec/libaecrt.a"
cd "$work"
"$work/prefix/bin/aec" compile "$work/prefix/share/aec/models/ring.yaml" -o ring
./ring train --epochs 2 --save w.npz | tee train.log
grep -q "epoch 2/2" train.log
test -s w.npz
