#include "passes/Rewrite.h"

namespace aec {

Graph rebuildGraph(const Graph &in, const RebuildFn &fn, const std::vector<bool> &keep) {
  Graph out;
  out.name = in.name;
  std::vector<ValueId> map(in.size(), NoValue);
  for (size_t i = 0; i < in.size(); ++i) {
    if (!keep.empty() && !keep[i])
      continue;
    Node node = in.node(static_cast<ValueId>(i));
    for (ValueId &v : node.operands)
      v = map[v];
    map[i] = fn(out, std::move(node));
  }
  for (const GraphOutput &o : in.outputs)
    out.addOutput(o.name, map[o.value]);
  return out;
}

} // namespace aec
