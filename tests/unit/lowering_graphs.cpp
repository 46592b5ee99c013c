/// Compiled vs interpreter on multi-op graphs and the awkward corners of the
/// ABI: outputs that are inputs, repeated outputs, constant outputs, rank-0
/// values, all matmul transpositions; plus the text and object emitters.
#include "lowering_helpers.h"
#include "passes/lowering/MatmulPlan.h"

#include <cstdio>
#include <fstream>
#include <iterator>

using namespace aec;
using namespace aec::testing;

namespace {
TensorType f32(Shape shape) { return {DType::F32, std::move(shape)}; }

/// A dense layer with sigmoid, its MSE and a hand-written SGD-like update: the
/// shape of a training step (elementwise chains to fuse, matmuls, reductions,
/// broadcasts).
Graph denseStep() {
  Graph g;
  g.name = "dense_step";
  Builder b(g);
  ValueId x = b.input("x", role::Data, f32({8, 5}));
  ValueId w = b.input("w", role::Param, f32({5, 3}));
  ValueId bias = b.input("b", role::Param, f32({3}));
  ValueId t = b.input("t", role::Target, f32({8, 3}));
  ValueId z = b.add(b.matmul(x, w), b.broadcast(bias, {8, 3}, {1}));
  ValueId y = b.sigmoid(z);
  ValueId d = b.sub(y, t);
  ValueId loss = b.mulScalar(b.sumAll(b.square(d)), 1.0 / 24);
  ValueId gz = b.mul(d, b.mul(y, b.sub(b.constantLike(1.0, y), y)));
  ValueId gw = b.matmul(x, gz, /*transA=*/true, false);
  ValueId gb = b.reduceSum(gz, {0});
  g.addOutput("loss", loss);
  g.addOutput("w_new", b.sub(w, b.mulScalar(gw, 0.1)));
  g.addOutput("b_new", b.sub(bias, b.mulScalar(gb, 0.1)));
  g.addOutput("y", y);
  return g;
}

/// Outputs that alias inputs, each other and constants, and rank-0 reshapes.
Graph corners() {
  Graph g;
  g.name = "corners";
  Builder b(g);
  ValueId x = b.input("x", role::Data, f32({2, 6}));
  ValueId s = b.input("s", role::Hyper, f32({}));
  ValueId e = b.exp(x);
  g.addOutput("x_again", x);
  g.addOutput("e", e);
  g.addOutput("e_again", e);
  g.addOutput("c", b.constant(2.5, f32({3})));
  g.addOutput("s_again", s);
  g.addOutput("s_as_1x1", b.reshape(s, {1, 1}));
  g.addOutput("total", b.reshape(b.reshape(b.sumAll(x), {1}), {}));
  g.addOutput("x_3d", b.reshape(x, {3, 2, 2}));
  g.addOutput("s_bcast", b.broadcastScalarLike(s, x));
  g.addOutput("x_view", b.reshape(x, {12}));
  return g;
}

/// All four transpositions at shape m x k x n. Small shapes stay loops; large
/// ones take the tiled, vectorized path (N = 70 has no multiple-of-4 tile, odd
/// M gives 1-row tiles); narrow ones (a conv's 4 filters, its kernel gradient)
/// run 4 lanes wide or swapped to (op(B)^T op(A)^T)^T.
Graph matmuls(const std::string &name, int64_t m, int64_t k, int64_t n) {
  Graph g;
  g.name = name;
  Builder b(g);
  ValueId a = b.input("a", role::Data, f32({m, k}));
  ValueId at = b.input("at", role::Data, f32({k, m}));
  ValueId bm = b.input("b", role::Data, f32({k, n}));
  ValueId bt = b.input("bt", role::Data, f32({n, k}));
  g.addOutput("nn", b.matmul(a, bm));
  g.addOutput("tn", b.matmul(at, bm, true, false));
  g.addOutput("nt", b.matmul(a, bt, false, true));
  g.addOutput("tt", b.matmul(at, bt, true, true));
  return g;
}

/// Transcendental functions over a tensor long enough for the loop vectorizer
/// (and an odd tail): these run as glibc's libmvec vector calls.
Graph vectorMath() {
  Graph g;
  g.name = "vector_math";
  Builder b(g);
  ValueId x = b.input("x", role::Data, f32({67, 33}));
  ValueId positive = b.add(b.exp(x), b.constantLike(0.1, x));
  g.addOutput("exp", b.exp(x));
  g.addOutput("log", b.log(positive));
  g.addOutput("log1p", b.log1p(positive));
  g.addOutput("tanh", b.tanh(b.mulScalar(x, 3.0)));
  g.addOutput("erf", b.erf(b.mulScalar(x, 2.0)));
  return g;
}

Module moduleOf(std::vector<Graph> graphs) {
  Module m;
  m.graphs = std::move(graphs);
  return m;
}
} // namespace

TEST_CASE("multi-op graphs match the interpreter", "[lowering]") {
  // Graph and the longest sum in it: float32 accumulation of k products of
  // numbers in [-1, 1] may differ from the exact sum by up to k * 2^-24.
  std::vector<std::pair<Graph, int64_t>> cases = {
      {denseStep(), 8},
      {corners(), 12},
      {vectorMath(), 1},
      {matmuls("matmul_small", 7, 9, 5), 9},
      {matmuls("matmul_tiled", 32, 96, 64), 96},
      {matmuls("matmul_odd", 27, 80, 70), 80},
      {matmuls("matmul_narrow", 2048, 100, 4), 100},
      {matmuls("matmul_kernel_grad", 100, 2048, 4), 2048},
      {matmuls("matmul_3_wide", 1024, 36, 3), 36}};
  Module m;
  for (const auto &c : cases)
    m.graphs.push_back(c.first);
  std::unique_ptr<LoadedModule> loaded = compileAndLoad(m);
  std::mt19937 rng(7);
  for (const auto &[g, longestSum] : cases) {
    INFO("graph " << g.name);
    double abs = std::max(1e-6, double(longestSum) * std::ldexp(1.0, -24));
    checkAgainstInterpreter(*loaded, g, randomInputs(g, -1.0, 1.0, rng), 1e-5, abs);
  }
  CHECK(loaded->entry("no_such_function") == nullptr);
}

TEST_CASE("text emitters show each stage", "[lowering]") {
  Module m = moduleOf({denseStep()});
  std::string mlir = emitMLIRText(m);
  CHECK_THAT(mlir, Catch::Contains("func.func @dense_step"));
  CHECK_THAT(mlir, Catch::Contains("linalg.matmul"));

  std::string llvmText = emitLLVMText(m, "aec-model 1\nname test\n");
  CHECK_THAT(llvmText, Catch::Contains("define void @aec_fn_dense_step(ptr"));
  CHECK_THAT(
      llvmText,
      Catch::Contains("@aec_model_descriptor = local_unnamed_addr constant"));
  CHECK_THAT(llvmText, Catch::Contains("aec-model 1\\0Aname test\\0A\\00"));

  std::string asmText = emitAssemblyText(m, "");
  CHECK_THAT(asmText, Catch::Contains("aec_fn_dense_step:"));
}

TEST_CASE("emitObjectFile writes a relocatable ELF object", "[lowering]") {
  std::string path = "lowering_test_object.o";
  emitObjectFile(moduleOf({corners()}), "aec-model 1\n", path);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 64);
  CHECK(bytes.substr(0, 4) == "\x7f"
                              "ELF");
  CHECK(bytes[16] == 1); // e_type ET_REL
  std::remove(path.c_str());
}

TEST_CASE("linking a missing object reports the linker's message",
          "[lowering]") {
  CHECK_THROWS_WITH(
      linkTrainer("/nonexistent/model.o", "trainer_should_not_exist"),
      Catch::Contains("/nonexistent/model.o"));
}

TEST_CASE("planMatmul vectorizes along the wider side", "[lowering]") {
  using lowering::planMatmul;
  // Dense layers: the direct layout, operands transposed as stored.
  lowering::MatmulPlan dense = planMatmul(32, 50, 2, false, false);
  CHECK_FALSE(dense.swapped);
  lowering::MatmulPlan denseGrad = planMatmul(2, 50, 32, true, false); // x^T dy
  CHECK_FALSE(denseGrad.swapped);
  CHECK(denseGrad.transposeLeft);
  // A conv kernel gradient patches^T [100, 32768] x dy [32768, 4]: swapped, so the
  // 100 kernel rows are the vector lanes and the big patch matrix is read as it is.
  lowering::MatmulPlan kernelGrad = planMatmul(100, 4, 32768, true, false);
  CHECK(kernelGrad.swapped);
  CHECK(kernelGrad.transposeLeft);     // dy^T, small
  CHECK_FALSE(kernelGrad.transposeRight); // patches, as stored
  // The conv itself, patches [32768, 100] x kernel [100, 4]: 4 lanes, no copy of the
  // patches.
  CHECK_FALSE(planMatmul(32768, 4, 100, false, false).swapped);
}

TEST_CASE("splitColumns covers the columns with power-of-two tiles", "[lowering]") {
  using lowering::ColumnBlock;
  auto text = [](const std::vector<ColumnBlock> &blocks) {
    std::string s;
    for (const ColumnBlock &b : blocks)
      s += std::to_string(b.offset) + "+" + std::to_string(b.width) + "/" + std::to_string(b.tile) + " ";
    return s;
  };
  CHECK(text(lowering::splitColumns(50, 32)) == "0+32/32 32+16/16 48+2/2 ");
  CHECK(text(lowering::splitColumns(784, 32)) == "0+768/32 768+16/16 ");
  CHECK(text(lowering::splitColumns(64, 32)) == "0+64/32 ");
  CHECK(text(lowering::splitColumns(5, 32)) == "0+4/4 4+1/1 ");
  CHECK(text(lowering::splitColumns(1, 32)) == "0+1/1 ");
  CHECK(text(lowering::splitColumns(40, 24)) == "0+32/16 32+8/8 "); // 24 rounds down to 16
  for (int64_t n = 1; n <= 200; ++n) {
    int64_t covered = 0;
    for (const ColumnBlock &b : lowering::splitColumns(n, 32)) {
      CHECK(b.offset == covered);
      CHECK(b.width % b.tile == 0);
      CHECK((b.tile & (b.tile - 1)) == 0);
      covered += b.width;
    }
    CHECK(covered == n);
  }
}

TEST_CASE("pickTile takes the largest divisor, whole vectors first", "[lowering]") {
  using lowering::pickTile;
  CHECK(pickTile(64, 32, 16) == 32);
  CHECK(pickTile(48, 32, 16) == 16); // 24 divides 48 but is not a whole vector
  CHECK(pickTile(30, 32, 16) == 30); // no multiple of 16 divides 30: the largest divisor
  CHECK(pickTile(7, 4, 1) == 1);     // a prime above the limit: tiles of one
  CHECK(pickTile(12, 16, 1) == 12);
  CHECK(pickTile(1, 16, 4) == 1);
}
