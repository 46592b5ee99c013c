#pragma once
/// The layer-kind registry: every layer kind of the model format is defined in one place,
/// a LayerKind, as every op is one OpDef (ir/OpRegistry.h). The generic frontend code
/// (LayerParse, LayerCheck, Expand, PrintSpec, Summary) only looks kinds up here, so adding
/// a layer kind is one definition in a family file of frontend/layers/ (plus a registry
/// line for a new family file) and its test.
#include "frontend/Expander.h"
#include "frontend/SpecReader.h"

#include <aec/CheckedSize.h>
#include <aec/Initializers.h> // initText: a param's init text from its initializer name

#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace aec {

/// Reads the kind's parameters from `params` (a map; empty when the entry has none) into
/// `l`, defaults included. Keys are already checked against LayerKind::keys.
using LayerParseFn =
    std::function<void(const SpecReader &r, const YAML::Node &params, LayerSpec &l)>;
/// Per-sample output shape from the input shapes (one per source); CompileError at l.loc
/// on a mismatch.
using LayerInferFn = std::function<Shape(const LayerSpec &l, const std::vector<Shape> &in)>;
/// Appends the layer's primitive ops and returns its output. `logitsOut`, when not null,
/// receives the value before the layer's final activation (bce uses it).
using LayerExpandFn = std::function<ValueId(Expander &ex, const LayerSpec &l,
                                            const std::vector<ValueId> &in, ValueId *logitsOut)>;
/// Fills row.params (as Keras counts them) and row.flops (forward, per sample) from the
/// first input's shape `in`; l.outputShape is set.
using LayerCountFn = std::function<void(const LayerSpec &l, const Shape &in, LayerSummary &row)>;
/// The parameters `aec dump --stage spec` shows, as "key=value" items.
using LayerPrintFn = std::function<std::vector<std::string>(const LayerSpec &l)>;

/// One layer kind, defined in one place.
struct LayerKind {
  std::string name;
  /// Parameter keys it accepts besides `name` and `inputs` (every layer takes those).
  std::vector<std::string> keys{};
  /// The key a bare value stands for (`- dense: 40` = units 40); "" = takes no parameters.
  std::string shorthand{};
  /// Keys whose absence is an error, each with what it must be, checked in this order.
  std::vector<std::pair<std::string, std::string>> required{};
  /// Takes two or more inputs (add, concat) instead of exactly one.
  bool merges = false;
  /// Must be the last encoder layer (it makes the code).
  bool makesCode = false;
  /// time_distributed may wrap it.
  bool wrappable = true;
  /// Acts on the last axis or elementwise, so it applies to [B, T, ...] as it is, with no
  /// folding of time into the batch (time_distributed).
  bool perPosition = false;
  /// Moves data only (flatten, reshape): a sigmoid's logits before it are moved alike, so
  /// bce still gets the logits of a Dense(sigmoid) + Reshape decoder.
  bool reshapesOnly = false;

  LayerParseFn parse{};   ///< empty: no parameters beyond name and inputs
  LayerInferFn infer{};   ///< required
  LayerExpandFn expand{}; ///< required
  LayerCountFn count{};   ///< empty: no params and no FLOPs
  LayerPrintFn print{};   ///< empty: prints "kind()"
};

/// The kind named `name`, or nullptr.
const LayerKind *lookupLayerKind(const std::string &name);
/// Every registered kind, in the order of the contract's layer table (MODEL_FORMAT.md);
/// messages list the kinds in this order.
const std::vector<LayerKind> &allLayerKinds();

/// Registration hooks, one per layer family file in frontend/layers/ (the registry lines).
void registerDenseLayers(std::vector<LayerKind> &kinds);
void registerImageLayers(std::vector<LayerKind> &kinds);
void registerReshapeLayers(std::vector<LayerKind> &kinds);
void registerNormLayers(std::vector<LayerKind> &kinds);
void registerSequenceLayers(std::vector<LayerKind> &kinds);
void registerMergeLayers(std::vector<LayerKind> &kinds);
void registerLatentLayers(std::vector<LayerKind> &kinds);
void registerActivationLayers(std::vector<LayerKind> &kinds);

// ---- Generic entry points a kind may call for a wrapped layer (time_distributed) ------

/// The summary count of `l` through its kind (zero params and FLOPs without a count).
void countLayer(const LayerSpec &l, const Shape &in, LayerSummary &row);
/// The "k=v, ..." parameter text `aec dump --stage spec` shows for `l`.
std::string printLayerParams(const LayerSpec &l);

// ---- Helpers the kind definitions share (LayerKind.cpp) -------------------------------

/// "<kind> '<key>'", how messages name a layer parameter, e.g. "dense 'units'".
std::string paramWhat(const LayerSpec &l, const char *key);
/// Reads parameter `key` of `params`, when given, into `field` with the SpecReader getter
/// `get` (plus its extra arguments `args`), naming it "<kind> '<key>'" in messages.
template <class T, class R, class... Args>
void readParam(const SpecReader &r, const YAML::Node &params, const LayerSpec &l, const char *key,
               T &field,
               R (SpecReader::*get)(const YAML::Node &, const std::string &, Args...) const,
               std::type_identity_t<Args>... args) {
  if (const YAML::Node n = params[key])
    field = (r.*get)(n, paramWhat(l, key), args...);
}
/// Reads `activation` and `alpha` (leaky_relu and elu only) of a layer with weights.
void parseActivation(const SpecReader &r, const YAML::Node &params, LayerSpec &l);
/// The initializer keys of a layer with weights (Keras' spellings); lstm adds
/// `recurrent_initializer`.
inline const std::vector<std::string> InitializerKeys = {"kernel_initializer", "bias_initializer"};
/// Reads `kernel_initializer`, `bias_initializer` and `recurrent_initializer` where given;
/// an unknown name gets a did-you-mean, orthogonal on a bias (a vector) an error.
void parseInitializers(const SpecReader &r, const YAML::Node &params, LayerSpec &l);
/// "kernel_initializer=he_normal" etc. for each initializer that is not Keras' default.
std::vector<std::string> initializerText(const LayerSpec &l);
/// "activation=relu" (", alpha=0.1" when set), as the spec dump prints it.
std::string activationText(const LayerSpec &l);
/// A number as the spec dump prints it (ostream's default format).
std::string numText(double v);
/// "3" for a square pair [3, 3], "[3, 5]" otherwise.
std::string pairText(const std::vector<int64_t> &pair);
/// FLOPs of the layer's activation on `outElems` elements: 1 per element unless linear.
int64_t activationFlops(const LayerSpec &l, int64_t outElems);
/// Rejects an input whose rank is not `rank`; `layout` names it, e.g. "[time, features]".
void requireRank(const LayerSpec &l, const Shape &in, size_t rank, const char *layout);

} // namespace aec
