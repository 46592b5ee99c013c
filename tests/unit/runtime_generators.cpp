#include "runtime_test_util.h"

#include <aec/Generators.h>

#include <cmath>

using namespace aec::rt;

TEST_CASE("runtime: ring generator", "[runtime][generators]") {
  Dataset d = generate("ring", {{"r_min", "0.5"}, {"r_max", "0.6"}}, 500, 3);
  REQUIRE(d.x.dims == Dims{500, 2});
  REQUIRE(d.extra.dims == Dims{500, 2});
  CHECK(d.extraColumns == std::vector<std::string>{"theta", "r"});
  double sumCos = 0;
  for (int64_t i = 0; i < 500; ++i) {
    float x = d.x.data[2 * i], y = d.x.data[2 * i + 1];
    float theta = d.extra.data[2 * i], r = d.extra.data[2 * i + 1];
    CHECK(std::hypot(x, y) == Approx(r).epsilon(1e-5));
    CHECK(r >= 0.5f);
    CHECK(r <= 0.6f);
    CHECK(theta >= 0.0f);
    CHECK(theta < 6.2832f);
    sumCos += std::cos(theta);
  }
  CHECK(sumCos / 500 == Approx(0).margin(0.1)); // angles cover the circle
  Dataset def = generate("ring", {}, 100, 1);
  for (int64_t i = 0; i < 100; ++i) { // defaults r_min 0.95, r_max 1.05
    CHECK(def.extra.data[2 * i + 1] >= 0.95f);
    CHECK(def.extra.data[2 * i + 1] <= 1.05f);
  }
  // Same seed, same data (bit for bit); another seed, other data.
  CHECK(generate("ring", {}, 50, 9).x.data == generate("ring", {}, 50, 9).x.data);
  CHECK(generate("ring", {}, 50, 9).x.data != generate("ring", {}, 50, 10).x.data);
}

TEST_CASE("runtime: gaussian2d generator", "[runtime][generators]") {
  Dataset d = generate("gaussian2d", {{"rho", "0.9"}, {"sigma_y", "2"}}, 20000, 1);
  double sx = 0, sy = 0, sxy = 0, syy = 0, sxx = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double x = d.x.data[2 * i], y = d.x.data[2 * i + 1];
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  double vx = sxx / n - sx * sx / n / n, vy = syy / n - sy * sy / n / n;
  CHECK(vx == Approx(1).epsilon(0.05));
  CHECK(vy == Approx(4).epsilon(0.05));
  CHECK((sxy / n - sx * sy / n / n) / std::sqrt(vx * vy) == Approx(0.9).epsilon(0.02));
  Dataset c = generate("gaussian2d", {{"cov", "1,0.5,1"}}, 20000, 2);
  double cxy = 0;
  for (int i = 0; i < n; ++i)
    cxy += c.x.data[2 * i] * c.x.data[2 * i + 1];
  CHECK(cxy / n == Approx(0.5).epsilon(0.05));
  CHECK_THROWS_WITH(generate("gaussian2d", {{"rho", "1.5"}}, 10, 1), Catch::Contains("rho"));
}

TEST_CASE("runtime: blackbody_colors generator", "[runtime][generators]") {
  Dataset d = generate("blackbody_colors", {{"noise", "0"}, {"offset_max", "0"}}, 2000, 5);
  REQUIRE(d.x.dims == Dims{2000, 5});
  CHECK(d.columns == std::vector<std::string>{"u", "g", "r", "i", "z"});
  REQUIRE(d.extraColumns[0] == "T");
  // Hotter stars are bluer: u - r falls with temperature (checked on sorted pairs).
  int ordered = 0, pairs = 0;
  for (int i = 0; i + 1 < 2000; i += 2) {
    float t0 = d.extra.data[2 * i], t1 = d.extra.data[2 * (i + 1)];
    float c0 = d.x.data[5 * i] - d.x.data[5 * i + 2], c1 = d.x.data[5 * (i + 1)] - d.x.data[5 * (i + 1) + 2];
    ++pairs;
    ordered += (t0 < t1) == (c0 > c1);
    CHECK(t0 >= 3000.0f);
    CHECK(t0 <= 30000.0f);
  }
  CHECK(ordered == pairs);
  // Magnitudes land in an SDSS-like range.
  for (float m : d.x.data) {
    CHECK(m > 5.0f);
    CHECK(m < 30.0f);
  }
  // The distance offset shifts all five bands together: colours do not depend on it.
  Dataset a = generate("blackbody_colors", {{"noise", "0"}, {"t_min", "6000"}, {"t_max", "6000"}}, 20, 1);
  for (int i = 0; i < 20; ++i)
    CHECK(a.x.data[5 * i] - a.x.data[5 * i + 4] == Approx(a.x.data[0] - a.x.data[4]).margin(1e-4));
  CHECK(generate("blackbody_colors", {}, 10, 4).x.data == generate("blackbody_colors", {}, 10, 4).x.data);
}

TEST_CASE("runtime: generator errors list the known names", "[runtime][generators]") {
  CHECK_THROWS_WITH(generate("spiral", {}, 10, 0),
                    Catch::Contains("unknown synthetic data set 'spiral'") && Catch::Contains("ring") &&
                        Catch::Contains("blackbody_colors"));
  CHECK_THROWS_WITH(generate("ring", {{"rmin", "1"}}, 10, 0),
                    Catch::Contains("no parameter 'rmin'") && Catch::Contains("r_min"));
  CHECK_THROWS_WITH(generate("ring", {{"r_min", "abc"}}, 10, 0), Catch::Contains("must be a number"));
  CHECK_THROWS_WITH(generate("ring", {{"r_min", "2"}, {"r_max", "1"}}, 10, 0), Catch::Contains("r_min <= r_max"));
  CHECK_THROWS_WITH(generate("ring", {}, 0, 0), Catch::Contains("n must be positive"));
}
