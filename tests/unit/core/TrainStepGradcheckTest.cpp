/// Whole training steps in float64 on the interpreter: batchnorm (train mode, a padded row
/// masked), the VAE's loss, each loss term (the contractive one is a gradient of a
/// gradient) and dropout: values against hand computations, gradients against central
/// differences (StepGradcheck.h).
#include "StepGradcheck.h"

#include <cmath>

using namespace aec;
using namespace aec::test;

namespace {

/// x [B, in] * W [in, out] + b [out], by hand.
Tensor affine(const Tensor &x, const Tensor &w, const Tensor &b) {
  size_t rows = x.shape(0), in = w.shape(0), out = w.shape(1);
  Tensor y = xt::zeros<double>({rows, out});
  for (size_t r = 0; r < rows; ++r)
    for (size_t o = 0; o < out; ++o) {
      double s = b(o);
      for (size_t i = 0; i < in; ++i)
        s += x(r, i) * w(i, o);
      y(r, o) = s;
    }
  return y;
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

/// Mean of `perSample` over the rows with weight 1 (all but the padded last row).
double realMean(const std::vector<double> &perSample) {
  double s = 0;
  for (size_t b = 0; b + 1 < perSample.size(); ++b)
    s += perSample[b];
  return s / static_cast<double>(perSample.size() - 1);
}

/// Per-sample mse of y against the step's target.
std::vector<double> mse(const Tensor &y, const Tensor &target) {
  std::vector<double> out(y.shape(0));
  for (size_t b = 0; b < y.shape(0); ++b) {
    for (size_t j = 0; j < y.shape(1); ++j)
      out[b] += (y(b, j) - target(b, j)) * (y(b, j) - target(b, j));
    out[b] /= static_cast<double>(y.shape(1));
  }
  return out;
}

const char *BatchNormModel = R"(input: [3]
encoder:
  - dense: {units: 4, activation: tanh}
  - batchnorm: {momentum: 0.9, name: bn}
  - dense: {units: 2, name: code}
decoder:
  - dense: 3
loss: mse
optimizer: {sgd: {lr: 1.0}}
)";

} // namespace

TEST_CASE("batchnorm in training: gradients, padded rows masked", "[gradcheck][batchnorm]") {
  Step s = makeStep(BatchNormModel, 5, 21);
  CHECK(s.trainable("bn/gamma"));
  CHECK_FALSE(s.trainable("bn/moving_mean"));
  CHECK_FALSE(s.trainable("bn/moving_variance"));
  checkStepGradients(s);
  // Moving statistics get no gradient: only their running update comes back.
  TensorMap grads = stepGradients(s);
  CHECK(grads.count("bn/gamma") == 1);
  CHECK(grads.count("bn/moving_mean") == 0);

  SECTION("the padded row changes nothing") {
    TensorMap before = s.run();
    for (const char *name : {"x", "target"})
      for (size_t j = 0; j < 3; ++j)
        s.inputs.at(name)(4, j) += 10.0 * (j + 1);
    TensorMap after = s.run();
    for (const auto &[name, value] : before) {
      INFO(name);
      CHECK(xt::allclose(value, after.at(name), 1e-12, 1e-12));
    }
  }
}

TEST_CASE("batchnorm statistics follow Keras", "[batchnorm]") {
  const char *yaml = R"(input: [3]
encoder:
  - batchnorm: {momentum: 0.9, epsilon: 0.01, name: bn}
  - dense: {units: 2, name: code}
decoder:
  - dense: 3
loss: mse
optimizer: {sgd: {lr: 1.0}}
)";
  Step s = makeStep(yaml, 5, 4);
  TensorMap out = s.run();
  const Tensor &x = s.inputs.at("x");
  for (size_t c = 0; c < 3; ++c) {
    double mean = 0, var = 0;
    for (size_t b = 0; b < 4; ++b) // the real rows only
      mean += x(b, c) / 4;
    for (size_t b = 0; b < 4; ++b)
      var += (x(b, c) - mean) * (x(b, c) - mean) / 4; // biased
    INFO("channel " << c);
    CHECK(out.at("bn/moving_mean")(c) ==
          Approx(0.9 * s.inputs.at("bn/moving_mean")(c) + 0.1 * mean).epsilon(1e-12));
    CHECK(out.at("bn/moving_variance")(c) ==
          Approx(0.9 * s.inputs.at("bn/moving_variance")(c) + 0.1 * var).epsilon(1e-12));
  }

  // Inference normalises with the moving statistics.
  ForwardInfo info;
  Graph g = buildForward(s.spec, 5, ForwardPart::Full, &info, DType::F64, ForwardMode::Infer);
  CHECK(g.findInput("weight") == NoValue);
  g.addOutput("bn", info.layers.at("bn"));
  Tensor bn = interpret(g, s.inputs).at("bn");
  const TensorMap &in = s.inputs;
  for (size_t b = 0; b < 5; ++b)
    for (size_t c = 0; c < 3; ++c)
      CHECK(bn(b, c) == Approx((x(b, c) - in.at("bn/moving_mean")(c)) /
                                   std::sqrt(in.at("bn/moving_variance")(c) + 0.01) *
                                   in.at("bn/gamma")(c) +
                               in.at("bn/beta")(c)));
}

TEST_CASE("VAE: loss = reconstruction + beta KL, reparameterised code", "[gradcheck][vae]") {
  const char *yaml = R"(input: [3]
encoder:
  - vae_latent: {units: 2, name: code}
decoder:
  - dense: {units: 3, name: out}
loss: {reconstruction: mse, beta: 0.5}
optimizer: {sgd: {lr: 1.0}}
)";
  Step s = makeStep(yaml, 4, 8);
  REQUIRE(s.graph.findInput("noise/code") != NoValue);
  CHECK(s.graph.node(s.graph.findInput("noise/code")).attrs.getString("role") == "noise_normal");
  const TensorMap &in = s.inputs;
  Tensor mean = affine(in.at("x"), in.at("code/mean/kernel"), in.at("code/mean/bias"));
  Tensor logVar = affine(in.at("x"), in.at("code/log_var/kernel"), in.at("code/log_var/bias"));
  Tensor z = mean + xt::exp(0.5 * logVar) * in.at("noise/code");
  Tensor y = affine(z, in.at("out/kernel"), in.at("out/bias"));
  std::vector<double> perSample = mse(y, in.at("target"));
  for (size_t b = 0; b < 4; ++b) {
    double kl = 0;
    for (size_t j = 0; j < 2; ++j)
      kl += -0.5 * (1 + logVar(b, j) - mean(b, j) * mean(b, j) - std::exp(logVar(b, j)));
    perSample[b] += 0.5 * kl;
  }
  CHECK(s.loss() == Approx(realMean(perSample)).epsilon(1e-12));
  checkStepGradients(s);

  // Inference: encode gives the mean, and nothing draws noise.
  Module m = buildTrainingModule(s.spec, 4, DType::F64);
  for (const Graph &g : m.graphs)
    if (g.name != "train_step")
      CHECK(g.inputsWithRole(role::NoiseNormal).empty());
  Tensor code = interpret(*m.find("encode"), in).at("code");
  CHECK(xt::allclose(code, mean, 1e-12, 1e-12));
}

namespace {
const char *termModel(const std::string &terms) {
  static std::string text;
  text = R"(input: [3]
encoder:
  - dense: {units: 4, activation: sigmoid, name: code}
decoder:
  - dense: {units: 3, name: out}
loss:
  reconstruction: mse
  terms: )" + terms + R"(
optimizer: {sgd: {lr: 1.0}}
)";
  return text.c_str();
}

/// The loss of `withTerm` minus the loss of the same model without terms, same inputs.
double termValue(const Step &withTerm) {
  Step plain = makeStep(termModel("[]"), 5, 1);
  for (auto &[name, value] : plain.inputs)
    value = withTerm.inputs.at(name);
  return withTerm.loss() - plain.loss();
}
} // namespace

TEST_CASE("loss terms: values and gradients", "[gradcheck][terms]") {
  SECTION("l1_activity") {
    Step s = makeStep(termModel("[{l1_activity: {layer: code, weight: 0.01}}]"), 5, 31);
    Tensor z = affine(s.inputs.at("x"), s.inputs.at("code/kernel"), s.inputs.at("code/bias"));
    std::vector<double> perSample(5);
    for (size_t b = 0; b < 5; ++b)
      for (size_t j = 0; j < 4; ++j)
        perSample[b] += 0.01 * std::abs(sigmoid(z(b, j)));
    CHECK(termValue(s) == Approx(realMean(perSample)).epsilon(1e-9));
    checkStepGradients(s);
  }
  SECTION("kl_sparsity") {
    Step s = makeStep(termModel("[{kl_sparsity: {layer: code, rho: 0.1, weight: 0.5}}]"), 5, 32);
    Tensor z = affine(s.inputs.at("x"), s.inputs.at("code/kernel"), s.inputs.at("code/bias"));
    double expected = 0;
    for (size_t j = 0; j < 4; ++j) {
      double rhoHat = 0;
      for (size_t b = 0; b < 4; ++b) // real rows only
        rhoHat += sigmoid(z(b, j)) / 4;
      expected += 0.5 * (0.1 * std::log(0.1 / rhoHat) + 0.9 * std::log(0.9 / (1 - rhoHat)));
    }
    CHECK(termValue(s) == Approx(expected).epsilon(1e-9));
    checkStepGradients(s);
  }
  SECTION("contractive: grad of grad") {
    Step s = makeStep(termModel("[{contractive: {layer: code, weight: 0.1}}]"), 5, 33);
    const Tensor &w = s.inputs.at("code/kernel");
    Tensor z = affine(s.inputs.at("x"), w, s.inputs.at("code/bias"));
    // h = sigmoid(x W + b): d h_j / d x_i = sigmoid'(z_j) W_ij.
    std::vector<double> perSample(5);
    for (size_t b = 0; b < 5; ++b)
      for (size_t j = 0; j < 4; ++j) {
        double d = sigmoid(z(b, j)) * (1 - sigmoid(z(b, j)));
        for (size_t i = 0; i < 3; ++i)
          perSample[b] += 0.1 * d * d * w(i, j) * w(i, j);
      }
    CHECK(termValue(s) == Approx(realMean(perSample)).epsilon(1e-9));
    checkStepGradients(s, 1e-5);
  }
  SECTION("contractive through two layers: one backward sweep per unit") {
    const char *twoLayers = R"(input: [3]
encoder:
  - dense: {units: 4, activation: tanh, name: h1}
  - dense: {units: 2, activation: sigmoid, name: code}
decoder:
  - dense: {units: 3, name: out}
loss:
  reconstruction: mse
  terms: [{contractive: {layer: code, weight: 0.1}}]
optimizer: {sgd: {lr: 1.0}}
)";
    Step s = makeStep(twoLayers, 5, 36);
    const Tensor &w1 = s.inputs.at("h1/kernel"), &w2 = s.inputs.at("code/kernel");
    Tensor z1 = affine(s.inputs.at("x"), w1, s.inputs.at("h1/bias"));
    Tensor h1 = xt::tanh(z1);
    Tensor z2 = affine(h1, w2, s.inputs.at("code/bias"));
    // d code_j / d x_i = sigmoid'(z2_j) sum_k W2[k, j] tanh'(z1_k) W1[i, k].
    std::vector<double> perSample(5);
    for (size_t b = 0; b < 5; ++b)
      for (size_t j = 0; j < 2; ++j)
        for (size_t i = 0; i < 3; ++i) {
          double d = 0;
          for (size_t k = 0; k < 4; ++k)
            d += w2(k, j) * (1 - h1(b, k) * h1(b, k)) * w1(i, k);
          d *= sigmoid(z2(b, j)) * (1 - sigmoid(z2(b, j)));
          perSample[b] += 0.1 * d * d;
        }
    std::string withoutTerm = twoLayers;
    withoutTerm.replace(withoutTerm.find("[{contractive"), std::string("[{contractive: {layer: code, weight: 0.1}}]").size(), "[]");
    Step base = makeStep(withoutTerm.c_str(), 5, 1);
    for (auto &[name, value] : base.inputs)
      value = s.inputs.at(name);
    CHECK(s.loss() - base.loss() == Approx(realMean(perSample)).epsilon(1e-9));
    checkStepGradients(s, 1e-5);
  }
  SECTION("weight_decay") {
    Step s = makeStep(termModel("[{weight_decay: 0.01}]"), 5, 34);
    double expected = 0.01 * (xt::sum(xt::square(s.inputs.at("code/kernel")))() +
                              xt::sum(xt::square(s.inputs.at("out/kernel")))());
    CHECK(termValue(s) == Approx(expected).epsilon(1e-9));
    checkStepGradients(s);
  }
  SECTION("all together, with a VAE's KL") {
    const char *yaml = R"(input: [3]
encoder:
  - dense: {units: 4, activation: sigmoid, name: h}
  - vae_latent: {units: 2, name: code}
decoder:
  - dense: {units: 3, activation: sigmoid}
loss:
  reconstruction: bce
  terms:
    - l1_activity: {layer: h, weight: 0.01}
    - kl_sparsity: {layer: h, rho: 0.2, weight: 0.1}
    - contractive: {layer: h, weight: 0.1}
    - weight_decay: 0.001
  beta: 2.0
optimizer: {sgd: {lr: 1.0}}
)";
    Step s = makeStep(yaml, 4, 35, 0.05, 0.95);
    checkStepGradients(s, 1e-5);
  }
}

TEST_CASE("dropout and gaussian noise act in training only", "[gradcheck][noise]") {
  const char *yaml = R"(input: [3]
encoder:
  - gaussian_noise: {stddev: 0.3, name: gn}
  - dense: {units: 4, activation: tanh, name: h}
  - dropout: {rate: 0.4, name: drop}
  - dense: {units: 2, name: code}
decoder:
  - dense: 3
loss: mse
optimizer: {sgd: {lr: 1.0}}
)";
  Step s = makeStep(yaml, 4, 41);
  const Graph &g = s.graph;
  REQUIRE(g.findInput("noise/gn") != NoValue);
  REQUIRE(g.findInput("noise/drop") != NoValue);
  CHECK(g.node(g.findInput("noise/gn")).attrs.getString("role") == "noise_normal");
  CHECK(g.node(g.findInput("noise/drop")).attrs.getString("role") == "noise_uniform");
  CHECK(g.type(g.findInput("noise/drop")).shape == Shape{4, 4});
  checkStepGradients(s);

  // Train: y = x * [u > rate] / (1 - rate) on the noisy input's hidden layer.
  ForwardInfo info;
  Graph train = buildForward(s.spec, 4, ForwardPart::Full, &info, DType::F64, ForwardMode::Train);
  train.addOutput("drop", info.layers.at("drop"));
  train.addOutput("gn", info.layers.at("gn"));
  TensorMap out = interpret(train, s.inputs);
  const TensorMap &in = s.inputs;
  CHECK(xt::allclose(out.at("gn"), in.at("x") + 0.3 * in.at("noise/gn")));
  Tensor h = xt::tanh(affine(out.at("gn"), in.at("h/kernel"), in.at("h/bias")));
  int dropped = 0;
  for (size_t b = 0; b < 4; ++b)
    for (size_t j = 0; j < 4; ++j) {
      bool keep = in.at("noise/drop")(b, j) > 0.4;
      dropped += !keep;
      CHECK(out.at("drop")(b, j) == Approx(keep ? h(b, j) / 0.6 : 0.0).margin(1e-12));
    }
  CHECK(dropped > 0); // the check above saw both branches

  // Infer: both are the identity and draw no noise.
  Graph infer = buildForward(s.spec, 4, ForwardPart::Full, &info, DType::F64, ForwardMode::Infer);
  CHECK(infer.inputsWithRole(role::NoiseNormal).empty());
  CHECK(infer.inputsWithRole(role::NoiseUniform).empty());
  CHECK(info.layers.at("drop") == info.layers.at("h"));
  CHECK(info.layers.at("gn") == infer.findInput("x"));
}

namespace {
/// Keras' LSTM forward by hand: x [B, T, F], gates i, f, c, o.
Tensor lstmByHand(const Tensor &x, const Tensor &k, const Tensor &r, const Tensor &bias,
                  bool sequences) {
  size_t batch = x.shape(0), steps = x.shape(1), feat = x.shape(2), u = r.shape(0);
  Tensor h = xt::zeros<double>({batch, u}), c = xt::zeros<double>({batch, u});
  Tensor seq = xt::zeros<double>({batch, steps, u});
  for (size_t t = 0; t < steps; ++t) {
    Tensor hNew = h, cNew = c;
    for (size_t b = 0; b < batch; ++b)
      for (size_t j = 0; j < u; ++j) {
        double z[4];
        for (size_t g = 0; g < 4; ++g) {
          z[g] = bias(g * u + j);
          for (size_t i = 0; i < feat; ++i)
            z[g] += x(b, t, i) * k(i, g * u + j);
          for (size_t i = 0; i < u; ++i)
            z[g] += h(b, i) * r(i, g * u + j);
        }
        cNew(b, j) = sigmoid(z[1]) * c(b, j) + sigmoid(z[0]) * std::tanh(z[2]);
        hNew(b, j) = sigmoid(z[3]) * std::tanh(cNew(b, j));
        seq(b, t, j) = hNew(b, j);
      }
    h = hNew;
    c = cNew;
  }
  return sequences ? seq : h;
}
} // namespace

TEST_CASE("lstm: Keras' equations, unrolled, and their gradients", "[gradcheck][lstm]") {
  const char *yaml = R"(input: [3, 2]
encoder:
  - lstm: {units: 3, return_sequences: true, name: seq}
  - lstm: {units: 2, name: code}
decoder:
  - repeat: 3
  - lstm: {units: 3, return_sequences: true}
  - time_distributed: {layer: {dense: {units: 2}}}
loss: mse
optimizer: {sgd: {lr: 1.0}}
)";
  Step s = makeStep(yaml, 3, 51);
  const TensorMap &in = s.inputs;
  ForwardInfo info;
  Graph g = buildForward(s.spec, 3, ForwardPart::Full, &info, DType::F64, ForwardMode::Infer);
  REQUIRE(info.params.size() == 3 + 3 + 3 + 2);
  CHECK(info.params[0].name == "seq/kernel");
  CHECK(info.params[0].shape == Shape{2, 12});
  CHECK(info.params[0].init == "glorot_uniform:2:12");
  CHECK(info.params[1].name == "seq/recurrent_kernel");
  CHECK(info.params[1].shape == Shape{3, 12});
  CHECK(info.params[2].name == "seq/bias");
  CHECK(info.params[2].init == "unit_forget_bias:3");
  g.addOutput("seq", info.layers.at("seq"));
  g.addOutput("code", info.code);
  TensorMap out = interpret(g, in);
  Tensor seq = lstmByHand(in.at("x"), in.at("seq/kernel"), in.at("seq/recurrent_kernel"),
                          in.at("seq/bias"), true);
  CHECK(out.at("seq").shape() == seq.shape());
  CHECK(xt::allclose(out.at("seq"), seq, 1e-12, 1e-12));
  Tensor code = lstmByHand(seq, in.at("code/kernel"), in.at("code/recurrent_kernel"),
                           in.at("code/bias"), false);
  CHECK(xt::allclose(out.at("code"), code, 1e-12, 1e-12));
  checkStepGradients(s);
}

TEST_CASE("conv layers with batchnorm over images train with exact gradients",
          "[gradcheck][image][batchnorm]") {
  const char *yaml = R"(input: [5, 5, 1]
encoder:
  - conv2d: {filters: 2, kernel: 3, strides: 2, activation: tanh}
  - batchnorm: {name: bn}
  - maxpool: {pool: 2, padding: same}
  - flatten
  - dense: {units: 2, name: code}
decoder:
  - dense: 8
  - reshape: [2, 2, 2]
  - upsample: 2
  - conv2d_transpose: {filters: 1, kernel: 2, padding: valid, activation: sigmoid}
loss: bce
optimizer: {sgd: {lr: 1.0}}
)";
  Step s = makeStep(yaml, 3, 61, 0.05, 0.95);
  checkStepGradients(s);
  // Image batchnorm: statistics over batch and positions of the real samples.
  ForwardInfo info;
  Graph g = buildForward(s.spec, 3, ForwardPart::Full, &info, DType::F64, ForwardMode::Train);
  g.addOutput("conv", info.layers.at("encoder.0"));
  g.addOutput("new_mean", info.paramUpdates.at(0).second);
  TensorMap out = interpret(g, s.inputs);
  const Tensor &conv = out.at("conv");
  REQUIRE(conv.shape() == std::vector<size_t>{3, 3, 3, 2});
  for (size_t c = 0; c < 2; ++c) {
    double mean = 0;
    for (size_t b = 0; b < 2; ++b) // the padded third sample does not count
      for (size_t i = 0; i < 3; ++i)
        for (size_t j = 0; j < 3; ++j)
          mean += conv(b, i, j, c) / 18;
    CHECK(out.at("new_mean")(c) ==
          Approx(0.99 * s.inputs.at("bn/moving_mean")(c) + 0.01 * mean).epsilon(1e-12));
  }
}

namespace {
/// A contractive model whose term sits on `units` units; `hidden` puts a tanh layer first.
std::string contractiveModel(int units, const std::string &activation, bool hidden) {
  return std::string("input: [2, 3]\nencoder:\n  - flatten\n") +
         (hidden ? "  - dense: {units: 5, activation: tanh}\n" : "") +
         "  - dense: {units: " + std::to_string(units) + ", activation: " + activation +
         ", name: code}\ndecoder:\n  - dense: 6\n  - reshape: {shape: [2, 3]}\nloss:\n"
         "  reconstruction: mse\n  terms: [{contractive: {layer: code, weight: 0.1}}]\n"
         "optimizer: {sgd: {lr: 1.0}}\n";
}
} // namespace

TEST_CASE("a contractive dense layer costs one backward sweep, not one per unit",
          "[gradcheck][terms]") {
  for (const char *activation : {"sigmoid", "silu", "linear", "elu"}) {
    INFO(activation);
    Step narrow = makeStep(contractiveModel(2, activation, false).c_str(), 3, 51);
    Step wide = makeStep(contractiveModel(9, activation, false).c_str(), 3, 51);
    CHECK(narrow.graph.size() == wide.graph.size());
    checkStepGradients(wide, 1e-5);
  }
  // Behind another layer the Jacobian takes a sweep per unit (the general path).
  Step narrow = makeStep(contractiveModel(2, "sigmoid", true).c_str(), 3, 52);
  Step wide = makeStep(contractiveModel(9, "sigmoid", true).c_str(), 3, 52);
  CHECK(narrow.graph.size() < wide.graph.size());
  checkStepGradients(narrow, 1e-5);
}
