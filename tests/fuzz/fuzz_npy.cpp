/// Fuzz target: .npy arrays (header dict, dtypes, Fortran order, declared vs real size).
#include "FuzzUtil.h"

#include <aec/Config.h>
#include <aec/Npy.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aec::fuzz::expectCleanErrors(
      [&] { aec::rt::decodeNpy(std::string(reinterpret_cast<const char *>(data), size), "fuzz.npy"); });
  const std::string path = aec::fuzz::scratchFile("data.npy", data, size);
  aec::fuzz::expectCleanErrors([&] { aec::rt::checkFinite(aec::rt::loadDataFile(path, "", {}, {2})); });
  return 0;
}
