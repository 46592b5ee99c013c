#!/usr/bin/python3
"""Checks torch_reference.py's image layers against TF's rules written out by hand in NumPy,
so a cross-check failure points at aec, not at the reference:
  - "same" padding: out = ceil(n / s), total = max((out - 1) * s + k - n, 0), the odd pixel after;
  - avgpool divides by the real (unpadded) elements of each window, maxpool pads with -inf;
  - pool strides may differ from the pool ("valid" drops what no window covers);
  - maxpool's gradient goes to one element per window, the first maximum in row-major order
    (TF, PyTorch, JAX), also on ties;
  - conv2d_transpose is the adjoint of conv2d of the same padding on an input of TF's output
    length: in * s ("same"), in * s + max(k - s, 0) ("valid").
"""
import itertools
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference as ref  # noqa: E402


def tf_out(n, k, s, same):
    return -(-n // s) if same else (n - k) // s + 1


def tf_before(n, k, s, same):
    if not same:
        return 0
    return max((tf_out(n, k, s, True) - 1) * s + k - n, 0) // 2


def windows(n, k, s, same):
    """Per output index, the real input indices of its window."""
    b = tf_before(n, k, s, same)
    return [[i for i in range(o * s - b, o * s - b + k) if 0 <= i < n] for o in range(tf_out(n, k, s, same))]


def np_pool(x, kind, k, s, same):
    """[H, W, C] -> (pooled, d sum(pooled) / dx routed to the first maximum)."""
    rows, cols = windows(x.shape[0], k[0], s[0], same), windows(x.shape[1], k[1], s[1], same)
    y = np.zeros((len(rows), len(cols), x.shape[2]))
    grad = np.zeros_like(x)
    for (a, r), (b, c) in itertools.product(enumerate(rows), enumerate(cols)):
        idx = [(i, j) for i in r for j in c]  # row-major
        for ch in range(x.shape[2]):
            vals = np.array([x[i, j, ch] for i, j in idx])
            if kind == "avgpool":
                y[a, b, ch] = vals.mean()
                for i, j in idx:
                    grad[i, j, ch] += 1 / len(idx)
            else:
                first = int(np.argmax(vals))  # the first maximum
                y[a, b, ch] = vals[first]
                grad[idx[first][0], idx[first][1], ch] += 1
    return y, grad


def check_pools():
    # The hand-computed case: 3x3, pool 2, same -> windows of 4, 2, 2 and 1 real elements.
    x = torch.arange(1.0, 10.0, dtype=torch.float64).reshape(1, 3, 3, 1)
    y = ref.Pool({"pool": 2, "padding": "same"}, "avgpool")(x)[0, :, :, 0].numpy()
    assert np.allclose(y, [[3.0, 4.5], [7.5, 9.0]]), y
    y = ref.Pool({"pool": 2, "padding": "same"}, "maxpool")(-x)[0, :, :, 0].numpy()
    assert np.allclose(y, [[-1.0, -3.0], [-7.0, -9.0]]), y  # -inf padding, not 0
    # Ties: a constant 3x3 image, pool 2 stride 1 same: every element is the first maximum of
    # exactly one window (the one it starts), so each gets 1, not its window count (1 to 4).
    x = torch.full((1, 3, 3, 1), 0.5, dtype=torch.float64, requires_grad=True)
    ref.Pool({"pool": 2, "strides": 1, "padding": "same"}, "maxpool")(x).sum().backward()
    assert np.array_equal(x.grad[0, :, :, 0].numpy(), np.ones((3, 3))), x.grad[0, :, :, 0]

    rng = np.random.default_rng(0)
    for kind, n, k, s, same in itertools.product(
            ("maxpool", "avgpool"), (7, 9, 5), ((2, 2), (3, 3), (2, 3)), ((2, 2), (1, 1), (3, 2), (2, 1)),
            (True, False)):
        # Small integers: many ties, negative values (padding must not win a max).
        x = rng.integers(-3, 2, (n, n - 1, 2)).astype(np.float64)
        want, grad = np_pool(x, kind, k, s, same)
        xt = torch.tensor(x[None], requires_grad=True)
        yt = ref.Pool({"pool": list(k), "strides": list(s), "padding": "same" if same else "valid"}, kind)(xt)
        yt.sum().backward()
        case = f"{kind} {n}x{n - 1} pool {k} strides {s} {'same' if same else 'valid'}"
        assert yt.shape[1:3] == want.shape[:2], f"{case}: shape {tuple(yt.shape)} vs {want.shape}"
        assert np.allclose(yt[0].detach().numpy(), want), case
        assert np.allclose(xt.grad[0].numpy(), grad), f"{case}: gradient"


def np_conv(x, w, s, same):
    """TF conv2d: x [H, W, Cin], w [kh, kw, Cin, Cout]."""
    k = w.shape[:2]
    b = [tf_before(x.shape[i], k[i], s[i], same) for i in range(2)]
    out = [tf_out(x.shape[i], k[i], s[i], same) for i in range(2)]
    y = np.zeros((*out, w.shape[3]))
    for o0, o1, k0, k1 in itertools.product(range(out[0]), range(out[1]), range(k[0]), range(k[1])):
        i, j = o0 * s[0] - b[0] + k0, o1 * s[1] - b[1] + k1
        if 0 <= i < x.shape[0] and 0 <= j < x.shape[1]:
            y[o0, o1] += x[i, j] @ w[k0, k1]
    return y


def np_conv_transpose(x, w, s, same):
    """TF conv2d_transpose: the adjoint of np_conv (same padding) on TF's output length;
    x [H, W, Cin], w [kh, kw, Cout, Cin] as Keras stores it."""
    k = w.shape[:2]
    n = [x.shape[i] * s[i] + (0 if same else max(k[i] - s[i], 0)) for i in range(2)]
    assert all(tf_out(n[i], k[i], s[i], same) == x.shape[i] for i in range(2))
    b = [tf_before(n[i], k[i], s[i], same) for i in range(2)]
    y = np.zeros((*n, w.shape[2]))
    for o0, o1, k0, k1 in itertools.product(range(x.shape[0]), range(x.shape[1]), range(k[0]), range(k[1])):
        i, j = o0 * s[0] - b[0] + k0, o1 * s[1] - b[1] + k1
        if 0 <= i < n[0] and 0 <= j < n[1]:
            y[i, j] += w[k0, k1] @ x[o0, o1]
    return y


def check_convs():
    rng = np.random.default_rng(1)
    for transpose, n, k, s, same in itertools.product(
            (False, True), (7, 9, 4), ((3, 3), (2, 2), (4, 1), (1, 1)), ((2, 2), (1, 2)), (True, False)):
        if not transpose and not same and n - 2 < max(k):
            continue
        x = rng.normal(size=(n, n - 2, 2))
        p = {"filters": 3, "kernel": list(k), "strides": list(s), "padding": "same" if same else "valid"}
        m = ref.Conv(2, p, transpose).double()
        w = rng.normal(size=(*k, 3, 2) if transpose else (*k, 2, 3))
        bias = rng.normal(size=3)
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(np.ascontiguousarray(ref.CONV_KERNEL[0](w))))
            m.bias.copy_(torch.from_numpy(bias))
        want = (np_conv_transpose if transpose else np_conv)(x, w, s, same) + bias
        y = m(torch.from_numpy(x[None]))[0].detach().numpy()
        case = f"{'conv2d_transpose' if transpose else 'conv2d'} {n}x{n - 2} kernel {k} strides {s} " \
               f"{'same' if same else 'valid'}"
        assert y.shape == want.shape, f"{case}: shape {y.shape} vs {want.shape}"
        assert np.allclose(y, want), case


if __name__ == "__main__":
    torch.set_num_threads(1)
    check_pools()
    check_convs()
    print("torch_reference: pooling and convolutions follow TF's padding rules")
