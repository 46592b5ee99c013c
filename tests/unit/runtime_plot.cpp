/// The trainer's pictures: every PNG exists, decodes with libpng, has a sensible size and is
/// not blank. Set AEC_PLOT_KEEP=DIR to keep the pictures for a look.
#include "runtime_test_util.h"

#include <aec/Generators.h>
#include <aec/Plot.h>
#include <aec/TrainerCli.h>

#include <fmt/format.h>
#include <png.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <set>

using namespace aec::rt;

namespace {

constexpr int B = 8;
int64_t width = 2;  ///< values per sample of the fake model in use
int64_t codeW = 2;  ///< code width

/// y = 0.8 x + 0.1 * mean(x): a reconstruction that is visibly close but not equal.
void reconstructRows(const float *x, float *y) {
  for (int i = 0; i < B; ++i) {
    double mean = 0;
    for (int64_t k = 0; k < width; ++k)
      mean += x[i * width + k] / static_cast<double>(width);
    for (int64_t k = 0; k < width; ++k)
      y[i * width + k] = static_cast<float>(0.8 * x[i * width + k] + 0.2 * mean);
  }
}

/// Code: mean and spread of the first and second half of a sample (codeW of them).
void encodeRows(const float *x, float *z) {
  for (int i = 0; i < B; ++i)
    for (int64_t c = 0; c < codeW; ++c) {
      double s = 0;
      const int64_t lo = c * width / codeW, hi = (c + 1) * width / codeW;
      for (int64_t k = lo; k < hi; ++k)
        s += x[i * width + k] * (1.0 + 0.01 * static_cast<double>(k));
      z[i * codeW + c] = static_cast<float>(s / static_cast<double>(hi - lo));
    }
}

extern "C" void plotReconstruct(void **buf) { reconstructRows(static_cast<float *>(buf[0]), static_cast<float *>(buf[2])); }
extern "C" void plotEncode(void **buf) { encodeRows(static_cast<float *>(buf[0]), static_cast<float *>(buf[2])); }
/// x, target, weight, w, lr | loss, w': the loss falls as 1 / t.
extern "C" void plotTrainStep(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  *f(6) = *f(3) + 1;
  *f(5) = 1.0f / (*f(6));
}
extern "C" void plotEvalStep(void **buf) {
  auto f = [&](int i) { return static_cast<float *>(buf[i]); };
  for (int i = 0; i < B; ++i)
    f(4)[i] = 1.2f / (*f(3) + 0.5f);
}

/// A model over samples of `shape` with a code of `code` values, and `settings`.
Model fakeModel(const aec::rt::Dims &shape, int64_t code, const std::string &settings) {
  width = numElements(shape);
  codeW = code;
  const std::string s = formatDims(shape), bs = fmt::format("{},{}", B, width);
  Model m;
  m.desc = ModelDescriptor::parse(fmt::format(R"(aec-model 1
name pictures
target cpu
batch {0}
shape input {1}
shape output {1}
shape code {3}
param w 1 zeros
{4}function train_step
arg x data {2}
arg target target {2}
arg weight weight {0}
arg w param 1
arg lr hyper -
result loss loss -
result w param 1
function eval_step
arg x data {2}
arg target target {2}
arg weight weight {0}
arg w param 1
result loss loss {0}
function reconstruct
arg x data {2}
arg w param 1
result y output {2}
function encode
arg x data {2}
arg w param 1
result z latent {0},{3}
end
)",
                                              B, s, bs, code, settings));
  m.entries = {{"train_step", plotTrainStep}, {"eval_step", plotEvalStep}, {"reconstruct", plotReconstruct},
               {"encode", plotEncode}};
  return m;
}

struct Png {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

Png readPng(const std::string &path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&image, path.c_str()) != 0);
  image.format = PNG_FORMAT_RGB;
  Png p;
  p.width = static_cast<int>(image.width), p.height = static_cast<int>(image.height);
  p.rgb.resize(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, p.rgb.data(), 0, nullptr) != 0);
  return p;
}

/// Decodes `path` and checks it is a real picture: size in range, many colours, ink.
void checkPicture(const std::string &path, int minW = 300, int minH = 250) {
  INFO(path);
  REQUIRE(std::filesystem::exists(path));
  Png p = readPng(path);
  CHECK(p.width >= minW);
  CHECK(p.height >= minH);
  CHECK(p.width <= 4000);
  std::set<uint32_t> colors;
  size_t ink = 0;
  for (size_t i = 0; i < p.rgb.size(); i += 3) {
    colors.insert(p.rgb[i] << 16 | p.rgb[i + 1] << 8 | p.rgb[i + 2]);
    ink += p.rgb[i] + p.rgb[i + 1] + p.rgb[i + 2] < 600;
  }
  CHECK(colors.size() > 8);
  CHECK(ink > p.rgb.size() / 3 / 100); // over 1% of the pixels are drawn on
}

/// Where pictures go: a scratch folder, or $AEC_PLOT_KEEP/<name> to look at them.
std::string plotDir(const aec::rt::test::ScratchDir &scratch, const std::string &name) {
  const char *keep = std::getenv("AEC_PLOT_KEEP");
  return keep ? (std::filesystem::path(keep) / name).string() : scratch.path(name);
}

std::vector<EpochRecord> history(int epochs, bool withVal) {
  std::vector<EpochRecord> h;
  for (int e = 1; e <= epochs; ++e)
    h.push_back({e, 0.5 * std::pow(0.8, e), withVal ? 0.55 * std::pow(0.82, e) : NAN, 1e-3, 1000, 0.1});
  return h;
}

} // namespace

TEST_CASE("runtime: pictures of a denoising image model", "[runtime][plot]") {
  aec::rt::test::ScratchDir scratch("plot_images");
  Model m = fakeModel({32, 32, 1}, 3, "");
  RunConfig c = runConfigFor(m.desc);
  Dataset d = generate("speckle", {{"size", "32"}}, 300, 1);
  ModelState s = initModelState(m.desc, 0);
  PlotOptions o;
  o.dir = plotDir(scratch, "speckle");
  o.colorBy = "radius";
  auto files = writePlots(m, c, s, Normalizer(), d, history(15, true), o);
  REQUIRE(files.size() == 3);
  checkPicture(o.dir + "/reconstructions.png", 600, 400);
  checkPicture(o.dir + "/latent.png");
  checkPicture(o.dir + "/loss.png");
  o.colorBy = "nope";
  CHECK(aec::rt::test::errorOf([&] { writePlots(m, c, s, Normalizer(), d, {}, o); }).find("it has: radius, pd") !=
        std::string::npos);
}

TEST_CASE("runtime: pictures of signals, points and plain images", "[runtime][plot]") {
  aec::rt::test::ScratchDir scratch("plot_signals");
  {
    Model m = fakeModel({32}, 1, "");
    Dataset d = generate("steps", {}, 500, 2);
    ModelState s = initModelState(m.desc, 0);
    PlotOptions o;
    o.dir = plotDir(scratch, "steps");
    writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, history(1, false), o);
    checkPicture(o.dir + "/reconstructions.png", 800, 400);
    checkPicture(o.dir + "/latent.png"); // code against the jump position
    checkPicture(o.dir + "/loss.png");   // a single epoch still shows
  }
  {
    Model m = fakeModel({2}, 1, "");
    Dataset d = generate("ring", {}, 1000, 3);
    ModelState s = initModelState(m.desc, 0);
    PlotOptions o;
    o.dir = plotDir(scratch, "ring");
    writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, {}, o);
    checkPicture(o.dir + "/reconstructions.png");
    checkPicture(o.dir + "/latent.png");
    CHECK(!std::filesystem::exists(o.dir + "/loss.png"));
  }
  {
    // Circles with label colours: ten classes get a legend instead of a colour bar.
    Model m = fakeModel({32, 32, 1}, 4, "setting train.corrupt.masking 0.3\n");
    Dataset d = generate("circles", {}, 400, 4);
    std::string labels = "label\n";
    for (int i = 0; i < 400; ++i)
      labels += std::to_string(i % 10) + "\n";
    scratch.write("labels.csv", labels);
    ModelState s = initModelState(m.desc, 0);
    PlotOptions o;
    o.dir = plotDir(scratch, "circles");
    o.labelsPath = scratch.path("labels.csv");
    writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, {}, o);
    checkPicture(o.dir + "/reconstructions.png", 600, 400); // corrupted / denoised / true / residual
    checkPicture(o.dir + "/latent.png");
  }
}

TEST_CASE("runtime: train --plot and the plot command", "[runtime][plot][cli]") {
  aec::rt::test::ScratchDir dir("plot_cli");
  Model m = fakeModel({32}, 1,
                      "setting train.epochs 4\nsetting train.validation_split 0.2\nsetting data.synthetic steps\n"
                      "setting data.n 200\n");
  auto cli = [&](std::vector<std::string> args, std::string *err) {
    return aec::rt::test::runCli(m, std::move(args), nullptr, err);
  };
  std::string err;
  REQUIRE(cli({"train", "--save", dir.path("w.npz"), "--log", dir.path("log.csv"), "--plot", dir.path("pics")}, &err) == 0);
  checkPicture(dir.path("pics/reconstructions.png"));
  checkPicture(dir.path("pics/latent.png"));
  checkPicture(dir.path("pics/loss.png"));
  auto log = readLog(dir.path("log.csv"));
  REQUIRE(log.size() == 4);
  CHECK(log[3].epoch == 4);
  CHECK(log[0].loss == Approx(0.179887).epsilon(1e-4)); // mean of 1/t over the epoch's 20 steps
  CHECK(std::isfinite(log[0].valLoss));

  REQUIRE(cli({"plot", "--weights", dir.path("w.npz"), "--log", dir.path("log.csv"), "--out", dir.path("again"),
               "--color-by", "jump"},
              &err) == 0);
  checkPicture(dir.path("again/loss.png"));
  checkPicture(dir.path("again/latent.png"));
  CHECK(cli({"plot", "--weights", dir.path("w.npz"), "--out", dir.path("x"), "--color-by", "height"}, &err) == 1);
  CHECK(err.find("no such column") != std::string::npos);
  CHECK(cli({"plot", "--weights", dir.path("w.npz"), "--log", dir.path("w.npz"), "--out", dir.path("x")}, &err) == 1);
  CHECK(err.find("not a training log") != std::string::npos);
}
