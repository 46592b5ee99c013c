/// The one list of graph passes: `aec-opt --pass`, `aec dump --print-after` and the default
/// pipeline all name passes from it.
#include "passes/Passes.h"

#include <sstream>
#include <stdexcept>

namespace aec {

const std::vector<PassInfo> &registeredPasses() {
  static const std::vector<PassInfo> passes = {
      {"simplify", "fold each node through its op's fold (splat constants, identities)",
       createSimplifyPass},
      {"cse", "merge nodes with the same op, operands and attributes", createCSEPass},
      {"dce", "drop nodes no output depends on", createDCEPass},
      {"sink-broadcasts",
       "compute elementwise ops on a broadcast's operand and broadcast the result",
       createSinkBroadcastsPass},
  };
  return passes;
}

std::string registeredPassNames() {
  std::string names;
  for (const PassInfo &p : registeredPasses())
    names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

PassManager parsePipeline(const std::string &text) {
  PassManager pm;
  std::stringstream items(text);
  for (std::string name; std::getline(items, name, ',');) {
    if (name.empty())
      continue;
    const PassInfo *found = nullptr;
    for (const PassInfo &p : registeredPasses())
      if (p.name == name)
        found = &p;
    if (!found)
      throw std::runtime_error("unknown pass '" + name + "' (passes: " + registeredPassNames() +
                               ")");
    pm.passes.push_back(found->create());
  }
  return pm;
}

PassManager defaultPipeline() { return parsePipeline(DefaultPipelineText); }

} // namespace aec
