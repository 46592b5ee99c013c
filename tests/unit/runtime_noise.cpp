/// Noise inputs, non-trainable params, input corruption and the Keras-like callbacks, driven
/// by a fake model whose one weight `w` grows by lr per step (so the loss is known per epoch).
#include "runtime_test_util.h"

#include <aec/Corruption.h>
#include <aec/Npy.h>
#include <aec/Random.h>
#include <aec/Trainer.h>

#include <cmath>

using namespace aec::rt;

namespace {

constexpr int B = 4;

const char *kDescriptor = R"(aec-model 1
name scalar
target cpu
batch 4
shape input 2
shape output 2
shape code 1
param w 1 zeros
param bn/moving_mean 2 zeros
param bn/moving_variance 2 ones
setting train.epochs 3
function train_step
arg x data 4,2
arg target target 4,2
arg weight weight 4
arg w param 1
arg bn/moving_mean param 2
arg bn/moving_variance param 2
arg eps noise_normal 4,2
arg u noise_uniform 4,2
arg lr hyper -
arg seed hyper -
result loss loss -
result w param 1
result bn/moving_mean param 2
result bn/moving_variance param 2
function eval_step
arg x data 4,2
arg target target 4,2
arg weight weight 4
arg w param 1
arg bn/moving_mean param 2
arg bn/moving_variance param 2
result loss loss 4
end
)";

/// What each call saw.
struct Seen {
  std::vector<float> x, target, eps, u;
  float seed = 0;
};
std::vector<Seen> trainCalls, evalCalls;

std::vector<float> take(void *p, int n) {
  const float *f = static_cast<const float *>(p);
  return std::vector<float>(f, f + n);
}

/// buffers: x, target, weight, w, mm, mv, eps, u, lr, seed | loss, w', mm', mv'.
extern "C" void scalarTrainStep(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  trainCalls.push_back({take(buf[0], 2 * B), take(buf[1], 2 * B), take(buf[6], 2 * B), take(buf[7], 2 * B), *f(9)});
  const float w = *f(3) + *f(8);
  *f(11) = w;
  *f(10) = (w - 3) * (w - 3);
  // Batchnorm-like moving statistics over the real rows (momentum 0.9).
  float real = 0;
  for (int i = 0; i < B; ++i)
    real += f(2)[i];
  for (int k = 0; k < 2; ++k) {
    float mean = 0, var = 0;
    for (int i = 0; i < B; ++i)
      mean += f(2)[i] * f(0)[2 * i + k] / real;
    for (int i = 0; i < B; ++i)
      var += f(2)[i] * (f(0)[2 * i + k] - mean) * (f(0)[2 * i + k] - mean) / real;
    f(12)[k] = 0.9f * f(4)[k] + 0.1f * mean;
    f(13)[k] = 0.9f * f(5)[k] + 0.1f * var;
  }
}

/// x, target, weight, w, mm, mv | per-sample loss (w - 3)^2.
extern "C" void scalarEvalStep(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  evalCalls.push_back({take(buf[0], 2 * B), take(buf[1], 2 * B), {}, {}, 0});
  for (int i = 0; i < B; ++i)
    f(6)[i] = (*f(3) - 3) * (*f(3) - 3);
}

Model scalarModel() {
  Model m;
  m.desc = ModelDescriptor::parse(kDescriptor);
  m.entries = {{"train_step", scalarTrainStep}, {"eval_step", scalarEvalStep}};
  return m;
}

Dataset rows(int n) {
  Dataset d;
  d.x = Array({n, 2});
  for (int i = 0; i < n * 2; ++i)
    d.x.data[i] = static_cast<float>(i % 7) * 0.25f + 0.5f;
  d.source = "test";
  return d;
}

RunConfig baseConfig(const Model &m) {
  RunConfig c = runConfigFor(m.desc);
  c.lr = 1.0;
  c.shuffle = false;
  return c;
}

} // namespace

TEST_CASE("runtime: noise args get fresh seeded N(0,1) / U[0,1) draws per call", "[runtime][noise]") {
  Model m = scalarModel();
  RunConfig c = baseConfig(m);
  c.epochs = 300;
  c.seed = 11;
  Dataset d = rows(4);
  ModelState s = initModelState(m.desc, 0);
  trainCalls.clear();
  Trainer(m, c, d, s).run();
  REQUIRE(trainCalls.size() == 300);
  double sum = 0, sq = 0, usum = 0, umin = 1, umax = 0;
  for (const auto &call : trainCalls) {
    for (float e : call.eps)
      sum += e, sq += e * e;
    for (float u : call.u)
      usum += u, umin = std::min<double>(umin, u), umax = std::max<double>(umax, u);
  }
  const double n = 300.0 * 2 * B;
  CHECK(sum / n == Approx(0).margin(0.05));
  CHECK(sq / n == Approx(1).epsilon(0.06));
  CHECK(usum / n == Approx(0.5).margin(0.02));
  CHECK(umin >= 0.0);
  CHECK(umax < 1.0);
  CHECK(trainCalls[0].eps != trainCalls[1].eps); // fresh every call
  CHECK(trainCalls[0].u != trainCalls[1].u);
  CHECK(trainCalls[0].seed != trainCalls[1].seed); // the `seed` hyper still changes per step

  // Same seed, same noise; a run resumed after epoch 1 draws what the unbroken run drew.
  auto noiseOf = [&](uint64_t seed, int epochs, const TrainProgress *resume) {
    RunConfig cc = c;
    cc.seed = seed;
    cc.epochs = epochs;
    ModelState st = initModelState(m.desc, 0);
    Trainer t(m, cc, d, st);
    if (resume)
      t.progress = *resume;
    trainCalls.clear();
    t.run();
    return std::make_pair(trainCalls, t.progress);
  };
  auto [full, p2] = noiseOf(5, 2, nullptr);
  auto [first, p1] = noiseOf(5, 1, nullptr);
  auto [rest, p3] = noiseOf(5, 2, &p1);
  REQUIRE(full.size() == 2);
  REQUIRE(rest.size() == 1);
  CHECK(full[0].eps == first[0].eps);
  CHECK(full[1].eps == rest[0].eps);
  CHECK(full[1].u == rest[0].u);
  CHECK(noiseOf(6, 1, nullptr).first[0].eps != first[0].eps);
}

TEST_CASE("runtime: noise in runOverDataset is per batch and reproducible", "[runtime][noise]") {
  Model m = scalarModel();
  Dataset d = rows(10);
  Array t = d.x;
  ModelState s = initModelState(m.desc, 0);
  BatchSource src{&d.x, &t, nullptr};
  src.noiseSeed = 42;
  auto draw = [&] {
    trainCalls.clear();
    runOverDataset(m, "train_step", src, s);
    return trainCalls;
  };
  auto a = draw(), b = draw();
  REQUIRE(a.size() == 3);
  CHECK(a[0].eps == b[0].eps);
  CHECK(a[2].eps == b[2].eps);
  CHECK(a[0].eps != a[1].eps);
}

TEST_CASE("runtime: non-trainable params are initialised, updated by name, saved and loaded", "[runtime][params]") {
  Model m = scalarModel();
  ModelState s = initModelState(m.desc, 3);
  REQUIRE(s.params.size() == 3);
  CHECK(s.params[1].data == std::vector<float>{0, 0}); // moving_mean: zeros
  CHECK(s.params[2].data == std::vector<float>{1, 1}); // moving_variance: ones
  RunConfig c = baseConfig(m);
  c.epochs = 1;
  Dataset d;
  d.x = Array({4, 2}, {1, 10, 3, 10, 5, 10, 7, 10});
  d.source = "test";
  Trainer(m, c, d, s).run();
  // One step: mean (4, 10), variance (5, 0); momentum 0.9 from (0, 0) and (1, 1).
  CHECK(s.params[1].data[0] == Approx(0.4));
  CHECK(s.params[1].data[1] == Approx(1.0));
  CHECK(s.params[2].data[0] == Approx(0.9 + 0.5));
  CHECK(s.params[2].data[1] == Approx(0.9));
  CHECK(s.params[0].data[0] == 1.0f); // the trained weight moved too

  aec::rt::test::ScratchDir dir("nontrainable");
  saveWeights(dir.path("w.npz"), m.desc, s, Normalizer());
  CHECK(readNpzKey(dir.path("w.npz"), "bn/moving_variance").data == s.params[2].data);
  ModelState back = initModelState(m.desc, 0);
  loadParams(m.desc, back, dir.path("w.npz"));
  CHECK(back.params[1].data == s.params[1].data);
  CHECK(back.params[2].data == s.params[2].data);
}

TEST_CASE("runtime: corruption statistics", "[runtime][corrupt]") {
  Array clean({1000, 50}, 0.5f);
  Rng rng(1);
  {
    Array a = clean;
    CorruptConfig c;
    c.gaussian = 0.2;
    corruptRows(a, 1000, c, rng);
    double sum = 0, sq = 0;
    for (float v : a.data)
      sum += v - 0.5, sq += (v - 0.5) * (v - 0.5);
    CHECK(sum / 50000 == Approx(0).margin(0.005));
    CHECK(std::sqrt(sq / 50000) == Approx(0.2).epsilon(0.02));
  }
  {
    Array a = clean;
    CorruptConfig c;
    c.masking = 0.3;
    corruptRows(a, 1000, c, rng);
    const auto zeros = std::count(a.data.begin(), a.data.end(), 0.0f);
    CHECK(zeros / 50000.0 == Approx(0.3).margin(0.01));
    CHECK(std::count(a.data.begin(), a.data.end(), 0.5f) + zeros == 50000);
  }
  {
    Array a = clean;
    CorruptConfig c;
    c.saltPepper = 0.2;
    c.low = -1, c.high = 2;
    corruptRows(a, 600, c, rng); // rows from 600 on are padding: untouched
    const auto salt = std::count(a.data.begin(), a.data.end(), 2.0f);
    const auto pepper = std::count(a.data.begin(), a.data.end(), -1.0f);
    CHECK(salt / 30000.0 == Approx(0.1).margin(0.01));
    CHECK(pepper / 30000.0 == Approx(0.1).margin(0.01));
    CHECK(std::all_of(a.data.begin() + 600 * 50, a.data.end(), [](float v) { return v == 0.5f; }));
  }
}

TEST_CASE("runtime: training corrupts inputs only, fresh per epoch, against the clean target", "[runtime][corrupt]") {
  Model m = scalarModel();
  RunConfig c = baseConfig(m);
  c.epochs = 2;
  c.validationSplit = 0.2;
  c.seed = 9;
  c.corrupt.gaussian = 0.3;
  Dataset d = rows(5);
  auto run = [&](uint64_t seed) {
    RunConfig cc = c;
    cc.seed = seed;
    ModelState s = initModelState(m.desc, 0);
    trainCalls.clear();
    evalCalls.clear();
    Trainer(m, cc, d, s).run();
    return trainCalls;
  };
  auto calls = run(9);
  REQUIRE(calls.size() == 2);
  for (const auto &call : calls) {
    CHECK(call.x != call.target);
    for (int i = 0; i < 2 * B; ++i)
      CHECK(call.target[i] == d.x.data[i]); // the clean rows, in file order
  }
  CHECK(calls[0].x != calls[1].x); // fresh draws each epoch
  CHECK(run(9)[1].x == calls[1].x); // seeded
  CHECK(run(10)[1].x != calls[1].x);
  // Validation sees the clean last row.
  REQUIRE(!evalCalls.empty());
  CHECK(evalCalls[0].x[0] == d.x.data[8]);
  CHECK(evalCalls[0].x[1] == d.x.data[9]);
  // The settings keys the frontend emits.
  RunConfig parsed = parseRunConfig({{"train.corrupt.masking", "0.25"}, {"train.corrupt.salt_pepper", "0.1"},
                                     {"train.corrupt.gaussian", "0.2"}});
  CHECK(parsed.corrupt.masking == 0.25);
  CHECK(parsed.corrupt.saltPepper == 0.1);
  CHECK(parsed.corrupt.gaussian == 0.2);
  CHECK_THROWS_WITH(parseRunConfig({{"train.corrupt.masking", "1.5"}}), Catch::Contains("train.corrupt.masking"));
}

TEST_CASE("runtime: early stopping restores the best epoch's weights (Keras)", "[runtime][callbacks]") {
  Model m = scalarModel();
  Dataset d = rows(5); // 4 train rows (one step per epoch), 1 validation row
  for (bool restore : {true, false}) {
    RunConfig c = baseConfig(m);
    c.epochs = 20;
    c.validationSplit = 0.2;
    c.earlyStopping.patience = 2;
    c.earlyStopping.restoreBest = restore;
    ModelState s = initModelState(m.desc, 0);
    Trainer t(m, c, d, s);
    auto hist = t.run();
    // val_loss (w - 3)^2 with w = epoch: 4, 1, 0, 1, 4 -> best at 3, two worse epochs, stop.
    REQUIRE(hist.size() == 5);
    CHECK(hist[2].valLoss == 0.0);
    CHECK(s.params[0].data[0] == (restore ? 3.0f : 5.0f));
  }
}

TEST_CASE("runtime: reduce_lr_on_plateau multiplies lr by factor after patience, floored at min_lr",
          "[runtime][callbacks]") {
  Model m = scalarModel();
  Dataset d = rows(5);
  RunConfig c = baseConfig(m);
  c.epochs = 8;
  c.validationSplit = 0.2;
  c.plateau.patience = 2;
  c.plateau.factor = 0.5;
  c.plateau.minLr = 0.3;
  ModelState s = initModelState(m.desc, 0);
  Trainer t(m, c, d, s);
  std::vector<double> lrs;
  for (const auto &r : t.run())
    lrs.push_back(r.lr);
  // Improves up to epoch 3; epochs 4 and 5 do not -> 0.5 from epoch 6 (the wait restarts);
  // 6 and 7 do not improve -> max(0.25, 0.3) = 0.3 from epoch 8.
  CHECK(lrs == std::vector<double>{1, 1, 1, 1, 1, 0.5, 0.5, 0.3});
}
