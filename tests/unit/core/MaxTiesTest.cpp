/// A max sends its adjoint to one element per reduced slot, the first maximum in row-major
/// order (PyTorch, TensorFlow and JAX do the same), never to every tied maximum; the rule
/// differentiates again.
#include "TestGraphs.h"

#include <catch2/catch.hpp>

#include <limits>
#include <xtensor/xio.hpp>

using namespace aec;

namespace {
/// d sum(w * f(x)) / dx for a graph value f(x) built by `f`, at `x`.
Tensor gradientAt(const Tensor &x, const Tensor &w,
                  const std::function<ValueId(Builder &, ValueId)> &f) {
  Graph g;
  Builder b(g);
  Shape xs(x.shape().begin(), x.shape().end()), ws(w.shape().begin(), w.shape().end());
  ValueId xin = b.input("x", role::Data, {DType::F64, xs});
  ValueId win = b.input("w", role::Param, {DType::F64, ws});
  ValueId loss = b.sumAll(b.mul(f(b, xin), win));
  g.addOutput("dx", buildGradients(g, loss, {xin})[0]);
  return interpret(g, {{"x", x}, {"w", w}}).at("dx");
}

/// Exactly equal (Catch cannot decompose xtensor's ==).
bool same(const Tensor &a, const Tensor &b) {
  UNSCOPED_INFO("got " << a << "\nwant " << b);
  return a == b;
}

Tensor image(const Shape &shape, double fill) {
  Tensor t = xt::zeros<double>(std::vector<size_t>(shape.begin(), shape.end()));
  t.fill(fill);
  return t;
}
} // namespace

TEST_CASE("reduce_max routes the adjoint to the first of tied maxima", "[gradcheck][max]") {
  Tensor x = {{1.0, 3.0, 3.0, 2.0}, {5.0, 5.0, 5.0, 5.0}};
  Tensor w = {2.0, 7.0};
  Tensor dx = gradientAt(x, w, [](Builder &b, ValueId v) { return b.reduceMax(v, {1}); });
  Tensor want = {{0.0, 2.0, 0.0, 0.0}, {7.0, 0.0, 0.0, 0.0}};
  CHECK(same(dx, want));
}

TEST_CASE("reduce_max over several axes picks the row-major first maximum", "[gradcheck][max]") {
  // Slots over axes {0, 2} of a [2, 2, 2] tensor; slot j holds x[i, j, k].
  Tensor x = {{{0.0, 4.0}, {1.0, 1.0}}, {{4.0, 4.0}, {0.0, 1.0}}};
  Tensor w = {1.0, 1.0};
  Tensor dx = gradientAt(x, w, [](Builder &b, ValueId v) { return b.reduceMax(v, {0, 2}); });
  Tensor want = {{{0.0, 1.0}, {1.0, 0.0}}, {{0.0, 0.0}, {0.0, 0.0}}};
  CHECK(same(dx, want));
}

TEST_CASE("max pooling over ties: one element per window gets the gradient", "[gradcheck][max]") {
  SECTION("stride 1, same: every window's first element is its top-left") {
    // Zeros padded with -inf at the end: window (i, j)'s first maximum is pixel (i, j), so
    // each pixel receives exactly its own window's adjoint (tied routing would give up to 4).
    Tensor x = image({1, 3, 3, 1}, 0.0), w = image({1, 3, 3, 1}, 1.0);
    Tensor dx = gradientAt(x, w, [](Builder &b, ValueId v) {
      return maxPool(b, v, {2, 2}, {1, 1}, Padding::Same);
    });
    CHECK(same(dx, image({1, 3, 3, 1}, 1.0)));
  }
  SECTION("stride = pool: the top-left of each tiled window") {
    Tensor x = image({1, 4, 4, 2}, 0.5), w = image({1, 2, 2, 2}, 1.0);
    Tensor dx = gradientAt(x, w, [](Builder &b, ValueId v) {
      return maxPool(b, v, {2, 2}, {2, 2}, Padding::Valid);
    });
    for (size_t i = 0; i < 4; ++i)
      for (size_t j = 0; j < 4; ++j)
        for (size_t c = 0; c < 2; ++c) {
          INFO(i << ", " << j);
          CHECK(dx(0, i, j, c) == (i % 2 == 0 && j % 2 == 0 ? 1.0 : 0.0));
        }
  }
  SECTION("a -inf padded window still routes to one element") {
    Tensor x = image({1, 2, 2, 1}, -std::numeric_limits<double>::infinity());
    Tensor w = image({1, 1}, 3.0);
    Tensor dx = gradientAt(x, w, [](Builder &b, ValueId v) { return b.reduceMax(v, {1, 2}); });
    CHECK(dx(0, 0, 0, 0) == 3.0);
    CHECK(xt::sum(dx)() == 3.0);
  }
}

TEST_CASE("second order through max pooling", "[gradcheck][max]") {
  // loss = sum(v * d/dx sum(w * maxpool(x))): depends on w through the routed adjoint.
  std::mt19937 rng(19);
  Graph g;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F64, {2, 5, 5, 2}});
  ValueId w = b.input("w", role::Param, {DType::F64, {2, 3, 3, 2}});
  ValueId v = b.input("v", role::Param, {DType::F64, {2, 5, 5, 2}});
  ValueId inner = b.sumAll(b.mul(maxPool(b, x, {3, 3}, {2, 2}, Padding::Same), w));
  ValueId dx = buildGradients(g, inner, {x})[0];
  ValueId loss = b.sumAll(b.mul(b.mul(dx, dx), v));
  test::checkGradients(g, loss, {"w", "v", "x"}, test::randomInputs(g, -1, 1, rng));
}
