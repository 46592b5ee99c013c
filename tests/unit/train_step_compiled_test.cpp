/// The same training steps from the same weights give the same weights, compiled (MLIR ->
/// native) and interpreted (xtensor reference), to 1e-5 relative in float32.
#include "frontend/ModelSpec.h"
#include "ir/Interpreter.h"
#include "passes/Passes.h"
#include "passes/lowering/Lowering.h"

#include <catch2/catch.hpp>
#include <random>

using namespace aec;

namespace {
/// Runs graph `g` through its compiled entry point with buffers bound by name.
TensorMap runCompiled(const LoadedModule &lib, const Graph &g, const TensorMap &inputs) {
  std::vector<std::vector<float>> storage;
  std::vector<void *> buffers;
  for (ValueId v : g.inputs()) {
    const Tensor &t = inputs.at(g.node(v).attrs.getString("name"));
    storage.emplace_back(t.begin(), t.end());
  }
  for (const GraphOutput &o : g.outputs)
    storage.emplace_back(g.type(o.value).numElements(), 0.0f);
  for (auto &s : storage)
    buffers.push_back(s.data());
  lib.call(g.name, buffers);
  TensorMap out;
  size_t k = g.inputs().size();
  for (const GraphOutput &o : g.outputs) {
    const Shape &shape = g.type(o.value).shape;
    Tensor t = xt::zeros<double>(std::vector<size_t>(shape.begin(), shape.end()));
    std::copy(storage[k].begin(), storage[k].end(), t.begin());
    out[o.name] = t;
    ++k;
  }
  return out;
}

double relativeDifference(const Tensor &a, const Tensor &b) {
  return xt::amax(xt::abs(a - b))() / std::max(xt::amax(xt::abs(b))(), 1e-12);
}

/// Random params, zero optimizer state, random batch with two padded (weight 0) rows (a
/// batch of one or two keeps its first row).
TensorMap initialInputs(const Graph &g, std::mt19937 &rng) {
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  TensorMap in;
  for (ValueId v : g.inputs()) {
    const Node &n = g.node(v);
    const std::string &name = n.attrs.getString("name"), &role = n.attrs.getString("role");
    Tensor t = xt::zeros<double>(std::vector<size_t>(n.type.shape.begin(), n.type.shape.end()));
    if (role == role::Param || role == role::Data || role == role::Target)
      for (double &x : t)
        x = u(rng);
    if (role == role::Weight)
      for (size_t i = 0; i < t.size(); ++i)
        t.flat(i) = i == 0 || i + 2 < t.size() ? 1.0 : 0.0;
    if (name == "lr")
      t() = 1e-2;
    roundToDType(t, DType::F32);
    in[name] = t;
  }
  return in;
}

/// Five training steps of `spec` at `batch`, compiled from the optimised module, against
/// the interpreter on the unoptimised one (so a graph pass that changed the answer would
/// show here too): the loss at every step and the params after the last; then every other
/// function once on the final params.
void checkCompiledSteps(const ModelSpec &spec, int64_t batch, const std::string &target = "cpu") {
  const Module unoptimised = buildTrainingModule(spec, batch);
  Module m = unoptimised;
  defaultPipeline().run(m);
  std::unique_ptr<LoadedModule> lib = compileAndLoad(m, target);
  const Graph &step = *m.find("train_step"), &reference = *unoptimised.find("train_step");
  AecEntryFn fn = lib->entry("train_step");
  REQUIRE(fn);

  std::mt19937 rng(42);
  TensorMap interp = initialInputs(reference, rng), compiled = interp;
  for (int t = 1; t <= 5; ++t) {
    interp["t"]() = compiled["t"]() = t;
    TensorMap a = interpret(reference, interp), b = runCompiled(*lib, step, compiled);
    INFO("step " << t << " loss interp " << a["loss"]() << " compiled " << b["loss"]());
    CHECK(relativeDifference(b["loss"], a["loss"]) <= 1e-5);
    for (const GraphOutput &o : step.outputs)
      if (o.name != "loss") {
        interp[o.name] = a[o.name];
        compiled[o.name] = b[o.name];
      }
  }
  for (ValueId v : step.inputsWithRole(role::Param)) {
    const std::string &name = step.node(v).attrs.getString("name");
    INFO(name);
    CHECK(relativeDifference(compiled[name], interp[name]) <= 1e-5);
  }
  for (const Graph &g : m.graphs) {
    if (g.name == "train_step")
      continue;
    INFO("function " << g.name);
    const Graph &ref = *unoptimised.find(g.name);
    TensorMap in = interp;
    for (ValueId v : ref.inputs()) // latent codes and the like: fresh random values
      if (!in.count(ref.node(v).attrs.getString("name")))
        in.merge(initialInputs(ref, rng));
    TensorMap a = interpret(ref, in), b = runCompiled(*lib, g, in);
    for (const GraphOutput &o : g.outputs)
      CHECK(relativeDifference(b[o.name], a[o.name]) <= 1e-5);
  }
}
} // namespace

TEST_CASE("compiled train steps match the interpreter", "[lowering][train]") {
  // Not here: sdss_colors with Adam's eps = 1e-7. The layers before each LayerNorm get
  // gradient components that are pure rounding noise (LayerNorm removes the mean direction)
  // and Adam scales those towards full +-lr steps, so even after one step two correct float32
  // implementations differ by ~1e-4 relative (measured; < 1e-5 with SGD or eps = 1e-3).
  // The PyTorch cross-check covers that configuration at its 1e-3 tolerance.
  struct Case {
    const char *model, *optimizer;
    double eps;
  };
  for (const Case &c :
       {Case{"ring.yaml", "adam", 1e-7}, Case{"ring.yaml", "sgd", 0},
        Case{"sdss_colors.yaml", "sgd", 0}, Case{"sdss_colors.yaml", "adam", 1e-3}}) {
    SECTION(std::string(c.model) + " " + c.optimizer + " eps " + std::to_string(c.eps)) {
      ModelSpec spec = loadModelSpec(std::string(AEC_SOURCE_DIR) + "/models/" + c.model);
      spec.optimizer.kind = c.optimizer;
      spec.optimizer.eps = c.eps;
      spec.optimizer.momentum = 0.9;
      checkCompiledSteps(spec, 8);
    }
  }
}

TEST_CASE("compiled LSTM steps (scans) match the interpreter", "[lowering][train][scan]") {
  // fashion_recurrent's layers at small sizes: sequences in and out, the code as the last
  // step, repeat and time_distributed; odd sizes, one step, batch 1 and 3.
  struct Case {
    int64_t batch, steps, features;
  };
  for (const Case &c : {Case{3, 5, 3}, Case{1, 1, 2}, Case{3, 4, 1}}) {
    const std::string t = std::to_string(c.steps), f = std::to_string(c.features);
    SECTION("batch " + std::to_string(c.batch) + " steps " + t + " features " + f) {
      ModelSpec spec = parseModelSpec("input: [" + t + ", " + f + R"(]
encoder:
  - lstm: {units: 5, return_sequences: true}
  - lstm: {units: 3, name: code}
decoder:
  - repeat: )" + t + R"(
  - lstm: {units: 4, return_sequences: true}
  - time_distributed: {layer: {dense: {units: )" + f + R"(, activation: sigmoid}}}
loss: bce
optimizer: {adam: {lr: 0.01}}
)",
                                      "lstm.yaml");
      checkCompiledSteps(spec, c.batch);
    }
  }
}

TEST_CASE("train steps as the cuda target's kernels (run on the host) match the interpreter",
          "[lowering][train][gpu-kernels]") {
  // The GPU's kernels, block by block on the CPU: a dense model with Adam, a conv model
  // (gather-form convolutions, pooling, upsampling) with odd sizes, and an LSTM (the scan's
  // host loop launching kernels).
  SECTION("ring adam") {
    ModelSpec spec = loadModelSpec(std::string(AEC_SOURCE_DIR) + "/models/ring.yaml");
    checkCompiledSteps(spec, 8, "cuda-on-host");
  }
  SECTION("conv, strided and same padding, odd sizes, conv2d_transpose") {
    ModelSpec spec = parseModelSpec(R"(input: [8, 6, 2]
encoder:
  - conv2d: {filters: 3, kernel: 3, strides: 2, padding: same, activation: relu}
  - conv2d: {filters: 4, kernel: 2, padding: valid, activation: tanh}
  - flatten: {}
  - dense: {units: 3, name: code}
decoder:
  - dense: {units: 36, activation: selu}
  - reshape: [4, 3, 3]
  - conv2d_transpose: {filters: 2, kernel: 3, strides: 2, padding: same, activation: sigmoid}
loss: mse
optimizer: {adam: {lr: 0.01}}
)",
                                    "conv.yaml");
    checkCompiledSteps(spec, 3, "cuda-on-host");
  }
  SECTION("pooling and upsampling, conv2d_transpose valid") {
    ModelSpec spec = parseModelSpec(R"(input: [6, 10, 1]
encoder:
  - maxpool: 2
  - conv2d: {filters: 2, kernel: 3, padding: same, activation: elu}
  - avgpool: {pool: [1, 5]}
  - flatten: {}
  - dense: {units: 2, name: code}
decoder:
  - dense: {units: 8, activation: relu}
  - reshape: [2, 4, 1]
  - conv2d_transpose: {filters: 2, kernel: 2, strides: 1, padding: valid}
  - upsample: 2
  - conv2d_transpose: {filters: 1, kernel: 3, padding: same, activation: sigmoid}
loss: mse
optimizer: {sgd: {lr: 0.1, momentum: 0.9}}
)",
                                    "pool.yaml");
    checkCompiledSteps(spec, 3, "cuda-on-host");
  }
  SECTION("lstm") {
    ModelSpec spec = parseModelSpec(R"(input: [4, 3]
encoder:
  - lstm: {units: 5, return_sequences: true}
  - lstm: {units: 3, name: code}
decoder:
  - repeat: 4
  - lstm: {units: 4, return_sequences: true}
  - time_distributed: {layer: {dense: {units: 3, activation: sigmoid}}}
loss: bce
optimizer: {adam: {lr: 0.01}}
)",
                                    "lstm.yaml");
    checkCompiledSteps(spec, 3, "cuda-on-host");
  }
}
