#include "runtime_test_util.h"

#include <aec/Normalization.h>

#include <cmath>

using namespace aec::rt;

namespace {
/// 4 rows x 2 features; the last row is "validation" and must not move the stats.
Array table() { return Array({4, 2}, std::vector<float>{1, 10, 3, 20, 5, 30, 1000, -1000}); }
} // namespace

TEST_CASE("runtime: standard normalization fits the training rows only", "[runtime][normalization]") {
  Normalizer n("standard");
  Array x = table();
  n.fit(x, 3);
  n.apply(x);
  CHECK(x.data[0] == Approx(-std::sqrt(1.5)));
  CHECK(x.data[1] == Approx(-std::sqrt(1.5)));
  CHECK(x.data[2] == Approx(0).margin(1e-6));
  auto e = n.entries();
  REQUIRE(e.size() == 2);
  CHECK(e[0].first == "normalization/mean");
  CHECK(e[0].second.data == std::vector<float>{3, 20});
  n.invert(x);
  for (size_t i = 0; i < x.data.size(); ++i)
    CHECK(x.data[i] == Approx(table().data[i]).epsilon(1e-5));
}

TEST_CASE("runtime: minmax, max and scale", "[runtime][normalization]") {
  Array x = table();
  Normalizer mm("minmax");
  mm.fit(x, 3);
  mm.apply(x);
  CHECK(x.data[0] == 0.0f);
  CHECK(x.data[4] == 1.0f);
  CHECK(x.data[5] == 1.0f);

  Array y = table();
  Normalizer mx("max");
  mx.fit(y, 3);
  mx.apply(y);
  CHECK(y.data[5] == 1.0f); // global max over training rows is 30
  CHECK(y.data[0] == Approx(1.0 / 30));

  Array z({1, 2}, std::vector<float>{255, 51});
  Normalizer sc("scale:255");
  sc.fit(z, 1);
  sc.apply(z);
  CHECK(z.data == std::vector<float>{1.0f, 0.2f});
  CHECK(sc.entries()[0].first == "normalization/scale");

  CHECK_THROWS_WITH(Normalizer("zscore"), Catch::Contains("unknown normalize 'zscore'"));
  CHECK_THROWS_WITH(Normalizer("scale:0"), Catch::Contains("positive"));
  CHECK_THROWS_WITH(Normalizer("", "log"), Catch::Contains("unknown transform"));
  CHECK_FALSE(Normalizer("").active());
}

TEST_CASE("runtime: normalization stats restore from saved entries", "[runtime][normalization]") {
  for (std::string kind : {"standard", "minmax", "max"}) {
    Normalizer fitted(kind, "log10p1");
    Array x = table();
    for (float &v : x.data)
      v = std::fabs(v);
    fitted.fit(x, 3);
    std::map<std::string, Array> saved;
    for (auto &[k, a] : fitted.entries())
      saved[k] = a;
    Normalizer restored(kind, "log10p1");
    CHECK(restored.canRestore(saved));
    restored.restore(saved, "w.npz");
    Array a = x, b = x;
    fitted.apply(a);
    restored.apply(b);
    CHECK(a.data == b.data);
    restored.invert(b);
    CHECK(b.data[3] == Approx(20).epsilon(1e-4));
    Normalizer missing(kind);
    CHECK_FALSE(missing.canRestore({}));
    CHECK_THROWS_WITH(missing.restore({}, "w.npz"), Catch::Contains("'w.npz' has no 'normalization/"));
  }
}
