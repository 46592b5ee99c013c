#include "runtime_test_util.h"

#include <aec/AtomicFile.h>
#include <aec/Npy.h>
#include <aec/Random.h>
#include <aec/Weights.h>

#include <cmath>

using namespace aec::rt;
using aec::rt::test::ScratchDir;

namespace {
ModelDescriptor desc() {
  ModelDescriptor d;
  d.name = "m";
  d.batch = 4;
  d.params = {{"encoder.0/kernel", {20, 30}, "glorot_uniform:20:30"},
              {"encoder.0/bias", {30}, "zeros"},
              {"ln/gamma", {30}, "ones"}};
  d.states = {{"adam.m/encoder.0/kernel", "state", {20, 30}}};
  return d;
}
} // namespace

TEST_CASE("runtime: parameter init", "[runtime][weights]") {
  ModelState s = initModelState(desc(), 3);
  REQUIRE(s.params.size() == 3);
  const float limit = static_cast<float>(std::sqrt(6.0 / 50));
  float lo = 1, hi = -1;
  for (float v : s.params[0].data) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  CHECK(lo >= -limit);
  CHECK(hi <= limit);
  CHECK(hi - lo > 1.8f * limit); // fills the whole interval
  CHECK(s.params[1].data == std::vector<float>(30, 0.0f));
  CHECK(s.params[2].data == std::vector<float>(30, 1.0f));
  CHECK(s.states[0].data == std::vector<float>(600, 0.0f));
  CHECK(initModelState(desc(), 3).params[0].data == s.params[0].data);
  CHECK(initModelState(desc(), 4).params[0].data != s.params[0].data);
  Array a({2});
  Rng rng(0);
  CHECK_THROWS_WITH(initArray(a, "kaiming_normal:2:2", rng), Catch::Contains("unknown init 'kaiming_normal:2:2'"));
  CHECK_THROWS_WITH(initArray(a, "glorot_uniform:x", rng), Catch::Contains("bad init"));
}

TEST_CASE("runtime: orthogonal init gives orthonormal rows (or columns)", "[runtime][weights]") {
  Rng rng(5);
  // [rows, cols] with rows <= cols: rows orthonormal (an LSTM's [u, 4u]); else columns.
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>{6, 24}, {24, 6}, {5, 5}}) {
    INFO(rows << "x" << cols);
    Array a({rows, cols});
    initArray(a, "orthogonal:" + std::to_string(rows) + ":" + std::to_string(cols), rng);
    const bool byRow = rows <= cols;
    const int64_t count = byRow ? rows : cols, length = byRow ? cols : rows;
    auto at = [&](int64_t vec, int64_t i) {
      return double(byRow ? a.data[size_t(vec * cols + i)] : a.data[size_t(i * cols + vec)]);
    };
    for (int64_t p = 0; p < count; ++p)
      for (int64_t q = 0; q < count; ++q) {
        double dot = 0;
        for (int64_t i = 0; i < length; ++i)
          dot += at(p, i) * at(q, i);
        CHECK(std::fabs(dot - (p == q ? 1.0 : 0.0)) < 1e-5);
      }
  }
  Array wrong({3, 4});
  CHECK_THROWS_WITH(initArray(wrong, "orthogonal:4:4", rng), Catch::Contains("bad init"));
}

TEST_CASE("runtime: weights save and load", "[runtime][weights]") {
  ScratchDir dir("weights");
  ModelDescriptor d = desc();
  ModelState s = initModelState(d, 1);
  Normalizer norm("standard");
  Array x({3, 2}, std::vector<float>{1, 2, 3, 4, 5, 6});
  norm.fit(x, 3);
  saveWeights(dir.path("w.npz"), d, s, norm);
  CHECK(listNpz(dir.path("w.npz")) == std::vector<std::string>{"encoder.0/kernel", "encoder.0/bias", "ln/gamma",
                                                               "normalization/mean", "normalization/std"});
  ModelState t = initModelState(d, 2);
  auto arrays = loadParams(d, t, dir.path("w.npz"));
  CHECK(t.params[0].data == s.params[0].data);
  CHECK(arrays.count("normalization/mean"));
  CHECK(aec::rt::test::noTempFiles(dir));
}

TEST_CASE("runtime: weights load errors", "[runtime][weights]") {
  ScratchDir dir("wbad");
  ModelDescriptor d = desc();
  ModelState s = initModelState(d, 1);
  CHECK_THROWS_WITH(loadParams(d, s, dir.path("none.npz")), Catch::Contains("'") && Catch::Contains("does not exist"));
  dir.write("junk.npz", "garbage");
  CHECK_THROWS_WITH(loadParams(d, s, dir.path("junk.npz")),
                    Catch::StartsWith("weights file '" + dir.path("junk.npz") + "': not a .npz file"));
  writeNpz(dir.path("other.npz"), {{"dense/kernel", Array({2, 2})}});
  CHECK_THROWS_WITH(loadParams(d, s, dir.path("other.npz")),
                    Catch::Contains("has no array 'encoder.0/kernel'") && Catch::Contains("another model") &&
                        Catch::Contains("it has: dense/kernel"));
  saveWeights(dir.path("w.npz"), d, s, Normalizer());
  ModelDescriptor wrong = d;
  wrong.params[0].dims = {30, 20};
  CHECK_THROWS_WITH(loadParams(wrong, s, dir.path("w.npz")),
                    Catch::Contains("[20, 30]") && Catch::Contains("[30, 20]") && Catch::Contains("encoder.0/kernel"));
  std::string bytes = aec::rt::readFile(dir.path("w.npz"));
  dir.write("cut.npz", bytes.substr(0, bytes.size() - 100));
  CHECK_THROWS_WITH(loadParams(d, s, dir.path("cut.npz")),
                    Catch::StartsWith("weights file '" + dir.path("cut.npz") + "': truncated or damaged .npz file"));
}

TEST_CASE("runtime: checkpoints restore params, states and progress exactly", "[runtime][weights]") {
  ScratchDir dir("ckpt");
  ModelDescriptor d = desc();
  ModelState s = initModelState(d, 1);
  s.states[0].data[7] = 0.25f;
  TrainProgress p;
  p.epoch = 12;
  p.step = (int64_t(1) << 40) + 3; // beyond float32's exact integers
  p.lr = 1e-3 / 3;
  p.best = 0.1234567890123;
  p.waitStop = 2;
  Normalizer norm("max");
  Array x({2, 1}, std::vector<float>{-4, 2});
  norm.fit(x, 2);
  saveCheckpoint(dir.path("c.npz"), d, s, norm, p);
  ModelState t = initModelState(d, 9);
  Normalizer n2("max");
  TrainProgress q = loadCheckpoint(dir.path("c.npz"), d, t, n2);
  CHECK(q.epoch == 12);
  CHECK(q.step == p.step);
  CHECK(q.lr == p.lr);
  CHECK(q.best == p.best);
  CHECK(q.waitStop == 2);
  CHECK(t.states[0].data[7] == 0.25f);
  CHECK(t.params[0].data == s.params[0].data);
  CHECK(n2.entries()[0].second.data == std::vector<float>{4.0f});
  CHECK(q.bestEpoch == 0);
  CHECK(!q.bestState);
  // restore_best's copy (params and optimizer states) and its epoch.
  p.bestEpoch = 9;
  p.bestState = initModelState(d, 5);
  p.bestState->states[0].data[3] = -0.5f;
  saveCheckpoint(dir.path("b.npz"), d, s, norm, p);
  TrainProgress r = loadCheckpoint(dir.path("b.npz"), d, t, n2);
  CHECK(r.bestEpoch == 9);
  REQUIRE(r.bestState);
  CHECK(r.bestState->params[0].data == p.bestState->params[0].data);
  CHECK(r.bestState->states[0].data == p.bestState->states[0].data);
  CHECK(t.params[0].data == s.params[0].data); // the current weights stay the current ones
  saveWeights(dir.path("plain.npz"), d, s, norm);
  CHECK_THROWS_WITH(loadCheckpoint(dir.path("plain.npz"), d, t, n2), Catch::Contains("not a checkpoint"));
}
