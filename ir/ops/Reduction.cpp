/// reduce_sum over sorted unique `axes`; the reduced dims are dropped.
#include "ir/ops/OpHelpers.h"

#include <xtensor/xbuilder.hpp>

namespace aec {

void registerReductionOps(std::vector<OpDef> &ops) {
  OpDef rs;
  rs.name = "reduce_sum";
  rs.arity = 1;
  rs.traits = TraitReduction;
  rs.attrs = {"axes"};
  rs.infer = ops::inferReduction;
  rs.eval = [](const Node &n, const std::vector<const Tensor *> &a) -> Tensor {
    const Tensor &x = *a[0];
    std::vector<int64_t> kept = ops::complementDims(x.dimension(), n.attrs.getInts("axes"));
    Tensor out = xt::zeros<double>(n.type.shape);
    // Walk the operand in row-major order, accumulating into the kept-dims index.
    std::vector<size_t> index(x.dimension(), 0), dst(kept.size());
    for (size_t flat = 0; flat < x.size(); ++flat) {
      for (size_t i = 0; i < kept.size(); ++i)
        dst[i] = index[kept[i]];
      out.element(dst.begin(), dst.end()) += x.flat(flat);
      ops::nextIndex(index, x.shape());
    }
    return out;
  };
  // The adjoint of a sum is the broadcast of the result adjoint.
  rs.grad = [](Builder &b, const Node &n, ValueId, ValueId g) {
    const Shape &xs = b.shape(n.operands[0]);
    return std::vector<ValueId>{
        b.broadcast(g, xs, ops::complementDims(xs.size(), n.attrs.getInts("axes")))};
  };
  rs.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{3, 4, 2}};
    at = {{"axes", std::vector<int64_t>{0, 2}}};
  };
  ops.push_back(rs);
}

} // namespace aec
