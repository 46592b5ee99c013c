#!/usr/bin/env bash
# Corrupt files through the trainer: one flipped bit in a weights file (--init, --weights), a
# flipped bit in a checkpoint and a truncated checkpoint (--resume), a data .npz whose member
# fails its CRC (stored, and deflated as np.savez_compressed writes it). Each is one error line
# naming the file and the member at fault, exit 1, and no output written: the good weights,
# checkpoint and log beside them are left byte for byte. (Once, a flipped bit in a weights
# file was read as good, and `reconstruct` printed -1.0e36.)
source "$(dirname "$0")/prelude.sh"

"$AEC" compile "$AEC_SOURCE_DIR/models/ring.yaml" -o ring > /dev/null 2>&1 || { echo "FAIL: compile"; exit 1; }
./ring train --epochs 2 --save w.npz --log log.csv > /dev/null || { echo "FAIL: train"; exit 1; }
cp w.npz good.npz

# The corrupt copies: one bit of a member's payload flipped (the member located through the
# zip headers), a checkpoint cut in half and one missing its last 10 bytes, data files.
/usr/bin/python3 - <<'PY' || exit 1
import struct, zipfile
import numpy as np

def flip(src, dst, member, at=100, bit=0x10):
    data = bytearray(open(src, "rb").read())
    info = zipfile.ZipFile(src).getinfo(member)
    # Local header: 30 bytes, then the name and the extra field, then the member's data.
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    assert at < info.compress_size
    data[start + at] ^= bit
    open(dst, "wb").write(bytes(data))

flip("w.npz", "w_flip.npz", "encoder.1/kernel.npy", at=2000)
flip("w.ckpt.npz", "c_flip.npz", "state/adam.v/decoder.1/kernel.npy", at=5000, bit=0x01)
ckpt = open("w.ckpt.npz", "rb").read()
open("c_half.npz", "wb").write(ckpt[:len(ckpt) // 2])
open("c_cut.npz", "wb").write(ckpt[:-10])
rng = np.random.default_rng(1)
x = rng.random((500, 2), dtype=np.float32)
np.savez("d.npz", x=x)
flip("d.npz", "d_flip.npz", "x.npy", at=1000)
np.savez_compressed("dz.npz", x=x)
flip("dz.npz", "dz_flip.npz", "x.npy", at=200)
PY

outputs=(w.npz w.ckpt.npz log.csv)
sums() { md5sum "${outputs[@]}" 2> /dev/null; }
before_sums=$(sums)
files_before=$(ls | sort)

# expect_error WHAT EXPECTED-STDERR-REGEX COMMAND...: exit 1, stderr one line matching, and
# nothing written or changed.
expect_error() {
  local what=$1 want=$2
  shift 2
  "$@" > out.txt 2> err.txt
  local rc=$?
  local lines
  lines=$(wc -l < err.txt)
  if [ $rc -ne 1 ]; then fail "$what: exit $rc (expected 1)"; cat err.txt
  elif [ "$lines" -ne 1 ] || ! grep -Eq "^$want\$" err.txt; then fail "$what: stderr"; cat err.txt; echo "expected: $want"
  elif [ "$(sums)" != "$before_sums" ]; then fail "$what: a good output was written over"
  elif [ "$(ls | grep -v '^\(out\|err\)\.txt$' | sort)" != "$files_before" ]; then
    fail "$what: files appeared: $(comm -13 <(echo "$files_before") <(ls | sort) | grep -v '^\(out\|err\)\.txt$' | tr '\n' ' ')"
  else echo "ok   $what"; fi
}
crc="is corrupt: its CRC-32 checksum does not match its data"
expect_error "train --init, a flipped bit" \
  "error: weights file 'w_flip.npz': member 'encoder.1/kernel.npy' $crc" \
  ./ring train --init w_flip.npz --save w.npz --log log.csv
for cmd in encode reconstruct score; do
  expect_error "$cmd --weights, a flipped bit" \
    "error: weights file 'w_flip.npz': member 'encoder.1/kernel.npy' $crc" \
    ./ring $cmd --weights w_flip.npz --out z.csv
done
expect_error "train --resume, a flipped bit in an optimizer state" \
  "error: checkpoint 'c_flip.npz': member 'state/adam.v/decoder.1/kernel.npy' $crc" \
  ./ring train --resume c_flip.npz --save w.npz --log log.csv
for cut in c_half c_cut; do
  expect_error "train --resume, a truncated checkpoint ($cut)" \
    "error: checkpoint '$cut.npz': truncated or damaged .npz file \(it starts as a zip archive, but the directory at its end is missing or broken: .*\)" \
    ./ring train --resume $cut.npz --save w.npz --log log.csv
done
expect_error "train --data, a stored member with a bad CRC" \
  "error: 'd_flip.npz': member 'x.npy' $crc" \
  ./ring train --data d_flip.npz --save w.npz --log log.csv
expect_error "reconstruct --data, a stored member with a bad CRC" \
  "error: 'd_flip.npz': member 'x.npy' $crc" \
  ./ring reconstruct --weights good.npz --data d_flip.npz --out z.csv
# A flipped bit in a deflated stream is caught by zlib or by the CRC, whichever comes first.
expect_error "train --data, a deflated member corrupted" \
  "error: 'dz_flip.npz': member 'x.npy' is corrupt: .*" \
  ./ring train --data dz_flip.npz --save w.npz --log log.csv

# The good files still work: the refusals above are about the files, not the commands.
./ring train --resume w.ckpt.npz --epochs 3 --save w2.npz > /dev/null 2>&1 || fail "the good checkpoint no longer resumes"
./ring reconstruct --weights w.npz --data d.npz --out z.csv > /dev/null 2>&1 || fail "reconstruct on the good data"
./ring train --data dz.npz --epochs 1 --save w3.npz > /dev/null 2>&1 || fail "train on the good compressed data"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
