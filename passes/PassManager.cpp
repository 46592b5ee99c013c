#include "passes/Passes.h"

#include <ostream>

namespace aec {

namespace {
/// Runs `pass` on the bodies of `g`'s structured ops (scan), innermost first, then on `g`:
/// a pass treats a scan as one opaque node and its body as a graph of its own.
void runNested(const Pass &pass, Graph &g) {
  for (size_t i = 0; i < g.size(); ++i) {
    Node &n = g.node(static_cast<ValueId>(i));
    if (!n.body)
      continue;
    auto body = std::make_shared<Graph>(*n.body);
    runNested(pass, *body);
    n.body = std::move(body);
  }
  pass.run(g);
}
} // namespace

void PassManager::run(Module &module) const {
  for (const Pass &pass : passes) {
    for (Graph &g : module.graphs)
      runNested(pass, g);
    verifyModule(module, pass.name);
    if (printStream && (printAfter == "all" || printAfter == pass.name))
      *printStream << "// ----- IR after " << pass.name << " -----\n"
                   << printModule(module) << "\n";
  }
}

} // namespace aec
