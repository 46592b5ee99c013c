/// The graph IR text round-trips through its parser, and the parser reports errors at
/// line:col.
#include "TestGraphs.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

using namespace aec;

namespace {
Graph smallNet() {
  Graph g;
  g.name = "net";
  Builder b(g);
  b.loc = {"m.yaml", 3, 5, "enc"};
  ValueId x = b.input("x", role::Data, {DType::F32, {8, 3}});
  ValueId w = b.input("enc/kernel", role::Param, {DType::F32, {3, 4}});
  ValueId bias = b.input("enc/bias", role::Param, {DType::F32, {4}});
  ValueId y = activation(b, b.add(b.matmul(x, w), b.broadcast(bias, {8, 4}, {1})), "gelu", NAN);
  g.addOutput("y", y);
  g.addOutput("loss", b.sumAll(b.mulScalar(y, 0.1)));
  return g;
}
} // namespace

TEST_CASE("printed IR parses back to the same text", "[ir]") {
  Module m;
  m.graphs.push_back(smallNet());
  for (bool locs : {false, true}) {
    std::string text = printModule(m, locs);
    Module back = parseModule(text);
    CHECK(printModule(back, locs) == text);
  }
}

TEST_CASE("the training module round-trips and verifies after every pass", "[ir]") {
  Module m;
  m.graphs.push_back(smallNet());
  Graph &g = m.graphs[0];
  std::vector<ValueId> params = g.inputsWithRole(role::Param);
  std::vector<ValueId> grads = buildGradients(g, g.findOutput("loss"), params);
  g.addOutput("grad_kernel", grads[0]);
  std::string before = printModule(m);
  defaultPipeline().run(m);
  std::string after = printModule(m);
  CHECK(after.size() < before.size()); // simplify/cse/dce removed something
  CHECK(printModule(parseModule(after)) == after);
}

TEST_CASE("optimisation passes do not change results", "[passes]") {
  Module m;
  m.graphs.push_back(smallNet());
  Graph &g = m.graphs[0];
  std::vector<ValueId> grads = buildGradients(g, g.findOutput("loss"), g.inputsWithRole(role::Param));
  g.addOutput("grad_kernel", grads[0]);
  g.addOutput("grad_bias", grads[1]);
  std::mt19937 rng(1);
  TensorMap in = test::randomInputs(g, -1, 1, rng);
  TensorMap ref = interpret(g, in);
  defaultPipeline().run(m);
  TensorMap opt = interpret(m.graphs[0], in);
  for (const auto &[name, value] : ref) {
    INFO(name);
    CHECK(xt::allclose(value, opt[name], 1e-6, 1e-7));
  }
}

TEST_CASE("parser errors name line and column", "[ir]") {
  const std::string text = "graph @g {\n  %0 = input {name = \"x\", role = \"data\"} : f32[2]\n"
                           "  %1 = exp(%7) : f32[2]\n  return \"y\" = %1\n}\n";
  try {
    parseModule(text, "t.ir");
    FAIL("expected an error");
  } catch (const CompileError &e) {
    CHECK(std::string(e.what()) == "t.ir:3:12: error: use of undefined value %7");
  }
  const std::string badType = "graph @g {\n  %0 = input {name = \"x\", role = \"data\"} : f32[2]\n"
                              "  %1 = exp(%0) : f32[3]\n  return \"y\" = %1\n}\n";
  CHECK_THROWS_WITH(parseModule(badType, "t.ir"),
                    Catch::Contains("type f32[3] but the op gives f32[2]"));
}

TEST_CASE("graph construction rejects mismatched shapes at the node's location", "[ir]") {
  Graph g;
  Builder b(g);
  b.loc = {"m.yaml", 4, 7, "dec"};
  ValueId a = b.input("a", role::Data, {DType::F32, {2, 3}});
  ValueId c = b.input("c", role::Data, {DType::F32, {4, 5}});
  CHECK_THROWS_WITH(b.matmul(a, c),
                    "m.yaml:4:7: error: layer 'dec': op 'matmul' inner dimensions differ: "
                    "f32[2, 3] x f32[4, 5]");
  CHECK_THROWS_WITH(b.add(a, c), Catch::Contains("expects operands of one type"));
}

