// Expansion of layers into primitive ops, the summary and the descriptor.
#include "frontend/Expand.h"
#include "passes/Describe.h"
#include "ir/Interpreter.h"
#include "passes/Passes.h"

#include <cmath>
#include <xtensor/xmath.hpp>

#include <catch2/catch.hpp>

#include <set>

using namespace aec;

namespace {

const char *Tiny = R"(name: tiny
input: [3]
encoder:
  - dense: {units: 4, activation: tanh, name: hidden}
  - layernorm
  - dense: {units: 2, use_bias: false, name: code}
decoder:
  - dense: {units: 3, activation: sigmoid}
loss: bce
train: {batch: 8}
)";

int count(const Graph &g, const std::string &op) {
  int n = 0;
  for (const Node &node : g.nodes())
    n += node.op == op;
  return n;
}

} // namespace

TEST_CASE("buildForward makes params in layer order with Keras shapes", "[frontend]") {
  ModelSpec spec = parseModelSpec(Tiny, "tiny.yaml");
  ForwardInfo info;
  Graph g = buildForward(spec, 8, ForwardPart::Full, &info);
  std::vector<std::string> names;
  for (const ParamSpec &p : info.params)
    names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"hidden/kernel", "hidden/bias", "encoder.1/gamma",
                                          "encoder.1/beta", "code/kernel", "decoder.0/kernel",
                                          "decoder.0/bias"});
  CHECK(info.params[0].shape == Shape{3, 4});
  CHECK(info.params[0].init == "glorot_uniform:3:4");
  CHECK(info.params[1].init == "zeros");
  CHECK(info.params[2].init == "ones");
  // Graph inputs: x, then the params in the same order.
  std::vector<ValueId> inputs = g.inputs();
  REQUIRE(inputs.size() == 1 + info.params.size());
  CHECK(g.node(inputs[0]).attrs.getString("name") == "x");
  CHECK(g.node(inputs[0]).attrs.getString("role") == "data");
  for (size_t i = 0; i < info.params.size(); ++i)
    CHECK(g.node(inputs[i + 1]).attrs.getString("name") == info.params[i].name);
  CHECK(count(g, "matmul") == 3);
  CHECK(g.type(info.output).shape == Shape{8, 3});
  CHECK(g.type(info.code).shape == Shape{8, 2});
  // The last activation is a sigmoid: its input is kept for bce with logits.
  REQUIRE(info.logits != NoValue);
  CHECK(g.node(info.output).op == "sigmoid");
  CHECK(g.node(info.output).operands[0] == info.logits);
  CHECK(info.codeShape == Shape{2});
  CHECK(info.outputShape == Shape{3});
}

TEST_CASE("every node carries its layer's location", "[frontend]") {
  ModelSpec spec = parseModelSpec(Tiny, "tiny.yaml");
  ForwardInfo info;
  Graph g = buildForward(spec, 8, ForwardPart::Full, &info);
  const Node &code = g.node(info.code);
  CHECK(code.loc.layer == "code");
  CHECK(code.loc.line == 6);
  CHECK(code.loc.col == 5);
  for (const Node &n : g.nodes())
    CHECK(n.loc.line > 0);
}

TEST_CASE("encoder and decoder parts", "[frontend]") {
  ModelSpec spec = parseModelSpec(Tiny, "tiny.yaml");
  ForwardInfo enc, dec;
  Graph e = buildForward(spec, 4, ForwardPart::Encoder, &enc);
  Graph d = buildForward(spec, 4, ForwardPart::Decoder, &dec);
  CHECK(enc.params.size() == 5);
  CHECK(dec.params.size() == 2);
  CHECK(e.type(enc.output).shape == Shape{4, 2});
  ValueId z = d.findInput("z");
  REQUIRE(z != NoValue);
  CHECK(d.node(z).attrs.getString("role") == "latent");
  CHECK(d.type(z).shape == Shape{4, 2});
  CHECK(hasStandaloneDecoder(spec));
}

TEST_CASE("a decoder with an encoder skip has no stand-alone decoder", "[frontend]") {
  ModelSpec spec = parseModelSpec(R"(input: [4]
encoder:
  - dense: {units: 4, name: h}
  - dense: {units: 2, name: code}
decoder:
  - dense: {units: 4, name: up}
  - add: [up, h]
)",
                                  "skip.yaml");
  CHECK_FALSE(hasStandaloneDecoder(spec));
  ForwardInfo info;
  CHECK_NOTHROW(buildForward(spec, 2, ForwardPart::Full, &info));
  CHECK_THROWS_WITH(buildForward(spec, 2, ForwardPart::Decoder, &info),
                    Catch::Contains("this model has no stand-alone decoder"));
}

TEST_CASE("every layer kind of the contract expands in both modes", "[frontend]") {
  const char *models[] = {
      R"(input: [8, 8, 1]
encoder:
  - conv2d: {filters: 2, kernel: 3}
  - batchnorm
  - maxpool: 2
  - dropout: 0.2
  - conv2d: {filters: 2, kernel: 3, name: c}
  - avgpool: 2
  - flatten
  - gaussian_noise: 0.1
  - layernorm
  - vae_latent: 3
decoder:
  - dense: 8
  - reshape: [2, 2, 2]
  - upsample: 2
  - concat: [decoder.2, c]
  - conv2d_transpose: {filters: 1, kernel: 3, strides: 2}
  - add: [decoder.4, decoder.4]
  - activation: sigmoid
)",
      R"(input: [4, 2]
encoder:
  - lstm: {units: 3, return_sequences: true}
  - time_distributed: {layer: {dense: 2}}
  - lstm: 2
decoder:
  - repeat: 4
  - time_distributed: {layer: {dense: 2}}
)"};
  std::set<std::string> kinds;
  for (const char *text : models) {
    ModelSpec spec = parseModelSpec(text, "all.yaml");
    for (ForwardMode mode : {ForwardMode::Train, ForwardMode::Infer}) {
      ForwardInfo info;
      Graph g = buildForward(spec, 2, ForwardPart::Full, &info, DType::F32, mode);
      CHECK_NOTHROW(verifyGraph(g));
      CHECK(g.type(info.output).shape == withBatch(2, spec.inputShape));
    }
    for (const std::vector<LayerSpec> *part : {&spec.encoder, &spec.decoder})
      for (const LayerSpec &l : *part)
        kinds.insert(l.kind);
  }
  CHECK(kinds == std::set<std::string>(layerKinds().begin(), layerKinds().end()));
}

TEST_CASE("summarize counts params and FLOPs", "[frontend]") {
  ModelSpec spec = parseModelSpec(Tiny, "tiny.yaml");
  std::vector<LayerSummary> rows = summarize(spec);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].params == 3 * 4 + 4);
  CHECK(rows[0].flops == 2 * 3 * 4 + 4 + 4); // matmul, bias, tanh
  CHECK(rows[1].params == 8);
  CHECK(rows[2].params == 4 * 2);
  CHECK(rows[2].flops == 2 * 4 * 2);
  CHECK(rows[3].outputShape == Shape{3});
}

TEST_CASE("the descriptor follows the graphs' argument order", "[frontend]") {
  ModelSpec spec = parseModelSpec(Tiny, "tiny.yaml");
  Module m = buildTrainingModule(spec, spec.batch);
  ForwardInfo info;
  buildForward(spec, spec.batch, ForwardPart::Full, &info);
  rt::ModelDescriptor d = describeModel(spec, m, info);
  CHECK(d.name == "tiny");
  CHECK(d.batch == 8);
  CHECK(d.params.size() == info.params.size());
  REQUIRE(d.functions.size() == m.graphs.size());
  for (size_t i = 0; i < m.graphs.size(); ++i) {
    const Graph &g = m.graphs[i];
    const rt::FunctionInfo &f = d.functions[i];
    CHECK(f.name == g.name);
    std::vector<ValueId> inputs = g.inputs();
    REQUIRE(f.args.size() == inputs.size());
    for (size_t a = 0; a < inputs.size(); ++a)
      CHECK(f.args[a].name == g.node(inputs[a]).attrs.getString("name"));
    REQUIRE(f.results.size() == g.outputs.size());
  }
  const rt::FunctionInfo *train = d.function("train_step");
  REQUIRE(train);
  CHECK(train->results[0].role == "output"); // the loss
  for (const rt::BufferInfo &r : train->results)
    if (r.name == "hidden/kernel")
      CHECK(r.role == "param");
    else if (r.name.rfind("adam.", 0) == 0)
      CHECK(r.role == "state");
  CHECK(d.states.size() == 2 * info.params.size()); // adam m and v
  CHECK(d.stats.at("flops_per_step") > 0);
  // The serialized text parses back to the same functions.
  rt::ModelDescriptor back = rt::ModelDescriptor::parse(d.serialize());
  CHECK(back.functions.size() == d.functions.size());
}

TEST_CASE("an activation layer is the activation of its input, logits kept", "[frontend]") {
  // dense + a separate sigmoid layer computes what dense with activation sigmoid computes,
  // and bce still gets the logits.
  auto model = [](const std::string &decoder) {
    return "name: m\ninput: [3]\nencoder:\n  - dense: {units: 2, name: code}\ndecoder:\n" +
           decoder + "loss: bce\n";
  };
  ModelSpec split = parseModelSpec(
      model("  - dense: {units: 3, name: out}\n  - activation: sigmoid\n"), "split.yaml");
  ModelSpec fused =
      parseModelSpec(model("  - dense: {units: 3, activation: sigmoid, name: out}\n"), "f.yaml");
  TensorMap inputs;
  double v = 0.1;
  auto run = [&](const ModelSpec &spec) {
    ForwardInfo info;
    Graph g = buildForward(spec, 4, ForwardPart::Full, &info);
    REQUIRE(info.logits != NoValue);
    g.addOutput("y", info.output);
    g.addOutput("logits", info.logits);
    for (ValueId in : g.inputs()) { // the same numbers for both models, by input name
      const Node &n = g.node(in);
      Tensor t = xt::zeros<double>(std::vector<size_t>(n.type.shape.begin(), n.type.shape.end()));
      for (double &x : t)
        x = (v = std::fmod(v * 7.3 + 0.37, 2.0)) - 1.0;
      inputs.emplace(n.attrs.getString("name"), t);
    }
    return interpret(g, inputs);
  };
  TensorMap a = run(fused), b = run(split);
  CHECK(xt::allclose(a["y"], b["y"]));
  CHECK(xt::allclose(a["logits"], b["logits"]));
  std::vector<LayerSummary> rows = summarize(split);
  REQUIRE(rows.size() == 3);
  CHECK(rows[2].kind == "activation");
  CHECK(rows[2].params == 0);
  CHECK(rows[2].flops == 3);
  CHECK_THROWS_WITH(parseModelSpec(model("  - dense: 3\n  - activation: relux\n"), "bad.yaml"),
                    Catch::Contains("relux"));
}
