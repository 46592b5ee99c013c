#pragma once
/// Small helpers shared by the op family files of ir/ops.
#include "ir/Builder.h"
#include "ir/OpRegistry.h"

#include <string>

#include <xtensor/xbuilder.hpp>

namespace aec::ops {

/// "op 'x' expects ..., got ..." at the node's location.
[[noreturn]] void typeError(const Node &node, const std::string &what);

/// The type of operand `i` of `node`.
inline const TensorType &operandType(const Graph &g, const Node &node, size_t i) {
  return g.type(node.operands.at(i));
}

/// Advances a row-major multi-index over `shape` (the last dim fastest).
template <typename ShapeT> void nextIndex(std::vector<size_t> &index, const ShapeT &shape) {
  for (size_t d = index.size(); d-- > 0;) {
    if (++index[d] < static_cast<size_t>(shape[d]))
      return;
    index[d] = 0;
  }
}

/// The dims of [0, rank) not listed in `dims`, in order (kept dims of a reduction, summed
/// dims of a broadcast's adjoint).
std::vector<int64_t> complementDims(int64_t rank, const std::vector<int64_t> &dims);

/// Result type of a reduction over the sorted unique `axes` attribute (dims dropped);
/// reduce_sum and reduce_max share it.
TensorType inferReduction(const Graph &g, const Node &node);

/// A reduction's interpreter kernel: every element of `x` folded into its kept-dims
/// slot of a result (node.type) that starts at `init`, with `fold(slot, element)`.
template <typename Fold> Tensor evalReduction(const Node &node, const Tensor &x, double init, Fold fold) {
  std::vector<int64_t> kept = complementDims(x.dimension(), node.attrs.getInts("axes"));
  Tensor out = xt::zeros<double>(node.type.shape);
  out.fill(init);
  // Walk the operand in row-major order, folding into the kept-dims index.
  std::vector<size_t> index(x.dimension(), 0), dst(kept.size());
  for (size_t flat = 0; flat < x.size(); ++flat) {
    for (size_t i = 0; i < kept.size(); ++i)
      dst[i] = index[kept[i]];
    fold(out.element(dst.begin(), dst.end()), x.flat(flat));
    nextIndex(index, x.shape());
  }
  return out;
}

/// Row-major element strides of `shape`.
template <typename ShapeT> std::vector<int64_t> rowMajorStrides(const ShapeT &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * static_cast<int64_t>(shape[d]);
  return strides;
}

/// All operands must share one type; that type is the result.
TensorType sameTypeAsOperands(const Graph &g, const Node &node);

// ---- Folding helpers (OpDef::fold) ---------------------------------------------------

/// True when `splat` holds exactly `value`.
inline bool isSplat(const std::optional<double> &splat, double value) {
  return splat && *splat == value;
}

/// Fold of an op that only moves or repeats its one operand's elements (broadcast,
/// reshape, transpose, reverse, slice): a splat stays the same splat.
Folded foldSplatThrough(const Graph &g, const Node &node, const Splats &splats);

} // namespace aec::ops
