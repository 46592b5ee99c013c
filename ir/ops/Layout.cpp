/// Permuting data movement: transpose (by a permutation of the dims) and reverse (along
/// axes). Each is its own kind of adjoint: the inverse permutation, the same reversal.
#include "ir/ops/OpHelpers.h"

#include <xtensor/xbuilder.hpp>

namespace aec {

namespace {
using Ids = std::vector<ValueId>;
using Ints = std::vector<int64_t>;

TensorType inferTranspose(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0);
  const Ints &perm = n.attrs.getInts("perm", n.loc);
  std::vector<bool> seen(x.rank(), false);
  if (static_cast<int64_t>(perm.size()) != x.rank())
    ops::typeError(n, "needs a permutation of the " + std::to_string(x.rank()) + " dims");
  TensorType out{x.dtype, {}};
  for (int64_t p : perm) {
    if (p < 0 || p >= x.rank() || seen[p])
      ops::typeError(n, "needs a permutation of the " + std::to_string(x.rank()) + " dims");
    seen[p] = true;
    out.shape.push_back(x.shape[p]);
  }
  return out;
}

/// result[i0, ..., in] = x[j] with j[perm[k]] = i[k].
Tensor evalTranspose(const Node &n, const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0];
  const Ints &perm = n.attrs.getInts("perm");
  Ints inStrides = ops::rowMajorStrides(x.shape());
  Tensor out = xt::zeros<double>(n.type.shape);
  std::vector<size_t> index(perm.size(), 0);
  for (size_t flat = 0; flat < out.size(); ++flat) {
    int64_t src = 0;
    for (size_t k = 0; k < perm.size(); ++k)
      src += static_cast<int64_t>(index[k]) * inStrides[perm[k]];
    out.flat(flat) = x.flat(src);
    ops::nextIndex(index, n.type.shape);
  }
  return out;
}

Ids gradTranspose(Builder &b, const Node &n, ValueId, ValueId g) {
  const Ints &perm = n.attrs.getInts("perm");
  Ints inverse(perm.size());
  for (size_t k = 0; k < perm.size(); ++k)
    inverse[perm[k]] = static_cast<int64_t>(k);
  return {b.transpose(g, inverse)};
}

TensorType inferReverse(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0);
  const Ints &axes = n.attrs.getInts("axes", n.loc);
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] < 0 || axes[i] >= x.rank() || (i && axes[i] <= axes[i - 1]))
      ops::typeError(n, "needs sorted unique axes within rank " + std::to_string(x.rank()));
  return x;
}

Tensor evalReverse(const Node &n, const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0];
  std::vector<bool> flip(x.dimension(), false);
  for (int64_t a : n.attrs.getInts("axes"))
    flip[a] = true;
  Ints strides = ops::rowMajorStrides(x.shape());
  Tensor out = xt::zeros<double>(n.type.shape);
  std::vector<size_t> index(x.dimension(), 0);
  for (size_t flat = 0; flat < out.size(); ++flat) {
    int64_t src = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      int64_t i = static_cast<int64_t>(index[d]);
      src += (flip[d] ? static_cast<int64_t>(x.shape(d)) - 1 - i : i) * strides[d];
    }
    out.flat(flat) = x.flat(src);
    ops::nextIndex(index, x.shape());
  }
  return out;
}
} // namespace

void registerLayoutOps(std::vector<OpDef> &ops) {
  OpDef tr;
  tr.name = "transpose";
  tr.arity = 1;
  tr.fold = ops::foldSplatThrough;
  tr.attrs = {"perm"};
  tr.infer = inferTranspose;
  tr.eval = evalTranspose;
  tr.grad = gradTranspose;
  tr.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{2, 3, 4}};
    at = {{"perm", Ints{2, 0, 1}}};
  };
  ops.push_back(tr);

  OpDef rev;
  rev.name = "reverse";
  rev.arity = 1;
  rev.fold = ops::foldSplatThrough;
  rev.attrs = {"axes"};
  rev.infer = inferReverse;
  rev.eval = evalReverse;
  rev.grad = [](Builder &b, const Node &n, ValueId, ValueId g) {
    return Ids{b.reverse(g, n.attrs.getInts("axes"))};
  };
  rev.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{3, 4, 2}};
    at = {{"axes", Ints{0, 2}}};
  };
  ops.push_back(rev);
}

} // namespace aec
