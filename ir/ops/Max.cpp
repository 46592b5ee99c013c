/// reduce_max (the reduced dims are dropped, like reduce_sum) and the comparison `eq` its
/// gradient routes through: the adjoint goes to every element equal to the max (ties
/// share it), and eq, being piecewise constant, contributes no gradient of its own.
#include "ir/ops/OpHelpers.h"

#include <limits>
#include <xtensor/xbuilder.hpp>

namespace aec {

namespace {
using Ids = std::vector<ValueId>;
using Ints = std::vector<int64_t>;

Tensor evalReduceMax(const Node &n, const std::vector<const Tensor *> &args) {
  return ops::evalReduction(n, *args[0], -std::numeric_limits<double>::infinity(),
                            [](double &m, double v) { m = std::max(m, v); });
}

/// broadcast(g) * eq(x, broadcast(max)): only the arg-max positions receive the adjoint.
Ids gradReduceMax(Builder &b, const Node &n, ValueId self, ValueId g) {
  ValueId x = n.operands[0];
  const Shape xs = b.shape(x); // a copy: adding nodes moves the node vector
  Ints kept = ops::complementDims(xs.size(), n.attrs.getInts("axes"));
  ValueId isMax = b.eq(x, b.broadcast(self, xs, kept));
  return {b.mul(b.broadcast(g, xs, kept), isMax)};
}
} // namespace

void registerMaxOps(std::vector<OpDef> &ops) {
  OpDef rm;
  rm.name = "reduce_max";
  rm.arity = 1;
  rm.traits = TraitReduction;
  rm.attrs = {"axes"};
  rm.infer = ops::inferReduction;
  rm.eval = evalReduceMax;
  rm.grad = gradReduceMax;
  rm.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{3, 4, 2}};
    at = {{"axes", Ints{1}}};
  };
  ops.push_back(rm);

  OpDef eq;
  eq.name = "eq";
  eq.arity = 2;
  eq.traits = TraitElementwise | TraitNoGrad;
  eq.infer = ops::sameTypeAsOperands;
  eq.eval = [](const Node &, const std::vector<const Tensor *> &a) -> Tensor {
    return xt::cast<double>(xt::equal(*a[0], *a[1]));
  };
  eq.grad = [](Builder &, const Node &, ValueId, ValueId) { return Ids{NoValue, NoValue}; };
  eq.example = [](std::vector<Shape> &o, Attrs &, Shape &) { o = {{3, 4}, {3, 4}}; };
  ops.push_back(eq);
}

} // namespace aec
