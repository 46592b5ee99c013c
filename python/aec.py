"""Use a model compiled by aec from Python: NumPy arrays in and out, no framework, no build step.

    aec compile models/sdss_colors.yaml --shared -o libsdss.so
    ./sdss_colors train --save w.npz            # or train from Python with train_step

    import aec                                  # PYTHONPATH=<aec>/python
    m = aec.load("./libsdss.so", weights="w.npz")
    z = m.encode(x)                             # x: [n, 5] in the data's units
    x_hat = m.reconstruct(x); s = m.score(x)    # same numbers as the trainer's commands
    x_new = m.decode(z)                         # a VAE also has m.sample(n, seed=0)

The library (``aec compile --shared``) exports the C API of runtime/include/aec/CApi.h; this
module is ctypes over it. Every call runs the trainer's own code, so ``encode``, ``decode``,
``reconstruct`` and ``score`` return exactly what the trainer's commands of the same names
write, and ``train_step`` takes the trainer's step. Errors are raised as ``aec.Error`` with
the library's message.
"""

import ctypes
import os

import numpy as np

__all__ = ["Error", "Model", "load"]

API_VERSION = 1

_f32p = ctypes.POINTER(ctypes.c_float)
_i64p = ctypes.POINTER(ctypes.c_int64)

# (name, result type, argument types) of every C API function.
_SIGNATURES = [
    ("aec_api_version", ctypes.c_int, []),
    ("aec_last_error", ctypes.c_char_p, []),
    ("aec_open", ctypes.c_int,
     [ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64), ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]),
    ("aec_close", None, [ctypes.c_void_p]),
    ("aec_name", ctypes.c_char_p, [ctypes.c_void_p]),
    ("aec_batch", ctypes.c_int64, [ctypes.c_void_p]),
    ("aec_shape", ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, _i64p, ctypes.c_int]),
    ("aec_encode", ctypes.c_int, [ctypes.c_void_p, _f32p, _i64p, ctypes.c_int, _f32p]),
    ("aec_decode", ctypes.c_int, [ctypes.c_void_p, _f32p, _i64p, ctypes.c_int, _f32p]),
    ("aec_reconstruct", ctypes.c_int, [ctypes.c_void_p, _f32p, _i64p, ctypes.c_int, _f32p]),
    ("aec_score", ctypes.c_int, [ctypes.c_void_p, _f32p, _i64p, ctypes.c_int, _f32p]),
    ("aec_sample", ctypes.c_int, [ctypes.c_void_p, ctypes.c_int64, ctypes.c_uint64, _f32p]),
    ("aec_train_step", ctypes.c_int,
     [ctypes.c_void_p, _f32p, _i64p, ctypes.c_int, _f32p, _i64p, ctypes.c_int, ctypes.POINTER(ctypes.c_double)]),
    ("aec_fit_normalization", ctypes.c_int, [ctypes.c_void_p, _f32p, _i64p, ctypes.c_int]),
    ("aec_save", ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    ("aec_learning_rate", ctypes.c_double, [ctypes.c_void_p]),
    ("aec_set_learning_rate", ctypes.c_int, [ctypes.c_void_p, ctypes.c_double]),
    ("aec_steps", ctypes.c_int64, [ctypes.c_void_p]),
]

_SHAPE_INPUT, _SHAPE_OUTPUT, _SHAPE_CODE = 0, 1, 2


class Error(RuntimeError):
    """A failed call; the message is the library's (the trainer's words)."""


def _library(path):
    # RTLD_LOCAL: each model library keeps its symbols to itself (it exports only the C API).
    lib = ctypes.CDLL(os.path.abspath(path), mode=ctypes.RTLD_LOCAL)
    for name, restype, argtypes in _SIGNATURES:
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise Error(f"'{path}' is not an aec model library (no {name}; make it with aec compile --shared)")
        fn.restype = restype
        fn.argtypes = argtypes
    version = lib.aec_api_version()
    if version != API_VERSION:
        raise Error(f"'{path}' has C API version {version}, this aec.py speaks {API_VERSION}: "
                    "use the aec.py of the aec that compiled it")
    return lib


def _samples(a, name):
    """`a` as a float32 C-contiguous array with its shape for the C API (no copy when it is one)."""
    arr = np.ascontiguousarray(a, dtype=np.float32)
    if arr.ndim == 0:
        raise Error(f"'{name}': needs an array of samples, got a scalar")
    dims = np.asarray(arr.shape, dtype=np.int64)
    return arr, dims


class Model:
    """A compiled model with its weights: made by :func:`load`."""

    def __init__(self, path, weights=None, seed=None, threads=0):
        self._lib = _library(path)
        handle = ctypes.c_void_p()
        seed_arg = None if seed is None else ctypes.byref(ctypes.c_uint64(seed))
        weights_arg = None if weights is None else os.fsencode(weights)
        self._check(self._lib.aec_open(weights_arg, seed_arg, int(threads), ctypes.byref(handle)))
        self._handle = handle
        self.path = path
        self.name = self._lib.aec_name(handle).decode()
        self.batch = int(self._lib.aec_batch(handle))
        self.input_shape = self._shape(_SHAPE_INPUT)
        self.output_shape = self._shape(_SHAPE_OUTPUT)
        self.code_shape = self._shape(_SHAPE_CODE)

    def _check(self, rc):
        if rc != 0:
            raise Error(self._lib.aec_last_error().decode())

    def _shape(self, which):
        dims = (ctypes.c_int64 * 16)()
        rank = self._lib.aec_shape(self._handle, which, dims, 16)
        return tuple(int(dims[i]) for i in range(rank))

    @property
    def _live(self):
        if self._handle is None:
            raise Error(f"model '{self.name}' is closed")
        return self._handle

    def _run(self, fn, a, name, shape):
        arr, dims = _samples(a, name)
        out = np.empty((arr.shape[0],) + shape, dtype=np.float32)
        self._check(fn(self._live, arr.ctypes.data_as(_f32p), dims.ctypes.data_as(_i64p), arr.ndim,
                       out.ctypes.data_as(_f32p)))
        return out

    def encode(self, x):
        """Latent codes [n, *code_shape] of the samples x [n, *input_shape] (data units)."""
        return self._run(self._lib.aec_encode, x, "x", self.code_shape)

    def decode(self, z):
        """Decoded samples [n, *output_shape] (data units) of latent codes z [n, *code_shape]."""
        return self._run(self._lib.aec_decode, z, "z", self.output_shape)

    def reconstruct(self, x):
        """Reconstructions [n, *output_shape] (data units) of the samples x."""
        return self._run(self._lib.aec_reconstruct, x, "x", self.output_shape)

    def score(self, x):
        """Per-sample reconstruction error [n] (the trainer's `score`: anomaly scores)."""
        return self._run(self._lib.aec_score, x, "x", ())

    def sample(self, n, seed=0):
        """VAE: n samples [n, *output_shape] decoded from prior draws (the trainer's `sample`)."""
        out = np.empty((int(n),) + self.output_shape, dtype=np.float32)
        self._check(self._lib.aec_sample(self._live, int(n), int(seed), out.ctypes.data_as(_f32p)))
        return out

    def train_step(self, x, target=None):
        """One optimizer step on one batch x [n <= batch, *input_shape]; returns its mean loss.

        `target` [n, *output_shape] replaces the model's own target (x, or the clean data of a
        denoising model). The trainer's step: same weights, same batch, same result."""
        arr, dims = _samples(x, "x")
        tgt, tdims, trank = None, None, 0
        if target is not None:
            t, td = _samples(target, "target")
            tgt, tdims, trank = t.ctypes.data_as(_f32p), td.ctypes.data_as(_i64p), t.ndim
        loss = ctypes.c_double()
        self._check(self._lib.aec_train_step(self._live, arr.ctypes.data_as(_f32p), dims.ctypes.data_as(_i64p),
                                             arr.ndim, tgt, tdims, trank, ctypes.byref(loss)))
        return loss.value

    def fit_normalization(self, x):
        """Fits data.normalize's statistics on the training samples x (a model loaded without weights)."""
        arr, dims = _samples(x, "x")
        self._check(self._lib.aec_fit_normalization(self._live, arr.ctypes.data_as(_f32p),
                                                    dims.ctypes.data_as(_i64p), arr.ndim))

    def save(self, path):
        """Writes the weights and normalization statistics (.npz, as the trainer's --save)."""
        self._check(self._lib.aec_save(self._live, os.fsencode(path)))

    @property
    def lr(self):
        """Learning rate of the next train_step (the model's until set)."""
        return self._lib.aec_learning_rate(self._live)

    @lr.setter
    def lr(self, value):
        self._check(self._lib.aec_set_learning_rate(self._live, float(value)))

    @property
    def steps(self):
        """Optimizer steps taken since load."""
        return int(self._lib.aec_steps(self._live))

    def close(self):
        """Frees the model (also done when it is garbage collected)."""
        if getattr(self, "_handle", None):
            self._lib.aec_close(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"<aec.Model '{self.name}' input {self.input_shape} code {self.code_shape} "
                f"output {self.output_shape} batch {self.batch}>")


def load(path, weights=None, seed=None, threads=0):
    """Opens the model library `path` (aec compile --shared).

    weights: a weights file (.npz from the trainer's --save or Model.save); None starts from
    fresh weights drawn as the trainer draws them from `seed` (None: the model's train.seed).
    threads: of train_step, 0 for the trainer's default."""
    return Model(path, weights=weights, seed=seed, threads=threads)
