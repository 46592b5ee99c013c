/// `aec check`: validates a model file and prints a Keras-like summary.
#include "tools/driver/Driver.h"

#include "frontend/Expand.h"
#include "passes/Passes.h"

#include <aec/CheckedSize.h>
#include <aec/Config.h>
#include <fmt/format.h>

#include <iostream>
#include <optional>

namespace aec::driver {
namespace {

/// Reads the data file (data.path, or `dataOverride`) with the trainer's own reader, so that a
/// width that does not fit the input fails here with the message `train` gives. Returns a
/// line for the summary ("" for generated data).
std::string checkDataShape(const ModelSpec &spec, const std::string &dataOverride) {
  rt::RunConfig config = rt::parseRunConfig(spec.settings);
  config.inputShape = spec.inputShape;
  const Shape &out = spec.decoder.empty() ? spec.inputShape : spec.decoder.back().outputShape;
  config.outputShape = out.empty() ? spec.inputShape : out;
  if (dataOverride.empty() && (config.path.empty() || !config.synthetic.empty()))
    return "";
  try {
    rt::Dataset d = rt::loadTrainingData(
        config, dataOverride.empty() ? std::nullopt : std::optional<std::string>(dataOverride));
    return fmt::format("data: '{}', {} samples of {}{}\n", d.source, d.rows(),
                       shapeStr(spec.inputShape), d.target.empty() ? "" : " (with targets)");
  } catch (const std::runtime_error &e) {
    auto loc = spec.settingLocs.find("data.path");
    if (!dataOverride.empty() || loc == spec.settingLocs.end())
      throw;
    fail(loc->second, e.what()); // point at the model's data.path
  }
}

} // namespace

int runCheck(const std::string &model, const std::string &dataOverride) {
  ModelSpec spec = loadSpec(model, 0);
  checkData(spec);
  const std::string dataLine = checkDataShape(spec, dataOverride);
  // Building the functions surfaces what parsing cannot see (layers not expanded yet,
  // unsupported loss terms), so a model that checks also compiles up to lowering.
  // The functions `aec compile` makes: split for threads where it pays.
  ShardPlan shards = planShards(spec, spec.batch);
  Module module = buildTrainingModule(spec, spec.batch, DType::F32, shards.shards);
  std::vector<LayerSummary> rows = summarize(spec);

  size_t nameW = 5, kindW = 4;
  for (const LayerSummary &r : rows) {
    nameW = std::max(nameW, r.name.size());
    kindW = std::max(kindW, r.kind.size());
  }
  std::string rule(nameW + kindW + 52, '-');
  std::cout << "model " << spec.name << ": input " << shapeStr(spec.inputShape) << ", code "
            << shapeStr(spec.encoder.back().outputShape) << ", batch " << spec.batch << "\n"
            << rule << "\n"
            << fmt::format("{:<{}}  {:<{}}  {:<16}  {:>12}  {:>14}\n", "layer", nameW, "kind",
                           kindW, "output shape", "params", "FLOPs/sample")
            << rule << "\n";
  int64_t params = 0, flops = 0;
  for (const LayerSummary &r : rows) {
    std::cout << fmt::format("{:<{}}  {:<{}}  {:<16}  {:>12}  {:>14}\n", r.name, nameW, r.kind,
                             kindW, shapeStr(r.outputShape), grouped(r.params),
                             grouped(r.flops));
    // Saturating: a count too large for int64 prints as its maximum, never wrapped.
    params = saturatingAdd(params, r.params);
    flops = saturatingAdd(flops, r.flops);
  }
  std::cout << rule << "\n"
            << "total params: " << grouped(params) << " (" << grouped(saturatingMul(params, 4))
            << " bytes as f32)\n"
            << "forward FLOPs per sample: " << grouped(flops) << "\n"
            << "FLOPs per training step: " << grouped(saturatingProduct({3, flops, spec.batch}))
            << " (forward + backward ~ 3 x forward, x batch " << spec.batch << ")\n"
            << "loss " << spec.loss.reconstruction << ", optimizer " << spec.optimizer.kind
            << " (lr " << spec.optimizer.lr << ")\n";
  if (shards.shards > 1)
    std::cout << "threads: the step split into " << shards.shards
              << " shards (grad_step on each, then update_step)\n";
  else
    std::cout << "threads: 1 (" << shards.reason << ")\n";
  // The plan the compiler will make: the default graph passes, then the CPU pipeline
  // through aec-plan-arena (no code generation, so check stays quick).
  defaultPipeline().run(module);
  std::cout << planSummary(planFunctions(module)) << dataLine;
  return 0;
}

} // namespace aec::driver
