#!/usr/bin/python3
"""Prints what the demo's runs show: falling losses, the ring scan, latent vs temperature."""
import sys

import numpy as np

out = sys.argv[1]


def table(name):
    with open(f"{out}/{name}") as f:
        header = f.readline().strip().split(",")
    # genfromtxt: an empty val_loss (no validation split) reads as NaN
    return header, np.atleast_2d(np.genfromtxt(f"{out}/{name}", delimiter=",", skip_header=1))


for model in ("ring", "colors"):
    h, log = table(f"{model}_log.csv")
    loss = log[:, h.index("loss")]
    print(f"{model}: loss {loss[0]:.5f} (epoch 1) -> {loss[-1]:.5f} (epoch {len(loss)}), "
          f"{loss[0] / loss[-1]:.0f}x lower")

_, scan = table("scan.csv")
print("\nring: decoding the code scanned from 0 to 1")
print("  code    x       y       radius  angle(deg)")
for c, (x, y) in zip(np.linspace(0, 1, len(scan)), scan):
    print(f"  {c:4.2f}  {x:+.3f}  {y:+.3f}  {np.hypot(x, y):.3f}   {np.degrees(np.arctan2(y, x)):+7.1f}")
angles = np.unwrap(np.arctan2(scan[:, 1], scan[:, 0]))
print(f"  the scan turns through {np.degrees(abs(angles[-1] - angles[0])):.0f} degrees, "
      f"radius {np.hypot(scan[:, 0], scan[:, 1]).mean():.3f} on average (data: 0.95-1.05)")

_, latent = table("colors_latent.csv")
_, truth = table("colors_truth.csv")
print("\nsdss_colors: |correlation| of each latent coordinate with what generated the stars")
for label, values in (("log10(T)", np.log10(truth[:, 0])), ("distance offset", truth[:, 1])):
    corr = [abs(np.corrcoef(latent[:, k], values)[0, 1]) for k in range(latent.shape[1])]
    print(f"  {label:16s} " + "  ".join(f"z{k}: {c:.3f}" for k, c in enumerate(corr)))
order = np.argsort(truth[:, 0])
print("  T (K)    z0       z1     (samples sorted by temperature)")
for i in order[:: max(1, len(order) // 8)]:
    print(f"  {truth[i, 0]:6.0f}  {latent[i, 0]:+.3f}  {latent[i, 1]:+.3f}")
