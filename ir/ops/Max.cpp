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
  const Tensor &x = *args[0];
  Ints kept = ops::complementDims(x.dimension(), n.attrs.getInts("axes"));
  Tensor out = xt::zeros<double>(n.type.shape);
  out.fill(-std::numeric_limits<double>::infinity());
  std::vector<size_t> index(x.dimension(), 0), dst(kept.size());
  for (size_t flat = 0; flat < x.size(); ++flat) {
    for (size_t i = 0; i < kept.size(); ++i)
      dst[i] = index[kept[i]];
    double &m = out.element(dst.begin(), dst.end());
    m = std::max(m, x.flat(flat));
    ops::nextIndex(index, x.shape());
  }
  return out;
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
