"""Reads .npy, .npz, IDX and CSV files into torch tensors without NumPy.

The GPU machine's python3 has torch but maybe not NumPy, so the device side of bench/gpu reads
the trainers' weight files and the bench data with these few lines instead.
"""
import ast
import gzip
import struct
import zipfile

import torch

NPY_DTYPES = {"<f4": torch.float32, "<f8": torch.float64, "|u1": torch.uint8, "<i4": torch.int32,
              "<i8": torch.int64}


def npy_from_bytes(raw):
    """One .npy file's array (C order, little-endian) as a tensor."""
    if raw[:6] != b"\x93NUMPY":
        raise ValueError("not an .npy file")
    major = raw[6]
    if major == 1:
        (length,), start = struct.unpack("<H", raw[8:10]), 10
    else:
        (length,), start = struct.unpack("<I", raw[8:12]), 12
    header = ast.literal_eval(raw[start:start + length].decode("latin1"))
    if header["fortran_order"]:
        raise ValueError("Fortran-order .npy is not read here")
    dtype = NPY_DTYPES[header["descr"]]
    shape = tuple(header["shape"])
    body = bytearray(raw[start + length:])
    if not body:
        return torch.zeros(shape, dtype=dtype)
    return torch.frombuffer(body, dtype=dtype).reshape(shape).clone()


def load_npy(path):
    with open(path, "rb") as f:
        return npy_from_bytes(f.read())


def load_npz(path):
    """{name: tensor} of every array of a .npz file (the trainers' weights)."""
    with zipfile.ZipFile(path) as z:
        return {name[:-4] if name.endswith(".npy") else name: npy_from_bytes(z.read(name)) for name in z.namelist()}


def load_idx(path):
    """An MNIST-style unsigned-byte IDX file (gzip or plain) as a uint8 tensor."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    kind, ndim = raw[2], raw[3]
    if kind != 0x08:
        raise ValueError(f"{path}: only unsigned-byte IDX files are read here")
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    t = torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8)
    return t.reshape(shape).clone()


def load_csv(path):
    """A CSV with one header line, as float32 [rows, columns]."""
    with open(path) as f:
        lines = f.read().splitlines()[1:]
    return torch.tensor([[float(v) for v in line.split(",")] for line in lines if line], dtype=torch.float32)


def load_data(path):
    if path.endswith(".npy"):
        return load_npy(path)
    if path.endswith(".csv"):
        return load_csv(path)
    return load_idx(path)
