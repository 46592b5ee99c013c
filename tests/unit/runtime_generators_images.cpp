/// The generators of seeds 000 and 002: circles, steps, steps_updown, speckle.
#include "runtime_test_util.h"

#include <aec/Config.h>
#include <aec/Generators.h>
#include <aec/Npy.h>

#include <cmath>

using namespace aec::rt;
using aec::rt::test::errorOf;

TEST_CASE("runtime: circles generator", "[runtime][generators]") {
  Dataset d = generate("circles", {}, 200, 1);
  REQUIRE(d.x.dims == Dims{200, 32, 32, 1});
  CHECK(d.extraColumns == std::vector<std::string>{"cx", "cy", "r"});
  for (int64_t s = 0; s < 200; ++s) {
    const float cx = d.extra.row(s)[0], cy = d.extra.row(s)[1], r = d.extra.row(s)[2];
    CHECK(r >= 3.2f);
    CHECK(r <= 9.6f);
    // Inside the circle 1, well outside 0, and the area matches pi r^2 (anti-aliased edge).
    double area = 0;
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) {
        const float v = d.x.row(s)[y * 32 + x];
        const double dist = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
        REQUIRE(v >= 0.0f);
        REQUIRE(v <= 1.0f);
        if (dist < r - 1)
          REQUIRE(v == 1.0f);
        if (dist > r + 1)
          REQUIRE(v == 0.0f);
        area += v;
      }
    CHECK(area == Approx(M_PI * r * r).epsilon(0.05));
    CHECK(cx - r >= 0.0f);
    CHECK(cx + r <= 32.0f);
  }
  Dataset o = generate("circles", {{"size", "64"}, {"style", "outline"}, {"r_min", "10"}, {"r_max", "12"}}, 5, 2);
  REQUIRE(o.x.dims == Dims{5, 64, 64, 1});
  const float cx = o.extra.row(0)[0], cy = o.extra.row(0)[1];
  CHECK(o.x.row(0)[static_cast<int>(cy) * 64 + static_cast<int>(cx)] == 0.0f); // hollow
  CHECK(generate("circles", {}, 20, 3).x.data == generate("circles", {}, 20, 3).x.data);
  CHECK(generate("circles", {}, 20, 3).x.data != generate("circles", {}, 20, 4).x.data);
  CHECK(errorOf([] { generate("circles", {{"r_max", "20"}}, 1, 0); }).find("r_max <= size / 2") != std::string::npos);
  CHECK(errorOf([] { generate("circles", {{"radius", "2"}}, 1, 0); }).find("it has: size, r_min, r_max") !=
        std::string::npos);
}

TEST_CASE("runtime: steps generator is 0 before the jump and 1 from it on", "[runtime][generators]") {
  Dataset d = generate("steps", {}, 2000, 5);
  REQUIRE(d.x.dims == Dims{2000, 32});
  REQUIRE(d.extraColumns == std::vector<std::string>{"jump"});
  std::vector<int> seen(32, 0);
  for (int64_t s = 0; s < 2000; ++s) {
    const int jump = static_cast<int>(d.extra.data[s]);
    REQUIRE(jump >= 1);
    REQUIRE(jump <= 31);
    ++seen[jump];
    for (int i = 0; i < 32; ++i)
      REQUIRE(d.x.row(s)[i] == (i >= jump ? 1.0f : 0.0f));
  }
  CHECK(seen[0] == 0);
  for (int j = 1; j < 32; ++j)
    CHECK(seen[j] > 20); // every position occurs
  CHECK(generate("steps", {{"length", "10"}}, 3, 1).x.dims == Dims{3, 10});
  CHECK(generate("steps", {}, 50, 8).x.data == generate("steps", {}, 50, 8).x.data);
  CHECK(errorOf([] { generate("steps", {{"length", "2.5"}}, 1, 0); }).find("integer") != std::string::npos);
}

TEST_CASE("runtime: steps_updown has one jump up and one down", "[runtime][generators]") {
  Dataset d = generate("steps_updown", {{"length", "40"}}, 1000, 6);
  REQUIRE(d.x.dims == Dims{1000, 40});
  REQUIRE(d.extraColumns == std::vector<std::string>{"up", "down"});
  for (int64_t s = 0; s < 1000; ++s) {
    const int up = static_cast<int>(d.extra.row(s)[0]), down = static_cast<int>(d.extra.row(s)[1]);
    REQUIRE(1 <= up);
    REQUIRE(up < down);
    REQUIRE(down <= 39);
    for (int i = 0; i < 40; ++i)
      REQUIRE(d.x.row(s)[i] == (i >= up && i < down ? 1.0f : 0.0f));
  }
}

TEST_CASE("runtime: speckle generator pairs speckled and clean SAXS patterns", "[runtime][generators]") {
  Dataset d = generate("speckle", {}, 40, 7);
  REQUIRE(d.x.dims == Dims{40, 64, 64, 1});
  REQUIRE(d.target.dims == Dims{40, 64, 64, 1});
  REQUIRE(d.extraColumns == std::vector<std::string>{"radius", "pd", "log10_i0", "log_max"});
  double ratioSum = 0, ratioSq = 0, neighbour = 0, far = 0;
  int64_t count = 0;
  for (int64_t s = 0; s < 40; ++s) {
    const float *x = d.x.row(s), *t = d.target.row(s);
    // Normalized by the noisy maximum, as the seed does: max(x) == 1, values in [0, 1.1].
    CHECK(*std::max_element(x, x + 4096) == Approx(1.0f));
    CHECK(*std::min_element(t, t + 4096) >= 0.0f);
    CHECK(*std::max_element(t, t + 4096) <= 1.1f);
    // The clean pattern is brightest at the beam centre (P(0) = 1 is the form factor's maximum).
    const int64_t peak = std::max_element(t, t + 4096) - t;
    CHECK(std::abs(peak / 64 - 32) <= 1);
    CHECK(std::abs(peak % 64 - 32) <= 1);
    // The speckle factor S = (10^(x m) - 1) / (10^(t m) - 1) is Exp(1): mean 1, std 1, and
    // correlated between neighbours but not across 10 pixels.
    const double m = d.extra.row(s)[3];
    auto speckle = [&](int i) { return (std::pow(10.0, x[i] * m) - 1) / (std::pow(10.0, t[i] * m) - 1); };
    for (int y = 16; y < 48; ++y)
      for (int c = 16; c < 38; ++c) {
        const int i = y * 64 + c;
        if (t[i] * m < 1.5 || x[i] >= 1.1f || x[i + 10] >= 1.1f || x[i + 1] >= 1.1f)
          continue; // bright pixels only (+1 matters little there), nothing clipped
        const double a = speckle(i);
        ratioSum += a, ratioSq += a * a, ++count;
        neighbour += (a - 1) * (speckle(i + 1) - 1);
        far += (a - 1) * (speckle(i + 10) - 1);
      }
  }
  REQUIRE(count > 5000);
  CHECK(ratioSum / count == Approx(1.0).margin(0.1));
  CHECK(std::sqrt(ratioSq / count - std::pow(ratioSum / count, 2)) == Approx(1.0).margin(0.15));
  CHECK(neighbour / count > 0.3);
  CHECK(std::fabs(far / count) < 0.1);
  CHECK(generate("speckle", {}, 3, 1).x.data == generate("speckle", {}, 3, 1).x.data);
  CHECK(generate("speckle", {}, 3, 1).target.data != generate("speckle", {}, 3, 2).target.data);
  CHECK(generate("speckle", {{"size", "32"}}, 2, 1).x.dims == Dims{2, 32, 32, 1});
  CHECK(errorOf([] { generate("speckle", {{"noise", "1"}}, 1, 0); }).find("speckle_size") != std::string::npos);
}

TEST_CASE("runtime: paired data from two arrays of one .npz, with log10p1 and max", "[runtime][data]") {
  aec::rt::test::ScratchDir dir("paired");
  Dataset g = generate("speckle", {{"size", "16"}}, 6, 1);
  writeNpz(dir.path("s.npz"), {{"speckle_images", g.x}, {"target_images", g.target}});
  RunConfig c = parseRunConfig({{"data.path", dir.path("s.npz")},
                                {"data.key", "speckle_images"},
                                {"data.target.path", dir.path("s.npz")},
                                {"data.target.key", "target_images"},
                                {"data.transform", "log10p1"},
                                {"data.normalize", "max"}});
  c.inputShape = c.outputShape = {16, 16, 1};
  Dataset d = loadTrainingData(c);
  CHECK(d.x.data == g.x.data);
  CHECK(d.target.data == g.target.data);
  CHECK(d.target.dims == Dims{6, 16, 16, 1});
  // Row counts must agree; the message names both files.
  writeNpy(dir.path("short.npy"), sliceRows(g.target, 0, 4));
  c.targetPath = dir.path("short.npy");
  c.targetKey.clear();
  const std::string err = errorOf([&] { loadTrainingData(c); });
  CHECK(err.find("short.npy' has 4 samples") != std::string::npos);
  CHECK(err.find("s.npz' has 6") != std::string::npos);
}
