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
  // layernorm / batchnorm
  double epsilon = 1e-3;
  /// Explicit inputs (layer names); empty = the previous layer.
  std::vector<std::string> inputs;
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

/// Prints the spec as `aec dump --stage spec` shows it.
std::string printModelSpec(const ModelSpec &spec);

} // namespace aec
