#!/usr/bin/python3
"""`make bench`: aec against PyTorch on the anchor models of issue 8, side by side in one run.

For each model: the same YAML (batch set to the anchor batch, no validation split), the same
data file, the same optimizer and file order. Reported per model:
- steady-state samples/s of both: aec from its own per-epoch log (epoch 1 left out), PyTorch
  per epoch after a warm-up; the median over epochs and over `--passes` runs;
- PyTorch at its better setting of two: its default threads, and 2 intra-op threads with
  OPENBLAS_NUM_THREADS=1;
- aec's GFLOP/s (the trainer's FLOPs per step: about 3x forward) and, for reference, the same
  run's sgemm GFLOP/s (OpenBLAS through NumPy, 2 threads, 128x784x100 and 2048^3);
- peak RSS of both processes, the planned arena of aec's step (train_step, or one shard's grad_step) and its liveness lower
  bound (`trainer info`), `aec compile` time.

This machine's environment pins OpenBLAS to its AVX2 kernels (OPENBLAS_CORETYPE,
OPENBLAS_L2_SIZE); every child here runs without those two variables, so PyTorch and the sgemm
reference get the AVX-512 kernels (results stay exact).
"""
import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FASHION_IMAGES = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
BENCH_ENV = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}

# model, data generator, samples, epochs, file type, anchor batch
CASES = [("ring", "ring", 20000, 6, "csv", 32),
         ("sdss_colors", "blackbody_colors", 20000, 6, "csv", 256),
         ("fashion_stacked", "fashion-mnist", 10000, 4, "npy", 128),
         ("fashion_conv", "fashion-mnist", 2000, 3, "npy", 32),
         ("circles_conv", "circles", 2000, 3, "npy", 32),
         ("speckle_dae", "speckle", 256, 2, "npy", 128),
         ("fashion_recurrent", "fashion-mnist", 1000, 3, "npy", 32)]

TORCH_WORKER = r"""
import json, sys, time, resource
sys.path.insert(0, sys.argv[1])
import numpy as np, torch, yaml
import torch_reference as ref
if sys.argv[5] != "default":
    torch.set_num_threads(int(sys.argv[5]))
spec = yaml.safe_load(open(sys.argv[2]))
epochs, batch = int(sys.argv[4]), spec["train"]["batch"]
data = ref.load_data(sys.argv[3], spec)
model = ref.Model(spec)
ref.train(spec, model, data[:2 * batch], 1, batch)  # warm-up
rates = []
for _ in range(epochs):
    start = time.perf_counter()
    ref.train(spec, model, data, 1, batch)
    rates.append(len(data) / (time.perf_counter() - start))
print(json.dumps({"samples_per_s": rates, "threads": torch.get_num_threads(),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

SGEMM_WORKER = r"""
import json, time, numpy as np
def gflops(m, k, n, reps):
    a, b = np.random.rand(m, k).astype(np.float32), np.random.rand(k, n).astype(np.float32)
    a @ b
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            a @ b
        best = min(best, (time.perf_counter() - start) / reps)
    return 2 * m * k * n / best / 1e9
print(json.dumps({"128x784x100": gflops(128, 784, 100, 2000), "2048^3": gflops(2048, 2048, 2048, 3)}))
"""


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env or BENCH_ENV)


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


def trainer_info(trainer):
    """Planned arena, its lower bound and FLOPs per step, from `trainer info`."""
    text = run([trainer, "info"]).stdout
    arena = re.search(r"arena (\d+) bytes.*?lower bound (\d+)", text)
    flops = re.search(r"flops\s+(\d+) per step", text)
    return {"arena_bytes": int(arena.group(1)) if arena else None,
            "arena_bound_bytes": int(arena.group(2)) if arena else None,
            "flops_per_step": int(flops.group(1)) if flops else None}


def aec_pass(trainer, work, name, threads=None):
    """One training run: per-epoch samples/s after the first epoch, and peak RSS."""
    log = os.path.join(work, f"{name}_log.csv")
    extra = ["--threads", str(threads)] if threads else []
    proc = run(["/usr/bin/time", "-f", "%M", trainer, "train", "--no-shuffle", "--log", log,
                "--save", os.path.join(work, f"{name}.npz")] + extra)
    rows = [line.split(",") for line in open(log).read().splitlines()[1:]]
    rates = [float(r[4]) for r in rows]
    return rates[1:] or rates, int(proc.stderr.strip().splitlines()[-1]) / 1024


def torch_pass(model, data, epochs, setting):
    env = dict(BENCH_ENV)
    threads = "default"
    if setting == "2 threads, OPENBLAS_NUM_THREADS=1":
        env["OPENBLAS_NUM_THREADS"], threads = "1", "2"
    out = run(["/usr/bin/python3", "-c", TORCH_WORKER, os.path.join(ROOT, "tests", "e2e"), model, data,
               str(epochs), threads], env).stdout
    return json.loads(out.strip().splitlines()[-1])


TORCH_SETTINGS = ("default", "2 threads, OPENBLAS_NUM_THREADS=1")


def bench_model(aec, case, work, passes, epoch_scale):
    name, generator, n, epochs, ext, batch = case
    epochs = max(2, int(round(epochs * epoch_scale)))
    data = os.path.join(work, f"{name}.{ext}")
    write_data(aec, generator, n, data)
    spec = yaml.safe_load(open(os.path.join(ROOT, "models", f"{name}.yaml")))
    spec["data"] = {"path": data}
    spec["train"].update(validation_split=0.0, epochs=epochs, batch=batch)
    for key in ("early_stopping", "reduce_lr_on_plateau"):
        spec["train"].pop(key, None)
    model = os.path.join(work, f"{name}.yaml")
    yaml.safe_dump(spec, open(model, "w"))

    trainer = os.path.join(work, name)
    start = time.perf_counter()
    run([aec, "compile", model, "-o", trainer])
    compile_s = time.perf_counter() - start
    info = trainer_info(trainer)
    # A step split into shards runs on both cores by default; its 1-thread speed for comparison.
    sharded = "on 2 shards" in run([trainer, "info"]).stdout

    aec_rates, aec_rss, aec_rates_1 = [], 0.0, []
    torch_rates = {s: [] for s in TORCH_SETTINGS}
    torch_rss = {s: 0.0 for s in TORCH_SETTINGS}
    for _ in range(passes):  # interleaved, so that drift in the machine's speed hits both
        rates, rss = aec_pass(trainer, work, name)
        aec_rates += rates
        aec_rss = max(aec_rss, rss)
        if sharded:
            aec_rates_1 += aec_pass(trainer, work, name, threads=1)[0]
        for s in TORCH_SETTINGS:
            res = torch_pass(model, data, epochs, s)
            torch_rates[s] += res["samples_per_s"]
            torch_rss[s] = max(torch_rss[s], res["peak_rss_mb"])
    torch_median = {s: statistics.median(r) for s, r in torch_rates.items()}
    best = max(torch_median, key=torch_median.get)
    aec_sps = statistics.median(aec_rates)
    gflops = info["flops_per_step"] / batch * aec_sps / 1e9 if info["flops_per_step"] else None
    return dict(model=name, batch=batch, n=n, epochs=epochs, passes=passes,
                aec_samples_per_s=aec_sps, aec_gflops=gflops, aec_threads=2 if sharded else 1,
                aec_1thread_samples_per_s=statistics.median(aec_rates_1) if sharded else aec_sps,
                torch_samples_per_s=torch_median[best], torch_setting=best,
                torch_samples_per_s_by_setting=torch_median,
                ratio=aec_sps / torch_median[best], aec_peak_rss_mb=aec_rss,
                torch_peak_rss_mb=torch_rss[best], aec_compile_s=compile_s, **info)


def mb(v):
    return f"{v / 2**20:.1f}" if v is not None else "-"


def print_table(rows, sgemm, markdown):
    head = ["model", "batch", "aec samples/s", "threads", "aec 1 thread", "PyTorch best", "aec/PyTorch", "aec GFLOP/s",
            "RSS aec / PyTorch MB", "arena / bound MB", "compile s"]
    lines = []
    for r in rows:
        g = f"{r['aec_gflops']:.1f}" if r["aec_gflops"] is not None else "-"
        lines.append([r["model"], str(r["batch"]), f"{r['aec_samples_per_s']:,.0f}", str(r["aec_threads"]),
                      f"{r['aec_1thread_samples_per_s']:,.0f}",
                      f"{r['torch_samples_per_s']:,.0f}", f"{r['ratio']:.2f}x", g,
                      f"{r['aec_peak_rss_mb']:.0f} / {r['torch_peak_rss_mb']:.0f}",
                      f"{mb(r['arena_bytes'])} / {mb(r['arena_bound_bytes'])}",
                      f"{r['aec_compile_s']:.1f}"])
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
        print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
        for line in lines:
            print("  ".join(c.rjust(w) for c, w in zip(line, widths)))
    print(f"\nsgemm reference (OpenBLAS via NumPy, 2 threads, same run): "
          f"{sgemm['128x784x100']:.0f} GFLOP/s at 128x784x100, {sgemm['2048^3']:.0f} at 2048^3")
    for r in rows:
        if r["model"] == "fashion_stacked" and r["aec_gflops"]:
            print(f"fashion_stacked runs at {100 * r['aec_gflops'] / sgemm['128x784x100']:.0f}% of sgemm's "
                  f"GFLOP/s at 128x784x100")
    settings = ", ".join(f"{r['model']}: {r['torch_setting']}" for r in rows)
    print(f"samples/s: steady state (aec: its per-epoch log, epoch 1 left out; PyTorch: per epoch after "
          f"a warm-up), median over epochs and passes. PyTorch's better setting per model: {settings}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aec", required=True)
    ap.add_argument("--quick", action="store_true", help="fewer epochs and one pass (a smoke run)")
    ap.add_argument("--passes", type=int, default=2, help="runs of each framework per model (median)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (README)")
    ap.add_argument("--only", nargs="+", metavar="MODEL", help="bench just these models")
    args = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench needs /usr/bin/time (Debian package 'time')")
    passes, epoch_scale = (1, 0.5) if args.quick else (max(1, args.passes), 1.0)
    cases = [c for c in CASES if not args.only or c[0] in args.only]
    sgemm = json.loads(run(["/usr/bin/python3", "-c", SGEMM_WORKER],
                           dict(BENCH_ENV, OPENBLAS_NUM_THREADS="2")).stdout)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for case in cases:
            if case[1] == "fashion-mnist" and not os.path.exists(FASHION_IMAGES):
                print(f"{case[0]} skipped: {FASHION_IMAGES} missing (Debian package dataset-fashion-mnist)")
                continue
            print(f"benchmarking {case[0]} ...", file=sys.stderr, flush=True)
            rows.append(bench_model(args.aec, case, work, passes, epoch_scale))
    print_table(rows, sgemm, args.markdown)
    if args.json:
        json.dump({"sgemm_gflops": sgemm, "models": rows}, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
