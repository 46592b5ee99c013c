#!/usr/bin/env bash
# A linear autoencoder without biases reaches the reconstruction error of a rank-k SVD of the
# same data (Baldi & Hornik: its optimum spans the top-k singular subspace).
set -euo pipefail
: "${AEC:?set AEC to the aec binary}"
PY=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

$PY - <<'PYEOF'
import numpy as np
rng = np.random.default_rng(0)
z = rng.normal(size=(300, 3)) * np.array([3.0, 2.0, 0.7])
a = np.linalg.qr(rng.normal(size=(6, 6)))[0][:3]
x = z @ a + 0.05 * rng.normal(size=(300, 6))
np.savetxt("x.csv", x, delimiter=",", header="a,b,c,d,e,f", comments="")
PYEOF

cat > linear.yaml <<'YAML'
name: linear
input: [6]
encoder:
  - dense: {units: 2, use_bias: false, name: code}
decoder:
  - dense: {units: 6, use_bias: false}
loss: mse
optimizer: {adam: {lr: 0.01}}
train: {batch: 50, epochs: 400, seed: 2}
data: {path: x.csv}
YAML
"$AEC" compile linear.yaml -o linear
./linear train --save w.npz > train.log
./linear score --weights w.npz --data x.csv --out score.csv
$PY - <<'PYEOF'
import numpy as np
x = np.loadtxt("x.csv", delimiter=",", skiprows=1)
u, s, vt = np.linalg.svd(x, full_matrices=False)
xk = (u[:, :2] * s[:2]) @ vt[:2]
svd_mse = np.mean((x - xk) ** 2)
scores = np.loadtxt("score.csv", delimiter=",", skiprows=1, ndmin=2)[:, -1]
ae_mse = scores.mean()
print(f"rank-2 SVD mse {svd_mse:.6f}  linear AE mse {ae_mse:.6f}  ratio {ae_mse / svd_mse:.4f}")
assert len(scores) == len(x), "score must give one row per sample"
assert ae_mse <= 1.02 * svd_mse, "the linear AE did not reach the SVD reconstruction"
assert ae_mse >= 0.999 * svd_mse, "better than the optimum: the scores are wrong"
PYEOF
