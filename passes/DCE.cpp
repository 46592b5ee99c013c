/// Dead-code elimination: drops nodes no output depends on, and a scan's per-step outputs
/// nothing reads. Inputs are kept, since they are the function's ABI.
#include "ir/Scan.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <algorithm>

namespace aec {

namespace {
/// The body output of `l` whose region of the packed result holds [start, limit), or -1.
int64_t outputHolding(const ScanLayout &l, int64_t start, int64_t limit) {
  for (size_t k = 0; k < l.outputs.size(); ++k)
    if (l.offsets[k] <= start && limit <= l.offsets[k] + l.outputs[k].numElements())
      return static_cast<int64_t>(k);
  return -1;
}

/// Drops the per-step outputs of each scan that no slice reads (the residuals a gradient
/// would read, in a function without one: eval, encode), and moves the slices that read
/// the others to their new offsets. A scan whose result is read otherwise is left alone.
void pruneScanOutputs(Graph &g, const Pass &bodyDCE) {
  std::vector<std::vector<ValueId>> users(g.size());
  std::vector<bool> opaque(g.size(), false); // read other than by one output's slice
  for (const GraphOutput &o : g.outputs)
    opaque[o.value] = true;
  for (size_t i = 0; i < g.size(); ++i)
    for (ValueId v : g.node(static_cast<ValueId>(i)).operands)
      users[v].push_back(static_cast<ValueId>(i));
  for (size_t s = 0; s < g.size(); ++s) {
    Node &scan = g.node(static_cast<ValueId>(s));
    if (scan.op != "scan" || opaque[s])
      continue;
    const ScanLayout l = scanLayout(scan);
    std::vector<bool> read(l.outputs.size(), false);
    std::vector<int64_t> readBy(g.size(), -1);
    bool sliced = true;
    for (ValueId u : users[s]) {
      const Node &n = g.node(u);
      int64_t k = -1;
      if (n.op == "slice" && n.attrs.getInts("strides")[0] == 1)
        k = outputHolding(l, n.attrs.getInts("start")[0], n.attrs.getInts("limit")[0]);
      sliced = sliced && k >= 0;
      if (k >= 0) {
        read[k] = true;
        readBy[u] = k;
      }
    }
    for (int64_t k = 0; k < l.numCarry; ++k)
      read[k] = true; // the recurrence itself
    if (!sliced || std::find(read.begin(), read.end(), false) == read.end())
      continue;
    auto body = std::make_shared<Graph>(*scan.body);
    body->outputs.clear();
    for (size_t k = 0; k < read.size(); ++k)
      if (read[k])
        body->outputs.push_back(scan.body->outputs[k]);
    bodyDCE.run(*body);
    scan.body = body;
    const ScanLayout pruned = scanLayout(scan);
    scan.type = pruned.packed;
    std::vector<int64_t> shift(l.outputs.size(), 0);
    for (size_t k = 0, kept = 0; k < read.size(); ++k)
      if (read[k])
        shift[k] = pruned.offsets[kept++] - l.offsets[k];
    for (ValueId u : users[s]) {
      Attrs &attrs = g.node(u).attrs;
      const int64_t by = shift[readBy[u]];
      attrs.set("start", std::vector<int64_t>{attrs.getInts("start")[0] + by});
      attrs.set("limit", std::vector<int64_t>{attrs.getInts("limit")[0] + by});
    }
  }
}
} // namespace

Pass createDCEPass() {
  return {"dce", [](Graph &g) {
            std::vector<bool> live(g.size(), false);
            for (const GraphOutput &o : g.outputs)
              live[o.value] = true;
            for (size_t i = g.size(); i-- > 0;) {
              const Node &n = g.node(static_cast<ValueId>(i));
              if (n.op == "input")
                live[i] = true;
              if (live[i])
                for (ValueId v : n.operands)
                  live[v] = true;
            }
            g = rebuildGraph(
                g, [](Graph &out, Node n) { return out.addUnchecked(std::move(n)); }, live);
            pruneScanOutputs(g, createDCEPass());
          }};
}

} // namespace aec
