/// reduce_max (the reduced dims are dropped, like reduce_sum) and its gradient's router
/// `argmax_mask`. As in PyTorch, TensorFlow and JAX, the adjoint
/// of a max goes to one element per reduced slot, the first maximum in row-major order of
/// the reduced dims (for pooling: the window's first maximum, scanning rows then columns),
/// never to every tied maximum.
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

/// broadcast(g) * argmax_mask(x): the arg-max of each slot receives the adjoint. The mask
/// is piecewise constant, so the rule differentiates again (the max is piecewise linear).
Ids gradReduceMax(Builder &b, const Node &n, ValueId, ValueId g) {
  ValueId x = n.operands[0];
  const Shape xs = b.shape(x); // a copy: adding nodes moves the node vector
  const Ints &axes = n.attrs.getInts("axes");
  ValueId first = b.argmaxMask(x, axes);
  return {b.mul(b.broadcast(g, xs, ops::complementDims(xs.size(), axes)), first)};
}

/// A max of a splat is the splat; a max over no axes is its operand.
Folded foldReduceMax(const Graph &g, const Node &n, const Splats &s) {
  if (n.attrs.getInts("axes").empty())
    return Folded::same(n.operands[0]);
  if (s[0] && g.type(n.operands[0]).numElements() != 0)
    return Folded::constant(*s[0]);
  return Folded::none();
}

/// 1 at the first maximum of each slot (row-major over the operand, so row-major over the
/// reduced dims within a slot), 0 elsewhere. A slot's first element is taken until a
/// strictly larger one comes, so a slot of -inf (all padding) still has one 1.
Tensor evalArgmaxMask(const Node &n, const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0];
  Ints kept = ops::complementDims(x.dimension(), n.attrs.getInts("axes"));
  Shape slotShape;
  for (int64_t d : kept)
    slotShape.push_back(static_cast<int64_t>(x.shape(d)));
  Ints slotStrides = ops::rowMajorStrides(slotShape);
  std::vector<int64_t> best(static_cast<size_t>(numElements(slotShape)), -1);
  std::vector<size_t> index(x.dimension(), 0);
  for (size_t flat = 0; flat < x.size(); ++flat) {
    int64_t slot = 0;
    for (size_t i = 0; i < kept.size(); ++i)
      slot += static_cast<int64_t>(index[kept[i]]) * slotStrides[i];
    int64_t &b = best[slot];
    if (b < 0 || x.flat(flat) > x.flat(b))
      b = static_cast<int64_t>(flat);
    ops::nextIndex(index, x.shape());
  }
  Tensor out = xt::zeros<double>(x.shape());
  for (int64_t b : best)
    if (b >= 0)
      out.flat(b) = 1.0;
  return out;
}
} // namespace

void registerMaxOps(std::vector<OpDef> &ops) {
  OpDef rm;
  rm.name = "reduce_max";
  rm.arity = 1;
  rm.attrs = {"axes"};
  rm.infer = ops::inferReduction;
  rm.eval = evalReduceMax;
  rm.grad = gradReduceMax;
  rm.fold = foldReduceMax;
  rm.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{3, 4, 2}};
    at = {{"axes", Ints{1}}};
  };
  ops.push_back(rm);

  OpDef mask;
  mask.name = "argmax_mask";
  mask.arity = 1;
  mask.traits = TraitNoGrad;
  mask.attrs = {"axes"};
  mask.infer = [](const Graph &g, const Node &n) {
    ops::inferReduction(g, n); // checks the axes
    return ops::operandType(g, n, 0);
  };
  mask.eval = evalArgmaxMask;
  mask.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{3, 4, 2}};
    at = {{"axes", Ints{0, 2}}};
  };
  ops.push_back(mask);
}

} // namespace aec
