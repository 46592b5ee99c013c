#!/usr/bin/python3
"""The longer run of every model in models/, as documented in models/README.md: trains each
(with the sizes below, chosen to fit a 2-core machine), draws its pictures (--plot) and
prints one markdown table row per model. Usage: long_runs.py AEC OUT_DIR [MODEL...]."""
import gzip
import os
import subprocess
import sys
import time

import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FASHION = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
# model: overrides of the YAML (None = as written); "n" subsets synthetic data or Fashion-MNIST.
RUNS = {
    "ring": {},
    "sdss_colors": {},
    "steps_1neuron": {},
    "steps_updown": {},
    "pca_breast_cancer": {},
    "circles_conv": {},
    "fashion_stacked": {},
    "fashion_denoising": {},
    "sparse_l1": {"n": 20000},
    "sparse_kl": {"n": 20000},
    "contractive": {"n": 10000},
    "vae": {"n": 20000, "epochs": 10},
    "fashion_conv": {"n": 10000, "epochs": 3},
    "fashion_recurrent": {"n": 2000, "epochs": 3},
    "speckle_dae": {"n": 384, "epochs": 6, "batch": 16},
}


def main():
    aec, out = sys.argv[1], os.path.abspath(sys.argv[2])
    names = sys.argv[3:] or list(RUNS)
    print("| model | run | final loss | final val_loss | samples/s | train time |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        o = RUNS[name]
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        spec = yaml.safe_load(open(os.path.join(ROOT, "models", f"{name}.yaml")))
        data = spec["data"]
        what = []
        if "n" in o and data.get("path") == FASHION:
            raw = np.frombuffer(gzip.open(FASHION).read(), np.uint8, offset=16)
            np.save(os.path.join(d, "x.npy"), raw[: o["n"] * 784].reshape(-1, 28, 28).astype(np.float32) / 255)
            spec["data"] = {"path": os.path.join(d, "x.npy")}
            what.append(f"first {o['n']} images")
        elif "n" in o:
            data["n"] = o["n"]
            what.append(f"n {o['n']}")
        for key in ("epochs", "batch"):
            if key in o:
                spec["train"][key] = o[key]
        if "batch" in o:
            what.append(f"batch {o['batch']}")
        model = os.path.join(d, f"{name}.yaml")
        yaml.safe_dump(spec, open(model, "w"))
        trainer = os.path.join(d, name)
        subprocess.run([aec, "compile", model, "-o", trainer], check=True, capture_output=True)
        start = time.time()
        subprocess.run([trainer, "train", "--save", os.path.join(d, "w.npz"), "--log", os.path.join(d, "log.csv"),
                        "--plot", d], check=True, capture_output=True, cwd=d)
        seconds = time.time() - start
        log = np.atleast_2d(np.genfromtxt(os.path.join(d, "log.csv"), delimiter=",", skip_header=1))
        val = "" if np.isnan(log[-1, 2]) else f"{log[-1, 2]:.5g}"
        print(f"| {name} | {', '.join(what) or 'as in the YAML'}, {len(log)} epochs | {log[-1, 1]:.5g} | {val} | "
              f"{np.median(log[:, 4]):,.0f} | {seconds:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
