/// Compiled vs interpreter for every registered op, driven by each OpDef's
/// example, and the check that every op has a lowering.
#include "ir/OpRegistry.h"
#include "lowering_helpers.h"

#include <algorithm>

using namespace aec;
using namespace aec::testing;

namespace {

/// One node of `op` on inputs shaped by its example; the result is output "y".
Graph exampleGraph(const OpDef &op, DType dtype) {
  ValueId result;
  Graph g = test::exampleGraph(op, dtype, &result);
  g.addOutput("y", result);
  return g;
}

/// Inputs of two values only, a quarter and three quarters into the op's example range:
/// ties everywhere (max, argmax_mask, eq and step are where they matter).
TensorMap tiedInputs(const Graph &g, const OpDef &op, std::mt19937 &rng) {
  TensorMap inputs = randomInputs(g, 0, 1, rng);
  double span = op.exampleMax - op.exampleMin;
  for (auto &[name, t] : inputs)
    for (double &v : t)
      v = op.exampleMin + span * (v < 0.5 ? 0.25 : 0.75);
  return inputs;
}

bool skipped(const OpDef &op) {
  return op.name == "input" || op.name == "constant";
}

} // namespace

TEST_CASE("every registered op has a lowering", "[lowering]") {
  std::vector<std::string> lowered = loweredOpNames();
  for (const OpDef *op : allOps()) {
    INFO("op " << op->name);
    CHECK(std::find(lowered.begin(), lowered.end(), op->name) != lowered.end());
  }
}

namespace {

/// Every op's example graphs compiled for `target` against the interpreter, on random
/// and on tied inputs; f64 as well when `withF64`.
void checkEveryOp(const std::string &target, bool withF64) {
  // All examples in one module: one compile, one dlopen.
  Module module;
  std::vector<const OpDef *> ops;
  const int dtypes = withF64 ? 2 : 1;
  for (const OpDef *op : allOps())
    if (!skipped(*op)) {
      ops.push_back(op);
      module.graphs.push_back(exampleGraph(*op, DType::F32));
      if (withF64) {
        module.graphs.push_back(exampleGraph(*op, DType::F64));
        module.graphs.back().name += "_f64";
      }
    }
  std::unique_ptr<LoadedModule> loaded = compileAndLoad(module, target);
  std::mt19937 rng(42);
  for (size_t i = 0; i < ops.size(); ++i) {
    for (int f64 = 0; f64 < dtypes; ++f64) {
      const Graph &g = module.graphs[dtypes * i + f64];
      INFO("op " << ops[i]->name << (f64 ? " f64" : " f32") << " target " << target);
      for (const TensorMap &inputs :
           {randomInputs(g, ops[i]->exampleMin, ops[i]->exampleMax, rng),
            tiedInputs(g, *ops[i], rng)}) {
        if (f64)
          checkAgainstInterpreter(*loaded, g, inputs, 1e-12, 1e-14);
        else
          checkAgainstInterpreter(*loaded, g, inputs, 1e-5, 1e-6);
      }
    }
  }
}

} // namespace

TEST_CASE("every op compiles and matches the interpreter", "[lowering]") {
  checkEveryOp("cpu", /*withF64=*/true);
}

TEST_CASE("every op as the cuda target's kernels (run on the host) matches the interpreter",
          "[lowering][gpu-kernels]") {
  // The GPU kernels' loop nests, guards and polynomial math, executed block by block on
  // the CPU: what the cuda pipeline does before the launches (float32, the GPU's type).
  checkEveryOp("cuda-on-host", /*withF64=*/false);
}

TEST_CASE("an op without a lowering is a clear error", "[lowering]") {
  Graph g;
  g.name = "bad";
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, {2}});
  Node node{"no_such_op", {x}, {}, TensorType{DType::F32, {2}}, {}};
  g.addOutput("y", g.addUnchecked(node));
  Module m;
  m.graphs.push_back(g);
  CHECK_THROWS_WITH(emitMLIRText(m),
                    Catch::Contains("'no_such_op' has no MLIR lowering"));
}
