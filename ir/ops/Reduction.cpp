/// reduce_sum over sorted unique `axes`; the reduced dims are dropped.
#include "ir/ops/OpHelpers.h"


namespace aec {

void registerReductionOps(std::vector<OpDef> &ops) {
  OpDef rs;
  rs.name = "reduce_sum";
  rs.arity = 1;
  rs.attrs = {"axes"};
  rs.infer = ops::inferReduction;
  rs.eval = [](const Node &n, const std::vector<const Tensor *> &a) {
    return ops::evalReduction(n, *a[0], 0.0, [](double &sum, double v) { sum += v; });
  };
  // Summing a splat multiplies it by the number of elements in each sum.
  rs.fold = [](const Graph &g, const Node &n, const Splats &s) {
    if (n.attrs.getInts("axes").empty())
      return Folded::same(n.operands[0]);
    if (!s[0] || n.type.numElements() == 0)
      return Folded::none();
    double count = static_cast<double>(g.type(n.operands[0]).numElements()) /
                   static_cast<double>(n.type.numElements());
    return Folded::constant(count == 0 ? 0.0 : *s[0] * count);
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
