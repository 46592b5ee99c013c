// Keras' initializers as the runtime draws them (runtime/src/Init.cpp): each one's statistics
// on a big kernel against Keras' formulas (VarianceScaling), its bounds, orthogonality, the
// LSTM bias, determinism.
#include <aec/Initializers.h>
#include <aec/Random.h>
#include <aec/Weights.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace aec::rt;

namespace {

struct Stats {
  double mean = 0, std = 0, maxAbs = 0;
  double within1 = 0; ///< fraction of draws with |x| <= `unit`
};

Stats stats(const std::vector<float> &v, double unit) {
  Stats s;
  for (float x : v)
    s.mean += x;
  s.mean /= double(v.size());
  for (float x : v) {
    s.std += (x - s.mean) * (x - s.mean);
    s.maxAbs = std::max(s.maxAbs, double(std::abs(x)));
    s.within1 += std::abs(x) <= unit;
  }
  s.std = std::sqrt(s.std / double(v.size() - 1));
  s.within1 /= double(v.size());
  return s;
}

} // namespace

TEST_CASE("runtime: variance-scaling initializers follow Keras' formulas", "[runtime][weights][init]") {
  // A [300, 400] kernel with fans 300, 400: 120000 draws, so the std is known to ~0.3 %.
  const int64_t fanIn = 300, fanOut = 400;
  struct Case {
    const char *name;
    double variance; ///< Keras: scale / n
    bool normal;
  };
  const Case cases[] = {
      {"glorot_uniform", 2.0 / (fanIn + fanOut), false}, {"glorot_normal", 2.0 / (fanIn + fanOut), true},
      {"he_uniform", 2.0 / fanIn, false},                {"he_normal", 2.0 / fanIn, true},
      {"lecun_uniform", 1.0 / fanIn, false},             {"lecun_normal", 1.0 / fanIn, true},
  };
  for (const Case &c : cases) {
    INFO(c.name);
    Array a({fanIn, fanOut});
    Rng rng(11, Stream::Init);
    const std::string text = aec::initText(c.name, {fanIn, fanOut});
    CHECK(text == std::string(c.name) + ":300:400");
    initArray(a, text, rng);
    const double sd = std::sqrt(c.variance);
    if (c.normal) {
      // Truncated at two of its stddevs, which is sqrt(scale / n) / 0.8796...
      const double param = sd / 0.87962566103423978;
      const Stats s = stats(a.data, param);
      CHECK(std::abs(s.mean) < 5 * sd / std::sqrt(double(a.data.size())));
      CHECK(s.std == Approx(sd).epsilon(0.01));
      CHECK(s.maxAbs <= 2 * param * (1 + 1e-6));
      CHECK(s.maxAbs > 1.98 * param); // the truncation bound is reached, not a tighter one
      // A normal truncated at 2: P(|z| <= 1) / P(|z| <= 2) = 0.6827 / 0.9545 = 0.7153
      // (a uniform of that std would give 0.5).
      CHECK(s.within1 == Approx(0.7153).margin(0.01));
    } else {
      const double limit = std::sqrt(3 * c.variance);
      const Stats s = stats(a.data, limit / 2);
      CHECK(std::abs(s.mean) < 5 * sd / std::sqrt(double(a.data.size())));
      CHECK(s.std == Approx(sd).epsilon(0.01));
      CHECK(s.maxAbs <= limit);
      CHECK(s.maxAbs > 0.999 * limit);
      CHECK(s.within1 == Approx(0.5).margin(0.01)); // uniform: half within half the limit
    }
  }
}

TEST_CASE("runtime: Keras' fans of a conv kernel and of a bias", "[runtime][weights][init]") {
  // [kh, kw, in, out]: receptive field times in / out (Keras' _compute_fans).
  CHECK(aec::initText("he_normal", {3, 5, 16, 8}) == "he_normal:240:120");
  CHECK(aec::initText("glorot_normal", {7}) == "glorot_normal:7:7");
  CHECK(aec::initText("orthogonal", {3, 3, 4, 8}) == "orthogonal:36:8");
  CHECK(aec::initText("zeros", {3, 3, 4, 8}) == "zeros");
  CHECK_THROWS_WITH(aec::initText("orthogonal", {8}), Catch::Contains("needs a matrix"));
  CHECK_THROWS_WITH(aec::initText("he_normel", {8}), Catch::Contains("unknown initializer"));
  // he_uniform on a conv kernel uses the receptive field: limit sqrt(6 / 240).
  Array a({3, 5, 16, 8});
  Rng rng(2);
  initArray(a, aec::initText("he_uniform", a.dims), rng);
  const double limit = std::sqrt(6.0 / 240);
  const Stats s = stats(a.data, limit);
  CHECK(s.maxAbs <= limit);
  CHECK(s.maxAbs > 0.99 * limit);
}

TEST_CASE("runtime: orthogonal init of a conv kernel is orthonormal as a matrix", "[runtime][weights][init]") {
  // Keras flattens [kh, kw, in, out] to [kh*kw*in, out]: 36 rows, 8 orthonormal columns.
  Array a({3, 3, 4, 8});
  Rng rng(4);
  initArray(a, aec::initText("orthogonal", a.dims), rng);
  for (int64_t i = 0; i < 8; ++i)
    for (int64_t j = 0; j < 8; ++j) {
      double dot = 0;
      for (int64_t r = 0; r < 36; ++r)
        dot += double(a.data[size_t(r * 8 + i)]) * a.data[size_t(r * 8 + j)];
      CHECK(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-5)); // W^T W = I
    }
}

TEST_CASE("runtime: an LSTM bias keeps the forget gate at one under any bias initializer",
          "[runtime][weights][init]") {
  const int64_t u = 2000;
  Array a({4 * u});
  Rng rng(8);
  initArray(a, "unit_forget_bias:2000:he_normal", rng);
  const std::vector<float> forget(a.data.begin() + u, a.data.begin() + 2 * u);
  CHECK(forget == std::vector<float>(size_t(u), 1.0f));
  // The i slice is drawn as a [u] vector (fan u), the c and o slices as one [2u] (fan 2u).
  const std::vector<float> in(a.data.begin(), a.data.begin() + u), rest(a.data.begin() + 2 * u, a.data.end());
  CHECK(stats(in, 1).std == Approx(std::sqrt(2.0 / u)).epsilon(0.05));
  CHECK(stats(rest, 1).std == Approx(std::sqrt(2.0 / (2 * u))).epsilon(0.05));
  initArray(a, "unit_forget_bias:2000", rng); // Keras' default: zeros beside the ones
  CHECK(std::count(a.data.begin(), a.data.end(), 1.0f) == u);
  CHECK(std::count(a.data.begin(), a.data.end(), 0.0f) == 3 * u);
  CHECK_THROWS_WITH(initArray(a, "unit_forget_bias:2000:orthogonal", rng), Catch::Contains("no bias initializer"));
  CHECK_THROWS_WITH(initArray(a, "unit_forget_bias:2000x", rng), Catch::Contains("bad init"));
}

TEST_CASE("runtime: every initializer is deterministic in the seed", "[runtime][weights][init]") {
  for (const std::string &name : aec::initializerNames()) {
    INFO(name);
    ModelDescriptor d;
    d.params = {{"k", {40, 30}, aec::initText(name, {40, 30})}, {"b", {30}, "glorot_normal:30:30"}};
    const ModelState a = initModelState(d, 7), b = initModelState(d, 7), c = initModelState(d, 8);
    CHECK(a.params[0].data == b.params[0].data);
    CHECK(a.params[1].data == b.params[1].data);
    if (name != "zeros" && name != "ones")
      CHECK(a.params[0].data != c.params[0].data);
  }
}

TEST_CASE("runtime: malformed init texts are errors", "[runtime][weights][init]") {
  Array a({2, 3});
  Rng rng(0);
  CHECK_THROWS_WITH(initArray(a, "he_normal", rng), Catch::Contains("bad init 'he_normal' (expected he_normal:<fan_in>:<fan_out>)"));
  CHECK_THROWS_WITH(initArray(a, "he_normal:2:3:4", rng), Catch::Contains("bad init"));
  CHECK_THROWS_WITH(initArray(a, "lecun_normal:0:3", rng), Catch::Contains("bad init"));
  CHECK_THROWS_WITH(initArray(a, "kaiming:2:3", rng), Catch::Contains("unknown init 'kaiming:2:3'"));
}
