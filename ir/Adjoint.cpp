/// The reverse sweep of automatic differentiation, shared by the autodiff pass
/// (passes/Autodiff.cpp) and the scan op's gradient rule, which differentiates its body.
#include "ir/Adjoint.h"
#include "ir/Builder.h"
#include "ir/OpRegistry.h"

#include <algorithm>

namespace aec {

namespace {
/// Nodes on some path from a `wrt` value to a root: only their adjoints are needed.
std::vector<bool> nodesBetween(const Graph &g, const std::vector<ValueId> &roots,
                               const std::vector<ValueId> &wrt) {
  std::vector<bool> fromWrt(g.size(), false), toLoss(g.size(), false);
  for (ValueId v : wrt)
    fromWrt[v] = true;
  for (size_t i = 0; i < g.size(); ++i)
    for (ValueId v : g.node(static_cast<ValueId>(i)).operands)
      if (fromWrt[v])
        fromWrt[i] = true;
  ValueId last = 0;
  for (ValueId r : roots) {
    toLoss[r] = true;
    last = std::max(last, r);
  }
  for (size_t i = last + 1; i-- > 0;)
    if (toLoss[i])
      for (ValueId v : g.node(static_cast<ValueId>(i)).operands)
        toLoss[v] = true;
  std::vector<bool> both(g.size());
  for (size_t i = 0; i < g.size(); ++i)
    both[i] = fromWrt[i] && toLoss[i];
  return both;
}
/// For zero pads (no interior) that differ along exactly one axis with pairwise disjoint
/// windows, that axis; else -1.
int64_t disjointPadAxis(const Graph &g, const std::vector<ValueId> &parts) {
  const Node &first = g.node(parts.front());
  int64_t axis = -1;
  std::vector<std::pair<int64_t, int64_t>> windows;
  for (ValueId v : parts) {
    const Node &n = g.node(v);
    if (n.op != "pad" || n.attrs.getFloat("value") != 0.0)
      return -1;
    for (int64_t i : n.attrs.getInts("interior"))
      if (i != 0)
        return -1;
    const auto &low = n.attrs.getInts("low"), &high = n.attrs.getInts("high");
    const auto &low0 = first.attrs.getInts("low"), &high0 = first.attrs.getInts("high");
    for (size_t d = 0; d < low.size(); ++d)
      if (low[d] != low0[d] || high[d] != high0[d]) {
        if (axis >= 0 && axis != static_cast<int64_t>(d))
          return -1;
        axis = static_cast<int64_t>(d);
      }
  }
  if (axis < 0)
    return -1;
  for (ValueId v : parts) {
    const auto &low = g.node(v).attrs.getInts("low");
    windows.push_back({low[axis], low[axis] + g.type(g.node(v).operands[0]).shape[axis]});
  }
  std::sort(windows.begin(), windows.end());
  for (size_t i = 1; i < windows.size(); ++i)
    if (windows[i].first < windows[i - 1].second)
      return -1;
  return axis;
}

/// The sum of a value's adjoint contributions. Zero pads with disjoint windows along one axis
/// (the adjoints of slices: an unrolled LSTM's time steps and gates) become one concat of
/// their parts with zeros in the gaps, instead of a chain of full-size sums: O(T) not O(T^2).
ValueId sumAdjoints(Builder &b, const std::vector<ValueId> &parts) {
  if (parts.size() == 1)
    return parts.front();
  Graph &g = b.graph();
  int64_t axis = disjointPadAxis(g, parts);
  if (axis < 0) {
    ValueId acc = parts.front();
    for (size_t i = 1; i < parts.size(); ++i)
      acc = b.add(acc, parts[i]);
    return acc;
  }
  std::vector<ValueId> sorted = parts;
  std::sort(sorted.begin(), sorted.end(), [&](ValueId x, ValueId y) {
    return g.node(x).attrs.getInts("low")[axis] < g.node(y).attrs.getInts("low")[axis];
  });
  const Node first = g.node(sorted.front()), last = g.node(sorted.back());
  const TensorType whole = g.type(sorted.front());
  std::vector<int64_t> low = first.attrs.getInts("low"), high = last.attrs.getInts("high");
  std::vector<ValueId> pieces;
  int64_t at = low[axis];
  for (ValueId v : sorted) {
    ValueId inner = g.node(v).operands[0];
    int64_t start = g.node(v).attrs.getInts("low")[axis];
    if (start > at) { // a gap no contribution covers: zeros
      TensorType gap = g.type(inner);
      gap.shape[axis] = start - at;
      pieces.push_back(b.constant(0.0, gap));
    }
    pieces.push_back(inner);
    at = start + g.type(inner).shape[axis];
  }
  ValueId joined = b.concat(pieces, axis);
  if (b.shape(joined) == whole.shape)
    return joined;
  return b.pad(joined, low, high, std::vector<int64_t>(low.size(), 0), 0.0);
}
} // namespace

std::vector<ValueId> buildAdjoints(Graph &graph, const std::vector<ValueId> &roots,
                                   const std::vector<ValueId> &seeds,
                                   const std::vector<ValueId> &wrt) {
  Builder b(graph);
  std::vector<bool> needed = nodesBetween(graph, roots, wrt);
  // Contributions are collected and summed when the value is reached (all its users, which
  // come later in the graph, are done by then), so sumAdjoints sees them all at once.
  std::vector<std::vector<ValueId>> contributions(graph.size());
  std::vector<ValueId> adjoint(graph.size(), NoValue);
  ValueId last = 0;
  for (size_t i = 0; i < roots.size(); ++i) {
    contributions[roots[i]].push_back(seeds[i]);
    last = std::max(last, roots[i]);
  }

  for (ValueId id = last; id >= 0; --id) {
    if (!needed[id] || contributions[id].empty())
      continue;
    const Node node = graph.node(id); // a copy: the builder appends to the node vector
    b.loc = node.loc;
    adjoint[id] = sumAdjoints(b, contributions[id]);
    const OpDef *def = lookupOp(node.op);
    if (def->has(TraitSource) || def->has(TraitNoGrad))
      continue; // inputs and constants: their adjoint is the result
    std::vector<ValueId> operandAdjoints = def->grad(b, node, id, adjoint[id]);
    for (size_t i = 0; i < node.operands.size(); ++i) {
      ValueId operand = node.operands[i];
      if (operandAdjoints[i] != NoValue && needed[operand])
        contributions[operand].push_back(operandAdjoints[i]);
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
