#pragma once
/// The op registry: every primitive op is defined in exactly one place, an OpDef.
///
/// Lowering to MLIR lives in passes/lowering (so that MLIR headers stay out of shared code)
/// and is looked up there by op name; a test checks that every op here has a lowering.
#include "ir/Graph.h"
#include "ir/Tensor.h"

#include <functional>
#include <string>
#include <vector>

namespace aec {

class Builder;

/// Traits drive fusion, layout and the generic tests.
enum OpTrait : unsigned {
  TraitNone = 0,
  TraitElementwise = 1u << 0, ///< result[i] depends on operand[i] only; equal shapes
  TraitReduction = 1u << 1,
  TraitContraction = 1u << 2,
  TraitSource = 1u << 3,      ///< no operands (input, constant)
  TraitShape = 1u << 4,       ///< moves data only (reshape, broadcast)
  TraitNoGrad = 1u << 5,      ///< piecewise constant: zero gradient (step, sign)
};

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
  GradFn grad; ///< empty for ops that are never differentiated through (input, constant)
  EvalFn eval;
  /// Operand shapes the generic tests (gradcheck, compiled vs interpreter) instantiate.
  /// `example` also sets the result type for ops typed by declaration (broadcast, reshape).
  std::function<void(std::vector<Shape> &operands, Attrs &attrs, Shape &result)> example;
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

} // namespace aec
