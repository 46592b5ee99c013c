#!/usr/bin/python3
"""Compares two weight files array by array: max|a-b| / max|b| must stay within a tolerance
(TOLERANCE 'report' only prints the differences)."""
import sys

import numpy as np


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: compare_weights.py A.npz B.npz TOLERANCE")
    a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
    tol = None if sys.argv[3] == "report" else float(sys.argv[3])
    keys_a = {k for k in a.files if not k.startswith("normalization/")}
    keys_b = {k for k in b.files if not k.startswith("normalization/")}
    if keys_a != keys_b:
        sys.exit(f"different arrays: {sorted(keys_a ^ keys_b)}")
    worst = 0.0
    for k in sorted(keys_a):
        if a[k].shape != b[k].shape:
            sys.exit(f"{k}: shape {a[k].shape} vs {b[k].shape}")
        rel = float(np.max(np.abs(a[k] - b[k])) / max(np.max(np.abs(b[k])), 1e-12))
        worst = max(worst, rel)
        print(f"  {k:28s} rel {rel:.2e}")
    if tol is None:
        print(f"worst relative difference {worst:.2e}")
        return
    print(f"worst relative difference {worst:.2e} (tolerance {tol:.0e})")
    sys.exit(0 if worst <= tol else 1)


if __name__ == "__main__":
    main()
