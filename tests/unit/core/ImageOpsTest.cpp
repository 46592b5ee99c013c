/// Image layers: Keras/TF output shapes at odd sizes, their diagnostics, gradients of every
/// composite w.r.t. input and kernel against float64 central differences on the
/// interpreter (strided and same-padded cases), and a second-order check through a conv.
/// Values against PyTorch are in tests/unit/image_torch_test.cpp.
#include "TestGraphs.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

using namespace aec;

namespace {
const Padding Same = Padding::Same, Valid = Padding::Valid;

/// loss = sum(f * w) with a random "w", so each output element matters differently.
ValueId weightedSum(Builder &b, ValueId f) {
  ValueId w = b.input("w", role::Param, b.type(f));
  return b.sumAll(b.mul(f, w));
}

/// The spatial size [H, W] of a [B, H, W, C] value.
std::array<int64_t, 2> spatial(Builder &b, ValueId v) { return {b.shape(v)[1], b.shape(v)[2]}; }
} // namespace

TEST_CASE("window output sizes follow Keras at odd sizes", "[image]") {
  CHECK(windowOutputSize(7, 3, 2, Same) == 4);
  CHECK(windowOutputSize(7, 3, 2, Valid) == 3);
  CHECK(windowOutputSize(7, 2, 2, Valid) == 3);
  CHECK(windowOutputSize(7, 2, 2, Same) == 4);
  CHECK(windowOutputSize(7, 3, 1, Same) == 7);
  CHECK(windowOutputSize(7, 7, 1, Valid) == 1);
  CHECK(windowOutputSize(6, 3, 2, Valid) == 2);
  CHECK(windowOutputSize(2, 3, 1, Valid) == 0);
}

TEST_CASE("image layers build graphs of the Keras shapes", "[image]") {
  Graph g;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, {2, 7, 7, 3}});
  ValueId k = b.input("k", role::Param, {DType::F32, {3, 3, 3, 5}});
  ValueId kt = b.input("kt", role::Param, {DType::F32, {3, 3, 4, 3}});
  ValueId k2 = b.input("k2", role::Param, {DType::F32, {2, 2, 4, 3}});
  using A = std::array<int64_t, 2>;
  CHECK(b.shape(conv2d(b, x, k, {2, 2}, Same)) == Shape{2, 4, 4, 5});
  CHECK(b.shape(conv2d(b, x, k, {2, 2}, Valid)) == Shape{2, 3, 3, 5});
  CHECK(b.shape(conv2d(b, x, k, {1, 1}, Same)) == Shape{2, 7, 7, 5});
  CHECK(b.shape(conv2d(b, x, k, {1, 2}, Valid)) == Shape{2, 5, 3, 5});
  CHECK(b.shape(conv2dTranspose(b, x, kt, {2, 2}, Same)) == Shape{2, 14, 14, 4});
  CHECK(b.shape(conv2dTranspose(b, x, kt, {2, 2}, Valid)) == Shape{2, 15, 15, 4});
  CHECK(b.shape(conv2dTranspose(b, x, kt, {1, 1}, Valid)) == Shape{2, 9, 9, 4});
  // Kernel shorter than the stride: Keras' valid length is in * s, not (in - 1) s + k.
  CHECK(b.shape(conv2dTranspose(b, x, k2, {3, 3}, Valid)) == Shape{2, 21, 21, 4});
  CHECK(b.shape(maxPool(b, x, A{2, 2}, A{2, 2}, Valid)) == Shape{2, 3, 3, 3});
  CHECK(b.shape(maxPool(b, x, A{2, 2}, A{2, 2}, Same)) == Shape{2, 4, 4, 3});
  CHECK(b.shape(avgPool(b, x, A{2, 2}, A{2, 2}, Valid)) == Shape{2, 3, 3, 3});
  CHECK(b.shape(avgPool(b, x, A{2, 2}, A{2, 2}, Same)) == Shape{2, 4, 4, 3});
  CHECK(b.shape(maxPool(b, x, A{3, 3}, A{2, 2}, Same)) == Shape{2, 4, 4, 3});
  CHECK(b.shape(avgPool(b, x, A{3, 3}, A{1, 1}, Same)) == Shape{2, 7, 7, 3});
  CHECK(b.shape(upsample(b, x, A{2, 3})) == Shape{2, 14, 21, 3});
  verifyGraph(g);
}

TEST_CASE("image layers reject bad shapes with clear errors", "[image]") {
  Graph g;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, {2, 5, 5, 3}});
  ValueId flat = b.input("flat", role::Data, {DType::F32, {2, 75}});
  ValueId k = b.input("k", role::Param, {DType::F32, {3, 3, 2, 4}});
  ValueId big = b.input("big", role::Param, {DType::F32, {7, 7, 3, 4}});
  CHECK_THROWS_WITH(conv2d(b, x, k, {1, 1}, Same), Catch::Contains("expects 2 input channels"));
  CHECK_THROWS_WITH(conv2d(b, flat, k, {1, 1}, Same),
                    Catch::Contains("[batch, height, width, channels]"));
  CHECK_THROWS_WITH(conv2d(b, x, big, {1, 1}, Valid), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(maxPool(b, x, {2, 2}, {0, 2}, Valid), Catch::Contains("positive"));
}

TEST_CASE("image layer gradients match central differences", "[image][gradcheck]") {
  std::mt19937 rng(23);
  using A = std::array<int64_t, 2>;
  struct ConvCase {
    const char *name;
    bool transpose;
    Shape x, k;
    A strides;
    Padding padding;
  };
  for (const ConvCase &c :
       {ConvCase{"conv same s2", false, {2, 5, 5, 2}, {3, 3, 2, 3}, {2, 2}, Same},
        ConvCase{"conv valid s1", false, {1, 5, 4, 2}, {2, 3, 2, 2}, {1, 1}, Valid},
        ConvCase{"conv same s2 k4", false, {1, 5, 5, 1}, {4, 4, 1, 2}, {2, 2}, Same},
        ConvCase{"conv_t same s2", true, {1, 3, 3, 2}, {3, 3, 2, 2}, {2, 2}, Same},
        ConvCase{"conv_t valid s2", true, {1, 3, 2, 2}, {3, 3, 2, 2}, {2, 2}, Valid},
        ConvCase{"conv_t valid s3 k2", true, {1, 2, 2, 1}, {2, 2, 2, 1}, {3, 3}, Valid}}) {
    SECTION(c.name) {
      Graph g;
      Builder b(g);
      ValueId x = b.input("x", role::Data, {DType::F64, c.x});
      ValueId k = b.input("k", role::Param, {DType::F64, c.k});
      ValueId y = c.transpose ? conv2dTranspose(b, x, k, c.strides, c.padding)
                              : conv2d(b, x, k, c.strides, c.padding);
      ValueId loss = weightedSum(b, y); // before randomInputs, which binds "w" too
      test::checkGradients(g, loss, {"x", "k"}, test::randomInputs(g, -1, 1, rng));
    }
  }
  struct PoolCase {
    const char *name;
    bool max;
    A pool, strides;
    Padding padding;
  };
  for (const PoolCase &c : {PoolCase{"max valid 2", true, {2, 2}, {2, 2}, Valid},
                            PoolCase{"max same 2", true, {2, 2}, {2, 2}, Same},
                            PoolCase{"max same 3 s2", true, {3, 3}, {2, 2}, Same},
                            PoolCase{"avg same 2", false, {2, 2}, {2, 2}, Same},
                            PoolCase{"avg same 3 s2", false, {3, 3}, {2, 2}, Same},
                            PoolCase{"avg valid 2x3 s1", false, {2, 3}, {1, 1}, Valid}}) {
    SECTION(c.name) {
      Graph g;
      Builder b(g);
      ValueId x = b.input("x", role::Data, {DType::F64, {2, 5, 5, 2}});
      ValueId y = c.max ? maxPool(b, x, c.pool, c.strides, c.padding)
                        : avgPool(b, x, c.pool, c.strides, c.padding);
      ValueId loss = weightedSum(b, y);
      test::checkGradients(g, loss, {"x"}, test::randomInputs(g, -1, 1, rng));
    }
  }
  SECTION("upsample") {
    Graph g;
    Builder b(g);
    ValueId x = b.input("x", role::Data, {DType::F64, {2, 3, 2, 2}});
    ValueId loss = weightedSum(b, upsample(b, x, {2, 3}));
    test::checkGradients(g, loss, {"x"}, test::randomInputs(g, -1, 1, rng));
  }
}

TEST_CASE("second order: gradient of an input-gradient norm through conv and pooling",
          "[image][gradcheck]") {
  // A contractive-style penalty: |d loss / d x|^2, differentiated again w.r.t. the kernels
  // and the input, through conv2d, max pooling, upsampling and conv2d_transpose.
  std::mt19937 rng(29);
  Graph g;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F64, {1, 4, 4, 1}});
  ValueId k1 = b.input("k1", role::Param, {DType::F64, {3, 3, 1, 2}});
  ValueId k2 = b.input("k2", role::Param, {DType::F64, {3, 3, 1, 2}});
  ValueId h = b.tanh(conv2d(b, x, k1, {2, 2}, Same));              // 2x2
  ValueId p = maxPool(b, h, {2, 2}, {2, 2}, Valid);                // 1x1
  ValueId up = upsample(b, p, {2, 2});                             // 2x2
  ValueId y = b.sigmoid(conv2dTranspose(b, up, k2, {2, 2}, Same)); // 4x4
  REQUIRE(spatial(b, y) == std::array<int64_t, 2>{4, 4});
  ValueId loss = b.sumAll(b.square(b.sub(y, x)));
  std::vector<ValueId> inner = buildGradients(g, loss, {x});
  ValueId penalty = b.sumAll(b.square(inner[0]));
  test::checkGradients(g, penalty, {"k1", "k2", "x"}, test::randomInputs(g, -1, 1, rng), 1e-5);
}

TEST_CASE("image layer graphs round-trip through the IR text, -inf padding included", "[image]") {
  Graph g;
  g.name = "img";
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F32, {1, 5, 5, 2}});
  ValueId k = b.input("k", role::Param, {DType::F32, {3, 3, 2, 2}});
  ValueId y = maxPool(b, conv2dTranspose(b, x, k, {2, 2}, Same), {3, 3}, {2, 2}, Same);
  g.addOutput("y", avgPool(b, y, {2, 2}, {2, 2}, Same));
  Module m;
  m.graphs.push_back(g);
  std::string text = printModule(m);
  CHECK_THAT(text, Catch::Contains("-inf"));
  CHECK(printModule(parseModule(text)) == text);
}
