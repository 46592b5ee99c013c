#pragma once
/// Small helpers shared by the op family files of ir/ops.
#include "ir/Builder.h"
#include "ir/OpRegistry.h"

#include <string>

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

/// Row-major element strides of `shape`.
template <typename ShapeT> std::vector<int64_t> rowMajorStrides(const ShapeT &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * static_cast<int64_t>(shape[d]);
  return strides;
}

/// All operands must share one type; that type is the result.
TensorType sameTypeAsOperands(const Graph &g, const Node &node);

} // namespace aec::ops
