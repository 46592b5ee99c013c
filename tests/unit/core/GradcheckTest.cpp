/// Every op's gradient against central differences in float64 on the interpreter, and a
/// second-order check (gradient of a gradient norm) on a small dense net.
#include "TestGraphs.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

using namespace aec;

namespace {

/// loss = sum(f * w) with a random weight "w", so each output element matters differently.
ValueId weightedSum(Graph &g, ValueId f) {
  Builder b(g);
  ValueId w = b.input("w", role::Param, g.type(f));
  return b.sumAll(b.mul(f, w));
}
} // namespace

TEST_CASE("every registered op's gradient matches central differences", "[gradcheck]") {
  std::mt19937 rng(7);
  for (const OpDef *def : allOps()) {
    if (def->has(TraitSource))
      continue;
    SECTION(def->name) {
      ValueId result;
      Graph g = test::exampleGraph(*def, DType::F64, &result);
      ValueId loss = weightedSum(g, result);
      TensorMap inputs = test::randomInputs(g, def->exampleMin, def->exampleMax, rng);
      std::vector<std::string> wrt;
      for (ValueId v : g.inputsWithRole(role::Data))
        wrt.push_back(g.node(v).attrs.getString("name"));
      test::checkGradients(g, loss, wrt, inputs);
    }
  }
}

TEST_CASE("matmul gradients hold for every transpose combination", "[gradcheck]") {
  std::mt19937 rng(3);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      Graph g;
      Builder b(g);
      ValueId a = b.input("a", role::Data, {DType::F64, ta ? Shape{4, 3} : Shape{3, 4}});
      ValueId c = b.input("c", role::Data, {DType::F64, tb ? Shape{5, 4} : Shape{4, 5}});
      ValueId loss = weightedSum(g, b.matmul(a, c, ta, tb));
      test::checkGradients(g, loss, {"a", "c"}, test::randomInputs(g, -1, 1, rng));
    }
}

TEST_CASE("composite activations and layernorm differentiate correctly", "[gradcheck]") {
  std::mt19937 rng(11);
  for (const std::string &act : activationNames()) {
    SECTION(act) {
      Graph g;
      Builder b(g);
      ValueId x = b.input("x", role::Data, {DType::F64, {3, 5}});
      ValueId loss = weightedSum(g, activation(b, x, act, NAN));
      test::checkGradients(g, loss, {"x"}, test::randomInputs(g, -2, 2, rng));
    }
  }
  SECTION("layernorm") {
    Graph g;
    Builder b(g);
    ValueId x = b.input("x", role::Data, {DType::F64, {3, 6}});
    ValueId gamma = b.input("gamma", role::Param, {DType::F64, {6}});
    ValueId beta = b.input("beta", role::Param, {DType::F64, {6}});
    ValueId loss = weightedSum(g, layerNorm(b, x, gamma, beta, 1e-5));
    test::checkGradients(g, loss, {"x", "gamma", "beta"}, test::randomInputs(g, -2, 2, rng));
  }
}

TEST_CASE("losses differentiate correctly, including bce from logits", "[gradcheck]") {
  std::mt19937 rng(5);
  for (const auto &[kind, logits] :
       std::vector<std::pair<std::string, bool>>{{"mse", false}, {"mae", false},
                                                  {"bce", true}, {"bce", false}}) {
    SECTION(kind + (logits ? " logits" : "")) {
      Graph g;
      Builder b(g);
      ValueId p = b.input("p", role::Data, {DType::F64, {4, 3}});
      ValueId t = b.input("t", role::Target, {DType::F64, {4, 3}});
      ValueId w = b.input("w", role::Weight, {DType::F64, {4}});
      ValueId loss = weightedMean(b, perSampleLoss(b, kind, p, t, logits), w);
      TensorMap in = test::randomInputs(g, logits ? -2.0 : 0.1, logits ? 2.0 : 0.9, rng);
      in["t"] = test::randomTensor({DType::F64, {4, 3}}, 0, 1, rng);
      in["w"] = Tensor({1.0, 1.0, 1.0, 0.0});
      test::checkGradients(g, loss, {"p"}, in);
    }
  }
}

TEST_CASE("second order: gradient of a gradient norm of a dense net", "[gradcheck]") {
  std::mt19937 rng(13);
  Graph g;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F64, {4, 3}});
  ValueId w1 = b.input("w1", role::Param, {DType::F64, {3, 5}});
  ValueId b1 = b.input("b1", role::Param, {DType::F64, {5}});
  ValueId w2 = b.input("w2", role::Param, {DType::F64, {5, 2}});
  ValueId h = b.tanh(b.add(b.matmul(x, w1), b.broadcast(b1, {4, 5}, {1})));
  ValueId y = b.sigmoid(b.matmul(h, w2));
  ValueId loss = b.sumAll(b.square(y));
  // Inner gradient w.r.t. the input and w1, as a contractive penalty would use.
  std::vector<ValueId> inner = buildGradients(g, loss, {x, w1});
  ValueId gradNorm = b.add(b.sumAll(b.square(inner[0])), b.sumAll(b.square(inner[1])));
  test::checkGradients(g, gradNorm, {"w1", "b1", "w2", "x"}, test::randomInputs(g, -1, 1, rng), 1e-5);
}

TEST_CASE("adjoints of disjoint slices combine into one concat", "[gradcheck]") {
  std::mt19937 rng(17);
  Graph g;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F64, {3, 8}});
  // Windows [0, 2) and [3, 5) along axis 1, used in reverse order: a gap and a zero frame.
  ValueId late = b.tanh(b.slice(x, {0, 3}, {3, 5}, {1, 1}));
  ValueId early = b.sigmoid(b.slice(x, {0, 0}, {3, 2}, {1, 1}));
  ValueId loss = b.add(weightedSum(g, late), b.sumAll(b.square(early)));
  test::checkGradients(g, loss, {"x"}, test::randomInputs(g, -1, 1, rng));

  // Structure after DCE: the two slice adjoints are one concat (with zeros in the gap) in
  // one zero frame, not a sum of two full-size pads.
  std::vector<ValueId> grads = buildGradients(g, loss, {x});
  g.outputs = {{"grad", grads[0]}};
  createDCEPass().run(g);
  int pads = 0, concats = 0, adds = 0;
  for (const Node &n : g.nodes()) {
    pads += n.op == "pad";
    concats += n.op == "concat";
    adds += n.op == "add" && n.type.shape == Shape{3, 8};
  }
  CHECK(concats == 1);
  CHECK(pads == 1);
  CHECK(adds == 0);
}
