#!/usr/bin/python3
"""Prepares the GPU check on the CPU machine (bench/gpu/prepare.sh; see bench/gpu/README.md).

Writes OUTDIR/device (everything the GPU machine needs), packed as OUTDIR/device.tgz (what the
`run` tool carries there; device_check.sh unpacks it), and OUTDIR/cpu (the CPU trainers, kept
here: they make the references and stand in for the CUDA trainers when device_check.sh is
tried on this machine with --trainers cpu).

- check: every seed model of models/ with its own data cut to a few batches (synthetic data
  with a smaller n, files cut to their first rows), compiled with --target cpu and --target
  cuda; initial weights (`train --epochs 0`) and the CPU trainer's weights after one epoch in
  file order from them (the reference the CUDA trainer must reproduce).
- bench: ring, fashion_stacked, fashion_conv and speckle_dae as `make bench` runs them (its
  batches, no validation split, no early stopping; bench/bench.py), with more data, both
  targets, the initial weights, and for PyTorch the model spec as JSON and the same initial
  weights as a state dict (so the GPU side needs neither YAML nor NumPy).

Relative data paths are resolved by the trainer against the directory it was compiled from,
so every trainer is compiled from OUTDIR/device and run there.
"""
import argparse
import gzip
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

# model, data generator (or the model's own file), samples, epochs, anchor batch (bench/bench.py's
# batches; sample counts are whole batches, so that PyTorch's torch.compile sees one batch shape).
# The conv models come first: their target is against torch.compile, whose warm-up is what the
# device's time budget may cut short.
BENCH = [("fashion_conv", "fashion-mnist", 2048, 4, 32),
         ("speckle_dae", "speckle", 256, 6, 128),
         ("ring", "ring", 20000, 6, 32),
         ("fashion_stacked", "fashion-mnist", 10240, 6, 128)]
FASHION_IMAGES = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
# Layers and settings whose draws (noise, masks, latent samples) the CPU and CUDA trainers must
# make alike for the weights to match: named in the table so a mismatch there is read as such.
STOCHASTIC = ("gaussian_noise", "dropout", "corrupt", "vae_latent")
GLIBC = ("libc.so", "libm.so", "libmvec.so", "ld-linux", "libpthread.so", "libdl.so", "librt.so",
         "linux-vdso")
PY_FILES = [os.path.join(HERE, f) for f in ("device_check.py", "torch_bench.py", "npyio.py", "device_check.sh")] + \
    [os.path.join(ROOT, "tests", "e2e", "torch_reference.py")]


def run(cmd, cwd=None, check=True):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc


def write_idx(src, rows, dst):
    """The first `rows` images of an IDX file, as a plain (uncompressed) IDX file."""
    with (gzip.open if src.endswith(".gz") else open)(src, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = list(np.frombuffer(raw[4:4 + 4 * ndim], ">u4"))
    rows = min(rows, int(shape[0]))
    per = int(np.prod(shape[1:]))
    header = raw[:4] + np.array([rows] + shape[1:], ">u4").tobytes()
    with open(dst, "wb") as f:
        f.write(header + raw[4 + 4 * ndim:4 + 4 * ndim + rows * per])


def small_data(name, spec, n, dev):
    """The model's data, cut to n samples, at a path relative to dev/models (where the YAML is)."""
    data = dict(spec["data"])
    if "synthetic" in data:
        data["n"] = n
        return data
    src = data["path"]
    if ".idx" in src or "ubyte" in src:
        dst = f"data/{name}-idx-ubyte"
        write_idx(src, n, os.path.join(dev, dst))
    else:  # a small text or NumPy file: copied, and cut by the trainer with rows:
        dst = f"data/{name}{os.path.splitext(src)[1]}"
        shutil.copy(src, os.path.join(dev, dst))
        data["rows"] = n
    data["path"] = "../" + dst
    return data


def compile_both(aec, name, dev, cpu_dir):
    """(CPU trainer, CUDA trainer or None, the CUDA compile's error or None). The CPU step is
    not split in shards, as a CUDA step never is: split, it would draw its noise per shard and
    sum its gradients in another order (vae's weights then differ by 1e0, speckle_dae's by 2e-4)."""
    yaml_path = f"models/{name}.yaml"
    cpu = os.path.join(cpu_dir, name)
    run([aec, "compile", yaml_path, "--target", "cpu", "--shards", "1", "-o", cpu], cwd=dev)
    cuda = os.path.join(dev, "cuda", name)
    proc = run([aec, "compile", yaml_path, "--target", "cuda", "-o", cuda], cwd=dev, check=False)
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        return cpu, None, " / ".join(lines[-2:])
    run(["strip", cuda])  # the symbols are half of a trainer; the carried files are capped
    return cpu, cuda, None


def prepare_check(aec, name, dev, cpu_dir):
    spec = yaml.safe_load(open(os.path.join(ROOT, "models", f"{name}.yaml")))
    batch = spec["train"]["batch"]
    split = spec["train"].get("validation_split", 0.0)
    # three and a half batches of training samples: a partial last batch is among the steps
    n = math.ceil((3 * batch + batch // 2) / (1 - split))
    spec["data"] = small_data(name, spec, n, dev)
    spec["train"]["epochs"] = 1
    yaml.safe_dump(spec, open(os.path.join(dev, "models", f"{name}.yaml"), "w"), sort_keys=False)
    cpu, cuda, error = compile_both(aec, name, dev, cpu_dir)
    init, ref = f"init/{name}.npz", f"ref/{name}.npz"
    run([cpu, "train", "--epochs", "0", "--save", init], cwd=dev)
    run([cpu, "train", "--init", init, "--no-shuffle", "--epochs", "1", "--save", ref], cwd=dev)
    for f in (init, ref):
        os.remove(os.path.join(dev, f[:-4] + ".ckpt.npz"))
    text = open(os.path.join(ROOT, "models", f"{name}.yaml")).read()
    (optimizer, _), = spec["optimizer"].items()
    return {"name": name, "init": init, "ref": ref, "cuda": cuda and os.path.relpath(cuda, dev),
            "cuda_error": error, "stochastic": [w for w in STOCHASTIC if w in text], "optimizer": optimizer}


def bench_data(aec, name, generator, n, dev):
    """The bench data as the trainer reads it; fashion stays bytes (normalize /255 in the YAML)."""
    if generator == "fashion-mnist":
        path = f"data/{name}_bench-idx-ubyte"
        write_idx(FASHION_IMAGES, n, os.path.join(dev, path))
        return path, {"path": "../" + path, "normalize": {"scale": 255}}
    path = f"data/{name}_bench.{'csv' if generator == 'ring' else 'npy'}"
    run([aec, "data", generator, "--n", str(n), "--seed", "5", "-o", path], cwd=dev)
    return path, {"path": "../" + path}


def prepare_bench(aec, case, dev, cpu_dir):
    import torch
    import torch_reference as ref

    name, generator, n, epochs, batch = case
    spec = yaml.safe_load(open(os.path.join(ROOT, "models", f"{name}.yaml")))
    data_path, spec["data"] = bench_data(aec, name, generator, n, dev)
    spec["train"].update(validation_split=0.0, epochs=epochs, batch=batch)
    for key in ("early_stopping", "reduce_lr_on_plateau"):
        spec["train"].pop(key, None)
    bench = f"{name}_bench"
    yaml.safe_dump(spec, open(os.path.join(dev, "models", f"{bench}.yaml"), "w"), sort_keys=False)
    cpu, cuda, error = compile_both(aec, bench, dev, cpu_dir)
    init = f"init/{bench}.npz"
    run([cpu, "train", "--epochs", "0", "--save", init], cwd=dev)
    os.remove(os.path.join(dev, f"init/{bench}.ckpt.npz"))
    # PyTorch's twin from the same weights, as a state dict: no NumPy needed to load it
    torch.manual_seed(0)
    model = ref.Model(spec)
    model.load_npz(os.path.join(dev, init))
    torch.save(model.state_dict(), os.path.join(dev, f"init/{bench}.pt"))
    json.dump(spec, open(os.path.join(dev, "models", f"{bench}.json"), "w"), indent=1)
    info = run([cpu, "info"]).stdout
    flops = next((int(l.split()[1]) for l in info.splitlines() if l.startswith("flops")), None)
    return {"name": name, "trainer": bench, "cuda": cuda and os.path.relpath(cuda, dev), "cuda_error": error,
            "spec": f"models/{bench}.json", "data": data_path, "init": init, "torch_init": f"init/{bench}.pt",
            "epochs": epochs, "batch": batch, "n": n, "flops_per_step": flops,
            "scale": 255.0 if generator == "fashion-mnist" else 1.0}


def bundle_libs(trainers, dev):
    """The trainers' shared libraries but glibc's, for a GPU machine that lacks some of them
    (device_check uses them only when a trainer does not start without them)."""
    libs = set()
    for t in trainers:
        for line in run(["ldd", t]).stdout.splitlines():
            parts = line.split("=>")
            if len(parts) == 2 and parts[1].strip().startswith("/"):
                path = parts[1].split()[0]
                if not any(g in os.path.basename(path) for g in GLIBC):
                    libs.add(path)
    for path in sorted(libs):
        shutil.copy(path, os.path.join(dev, "lib", os.path.basename(path)))
    return sorted(os.path.basename(p) for p in libs)


def size_mb(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs) / 2**20


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--aec", required=True)
    ap.add_argument("--only", nargs="+", metavar="MODEL", help="just these seed models (check and bench)")
    ap.add_argument("--limit-mb", type=float, default=60.0,
                    help="most device.tgz may weigh (the run tool carries 64 MiB)")
    args = ap.parse_args()
    aec = os.path.abspath(args.aec)
    dev, cpu_dir = os.path.join(args.outdir, "device"), os.path.join(args.outdir, "cpu")
    if os.path.isdir(args.outdir) and os.listdir(args.outdir):
        # Only an earlier prepare.sh output is replaced: never a folder of something else.
        earlier = [os.path.join(dev, "manifest.json"), os.path.join(args.outdir, "device.tgz")]
        if not any(os.path.exists(p) for p in earlier):
            sys.exit(f"error: {args.outdir} is not empty and not an earlier prepare.sh output: name a new folder")
        shutil.rmtree(args.outdir)
    for d in ("models", "data", "init", "ref", "cuda", "lib", "py"):
        os.makedirs(os.path.join(dev, d))
    os.makedirs(cpu_dir)
    names = sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "models")) if f.endswith(".yaml"))
    names = [n for n in names if not args.only or n in args.only]
    manifest = {"check": [], "bench": []}
    for name in names:
        print(f"check: {name}", flush=True)
        manifest["check"].append(prepare_check(aec, name, dev, cpu_dir))
    for case in BENCH:
        if args.only and case[0] not in args.only:
            continue
        print(f"bench: {case[0]}", flush=True)
        manifest["bench"].append(prepare_bench(aec, case, dev, cpu_dir))
    cpu_trainers = [os.path.join(cpu_dir, f) for f in os.listdir(cpu_dir)]
    cuda_trainers = [os.path.join(dev, "cuda", f) for f in os.listdir(os.path.join(dev, "cuda"))]
    manifest["libs"] = bundle_libs(cpu_trainers[:1] + cuda_trainers[:1], dev)
    for f in PY_FILES:
        shutil.copy(f, os.path.join(dev, "py"))
    json.dump(manifest, open(os.path.join(dev, "manifest.json"), "w"), indent=1)

    # One compressed file to carry: trainers, libraries and data shrink to about half.
    tgz = os.path.join(args.outdir, "device.tgz")
    run(["tar", "czf", tgz, "-C", args.outdir, "device"])
    failed = [e for e in manifest["check"] + manifest["bench"] if e["cuda_error"]]
    for e in failed:
        print(f"--target cuda failed for {e['name']}: {e['cuda_error']}")
    carried = os.path.getsize(tgz) / 2**20
    print(f"{tgz}: {carried:.1f} MB ({size_mb(dev):.1f} MB unpacked in {dev}: {len(cuda_trainers)} CUDA trainers, "
          f"{len(manifest['check'])} check models, {len(manifest['bench'])} bench models, "
          f"{len(manifest['libs'])} libraries); CPU trainers in {cpu_dir}")
    if carried > args.limit_mb:
        sys.exit(f"error: {tgz} is {carried:.1f} MB, over the {args.limit_mb:.0f} MB the run tool carries")
    if failed:
        sys.exit(f"error: {len(failed)} CUDA compiles failed (the device check has nothing to run for them)")

if __name__ == "__main__":
    main()
