/// Compiled (MLIR -> native) against the interpreter for small conv autoencoder steps:
/// forward, loss and backward through every image layer path (im2col conv, strided and
/// same-padded; conv2d_transpose; max/avg pooling both general and tiled; upsample), float32,
/// after the default graph passes. A hidden benchmark ("[.bench]") times one SGD training
/// step of a 28x28 conv AE at batch 32.
#include "lowering_helpers.h"
#include "passes/Passes.h"

#include <chrono>
#include <iostream>

using namespace aec;
using namespace aec::testing;

namespace {
using A = std::array<int64_t, 2>;

/// x + b with a per-channel bias b [C] on a [B, H, W, C] value.
ValueId addBias(Builder &b, ValueId x, ValueId bias) {
  return b.add(x, b.broadcast(bias, b.shape(x), {3}));
}

/// A conv AE through the general window paths (3x3 stride 2 max pool, 3x3 stride 1 avg
/// pool with same padding), reconstructing its input: outputs loss, y and d loss / d k*.
Graph generalPathsStep() {
  Graph g;
  g.name = "general";
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, {2, 8, 8, 1}});
  ValueId w = b.input("w", role::Weight, {DType::F32, {2}});
  ValueId k1 = b.input("k1", role::Param, {DType::F32, {3, 3, 1, 4}});
  ValueId b1 = b.input("b1", role::Param, {DType::F32, {4}});
  ValueId k2 = b.input("k2", role::Param, {DType::F32, {3, 3, 4, 4}});
  ValueId k3 = b.input("k3", role::Param, {DType::F32, {3, 3, 1, 4}});
  ValueId h = b.relu(addBias(b, conv2d(b, x, k1, {1, 1}, Padding::Same), b1)); // 8x8x4
  h = maxPool(b, h, A{3, 3}, A{2, 2}, Padding::Same);                          // 4x4
  h = b.tanh(conv2d(b, h, k2, {2, 2}, Padding::Same));                         // 2x2
  h = upsample(b, h, A{2, 2});                                                 // 4x4
  h = avgPool(b, h, A{3, 3}, A{1, 1}, Padding::Same);                          // 4x4
  ValueId y = b.sigmoid(conv2dTranspose(b, h, k3, {2, 2}, Padding::Same));     // 8x8x1
  ValueId loss = weightedMean(b, perSampleLoss(b, "mse", y, x, false), w);
  std::vector<ValueId> grads = buildGradients(g, loss, {k1, b1, k2, k3});
  g.addOutput("loss", loss);
  g.addOutput("y", y);
  for (size_t i = 0; i < grads.size(); ++i)
    g.addOutput("grad" + std::to_string(i), grads[i]);
  return g;
}

/// Odd sizes through the tiled pooling paths (same padding with -inf and with counts),
/// valid conv and valid strided conv2d_transpose; loss = sum(y * r) with random r.
Graph tiledPathsStep() {
  Graph g;
  g.name = "tiled";
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, {2, 7, 7, 2}});
  ValueId k1 = b.input("k1", role::Param, {DType::F32, {3, 3, 2, 3}});
  ValueId k2 = b.input("k2", role::Param, {DType::F32, {3, 3, 2, 3}});
  ValueId h = b.tanh(conv2d(b, x, k1, {1, 1}, Padding::Valid));  // 5x5x3
  h = maxPool(b, h, A{2, 2}, A{2, 2}, Padding::Same);            // 3x3
  h = avgPool(b, h, A{2, 2}, A{2, 2}, Padding::Same);            // 2x2
  h = upsample(b, h, A{2, 2});                                   // 4x4
  ValueId y = conv2dTranspose(b, h, k2, {2, 2}, Padding::Valid); // 9x9x2
  ValueId r = b.input("r", role::Target, b.type(y));
  ValueId loss = b.sumAll(b.mul(y, r));
  std::vector<ValueId> grads = buildGradients(g, loss, {x, k1, k2});
  g.addOutput("loss", loss);
  g.addOutput("y", y);
  for (size_t i = 0; i < grads.size(); ++i)
    g.addOutput("grad" + std::to_string(i), grads[i]);
  return g;
}

/// max |compiled - interpreted| / max |interpreted| per output must stay within `rel`;
/// `g` is compiled (optimised), `reference` the same graph before any pass.
void checkRelative(const LoadedModule &lib, const Graph &g, const Graph &reference,
                   const TensorMap &inputs, double rel) {
  TensorMap expected = interpret(reference, inputs);
  std::vector<HostBuffer> got = runCompiled(lib, g, inputs);
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    const Tensor &ref = expected.at(g.outputs[o].name);
    double diff = 0, scale = 1e-30;
    for (size_t i = 0; i < ref.size(); ++i) {
      diff = std::max(diff, std::fabs(got[o].get(i) - ref.flat(i)));
      scale = std::max(scale, std::fabs(ref.flat(i)));
    }
    INFO(g.name << " output " << g.outputs[o].name << ": max difference " << diff
                << " of max magnitude " << scale);
    CHECK(diff <= rel * scale);
  }
}
} // namespace

TEST_CASE("conv autoencoder steps compile and match the interpreter", "[lowering][image]") {
  Module unoptimised;
  unoptimised.graphs.push_back(generalPathsStep());
  unoptimised.graphs.push_back(tiledPathsStep());
  Module m = unoptimised;
  defaultPipeline().run(m);
  std::unique_ptr<LoadedModule> lib = compileAndLoad(m);
  std::mt19937 rng(31);
  for (size_t i = 0; i < m.graphs.size(); ++i) {
    TensorMap inputs = randomInputs(unoptimised.graphs[i], -1, 1, rng);
    if (inputs.count("w"))
      inputs["w"] = Tensor({1.0, 0.0}); // a padded sample, as a partial batch has
    checkRelative(*lib, m.graphs[i], unoptimised.graphs[i], inputs, 1e-5);
  }
}

namespace {
/// The fashion_conv autoencoder of issue 4 at batch `batch`, as one SGD training step:
/// conv 16/32/64 3x3 SELU + maxpool 2, conv2d_transpose 32 (valid) / 16 / 1 stride 2,
/// sigmoid (BCE from logits). Outputs the loss and every updated parameter.
Graph fashionConvStep(int64_t batch) {
  Graph g;
  g.name = "train_step";
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, {batch, 28, 28, 1}});
  ValueId w = b.input("w", role::Weight, {DType::F32, {batch}});
  ValueId lr = b.input("lr", role::Hyper, {DType::F32, {}});
  std::vector<ValueId> params;
  auto param = [&](const std::string &name, Shape shape) {
    params.push_back(b.input(name, role::Param, {DType::F32, std::move(shape)}));
    return params.back();
  };
  ValueId h = x;
  int64_t in = 1;
  for (int64_t f : {16, 32, 64}) {
    ValueId k = param("enc_k" + std::to_string(f), {3, 3, in, f});
    ValueId bias = param("enc_b" + std::to_string(f), {f});
    h = activation(b, addBias(b, conv2d(b, h, k, {1, 1}, Padding::Same), bias), "selu", NAN);
    h = maxPool(b, h, A{2, 2}, A{2, 2}, Padding::Valid); // 14, 7, 3
    in = f;
  }
  struct Up {
    int64_t f;
    Padding padding;
  };
  for (Up u : {Up{32, Padding::Valid}, Up{16, Padding::Same}, Up{1, Padding::Same}}) {
    ValueId k = param("dec_k" + std::to_string(u.f), {3, 3, u.f, in});
    ValueId bias = param("dec_b" + std::to_string(u.f), {u.f});
    h = addBias(b, conv2dTranspose(b, h, k, {2, 2}, u.padding), bias); // 7, 14, 28
    if (u.f != 1)
      h = activation(b, h, "selu", NAN);
    in = u.f;
  }
  ValueId loss = weightedMean(b, perSampleLoss(b, "bce", h, x, true), w);
  std::vector<ValueId> grads = buildGradients(g, loss, params);
  g.addOutput("loss", loss);
  for (size_t i = 0; i < params.size(); ++i)
    g.addOutput(g.node(params[i]).attrs.getString("name"),
                b.sub(params[i], b.mul(b.broadcastScalarLike(lr, grads[i]), grads[i])));
  return g;
}
} // namespace

namespace {
/// One conv2d or conv2d_transpose layer of fashionConvStep (+ max pool 2 after encoder
/// convs), forward only or forward and backward (gradients w.r.t. input and kernel).
Graph layerGraph(const std::string &name, Shape xs, Shape ks, bool transpose, bool pool,
                 bool backward) {
  Graph g;
  g.name = name + (backward ? "_fwd_bwd" : "_fwd");
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, std::move(xs)});
  ValueId k = b.input("k", role::Param, {DType::F32, std::move(ks)});
  ValueId y = transpose ? conv2dTranspose(b, x, k, {2, 2}, Padding::Same)
                        : conv2d(b, x, k, {1, 1}, Padding::Same);
  if (pool)
    y = maxPool(b, y, A{2, 2}, A{2, 2}, Padding::Valid);
  if (!backward) {
    g.addOutput("y", y);
    return g;
  }
  std::vector<ValueId> grads = buildGradients(g, b.sumAll(b.mul(y, y)), {x, k});
  g.addOutput("gx", grads[0]);
  g.addOutput("gk", grads[1]);
  return g;
}

/// Mean seconds per call of `g` over `calls`, after one warm-up call.
double timeGraph(const LoadedModule &lib, const Graph &g, const TensorMap &inputs, int calls) {
  using Clock = std::chrono::steady_clock;
  runCompiled(lib, g, inputs);
  Clock::time_point t0 = Clock::now();
  for (int i = 0; i < calls; ++i)
    runCompiled(lib, g, inputs);
  return std::chrono::duration<double>(Clock::now() - t0).count() / calls;
}
} // namespace

TEST_CASE("benchmark: one training step of a 28x28 conv AE at batch 32", "[.bench][image]") {
  using Clock = std::chrono::steady_clock;
  Module m;
  m.graphs.push_back(fashionConvStep(32));
  defaultPipeline().run(m);
  const Graph &g = m.graphs[0];
  Clock::time_point t0 = Clock::now();
  std::unique_ptr<LoadedModule> lib = compileAndLoad(m);
  double compile = std::chrono::duration<double>(Clock::now() - t0).count();
  std::mt19937 rng(1);
  TensorMap inputs = randomInputs(g, 0, 1, rng);
  inputs["lr"]() = 1e-3;
  for (double &v : inputs["w"])
    v = 1.0;
  double step = timeGraph(*lib, g, inputs, 10);
  std::cout << "conv AE 28x28 batch 32: " << g.size() << " graph nodes, compile " << compile
            << " s, train step " << step * 1e3 << " ms\n";

  // Where the time goes: each layer alone, forward and forward + backward.
  Module layers;
  struct Layer {
    const char *name;
    Shape x, k;
    bool transpose, pool;
  };
  for (const Layer &l : {Layer{"conv16", {32, 28, 28, 1}, {3, 3, 1, 16}, false, true},
                         Layer{"conv32", {32, 14, 14, 16}, {3, 3, 16, 32}, false, true},
                         Layer{"conv64", {32, 7, 7, 32}, {3, 3, 32, 64}, false, true},
                         Layer{"convT16", {32, 7, 7, 32}, {3, 3, 16, 32}, true, false},
                         Layer{"convT1", {32, 14, 14, 16}, {3, 3, 1, 16}, true, false}})
    for (bool backward : {false, true})
      layers.graphs.push_back(layerGraph(l.name, l.x, l.k, l.transpose, l.pool, backward));
  defaultPipeline().run(layers);
  std::unique_ptr<LoadedModule> layerLib = compileAndLoad(layers);
  for (const Graph &lg : layers.graphs)
    std::cout << "  " << lg.name << ": "
              << timeGraph(*layerLib, lg, randomInputs(lg, 0, 1, rng), 5) * 1e3 << " ms\n";
  CHECK(step > 0);
}
