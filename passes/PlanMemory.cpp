/// The static memory plan's peak: intermediates live from their definition to their last
/// use (outputs to the end); inputs are caller-owned buffers and do not count.
#include "passes/Passes.h"

#include <algorithm>

namespace aec {

int64_t planPeakBytes(const Graph &g) {
  const size_t n = g.size();
  std::vector<size_t> lastUse(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (ValueId v : g.node(static_cast<ValueId>(i)).operands)
      lastUse[v] = std::max(lastUse[v], i);
  for (const GraphOutput &o : g.outputs)
    lastUse[o.value] = n;
  std::vector<int64_t> freedAt(n + 1, 0);
  int64_t live = 0, peak = 0;
  for (size_t i = 0; i < n; ++i) {
    const Node &node = g.node(static_cast<ValueId>(i));
    if (node.op != "input" && lastUse[i] > i) {
      live += node.type.bytes();
      freedAt[lastUse[i]] += node.type.bytes();
    }
    peak = std::max(peak, live);
    live -= freedAt[i];
  }
  return peak;
}

} // namespace aec
