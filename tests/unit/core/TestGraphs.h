#pragma once
/// Helpers for tests that build graphs from the op registry and bind random inputs.
#include "ir/Builder.h"
#include "ir/Interpreter.h"
#include "ir/OpRegistry.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

#include <random>

namespace aec::test {

/// A graph computing `def` on inputs "a0".."aN" of its example shapes.
inline Graph exampleGraph(const OpDef &def, DType dtype, ValueId *result) {
  std::vector<Shape> shapes;
  Attrs attrs;
  Shape resultShape;
  def.example(shapes, attrs, resultShape);
  Graph g;
  g.name = "example_" + def.name;
  Builder b(g);
  std::vector<ValueId> operands;
  for (size_t i = 0; i < shapes.size(); ++i)
    operands.push_back(b.input("a" + std::to_string(i), role::Data, {dtype, shapes[i]}));
  std::shared_ptr<const Graph> body = def.exampleBody ? def.exampleBody(dtype) : nullptr;
  *result = g.add(Node{def.name, operands, attrs, {dtype, resultShape}, {}, body});
  return g;
}

/// Uniform values in [lo, hi), rounded to the dtype so every consumer sees the same numbers.
inline Tensor randomTensor(const TensorType &type, double lo, double hi, std::mt19937 &rng) {
  std::uniform_real_distribution<double> u(lo, hi);
  Tensor t = xt::zeros<double>(std::vector<size_t>(type.shape.begin(), type.shape.end()));
  for (double &v : t)
    v = u(rng);
  roundToDType(t, type.dtype);
  return t;
}

/// Binds every input of `g` to a random tensor; `lo`/`hi` apply to role data inputs.
inline TensorMap randomInputs(const Graph &g, double lo, double hi, std::mt19937 &rng) {
  TensorMap in;
  for (ValueId v : g.inputs()) {
    const Node &n = g.node(v);
    bool data = n.attrs.getString("role") == role::Data;
    in[n.attrs.getString("name")] = randomTensor(n.type, data ? lo : -1.0, data ? hi : 1.0, rng);
  }
  return in;
}

/// Binds every input of a training-module graph by its role: data and targets in [lo, hi),
/// params in [-1, 1) (moving variances in [0.5, 1.5)), optimizer state in [0, 1) (Adam's
/// second moment must not be negative), noise_uniform in [0, 1), other noise and latents
/// in [-1, 1); the per-sample weight is 1 but for the last row (a padded row: 0); lr 1e-2
/// and step t = 3. Inputs already in `inputs` (shared between a module's graphs) are kept.
inline void bindStepInputs(const Graph &g, double lo, double hi, std::mt19937 &rng,
                           TensorMap &inputs) {
  for (ValueId v : g.inputs()) {
    const Node &n = g.node(v);
    const std::string &name = n.attrs.getString("name"), &role = n.attrs.getString("role");
    if (inputs.count(name))
      continue;
    double a = -1, b = 1;
    if (role == role::Data || role == role::Target) {
      a = lo;
      b = hi;
    } else if (role == role::NoiseUniform || role == role::State) {
      a = 0;
    } else if (name.find("moving_variance") != std::string::npos) {
      a = 0.5;
      b = 1.5;
    }
    Tensor t = randomTensor(n.type, a, b, rng);
    if (role == role::Weight) {
      t.fill(1.0);
      if (t.size() > 1)
        t.flat(t.size() - 1) = 0.0;
    }
    if (name == "lr")
      t() = 1e-2;
    if (name == "t")
      t() = 3.0;
    inputs[name] = t;
  }
}

/// Checks d(loss)/d(input) of every input named in `wrt` against central differences.
inline void checkGradients(Graph g, ValueId loss, const std::vector<std::string> &wrt, TensorMap inputs,
                    double tolerance = 1e-6) {
  std::vector<ValueId> wrtIds;
  for (const std::string &name : wrt)
    wrtIds.push_back(g.findInput(name));
  std::vector<ValueId> grads = buildGradients(g, loss, wrtIds);
  g.addOutput("__loss", loss);
  for (size_t i = 0; i < wrt.size(); ++i)
    g.addOutput("__grad_" + wrt[i], grads[i]);
  verifyGraph(g);
  TensorMap analytic = interpret(g, inputs);

  const double eps = 1e-6;
  for (const std::string &name : wrt) {
    Tensor &x = inputs[name];
    const Tensor &grad = analytic["__grad_" + name];
    REQUIRE(grad.shape() == x.shape());
    for (size_t k = 0; k < x.size(); ++k) {
      double saved = x.flat(k);
      x.flat(k) = saved + eps;
      double up = interpret(g, inputs)["__loss"]();
      x.flat(k) = saved - eps;
      double down = interpret(g, inputs)["__loss"]();
      x.flat(k) = saved;
      double numeric = (up - down) / (2 * eps);
      INFO("input " << name << " element " << k);
      CHECK(grad.flat(k) == Approx(numeric).epsilon(tolerance).margin(tolerance));
    }
  }
}

} // namespace aec::test
