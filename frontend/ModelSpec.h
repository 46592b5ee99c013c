#pragma once
/// What the YAML model file says, checked and with source locations kept.
#include "ir/Diagnostics.h"
#include "ir/Type.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace aec {

/// One layer of the encoder or decoder.
struct LayerSpec {
  std::string kind; ///< "dense", "layernorm", ...
  std::string name; ///< given or encoder.<i> / decoder.<i>
  SourceLoc loc;    ///< position of the layer entry; loc.layer == name
  // dense
  int64_t units = 0;
  bool useBias = true;
  std::string activation = "linear";
  double alpha = NAN; ///< leaky_relu / elu parameter; NaN = default
  // layers with weights: Keras' initializer names (aec/Initializers.h), Keras' defaults
  std::string kernelInit = "glorot_uniform";
  std::string biasInit = "zeros";
  std::string recurrentInit = "orthogonal"; ///< lstm's recurrent_kernel
  // layernorm / batchnorm
  double epsilon = 1e-3;
  /// Explicit inputs (layer names); empty = the previous layer.
  std::vector<std::string> inputs;
  // conv2d / conv2d_transpose / pooling / upsample ([h, w] pairs)
  int64_t filters = 0;
  std::vector<int64_t> kernel;  ///< conv kernel [kh, kw]
  std::vector<int64_t> strides; ///< conv: [1, 1]; pooling: = pool
  std::string padding;          ///< "same" (conv default) or "valid" (pooling default)
  std::vector<int64_t> pool;    ///< pooling window
  std::vector<int64_t> size;    ///< upsample factors
  Shape targetShape;            ///< reshape target (per sample; one entry may be -1)
  double momentum = 0.99;       ///< batchnorm
  double rate = 0;              ///< dropout
  double stddev = 0;            ///< gaussian_noise
  bool returnSequences = false; ///< lstm
  int64_t times = 0;            ///< repeat
  std::vector<LayerSpec> inner; ///< time_distributed: the wrapped layer (one entry)
  bool inDecoder = false;
  /// Resolved input layer names (the previous layer, the code, or `inputs`); empty for the
  /// first encoder layer, which reads the model input.
  std::vector<std::string> sources;
  Shape outputShape; ///< per sample, filled by the checker
};

/// An extra loss term (sparse, contractive, weight decay).
struct LossTermSpec {
  std::string kind; ///< l1_activity, kl_sparsity, contractive, weight_decay
  std::string layer;
  double weight = 0;
  double rho = 0.05;
  SourceLoc loc;
};

struct LossSpec {
  std::string reconstruction = "mse"; ///< mse, mae, bce
  std::vector<LossTermSpec> terms;
  double beta = 1.0;
  SourceLoc loc;
};

struct OptimizerSpec {
  std::string kind = "adam"; ///< adam, sgd, rmsprop
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-7; ///< adam (eps also rmsprop)
  double momentum = 0.0;                          ///< sgd
  double rho = 0.9;                               ///< rmsprop
  SourceLoc loc;
};

/// A checked model file. `train`, `data` and other run-time settings are kept as flat
/// "section.key" -> value strings; the runtime interprets them (runtime/Config.h).
struct ModelSpec {
  std::string file; ///< path as given
  std::string name;
  Shape inputShape; ///< one sample
  SourceLoc inputLoc;
  std::vector<LayerSpec> encoder;
  std::vector<LayerSpec> decoder;
  LossSpec loss;
  OptimizerSpec optimizer;
  int64_t batch = 32;
  std::map<std::string, std::string> settings; ///< e.g. "train.epochs" -> "200"
  std::map<std::string, SourceLoc> settingLocs;
};

/// Parses and checks a model file; throws CompileError (file:line:col, layer, what was
/// expected) on any problem, including unknown keys with a did-you-mean.
ModelSpec loadModelSpec(const std::string &path);
/// Same, from text (tests); `fileName` is used in messages.
ModelSpec parseModelSpec(const std::string &text, const std::string &fileName);

/// Checks that the data files the spec names (data.path, data.target.path) can be read;
/// errors point at the key. Separate from parsing so specs can be parsed without the data.
void checkDataFiles(const ModelSpec &spec);

/// Every layer kind of the contract.
const std::vector<std::string> &layerKinds();

/// Prints the spec as `aec dump --stage spec` shows it.
std::string printModelSpec(const ModelSpec &spec);

} // namespace aec
