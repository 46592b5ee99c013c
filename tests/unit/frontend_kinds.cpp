// The layer-kind registry (frontend/LayerKind.h): every kind of the contract is registered
// and complete, its shorthand means its long form, its required keys are enforced, and it
// expands and counts in a model; plus the Keras window arithmetic (ir/Window.h).
#include "frontend/LayerKind.h"
#include "ir/Window.h"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using namespace aec;

namespace {

/// The layer table of the contract (MODEL_FORMAT.md, "Layers"), in its order, which is
/// also the order messages list the kinds in.
const std::vector<std::string> ContractKinds = {
    "dense",   "conv2d",  "conv2d_transpose", "maxpool",   "avgpool", "upsample",
    "flatten", "reshape", "layernorm",        "batchnorm", "dropout", "gaussian_noise",
    "lstm",    "repeat",  "time_distributed", "add",       "concat",  "vae_latent",
    "activation"};

/// A per-sample input shape a kind accepts, a value for its shorthand key and the other
/// parameters it needs. A new kind gets its line here.
struct Example {
  const char *input;
  const char *value;     ///< "" for a kind without a shorthand
  const char *rest = ""; ///< required parameters beside the shorthand, e.g. "kernel: 3"
};
const std::map<std::string, Example> Examples = {
    {"dense", {"[4]", "3"}},
    {"conv2d", {"[4, 4, 2]", "3", "kernel: 3"}},
    {"conv2d_transpose", {"[4, 4, 2]", "3", "kernel: [3, 2]"}},
    {"maxpool", {"[4, 4, 2]", "[2, 1]"}},
    {"avgpool", {"[4, 4, 2]", "2"}},
    {"upsample", {"[4, 4, 2]", "[2, 3]"}},
    {"flatten", {"[4, 2]", ""}},
    {"reshape", {"[4]", "[2, -1]"}},
    {"layernorm", {"[4]", "1.0e-4"}},
    {"batchnorm", {"[4, 4, 2]", "1.0e-4"}},
    {"dropout", {"[4]", "0.25"}},
    {"gaussian_noise", {"[4]", "0.5"}},
    {"lstm", {"[3, 4]", "2"}},
    {"repeat", {"[4]", "3"}},
    {"time_distributed", {"[3, 4]", "layernorm"}}, // a map value would be the params
    {"add", {"[4]", "[a, b]"}},
    {"concat", {"[4]", "[a, b]"}},
    {"vae_latent", {"[4]", "2"}},
    {"activation", {"[4, 2]", "tanh"}},
};

/// A model whose last encoder layer is `layer` (after two layernorms `a` and `b` that the
/// merges can name); the decoder flattens and maps back to the input shape.
/// The example layer entry of `k`, in its long form when it needs more than its shorthand.
std::string exampleLayer(const LayerKind &k) {
  const Example &ex = Examples.at(k.name);
  if (k.shorthand.empty())
    return k.name;
  if (*ex.rest)
    return k.name + ": {" + k.shorthand + ": " + ex.value + ", " + ex.rest + "}";
  return k.name + ": " + ex.value;
}

std::string modelWith(const std::string &input, const std::string &layer) {
  int64_t elems = 1;
  for (int64_t d : YAML::Load(input).as<std::vector<int64_t>>())
    elems *= d;
  return "input: " + input + "\nencoder:\n  - layernorm: {name: a}\n  - layernorm: {name: b}\n" +
         "  - " + layer + "\ndecoder:\n  - flatten\n  - dense: " + std::to_string(elems) +
         "\n  - reshape: " + input + "\n";
}

} // namespace

TEST_CASE("every layer kind of the contract is registered, in the table's order",
          "[frontend][kinds]") {
  std::vector<std::string> names;
  for (const LayerKind &k : allLayerKinds())
    names.push_back(k.name);
  CHECK(names == ContractKinds);
  CHECK(layerKinds() == ContractKinds);
  for (const std::string &name : ContractKinds) {
    const LayerKind *k = lookupLayerKind(name);
    REQUIRE(k);
    CHECK(k->name == name);
  }
  CHECK(lookupLayerKind("activations") == nullptr);
}

TEST_CASE("every layer kind is complete and consistent", "[frontend][kinds]") {
  for (const LayerKind &k : allLayerKinds()) {
    INFO(k.name);
    CHECK(k.infer);
    CHECK(k.expand);
    std::set<std::string> keys(k.keys.begin(), k.keys.end());
    CHECK(keys.size() == k.keys.size());
    CHECK_FALSE(keys.count("name"));
    CHECK_FALSE(keys.count("inputs"));
    keys.insert("inputs"); // every kind takes inputs; a merge's shorthand
    CHECK((k.shorthand.empty() || keys.count(k.shorthand)));
    for (const auto &[key, what] : k.required)
      CHECK(keys.count(key));
    CHECK((k.parse || k.keys.empty()));
    CHECK(Examples.count(k.name)); // each kind has its example (above)
  }
}

TEST_CASE("every layer kind's shorthand means its long form", "[frontend][kinds]") {
  for (const LayerKind &k : allLayerKinds()) {
    INFO(k.name);
    const Example &ex = Examples.at(k.name);
    if (k.shorthand.empty()) {
      ModelSpec bare = parseModelSpec(modelWith(ex.input, k.name), "m.yaml");
      CHECK(bare.encoder.back().kind == k.name);
      CHECK_THROWS_WITH(parseModelSpec(modelWith(ex.input, k.name + ": 3"), "m.yaml"),
                        Catch::Contains(k.name + " takes no parameters"));
      continue;
    }
    if (*ex.rest) { // a bare value cannot give the other required parameters
      CHECK_THROWS_WITH(parseModelSpec(modelWith(ex.input, k.name + ": " + ex.value), "m.yaml"),
                        Catch::Contains(" needs '"));
      continue;
    }
    ModelSpec shortForm = parseModelSpec(modelWith(ex.input, k.name + ": " + ex.value), "m.yaml");
    ModelSpec longForm = parseModelSpec(
        modelWith(ex.input, k.name + ": {" + k.shorthand + ": " + ex.value + "}"), "m.yaml");
    CHECK(shortForm.encoder.back().kind == k.name);
    // The dump shows every parameter, the inputs and the output shape.
    CHECK(printModelSpec(shortForm) == printModelSpec(longForm));
  }
}

TEST_CASE("every layer kind enforces its required keys", "[frontend][kinds]") {
  for (const LayerKind &k : allLayerKinds()) {
    if (k.required.empty())
      continue;
    INFO(k.name);
    const auto &[key, what] = k.required.front();
    CHECK_THROWS_WITH(
        parseModelSpec(modelWith(Examples.at(k.name).input, k.name + ": {name: x}"), "m.yaml"),
        "m.yaml:5:5: error: layer 'x': " + k.name + " needs '" + key + "' (" + what + ")");
  }
}

TEST_CASE("every layer kind expands in both modes and gets a summary row", "[frontend][kinds]") {
  for (const LayerKind &k : allLayerKinds()) {
    INFO(k.name);
    ModelSpec spec =
        parseModelSpec(modelWith(Examples.at(k.name).input, exampleLayer(k)), "m.yaml");
    for (ForwardMode mode : {ForwardMode::Train, ForwardMode::Infer}) {
      ForwardInfo info;
      Graph g = buildForward(spec, 2, ForwardPart::Full, &info, DType::F32, mode);
      CHECK_NOTHROW(verifyGraph(g));
      CHECK(g.type(info.code).shape == withBatch(2, spec.encoder.back().outputShape));
    }
    std::vector<LayerSummary> rows = summarize(spec);
    REQUIRE(rows.size() == spec.encoder.size() + spec.decoder.size());
    CHECK(rows[2].kind == k.name);
    CHECK(rows[2].outputShape == spec.encoder.back().outputShape);
  }
}

TEST_CASE("Keras window arithmetic: output sizes, same padding, transposed crops",
          "[frontend][kinds][image]") {
  // TF: same gives ceil(in / s) windows, the odd padding element at the end.
  CHECK(windowOutputSize(5, 3, 2, Padding::Same) == 3);
  CHECK(windowPads(5, 3, 2, Padding::Same).low == 1);
  CHECK(windowPads(5, 3, 2, Padding::Same).high == 1);
  CHECK(windowOutputSize(4, 3, 2, Padding::Same) == 2);
  CHECK(windowPads(4, 3, 2, Padding::Same).low == 0);
  CHECK(windowPads(4, 3, 2, Padding::Same).high == 1);
  CHECK(windowPads(4, 1, 4, Padding::Same).high == 0); // never negative
  // Valid: ceil((in - k + 1) / s), no padding, 0 when the window does not fit.
  CHECK(windowOutputSize(7, 3, 2, Padding::Valid) == 3);
  CHECK(windowOutputSize(8, 3, 2, Padding::Valid) == 3);
  CHECK(windowOutputSize(2, 3, 1, Padding::Valid) == 0);
  CHECK(windowPads(7, 3, 2, Padding::Valid).low == 0);
  CHECK(windowPads(7, 3, 2, Padding::Valid).high == 0);
  // Transposed: same in * s, cropping floor((k - s) / 2) from the start; valid adds the
  // overhang k - s.
  CHECK(transposedOutputSize(3, 3, 2, Padding::Same) == 6);
  CHECK(transposedOutputSize(3, 3, 2, Padding::Valid) == 7);
  CHECK(transposedOutputSize(3, 1, 2, Padding::Valid) == 6);
  CHECK(transposedCrop(5, 2, Padding::Same) == 1);
  CHECK(transposedCrop(5, 2, Padding::Valid) == 0);
  CHECK(transposedCrop(1, 2, Padding::Same) == 0);
  // The frontend's shape checks use the same rules.
  ModelSpec s = parseModelSpec(R"(input: [7, 5, 1]
encoder:
  - conv2d: {filters: 2, kernel: 3, strides: 2, padding: valid}
  - maxpool: {pool: 2, padding: same}
decoder:
  - conv2d_transpose: {filters: 1, kernel: 5, strides: 2}
  - conv2d_transpose: {filters: 1, kernel: 3, strides: 2, padding: valid}
  - flatten
  - dense: 35
  - reshape: [7, 5, 1]
)",
                               "w.yaml");
  CHECK(s.encoder[0].outputShape == Shape{3, 2, 2});
  CHECK(s.encoder[1].outputShape == Shape{2, 1, 2});
  CHECK(s.decoder[0].outputShape == Shape{4, 2, 1});
  CHECK(s.decoder[1].outputShape == Shape{9, 5, 1});
}
