#include "ir/ops/OpHelpers.h"

#include <algorithm>

namespace aec::ops {

void typeError(const Node &node, const std::string &what) {
  fail(node.loc, "op '" + node.op + "' " + what);
}

std::vector<int64_t> complementDims(int64_t rank, const std::vector<int64_t> &dims) {
  std::vector<int64_t> out;
  for (int64_t d = 0; d < rank; ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end())
      out.push_back(d);
  return out;
}

TensorType inferReduction(const Graph &g, const Node &n) {
  const TensorType &x = operandType(g, n, 0);
  const std::vector<int64_t> &axes = n.attrs.getInts("axes", n.loc);
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] < 0 || axes[i] >= x.rank() || (i && axes[i] <= axes[i - 1]))
      typeError(n, "needs sorted unique axes within rank " + std::to_string(x.rank()));
  TensorType out{x.dtype, {}};
  for (int64_t d : complementDims(x.rank(), axes))
    out.shape.push_back(x.shape[d]);
  return out;
}

TensorType sameTypeAsOperands(const Graph &g, const Node &node) {
  const TensorType &first = operandType(g, node, 0);
  for (size_t i = 1; i < node.operands.size(); ++i)
    if (operandType(g, node, i) != first)
      typeError(node, "expects operands of one type, got " + first.str() + " and " +
                          operandType(g, node, i).str());
  return first;
}

Folded foldSplatThrough(const Graph &, const Node &, const Splats &splats) {
  return splats[0] ? Folded::constant(*splats[0]) : Folded::none();
}

} // namespace aec::ops
