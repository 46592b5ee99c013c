/// The memory plan read back from the IR after aec-plan-arena (planFunctions) is sound on
/// every model in models/: buffers whose live ranges (recomputed here from the final IR, not
/// taken from the pass) overlap never share bytes, every buffer lies inside the arena, the
/// arena is at least the live lower bound and at most 1.2x it, and nothing is left to malloc.
#include "frontend/ModelSpec.h"
#include "passes/Passes.h"
#include "passes/lowering/Lowering.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace aec;

namespace {
void checkPlan(const FunctionPlan &p) {
  INFO("function " << p.name);
  CHECK(p.unplannedAllocs == 0);
  CHECK(p.arenaBytes >= p.liveBoundBytes);
  CHECK(p.arenaBytes <= 1.2 * p.liveBoundBytes);
  for (size_t i = 0; i < p.slots.size(); ++i) {
    const ArenaSlot &a = p.slots[i];
    REQUIRE(a.offset >= 0);
    REQUIRE(a.offset + a.bytes <= p.arenaBytes);
    for (size_t j = i + 1; j < p.slots.size(); ++j) {
      const ArenaSlot &b = p.slots[j];
      bool liveTogether = a.first <= b.last && b.first <= a.last;
      bool shareBytes = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
      INFO("slots at " << a.offset << " (" << a.producer << ") and " << b.offset << " ("
                       << b.producer << ")");
      CHECK_FALSE((liveTogether && shareBytes));
    }
  }
}
} // namespace

TEST_CASE("the arena plan of every model is sound and tight", "[lowering][plan]") {
  for (const auto &entry : std::filesystem::directory_iterator(std::string(AEC_SOURCE_DIR) + "/models")) {
    if (entry.path().extension() != ".yaml")
      continue;
    SECTION(entry.path().filename().string()) {
      ModelSpec spec = loadModelSpec(entry.path().string());
      Module m = buildTrainingModule(spec, 4);
      defaultPipeline().run(m);
      std::vector<FunctionPlan> plans = planFunctions(m);
      REQUIRE(plans.size() == m.graphs.size());
      for (const FunctionPlan &p : plans) {
        CHECK_FALSE(p.kernels.empty());
        checkPlan(p);
      }
    }
  }
}
