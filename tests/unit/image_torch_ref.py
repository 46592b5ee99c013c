"""PyTorch reference for the image layers with Keras/TF semantics (channels-last).

Usage: image_torch_ref.py DIR. DIR/cases.txt has one case a line:
    NAME KIND SH SW PADDING [P0 P1]
KIND is conv2d, conv2d_transpose, max_pool, avg_pool or upsample; P0 P1 are the pool or
upsample sizes. Reads NAME_x.npy (NHWC), NAME_k.npy (convs; Keras kernel layout) and
NAME_w.npy (the weights of loss = sum(y * w)); writes NAME_y.npy, NAME_gx.npy and, for
convs, NAME_gk.npy. Computes in float64.

TF 'same' padding is computed here from TF's own rule (total = max((out - 1) s + k - in, 0),
the smaller half before), independently of the C++ code under test.
"""
import sys
import os

import numpy as np
import torch
import torch.nn.functional as F


def same_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def nchw(a):
    return a.permute(0, 3, 1, 2)


def nhwc(a):
    return a.permute(0, 2, 3, 1)


def tf_pad(x, k, s, value):
    """Pads an NCHW tensor the TF 'same' way (F.pad takes the last dim first)."""
    (ht, hb), (wl, wr) = same_pads(x.shape[2], k[0], s[0]), same_pads(x.shape[3], k[1], s[1])
    return F.pad(x, (wl, wr, ht, hb), value=value)


def conv2d(x, k, s, padding):
    w = k.permute(3, 2, 0, 1)  # [kh, kw, C, F] -> [F, C, kh, kw]
    xi = nchw(x)
    if padding == "same":
        xi = tf_pad(xi, w.shape[2:], s, 0.0)
    return nhwc(F.conv2d(xi, w, stride=s))


def conv2d_transpose(x, k, s, padding):
    """TF conv2d_transpose = the gradient of a conv2d whose input has the Keras output
    length; so crop torch's full output at that conv2d's 'before' padding."""
    w = k.permute(3, 2, 0, 1)  # [kh, kw, F, C] -> [C, F, kh, kw] (torch: in, out, kh, kw)
    full = F.conv_transpose2d(nchw(x), w, stride=s)
    y = full
    for d in range(2):
        n, kk, ss = x.shape[1 + d], k.shape[d], s[d]
        out = n * ss if padding == "same" else n * ss + max(kk - ss, 0)
        before = 0
        if padding == "same":
            before = max((n - 1) * ss + kk - out, 0) // 2
        axis = 2 + d
        avail = y.shape[axis] - before
        y = y.narrow(axis, before, min(out, avail))
        if out > avail:  # kernel shorter than stride: zeros at the end
            shape = list(y.shape)
            shape[axis] = out - avail
            y = torch.cat([y, torch.zeros(shape, dtype=y.dtype)], axis)
    return nhwc(y)


def max_pool(x, p, s, padding):
    xi = nchw(x)
    if padding == "same":
        xi = tf_pad(xi, p, s, float("-inf"))
    return nhwc(F.max_pool2d(xi, p, s))


def avg_pool(x, p, s, padding):
    xi = nchw(x)
    if padding == "valid":
        return nhwc(F.avg_pool2d(xi, p, s))
    (ht, hb), (wl, wr) = same_pads(xi.shape[2], p[0], s[0]), same_pads(xi.shape[3], p[1], s[1])
    if ht == hb and wl == wr:  # symmetric: torch's own count_include_pad=False
        return nhwc(F.avg_pool2d(xi, p, s, padding=(ht, wl), count_include_pad=False))
    # Asymmetric: window sums of the zero-padded input over those of a padded ones mask.
    ones = torch.ones_like(xi)
    num = F.avg_pool2d(tf_pad(xi, p, s, 0.0), p, s)
    den = F.avg_pool2d(tf_pad(ones, p, s, 0.0), p, s)
    return nhwc(num / den)


def upsample(x, size):
    return nhwc(F.interpolate(nchw(x), scale_factor=size, mode="nearest"))


def run_case(d, fields):
    name, kind, sh, sw, padding = fields[:5]
    s = (int(sh), int(sw))
    load = lambda suffix: torch.tensor(np.load(os.path.join(d, f"{name}_{suffix}.npy")).astype(np.float64))
    x = load("x").requires_grad_()
    k = None
    if kind in ("conv2d", "conv2d_transpose"):
        k = load("k").requires_grad_()
        y = (conv2d if kind == "conv2d" else conv2d_transpose)(x, k, s, padding)
    else:
        p = (int(fields[5]), int(fields[6]))
        if kind == "max_pool":
            y = max_pool(x, p, s, padding)
        elif kind == "avg_pool":
            y = avg_pool(x, p, s, padding)
        elif kind == "upsample":
            y = upsample(x, p)
        else:
            raise SystemExit(f"unknown kind {kind}")
    w = load("w")
    if tuple(w.shape) != tuple(y.shape):
        raise SystemExit(f"{name}: torch output {tuple(y.shape)} but weights {tuple(w.shape)}")
    (y * w).sum().backward()
    # C order always: a permuted result can be Fortran-contiguous, which the runtime rejects.
    save = lambda suffix, t: np.save(os.path.join(d, f"{name}_{suffix}.npy"),
                                     np.ascontiguousarray(t.detach().numpy()))
    save("y", y)
    save("gx", x.grad)
    if k is not None:
        save("gk", k.grad)


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "cases.txt")) as f:
        for line in f:
            if line.strip():
                run_case(d, line.split())


if __name__ == "__main__":
    main()
