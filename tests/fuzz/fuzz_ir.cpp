/// Fuzz target: the graph IR text parser (aec-opt's input) and the verifier.
#include "FuzzUtil.h"
#include "ir/Graph.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aec::fuzz::expectCleanErrors([&] {
    aec::Module module = aec::parseModule(std::string(reinterpret_cast<const char *>(data), size), "fuzz.ir");
    aec::verifyModule(module);
    aec::printModule(module);
  });
  return 0;
}
