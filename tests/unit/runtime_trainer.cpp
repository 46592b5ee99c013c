/// The training loop and trainer CLI driven by a fake model: a linear autoencoder
/// z = x A, y = z B written by hand with the generated code's buffer conventions.
#include "runtime_test_util.h"

#include <aec/Csv.h>
#include <aec/Npy.h>
#include <aec/Trainer.h>
#include <aec/TrainerCli.h>

#include <cmath>
#include <iostream>
#include <sstream>

using namespace aec::rt;
using aec::rt::test::ScratchDir;

namespace {

constexpr int B = 4;

const char *kDescriptor = R"(aec-model 1
name fake
target cpu
batch 4
shape input 2
shape output 2
shape code 1
param enc/kernel 2,1 glorot_uniform:2:1
param dec/kernel 1,2 glorot_uniform:1:2
state m/enc/kernel 2,1
state m/dec/kernel 1,2
setting train.epochs 3
setting optimizer.lr 0.05
setting data.synthetic gaussian2d
setting data.n 203
setting data.rho 0.95
stat flops_per_step 96
stat arena_bytes 448
stat arena_live_bound 384
function train_step
arg x data 4,2
arg weight weight 4
arg enc/kernel param 2,1
arg dec/kernel param 1,2
arg m/enc/kernel state 2,1
arg m/dec/kernel state 1,2
arg lr hyper -
arg t hyper -
result loss loss -
result enc/kernel param 2,1
result dec/kernel param 1,2
result m/enc/kernel state 2,1
result m/dec/kernel state 1,2
function eval_step
arg x data 4,2
arg target target 4,2
arg weight weight 4
arg enc/kernel param 2,1
arg dec/kernel param 1,2
result loss loss 4
function encode
arg x data 4,2
arg enc/kernel param 2,1
result code latent 4,1
function decode
arg z latent 4,1
arg dec/kernel param 1,2
result y output 4,2
function reconstruct
arg x data 4,2
arg enc/kernel param 2,1
arg dec/kernel param 1,2
result y output 4,2
end
)";

/// What each train_step call saw, for assertions on batching.
struct Call {
  std::vector<float> weight, x;
  float lr, t;
};
std::vector<Call> calls;
/// fakeTrainStep writes NaN into one updated dec/kernel value at this step (0: never), with a
/// finite loss: what relu does to a NaN in a real model.
int poisonAt = 0;

void forward(const float *x, const float *A, const float *Bk, float *z, float *y) {
  for (int i = 0; i < B; ++i) {
    z[i] = x[2 * i] * A[0] + x[2 * i + 1] * A[1];
    y[2 * i] = z[i] * Bk[0];
    y[2 * i + 1] = z[i] * Bk[1];
  }
}

/// buffers: x, weight, A, Bk, mA, mB, lr, t | loss, A', Bk', mA', mB'.  SGD with momentum 0.9.
extern "C" void fakeTrainStep(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  const float *x = f(0), *w = f(1), *A = f(2), *Bk = f(3), *mA = f(4), *mB = f(5);
  const float lr = *f(6), t = *f(7);
  calls.push_back({std::vector<float>(w, w + B), std::vector<float>(x, x + 2 * B), lr, t});
  float z[B], y[2 * B], wsum = 0, loss = 0, gA[2] = {0, 0}, gB[2] = {0, 0};
  forward(x, A, Bk, z, y);
  for (int i = 0; i < B; ++i)
    wsum += w[i];
  for (int i = 0; i < B; ++i) {
    float d0 = y[2 * i] - x[2 * i], d1 = y[2 * i + 1] - x[2 * i + 1];
    loss += w[i] * 0.5f * (d0 * d0 + d1 * d1);
    // d(loss)/dy = w (y - x) / wsum  (mean over 2 elements, then over real samples)
    float g0 = w[i] * d0 / wsum, g1 = w[i] * d1 / wsum;
    gB[0] += z[i] * g0;
    gB[1] += z[i] * g1;
    float gz = g0 * Bk[0] + g1 * Bk[1];
    gA[0] += x[2 * i] * gz;
    gA[1] += x[2 * i + 1] * gz;
  }
  *f(8) = loss / wsum;
  for (int k = 0; k < 2; ++k) {
    f(11)[k] = 0.9f * mA[k] + gA[k];
    f(12)[k] = 0.9f * mB[k] + gB[k];
    f(9)[k] = A[k] - lr * f(11)[k];
    f(10)[k] = Bk[k] - lr * f(12)[k];
  }
  if (poisonAt > 0 && t == static_cast<float>(poisonAt))
    f(10)[1] = std::nanf("");
}

/// x, target, weight, A, Bk | per-sample loss [4]
extern "C" void fakeEvalStep(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  float z[B], y[2 * B];
  forward(f(0), f(3), f(4), z, y);
  for (int i = 0; i < B; ++i) {
    float d0 = y[2 * i] - f(1)[2 * i], d1 = y[2 * i + 1] - f(1)[2 * i + 1];
    f(5)[i] = 0.5f * (d0 * d0 + d1 * d1);
  }
}

extern "C" void fakeEncode(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  for (int i = 0; i < B; ++i)
    f(2)[i] = f(0)[2 * i] * f(1)[0] + f(0)[2 * i + 1] * f(1)[1];
}

extern "C" void fakeDecode(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  for (int i = 0; i < B; ++i)
    for (int k = 0; k < 2; ++k)
      f(2)[2 * i + k] = f(0)[i] * f(1)[k];
}

extern "C" void fakeReconstruct(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  float z[B];
  forward(f(0), f(1), f(2), z, f(3));
}

Model fakeModel(const std::map<std::string, std::string> &settings = {}) {
  Model m;
  m.desc = ModelDescriptor::parse(kDescriptor);
  for (const auto &[k, v] : settings)
    m.desc.settings[k] = v;
  m.entries = {{"train_step", fakeTrainStep},
               {"eval_step", fakeEvalStep},
               {"encode", fakeEncode},
               {"decode", fakeDecode},
               {"reconstruct", fakeReconstruct}};
  return m;
}

Dataset rows(int n) {
  Dataset d;
  d.x = Array({n, 2});
  for (int i = 0; i < n; ++i) {
    d.x.data[2 * i] = static_cast<float>(i + 1);
    d.x.data[2 * i + 1] = static_cast<float>(i + 1) * 0.5f;
  }
  d.source = "test";
  return d;
}

/// The fake model's CLI (runtime_test_util.h).
int cli(const Model &m, std::vector<std::string> args, std::string *out = nullptr, std::string *err = nullptr) {
  return test::runCli(m, std::move(args), out, err);
}

} // namespace

TEST_CASE("runtime: epoch batches and the validation split", "[runtime][trainer]") {
  CHECK(trainRowCount(10, 0.0) == 10);
  CHECK(trainRowCount(10, 0.25) == 7); // Keras: int(10 * 0.75)
  CHECK(trainRowCount(1000, 0.1) == 900);
  auto plain = epochBatches(5, 4, false, 0, 1);
  REQUIRE(plain.size() == 2);
  CHECK(plain[0] == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(plain[1] == std::vector<int64_t>{4});
  auto a = epochBatches(50, 8, true, 7, 3), b = epochBatches(50, 8, true, 7, 3), c = epochBatches(50, 8, true, 7, 4);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a.size() == 7);
  CHECK(a.back().size() == 2);
}

TEST_CASE("runtime: partial last batch is trained on with weight 0 padding", "[runtime][trainer]") {
  Model m = fakeModel();
  RunConfig c = runConfigFor(m.desc);
  c.epochs = 1;
  c.shuffle = false;
  Dataset d = rows(5);
  ModelState s = initModelState(m.desc, 0);
  calls.clear();
  Trainer t(m, c, d, s);
  EpochRecord rec = t.runEpoch(1);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].weight == std::vector<float>{1, 1, 1, 1});
  CHECK(calls[1].weight == std::vector<float>{1, 0, 0, 0});
  CHECK(calls[1].x[0] == 5.0f); // the real row first, in file order
  CHECK(calls[1].x[2] == 5.0f); // padding repeats a real row
  CHECK(calls[0].t == 1.0f);
  CHECK(calls[1].t == 2.0f);
  CHECK(calls[0].lr == 0.05f);
  CHECK(t.progress.step == 2);
  CHECK(std::isnan(rec.valLoss));
  CHECK(rec.loss > 0);
}

TEST_CASE("runtime: validation takes the last rows and is never trained on", "[runtime][trainer]") {
  Model m = fakeModel();
  RunConfig c = runConfigFor(m.desc);
  c.validationSplit = 0.2;
  c.shuffle = true;
  Dataset d = rows(10);
  ModelState s = initModelState(m.desc, 0);
  calls.clear();
  Trainer t(m, c, d, s);
  CHECK(t.trainRows() == 8);
  CHECK(t.validationRows() == 2);
  EpochRecord rec = t.runEpoch(1);
  REQUIRE(calls.size() == 2);
  for (const auto &call : calls)
    for (int i = 0; i < B; ++i)
      CHECK(call.x[2 * i] <= 8.0f); // rows 9 and 10 (values 9, 10) only validate
  // val_loss equals eval_step's per-sample loss averaged over rows 9 and 10.
  Dataset v;
  v.x = sliceRows(d.x, 8, 10);
  auto out = runOverDataset(m, "eval_step", BatchSource{&v.x, nullptr, nullptr}, s);
  CHECK(out.at("loss").dims == Dims{2});
  CHECK(rec.valLoss == Approx((out.at("loss").data[0] + out.at("loss").data[1]) / 2.0));
}

TEST_CASE("runtime: training lowers the loss and is deterministic", "[runtime][trainer]") {
  Model m = fakeModel();
  RunConfig c = runConfigFor(m.desc);
  c.epochs = 20;
  c.seed = 5;
  Dataset d = generate("gaussian2d", {{"rho", "0.95"}}, 203, 1);
  auto train = [&](uint64_t seed) {
    RunConfig cc = c;
    cc.seed = seed;
    ModelState s = initModelState(m.desc, seed);
    Trainer t(m, cc, d, s);
    auto hist = t.run();
    return std::make_pair(hist, s);
  };
  auto [h1, s1] = train(5);
  auto [h2, s2] = train(5);
  auto [h3, s3] = train(6);
  REQUIRE(h1.size() == 20);
  CHECK(h1.back().loss < 0.5 * h1.front().loss);
  CHECK(s1.params[0].data == s2.params[0].data); // bit-identical with the same seed
  CHECK(s1.params[0].data != s3.params[0].data);
  CHECK(s1.states[0].data != std::vector<float>(2, 0.0f)); // states were swapped in
}

TEST_CASE("runtime: early stopping and lr plateau", "[runtime][trainer]") {
  Model m = fakeModel();
  Dataset d = rows(8);
  {
    RunConfig c = runConfigFor(m.desc);
    c.epochs = 50;
    c.shuffle = false;
    c.lr = 0.0; // no progress at all: the monitored loss never improves after epoch 1
    c.earlyStopping.patience = 3;
    c.earlyStopping.monitor = "loss";
    ModelState s = initModelState(m.desc, 0);
    Trainer t(m, c, d, s);
    CHECK(t.run().size() == 4); // epoch 1 sets the best, 2..4 do not improve
  }
  {
    RunConfig c = runConfigFor(m.desc);
    c.epochs = 5;
    c.lr = 0.001;
    c.plateau.patience = 1;
    c.plateau.factor = 0.5;
    c.plateau.minLr = 0.0002;
    c.plateau.minDelta = 1e9; // nothing counts as an improvement after the first epoch
    ModelState s = initModelState(m.desc, 0);
    Trainer t(m, c, d, s);
    std::vector<double> lrs;
    for (const auto &r : t.run())
      lrs.push_back(r.lr);
    CHECK(lrs == std::vector<double>{0.001, 0.001, 0.0005, 0.00025, 0.0002});
  }
}

TEST_CASE("runtime: trainModel writes weights, log and checkpoint atomically", "[runtime][trainer]") {
  ScratchDir dir("train");
  Model m = fakeModel({{"data.normalize", "standard"}, {"train.validation_split", "0.1"}});
  RunConfig c = runConfigFor(m.desc);
  TrainOptions o;
  o.savePath = dir.path("w.npz");
  o.logPath = dir.path("log.csv");
  o.checkpointPath = dir.path("w.ckpt.npz");
  std::ostringstream progress;
  o.out = &progress;
  auto hist = trainModel(m, c, o);
  REQUIRE(hist.size() == 3);
  CHECK(dir.entries() == std::vector<std::string>{"log.csv", "w.ckpt.npz", "w.npz"});
  CsvTable log = readCsv(dir.path("log.csv"));
  CHECK(log.columns == std::vector<std::string>{"epoch", "loss", "val_loss", "lr", "samples_per_s", "seconds"});
  CHECK(log.values.dims == Dims{3, 6});
  CHECK(log.values.data[6] == 2.0f);
  CHECK(progress.str().find("epoch 3/3  loss ") != std::string::npos);
  CHECK(progress.str().find("val_loss") != std::string::npos);
  CHECK(progress.str().find("samples/s") != std::string::npos);
  auto keys = listNpz(dir.path("w.npz"));
  CHECK(std::find(keys.begin(), keys.end(), "normalization/mean") != keys.end());

  // Resume from the checkpoint for 2 more epochs == an unbroken 5-epoch run.
  TrainOptions r = o;
  r.resumePath = dir.path("w.ckpt.npz");
  r.savePath = dir.path("resumed.npz");
  RunConfig c5 = c;
  c5.epochs = 5;
  CHECK(trainModel(m, c5, r).size() == 2);
  CHECK(readCsv(dir.path("log.csv")).values.dims == Dims{5, 6});
  TrainOptions full;
  full.savePath = dir.path("full.npz");
  trainModel(m, c5, full);
  CHECK(readNpzKey(dir.path("resumed.npz"), "enc/kernel").data == readNpzKey(dir.path("full.npz"), "enc/kernel").data);
  CHECK(aec::rt::test::noTempFiles(dir));
}

TEST_CASE("runtime: formatProgress", "[runtime][trainer]") {
  EpochRecord r{3, 0.012341, 0.013012, 1e-3, 12345.4, 0.1};
  CHECK(formatProgress(r, 200) == "epoch 3/200  loss 0.012341  val_loss 0.013012  lr 1.0e-03  12345 samples/s");
  r.valLoss = NAN;
  CHECK(formatProgress(r, 200) == "epoch 3/200  loss 0.012341  lr 1.0e-03  12345 samples/s");
}

TEST_CASE("runtime: trainer CLI commands", "[runtime][trainer][cli]") {
  ScratchDir dir("cli");
  Model m = fakeModel({{"data.normalize", "minmax"}});
  std::string out, err;
  const std::string w = dir.path("w.npz");
  REQUIRE(cli(m, {"train", "--epochs", "2", "--save", w, "--log", dir.path("l.csv"), "--seed", "3"}, &out, &err) == 0);
  CHECK(out.find("epoch 2/2") != std::string::npos);
  CHECK(out.find("saved weights to " + w) != std::string::npos);

  dir.write("in.csv", "x,y\n1,0.5\n2,1\n3,1.5\n4,2\n5,2.5\n");
  REQUIRE(cli(m, {"encode", "--weights", w, "--data", dir.path("in.csv"), "--out", dir.path("z.csv")}, &out, &err) == 0);
  CsvTable z = readCsv(dir.path("z.csv"));
  CHECK(z.columns == std::vector<std::string>{"z0"});
  CHECK(z.values.dims == Dims{5, 1}); // 5 rows from 2 batches: padding cut off
  REQUIRE(cli(m, {"decode", "--weights", w, "--latent", dir.path("z.csv"), "--out", dir.path("x.npy")}) == 0);
  REQUIRE(cli(m, {"reconstruct", "--weights", w, "--data", dir.path("in.csv"), "--out", dir.path("r.npy")}) == 0);
  Array dec = readNpy(dir.path("x.npy")), rec = readNpy(dir.path("r.npy"));
  CHECK(dec.dims == Dims{5, 2});
  for (size_t i = 0; i < dec.data.size(); ++i)
    CHECK(dec.data[i] == Approx(rec.data[i]).margin(1e-5)); // decode(encode(x)) == reconstruct(x), denormalized
  REQUIRE(cli(m, {"score", "--weights", w, "--data", dir.path("in.csv"), "--out", dir.path("s.csv")}) == 0);
  CsvTable s = readCsv(dir.path("s.csv"));
  CHECK(s.columns == std::vector<std::string>{"score"});
  CHECK(s.values.dims == Dims{5, 1});

  REQUIRE(cli(m, {"info"}, &out) == 0);
  CHECK(out.find("model    fake") != std::string::npos);
  CHECK(out.find("enc/kernel") != std::string::npos);
  CHECK(out.find("train_step arena 448 bytes") != std::string::npos);
  CHECK(out.find("live lower bound 384)") != std::string::npos);
  CHECK(out.find("96 per step") != std::string::npos);

  CHECK(cli(m, {"sample", "--weights", w, "--n", "3", "--out", dir.path("q.csv")}, &out, &err) == 1);
  CHECK(err.find("error: model 'fake' has no vae_latent") == 0);
  Model noDecoder = fakeModel();
  noDecoder.entries.erase("decode");
  CHECK(cli(noDecoder, {"decode", "--weights", w, "--latent", dir.path("z.csv"), "--out", dir.path("x.csv")}, &out,
            &err) == 1);
  CHECK(err == "error: model 'fake' has no stand-alone decoder (it has skips from the encoder)\n");
  CHECK(cli(m, {"encode", "--weights", dir.path("nope.npz"), "--data", dir.path("in.csv"), "--out", dir.path("z.csv")},
            &out, &err) == 1);
  CHECK(err.find("error: weights file '") == 0);
  CHECK(err.find("does not exist") != std::string::npos);
  CHECK(cli(m, {"train", "--bogus"}, &out, &err) == 1);
  CHECK(err.rfind("error: ", 0) == 0);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(aec::rt::test::noTempFiles(dir));
}

TEST_CASE("runtime: sample decodes seeded draws from the prior for a VAE", "[runtime][trainer][cli]") {
  ScratchDir dir("sample");
  Model m = fakeModel({{"model.vae", "true"}});
  const std::string w = dir.path("w.npz");
  REQUIRE(cli(m, {"train", "--epochs", "1", "--save", w}) == 0);
  std::string out, err;
  REQUIRE(cli(m, {"sample", "--weights", w, "--n", "2000", "--seed", "4", "--out", dir.path("a.npy")}, &out, &err) == 0);
  REQUIRE(cli(m, {"sample", "--weights", w, "--n", "2000", "--seed", "4", "--out", dir.path("b.npy")}) == 0);
  REQUIRE(cli(m, {"sample", "--weights", w, "--n", "2000", "--seed", "5", "--out", dir.path("c.npy")}) == 0);
  Array a = readNpy(dir.path("a.npy"));
  REQUIRE(a.dims == Dims{2000, 2});
  CHECK(a.data == readNpy(dir.path("b.npy")).data);
  CHECK(a.data != readNpy(dir.path("c.npy")).data);
  // The fake decoder is linear, y = z * dec/kernel: z = y0 / k0 must look like N(0, 1).
  const Array k = readNpzKey(w, "dec/kernel");
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    const double z = a.data[2 * i] / k.data[0];
    sum += z, sq += z * z;
    CHECK(a.data[2 * i + 1] == Approx(z * k.data[1]).margin(1e-5));
  }
  CHECK(sum / 2000 == Approx(0).margin(0.07));
  CHECK(sq / 2000 == Approx(1).epsilon(0.1));
  CHECK(cli(m, {"sample", "--weights", w, "--n", "0", "--out", dir.path("d.npy")}, &out, &err) == 1);
  CHECK(err == "error: --n: expected an integer from 1 to 100000000, got '0'\n");
}

TEST_CASE("runtime: a step that makes a param NaN is undone and reported", "[runtime][trainer][finite]") {
  Model m = fakeModel();
  RunConfig c = runConfigFor(m.desc);
  c.epochs = 3;
  c.lr = 1e-4; // rows up to 40 unnormalized: small steps, or the run diverges by itself
  Dataset d = rows(40); // 10 steps per epoch
  // Reference: the same run stopped (by the afterStep hook) after step 14.
  ModelState good = initModelState(m.desc, 0);
  Trainer ref(m, c, d, good);
  ref.run({}, [&] { return ref.progress.step == 14; });
  REQUIRE(ref.interrupted);
  CHECK(ref.progress.epoch == 1);
  CHECK(ref.progress.epochStep == 4);

  poisonAt = 15; // epoch 2, its 5th step
  ModelState s = initModelState(m.desc, 0);
  Trainer t(m, c, d, s);
  try {
    t.run();
    FAIL("no NonFiniteError");
  } catch (const NonFiniteError &e) {
    CHECK(e.epoch == 2);
    CHECK(e.step == 15);
    CHECK_THAT(e.what(), Catch::Contains("epoch 2, step 15") &&
                             Catch::Contains("parameter 'dec/kernel' has NaN at [0, 1] (element 1 of [1, 2])"));
  }
  poisonAt = 0;
  // The state is the one after step 14, bit for bit, and progress says step 15 comes next.
  CHECK(t.progress.step == 14);
  CHECK(t.progress.epochStep == 4);
  CHECK(t.progress.epochLossSum == ref.progress.epochLossSum);
  for (size_t i = 0; i < s.params.size(); ++i)
    CHECK(s.params[i].data == good.params[i].data);
  for (size_t i = 0; i < s.states.size(); ++i)
    CHECK(s.states[i].data == good.states[i].data);
}

TEST_CASE("runtime: a run stopped inside an epoch continues bit-identically", "[runtime][trainer]") {
  Model m = fakeModel();
  RunConfig c = runConfigFor(m.desc);
  c.epochs = 3;
  c.lr = 1e-4;
  Dataset d = rows(38); // 10 steps per epoch, the last one partial
  ModelState full = initModelState(m.desc, 0);
  Trainer whole(m, c, d, full);
  const auto fullHistory = whole.run();

  ModelState s = initModelState(m.desc, 0);
  Trainer first(m, c, d, s);
  first.run({}, [&] { return first.progress.step == 17; });
  REQUIRE(first.interrupted);
  Trainer second(m, c, d, s);
  second.progress = first.progress; // what a checkpoint carries
  const auto rest = second.run();
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].epoch == 2);
  CHECK(rest[0].loss == fullHistory[1].loss); // the partial epoch's loss sum was carried over
  CHECK(rest[1].loss == fullHistory[2].loss);
  CHECK(second.progress.step == whole.progress.step);
  for (size_t i = 0; i < s.params.size(); ++i)
    CHECK(s.params[i].data == full.params[i].data);
}

TEST_CASE("runtime: trainModel keeps the last good weights when a step goes NaN", "[runtime][trainer][finite]") {
  ScratchDir dir("nan");
  Model m = fakeModel();
  std::string out, err;
  poisonAt = 3;
  const int rc = cli(m, {"train", "--save", dir.path("w.npz")}, &out, &err);
  poisonAt = 0;
  CHECK(rc == 1);
  CHECK_THAT(err, Catch::StartsWith("error: training diverged at epoch 1, step 3: the loss was ") &&
                      Catch::Contains("parameter 'dec/kernel' has NaN") &&
                      Catch::Contains("saved the weights from before that step to " + dir.path("w.npz")));
  ModelState saved = initModelState(m.desc, 0);
  loadParams(m.desc, saved, dir.path("w.npz"));
  for (const auto &a : saved.params)
    for (float v : a.data)
      CHECK(std::isfinite(v));
  // The checkpoint continues from step 3: resumed, the run ends like an unbroken one.
  REQUIRE(cli(m, {"train", "--resume", dir.path("w.ckpt.npz"), "--save", dir.path("r.npz")}, &out, &err) == 0);
  CHECK(out.find("after epoch 0 and step 2 of ") != std::string::npos);
  REQUIRE(cli(m, {"train", "--save", dir.path("full.npz")}, &out, &err) == 0);
  CHECK(readNpzKey(dir.path("r.npz"), "dec/kernel").data == readNpzKey(dir.path("full.npz"), "dec/kernel").data);
  CHECK(aec::rt::test::noTempFiles(dir));
}
