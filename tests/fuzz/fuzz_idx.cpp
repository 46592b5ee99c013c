/// Fuzz target: IDX files, plain or gzip (magic, element types, declared vs real size).
#include "FuzzUtil.h"

#include <aec/Config.h>
#include <aec/Idx.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path = aec::fuzz::scratchFile("data-idx3-ubyte", data, size);
  aec::fuzz::expectCleanErrors([&] { aec::rt::checkFinite(aec::rt::loadDataFile(path, "", {}, {2})); });
  return 0;
}
