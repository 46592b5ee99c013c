#!/usr/bin/env bash
# The GPU check of issue 12 on the GPU machine: bash bench/gpu/device_check.sh OUTDIR [options]
# OUTDIR is what prepare.sh wrote (OUTDIR/device, or OUTDIR/device.tgz unpacked here). Options go to
# device_check.py (--help): e.g. --trainers cpu --torch-device cpu tries it with no GPU.
# Never runs longer than DEVICE_CHECK_LIMIT seconds (default 290); JSON goes to $OUT if set.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ $# -ge 1 ] || { echo "usage: device_check.sh OUTDIR [device_check.py options]" >&2; exit 1; }
# What the run tool carries is OUTDIR/device.tgz: unpacked afresh (a warm machine may keep an
# older OUTDIR/device).
if [ -f "$1/device.tgz" ]; then
  rm -rf "$1/device" && tar xzf "$1/device.tgz" -C "$1" || { echo "error: cannot unpack $1/device.tgz" >&2; exit 1; }
fi
# The scripts beside this one, or the copies prepare.sh put in OUTDIR/device/py.
[ -f "$here/device_check.py" ] || here="$1/device/py"
py=
for cand in "${PYTHON:-}" python3 /usr/bin/python3 /opt/conda/bin/python3 /usr/local/bin/python3; do
  [ -n "$cand" ] || continue
  if timeout 60 "$cand" -c 'import torch' >/dev/null 2>&1; then py=$cand; break; fi
done
[ -n "$py" ] || { echo "error: no python3 with torch found (set PYTHON)" >&2; exit 1; }
echo "python: $py ($(timeout 60 "$py" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "numpy:", end=" ");
try:
    import numpy; print(numpy.__version__)
except ImportError:
    print("absent")'))"
limit=${DEVICE_CHECK_LIMIT:-290}
timeout -k 10 "$limit" "$py" "$here/device_check.py" "$@" --budget $((limit - 20))
status=$?
[ $status -eq 124 ] && echo "error: device_check.py ran past ${limit} s and was stopped" >&2
exit $status
