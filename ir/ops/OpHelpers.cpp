#include "ir/ops/OpHelpers.h"

namespace aec::ops {

void typeError(const Node &node, const std::string &what) {
  fail(node.loc, "op '" + node.op + "' " + what);
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
