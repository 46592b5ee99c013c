#pragma once
/// Shared by the lowering tests: random inputs, running a compiled graph on
/// host buffers, and comparing against the interpreter.
#include "core/TestGraphs.h"
#include "ir/Builder.h"
#include "ir/Interpreter.h"
#include "passes/lowering/Lowering.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace aec::testing {

using test::randomInputs;
using test::randomTensor;

/// A host buffer in the graph's dtype (f32 per the ABI; f64 for completeness).
struct HostBuffer {
  DType dtype;
  std::vector<float> f32;
  std::vector<double> f64;

  HostBuffer(const TensorType &type, const Tensor *init = nullptr)
      : dtype(type.dtype) {
    size_t n = static_cast<size_t>(type.numElements());
    if (dtype == DType::F32)
      f32.assign(n, std::nanf(""));
    else
      f64.assign(n, std::nan(""));
    for (size_t i = 0; init && i < n; ++i)
      set(i, init->flat(i));
  }
  void set(size_t i, double v) {
    if (dtype == DType::F32)
      f32[i] = static_cast<float>(v);
    else
      f64[i] = v;
  }
  double get(size_t i) const { return dtype == DType::F32 ? f32[i] : f64[i]; }
  void *data() {
    return dtype == DType::F32 ? static_cast<void *>(f32.data()) : f64.data();
  }
};

/// Runs entry `graph.name` of `loaded` on `inputs` (bound by input name);
/// returns the outputs in graph.outputs order.
inline std::vector<HostBuffer> runCompiled(const LoadedModule &loaded,
                                           const Graph &graph,
                                           const TensorMap &inputs) {
  REQUIRE(loaded.entry(graph.name) != nullptr);
  std::vector<HostBuffer> ins, outs;
  for (ValueId id : graph.inputs())
    ins.emplace_back(graph.type(id),
                     &inputs.at(graph.node(id).attrs.getString("name")));
  for (const GraphOutput &out : graph.outputs)
    outs.emplace_back(graph.type(out.value));
  std::vector<void *> buffers;
  for (HostBuffer &b : ins)
    buffers.push_back(b.data());
  for (HostBuffer &b : outs)
    buffers.push_back(b.data());
  loaded.call(graph.name, buffers);
  return outs;
}

/// |compiled - reference| <= abs + rel * |reference| for every element of every
/// output.
inline void checkAgainstInterpreter(const LoadedModule &loaded,
                                    const Graph &graph, const TensorMap &inputs,
                                    double rel, double abs) {
  TensorMap expected = interpret(graph, inputs);
  std::vector<HostBuffer> got = runCompiled(loaded, graph, inputs);
  for (size_t o = 0; o < graph.outputs.size(); ++o) {
    const Tensor &ref = expected.at(graph.outputs[o].name);
    REQUIRE(
        ref.size() ==
        static_cast<size_t>(graph.type(graph.outputs[o].value).numElements()));
    size_t bad = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      double r = ref.flat(i), c = got[o].get(i);
      if (!(std::fabs(c - r) <= abs + rel * std::fabs(r))) {
        if (bad++ < 5)
          UNSCOPED_INFO("output " << graph.outputs[o].name << "[" << i
                                  << "]: compiled " << c << " vs interpreter "
                                  << r);
      }
    }
    CHECK(bad == 0);
  }
}

} // namespace aec::testing
