/// The scan op: the LSTM built as one scan against the unrolled formulation it replaced
/// (forward and gradients, float64, interpreter), gradients of gradients through a scan by
/// central differences, and the IR text of a scan round-tripping.
#include "TestGraphs.h"
#include "ir/Scan.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

using namespace aec;

namespace {

/// The LSTM unrolled over its steps into primitive ops: what expandLstm built before the
/// scan, kept here as the reference.
ValueId unrolledLstm(Builder &b, ValueId x, ValueId kernel, ValueId recurrent, ValueId bias,
                     int64_t u, bool returnSequences) {
  const Shape shape = b.shape(x);
  const int64_t batch = shape[0], steps = shape[1], features = shape[2];
  ValueId projected = b.matmul(b.reshape(x, {batch * steps, features}), kernel);
  projected = b.add(projected, b.broadcast(bias, {batch * steps, 4 * u}, {1}));
  projected = b.reshape(projected, {batch, steps, 4 * u});
  auto gate = [&](ValueId z, int64_t k) {
    return b.slice(z, {0, k * u}, {batch, (k + 1) * u}, {1, 1});
  };
  ValueId h = NoValue, c = NoValue;
  std::vector<ValueId> sequence;
  for (int64_t t = 0; t < steps; ++t) {
    ValueId z =
        b.reshape(b.slice(projected, {0, t, 0}, {batch, t + 1, 4 * u}, {1, 1, 1}), {batch, 4 * u});
    if (h != NoValue)
      z = b.add(z, b.matmul(h, recurrent));
    ValueId i = b.sigmoid(gate(z, 0));
    ValueId g = b.tanh(gate(z, 2));
    ValueId o = b.sigmoid(gate(z, 3));
    ValueId ig = b.mul(i, g);
    c = c == NoValue ? ig : b.add(b.mul(b.sigmoid(gate(z, 1)), c), ig);
    h = b.mul(o, b.tanh(c));
    if (returnSequences)
      sequence.push_back(b.reshape(h, {batch, 1, u}));
  }
  return returnSequences ? b.concat(sequence, 1) : h;
}

struct LstmCase {
  int64_t batch, steps, features, units;
  bool sequences;
};

std::string lstmModel(const LstmCase &c) {
  return "input: [" + std::to_string(c.steps) + ", " + std::to_string(c.features) +
         "]\nencoder:\n  - lstm: {units: " + std::to_string(c.units) +
         ", return_sequences: " + (c.sequences ? "true" : "false") +
         ", name: l}\n  - flatten\n  - dense: {units: 2, name: code}\ndecoder:\n  - dense: " +
         std::to_string(c.steps * c.features) + "\n  - reshape: [" + std::to_string(c.steps) +
         ", " + std::to_string(c.features) + "]\nloss: mse\noptimizer: {sgd: {lr: 1.0}}\n";
}

/// Outputs "y" = the layer's output and the gradients of sum(y * w) w.r.t. x and the params.
void addOutputsAndGradients(Graph &g, ValueId y) {
  Builder b(g);
  ValueId w = b.input("w", role::Data, g.type(y));
  ValueId loss = b.sumAll(b.mul(y, w));
  std::vector<std::string> names = {"x", "l/kernel", "l/recurrent_kernel", "l/bias"};
  std::vector<ValueId> wrt;
  for (const std::string &n : names)
    wrt.push_back(g.findInput(n));
  std::vector<ValueId> grads = buildGradients(g, loss, wrt);
  g.outputs.clear();
  g.addOutput("y", y);
  for (size_t i = 0; i < names.size(); ++i)
    g.addOutput("d_" + names[i], grads[i]);
}
} // namespace

TEST_CASE("the scan LSTM equals the unrolled one, values and gradients", "[scan][lstm]") {
  const std::vector<LstmCase> cases = {
      {3, 5, 2, 3, true}, {3, 5, 2, 3, false}, {1, 1, 3, 2, true},
      {1, 1, 3, 2, false}, {3, 7, 5, 7, true}, {1, 4, 1, 1, false}};
  std::mt19937 rng(11);
  for (const LstmCase &c : cases) {
    INFO("batch " << c.batch << " steps " << c.steps << " features " << c.features << " units "
                  << c.units << " sequences " << c.sequences);
    ModelSpec spec = parseModelSpec(lstmModel(c), "lstm.yaml");
    ForwardInfo info;
    Graph scanned = buildForward(spec, c.batch, ForwardPart::Full, &info, DType::F64);
    ValueId layer = info.layers.at("l");
    bool hasScan = false;
    for (const Node &n : scanned.nodes())
      hasScan = hasScan || n.op == "scan";
    CHECK(hasScan);

    Graph unrolled = scanned; // the same inputs; the unrolled layer appended
    Builder b(unrolled);
    ValueId reference =
        unrolledLstm(b, unrolled.findInput("x"), unrolled.findInput("l/kernel"),
                     unrolled.findInput("l/recurrent_kernel"), unrolled.findInput("l/bias"),
                     c.units, c.sequences);
    addOutputsAndGradients(scanned, layer);
    addOutputsAndGradients(unrolled, reference);

    TensorMap inputs = test::randomInputs(scanned, -1, 1, rng);
    TensorMap got = interpret(scanned, inputs), want = interpret(unrolled, inputs);
    for (const auto &[name, value] : want) {
      INFO(name);
      REQUIRE(got.at(name).shape() == value.shape());
      CHECK(xt::allclose(got.at(name), value, 1e-12, 1e-13));
    }
  }
}

namespace {
/// A scan of c' = tanh(c w + x_t), y_t = c' * x_t (the op's generic example) built through
/// buildScan, so it stacks residuals for its gradient.
ValueId exampleScan(Builder &b, ValueId c, ValueId xs, ValueId w) {
  auto body = std::make_shared<Graph>();
  body->name = "step";
  Builder s(*body);
  s.loc = b.loc;
  ValueId bc = s.input("c", role::Data, b.type(c));
  ValueId bx = s.input("x", role::Data, {DType::F64, {2, 3}});
  ValueId bw = s.input("w", role::Data, b.type(w));
  ValueId next = s.tanh(s.add(s.matmul(bc, bw), bx));
  body->addOutput("c", next);
  body->addOutput("y", s.mul(next, bx));
  return buildScan(b, body, 4, {c}, {xs}, {w});
}
} // namespace

TEST_CASE("gradients of scans match central differences, first and second order",
          "[scan][gradcheck]") {
  std::mt19937 rng(5);
  for (int order = 1; order <= 2; ++order) {
    for (int reverse = 0; reverse < 2; ++reverse) {
      INFO("order " << order << " reverse " << reverse);
      Graph g;
      Builder b(g);
      ValueId c = b.input("c", role::Data, {DType::F64, {2, 3}});
      ValueId xs = b.input("xs", role::Data, {DType::F64, {4, 2, 3}});
      ValueId w = b.input("w", role::Data, {DType::F64, {3, 3}});
      ValueId scan = exampleScan(b, c, xs, w);
      if (reverse) // a reverse scan: the gradient's own, on the forward one's outputs
        scan = buildScan(b, g.node(scan).body, 4, {scanOutput(b, scan, 0)}, {xs}, {w}, true);
      ValueId y = scanOutput(b, scan, 1), last = scanOutput(b, scan, 0);
      ValueId loss = b.add(b.sumAll(b.mul(y, y)), b.sumAll(b.mul(last, last)));
      if (order == 2) {
        // The squared norm of the gradient w.r.t. the inputs: differentiating it goes
        // through the backward scan and the forward scan's residuals.
        std::vector<ValueId> grads = buildGradients(g, loss, {xs, w});
        loss = b.add(b.sumAll(b.square(grads[0])), b.sumAll(b.square(grads[1])));
      }
      TensorMap inputs = test::randomInputs(g, -1, 1, rng);
      test::checkGradients(g, loss, {"c", "xs", "w"}, inputs);
    }
  }
}

TEST_CASE("a scan prints, parses back to the same text and runs the same", "[scan][ir]") {
  Graph g;
  g.name = "f";
  Builder b(g);
  b.loc = {"m.yaml", 2, 3, "rnn"};
  ValueId c = b.input("c", role::Data, {DType::F64, {2, 3}});
  ValueId xs = b.input("xs", role::Data, {DType::F64, {4, 2, 3}});
  ValueId w = b.input("w", role::Param, {DType::F64, {3, 3}});
  ValueId scan = exampleScan(b, c, xs, w);
  ValueId loss = b.sumAll(b.square(scanOutput(b, scan, 1)));
  std::vector<ValueId> grads = buildGradients(g, loss, {w});
  g.addOutput("loss", loss);
  g.addOutput("dw", grads[0]);
  Module m;
  m.graphs.push_back(g);
  for (bool locs : {false, true}) {
    std::string text = printModule(m, locs);
    CHECK(text.find("scan(") != std::string::npos);
    CHECK(text.find("graph @step") != std::string::npos);
    Module back = parseModule(text);
    CHECK(printModule(back, locs) == text);
  }
  std::mt19937 rng(2);
  TensorMap inputs = test::randomInputs(g, -1, 1, rng);
  Module back = parseModule(printModule(m));
  TensorMap want = interpret(g, inputs), got = interpret(back.graphs[0], inputs);
  CHECK(xt::allclose(got.at("loss"), want.at("loss"), 0, 0));
  CHECK(xt::allclose(got.at("dw"), want.at("dw"), 0, 0));
}

TEST_CASE("a scan's body is verified, and the passes optimise inside it", "[scan][passes]") {
  Graph g;
  g.name = "f";
  Builder b(g);
  ValueId c = b.input("c", role::Data, {DType::F64, {2, 3}});
  ValueId xs = b.input("xs", role::Data, {DType::F64, {4, 2, 3}});
  auto body = std::make_shared<Graph>();
  body->name = "step";
  Builder s(*body);
  ValueId bc = s.input("c", role::Data, {DType::F64, {2, 3}});
  ValueId bx = s.input("x", role::Data, {DType::F64, {2, 3}});
  // x * 1 folds, the two equal sums merge, the unused exp goes.
  ValueId one = s.mul(bx, s.constantLike(1.0, bx));
  s.exp(bc);
  body->addOutput("c", s.add(s.add(bc, one), s.add(bc, one)));
  ValueId scan = buildScan(b, body, 4, {c}, {xs}, {});
  g.addOutput("c", scanOutput(b, scan, 0));
  Module m;
  m.graphs.push_back(g);
  Module before = m;
  defaultPipeline().run(m);
  const Graph *optBody = nullptr;
  for (const Node &n : m.graphs[0].nodes())
    if (n.op == "scan")
      optBody = n.body.get();
  REQUIRE(optBody);
  CHECK(optBody->size() < body->size());
  for (const Node &n : optBody->nodes()) {
    CHECK(n.op != "exp");
    CHECK(n.op != "mul");
  }
  std::mt19937 rng(4);
  TensorMap inputs = test::randomInputs(g, -1, 1, rng);
  CHECK(xt::allclose(interpret(m.graphs[0], inputs).at("c"),
                     interpret(before.graphs[0], inputs).at("c")));

  // A body whose carry changes type is rejected at the scan.
  Graph wrong;
  Builder wb(wrong);
  ValueId wc = wb.input("c", role::Data, {DType::F64, {2, 2}});
  ValueId wxs = wb.input("xs", role::Data, {DType::F64, {4, 2, 3}});
  CHECK_THROWS_WITH(buildScan(wb, body, 4, {wc}, {wxs}, {}),
                    Catch::Contains("operand 0 is f64[2, 2], the body needs f64[2, 3]"));
}

TEST_CASE("dce drops the residuals of a scan that no gradient reads", "[scan][passes]") {
  Graph g;
  g.name = "f";
  Builder b(g);
  ValueId c = b.input("c", role::Data, {DType::F64, {2, 3}});
  ValueId xs = b.input("xs", role::Data, {DType::F64, {4, 2, 3}});
  ValueId w = b.input("w", role::Data, {DType::F64, {3, 3}});
  ValueId scan = exampleScan(b, c, xs, w);
  const size_t outputs = g.node(scan).body->outputs.size();
  REQUIRE(outputs > 2); // the carry, y and the residuals buildScan added
  g.addOutput("y", scanOutput(b, scan, 1));
  g.addOutput("last", b.sumAll(scanOutput(b, scan, 0)));
  Graph before = g;
  createDCEPass().run(g);
  verifyGraph(g);
  const Node *pruned = nullptr;
  for (const Node &n : g.nodes())
    if (n.op == "scan")
      pruned = &n;
  REQUIRE(pruned);
  CHECK(pruned->body->outputs.size() == 2);
  CHECK(pruned->type.numElements() == 6 + 4 * 6);
  std::mt19937 rng(8);
  TensorMap inputs = test::randomInputs(g, -1, 1, rng);
  TensorMap want = interpret(before, inputs), got = interpret(g, inputs);
  CHECK(xt::allclose(got.at("y"), want.at("y"), 0, 0));
  CHECK(xt::allclose(got.at("last"), want.at("last"), 0, 0));

  // With a gradient, the residuals are read and stay.
  Graph trained = before;
  Builder tb(trained);
  ValueId loss = tb.sumAll(tb.square(scanOutput(tb, scan, 1)));
  trained.addOutput("dw", buildGradients(trained, loss, {trained.findInput("w")})[0]);
  createDCEPass().run(trained);
  for (const Node &n : trained.nodes())
    if (n.op == "scan" && n.attrs.getInt("reverse") == 0)
      CHECK(n.body->outputs.size() == outputs);
}
