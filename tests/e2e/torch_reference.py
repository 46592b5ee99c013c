#!/usr/bin/python3
"""An independent PyTorch implementation of aec's dense models, for cross-checks and benches.

Builds the model of an aec YAML file (dense, layernorm, every activation), loads Keras-layout
weights from .npz, and trains in file order (no shuffling) with the YAML's optimizer, the
last partial batch included. Used only by tests and benchmarks, never by the product.
"""
import argparse
import math
import sys

import numpy as np
import torch
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


def layer_entries(layers, prefix):
    """(name, kind, params) per layer, with aec's default names and shorthands."""
    out = []
    for i, entry in enumerate(layers):
        if isinstance(entry, str):
            kind, params = entry, {}
        else:
            (kind, params), = entry.items()
            if not isinstance(params, dict):
                params = {"units": params} if kind == "dense" else {}
        out.append((params.get("name", f"{prefix}.{i}"), kind, params))
    return out


class Model(torch.nn.Module):
    def __init__(self, spec):
        super().__init__()
        width = spec["input"][0]
        self.names, mods = [], []
        for part in ("encoder", "decoder"):
            for name, kind, p in layer_entries(spec[part], part):
                if kind == "dense":
                    lin = torch.nn.Linear(width, p["units"], bias=p.get("use_bias", True))
                    mods.append(torch.nn.Sequential(lin, activation(p.get("activation", "linear"),
                                                                     p.get("alpha"))))
                    width = p["units"]
                elif kind == "layernorm":
                    mods.append(torch.nn.LayerNorm(width, eps=p.get("epsilon", 1e-3)))
                else:
                    sys.exit(f"torch_reference: layer kind {kind} not supported")
                self.names.append((name, kind))
        self.layers = torch.nn.ModuleList(mods)

    def forward(self, x):
        for m in self.layers:
            x = m(x)
        return x

    def keras_params(self):
        """(npz key, tensor, to_torch, from_torch) for every parameter."""
        out = []
        for (name, kind), m in zip(self.names, self.layers):
            if kind == "dense":
                lin = m[0]
                out.append((f"{name}/kernel", lin.weight, lambda a: a.T, lambda t: t.T))
                if lin.bias is not None:
                    out.append((f"{name}/bias", lin.bias, lambda a: a, lambda t: t))
            else:
                out.append((f"{name}/gamma", m.weight, lambda a: a, lambda t: t))
                out.append((f"{name}/beta", m.bias, lambda a: a, lambda t: t))
        return out

    def load_npz(self, path):
        weights = np.load(path)
        with torch.no_grad():
            for key, p, to_torch, _ in self.keras_params():
                p.copy_(torch.from_numpy(np.ascontiguousarray(to_torch(weights[key]))))

    def save_npz(self, path):
        arrays = {key: from_torch(p.detach().numpy()) for key, p, _, from_torch in self.keras_params()}
        np.savez(path, **arrays)


def make_optimizer(spec, params):
    (kind, p), = spec["optimizer"].items()
    if kind == "adam":
        return torch.optim.Adam(params, lr=p.get("lr", 1e-3), betas=(p.get("beta1", 0.9), p.get("beta2", 0.999)),
                                eps=p.get("eps", 1e-7))
    if kind == "sgd":
        return torch.optim.SGD(params, lr=p.get("lr", 1e-2), momentum=p.get("momentum", 0.0))
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=p.get("lr", 1e-3), alpha=p.get("rho", 0.9), eps=p.get("eps", 1e-7))
    sys.exit(f"torch_reference: optimizer {kind} not supported")


def loss_fn(spec):
    loss = spec.get("loss", "mse")
    if isinstance(loss, dict):
        loss = loss.get("reconstruction", "mse")
    return {"mse": torch.nn.functional.mse_loss, "mae": torch.nn.functional.l1_loss,
            "bce": torch.nn.functional.binary_cross_entropy}[loss]


def train(spec, model, data, epochs, batch):
    opt = make_optimizer(spec, model.parameters())
    lossf = loss_fn(spec)
    x = torch.from_numpy(data)
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--data", help="CSV with a header line")
    ap.add_argument("--init", required=True, help="weights to start from (written with --make-init)")
    ap.add_argument("--save")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--make-init", type=int, metavar="SEED",
                    help="write random weights (non-zero biases, gamma != 1) to --init and exit")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    spec = yaml.safe_load(open(args.model))
    model = Model(spec)
    if args.make_init is not None:
        torch.manual_seed(args.make_init)
        with torch.no_grad():
            for _, p, _, _ in model.keras_params():
                p.add_(0.1 * torch.randn_like(p))
        model.save_npz(args.init)
        return
    model.load_npz(args.init)
    data = np.loadtxt(args.data, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
    losses = train(spec, model, data, args.epochs, spec["train"]["batch"])
    model.save_npz(args.save)
    print("torch losses:", " ".join(f"{l:.6g}" for l in losses))


if __name__ == "__main__":
    main()
