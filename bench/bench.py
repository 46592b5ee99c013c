#!/usr/bin/python3
"""Trains ring, sdss_colors, circles_conv and fashion_conv with aec and with PyTorch (same model,
data, batch, optimizer, file order) and prints samples/s of each, their ratio, peak memory and
`aec compile` time.

PyTorch runs at its best setting on these machines: 2 intra-op threads and
OPENBLAS_NUM_THREADS=1 (set before torch is imported, in a child process).
"""
import argparse
import gzip
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
epochs = int(sys.argv[4])
data = ref.load_data(sys.argv[3], spec)
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


FASHION_IMAGES = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def write_data(aec, generator, n, path):
    """The bench data, prepared once so that both frameworks read the same numbers."""
    if generator == "fashion-mnist":  # the first n images, scaled to [0, 1]
        with gzip.open(FASHION_IMAGES) as f:
            images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
        np.save(path, (images[:n] / 255.0).astype(np.float32))
        return
    run([aec, "data", generator, "--n", str(n), "--seed", "5", "-o", path])
    if generator == "blackbody_colors":  # standardised
        d = np.loadtxt(path, delimiter=",", skiprows=1)
        np.savetxt(path, (d - d.mean(0)) / d.std(0), delimiter=",", header="u,g,r,i,z", comments="")


def bench_model(aec, name, generator, n, epochs, work, ext="csv"):
    data = os.path.join(work, f"{name}.{ext}")
    write_data(aec, generator, n, data)
    spec = yaml.safe_load(open(os.path.join(ROOT, "models", f"{name}.yaml")))
    spec["data"] = {"path": data}
    spec["train"]["validation_split"] = 0.0
    spec["train"]["epochs"] = epochs
    model = os.path.join(work, f"{name}.yaml")
    yaml.safe_dump(spec, open(model, "w"))

    start = time.perf_counter()
    run([aec, "compile", model, "-o", os.path.join(work, name)])
    compile_s = time.perf_counter() - start
    # The step split in 2 shards whatever its size, to measure 1 and 2 threads side by side.
    run([aec, "compile", model, "-o", os.path.join(work, name + "_2"), "--shards", "2"])
    info = run([os.path.join(work, name), "info"]).stdout
    default_threads = 2 if "grad_step on 2 shards" in info else 1

    def train(threads):
        log = os.path.join(work, f"{name}_log.csv")
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", os.path.join(work, name + "_2"), "train", "--no-shuffle",
                               "--threads", str(threads), "--log", log, "--save", os.path.join(work, f"{name}.npz")],
                              check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        # whole process: start-up, data generation, every epoch
        return n * epochs / wall, int(proc.stderr.strip().splitlines()[-1]) / 1024

    aec_sps1, peak1 = train(1)
    aec_sps2, peak2 = train(2)
    aec_sps, aec_peak_mb = (aec_sps2, peak2) if default_threads == 2 else (aec_sps1, peak1)

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="2")
    out = run(["/usr/bin/python3", "-c", TORCH_WORKER, os.path.join(ROOT, "tests", "e2e"), model, data,
               str(epochs)], env=env).stdout
    torch_res = json.loads(out.strip().splitlines()[-1])
    return {"model": name, "n": n, "epochs": epochs, "batch": spec["train"]["batch"],
            "aec_samples_per_s": aec_sps, "aec_1thread_samples_per_s": aec_sps1,
            "aec_2threads_samples_per_s": aec_sps2, "aec_default_threads": default_threads, "torch_samples_per_s": torch_res["samples_per_s"],
            "ratio": aec_sps / torch_res["samples_per_s"], "aec_peak_rss_mb": aec_peak_mb,
            "torch_peak_rss_mb": torch_res["peak_rss_mb"], "aec_compile_s": compile_s}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aec", required=True)
    ap.add_argument("--quick", action="store_true", help="fewer epochs (a smoke run)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--only", nargs="+", metavar="MODEL", help="bench just these models")
    args = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench needs /usr/bin/time (Debian package 'time')")
    scale = 0.1 if args.quick else 1.0
    # model, data, samples, epochs, data file type
    cases = [("ring", "ring", 1000, max(2, int(100 * scale)), "csv"),
             ("sdss_colors", "blackbody_colors", 20000, max(1, int(10 * scale)), "csv"),
             ("circles_conv", "circles", 2000, max(1, int(3 * scale)), "npy"),
             ("fashion_conv", "fashion-mnist", 4000, max(1, int(2 * scale)), "npy")]
    if args.only:
        cases = [c for c in cases if c[0] in args.only]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, data, n, epochs, ext in cases:
            if data == "fashion-mnist" and not os.path.exists(FASHION_IMAGES):
                print(f"{name} skipped: {FASHION_IMAGES} missing (Debian package dataset-fashion-mnist)")
                continue
            rows.append(bench_model(args.aec, name, data, n, epochs, work, ext))
    print(f"{'model':13s} {'batch':>5s} {'aec 1 thread':>12s} {'aec 2 threads':>13s} {'default':>7s} "
          f"{'torch samples/s':>16s} {'aec/torch':>9s} {'aec RSS MB':>10s} {'torch RSS MB':>12s} {'compile s':>9s}")
    for r in rows:
        print(f"{r['model']:13s} {r['batch']:5d} {r['aec_1thread_samples_per_s']:12.0f} "
              f"{r['aec_2threads_samples_per_s']:13.0f} {r['aec_default_threads']:7d} {r['torch_samples_per_s']:16.0f} "
              f"{r['ratio']:9.2f} {r['aec_peak_rss_mb']:10.1f} {r['torch_peak_rss_mb']:12.1f} {r['aec_compile_s']:9.2f}")
    print("aec: samples/s of the whole trainer process (start-up, data, all epochs), 1 and 2 threads; "
          "aec/torch and RSS at the default thread count; torch: training loop after a warm-up, "
          "2 threads, OPENBLAS_NUM_THREADS=1")
    if args.json:
        json.dump(rows, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
