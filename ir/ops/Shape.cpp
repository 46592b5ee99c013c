/// Data-movement ops, typed by declaration: broadcast (stablehlo's broadcast_in_dim without
/// size-1 expansion) and reshape.
#include "ir/ops/OpHelpers.h"

#include <xtensor/xbuilder.hpp>

namespace aec {

namespace {
TensorType inferBroadcast(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0);
  const std::vector<int64_t> &dims = n.attrs.getInts("dims", n.loc);
  if (static_cast<int64_t>(dims.size()) != x.rank())
    ops::typeError(n, "needs one entry in 'dims' per operand dimension");
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0 || dims[i] >= n.type.rank() || (i && dims[i] <= dims[i - 1]))
      ops::typeError(n, "needs increasing 'dims' within the result rank");
    if (n.type.shape[dims[i]] != x.shape[i])
      ops::typeError(n, "cannot broadcast " + x.str() + " to " + shapeStr(n.type.shape));
  }
  return {x.dtype, n.type.shape};
}

Tensor evalBroadcast(const Node &n, const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0];
  const std::vector<int64_t> &dims = n.attrs.getInts("dims");
  Tensor out = xt::zeros<double>(n.type.shape);
  std::vector<size_t> index(n.type.shape.size(), 0), src(dims.size());
  for (size_t flat = 0; flat < out.size(); ++flat) {
    for (size_t i = 0; i < dims.size(); ++i)
      src[i] = index[dims[i]];
    out.flat(flat) = x.element(src.begin(), src.end());
    ops::nextIndex(index, n.type.shape);
  }
  return out;
}

TensorType inferReshape(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0);
  if (x.numElements() != n.type.numElements())
    ops::typeError(n, "cannot reshape " + x.str() + " to " + shapeStr(n.type.shape));
  return {x.dtype, n.type.shape};
}
} // namespace

void registerShapeOps(std::vector<OpDef> &ops) {
  OpDef bc;
  bc.name = "broadcast";
  bc.arity = 1;
  bc.fold = ops::foldSplatThrough;
  bc.attrs = {"dims"};
  bc.infer = inferBroadcast;
  bc.eval = evalBroadcast;
  // The adjoint sums over the result dims the operand does not map to.
  bc.grad = [](Builder &b, const Node &n, ValueId self, ValueId g) {
    return std::vector<ValueId>{
        b.reduceSum(g, ops::complementDims(b.type(self).rank(), n.attrs.getInts("dims")))};
  };
  bc.example = [](std::vector<Shape> &o, Attrs &at, Shape &r) {
    o = {{4}};
    at = {{"dims", std::vector<int64_t>{1}}};
    r = {3, 4, 2};
  };
  ops.push_back(bc);

  OpDef rs;
  rs.name = "reshape";
  rs.arity = 1;
  rs.fold = ops::foldSplatThrough;
  rs.infer = inferReshape;
  rs.eval = [](const Node &n, const std::vector<const Tensor *> &a) -> Tensor {
    Tensor t = *a[0];
    t.reshape(std::vector<size_t>(n.type.shape.begin(), n.type.shape.end()));
    return t;
  };
  rs.grad = [](Builder &b, const Node &n, ValueId, ValueId g) {
    return std::vector<ValueId>{b.reshape(g, b.shape(n.operands[0]))};
  };
  rs.example = [](std::vector<Shape> &o, Attrs &, Shape &r) {
    o = {{3, 4}};
    r = {2, 6};
  };
  ops.push_back(rs);
}

} // namespace aec
