/// Fuzz target: .npz data archives (zip structure, CRC-32, members as .npy).
#include "FuzzUtil.h"

#include <aec/Config.h>
#include <aec/Npy.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path = aec::fuzz::scratchFile("data.npz", data, size);
  aec::fuzz::expectCleanErrors([&] { aec::rt::readNpz(path); });
  aec::fuzz::expectCleanErrors([&] { aec::rt::checkFinite(aec::rt::loadDataFile(path, "", {}, {2})); });
  aec::fuzz::expectCleanErrors([&] { aec::rt::loadDataFile(path, "x", {}, {}); });
  return 0;
}
