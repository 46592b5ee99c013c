#!/usr/bin/python3
"""PyTorch emulating DistributedDataParallel on K ranks, for a model compiled with
`aec compile --shards K` (tests/e2e/test_mpi_batchnorm.sh).

Each batch (file order, the last one partial) is cut into K shards of batch / K rows, the
last shards of the partial batch shorter or empty. Every shard goes through the model on its
own, in training mode: its batchnorm layers normalise by the shard's own statistics, as the
BatchNorm of a DDP rank does (not SyncBatchNorm). The shards' gradients are summed, each
shard's loss being its per-sample losses summed and divided by the batch's real rows, so the
sum is the batch's mean (DDP averages equal ranks' means: the same for equal shards). One
optimizer step follows. Moving statistics: each shard updates them from the batch's starting
values (moving_s = m * moving + (1 - m) * statistic_s, the variance biased, as Keras); the new
value is their mean weighted by the shards' rows. (DDP itself keeps rank 0's buffers, which it
broadcasts before each forward; aec averages every shard's, which this reference checks.)

The layers, weights layout and optimizers come from torch_reference.py.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import BatchNorm, Model, load_data, make_optimizer  # noqa: E402

import yaml  # noqa: E402


def per_sample_loss(kind, out, x):
    d = (out - x).reshape(len(x), -1)
    if kind == "mse":
        return (d * d).mean(1)
    if kind == "mae":
        return d.abs().mean(1)
    sys.exit(f"torch_ddp_reference: loss {kind} not supported")


def train(spec, model, x, epochs, batch, shards):
    opt = make_optimizer(spec, model.parameters())
    loss = spec.get("loss", "mse")
    kind = loss.get("reconstruction", "mse") if isinstance(loss, dict) else loss
    norms = [m for m in model.modules() if isinstance(m, BatchNorm)]
    per = batch // shards
    model.train()
    for _ in range(epochs):
        for start in range(0, len(x), batch):
            xb = x[start:start + batch]
            n = len(xb)
            opt.zero_grad()
            before = [(m.moving_mean.clone(), m.moving_variance.clone()) for m in norms]
            after = [(torch.zeros_like(a), torch.zeros_like(b)) for a, b in before]
            for s in range(shards):
                part = xb[s * per:(s + 1) * per]
                if len(part) == 0:
                    continue  # a shard of padding only: no rows, no statistics
                with torch.no_grad():
                    for m, (mean, var) in zip(norms, before):
                        m.moving_mean.copy_(mean)
                        m.moving_variance.copy_(var)
                (per_sample_loss(kind, model(part), part).sum() / n).backward()  # grads add up
                with torch.no_grad():
                    for m, (mean, var) in zip(norms, after):
                        mean.add_(len(part) * m.moving_mean)
                        var.add_(len(part) * m.moving_variance)
            with torch.no_grad():
                for m, (mean, var) in zip(norms, after):
                    m.moving_mean.copy_(mean / n)
                    m.moving_variance.copy_(var / n)
            opt.step()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--data", required=True, help="CSV with a header line, or .npy of samples")
    ap.add_argument("--init", required=True, help="weights to start from (aec's trainer --init file)")
    ap.add_argument("--shards", type=int, required=True)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--save", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    spec = yaml.safe_load(open(args.model))
    batch = spec["train"]["batch"]
    if batch % args.shards:
        sys.exit(f"batch {batch} does not split into {args.shards} shards")
    # float64: the reference's own rounding stays far below aec's float32 tolerance.
    model = Model(spec).double()
    model.load_npz(args.init)
    x = torch.from_numpy(load_data(args.data, spec).astype(np.float64))
    train(spec, model, x, args.epochs, batch, args.shards)
    model.save_npz(args.save)


if __name__ == "__main__":
    main()
