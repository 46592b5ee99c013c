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

TensorType sameTypeAsOperands(const Graph &g, const Node &node) {
  const TensorType &first = operandType(g, node, 0);
  for (size_t i = 1; i < node.operands.size(); ++i)
    if (operandType(g, node, i) != first)
      typeError(node, "expects operands of one type, got " + first.str() + " and " +
                          operandType(g, node, i).str());
  return first;
}

} // namespace aec::ops
