#pragma once
/// The inference commands (encode, decode, reconstruct, score) on arrays in the user's units:
/// one code path for the trainer's commands and the C API of a model library (aec/CApi.h), so
/// both give the same numbers bit for bit.
#include <aec/Config.h>
#include <aec/Model.h>
#include <aec/Normalization.h>
#include <aec/Weights.h>

#include <string>

namespace aec::rt {

/// Weights and the normalization statistics saved with them.
struct LoadedWeights {
  ModelState state;
  Normalizer norm;
};

/// Reads a weights file with the trainer's checks (every param with its exact shape, finite
/// values, the normalization statistics when the model normalizes its data).
LoadedWeights loadForInference(const Model &model, const RunConfig &config, const std::string &weights);

/// What an inference command computes per sample.
enum class Inference { Encode, Decode, Reconstruct, Score };

/// Throws unless the model has the function `what` runs: "model 'x' has no stand-alone
/// decoder (it has skips from the encoder)" for decode, else requireFunction's message. The
/// commands call it before reading any file.
void requireInference(const Model &model, Inference what);

/// Runs `what` over every sample of `input` in static-size batches (the last one padded):
/// data inputs ([n, ...input shape]) are normalized first and reconstructions mapped back to
/// the data's units; `decode` takes latent codes [n, ...code shape]. Returns [n, ...code
/// shape] (encode), [n, ...output shape] (decode, reconstruct) or the per-sample loss [n]
/// (score). Throws as requireInference.
Array runInference(const Model &model, Inference what, Array input, ModelState &state, const Normalizer &norm);

/// Throws "model 'x' has no vae_latent: `sample` needs a VAE" unless the model is a VAE.
void requireVae(const ModelDescriptor &desc);

/// `n` latent codes [n, ...code shape] drawn from the N(0, I) prior with `seed`: what
/// `sample` decodes.
Array priorDraws(const ModelDescriptor &desc, int64_t n, uint64_t seed);

} // namespace aec::rt
