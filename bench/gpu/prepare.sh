#!/usr/bin/env bash
# Prepares the GPU check on this (CPU) machine: bash bench/gpu/prepare.sh OUTDIR [--only MODEL...]
# Writes OUTDIR/device, packed as OUTDIR/device.tgz (carried to the GPU machine; < 60 MB), and
# OUTDIR/cpu (the CPU trainers, kept here). AEC=path/to/aec overrides build/aec. See bench/gpu/README.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -ge 1 ] || { echo "usage: prepare.sh OUTDIR [--only MODEL...]" >&2; exit 1; }
exec /usr/bin/python3 "$root/bench/gpu/prepare.py" --aec "${AEC:-$root/build/aec}" "$@"
