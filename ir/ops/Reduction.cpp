/// reduce_sum over sorted unique `axes`; the reduced dims are dropped.
#include "ir/ops/OpHelpers.h"


namespace aec {

void registerReductionOps(std::vector<OpDef> &ops) {
  OpDef rs;
  rs.name = "reduce_sum";
  rs.arity = 1;
  rs.traits = TraitReduction;
  rs.attrs = {"axes"};
  rs.infer = ops::inferReduction;
  rs.eval = [](const Node &n, const std::vector<const Tensor *> &a) {
    return ops::evalReduction(n, *a[0], 0.0, [](double &sum, double v) { sum += v; });
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
