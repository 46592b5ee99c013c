#pragma once
/// Helpers for tests that build graphs from the op registry and bind random inputs.
#include "ir/Builder.h"
#include "ir/Interpreter.h"
#include "ir/OpRegistry.h"

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
  *result = g.add(Node{def.name, operands, attrs, {dtype, resultShape}, {}});
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

} // namespace aec::test
