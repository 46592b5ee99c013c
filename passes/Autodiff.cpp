/// Reverse-mode automatic differentiation on the graph. Each op's gradient rule appends
/// ordinary, differentiable ops, so the result can be differentiated again.
#include "ir/Builder.h"
#include "ir/OpRegistry.h"
#include "passes/Passes.h"

namespace aec {

namespace {
/// Nodes on some path from a `wrt` value to `loss`: only their adjoints are needed.
std::vector<bool> nodesBetween(const Graph &g, ValueId loss, const std::vector<ValueId> &wrt) {
  std::vector<bool> fromWrt(g.size(), false), toLoss(g.size(), false);
  for (ValueId v : wrt)
    fromWrt[v] = true;
  for (size_t i = 0; i < g.size(); ++i)
    for (ValueId v : g.node(static_cast<ValueId>(i)).operands)
      if (fromWrt[v])
        fromWrt[i] = true;
  toLoss[loss] = true;
  for (size_t i = loss + 1; i-- > 0;)
    if (toLoss[i])
      for (ValueId v : g.node(static_cast<ValueId>(i)).operands)
        toLoss[v] = true;
  std::vector<bool> both(g.size());
  for (size_t i = 0; i < g.size(); ++i)
    both[i] = fromWrt[i] && toLoss[i];
  return both;
}
} // namespace

std::vector<ValueId> buildGradients(Graph &graph, ValueId loss, const std::vector<ValueId> &wrt) {
  if (graph.type(loss).rank() != 0)
    fail(graph.node(loss).loc, "autodiff: the loss must be a scalar, got " + graph.type(loss).str());
  Builder b(graph);
  std::vector<bool> needed = nodesBetween(graph, loss, wrt);
  std::vector<ValueId> adjoint(graph.size(), NoValue);
  b.loc = graph.node(loss).loc;
  adjoint[loss] = b.constantLike(1.0, loss);

  for (ValueId id = loss; id >= 0; --id) {
    if (!needed[id] || adjoint[id] == NoValue)
      continue;
    const Node node = graph.node(id); // a copy: the builder appends to the node vector
    const OpDef *def = lookupOp(node.op);
    if (!def->grad)
      continue; // inputs and constants: their adjoint is the result
    b.loc = node.loc;
    std::vector<ValueId> operandAdjoints = def->grad(b, node, id, adjoint[id]);
    for (size_t i = 0; i < node.operands.size(); ++i) {
      ValueId operand = node.operands[i];
      if (operandAdjoints[i] == NoValue || !needed[operand])
        continue;
      ValueId &acc = adjoint[operand];
      acc = acc == NoValue ? operandAdjoints[i] : b.add(acc, operandAdjoints[i]);
    }
  }

  std::vector<ValueId> out;
  for (ValueId v : wrt) {
    if (adjoint[v] != NoValue) {
      out.push_back(adjoint[v]);
    } else {
      b.loc = graph.node(v).loc;
      out.push_back(b.constantLike(0.0, v));
    }
  }
  return out;
}

} // namespace aec
