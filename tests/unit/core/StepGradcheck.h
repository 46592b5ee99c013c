#pragma once
/// Gradient checks of whole training steps: a model's train_step built in float64 with plain
/// SGD at lr 1 returns p' = p - dL/dp for every trainable param, so the gradient the
/// compiler built (autodiff of the forward model, the loss terms, grad of grad for the
/// contractive term) is read back from the step's own outputs and compared with central
/// differences of its "loss" output, on the interpreter.
#include "TestGraphs.h"
#include "frontend/ModelSpec.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

namespace aec::test {

struct Step {
  ModelSpec spec;
  Graph graph;      ///< train_step
  Graph lossOnly;   ///< train_step with the "loss" output only (cheap to re-evaluate)
  TensorMap inputs; ///< every input bound

  TensorMap run() const { return interpret(graph, inputs); }
  double loss() const { return interpret(lossOnly, inputs).at("loss")(); }
  bool trainable(const std::string &param) const {
    return graph.node(graph.findInput(param)).attrs.getInt("trainable", int64_t(1)) != 0;
  }
};

/// Builds the train_step of `yaml` (which must say `optimizer: {sgd: {lr: 1.0}}`) for
/// `batch` rows in float64 and binds random inputs: data in [lo, hi), params in [-1, 1)
/// (moving variances in [0.5, 1.5)), noise_uniform in [0, 1), noise_normal in [-1, 1),
/// weight 1 except the last row (a padded row: 0), lr 1, t 1.
inline Step makeStep(const std::string &yaml, int64_t batch, unsigned seed, double lo = -1,
                     double hi = 1) {
  Step s;
  s.spec = parseModelSpec(yaml, "step.yaml");
  REQUIRE(s.spec.optimizer.kind == "sgd");
  REQUIRE(s.spec.optimizer.lr == 1.0);
  REQUIRE(s.spec.optimizer.momentum == 0.0);
  Module m = buildTrainingModule(s.spec, batch, DType::F64);
  s.graph = *m.find("train_step");
  s.lossOnly = s.graph;
  s.lossOnly.outputs = {{"loss", s.graph.findOutput("loss")}};
  std::mt19937 rng(seed);
  test::bindStepInputs(s.graph, lo, hi, rng, s.inputs);
  REQUIRE(s.inputs.at("weight")(batch - 1) == 0.0);
  s.inputs.at("lr") = Tensor(1.0);
  s.inputs.at("t") = Tensor(1.0);
  return s;
}

/// d loss / d p from the step's SGD update, for every trainable param.
inline TensorMap stepGradients(const Step &s) {
  TensorMap out = s.run(), grads;
  for (ValueId v : s.graph.inputsWithRole(role::Param)) {
    const std::string &name = s.graph.node(v).attrs.getString("name");
    if (s.trainable(name))
      grads[name] = s.inputs.at(name) - out.at(name);
  }
  return grads;
}

/// Central differences of the loss w.r.t. every element of input `name`.
inline Tensor numericGradient(Step &s, const std::string &name, double eps = 1e-6) {
  Tensor &x = s.inputs.at(name);
  Tensor g = xt::zeros_like(x);
  for (size_t k = 0; k < x.size(); ++k) {
    double saved = x.flat(k);
    x.flat(k) = saved + eps;
    double up = s.loss();
    x.flat(k) = saved - eps;
    double down = s.loss();
    x.flat(k) = saved;
    g.flat(k) = (up - down) / (2 * eps);
  }
  return g;
}

/// Every trainable param's gradient in the step against central differences.
inline void checkStepGradients(Step &s, double tolerance = 1e-6) {
  TensorMap analytic = stepGradients(s);
  REQUIRE(!analytic.empty());
  for (const auto &[name, grad] : analytic) {
    Tensor numeric = numericGradient(s, name);
    REQUIRE(grad.shape() == numeric.shape());
    for (size_t k = 0; k < grad.size(); ++k) {
      INFO("param " << name << " element " << k);
      CHECK(grad.flat(k) == Approx(numeric.flat(k)).epsilon(tolerance).margin(tolerance));
    }
  }
}

} // namespace aec::test
