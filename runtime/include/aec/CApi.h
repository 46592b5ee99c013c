#ifndef AEC_CAPI_H
#define AEC_CAPI_H
/// The C API of a model library, `aec compile MODEL.yaml --shared -o libNAME.so`: the model
/// compiled into the library, used from C, Python (python/aec.py, ctypes) or anything that
/// calls C. The library exports these functions and nothing else, so it loads beside NumPy or
/// PyTorch in one process without clashes.
///
/// Every call goes through the trainer's own code (weights files, normalization, batching,
/// training step), so `encode`, `decode`, `reconstruct` and `score` return what the trainer's
/// commands of the same names write, bit for bit, and `aec_train_step` takes the step the
/// trainer takes on the same batch.
///
/// Arrays are dense row-major float32, a sample per leading index: `dims[0]` samples of
/// `dims[1..rank)` values each, any layout with the model's number of values per sample
/// (e.g. [n, 28, 28] or [n, 784] for an input [28, 28]; a 1-D array is n samples of one
/// value). Outputs are written to caller memory of the size the call states.
///
/// Functions that can fail return 0 on success and -1 on failure; aec_last_error() then says
/// why, in the words of the trainer's messages. No C++ exception crosses this interface. A
/// model handle must be used by one thread at a time; different handles are independent. A
/// NULL handle fails (the getters return "", 0, -1 or NaN) rather than crash.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Incremented on any incompatible change of this interface.
#define AEC_API_VERSION 1

/// A model with its weights, normalization statistics and optimizer state.
typedef struct AecModel AecModel;

/// Per-sample shapes of the model (MODEL_FORMAT.md: input, output, latent code).
typedef enum AecShape { AEC_SHAPE_INPUT = 0, AEC_SHAPE_OUTPUT = 1, AEC_SHAPE_CODE = 2 } AecShape;

/// AEC_API_VERSION of the library.
int aec_api_version(void);

/// The message of the last failed call on this thread ("" when none).
const char *aec_last_error(void);

/// Opens the model compiled into the library. `weights`: a weights file (.npz, as `train
/// --save` writes; its normalization statistics too), or NULL for fresh weights drawn as the
/// trainer draws them. `seed`: the seed of the fresh weights and of the training noise, NULL
/// for the model's train.seed. `threads`: of the training step, 0 for the trainer's default
/// (see the trainer's `info`). On success `*model` is the new handle (aec_close frees it).
int aec_open(const char *weights, const uint64_t *seed, int threads, AecModel **model);

/// Frees a handle (NULL is allowed).
void aec_close(AecModel *model);

/// The model's name.
const char *aec_name(const AecModel *model);

/// The batch size the model was compiled for: calls are cut into batches of it.
int64_t aec_batch(const AecModel *model);

/// Writes the per-sample shape `which` into dims[0..capacity) and returns its rank (-1 for an
/// unknown `which`). A rank above `capacity` means the dims did not fit.
int aec_shape(const AecModel *model, AecShape which, int64_t *dims, int capacity);

/// The latent code of each sample: `x` [n, ...input] in the data's units (normalized here as
/// in training); `code` receives n * (values per code) floats.
int aec_encode(AecModel *model, const float *x, const int64_t *dims, int rank, float *code);

/// Decodes latent codes [n, ...code] into `out`: n * (values per output) floats, in the
/// data's units. Fails for a model with skips from the encoder (no stand-alone decoder).
int aec_decode(AecModel *model, const float *code, const int64_t *dims, int rank, float *out);

/// The reconstruction of each sample of `x` [n, ...input] into `out`: n * (values per output)
/// floats, in the data's units.
int aec_reconstruct(AecModel *model, const float *x, const int64_t *dims, int rank, float *out);

/// The per-sample reconstruction error (the model's loss on each sample, the anomaly score of
/// the trainer's `score`) of `x` [n, ...input] into `scores`: n floats.
int aec_score(AecModel *model, const float *x, const int64_t *dims, int rank, float *scores);

/// VAE: decodes `n` draws from the N(0, I) prior made with `seed` into `out` (n * values per
/// output floats, data units): the trainer's `sample --n N --seed S`.
int aec_sample(AecModel *model, int64_t n, uint64_t seed, float *out);

/// One optimizer step on one batch: `x` [n, ...input] with 1 <= n <= aec_batch() (a partial
/// batch is trained on as the trainer trains its last one), `target` [n, ...output] or NULL
/// (the model's target: x itself, or the corrupted-input rule of train.corrupt), both in the
/// data's units. Writes the batch's mean loss to `*loss`. The step number (Adam's t) counts
/// from 1 after aec_open, as a `train --init` run does; the noise of the step is the
/// trainer's for that step. A step whose loss or weights are not finite is undone and fails.
int aec_train_step(AecModel *model, const float *x, const int64_t *dims, int rank, const float *target,
                   const int64_t *target_dims, int target_rank, double *loss);

/// Fits the normalization statistics (data.normalize) on the samples `x` [n, ...input], as the
/// trainer fits them on its training part. A model opened without weights that normalizes
/// with fitted statistics (standard, minmax, max) needs this before any other call.
int aec_fit_normalization(AecModel *model, const float *x, const int64_t *dims, int rank);

/// Saves the weights and normalization statistics (a file `train --init` and the trainer's
/// `--weights` read), atomically.
int aec_save(const AecModel *model, const char *path);

/// The learning rate of the next aec_train_step (the model's, until set).
double aec_learning_rate(const AecModel *model);
/// Sets the learning rate of the following steps (> 0, finite).
int aec_set_learning_rate(AecModel *model, double lr);

/// Optimizer steps taken since aec_open.
int64_t aec_steps(const AecModel *model);

#ifdef __cplusplus
}
#endif

#endif // AEC_CAPI_H
