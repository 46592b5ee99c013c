/// Fuzz target: weights and checkpoint files for a small fixed model (array names and
/// shapes against the model, optimizer state, progress fields, normalisation statistics).
#include "FuzzUtil.h"

#include <aec/Normalization.h>
#include <aec/Weights.h>

namespace {
aec::rt::ModelDescriptor descriptor() {
  aec::rt::ModelDescriptor d;
  d.name = "m";
  d.batch = 4;
  d.params = {{"encoder.0/kernel", {2, 3}, "glorot_uniform:2:3"}, {"encoder.0/bias", {3}, "zeros"}};
  d.states = {{"adam.m/encoder.0/kernel", "state", {2, 3}}};
  return d;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path = aec::fuzz::scratchFile("weights.npz", data, size);
  const aec::rt::ModelDescriptor desc = descriptor();
  aec::fuzz::expectCleanErrors([&] {
    aec::rt::ModelState state = aec::rt::initModelState(desc, 1);
    aec::rt::loadParams(desc, state, path);
  });
  aec::fuzz::expectCleanErrors([&] {
    aec::rt::ModelState state = aec::rt::initModelState(desc, 1);
    aec::rt::Normalizer norm("standard");
    aec::rt::loadCheckpoint(path, desc, state, norm);
  });
  return 0;
}
