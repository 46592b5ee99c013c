#include "ir/OpRegistry.h"

#include <algorithm>
#include <map>

namespace aec {

namespace {
/// Built on first use: explicit registration calls (no static initialisers, which a
/// static library would silently drop).
const std::map<std::string, OpDef> &registry() {
  static const std::map<std::string, OpDef> ops = [] {
    std::vector<OpDef> defs;
    registerSourceOps(defs);
    registerElementwiseOps(defs);
    registerContractionOps(defs);
    registerReductionOps(defs);
    registerShapeOps(defs);
    registerSlicingOps(defs);
    registerLayoutOps(defs);
    registerMaxOps(defs);
    registerConvOps(defs);
    registerScanOps(defs);
    std::map<std::string, OpDef> byName;
    for (OpDef &d : defs)
      byName.emplace(d.name, std::move(d));
    return byName;
  }();
  return ops;
}
} // namespace

const OpDef *lookupOp(const std::string &name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<const OpDef *> allOps() {
  std::vector<const OpDef *> out;
  for (const auto &[name, def] : registry())
    out.push_back(&def);
  return out;
}

} // namespace aec
