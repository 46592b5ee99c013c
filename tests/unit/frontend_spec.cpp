// Model-file parser: shorthands, defaults, settings, locations and error messages.
#include "frontend/ModelSpec.h"

#include "frontend_test_util.h"

#include <catch2/catch.hpp>

#include <string>

using namespace aec;
using aec::test::errorOf;

namespace {

const char *Ring = R"(name: ring
input: [2]
encoder:
  - dense: {units: 50, activation: relu}
  - dense: {units: 50, activation: relu}
  - dense: {units: 1, activation: sigmoid, name: code}
decoder:
  - dense: {units: 50, activation: relu}
  - dense: {units: 50, activation: relu}
  - dense: {units: 2}
loss: mse
optimizer: {adam: {lr: 1.0e-3}}
train: {batch: 32, epochs: 200, seed: 1}
data: {synthetic: ring, n: 1000, r_min: 0.95, r_max: 1.05}
)";

} // namespace

TEST_CASE("the contract's ring example parses with names, shapes and locations", "[frontend]") {
  ModelSpec s = parseModelSpec(Ring, "ring.yaml");
  CHECK(s.name == "ring");
  CHECK(s.inputShape == Shape{2});
  REQUIRE(s.encoder.size() == 3);
  REQUIRE(s.decoder.size() == 3);
  CHECK(s.encoder[0].name == "encoder.0");
  CHECK(s.encoder[2].name == "code");
  CHECK(s.encoder[2].activation == "sigmoid");
  CHECK(s.decoder[2].name == "decoder.2");
  CHECK(s.decoder[2].activation == "linear");
  CHECK(s.decoder[0].sources == std::vector<std::string>{"code"});
  CHECK(s.encoder[0].sources.empty());
  CHECK(s.encoder[2].outputShape == Shape{1});
  // Locations are 1-based and point at the layer's kind.
  CHECK(s.encoder[2].loc.line == 6);
  CHECK(s.encoder[2].loc.col == 5);
  CHECK(s.encoder[2].loc.layer == "code");
  CHECK(s.encoder[2].loc.file == "ring.yaml");
  CHECK(s.batch == 32);
  CHECK(s.optimizer.kind == "adam");
  CHECK(s.optimizer.lr == Approx(1e-3));
  CHECK(s.loss.reconstruction == "mse");
}

TEST_CASE("settings are flat strings with locations", "[frontend]") {
  ModelSpec s = parseModelSpec(Ring, "ring.yaml");
  CHECK(s.settings.at("train.epochs") == "200");
  CHECK(s.settings.at("train.seed") == "1");
  CHECK(s.settings.at("train.batch") == "32");
  CHECK(s.settings.at("data.synthetic") == "ring");
  CHECK(s.settings.at("data.n") == "1000");
  CHECK(s.settings.at("data.r_min") == "0.95");
  CHECK(s.settings.at("optimizer.kind") == "adam");
  CHECK(s.settings.at("optimizer.lr") == "1.0e-3");
  CHECK(s.settings.at("loss.reconstruction") == "mse");
  CHECK(s.settingLocs.at("data.synthetic").line == 14);
  CHECK(s.settingLocs.at("data.synthetic").col == 8);
}

TEST_CASE("shorthands and defaults", "[frontend]") {
  ModelSpec s = parseModelSpec(R"(input: 3
encoder:
  - dense: 8
  - layernorm
  - layernorm: 1.0e-5
  - dense: {units: 8, name: b, use_bias: false}
  - add: [encoder.0, b]
decoder:
  - dense: {units: 3, inputs: [encoder.4]}
)",
                               "short.yaml");
  CHECK(s.name == "short"); // from the file name
  CHECK(s.inputShape == Shape{3});
  CHECK(s.encoder[0].units == 8);
  CHECK(s.encoder[1].kind == "layernorm");
  CHECK(s.encoder[1].epsilon == Approx(1e-3)); // Keras' default
  CHECK(s.encoder[2].epsilon == Approx(1e-5));
  CHECK_FALSE(s.encoder[3].useBias);
  CHECK(s.encoder[4].sources == std::vector<std::string>{"encoder.0", "b"});
  CHECK(s.decoder[0].sources == std::vector<std::string>{"encoder.4"});
  CHECK(s.optimizer.kind == "adam"); // defaults when sections are absent
  CHECK(s.loss.reconstruction == "mse");
  CHECK(s.batch == 32);
}

TEST_CASE("all layer kinds parse and get Keras shapes", "[frontend]") {
  ModelSpec s = parseModelSpec(R"(input: [28, 28, 1]
encoder:
  - conv2d: {filters: 8, kernel: 3, strides: 2}
  - conv2d: {filters: 4, kernel: [3, 5], padding: valid}
  - maxpool: 2
  - batchnorm: {momentum: 0.9}
  - dropout: 0.2
  - flatten
  - dense: 16
  - vae_latent: 2
decoder:
  - dense: 32
  - reshape: [-1, 8]
  - lstm: {units: 6, return_sequences: true}
  - time_distributed: {layer: {dense: 4}}
  - flatten
  - repeat: 2
  - flatten
  - dense: 784
  - reshape: [7, 7, 16]
  - upsample: 2
  - conv2d_transpose: {filters: 1, kernel: 3, strides: 2, activation: sigmoid}
)",
                               "all.yaml");
  CHECK(s.encoder[0].outputShape == Shape{14, 14, 8});
  CHECK(s.encoder[1].outputShape == Shape{12, 10, 4});
  CHECK(s.encoder[2].outputShape == Shape{6, 5, 4});
  CHECK(s.encoder[5].outputShape == Shape{120});
  CHECK(s.encoder[7].outputShape == Shape{2});
  CHECK(s.decoder[1].outputShape == Shape{4, 8});
  CHECK(s.decoder[2].outputShape == Shape{4, 6});
  CHECK(s.decoder[3].outputShape == Shape{4, 4});
  CHECK(s.decoder[5].outputShape == Shape{2, 16});
  CHECK(s.decoder[9].outputShape == Shape{14, 14, 16});
  CHECK(s.decoder[10].outputShape == Shape{28, 28, 1});
}

TEST_CASE("errors name file, line, column, layer and what was expected", "[frontend]") {
  CHECK(errorOf("input: [2]\nencoder:\n  - dense: {activation: relu, name: code}\n"
                "decoder: [dense: 2]\n") ==
        "m.yaml:3:5: error: layer 'code': dense needs 'units' (a positive integer)");
  CHECK(errorOf("input: [2]\nencoder: [dense: {units: abc}]\ndecoder: [dense: 2]\n") ==
        "m.yaml:2:26: error: layer 'encoder.0': dense 'units' must be a positive integer, "
        "got 'abc'");
  CHECK(errorOf("input: [2]\nencoder: [dense: 1]\ndecoder: [dense: 2]\ntrain: {batch: -3}\n") ==
        "m.yaml:4:16: error: train 'batch' must be a positive integer, got '-3'");
  CHECK(errorOf("input: [2]\nencoder: [dense: 1]\ndecoder: []\n") ==
        "m.yaml:3:10: error: decoder needs at least one layer");
  CHECK(errorOf("input: [2]\nencoder: [dense: 1]\ndecoder: [dense: 2]\nepochs: 3\n") ==
        "m.yaml:4:1: error: unknown key 'epochs' in the model file (valid keys: name, input, "
        "encoder, decoder, loss, optimizer, train, data)");
  CHECK(errorOf("input: [2\n") .find("m.yaml:") == 0);
}

TEST_CASE("did-you-mean suggestions", "[frontend]") {
  CHECK_THAT(errorOf("input: [2]\nencoder: [dense: {units: 1, activaton: relu}]\n"
                     "decoder: [dense: 2]\n"),
             Catch::Contains("unknown key 'activaton' in dense; did you mean 'activation'?"));
  CHECK_THAT(errorOf("input: [2]\nencoder: [dense: {units: 1, activation: sigmod}]\n"
                     "decoder: [dense: 2]\n"),
             Catch::Contains("unknown activation 'sigmod'; did you mean 'sigmoid'?"));
  CHECK_THAT(errorOf("input: [2]\nencoder: [layernrom]\ndecoder: [dense: 2]\n"),
             Catch::Contains("unknown layer type 'layernrom'; did you mean 'layernorm'?"));
  CHECK_THAT(errorOf("input: [2]\nencoder: [dense: 1]\ndecoder: [dense: 2]\n"
                     "optimizer: {adam: {beta_1: 0.9}}\n"),
             Catch::Contains("unknown key 'beta_1' in adam; did you mean 'beta1'?"));
  CHECK_THAT(errorOf("input: [2]\nencoder: [dense: 1]\ndecoder: [dense: 2]\n"
                     "optimizer: {adam: {momentum: 0.9}}\n"),
             Catch::Contains("unknown key 'momentum' in adam (valid keys: lr, learning_rate, beta1, "
                             "beta2, eps)"));
}

TEST_CASE("data paths resolve against the model file", "[frontend]") {
  ModelSpec s = parseModelSpec(R"(input: [5]
encoder: [dense: 2]
decoder: [dense: 5]
data: {path: stars.csv, columns: [u, g, r, i, z], normalize: {scale: 255},
       target: {path: /abs/clean.npz, key: y}}
)",
                               "m.yaml");
  // parseModelSpec has no base directory; loadModelSpec joins the file's directory.
  CHECK(s.settings.at("data.path") == "stars.csv");
  CHECK(s.settings.at("data.columns") == "u,g,r,i,z");
  CHECK(s.settings.at("data.normalize") == "scale:255");
  CHECK(s.settings.at("data.target.path") == "/abs/clean.npz");
  CHECK(s.settings.at("data.target.key") == "y");
  CHECK_THROWS_WITH(checkDataFiles(s),
                    "m.yaml:4:8: error: cannot read data file 'stars.csv': No such file or "
                    "directory");
}
