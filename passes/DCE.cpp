/// Dead-code elimination: drops nodes no output depends on. Inputs are kept, since they
/// are the function's ABI.
#include "passes/Passes.h"
#include "passes/Rewrite.h"

namespace aec {

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
          }};
}

} // namespace aec
