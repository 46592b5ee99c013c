// Expansion of every layer family: param names, shapes and inits (Keras), output shapes,
// what differs between ForwardMode::Train and ForwardMode::Infer, and what the training
// module and descriptor make of it (noise inputs, moving statistics, model.vae).
#include "frontend/Expand.h"
#include "ir/OpRegistry.h"
#include "passes/Describe.h"
#include "passes/Passes.h"

#include <aec/Random.h>
#include <aec/Weights.h>

#include <catch2/catch.hpp>

using namespace aec;

namespace {

ModelSpec spec(const std::string &text) { return parseModelSpec(text, "m.yaml"); }

/// name -> (shape, init) of the params of the full forward graph.
std::map<std::string, std::pair<Shape, std::string>> params(const ModelSpec &s) {
  ForwardInfo info;
  buildForward(s, 2, ForwardPart::Full, &info);
  std::map<std::string, std::pair<Shape, std::string>> out;
  for (const ParamSpec &p : info.params)
    out[p.name] = {p.shape, p.init};
  return out;
}

int count(const Graph &g, const std::string &op) {
  int n = 0;
  for (const Node &node : g.nodes())
    n += node.op == op;
  return n;
}

std::vector<std::string> inputNames(const Graph &g, const std::string &role) {
  std::vector<std::string> out;
  for (ValueId v : g.inputsWithRole(role))
    out.push_back(g.node(v).attrs.getString("name"));
  return out;
}

} // namespace

TEST_CASE("conv layers: Keras kernel layouts and fans", "[frontend][image]") {
  ModelSpec s = spec(R"(input: [28, 28, 1]
encoder:
  - conv2d: {filters: 16, kernel: 3, activation: selu, name: c1}
  - maxpool: {pool: 2, name: p1}
  - conv2d: {filters: 8, kernel: [3, 5], strides: 2, padding: valid, use_bias: false, name: c2}
  - avgpool: {pool: 2, padding: same, name: code}
decoder:
  - upsample: {size: 3, name: up}
  - conv2d_transpose: {filters: 4, kernel: 3, strides: 2, padding: valid, name: t1}
  - conv2d: {filters: 1, kernel: 3, activation: sigmoid, padding: valid, name: last}
  - flatten
  - dense: 784
  - reshape: [28, 28, 1]
)");
  auto p = params(s);
  CHECK(p.at("c1/kernel") == std::pair<Shape, std::string>{{3, 3, 1, 16}, "glorot_uniform:9:144"});
  CHECK(p.at("c1/bias") == std::pair<Shape, std::string>{{16}, "zeros"});
  CHECK(p.at("c2/kernel") == std::pair<Shape, std::string>{{3, 5, 16, 8}, "glorot_uniform:240:120"});
  CHECK(p.count("c2/bias") == 0);
  // conv2d_transpose: [kh, kw, filters, in]; Keras' fans: receptive field x dims 2 and 3.
  CHECK(p.at("t1/kernel") == std::pair<Shape, std::string>{{3, 3, 4, 8}, "glorot_uniform:36:72"});
  CHECK(p.count("p1/kernel") == 0);

  ForwardInfo info;
  Graph g = buildForward(s, 2, ForwardPart::Full, &info);
  CHECK(g.type(info.layers.at("c1")).shape == Shape{2, 28, 28, 16});
  CHECK(g.type(info.layers.at("p1")).shape == Shape{2, 14, 14, 16});
  CHECK(g.type(info.layers.at("c2")).shape == Shape{2, 6, 5, 8});
  CHECK(g.type(info.code).shape == Shape{2, 3, 3, 8});
  CHECK(g.type(info.layers.at("up")).shape == Shape{2, 9, 9, 8});
  CHECK(g.type(info.layers.at("t1")).shape == Shape{2, 19, 19, 4});
  CHECK(g.type(info.output).shape == Shape{2, 28, 28, 1});
  // Only registered primitive ops reach the passes (convolutions are ops of ir/ops/Conv.cpp),
  // and no padded copy feeds a convolution: its padding is the op's window.
  for (const Node &n : g.nodes()) {
    INFO("op " << n.op);
    CHECK(lookupOp(n.op) != nullptr);
    if (n.op == "conv2d" || n.op == "conv2d_transpose")
      CHECK(g.node(n.operands[0]).op != "pad");
  }
}

TEST_CASE("a conv decoder ending in sigmoid keeps its logits for bce", "[frontend][image]") {
  ModelSpec s = spec(R"(input: [8, 8, 1]
encoder:
  - conv2d: {filters: 2, kernel: 3, strides: 2}
decoder:
  - conv2d_transpose: {filters: 1, kernel: 3, strides: 2, activation: sigmoid}
loss: bce
)");
  ForwardInfo info;
  Graph g = buildForward(s, 2, ForwardPart::Full, &info);
  REQUIRE(info.logits != NoValue);
  CHECK(g.node(info.output).op == "sigmoid");
  CHECK(g.node(info.output).operands[0] == info.logits);
}

TEST_CASE("dense + sigmoid + reshape keeps the logits for bce", "[frontend]") {
  ModelSpec s = spec(R"(input: [4, 2]
encoder:
  - flatten
  - dense: 3
decoder:
  - dense: {units: 8, activation: sigmoid}
  - reshape: [4, 2]
loss: bce
)");
  ForwardInfo info;
  Graph g = buildForward(s, 2, ForwardPart::Full, &info);
  REQUIRE(info.logits != NoValue);
  CHECK(g.type(info.logits).shape == Shape{2, 4, 2});
  CHECK(g.node(info.logits).op == "reshape");
  CHECK(g.node(g.node(info.logits).operands[0]).op == "add"); // the dense pre-activation
}

TEST_CASE("lstm, repeat and time_distributed", "[frontend][lstm]") {
  ModelSpec s = spec(R"(input: [5, 3]
encoder:
  - lstm: {units: 4, return_sequences: true, name: l1}
  - lstm: {units: 2, name: code}
decoder:
  - repeat: {times: 5, name: rep}
  - lstm: {units: 4, return_sequences: true, name: l2}
  - time_distributed: {layer: {dense: {units: 3, activation: sigmoid}}, name: td}
loss: bce
)");
  auto p = params(s);
  CHECK(p.at("l1/kernel") == std::pair<Shape, std::string>{{3, 16}, "glorot_uniform:3:16"});
  CHECK(p.at("l1/recurrent_kernel") == std::pair<Shape, std::string>{{4, 16}, "orthogonal:4:16"});
  CHECK(p.at("l1/bias") == std::pair<Shape, std::string>{{16}, "unit_forget_bias:4"});
  CHECK(p.at("td/kernel") == std::pair<Shape, std::string>{{4, 3}, "glorot_uniform:4:3"});
  ForwardInfo info;
  Graph g = buildForward(s, 2, ForwardPart::Full, &info);
  CHECK(g.type(info.layers.at("l1")).shape == Shape{2, 5, 4});
  CHECK(g.type(info.code).shape == Shape{2, 2});
  CHECK(g.type(info.layers.at("rep")).shape == Shape{2, 5, 2});
  CHECK(g.type(info.output).shape == Shape{2, 5, 3});
  REQUIRE(info.logits != NoValue); // bce from the wrapped dense's logits
  CHECK(g.node(info.output).operands[0] == info.logits);
  // One input projection per layer and the time_distributed dense; each layer's steps
  // are one scan whose body holds the one recurrent matmul.
  CHECK(count(g, "matmul") == 3 + 1);
  CHECK(count(g, "scan") == 3);
  for (const Node &n : g.nodes())
    if (n.op == "scan") {
      CHECK(n.attrs.getInt("length") == 5);
      CHECK(count(*n.body, "matmul") == 1);
    }
}

TEST_CASE("time_distributed of a conv folds time into the batch", "[frontend][image]") {
  ModelSpec s = spec(R"(input: [3, 6, 6, 1]
encoder:
  - time_distributed: {layer: {conv2d: {filters: 2, kernel: 3, strides: 2}}, name: tc}
  - flatten
  - dense: {units: 2, name: code}
decoder:
  - dense: 108
  - reshape: [3, 6, 6, 1]
)");
  ForwardInfo info;
  Graph g = buildForward(s, 4, ForwardPart::Full, &info);
  CHECK(g.type(info.layers.at("tc")).shape == Shape{4, 3, 3, 3, 2});
  CHECK(params(s).at("tc/kernel").first == Shape{3, 3, 1, 2});
}

TEST_CASE("time_distributed of flatten, reshape and repeat builds the checked shapes",
          "[frontend][lstm]") {
  ModelSpec s = spec(R"(input: [3, 4, 2]
encoder:
  - time_distributed: {layer: flatten, name: f1}
  - time_distributed: {layer: {reshape: [2, 4]}, name: r}
  - time_distributed: {layer: flatten, name: f2}
  - time_distributed: {layer: {repeat: 2}, name: rep}
decoder:
  - flatten
  - dense: 24
  - reshape: [3, 4, 2]
)");
  for (ForwardMode mode : {ForwardMode::Train, ForwardMode::Infer}) {
    ForwardInfo info;
    Graph g = buildForward(s, 2, ForwardPart::Full, &info, DType::F32, mode);
    CHECK_NOTHROW(verifyGraph(g));
    for (const LayerSpec &l : s.encoder)
      CHECK(g.type(info.layers.at(l.name)).shape == withBatch(2, l.outputShape));
  }
  CHECK(s.encoder[3].outputShape == Shape{3, 2, 8});
}

TEST_CASE("train and infer modes differ only where Keras' do", "[frontend][modes]") {
  ModelSpec s = spec(R"(input: [6]
encoder:
  - gaussian_noise: {stddev: 0.1, name: gn}
  - dense: {units: 4, name: h}
  - batchnorm: {name: bn}
  - dropout: {rate: 0.5, name: drop}
  - vae_latent: {units: 2, name: code}
decoder:
  - dense: 6
)");
  ForwardInfo train, infer;
  Graph gt = buildForward(s, 3, ForwardPart::Full, &train, DType::F32, ForwardMode::Train);
  Graph gi = buildForward(s, 3, ForwardPart::Full, &infer, DType::F32, ForwardMode::Infer);
  CHECK(inputNames(gt, role::NoiseNormal) == std::vector<std::string>{"noise/gn", "noise/code"});
  CHECK(inputNames(gt, role::NoiseUniform) == std::vector<std::string>{"noise/drop"});
  CHECK(gt.type(gt.findInput("noise/code")).shape == Shape{3, 2});
  CHECK(inputNames(gt, role::Weight) == std::vector<std::string>{"weight"});
  CHECK(inputNames(gi, role::NoiseNormal).empty());
  CHECK(inputNames(gi, role::NoiseUniform).empty());
  CHECK(inputNames(gi, role::Weight).empty());
  // Same params in both modes, moving statistics not trainable.
  REQUIRE(train.params.size() == infer.params.size());
  for (size_t i = 0; i < train.params.size(); ++i) {
    CHECK(train.params[i].name == infer.params[i].name);
    bool moving = train.params[i].name.find("moving") != std::string::npos;
    CHECK(train.params[i].trainable == !moving);
    CHECK(gt.node(gt.findInput(train.params[i].name)).attrs.getInt("trainable", int64_t(1)) ==
          (moving ? 0 : 1));
  }
  auto p = params(s);
  CHECK(p.at("bn/moving_mean").second == "zeros");
  CHECK(p.at("bn/moving_variance").second == "ones");
  CHECK(p.at("code/mean/kernel") == std::pair<Shape, std::string>{{4, 2}, "glorot_uniform:4:2"});
  CHECK(p.at("code/log_var/bias") == std::pair<Shape, std::string>{{2}, "zeros"});
  REQUIRE(train.paramUpdates.size() == 2);
  CHECK(train.paramUpdates[0].first == "bn/moving_mean");
  CHECK(train.paramUpdates[1].first == "bn/moving_variance");
  CHECK(infer.paramUpdates.empty());
  CHECK(train.klPerSample != NoValue);
  CHECK(infer.klPerSample != NoValue);
}

TEST_CASE("train_step: moving statistics are outputs, not optimised", "[frontend][modes]") {
  ModelSpec s = spec(R"(input: [6]
encoder:
  - dense: {units: 4, name: h}
  - batchnorm: {name: bn}
  - vae_latent: {units: 2, name: code}
decoder:
  - dense: 6
loss: {reconstruction: mse, beta: 0.5}
)");
  Module m = buildTrainingModule(s, 4);
  const Graph &train = *m.find("train_step");
  CHECK(train.findOutput("bn/moving_mean") != NoValue);
  CHECK(train.findOutput("bn/moving_variance") != NoValue);
  CHECK(train.findInput("adam.m/bn/moving_mean") == NoValue);
  CHECK(train.findInput("adam.m/bn/gamma") != NoValue);
  CHECK(inputNames(train, role::Weight) == std::vector<std::string>{"weight"}); // shared
  for (const char *fn : {"eval_step", "encode", "decode", "reconstruct"}) {
    INFO(fn);
    REQUIRE(m.find(fn));
    CHECK(m.find(fn)->inputsWithRole(role::NoiseNormal).empty());
    CHECK(m.find(fn)->findInput("weight") == NoValue);
  }
  ForwardInfo info;
  buildForward(s, 4, ForwardPart::Full, &info);
  rt::ModelDescriptor d = describeModel(s, m, info);
  CHECK(d.settings.at("model.vae") == "true");
  const rt::FunctionInfo *f = d.function("train_step");
  REQUIRE(f);
  bool found = false;
  for (const rt::BufferInfo &r : f->results)
    if (r.name == "bn/moving_variance") {
      found = true;
      CHECK(r.role == "param"); // the runtime writes it back like a trained param
    }
  CHECK(found);
  bool noiseArg = false;
  for (const rt::BufferInfo &a : f->args)
    noiseArg |= a.name == "noise/code" && a.role == "noise_normal";
  CHECK(noiseArg);
  CHECK(d.states.size() == 2 * (info.params.size() - 2)); // adam m, v of trainable params
}

TEST_CASE("a model without vae_latent says nothing about model.vae", "[frontend]") {
  ModelSpec s = spec("input: [2]\nencoder: [dense: 1]\ndecoder: [dense: 2]\n");
  Module m = buildTrainingModule(s, 4);
  ForwardInfo info;
  buildForward(s, 4, ForwardPart::Full, &info);
  CHECK(describeModel(s, m, info).settings.count("model.vae") == 0);
}

TEST_CASE("skips and merges: add, concat, inputs", "[frontend][skips]") {
  ModelSpec s = spec(R"(input: [4]
encoder:
  - dense: {units: 3, name: a}
  - dense: {units: 5, name: b}
  - concat: {inputs: [a, b], name: ab}
  - dense: {units: 2, name: code}
decoder:
  - dense: {units: 3, name: up}
  - add: {inputs: [up, a], name: sum}
  - dense: {units: 4, inputs: [sum]}
)");
  ForwardInfo info;
  Graph g = buildForward(s, 2, ForwardPart::Full, &info);
  CHECK(g.type(info.layers.at("ab")).shape == Shape{2, 8});
  CHECK(g.node(info.layers.at("ab")).op == "concat");
  CHECK(g.node(info.layers.at("sum")).op == "add");
  CHECK_FALSE(hasStandaloneDecoder(s));
  Module m = buildTrainingModule(s, 2);
  CHECK(m.find("decode") == nullptr);
  CHECK(m.find("encode") != nullptr);
  CHECK(m.find("reconstruct") != nullptr);
}

TEST_CASE("loss terms reach the training step only", "[frontend][terms]") {
  ModelSpec s = spec(R"(input: [3]
encoder:
  - dense: {units: 2, activation: sigmoid, name: code}
decoder:
  - dense: 3
loss:
  reconstruction: mse
  terms:
    - contractive: {layer: code, weight: 0.1}
)");
  Module m = buildTrainingModule(s, 4);
  ModelSpec plain = s;
  plain.loss.terms.clear();
  Module without = buildTrainingModule(plain, 4);
  // The penalty and its gradient grow the training step; eval has no term.
  CHECK(m.find("train_step")->size() > without.find("train_step")->size() + 10);
  CHECK(m.find("eval_step")->size() == without.find("eval_step")->size());
}

TEST_CASE("too wide a contractive layer is refused at the term", "[frontend][terms]") {
  ModelSpec s = spec(R"(input: [3]
encoder:
  - dense: {units: 2000, name: wide}
  - dense: {units: 2, name: code}
decoder:
  - dense: 3
loss:
  reconstruction: mse
  terms:
    - contractive: {layer: wide, weight: 0.1}
)");
  CHECK_THROWS_WITH(buildTrainingModule(s, 4),
                    Catch::Contains("m.yaml:10:7: error: loss term contractive: layer 'wide' "
                                    "has 2000 units"));
}

TEST_CASE("runtime init unit_forget_bias: ones in the forget gate", "[frontend][lstm]") {
  rt::Array a({12});
  rt::Rng rng(0);
  rt::initArray(a, "unit_forget_bias:3", rng);
  CHECK(a.data == std::vector<float>{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0});
  CHECK_THROWS_WITH(rt::initArray(a, "unit_forget_bias:4", rng), Catch::Contains("bad init"));
}
