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
# The model library and the Python module from the install alone.
"$work/prefix/bin/aec" compile "$work/prefix/share/aec/models/ring.yaml" --shared -o libring.so
test -f "$work/prefix/include/aec/CApi.h"
PYTHONPATH="$work/prefix/share/aec/python" /usr/bin/python3 -c "
import aec, numpy as np
m = aec.load('./libring.so', weights='w.npz')
z = m.encode(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], np.float32))
assert z.shape == (3, 1) and np.isfinite(z).all(), z
print('python module: ok', m)"
