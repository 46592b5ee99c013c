#pragma once
/// Expansion of a ModelSpec into a forward graph of primitive ops. Layers never reach the
/// passes as blobs: dense = matmul + bias broadcast/add + activation, and so on.
#include "frontend/ModelSpec.h"
#include "ir/Graph.h"

#include <map>
#include <string>
#include <vector>

namespace aec {

/// Which part of the autoencoder to build.
enum class ForwardPart {
  Full,    ///< input "x" (role data) -> reconstruction
  Encoder, ///< input "x" -> code
  Decoder, ///< input "z" (role latent) -> reconstruction
};

/// Training activates dropout/noise and batchnorm's batch statistics; inference uses the
/// moving statistics and no noise.
enum class ForwardMode { Train, Infer };

/// A parameter and how the runtime initialises it.
struct ParamSpec {
  std::string name; ///< "<layer>/<param>"
  Shape shape;
  /// The init text the runtime draws (aec/Initializers.h): e.g. glorot_uniform:<fan_in>:<fan_out>,
  /// orthogonal:<rows>:<cols>, zeros, or unit_forget_bias:<units> (an LSTM bias [4u]: ones in
  /// the forget gate's slice [u, 2u), Keras' unit_forget_bias).
  std::string init;
  /// False for batchnorm's moving statistics: saved with the weights, updated by the
  /// training step, never by the optimizer (the graph input has attribute trainable = 0).
  bool trainable = true;
};

/// What the expansion made, beside the graph.
struct ForwardInfo {
  std::vector<ParamSpec> params;          ///< in input order
  ValueId output = NoValue;               ///< final activation applied
  ValueId logits = NoValue;               ///< pre-sigmoid output when the last activation is sigmoid
  ValueId code = NoValue;                 ///< last encoder layer (Full, Encoder)
  std::map<std::string, ValueId> layers;  ///< output of each layer built, by name
  Shape codeShape;                        ///< per sample
  Shape outputShape;                      ///< per sample
  /// New values of non-trainable params (batchnorm moving stats), Train mode only; the
  /// training step outputs them under the param's name.
  std::vector<std::pair<std::string, ValueId>> paramUpdates;
  /// The VAE's KL divergence per sample [B] (vae_latent), NoValue without one.
  ValueId klPerSample = NoValue;
};

/// Builds the forward graph of `part` for batch size `batch` in float type `dtype`.
/// Params are graph inputs of role "param" named "<layer>/<param>" (Keras shapes). Errors
/// (shape mismatch, a decoder that needs encoder skips, ...) are CompileErrors at the layer.
Graph buildForward(const ModelSpec &spec, int64_t batch, ForwardPart part, ForwardInfo *info,
                   DType dtype = DType::F32, ForwardMode mode = ForwardMode::Infer);

/// True when the decoder can run alone (no skips from the encoder).
bool hasStandaloneDecoder(const ModelSpec &spec);

/// One row of `aec check`'s summary.
struct LayerSummary {
  std::string name, kind;
  Shape outputShape; ///< per sample
  int64_t params = 0;
  int64_t flops = 0; ///< forward FLOPs per sample
};
std::vector<LayerSummary> summarize(const ModelSpec &spec);
/// Forward FLOPs of one sample: the sum of the summary's rows.
int64_t forwardFlopsPerSample(const ModelSpec &spec);

} // namespace aec
