/// matmul: op(A) x op(B) on 2-D tensors, op = transpose when `ta` / `tb` is 1. The flags
/// let gradients avoid materialised transposes.
#include "ir/ops/OpHelpers.h"

#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>

namespace aec {

namespace {
using Ids = std::vector<ValueId>;

/// Rows/cols of op(X).
std::pair<int64_t, int64_t> opDims(const Shape &s, bool t) {
  return t ? std::pair{s[1], s[0]} : std::pair{s[0], s[1]};
}

TensorType inferMatmul(const Graph &g, const Node &n) {
  const TensorType &a = ops::operandType(g, n, 0), &b = ops::operandType(g, n, 1);
  if (a.rank() != 2 || b.rank() != 2)
    ops::typeError(n, "expects 2-D operands, got " + a.str() + " and " + b.str());
  if (a.dtype != b.dtype)
    ops::typeError(n, "expects operands of one element type");
  auto [m, k] = opDims(a.shape, n.attrs.getInt("ta", n.loc));
  auto [k2, nn] = opDims(b.shape, n.attrs.getInt("tb", n.loc));
  if (k != k2)
    ops::typeError(n, "inner dimensions differ: " + a.str() + " x " + b.str());
  return {a.dtype, {m, nn}};
}

/// Plain loops over contiguous rows (the reference must stay simple, but it also runs
/// whole conv training steps in the pass tests): i, p outer, j inner and contiguous in C.
Tensor evalMatmul(const Node &n, const std::vector<const Tensor *> &args) {
  bool ta = n.attrs.getInt("ta"), tb = n.attrs.getInt("tb");
  const Tensor &a = *args[0], &b = *args[1];
  auto [m, k] = opDims({int64_t(a.shape(0)), int64_t(a.shape(1))}, ta);
  int64_t cols = tb ? b.shape(0) : b.shape(1);
  Tensor c = xt::zeros<double>({m, cols});
  // op(B) row-major [k, cols], so the inner loop reads it contiguously.
  Tensor bt = tb ? Tensor(xt::transpose(b)) : b;
  const double *A = a.data(), *B = bt.data();
  double *C = c.data();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) {
      double aip = ta ? A[p * m + i] : A[i * k + p];
      const double *brow = B + p * cols;
      double *crow = C + i * cols;
      for (int64_t j = 0; j < cols; ++j)
        crow[j] += aip * brow[j];
    }
  return c;
}

/// For C = op(A) op(B) with adjoint G (derivation: dop(A) = G op(B)^T, dop(B) = op(A)^T G).
Ids gradMatmul(Builder &b, const Node &n, ValueId, ValueId g) {
  ValueId A = n.operands[0], B = n.operands[1];
  bool ta = n.attrs.getInt("ta"), tb = n.attrs.getInt("tb");
  if (!ta && !tb)
    return {b.matmul(g, B, false, true), b.matmul(A, g, true, false)};
  if (!ta && tb)
    return {b.matmul(g, B, false, false), b.matmul(g, A, true, false)};
  if (ta && !tb)
    return {b.matmul(B, g, false, true), b.matmul(A, g, false, false)};
  return {b.matmul(B, g, true, true), b.matmul(g, A, true, true)};
}
} // namespace

void registerContractionOps(std::vector<OpDef> &ops) {
  OpDef mm;
  mm.name = "matmul";
  mm.arity = 2;
  // A product of splats is a splat: a * b summed over the inner dimension.
  mm.fold = [](const Graph &g, const Node &n, const Splats &s) {
    if (!s[0] || !s[1])
      return Folded::none();
    int64_t k = opDims(g.type(n.operands[0]).shape, n.attrs.getInt("ta")).second;
    if (k == 0) // an empty sum, whatever the splats (even inf or NaN)
      return Folded::constant(0.0);
    return Folded::constant(*s[0] * *s[1] * static_cast<double>(k));
  };
  mm.attrs = {"ta", "tb"};
  mm.infer = inferMatmul;
  mm.grad = gradMatmul;
  mm.eval = evalMatmul;
  mm.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{3, 4}, {5, 4}};
    at = {{"ta", int64_t(0)}, {"tb", int64_t(1)}};
  };
  ops.push_back(mm);
}

} // namespace aec
