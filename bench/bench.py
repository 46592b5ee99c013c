#!/usr/bin/python3
"""Trains ring and sdss_colors with aec and with PyTorch (same model, data, batch, optimizer,
file order) and prints samples/s of each, their ratio, peak memory and `aec compile` time.

PyTorch runs at its best setting on these machines: 2 intra-op threads and
OPENBLAS_NUM_THREADS=1 (set before torch is imported, in a child process).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TORCH_WORKER = r"""
import json, sys, time, resource
sys.path.insert(0, sys.argv[1])
import numpy as np, torch, yaml
import torch_reference as ref
torch.set_num_threads(2)
spec = yaml.safe_load(open(sys.argv[2]))
data = np.loadtxt(sys.argv[3], delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
epochs = int(sys.argv[4])
model = ref.Model(spec)
ref.train(spec, model, data[:256], 1, spec["train"]["batch"])  # warm-up
start = time.perf_counter()
ref.train(spec, model, data, epochs, spec["train"]["batch"])
seconds = time.perf_counter() - start
print(json.dumps({"samples_per_s": len(data) * epochs / seconds, "seconds": seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def bench_model(aec, name, generator, n, epochs, work):
    data = os.path.join(work, f"{name}.csv")
    run([aec, "data", generator, "--n", str(n), "--seed", "5", "-o", data])
    if generator == "blackbody_colors":  # standardised once, so both see the same numbers
        d = np.loadtxt(data, delimiter=",", skiprows=1)
        np.savetxt(data, (d - d.mean(0)) / d.std(0), delimiter=",", header="u,g,r,i,z", comments="")
    spec = yaml.safe_load(open(os.path.join(ROOT, "models", f"{name}.yaml")))
    spec["data"] = {"path": data}
    spec["train"]["validation_split"] = 0.0
    spec["train"]["epochs"] = epochs
    model = os.path.join(work, f"{name}.yaml")
    yaml.safe_dump(spec, open(model, "w"))

    start = time.perf_counter()
    run([aec, "compile", model, "-o", os.path.join(work, name)])
    compile_s = time.perf_counter() - start

    log = os.path.join(work, f"{name}_log.csv")
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", os.path.join(work, name), "train", "--no-shuffle",
                           "--log", log, "--save", os.path.join(work, f"{name}.npz")],
                          check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    aec_peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    aec_sps = n * epochs / wall  # whole process: start-up, data generation, every epoch

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="2")
    out = run(["/usr/bin/python3", "-c", TORCH_WORKER, os.path.join(ROOT, "tests", "e2e"), model, data,
               str(epochs)], env=env).stdout
    torch_res = json.loads(out.strip().splitlines()[-1])
    return {"model": name, "n": n, "epochs": epochs, "batch": spec["train"]["batch"],
            "aec_samples_per_s": aec_sps, "torch_samples_per_s": torch_res["samples_per_s"],
            "ratio": aec_sps / torch_res["samples_per_s"], "aec_peak_rss_mb": aec_peak_mb,
            "torch_peak_rss_mb": torch_res["peak_rss_mb"], "aec_compile_s": compile_s}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aec", required=True)
    ap.add_argument("--quick", action="store_true", help="fewer epochs (a smoke run)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench needs /usr/bin/time (Debian package 'time')")
    scale = 0.1 if args.quick else 1.0
    rows = []
    with tempfile.TemporaryDirectory() as work:
        rows.append(bench_model(args.aec, "ring", "ring", 1000, max(2, int(100 * scale)), work))
        rows.append(bench_model(args.aec, "sdss_colors", "blackbody_colors", 20000, max(1, int(10 * scale)), work))
    print(f"{'model':12s} {'batch':>5s} {'aec samples/s':>14s} {'torch samples/s':>16s} {'aec/torch':>9s} "
          f"{'aec RSS MB':>10s} {'torch RSS MB':>12s} {'compile s':>9s}")
    for r in rows:
        print(f"{r['model']:12s} {r['batch']:5d} {r['aec_samples_per_s']:14.0f} {r['torch_samples_per_s']:16.0f} "
              f"{r['ratio']:9.2f} {r['aec_peak_rss_mb']:10.1f} {r['torch_peak_rss_mb']:12.1f} {r['aec_compile_s']:9.2f}")
    print("aec: whole trainer process (start-up, data, all epochs); torch: training loop after a warm-up, "
          "2 threads, OPENBLAS_NUM_THREADS=1")
    if args.json:
        json.dump(rows, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
