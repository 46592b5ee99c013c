#!/usr/bin/python3
"""An independent PyTorch implementation of aec's models, for cross-checks and benches.

Builds the model of an aec YAML file (a sequence of layers: dense, layernorm, batchnorm,
lstm, repeat, time_distributed dense, conv2d, conv2d_transpose, maxpool, avgpool, upsample,
flatten, reshape, activation, and add/concat merges of named layers; every activation), loads Keras-layout weights from .npz, and trains in file
order (no shuffling) with the YAML's optimizer, the last partial batch included. Tensors stay
channels-last as in Keras; convolutions permute to PyTorch's NCHW around the call.

Keras semantics that PyTorch's layers do not share are written out here: TF's "same" padding
(extra pixel at the end), Conv2DTranspose "same" cropping, BatchNormalization's moving
variance (biased, momentum 0.99 as a decay; torch.nn.BatchNorm keeps the unbiased variance
with momentum 0.01), LSTM's single bias (torch's second bias is held at zero).
Used only by tests and benchmarks, never by the product.
"""
import argparse
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F
import yaml


def activation(name, alpha):
    table = {
        "linear": lambda: torch.nn.Identity(),
        "relu": lambda: torch.nn.ReLU(),
        "leaky_relu": lambda: torch.nn.LeakyReLU(0.3 if alpha is None else alpha),
        "sigmoid": lambda: torch.nn.Sigmoid(),
        "tanh": lambda: torch.nn.Tanh(),
        "selu": lambda: torch.nn.SELU(),
        "elu": lambda: torch.nn.ELU(1.0 if alpha is None else alpha),
        "silu": lambda: torch.nn.SiLU(),
        "softplus": lambda: torch.nn.Softplus(),
        "gelu": lambda: torch.nn.GELU(),
    }
    return table[name]()


SHORTHAND = {"dense": "units", "conv2d": "filters", "conv2d_transpose": "filters", "maxpool": "pool",
             "avgpool": "pool", "upsample": "size", "reshape": "shape", "layernorm": "epsilon",
             "batchnorm": "epsilon", "lstm": "units", "repeat": "times", "time_distributed": "layer",
             "activation": "activation", "add": "inputs", "concat": "inputs"}
MERGES = ("add", "concat")


def parse_entry(entry):
    if isinstance(entry, str):
        return entry, {}
    (kind, params), = entry.items()
    if not isinstance(params, dict) or (kind == "time_distributed" and "layer" not in params):
        params = {SHORTHAND[kind]: params} if kind in SHORTHAND and params is not None else {}
    return kind, params


def layer_entries(layers, prefix):
    """(name, kind, params) per layer, with aec's default names and shorthands."""
    out = []
    for i, entry in enumerate(layers):
        kind, params = parse_entry(entry)
        out.append((params.get("name", f"{prefix}.{i}"), kind, params))
    return out


def pair(v, default):
    v = default if v is None else v
    return (v, v) if isinstance(v, int) else tuple(v)


IDENTITY = (lambda a: a, lambda t: t)
DENSE_KERNEL = (lambda a: a.T, lambda t: t.T)
# Keras conv kernel [kh, kw, a, b] <-> torch [b, a, kh, kw] (Conv2d: [out, in, ...], and
# ConvTranspose2d: [in, out, ...] with Keras' [kh, kw, out, in]): the same permutation.
CONV_KERNEL = (lambda a: a.transpose(3, 2, 0, 1), lambda t: t.transpose(2, 3, 1, 0))


def same_pads(size, k, s):
    """TF 'same' padding (before, after) of one spatial dim: the odd pixel goes after."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class Dense(torch.nn.Module):
    def __init__(self, width, p):
        super().__init__()
        self.lin = torch.nn.Linear(width, p["units"], bias=p.get("use_bias", True))
        self.act = activation(p.get("activation", "linear"), p.get("alpha"))
        self.width = p["units"]

    def forward(self, x):
        return self.act(self.lin(x))

    def keras(self):
        out = [("kernel", self.lin.weight, *DENSE_KERNEL)]
        if self.lin.bias is not None:
            out.append(("bias", self.lin.bias, *IDENTITY))
        return out


class LayerNorm(torch.nn.Module):
    def __init__(self, width, p):
        super().__init__()
        self.norm = torch.nn.LayerNorm(width, eps=p.get("epsilon", 1e-3))

    def forward(self, x):
        return self.norm(x)

    def keras(self):
        return [("gamma", self.norm.weight, *IDENTITY), ("beta", self.norm.bias, *IDENTITY)]


class BatchNorm(torch.nn.Module):
    """Keras' BatchNormalization over the last axis: batch statistics in training (PyTorch's
    F.batch_norm does the normalisation and its gradient), moving averages kept as Keras
    keeps them: moving = momentum * moving + (1 - momentum) * batch statistic, the variance
    biased."""

    def __init__(self, width, p):
        super().__init__()
        self.eps, self.momentum = p.get("epsilon", 1e-3), p.get("momentum", 0.99)
        self.gamma = torch.nn.Parameter(torch.ones(width))
        self.beta = torch.nn.Parameter(torch.zeros(width))
        self.register_buffer("moving_mean", torch.zeros(width))
        self.register_buffer("moving_variance", torch.ones(width))

    def forward(self, x):
        flat = x.reshape(-1, x.shape[-1])
        if self.training:
            with torch.no_grad():
                m = self.momentum
                self.moving_mean.mul_(m).add_((1 - m) * flat.mean(0))
                self.moving_variance.mul_(m).add_((1 - m) * flat.var(0, unbiased=False))
            y = F.batch_norm(flat, None, None, self.gamma, self.beta, True, 0.0, self.eps)
        else:
            y = F.batch_norm(flat, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                             False, 0.0, self.eps)
        return y.reshape(x.shape)

    def keras(self):
        return [("gamma", self.gamma, *IDENTITY), ("beta", self.beta, *IDENTITY),
                ("moving_mean", self.moving_mean, *IDENTITY),
                ("moving_variance", self.moving_variance, *IDENTITY)]


class LSTM(torch.nn.Module):
    """torch.nn.LSTM has Keras' gate order (i, f, g, o); its second bias stays at zero."""

    def __init__(self, width, p):
        super().__init__()
        self.lstm = torch.nn.LSTM(width, p["units"], batch_first=True)
        with torch.no_grad():
            self.lstm.bias_hh_l0.zero_()
        self.lstm.bias_hh_l0.requires_grad_(False)
        self.sequences = p.get("return_sequences", False)

    def forward(self, x):
        y, _ = self.lstm(x)
        return y if self.sequences else y[:, -1, :]

    def keras(self):
        return [("kernel", self.lstm.weight_ih_l0, *DENSE_KERNEL),
                ("recurrent_kernel", self.lstm.weight_hh_l0, *DENSE_KERNEL),
                ("bias", self.lstm.bias_ih_l0, *IDENTITY)]


class Conv(torch.nn.Module):
    """conv2d / conv2d_transpose on channels-last input with TF's padding rules."""

    def __init__(self, channels, p, transpose):
        super().__init__()
        self.transpose = transpose
        self.k = pair(p["kernel"], None)
        self.s = pair(p.get("strides"), 1)
        self.same = p.get("padding", "same") == "same"
        f = p["filters"]
        shape = (channels, f) if transpose else (f, channels)
        self.weight = torch.nn.Parameter(torch.zeros(*shape, *self.k))
        self.bias = torch.nn.Parameter(torch.zeros(f)) if p.get("use_bias", True) else None
        self.act = activation(p.get("activation", "linear"), p.get("alpha"))

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        if not self.transpose:
            if self.same:
                (t, b), (l, r) = (same_pads(x.shape[2 + i], self.k[i], self.s[i]) for i in range(2))
                x = F.pad(x, (l, r, t, b))
            y = F.conv2d(x, self.weight, stride=self.s)
        else:
            # TF's output length: in * s ("same") or in * s + max(k - s, 0) ("valid"), taken
            # from the full result (in - 1) * s + k: "same" crops it, the odd pixel at the
            # end; a kernel smaller than its stride leaves the last s - k pixels empty (bias).
            y = F.conv_transpose2d(x, self.weight, stride=self.s)
            for i in range(2):
                n, k, s = x.shape[2 + i], self.k[i], self.s[i]
                want, have = n * s + (0 if self.same else max(k - s, 0)), y.shape[2 + i]
                before = max(have - want, 0) // 2
                y = y.narrow(2 + i, before, min(want, have - before))
                if want > y.shape[2 + i]:
                    pad = [0, 0, 0, 0]
                    pad[3 - 2 * i] = want - y.shape[2 + i]
                    y = F.pad(y, pad)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return self.act(y.permute(0, 2, 3, 1))

    def keras(self):
        out = [("kernel", self.weight, *CONV_KERNEL)]
        if self.bias is not None:
            out.append(("bias", self.bias, *IDENTITY))
        return out


class Pool(torch.nn.Module):
    def __init__(self, p, kind):
        super().__init__()
        self.kind = kind
        self.pool = pair(p.get("pool"), 2)
        self.s = pair(p.get("strides"), None) if p.get("strides") is not None else self.pool
        self.same = p.get("padding", "valid") == "same"

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        pads = [0, 0, 0, 0]
        if self.same:
            (t, b), (l, r) = (same_pads(x.shape[2 + i], self.pool[i], self.s[i]) for i in range(2))
            pads = [l, r, t, b]
        if self.kind == "maxpool":
            y = F.max_pool2d(F.pad(x, pads, value=-math.inf), self.pool, self.s)
        else:  # padding never counts in the mean
            ones = F.pad(torch.ones_like(x[:, :1]), pads)
            y = F.avg_pool2d(F.pad(x, pads), self.pool, self.s) / F.avg_pool2d(ones, self.pool, self.s)
        return y.permute(0, 2, 3, 1)

    def keras(self):
        return []


class Lambda(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)

    def keras(self):
        return []


def make_layer(kind, p, shape):
    """(module, per-sample output shape) for a layer on per-sample input `shape`."""
    if kind == "dense":
        return Dense(shape[-1], p), shape[:-1] + [p["units"]]
    if kind == "layernorm":
        return LayerNorm(shape[-1], p), shape
    if kind == "batchnorm":
        return BatchNorm(shape[-1], p), shape
    if kind == "lstm":
        u = p["units"]
        return LSTM(shape[-1], p), ([shape[0], u] if p.get("return_sequences", False) else [u])
    if kind == "repeat":
        t = p["times"]
        return Lambda(lambda x: x.unsqueeze(1).expand(-1, t, -1)), [t] + shape
    if kind == "time_distributed":
        inner_kind, inner = parse_entry(p["layer"])
        if inner_kind != "dense":
            sys.exit(f"torch_reference: time_distributed of {inner_kind} not supported")
        return Dense(shape[-1], inner), shape[:-1] + [inner["units"]]
    if kind in ("conv2d", "conv2d_transpose"):
        m = Conv(shape[-1], p, kind == "conv2d_transpose")
        with torch.no_grad():
            out = m(torch.zeros(1, *shape)).shape[1:]
        return m, list(out)
    if kind in ("maxpool", "avgpool"):
        m = Pool(p, kind)
        return m, list(m(torch.zeros(1, *shape)).shape[1:])
    if kind == "upsample":
        sh, sw = pair(p.get("size"), 2)
        return (Lambda(lambda x: x.repeat_interleave(sh, 1).repeat_interleave(sw, 2)),
                [shape[0] * sh, shape[1] * sw, shape[2]])
    if kind == "activation":
        return Lambda(activation(p["activation"], p.get("alpha"))), shape
    if kind == "flatten":
        n = int(np.prod(shape))
        return Lambda(lambda x: x.reshape(x.shape[0], n)), [n]
    if kind == "reshape":
        target = list(p["shape"])
        if -1 in target:
            target[target.index(-1)] = int(np.prod(shape)) // -int(np.prod(target))
        return Lambda(lambda x: x.reshape(x.shape[0], *target)), target
    sys.exit(f"torch_reference: layer kind {kind} not supported")


class Model(torch.nn.Module):
    """The layers in file order; a merge (add, concat) reads the named layers' outputs."""

    def __init__(self, spec):
        super().__init__()
        shape = list(spec["input"])
        shapes = {}
        self.names, self.merges, mods = [], [], []
        for part in ("encoder", "decoder"):
            for name, kind, p in layer_entries(spec[part], part):
                if kind in MERGES:
                    inputs = list(p["inputs"])
                    shape = list(shapes[inputs[0]])
                    if kind == "concat":
                        shape[-1] = sum(shapes[i][-1] for i in inputs)
                    m = Lambda(None)
                    self.merges.append((kind, inputs))
                else:
                    if p.get("inputs"):
                        sys.exit("torch_reference: 'inputs' only on add and concat")
                    m, shape = make_layer(kind, p, shape)
                    self.merges.append(None)
                shapes[name] = shape
                mods.append(m)
                self.names.append(name)
        self.layers = torch.nn.ModuleList(mods)
        # only what a merge reads is kept (memory as PyTorch's own code would use it)
        self.kept = {i for merge in self.merges if merge for i in merge[1]}

    def forward(self, x):
        outputs = {}
        for name, m, merge in zip(self.names, self.layers, self.merges):
            if merge is None:
                x = m(x)
            elif merge[0] == "add":
                x = sum(outputs[i] for i in merge[1])
            else:
                x = torch.cat([outputs[i] for i in merge[1]], -1)
            if name in self.kept:
                outputs[name] = x
        return x

    def keras_params(self):
        """(npz key, tensor, to_torch, from_torch) for every parameter."""
        return [(f"{name}/{suffix}", t, to_t, from_t)
                for name, m in zip(self.names, self.layers) for suffix, t, to_t, from_t in m.keras()]

    def load_npz(self, path):
        weights = np.load(path)
        with torch.no_grad():
            for key, p, to_torch, _ in self.keras_params():
                p.copy_(torch.from_numpy(np.ascontiguousarray(to_torch(weights[key]))))

    def save_npz(self, path):
        arrays = {key: from_torch(p.detach().numpy()).astype(np.float32) for key, p, _, from_torch in self.keras_params()}
        np.savez(path, **arrays)


def make_optimizer(spec, params):
    params = [p for p in params if p.requires_grad]
    (kind, p), = spec["optimizer"].items()
    if kind == "adam":
        return torch.optim.Adam(params, lr=p.get("lr", 1e-3), betas=(p.get("beta1", 0.9), p.get("beta2", 0.999)),
                                eps=p.get("eps", 1e-7))
    if kind == "sgd":
        return torch.optim.SGD(params, lr=p.get("lr", 1e-2), momentum=p.get("momentum", 0.0))
    if kind == "rmsprop":
        # aec's defaults: Keras' lr, PyTorch's eps (aec follows PyTorch's update formula).
        return torch.optim.RMSprop(params, lr=p.get("lr", 1e-3), alpha=p.get("rho", 0.9), eps=p.get("eps", 1e-8))
    sys.exit(f"torch_reference: optimizer {kind} not supported")


def loss_fn(spec):
    loss = spec.get("loss", "mse")
    if isinstance(loss, dict):
        loss = loss.get("reconstruction", "mse")
    return {"mse": F.mse_loss, "mae": F.l1_loss, "bce": F.binary_cross_entropy}[loss]


def train(spec, model, data, epochs, batch):
    opt = make_optimizer(spec, model.parameters())
    lossf = loss_fn(spec)
    x = torch.from_numpy(data)
    model.train()
    losses = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch):
            xb = x[start:start + batch]
            opt.zero_grad()
            loss = lossf(model(xb), xb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(x))
    return losses


def load_data(path, spec):
    if path.endswith(".npy"):
        data = np.load(path).astype(np.float32)
    else:
        data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
    return data.reshape(len(data), *spec["input"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--data", help="CSV with a header line, or .npy of samples")
    ap.add_argument("--init", required=True, help="weights to start from (written with --make-init)")
    ap.add_argument("--save")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--make-init", type=int, metavar="SEED",
                    help="write random weights (non-zero biases, gamma != 1) to --init, then train "
                         "from them if --save is given")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--float64", action="store_true",
                    help="train in float64: how far float32 itself drifts on this case")
    ap.add_argument("--save-float32", metavar="PATH",
                    help="with --float64: also train in float32 from the same weights, save to PATH")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    spec = yaml.safe_load(open(args.model))
    # Seeded before the layers draw their default init, so --make-init writes the same file
    # on every run and every machine.
    torch.manual_seed(args.make_init if args.make_init is not None else 0)
    model = Model(spec)
    if args.make_init is not None:
        with torch.no_grad():
            for key, p, _, _ in model.keras_params():
                if p.dim() >= 2 and torch.all(p == 0):  # conv kernels start empty here
                    fan = p[0].numel()
                    p.uniform_(-1 / math.sqrt(fan), 1 / math.sqrt(fan))
                p.add_(0.1 * torch.randn_like(p))
                if key.endswith("moving_variance"):
                    p.abs_()
        model.save_npz(args.init)
        if not args.save:
            return
    # One process for every run of a case: importing torch costs more than these trainings.
    runs = [(args.save, args.float64)] + ([(args.save_float32, False)] if args.save_float32 else [])
    for path, float64 in runs:
        model = Model(spec)
        if float64:
            model.double()
        model.load_npz(args.init)
        data = load_data(args.data, spec)
        if float64:
            data = data.astype(np.float64)
        losses = train(spec, model, data, args.epochs, spec["train"]["batch"])
        model.save_npz(path)
        print(f"torch float{64 if float64 else 32} losses:", " ".join(f"{l:.6g}" for l in losses))


if __name__ == "__main__":
    main()
