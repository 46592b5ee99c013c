/// Optimisation never changes the answer: every registered graph pass, alone and inside the
/// default pipeline, is checked against the graph before it, on the interpreter in float64,
/// for every model in models/ and for random graphs built from every registered op (with
/// splat constants as operands, so each op's fold is exercised: pad values and concat
/// pieces that differ, the identities' 0 and 1).
#include "TestGraphs.h"
#include "frontend/ModelSpec.h"
#include "ir/OpRegistry.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace aec;

namespace {

/// Equal up to the last bits (folding a sum of n splats into one product rounds once
/// instead of n times); NaN and infinities must match exactly.
bool sameValue(double got, double want) {
  if (std::isnan(want) || std::isnan(got))
    return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got))
    return got == want;
  return std::fabs(got - want) <= 1e-9 * (1.0 + std::fabs(want));
}

/// Each graph's outputs, interpreted.
using Results = std::vector<TensorMap>;
Results interpretAll(const Module &module, const TensorMap &inputs) {
  Results out;
  for (const Graph &g : module.graphs)
    out.push_back(interpret(g, inputs));
  return out;
}

/// The outputs of `after` equal `want` (the results of the module before it); returns them.
Results checkSameResults(const Results &want, const Module &after, const TensorMap &inputs,
                      const std::string &what) {
  Results got = interpretAll(after, inputs);
  for (size_t k = 0; k < want.size(); ++k)
    for (const auto &[name, w] : want[k]) {
      const Tensor &g = got[k].at(name);
      REQUIRE(w.shape() == g.shape());
      size_t bad = 0;
      for (size_t i = 0; i < w.size(); ++i)
        if (!sameValue(g.flat(i), w.flat(i)) && bad++ < 3)
          UNSCOPED_INFO(what << ": graph " << after.graphs[k].name << " output " << name << "["
                             << i << "] is " << g.flat(i) << ", was " << w.flat(i));
      CHECK(bad == 0);
    }
  return got;
}

/// Runs `pass` on every graph of a copy of `module`, verified as the pass manager does.
Module runPass(const Module &module, const Pass &pass) {
  Module out = module;
  PassManager pm;
  pm.passes = {pass};
  pm.run(out);
  return out;
}

void checkModule(const Module &module, const TensorMap &inputs, const std::string &what) {
  const Results unoptimised = interpretAll(module, inputs);
  // The default pipeline step by step, each step against the one before, then the end
  // against the start; a registered pass outside the pipeline alone on the start.
  const PassManager pipeline = defaultPipeline();
  for (const PassInfo &info : registeredPasses())
    if (std::none_of(pipeline.passes.begin(), pipeline.passes.end(),
                     [&](const Pass &p) { return p.name == info.name; }))
      checkSameResults(unoptimised, runPass(module, info.create()), inputs, what + ", " + info.name);
  Module stage = module;
  Results before = unoptimised;
  for (const Pass &pass : pipeline.passes) {
    stage = runPass(stage, pass);
    before = checkSameResults(before, stage, inputs, what + ", pipeline step " + pass.name);
  }
  checkSameResults(unoptimised, stage, inputs, what + ", whole pipeline");
}

// ---- Random graphs -------------------------------------------------------------------

/// Builds random graphs: each node a random registered op on its example shapes, each
/// operand an earlier value of that shape, a fresh input, or a splat constant.
class RandomGraphBuilder {
public:
  explicit RandomGraphBuilder(std::mt19937 &rng) : Rng(rng) {
    for (const OpDef *def : allOps())
      if (!def->has(TraitSource))
        Ops.push_back(def);
  }

  Graph build(int nodes, TensorMap &inputs) {
    Graph g;
    g.name = "random";
    Builder b(g);
    std::vector<ValueId> pool;
    for (int i = 0; i < nodes; ++i) {
      const OpDef &def = *Ops[pick(Ops.size())];
      std::vector<Shape> shapes;
      Attrs attrs;
      Shape resultShape;
      def.example(shapes, attrs, resultShape);
      // An elementwise op takes any one shape: often that of an earlier value, so chains
      // run through pads, concats and reductions.
      if (def.has(TraitElementwise) && !pool.empty() && coin())
        std::fill(shapes.begin(), shapes.end(), g.type(pool[pick(pool.size())]).shape);
      std::vector<ValueId> operands;
      std::optional<double> lastSplat;
      for (const Shape &s : shapes)
        operands.push_back(operand(b, g, pool, def, s, inputs, lastSplat));
      if (attrs.has("value")) // a pad value equal to the operand's splat, or another one
        attrs.set("value", lastSplat && coin() ? *lastSplat : splatValue());
      std::shared_ptr<const Graph> body =
          def.exampleBody ? def.exampleBody(DType::F64) : nullptr;
      pool.push_back(g.add(Node{def.name, operands, attrs, {DType::F64, resultShape}, {}, body}));
    }
    for (size_t i = 0; i < pool.size(); ++i)
      if (i + 1 == pool.size() || coin()) // the rest is left for DCE
        g.addOutput("out" + std::to_string(i), pool[i]);
    return g;
  }

private:
  std::mt19937 &Rng;
  std::vector<const OpDef *> Ops;
  int Inputs = 0;

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(Rng); }
  bool coin() { return pick(2) == 0; }
  /// Values the folds treat specially come up often.
  double splatValue() {
    const double menu[] = {0.0, 1.0, -1.0, 0.5, 2.0};
    return pick(3) == 0 ? std::uniform_real_distribution<double>(-2, 2)(Rng) : menu[pick(5)];
  }

  ValueId operand(Builder &b, const Graph &g, const std::vector<ValueId> &pool, const OpDef &def,
                  const Shape &shape, TensorMap &inputs, std::optional<double> &lastSplat) {
    std::vector<ValueId> fits;
    for (ValueId v : pool)
      if (g.type(v).shape == shape)
        fits.push_back(v);
    size_t choice = pick(3);
    if (choice == 0 && !fits.empty())
      return fits[pick(fits.size())];
    if (choice <= 1) {
      // Often the same splat as the previous operand (equal concat pieces, x - x).
      double v = lastSplat && coin() ? *lastSplat : splatValue();
      lastSplat = v;
      return b.constant(v, {DType::F64, shape});
    }
    std::string name = "in" + std::to_string(Inputs++);
    ValueId in = b.input(name, role::Data, {DType::F64, shape});
    inputs[name] = test::randomTensor(g.type(in), def.exampleMin, def.exampleMax, Rng);
    return in;
  }
};

} // namespace

TEST_CASE("every pass keeps every model's results", "[passes][models]") {
  std::vector<std::filesystem::path> models;
  for (const auto &entry : std::filesystem::directory_iterator(AEC_SOURCE_DIR "/models"))
    if (entry.path().extension() == ".yaml")
      models.push_back(entry.path());
  std::sort(models.begin(), models.end());
  REQUIRE(models.size() >= 10);
  for (const std::filesystem::path &path : models) {
    SECTION(path.filename().string()) {
      ModelSpec spec = loadModelSpec(path.string());
      // Two rows, the second one padded: small enough for the interpreter to run a conv
      // model's steps, and still a partial batch.
      Module module = buildTrainingModule(spec, 2, DType::F64);
      std::mt19937 rng(17);
      TensorMap inputs;
      for (const Graph &g : module.graphs)
        test::bindStepInputs(g, 0.0, 1.0, rng, inputs);
      checkModule(module, inputs, path.filename().string());
    }
  }
}

TEST_CASE("every pass keeps the results of random graphs of every op", "[passes][random]") {
  std::mt19937 rng(2024);
  RandomGraphBuilder random(rng);
  for (int trial = 0; trial < 300; ++trial) {
    TensorMap inputs;
    Module module;
    module.graphs.push_back(random.build(1 + trial % 12, inputs));
    checkModule(module, inputs, "random graph " + std::to_string(trial));
  }
}

TEST_CASE("pad and concat of splats fold only when the result is a splat", "[passes]") {
  Graph g;
  g.name = "folds";
  Builder b(g);
  TensorType f64{DType::F64, {3, 3}};
  // pad(ones 3x3, value 0) to 5x5: 9 ones among zeros, not 25 ones.
  ValueId padded = b.pad(b.constant(1.0, f64), {1, 1}, {1, 1}, {0, 0}, 0.0);
  g.addOutput("pad_sum", b.reduceSum(padded, {0, 1}));
  // concat(zeros[2], ones[3]): 3, not 0.
  ValueId joined = b.concat({b.constant(0.0, {DType::F64, {2}}), b.constant(1.0, {DType::F64, {3}})}, 0);
  g.addOutput("concat_sum", b.reduceSum(joined, {0}));
  // Equal pieces, and a pad by its own value, do fold.
  ValueId twos = b.concat({b.constant(2.0, {DType::F64, {2}}), b.constant(2.0, {DType::F64, {3}})}, 0);
  g.addOutput("twos", twos);
  g.addOutput("same_pad", b.pad(b.constant(0.5, f64), {0, 1}, {2, 0}, {1, 0}, 0.5));
  Module m;
  m.graphs.push_back(g);
  defaultPipeline().run(m);
  TensorMap out = interpret(m.graphs[0], {});
  CHECK(out["pad_sum"]() == 9.0);
  CHECK(out["concat_sum"]() == 3.0);
  const Graph &opt = m.graphs[0];
  CHECK(opt.node(opt.findOutput("twos")).op == "constant");
  CHECK(opt.node(opt.findOutput("same_pad")).op == "constant");
  CHECK(opt.node(opt.findOutput("same_pad")).attrs.getFloat("value") == 0.5);
}

TEST_CASE("each op's gradient rule exists exactly when adjoints flow through it", "[ops]") {
  for (const OpDef *def : allOps()) {
    INFO(def->name);
    bool flows = !def->has(TraitSource) && !def->has(TraitNoGrad);
    CHECK(static_cast<bool>(def->grad) == flows);
    CHECK(static_cast<bool>(def->eval));
  }
}
