/// Weights files and checkpoints (parameter init: Init.cpp).
#include <aec/Npy.h>
#include <aec/Weights.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace aec::rt {
namespace {

std::string shapeText(const Dims &d) { return fmt::format("[{}]", fmt::join(d, ", ")); }

/// Reads a weights/checkpoint file; errors say what kind of file it is (`what`: "weights file",
/// "checkpoint") and name it once, with the member at fault.
std::map<std::string, Array> readWeightsFile(const std::string &path, const std::string &what) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("{} '{}' does not exist", what, path));
  try {
    return readNpz(path);
  } catch (const std::runtime_error &e) {
    // The readers' errors start with the quoted path; it is said once, after the kind.
    const std::string said = e.what(), quoted = "'" + path + "'";
    if (said.rfind(quoted, 0) == 0)
      throw std::runtime_error(fmt::format("{} {}", what, said));
    throw std::runtime_error(fmt::format("{} '{}': {}", what, path, said));
  }
}

} // namespace

int64_t ModelState::paramIndex(const ModelDescriptor &desc, const std::string &name) const {
  for (size_t i = 0; i < desc.params.size(); ++i)
    if (desc.params[i].name == name)
      return static_cast<int64_t>(i);
  return -1;
}

namespace {
/// loadParams for a file of kind `what` ("weights file", "checkpoint"), named so in errors.
std::map<std::string, Array> loadParamsOf(const ModelDescriptor &desc, ModelState &state, const std::string &path,
                                          const std::string &what) {
  std::map<std::string, Array> arrays = readWeightsFile(path, what);
  if (state.params.size() != desc.params.size())
    state.params.resize(desc.params.size());
  for (size_t i = 0; i < desc.params.size(); ++i) {
    const auto &p = desc.params[i];
    auto it = arrays.find(p.name);
    if (it == arrays.end()) {
      std::vector<std::string> have;
      for (const auto &[k, v] : arrays)
        have.push_back(k);
      throw std::runtime_error(fmt::format("{} '{}' has no array '{}' — is it from another model? it has: {}", what,
                                           path, p.name, have.empty() ? "nothing" : fmt::format("{}", fmt::join(have, ", "))));
    }
    if (it->second.dims != p.dims)
      throw std::runtime_error(fmt::format("{} '{}': '{}' has shape {}, the model needs {}", what, path, p.name,
                                           shapeText(it->second.dims), shapeText(p.dims)));
    state.params[i] = it->second;
  }
  if (state.states.size() != desc.states.size())
    for (const auto &st : desc.states)
      state.states.emplace_back(st.dims);
  return arrays;
}
} // namespace

std::map<std::string, Array> loadParams(const ModelDescriptor &desc, ModelState &state, const std::string &path) {
  return loadParamsOf(desc, state, path, "weights file");
}

namespace {
/// Keys of the restore_best copy in a checkpoint. Params are `<layer>/<param>`, so
/// `restore_best/<layer>/<param>` never names a param of its own.
const std::string kBestPrefix = "restore_best/";

NpzEntries weightEntries(const ModelDescriptor &desc, const ModelState &state, const Normalizer &norm) {
  NpzEntries e;
  for (size_t i = 0; i < desc.params.size(); ++i)
    e.emplace_back(desc.params[i].name, state.params.at(i));
  for (auto &kv : norm.entries())
    e.push_back(std::move(kv));
  return e;
}
} // namespace

void saveWeights(const std::string &path, const ModelDescriptor &desc, const ModelState &state,
                 const Normalizer &norm) {
  writeNpz(path, weightEntries(desc, state, norm));
}

void saveCheckpoint(const std::string &path, const ModelDescriptor &desc, const ModelState &state,
                    const Normalizer &norm, const TrainProgress &p) {
  NpzEntries e = weightEntries(desc, state, norm);
  for (size_t i = 0; i < desc.states.size(); ++i)
    e.emplace_back("state/" + desc.states[i].name, state.states.at(i));
  // float32 cannot hold step counts above 2^24 or a double exactly, so each field is stored as
  // its 64-bit pattern in four 16-bit pieces: resuming is bit-exact.
  auto pack = [](uint64_t bits) {
    std::vector<float> v(4);
    for (int i = 0; i < 4; ++i)
      v[i] = static_cast<float>((bits >> (16 * (3 - i))) & 0xFFFF);
    return Array({4}, v);
  };
  auto packInt = [&](int64_t v) { return pack(static_cast<uint64_t>(v)); };
  auto packDouble = [&](double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    return pack(bits);
  };
  e.emplace_back("trainer/epoch", packInt(p.epoch));
  e.emplace_back("trainer/step", packInt(p.step));
  e.emplace_back("trainer/lr", packDouble(p.lr));
  e.emplace_back("trainer/best", packDouble(p.best));
  e.emplace_back("trainer/wait_stop", packInt(p.waitStop));
  e.emplace_back("trainer/wait_lr", packInt(p.waitLr));
  e.emplace_back("trainer/best_lr", packDouble(p.bestLr));
  e.emplace_back("trainer/epoch_step", packInt(p.epochStep));
  e.emplace_back("trainer/epoch_loss_sum", packDouble(p.epochLossSum));
  e.emplace_back("trainer/best_epoch", packInt(p.bestEpoch));
  if (p.bestState) {
    for (size_t i = 0; i < desc.params.size(); ++i)
      e.emplace_back(kBestPrefix + desc.params[i].name, p.bestState->params.at(i));
    for (size_t i = 0; i < desc.states.size(); ++i)
      e.emplace_back(kBestPrefix + "state/" + desc.states[i].name, p.bestState->states.at(i));
  }
  writeNpz(path, e);
}

TrainProgress loadCheckpoint(const std::string &path, const ModelDescriptor &desc, ModelState &state,
                             Normalizer &norm) {
  std::map<std::string, Array> arrays = loadParamsOf(desc, state, path, "checkpoint");
  auto get = [&](const std::string &key) -> const Array & {
    auto it = arrays.find(key);
    if (it == arrays.end())
      throw std::runtime_error(fmt::format("'{}' is not a checkpoint of this model (no '{}'); --resume takes the "
                                           "checkpoint a train run writes, --init takes plain weights",
                                           path, key));
    return it->second;
  };
  auto getShaped = [&](const std::string &key, const Dims &dims) -> const Array & {
    const Array &a = get(key);
    if (a.dims != dims)
      throw std::runtime_error(fmt::format("checkpoint '{}': '{}' has shape {}, the model needs {}", path, key,
                                           shapeText(a.dims), shapeText(dims)));
    return a;
  };
  for (size_t i = 0; i < desc.states.size(); ++i)
    state.states[i] = getShaped("state/" + desc.states[i].name, desc.states[i].dims);
  auto unpack = [&](const std::string &key) {
    const Array &a = get(key);
    if (a.data.size() != 4)
      throw std::runtime_error(fmt::format("checkpoint '{}': malformed '{}'", path, key));
    uint64_t bits = 0;
    for (int i = 0; i < 4; ++i) {
      // Each piece is a 16-bit integer; anything else (NaN, -1, 1e30) is a corrupt file,
      // and converting it to an integer would be undefined.
      const float piece = a.data[i];
      if (!(piece >= 0.0f && piece <= 65535.0f && piece == static_cast<float>(static_cast<int>(piece))))
        throw std::runtime_error(fmt::format("checkpoint '{}': malformed '{}'", path, key));
      bits = (bits << 16) | static_cast<uint64_t>(piece);
    }
    return bits;
  };
  auto unpackInt = [&](const std::string &key) { return static_cast<int64_t>(unpack(key)); };
  auto unpackDouble = [&](const std::string &key) {
    uint64_t bits = unpack(key);
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  };
  TrainProgress p;
  p.epoch = unpackInt("trainer/epoch");
  p.step = unpackInt("trainer/step");
  p.lr = unpackDouble("trainer/lr");
  p.best = unpackDouble("trainer/best");
  p.waitStop = unpackInt("trainer/wait_stop");
  p.waitLr = unpackInt("trainer/wait_lr");
  p.bestLr = unpackDouble("trainer/best_lr");
  // Checkpoints from before mid-epoch checkpoints have neither: they were written at epoch ends.
  if (arrays.count("trainer/epoch_step")) {
    p.epochStep = unpackInt("trainer/epoch_step");
    p.epochLossSum = unpackDouble("trainer/epoch_loss_sum");
  }
  // Checkpoints from before restore_best was saved have neither (TrainRun says what it does).
  if (arrays.count("trainer/best_epoch"))
    p.bestEpoch = unpackInt("trainer/best_epoch");
  if (!desc.params.empty() && arrays.count(kBestPrefix + desc.params[0].name)) {
    ModelState best;
    for (const auto &param : desc.params)
      best.params.push_back(getShaped(kBestPrefix + param.name, param.dims));
    for (const auto &st : desc.states)
      best.states.push_back(getShaped(kBestPrefix + "state/" + st.name, st.dims));
    p.bestState = std::move(best);
  }
  if (norm.active())
    norm.restore(arrays, path);
  return p;
}

int64_t paramCount(const ModelDescriptor &desc) {
  int64_t n = 0;
  for (const auto &p : desc.params)
    n += numElements(p.dims);
  return n;
}

} // namespace aec::rt
