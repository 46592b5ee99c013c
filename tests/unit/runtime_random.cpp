#include "runtime_test_util.h"

#include <aec/Random.h>

#include <algorithm>
#include <cmath>

using namespace aec::rt;

TEST_CASE("runtime: rng is deterministic and seed dependent", "[runtime][random]") {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next();
    CHECK(x == b.next());
    CHECK(x != c.next());
  }
  // Golden values: the stream must never change silently (it fixes every seeded result).
  Rng g(0);
  CHECK(g.next() == 0x99ec5f36cb75f2b4ULL);
  CHECK(Rng(1, Stream::Init).next() != Rng(1, Stream::Shuffle).next());
  CHECK(Rng(1, Stream::Shuffle, 1).next() != Rng(1, Stream::Shuffle, 2).next());
}

TEST_CASE("runtime: rng distributions", "[runtime][random]") {
  Rng r(7);
  const int n = 200000;
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    double u = r.uniform();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(sum / n == Approx(0.5).margin(0.005));
  sum = 0;
  for (int i = 0; i < n; ++i) {
    double z = r.normal();
    sum += z;
    sum2 += z * z;
  }
  CHECK(sum / n == Approx(0.0).margin(0.01));
  CHECK(sum2 / n == Approx(1.0).margin(0.01));
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 30000; ++i)
    counts[r.below(3)]++;
  for (int k : counts)
    CHECK(k == Approx(10000).margin(400));
}

TEST_CASE("runtime: shuffle is a seeded permutation", "[runtime][random]") {
  std::vector<int64_t> v(100);
  for (int i = 0; i < 100; ++i)
    v[i] = i;
  auto a = v, b = v;
  Rng(5).shuffle(a);
  Rng(5).shuffle(b);
  CHECK(a == b);
  CHECK(a != v);
  std::sort(a.begin(), a.end());
  CHECK(a == v);
}
