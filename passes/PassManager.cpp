#include "passes/Passes.h"

#include <ostream>

namespace aec {

void PassManager::run(Module &module) const {
  for (const Pass &pass : passes) {
    for (Graph &g : module.graphs)
      pass.run(g);
    verifyModule(module, pass.name);
    if (printStream && (printAfter == "all" || printAfter == pass.name))
      *printStream << "// ----- IR after " << pass.name << " -----\n"
                   << printModule(module) << "\n";
  }
}

} // namespace aec
