"""PyTorch's steady-state training speed on one bench model: eager, then torch.compile.

Run by device_check.py, one process per model (so a hung compile is killed with its process).
Prints one JSON line per mode as soon as it is measured. The model is tests/e2e's independent
twin of the aec YAML (torch_reference.py), its weights the aec trainer's initial ones; the
data lives on the device, whole batches only (one shape for torch.compile), and the loss is
summed on the device and read once per epoch: PyTorch at its best, no per-step host sync.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time
import types

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import npyio  # noqa: E402


def import_torch_reference():
    """tests/e2e/torch_reference.py, which imports NumPy for np.prod and .npz files only: where
    NumPy is missing, a stand-in with prod is seen by that import alone (torch's own modules
    must go on finding no NumPy)."""
    for d in (HERE, os.path.join(HERE, "..", "..", "tests", "e2e")):
        if os.path.exists(os.path.join(d, "torch_reference.py")):
            sys.path.insert(0, d)
            break
    try:
        import numpy  # noqa: F401
        import torch_reference
        return torch_reference
    except ImportError:
        pass
    try:
        import torch._dynamo  # noqa: F401  (imported first, so that it records NumPy as absent)
    except ImportError:  # a torch without torch.compile
        pass
    sys.modules["numpy"] = types.SimpleNamespace(prod=lambda s: math.prod(int(v) for v in s))
    try:
        sys.modules.pop("torch_reference", None)
        import torch_reference
    finally:
        del sys.modules["numpy"]
    return torch_reference


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", required=True, help="the model as JSON (prepare.py)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--scale", type=float, default=1.0, help="divide the data by this (normalize: scale)")
    ap.add_argument("--init", required=True, help="initial weights, a torch state dict")
    ap.add_argument("--epochs", type=int, default=4, help="timed epochs per mode")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--modes", default="eager,compile")
    ap.add_argument("--compile-mode", default="default", help="torch.compile's mode")
    args = ap.parse_args()
    ref = import_torch_reference()
    device = torch.device(args.device)
    spec = json.load(open(args.spec))
    batch = spec["train"]["batch"]
    x = npyio.load_data(args.data).to(torch.float32) / args.scale
    x = x[:len(x) // batch * batch].reshape(-1, *spec["input"]).to(device)
    model = ref.Model(spec).to(device)
    init = torch.load(args.init, map_location=device)
    lossf = ref.loss_fn(spec)

    for mode in args.modes.split(","):
        model.load_state_dict(init)
        forward = (lambda xb: lossf(model(xb), xb)) if mode == "eager" else \
            torch.compile(lambda xb: lossf(model(xb), xb), mode=args.compile_mode, dynamic=False)
        opt = ref.make_optimizer(spec, model.parameters())

        def step(xb):
            opt.zero_grad(set_to_none=True)
            loss = forward(xb)
            loss.backward()
            opt.step()
            return loss.detach()

        start = time.perf_counter()
        for i in range(3):  # warm-up: torch.compile compiles here (forward and backward)
            step(x[i * batch % len(x):][:batch])
        sync(device)
        warmup_s = time.perf_counter() - start
        model.load_state_dict(init)  # the timed epochs start from aec's initial weights
        opt = ref.make_optimizer(spec, model.parameters())
        rates, losses = [], []
        for _ in range(args.epochs):
            total = torch.zeros((), device=device)
            start = time.perf_counter()
            for s in range(0, len(x), batch):
                total += step(x[s:s + batch])
            sync(device)
            rates.append(len(x) / (time.perf_counter() - start))
            losses.append(total.item() * batch / len(x))
        print(json.dumps({"mode": mode, "samples_per_s": statistics.median(rates[1:] or rates),
                          "epoch_samples_per_s": rates, "epoch_loss": losses, "warmup_s": warmup_s,
                          "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
