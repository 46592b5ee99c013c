#pragma once
/// The op registry: every primitive op is defined in exactly one place, an OpDef.
///
/// Lowering to MLIR lives in passes/lowering (so that MLIR headers stay out of shared code)
/// and is looked up there by op name; a test checks that every op here has a lowering.
#include "ir/Graph.h"
#include "ir/Tensor.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace aec {

class Builder;

/// Traits the generic code reads: the random-graph test chains elementwise ops on any
/// values of one shape, autodiff and gradcheck skip piecewise-constant ops, and sources
/// are what the generic op tests cannot instantiate.
enum OpTrait : unsigned {
  TraitNone = 0,
  TraitElementwise = 1u << 0, ///< result[i] depends on operand[i] only; equal shapes
  TraitSource = 1u << 1,      ///< no operands (input, constant)
  TraitNoGrad = 1u << 2,      ///< piecewise constant: no adjoint flows through (step, sign, argmax_mask)
};

/// What folding a node gives: a splat constant of the node's type, an existing value the
/// node equals, or neither (the node stays).
struct Folded {
  std::optional<double> splat;
  ValueId value = NoValue;

  static Folded none() { return {}; }
  static Folded constant(double v) { return {v, NoValue}; }
  static Folded same(ValueId v) { return {std::nullopt, v}; }
};
/// Each operand's value when it is a splat constant, nullopt otherwise.
using Splats = std::vector<std::optional<double>>;
/// Folds `node` when that is exact: `splats[i]` is operand i's value when it is a splat
/// constant (nullopt otherwise). The result must equal what `eval` computes for every
/// input (up to rounding of the node's dtype, which the caller applies): the
/// before/after-every-pass tests hold each fold to that.
using FoldFn =
    std::function<Folded(const Graph &graph, const Node &node, const Splats &splats)>;

/// Builds the adjoints of a node's operands from the adjoint `grad` of its result.
/// `self` is the node's own value (sigmoid's gradient reuses it). Entries may be NoValue
/// for operands that get no gradient. Rules use only registered, differentiable ops, so
/// the adjoint graph can be differentiated again.
using GradFn = std::function<std::vector<ValueId>(Builder &b, const Node &node, ValueId self,
                                                  ValueId grad)>;
/// Infers (and so verifies) the result type; throws CompileError at node.loc. Ops typed by
/// declaration (input, constant, broadcast, reshape) check and return node.type as given.
using InferFn = std::function<TensorType(const Graph &graph, const Node &node)>;
/// Interpreter kernel: computes the result from operand values.
using EvalFn = std::function<Tensor(const Node &node, const std::vector<const Tensor *> &args)>;

/// One op, defined in one place.
struct OpDef {
  std::string name;
  int arity = 0; ///< number of operands; -1 = any
  unsigned traits = TraitNone;
  std::vector<std::string> attrs; ///< attribute names the op requires
  InferFn infer;
  GradFn grad; ///< empty exactly for sources and TraitNoGrad ops (a test holds this)
  EvalFn eval;
  /// Constant folding and identities (simplify pass); empty = the op never folds.
  FoldFn fold;
  /// Operand shapes the generic tests (gradcheck, compiled vs interpreter) instantiate.
  /// `example` also sets the result type for ops typed by declaration (broadcast, reshape).
  std::function<void(std::vector<Shape> &operands, Attrs &attrs, Shape &result)> example;
  /// The body an example node runs (scan); empty for ops without one.
  std::function<std::shared_ptr<const Graph>(DType dtype)> exampleBody;
  /// Range of the random operand values the generic tests draw (log, sqrt need > 0).
  double exampleMin = -2.0, exampleMax = 2.0;

  bool has(OpTrait t) const { return (traits & t) != 0; }
};

/// The op named `name`, or nullptr.
const OpDef *lookupOp(const std::string &name);
/// Every registered op, sorted by name.
std::vector<const OpDef *> allOps();

/// Registration hooks, one per op family file in ir/ops/ (the "registry lines").
void registerSourceOps(std::vector<OpDef> &ops);
void registerElementwiseOps(std::vector<OpDef> &ops);
void registerContractionOps(std::vector<OpDef> &ops);
void registerReductionOps(std::vector<OpDef> &ops);
void registerShapeOps(std::vector<OpDef> &ops);
void registerSlicingOps(std::vector<OpDef> &ops);
void registerLayoutOps(std::vector<OpDef> &ops);
void registerMaxOps(std::vector<OpDef> &ops);
void registerConvOps(std::vector<OpDef> &ops);
void registerScanOps(std::vector<OpDef> &ops);

} // namespace aec
