"""python/aec.py against the trainer's own outputs (run by test_python_module.sh, which
prepares the libraries, trainers, weights and outputs in the working directory).

Expectations are bit-identical, not close: the library runs the trainer's code on the same
float32 inputs (data in .npy files, so no text parsing differs)."""

import sys

import numpy as np
import torch  # noqa: F401  (loaded first: the model libraries must not clash with it)

import aec

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def identical(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    same = a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    detail = "" if same else f" (shapes {a.shape} {b.shape}, dtypes {a.dtype} {b.dtype}" + (
        f", max diff {np.abs(a.astype(np.float64) - b).max():.3g})" if a.shape == b.shape else ")")
    check(same, what + detail)


def same_weights(path_a, path_b, what):
    a, b = np.load(path_a), np.load(path_b)
    keys_a, keys_b = sorted(a.keys()), sorted(b.keys())
    bad = [k for k in keys_a if k not in keys_b or not np.array_equal(a[k], b[k])]
    check(keys_a == keys_b and not bad, f"{what}: same keys and values" + (f" (differ: {bad[:4]})" if bad else ""))


def raises(fn, needle, what):
    try:
        fn()
    except aec.Error as e:
        check(needle in str(e), f"{what}: aec.Error '{e}'")
        return
    except Exception as e:  # noqa: BLE001
        check(False, f"{what}: {type(e).__name__} instead of aec.Error: {e}")
        return
    check(False, f"{what}: no error")


def train_rows(n, split):
    return int(n * (1.0 - split))  # the trainer's (Keras') split


def check_model(name, data, split):
    x = np.load(data)
    lib = f"./lib{name}.so"
    m = aec.load(lib, weights=f"{name}.w2.npz")
    print(m)
    check(m.name == name, f"{name}: name")

    # Inference: every sample in one call (a partial last batch: n is no multiple of the batch).
    check(len(x) % m.batch != 0, f"{name}: {len(x)} samples end in a partial batch of {m.batch}")
    z = m.encode(x)
    identical(z, np.load(f"{name}.z.npy"), f"{name}: encode == trainer encode")
    identical(m.reconstruct(x), np.load(f"{name}.r.npy"), f"{name}: reconstruct == trainer reconstruct")
    scores = np.loadtxt(f"{name}.s.csv", delimiter=",", skiprows=1, dtype=np.float32)
    # The CSV holds each float32 in its shortest round-trip form: parsing gives the same float.
    identical(m.score(x), scores, f"{name}: score == trainer score")
    identical(m.decode(np.load(f"{name}.z.npy")), np.load(f"{name}.d.npy"), f"{name}: decode == trainer decode")
    # Fewer samples than a batch, and a flat layout of the same values per sample.
    k = m.batch // 2 + 3
    identical(m.encode(x[:k].reshape(k, -1)), z[:k], f"{name}: encode of {k} flat samples == rows of the whole")

    # train_step: from the trainer's epoch-0 weights, the batches of one --no-shuffle epoch
    # (the last one partial) give the trainer's weights after it, and its epoch loss.
    t = aec.load(lib, weights=f"{name}.w0.npz")
    rows = train_rows(len(x), split)
    check(rows % t.batch != 0, f"{name}: {rows} training rows end in a partial batch")
    total = 0.0
    for i in range(0, rows, t.batch):
        xb = x[i:min(i + t.batch, rows)]
        total += t.train_step(xb) * len(xb)
    check(t.steps == -(-rows // t.batch), f"{name}: {t.steps} steps")
    t.save(f"{name}.p1.npz")
    same_weights(f"{name}.p1.npz", f"{name}.w1.npz", f"{name}: train_step epoch == trainer epoch")
    log_loss = float(open(f"{name}.w1.csv").read().splitlines()[1].split(",")[1])
    check(total / rows == log_loss, f"{name}: epoch loss {total / rows!r} == trainer log {log_loss!r}")
    return m, x


def main():
    sdss, colors = check_model("sdss_colors", "colors.npy", 0.1)
    conv, images = check_model("fashion_conv", "images.npy", 0.0833)

    vae, _ = check_model("vae_colors", "colors.npy", 0.1)
    identical(vae.sample(77, seed=9), np.load("vae_colors.sample.npy"), "vae_colors: sample == trainer sample")
    raises(lambda: sdss.sample(3), "needs a VAE", "sample of a model without vae_latent")

    # Fresh weights from the model's seed + statistics fitted on the training rows == the
    # weights the trainer saves before its first epoch.
    fresh = aec.load("./libsdss_colors.so")
    raises(lambda: fresh.encode(colors), "fit_normalization", "sdss_colors: fresh weights without statistics")
    fresh.fit_normalization(colors[:train_rows(len(colors), 0.1)])
    fresh.save("sdss_colors.p0.npz")
    same_weights("sdss_colors.p0.npz", "sdss_colors.w0.npz", "sdss_colors: fresh weights + fit == trainer epoch 0")
    other_seed = aec.load("./libsdss_colors.so", seed=12345)
    other_seed.fit_normalization(colors[:1800])
    other_seed.save("sdss_colors.seed.npz")
    check(not np.array_equal(np.load("sdss_colors.seed.npz")["code/kernel"], np.load("sdss_colors.w0.npz")["code/kernel"]),
          "sdss_colors: another seed draws other weights")

    # An explicit target equal to the input is the model's own target: the same step.
    a = aec.load("./libsdss_colors.so", weights="sdss_colors.w0.npz")
    b = aec.load("./libsdss_colors.so", weights="sdss_colors.w0.npz")
    la, lb = a.train_step(colors[:50]), b.train_step(colors[:50], target=colors[:50])
    a.save("sdss_colors.ta.npz")
    b.save("sdss_colors.tb.npz")
    check(la == lb, f"train_step with target=x: loss {lb!r} == {la!r}")
    same_weights("sdss_colors.ta.npz", "sdss_colors.tb.npz", "train_step with target=x")
    a.lr = 0.5
    check(a.lr == 0.5, "lr can be set")

    # Errors: Python exceptions with the library's message, and the process goes on.
    raises(lambda: sdss.encode(colors[:, :3]), "'x' has 3 values per sample, but the model's input [5] needs 5",
           "wrong width")
    raises(lambda: sdss.decode(np.zeros((4, 3), np.float32)), "'z' has 3 values per sample, but the model's code [2]",
           "decode of a wrong latent width")
    bad = colors[:10].copy()
    bad[4, 2] = np.nan
    raises(lambda: sdss.score(bad), "NaN in sample row 5", "NaN input")
    raises(lambda: sdss.train_step(colors[:65]), "holds 1 to 64", "train_step with more than a batch")
    raises(lambda: aec.load("./libsdss_colors.so", weights="missing.npz"), "missing.npz", "missing weights file")
    raises(lambda: aec.load("./libsdss_colors.so", weights="fashion_conv.w2.npz"), "fashion_conv.w2.npz",
           "weights of another model")
    raises(lambda: sdss.save("no/such/dir/w.npz"), "does not exist", "save into a missing directory")
    raises(lambda: setattr(sdss, "lr", -1.0), "positive", "negative learning rate")
    raises(lambda: sdss.train_step(colors[:8], target=colors[:7]), "'target' has 7 samples, 'x' has 8",
           "target of another length")
    b.close()
    raises(lambda: b.encode(colors[:3]), "closed", "a closed model")
    identical(sdss.encode(colors[:7]), np.load("sdss_colors.z.npy")[:7], "after the errors: encode still right")

    # Both libraries in one process stay apart: the conv model still gives its numbers.
    identical(conv.encode(images[:9]), np.load("fashion_conv.z.npy")[:9], "fashion_conv beside sdss_colors")

    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)


main()
