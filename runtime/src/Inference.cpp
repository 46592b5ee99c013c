/// encode / decode / reconstruct / score over arrays, shared by the trainer's commands and
/// the C API.
#include <aec/Finite.h>
#include <aec/Inference.h>
#include <aec/Random.h>

#include <fmt/format.h>

namespace aec::rt {
namespace {

/// The first result of `fn` with `role`, else its first result.
const Array &pickResult(const std::map<std::string, Array> &out, const FunctionInfo &fn, const std::string &role) {
  for (const auto &r : fn.results)
    if (r.role == role && out.count(r.name))
      return out.at(r.name);
  for (const auto &r : fn.results)
    if (out.count(r.name))
      return out.at(r.name);
  throw std::runtime_error(fmt::format("function '{}' has no per-sample result", fn.name));
}

/// The generated function an inference runs.
const char *functionOf(Inference what) {
  switch (what) {
  case Inference::Encode: return "encode";
  case Inference::Decode: return "decode";
  case Inference::Reconstruct: return "reconstruct";
  case Inference::Score: return "eval_step";
  }
  return "";
}

} // namespace

LoadedWeights loadForInference(const Model &model, const RunConfig &config, const std::string &weights) {
  LoadedWeights l{initModelState(model.desc, 0), Normalizer(config.normalize, config.transform)};
  auto arrays = loadParams(model.desc, l.state, weights);
  requireFiniteState(model.desc, l.state, "weights file", weights);
  if (l.norm.active())
    l.norm.restore(arrays, weights);
  return l;
}

void requireVae(const ModelDescriptor &desc) {
  auto it = desc.settings.find("model.vae");
  if (it == desc.settings.end() || (it->second != "true" && it->second != "1"))
    throw std::runtime_error(fmt::format("model '{}' has no vae_latent: `sample` needs a VAE", desc.name));
}

Array priorDraws(const ModelDescriptor &desc, int64_t n, uint64_t seed) {
  Dims dims{n};
  dims.insert(dims.end(), desc.codeShape.begin(), desc.codeShape.end());
  Array z(dims);
  Rng rng(seed, Stream::Sample);
  for (float &v : z.data)
    v = static_cast<float>(rng.normal());
  return z;
}

void requireInference(const Model &model, Inference what) {
  if (what == Inference::Decode && !model.hasFunction("decode"))
    throw std::runtime_error(
        fmt::format("model '{}' has no stand-alone decoder (it has skips from the encoder)", model.desc.name));
  (void)model.requireFunction(functionOf(what));
}

Array runInference(const Model &model, Inference what, Array input, ModelState &state, const Normalizer &norm) {
  requireInference(model, what);
  const FunctionInfo &info = model.requireFunction(functionOf(what));
  // decode reads codes, the others samples in the data's units.
  const bool fromCodes = what == Inference::Decode;
  if (!fromCodes)
    norm.apply(input);
  auto results = runOverDataset(model, info.name,
                                fromCodes ? BatchSource{nullptr, nullptr, &input} : BatchSource{&input, nullptr, nullptr},
                                state);
  if (what == Inference::Encode)
    return pickResult(results, info, "latent");
  if (what == Inference::Score)
    return results.count("loss") ? results.at("loss") : pickResult(results, info, "loss");
  Array x = pickResult(results, info, "output"); // decode, reconstruct: back in the data's units
  norm.invert(x);
  return x;
}

} // namespace aec::rt
