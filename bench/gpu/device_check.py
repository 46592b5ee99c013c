"""The GPU check of issue 12, run on the GPU machine by device_check.sh (see README.md there).

(a) check: each CUDA trainer trains its seed model one epoch in file order from the initial
    weights prepare.py wrote; its weights must match the CPU trainer's (max|a-b| / max|b| per
    array within --tol). Every model runs; the exit status is 1 if any failed or differed.
(b) bench: ring, fashion_stacked, fashion_conv, speckle_dae: the CUDA trainer's steady-state
    samples/s (its own per-epoch log, epoch 1 left out) against PyTorch eager and torch.compile
    on the same device, model, batch, optimizer, data and initial weights (torch_bench.py).
    Targets (issue 12): >= 1.5x eager on the dense models, >= 1x torch.compile on conv models;
    a missed target is reported, not an error.
Every command has a timeout and the whole run a deadline (--budget): what is left when it
passes is reported as skipped, so the script always ends with its tables (and JSON in $OUT).
"""
import argparse
import concurrent.futures
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CONV_MODELS = ("fashion_conv", "speckle_dae")
START = time.monotonic()


def left(budget):
    return budget - (time.monotonic() - START)


def run(cmd, cwd, timeout, env=None):
    """(exit status, output); a timeout is status 124, a missing program 127."""
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=max(timeout, 1), env=env)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:  # its output may be bytes even in text mode
        out = "".join(v.decode(errors="replace") if isinstance(v, bytes) else v for v in (e.stdout, e.stderr) if v)
        return 124, out + f"\n[timed out after {timeout:.0f} s]"
    except OSError as e:
        return 127, str(e)


def trainer_env(dev, trainer):
    """The environment the trainers start in: as it is, or with the bundled libraries when
    this machine lacks one of theirs."""
    env = dict(os.environ)
    status, out = run([trainer, "--help"], dev, 20, env)
    if status == 0:
        return env, "system libraries"
    if "error while loading shared libraries" not in out:
        return env, f"trainer --help failed ({status}): {out.strip()[-200:]}"
    env["LD_LIBRARY_PATH"] = os.path.join(dev, "lib") + ":" + env.get("LD_LIBRARY_PATH", "")
    status, out = run([trainer, "--help"], dev, 20, env)
    if status == 0:
        return env, "bundled libraries"
    return env, f"does not start even with the bundled libraries: {out.strip()[-200:]}"


def compare(got_path, ref_path, tol):
    import npyio
    got, ref = npyio.load_npz(got_path), npyio.load_npz(ref_path)
    keys = {k for k in ref if not k.startswith("normalization/")}
    if keys != {k for k in got if not k.startswith("normalization/")}:
        return None, "different arrays", f"arrays differ: {sorted(keys ^ set(got))}"
    worst, where = 0.0, ""
    for k in sorted(keys):
        a, b = got[k].double(), ref[k].double()
        if a.shape != b.shape:
            return None, k, f"{k}: shape {tuple(a.shape)} vs {tuple(b.shape)}"
        if not bool(a.isfinite().all()):
            return float("inf"), k, f"{k}: non-finite values"
        rel = float((a - b).abs().max() / max(float(b.abs().max()), 1e-12)) if b.numel() else 0.0
        if rel >= worst:
            worst, where = rel, k
    return worst, where, ""


def tolerance(entry, tol):
    """--tol, or tests/e2e/test_torch_crosscheck.sh's: 1e-4 for SGD, 1e-3 for Adam and RMSprop,
    whose steps divide by the gradient's size and so enlarge the rounding of small gradients."""
    if tol is not None:
        return tol
    return 1e-4 if entry.get("optimizer", "sgd") == "sgd" else 1e-3


def check_one(entry, trainers, dev, work, env, tol, budget):
    name = entry["name"]
    tol = tolerance(entry, tol)
    row = {"model": name, "stochastic": entry["stochastic"], "tol": tol}
    trainer = os.path.join(dev, trainers, name) if trainers != "cuda" else \
        (os.path.join(dev, entry["cuda"]) if entry["cuda"] else None)
    if trainer is None:
        return dict(row, status="no trainer", detail=entry["cuda_error"] or "")
    if left(budget) < 15:
        return dict(row, status="skipped", detail="time budget spent")
    got = os.path.join(work, f"{name}.npz")
    start = time.monotonic()
    status, out = run([trainer, "train", "--init", entry["init"], "--no-shuffle", "--epochs", "1",
                       "--save", got, "--checkpoint", os.path.join(work, f"{name}.ckpt.npz")],
                      dev, min(60, left(budget) - 5), env)
    row["seconds"] = time.monotonic() - start
    if status != 0:
        return dict(row, status="failed", detail=f"exit {status}: " + " | ".join(out.strip().splitlines()[-3:]))
    try:
        worst, where, why = compare(got, os.path.join(dev, entry["ref"]), tol)
    except Exception as e:  # an unreadable weight file is this model's failure, not the run's
        return dict(row, status="failed", detail=f"reading the weights: {e}")
    if worst is None:
        return dict(row, status="failed", detail=why)
    return dict(row, status="ok" if worst <= tol else "MISMATCH", worst=worst,
                detail=f"worst array {where} {why}".strip())


def run_checks(manifest, args, dev, work, env):
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(check_one, e, args.trainers, dev, work, env, args.tol, args.budget - 150)
                   for e in manifest["check"] if not args.only or e["name"] in args.only]
        return [f.result() for f in futures]


def aec_rate(entry, args, dev, work, env):
    """The trainer's steady-state samples/s (its per-epoch log without epoch 1) and epoch-1 loss."""
    trainer = os.path.join(dev, args.trainers, entry["trainer"]) if args.trainers != "cuda" else \
        (os.path.join(dev, entry["cuda"]) if entry["cuda"] else None)
    if trainer is None:
        return {"error": entry["cuda_error"] or "no trainer"}
    log = os.path.join(work, f"{entry['trainer']}_log.csv")
    start = time.monotonic()
    status, out = run([trainer, "train", "--init", entry["init"], "--no-shuffle", "--log", log,
                       "--save", os.path.join(work, f"{entry['trainer']}.npz"),
                       "--checkpoint", os.path.join(work, f"{entry['trainer']}.ckpt.npz")],
                      dev, min(90, left(args.budget) - 5), env)
    if status != 0:
        return {"error": f"exit {status}: " + " | ".join(out.strip().splitlines()[-3:])}
    rows = list(csv.DictReader(open(log)))
    rates = [float(r["samples_per_s"]) for r in rows]
    return {"samples_per_s": statistics.median(rates[1:] or rates), "epoch_samples_per_s": rates,
            "epoch1_loss": float(rows[0]["loss"]), "wall_s": time.monotonic() - start}


def torch_rates(entry, args, dev):
    """{mode: result} from torch_bench.py; a mode that did not finish in time is missing."""
    results = {}
    cmd = [sys.executable, os.path.join(HERE, "torch_bench.py"), "--spec", entry["spec"], "--data", entry["data"],
           "--scale", str(entry["scale"]), "--init", entry["torch_init"], "--epochs", str(entry["epochs"]),
           "--device", args.torch_device, "--modes", args.torch_modes, "--compile-mode", args.compile_mode]
    status, out = run(cmd, dev, min(args.torch_timeout, left(args.budget) - 5))
    for line in out.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            results[r["mode"]] = r
    if status != 0:
        results["error"] = f"exit {status}: " + " | ".join(out.strip().splitlines()[-3:])
    return results


def run_bench(manifest, args, dev, work, env):
    rows = []
    for entry in manifest["bench"]:
        if args.only and entry["name"] not in args.only:
            continue
        if left(args.budget) < 30:
            rows.append({"model": entry["name"], "error": "skipped: time budget spent"})
            continue
        print(f"bench {entry['name']} ...", file=sys.stderr, flush=True)
        row = {"model": entry["name"], "batch": entry["batch"], "n": entry["n"], "epochs": entry["epochs"],
               "aec": aec_rate(entry, args, dev, work, env)}
        row["torch"] = torch_rates(entry, args, dev) if left(args.budget) > 20 else \
            {"error": "skipped: time budget spent"}
        rows.append(row)
    return rows


def fmt(v, spec=",.0f"):
    return format(v, spec) if isinstance(v, (int, float)) else "-"


def times(ratio):
    return f"{ratio:.2f}x" if ratio else "-"


def print_checks(rows, tol):
    print("\n### (a) CUDA trainer vs CPU trainer, one epoch from the same weights (max|a-b| / max|b| per array)\n")
    print("| model | status | worst rel. diff | tolerance | seconds | noise draws | detail |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['status']} | {fmt(r.get('worst'), '.2e')} | {r['tol']:.0e} | "
              f"{fmt(r.get('seconds'), '.1f')} | "
              f"{', '.join(r['stochastic']) or '-'} | {r['detail'][:160]} |")


def print_bench(rows):
    print("\n### (b) samples/s, steady state: aec CUDA trainer vs PyTorch on the same device\n")
    print("| model | batch | aec | torch eager | torch.compile | aec/eager | aec/compile | target | met | "
          "epoch-1 loss aec / eager |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "aec" not in r:
            print(f"| {r['model']} | {r['error']} |")
            continue
        a = r["aec"].get("samples_per_s")
        e = r["torch"].get("eager", {}).get("samples_per_s")
        c = r["torch"].get("compile", {}).get("samples_per_s")
        conv = r["model"] in CONV_MODELS
        against, need = (c, 1.0) if conv else (e, 1.5)
        r["ratio_eager"] = a / e if a and e else None
        r["ratio_compile"] = a / c if a and c else None
        r["target"] = f">= {need}x {'torch.compile' if conv else 'eager'}"
        r["target_met"] = (a / against >= need) if a and against else None
        loss_e = r["torch"].get("eager", {}).get("epoch_loss", [None])[0]
        print(f"| {r['model']} | {r['batch']} | {fmt(a)} | {fmt(e)} | {fmt(c)} | {times(r['ratio_eager'])} | "
              f"{times(r['ratio_compile'])} | {r['target']} | "
              f"{ {True: 'yes', False: 'NO', None: '-'}[r['target_met']]} | "
              f"{fmt(r['aec'].get('epoch1_loss'), '.5g')} / {fmt(loss_e, '.5g')} |")
    for r in rows:
        for what, err in (("aec", r.get("aec", {}).get("error")), ("torch", r.get("torch", {}).get("error"))):
            if err:
                print(f"- {r['model']} {what}: {err[:300]}")
    for r in rows:
        w = r.get("torch", {}).get("compile", {}).get("warmup_s")
        if w:
            print(f"- {r['model']}: torch.compile warm-up (3 steps) {w:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", help="what prepare.sh wrote (its device/ folder is what is needed here)")
    ap.add_argument("--trainers", default="cuda", help="cuda, or a folder of OUTDIR standing in for it (cpu: "
                    "the CPU trainers, to try this script on a machine with no GPU)")
    ap.add_argument("--torch-device", default="cuda", help="PyTorch's device (cpu to try the script without a GPU)")
    ap.add_argument("--torch-modes", default="eager,compile")
    ap.add_argument("--compile-mode", default="default", help="torch.compile's mode (default, reduce-overhead, ...)")
    ap.add_argument("--only", nargs="+", metavar="MODEL")
    ap.add_argument("--skip", choices=("check", "bench"), action="append", default=[])
    ap.add_argument("--tol", type=float, help="tolerance of every model (default: 1e-4 SGD, 1e-3 Adam/RMSprop)")
    ap.add_argument("--jobs", type=int, default=4, help="check trainers run side by side")
    ap.add_argument("--budget", type=float, default=270, help="seconds for the whole run")
    ap.add_argument("--torch-timeout", type=float, default=100, help="seconds for one model's PyTorch runs")
    out = os.environ.get("OUT")
    ap.add_argument("--json", default=os.path.join(out, "device_check.json") if out else None,
                    help="write the results here (default $OUT/device_check.json when OUT is set)")
    args = ap.parse_args()
    dev = os.path.abspath(os.path.join(args.outdir, "device"))
    if args.trainers != "cuda":  # the stand-ins sit beside device/, not in it
        args.trainers = os.path.relpath(os.path.join(os.path.abspath(args.outdir), args.trainers), dev)
    manifest = json.load(open(os.path.join(dev, "manifest.json")))
    status, gpus = run(["nvidia-smi", "-L"], dev, 15)
    print(f"GPUs: {gpus.strip() if status == 0 else 'nvidia-smi: ' + gpus.strip()[-200:]}")
    first = next((e for e in manifest["check"] if e["cuda"] or args.trainers != "cuda"), None)
    if first is None:
        sys.exit("error: no trainer to run (every --target cuda compile failed in prepare.sh)")
    probe = os.path.join(dev, first["cuda"]) if args.trainers == "cuda" else \
        os.path.join(dev, args.trainers, first["name"])
    env, libs = trainer_env(dev, probe)
    status, info = run([probe, "info"], dev, 30, env)
    named = " | ".join(l for l in info.splitlines() if l.split()[:1] in (["target"], ["device"]))
    print(f"trainers: {args.trainers}, {libs}; {first['name']} info ({status}): {named or info.strip()[-300:]}")

    result = {"trainers": args.trainers, "libraries": libs, "gpus": gpus.strip(), "tol": args.tol}
    with tempfile.TemporaryDirectory() as work:
        if "check" not in args.skip:
            result["check"] = run_checks(manifest, args, dev, work, env)
            print_checks(result["check"], args.tol)
        if "bench" not in args.skip:
            result["bench"] = run_bench(manifest, args, dev, work, env)
            print_bench(result["bench"])
    result["seconds"] = time.monotonic() - START
    print(f"\ndevice_check: {result['seconds']:.0f} s")
    if args.json:
        json.dump(result, open(args.json, "w"), indent=1)
        print(f"wrote {args.json}")
    bad = [r["model"] for r in result.get("check", []) if r["status"] != "ok"]
    if bad:
        print(f"check failed or differed: {' '.join(bad)}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
