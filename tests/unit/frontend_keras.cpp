// What a Keras user writes and the model file accepts: initializers on every layer with
// weights, `learning_rate`, Keras' optimizer defaults, validation_data and rows.
#include "frontend/Expand.h"

#include "frontend_test_util.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace aec;
using aec::test::errorOf;

namespace {

ModelSpec spec(const std::string &text) { return parseModelSpec(text, "m.yaml"); }

/// name -> init text of the params of the full forward graph.
std::map<std::string, std::string> inits(const std::string &text) {
  ForwardInfo info;
  buildForward(spec(text), 2, ForwardPart::Full, &info);
  std::map<std::string, std::string> out;
  for (const ParamSpec &p : info.params)
    out[p.name] = p.init;
  return out;
}

const char *Tail = "decoder: [dense: 2]\n";

} // namespace

TEST_CASE("kernel_initializer and bias_initializer on every layer with weights", "[frontend][keras]") {
  auto p = inits(R"(input: [8, 8, 1]
encoder:
  - conv2d: {filters: 4, kernel: 3, kernel_initializer: he_normal, bias_initializer: ones, name: c}
  - flatten
  - dense: {units: 6, kernel_initializer: lecun_normal, bias_initializer: he_uniform, activation: selu, name: d}
  - vae_latent: {units: 2, kernel_initializer: glorot_normal, name: z}
decoder:
  - dense: {units: 64, kernel_initializer: orthogonal, name: o}
  - reshape: [8, 8, 1]
  - conv2d_transpose: {filters: 1, kernel: 3, kernel_initializer: lecun_uniform, bias_initializer: zeros, name: t}
)");
  CHECK(p.at("c/kernel") == "he_normal:9:36"); // Keras' fans: receptive field x channels
  CHECK(p.at("c/bias") == "ones");
  CHECK(p.at("d/kernel") == "lecun_normal:256:6");
  CHECK(p.at("d/bias") == "he_uniform:6:6"); // a vector's fans are its length
  CHECK(p.at("z/mean/kernel") == "glorot_normal:6:2");
  CHECK(p.at("z/log_var/kernel") == "glorot_normal:6:2");
  CHECK(p.at("z/mean/bias") == "zeros");
  CHECK(p.at("o/kernel") == "orthogonal:2:64");
  CHECK(p.at("t/kernel") == "lecun_uniform:9:9"); // [3, 3, filters 1, in 1]
  CHECK(p.at("t/bias") == "zeros");
}

TEST_CASE("lstm takes recurrent_initializer; time_distributed's layer its own", "[frontend][keras]") {
  auto p = inits(R"(input: [5, 3]
encoder:
  - lstm: {units: 4, kernel_initializer: he_uniform, recurrent_initializer: glorot_uniform,
           bias_initializer: ones, name: l}
decoder:
  - repeat: 5
  - lstm: {units: 2, return_sequences: true, name: k}
  - time_distributed: {layer: {dense: {units: 3, kernel_initializer: zeros}}, name: td}
)");
  CHECK(p.at("l/kernel") == "he_uniform:3:16");
  CHECK(p.at("l/recurrent_kernel") == "glorot_uniform:4:16");
  CHECK(p.at("l/bias") == "unit_forget_bias:4:ones");
  // Keras' defaults, unchanged.
  CHECK(p.at("k/kernel") == "glorot_uniform:4:8");
  CHECK(p.at("k/recurrent_kernel") == "orthogonal:2:8");
  CHECK(p.at("k/bias") == "unit_forget_bias:2");
  CHECK(p.at("td/kernel") == "zeros");
  CHECK(p.at("td/bias") == "zeros");
}

TEST_CASE("initializer errors: did-you-mean, a bias is no matrix, where they apply", "[frontend][keras]") {
  CHECK(errorOf("input: [2]\nencoder:\n  - dense: {units: 1, kernel_initializer: he_normall}\n" +
                std::string(Tail)) ==
        "m.yaml:3:43: error: layer 'encoder.0': unknown kernel_initializer 'he_normall'; did you mean "
        "'he_normal'? (valid: glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, "
        "lecun_normal, orthogonal, zeros, ones)");
  CHECK_THAT(errorOf("input: [2]\nencoder:\n  - dense: {units: 1, bias_initializer: orthogonal}\n" +
                     std::string(Tail)),
             Catch::Contains("m.yaml:3:41: error: layer 'encoder.0': the orthogonal initializer needs a matrix"));
  CHECK_THAT(errorOf("input: [2]\nencoder:\n  - dense: {units: 1, recurrent_initializer: zeros}\n" +
                     std::string(Tail)),
             Catch::Contains("unknown key 'recurrent_initializer' in dense"));
  CHECK_THAT(errorOf("input: [2]\nencoder:\n  - layernorm: {kernel_initializer: zeros}\n  - dense: 1\n" +
                     std::string(Tail)),
             Catch::Contains("unknown key 'kernel_initializer' in layernorm"));
}

TEST_CASE("the spec dump shows initializers that are not Keras' defaults", "[frontend][keras]") {
  const std::string text = printModelSpec(spec(
      "input: [2]\nencoder:\n  - dense: {units: 1, kernel_initializer: he_normal}\n  - dense: 3\n" +
      std::string(Tail)));
  CHECK_THAT(text, Catch::Contains("kernel_initializer=he_normal"));
  CHECK(text.find("bias_initializer") == std::string::npos);
}

TEST_CASE("learning_rate is Keras' spelling of lr", "[frontend][keras]") {
  const std::string model = "input: [2]\nencoder: [dense: 1]\n" + std::string(Tail);
  for (const char *kind : {"adam", "sgd", "rmsprop"}) {
    INFO(kind);
    ModelSpec s = spec(model + "optimizer: {" + kind + ": {learning_rate: 0.25}}\n");
    CHECK(s.optimizer.lr == 0.25);
    CHECK(s.settings.at("optimizer.lr") == "0.25");
    CHECK(s.settingLocs.at("optimizer.lr").line == 4);
    CHECK(errorOf(model + "optimizer: {" + kind + ": {lr: 0.1, learning_rate: 0.2}}\n") ==
          "m.yaml:4:" + std::to_string(25 + std::string(kind).size()) + ": error: " + kind +
              " takes 'lr' or 'learning_rate' (Keras' spelling of the same), not both");
  }
  CHECK_THAT(errorOf(model + "optimizer: {adam: {learning_rat: 0.1}}\n"),
             Catch::Contains("unknown key 'learning_rat' in adam; did you mean 'learning_rate'?"));
  CHECK_THAT(errorOf(model + "optimizer: {adam: {learning_rate: -1}}\n"),
             Catch::Contains("adam 'learning_rate' must be a positive number"));
}

TEST_CASE("optimizer defaults are Keras' learning rates", "[frontend][keras]") {
  const std::string model = "input: [2]\nencoder: [dense: 1]\n" + std::string(Tail);
  CHECK(spec(model + "optimizer: rmsprop\n").optimizer.lr == 1e-3);
  CHECK(spec(model + "optimizer: rmsprop\n").settings.at("optimizer.lr") == "0.001");
  CHECK(spec(model + "optimizer: {rmsprop: {rho: 0.8}}\n").optimizer.eps == 1e-8);
  CHECK(spec(model + "optimizer: adam\n").optimizer.lr == 1e-3);
  CHECK(spec(model + "optimizer: sgd\n").optimizer.lr == 1e-2);
}

TEST_CASE("data rows: N or a range [a, b]", "[frontend][keras]") {
  const std::string model = "input: [2]\nencoder: [dense: 1]\n" + std::string(Tail);
  CHECK(spec(model + "data: {path: a.csv, rows: 100}\n").settings.at("data.rows") == "100");
  CHECK(spec(model + "data: {path: a.csv, rows: [10, 20]}\n").settings.at("data.rows") == "10:20");
  CHECK(errorOf(model + "data: {path: a.csv, rows: 0}\n") ==
        "m.yaml:4:27: error: data 'rows' must be a positive integer, got '0'");
  CHECK(errorOf(model + "data: {path: a.csv, rows: [20, 10]}\n") ==
        "m.yaml:4:27: error: data 'rows' [a, b] takes samples a to b - 1 and needs a < b, got [20, 10]");
  CHECK_THAT(errorOf(model + "data: {path: a.csv, rows: [1, 2, 3]}\n"),
             Catch::Contains("data 'rows' is a number of samples N (the first N) or a range [a, b]"));
  CHECK_THAT(errorOf(model + "data: {synthetic: ring, rows: 10}\n"),
             Catch::Contains("'rows' applies to data files, not to synthetic data"));
}

TEST_CASE("validation_data: a separate validation set, read as data", "[frontend][keras]") {
  const std::string model = "input: [2]\nencoder: [dense: 1]\n" + std::string(Tail);
  ModelSpec s = spec(model + "data:\n  path: a.csv\n  columns: [u, g]\n"
                             "  validation_data: {path: v.npz, key: x, rows: 50, target: {path: t.npz}}\n");
  CHECK(s.settings.at("data.validation_data.path") == "v.npz");
  CHECK(s.settings.at("data.validation_data.key") == "x");
  CHECK(s.settings.at("data.validation_data.rows") == "50");
  CHECK(s.settings.at("data.validation_data.target.path") == "t.npz");
  CHECK(s.settingLocs.at("data.validation_data.path").line == 7);
  // Synthetic training data may validate on a file.
  CHECK(spec(model + "data: {synthetic: ring, validation_data: {path: v.csv}}\n")
            .settings.at("data.validation_data.path") == "v.csv");
  CHECK(errorOf(model + "train: {validation_split: 0.2}\ndata: {path: a.csv, validation_data: {path: v.csv}}\n") ==
        "m.yaml:5:38: error: validation_data and train 'validation_split' (at line 4) both give a validation "
        "set: keep one");
  CHECK(errorOf(model + "data: {path: a.csv, validation_data: {path: v.csv, normalize: max}}\n") ==
        "m.yaml:4:52: error: validation_data takes no 'normalize': the training data's normalization applies to it");
  CHECK(errorOf(model + "data: {path: a.csv, validation_data: {key: x}}\n") ==
        "m.yaml:4:38: error: validation_data needs 'path' (a data file)");
  CHECK_THAT(errorOf(model + "data: {path: a.csv, validation_data: {path: v.csv, colums: [a]}}\n"),
             Catch::Contains("unknown key 'colums' in validation_data; did you mean 'columns'?"));
}
