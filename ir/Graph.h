#pragma once
/// The graph IR: single-result nodes in topological order, named inputs and outputs.
///
/// A value is identified by the index of the node that defines it (ValueId). Nodes only
/// refer to earlier nodes, so the node vector is always a valid evaluation order.
#include "ir/Diagnostics.h"
#include "ir/Type.h"

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace aec {

using ValueId = int32_t;
constexpr ValueId NoValue = -1;

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>>;

/// Named op attributes, kept sorted so printing is deterministic.
class Attrs {
public:
  Attrs() = default;
  Attrs(std::initializer_list<std::pair<const std::string, AttrValue>> init) : Map(init) {}

  bool has(const std::string &key) const { return Map.count(key) != 0; }
  void set(const std::string &key, AttrValue value) { Map[key] = std::move(value); }
  /// Typed getters; a missing or mistyped attribute is a CompileError at `loc`.
  int64_t getInt(const std::string &key, const SourceLoc &loc = {}) const;
  double getFloat(const std::string &key, const SourceLoc &loc = {}) const;
  const std::string &getString(const std::string &key, const SourceLoc &loc = {}) const;
  const std::vector<int64_t> &getInts(const std::string &key, const SourceLoc &loc = {}) const;
  int64_t getInt(const std::string &key, int64_t fallback) const;

  const std::map<std::string, AttrValue> &map() const { return Map; }
  bool operator==(const Attrs &o) const { return Map == o.Map; }

private:
  std::map<std::string, AttrValue> Map;
};

/// Roles of graph inputs; they tell the runtime what to bind to each argument.
namespace role {
inline constexpr const char *Data = "data";     ///< a batch of samples
inline constexpr const char *Target = "target"; ///< reconstruction target
inline constexpr const char *Weight = "weight"; ///< per-sample weight (0 pads a partial batch)
inline constexpr const char *Param = "param";   ///< trainable parameter
inline constexpr const char *State = "state";   ///< optimizer state, e.g. Adam moments
inline constexpr const char *Hyper = "hyper";   ///< runtime scalar: lr, step count
inline constexpr const char *Latent = "latent"; ///< a batch of codes (decode)
inline constexpr const char *Grad = "grad";     ///< a summed gradient "grad/<param>" (update_step)
/// Fresh random numbers the runtime draws for every call from the run's seeded stream:
/// N(0, 1) or U[0, 1). Dropout, gaussian_noise and the VAE's reparameterisation use them.
inline constexpr const char *NoiseNormal = "noise_normal";
inline constexpr const char *NoiseUniform = "noise_uniform";
} // namespace role

/// A param input with attribute `trainable = 0` (batchnorm's moving statistics) is saved and
/// loaded with the weights but gets no gradient; train_step returns its new value as an
/// output named like the input.

class Graph;

/// One op instance. Its result type is inferred by the op's registry entry when added.
struct Node {
  std::string op;
  std::vector<ValueId> operands;
  Attrs attrs;
  TensorType type;
  SourceLoc loc;
  /// The sub-graph a structured op runs (scan's step function; ir/Scan.h), else null.
  /// Immutable once built, so copies of the node share it; passes that rewrite a body
  /// replace the pointer.
  std::shared_ptr<const Graph> body = nullptr;
};

/// A named graph output.
struct GraphOutput {
  std::string name;
  ValueId value = NoValue;
};

/// One function: the forward model, the training step, eval, encode, ...
class Graph {
public:
  std::string name;

  /// Appends a node after checking its operands and inferring its type through the op
  /// registry; errors are CompileErrors at the node's location.
  ValueId add(Node node);
  /// Appends a node whose type is already known (parser, passes that copy nodes).
  ValueId addUnchecked(Node node);

  const Node &node(ValueId id) const { return Nodes.at(id); }
  Node &node(ValueId id) { return Nodes.at(id); }
  const TensorType &type(ValueId id) const { return Nodes.at(id).type; }
  const std::vector<Node> &nodes() const { return Nodes; }
  size_t size() const { return Nodes.size(); }

  /// Input nodes (op "input") in definition order.
  std::vector<ValueId> inputs() const;
  /// The input with attribute name == `name`, or NoValue.
  ValueId findInput(const std::string &name) const;
  /// Inputs with the given role, in order.
  std::vector<ValueId> inputsWithRole(const std::string &role) const;

  std::vector<GraphOutput> outputs;
  void addOutput(const std::string &name, ValueId value) { outputs.push_back({name, value}); }
  ValueId findOutput(const std::string &name) const;

private:
  std::vector<Node> Nodes;
};

/// All functions compiled for one model.
struct Module {
  std::vector<Graph> graphs;
  const Graph *find(const std::string &name) const;
  Graph *find(const std::string &name);
};

/// Text form; `withLocs` adds loc(...) suffixes. The parser reads back exactly this form.
std::string printGraph(const Graph &graph, bool withLocs = false);
std::string printModule(const Module &module, bool withLocs = false);
/// Parses printed IR; errors are CompileErrors with line:col inside `text` (file = `fileName`).
Module parseModule(const std::string &text, const std::string &fileName = "<ir>");

/// Structural checks: operand order, registered ops, types match inference, unique input
/// and output names. Throws CompileError naming `afterPass` when given.
void verifyGraph(const Graph &graph, const std::string &afterPass = "");
void verifyModule(const Module &module, const std::string &afterPass = "");

} // namespace aec
