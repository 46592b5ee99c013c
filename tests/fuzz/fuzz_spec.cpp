/// Fuzz target: a model file through everything `aec check` does before MLIR: YAML parse,
/// spec checks (names, shapes, sizes), expansion, autodiff into the training module, the
/// graph verifier and the summary counts.
#include "FuzzUtil.h"
#include "frontend/Expand.h"
#include "passes/Passes.h"

#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // Keep each input's graphs small enough to build in milliseconds.
  setenv("AEC_MAX_MEMORY", "256M", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aec::fuzz::expectCleanErrors([&] {
    aec::ModelSpec spec = aec::parseModelSpec(std::string(reinterpret_cast<const char *>(data), size), "fuzz.yaml");
    aec::summarize(spec);
    aec::Module module = aec::buildTrainingModule(spec, spec.batch);
    aec::verifyModule(module);
  });
  return 0;
}
