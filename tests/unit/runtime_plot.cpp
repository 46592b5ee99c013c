/// The trainer's pictures: every figure is a PNG of the laid-out size with ink in each plot
/// area and a one-page PDF with embedded fonts; every text lies inside the canvas and no two
/// texts overlap; ticks, titles, legends, column and class names are what a reader expects.
/// Set AEC_PLOT_KEEP=DIR to keep the pictures for a look.
#include "runtime_test_util.h"

#include <aec/AtomicFile.h>
#include <aec/Generators.h>
#include <aec/Plot.h>
#include <aec/TrainerCli.h>

#include <cairo.h>
#include <fmt/format.h>

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
Model fakeModel(const aec::rt::Dims &shape, int64_t code, const std::string &settings,
                const std::string &name = "pictures") {
  width = numElements(shape);
  codeW = code;
  const std::string s = formatDims(shape), bs = fmt::format("{},{}", B, width);
  Model m;
  m.desc = ModelDescriptor::parse(fmt::format(R"(aec-model 1
name {5}
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
                                              B, s, bs, code, settings, name));
  m.entries = {{"train_step", plotTrainStep}, {"eval_step", plotEvalStep}, {"reconstruct", plotReconstruct},
               {"encode", plotEncode}};
  return m;
}

struct Png {
  int width = 0, height = 0;
  std::vector<uint32_t> rgb; ///< 0xRRGGBB per pixel, row by row
  uint32_t at(int x, int y) const { return rgb[static_cast<size_t>(y) * width + x]; }
};

Png readPng(const std::string &path) {
  cairo_surface_t *s = cairo_image_surface_create_from_png(path.c_str());
  REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
  Png p;
  p.width = cairo_image_surface_get_width(s), p.height = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char *data = cairo_image_surface_get_data(s);
  for (int y = 0; y < p.height; ++y)
    for (int x = 0; x < p.width; ++x)
      p.rgb.push_back(reinterpret_cast<const uint32_t *>(data + static_cast<size_t>(y) * stride)[x] & 0xffffff);
  cairo_surface_destroy(s);
  return p;
}

bool overlap(const PlotBox &a, const PlotBox &b, double tolerance = 0.5) {
  return a.x0 + tolerance < b.x1 && b.x0 + tolerance < a.x1 && a.y0 + tolerance < b.y1 && b.y0 + tolerance < a.y1;
}

/// Pixels of `box` that are neither background (white) nor grid (light grey) nor under a
/// legend: data ink.
size_t inkIn(const Png &p, const PlotBox &box, const std::vector<PlotBox> &legends) {
  size_t ink = 0;
  for (int y = static_cast<int>(std::ceil(box.y0)) + 2; y < static_cast<int>(box.y1) - 2; ++y)
    for (int x = static_cast<int>(std::ceil(box.x0)) + 2; x < static_cast<int>(box.x1) - 2; ++x) {
      const uint32_t c = p.at(x, y);
      ink += c != 0xffffff && c != 0xe1e1e1 && !std::any_of(legends.begin(), legends.end(), [&](const PlotBox &l) {
        return overlap(l, {x - 1.0, y - 1.0, x + 2.0, y + 2.0}, 0);
      });
    }
  return ink;
}

/// Checks one figure: the PNG has the layout's size and ink in every plot area, the PDF is
/// one page with embedded fonts, every text lies inside the canvas and no two texts overlap.
void checkFigure(const FigureLayout &f, int minW = 300, int minH = 250) {
  INFO(f.png);
  REQUIRE(std::filesystem::exists(f.png));
  const Png p = readPng(f.png);
  CHECK(p.width == f.width);
  CHECK(p.height == f.height);
  CHECK(p.width >= minW);
  CHECK(p.height >= minH);
  CHECK(p.width <= 4000);
  REQUIRE(!f.plotAreas.empty());
  for (const PlotBox &a : f.plotAreas) {
    INFO(fmt::format("plot area {} {} {} {}", a.x0, a.y0, a.x1, a.y1));
    CHECK(a.x0 >= 0);
    CHECK(a.y0 >= 0);
    CHECK(a.x1 <= f.width);
    CHECK(a.y1 <= f.height);
    // Drawn on: a lone point of a one-epoch loss covers some 50 pixels.
    CHECK(inkIn(p, a, f.legends) > 40);
  }
  for (size_t i = 0; i < f.labels.size(); ++i) {
    const PlotBox &b = f.labels[i].box;
    INFO(fmt::format("'{}' at {:.1f} {:.1f} {:.1f} {:.1f}", f.labels[i].text, b.x0, b.y0, b.x1, b.y1));
    CHECK(b.x0 >= 0);
    CHECK(b.y0 >= 0);
    CHECK(b.x1 <= f.width);
    CHECK(b.y1 <= f.height);
    for (size_t j = i + 1; j < f.labels.size(); ++j) {
      INFO("overlaps '" << f.labels[j].text << "'");
      CHECK(!overlap(b, f.labels[j].box));
    }
  }
  const std::string pdf = readFile(f.pdf);
  CHECK(pdf.rfind("%PDF-", 0) == 0);
  CHECK(pdf.find("%%EOF") != std::string::npos);
  CHECK(pdf.find("/Count 1") != std::string::npos); // one page
  CHECK(pdf.find("/FontFile") != std::string::npos); // text as text, not as pixels
  CHECK(pdf.find("DejaVuSans") != std::string::npos); // the face asked for, found by fontconfig
}

/// The figure written as `name`.png.
const FigureLayout &figure(const std::vector<FigureLayout> &layouts, const std::string &name) {
  for (const auto &f : layouts)
    if (std::filesystem::path(f.png).filename() == name + ".png")
      return f;
  FAIL("no figure " << name);
  return layouts.front();
}

/// Texts of `f` whose box lies in `region`.
std::vector<std::string> textsIn(const FigureLayout &f, const PlotBox &region) {
  std::vector<std::string> out;
  for (const auto &l : f.labels)
    if (l.box.x0 >= region.x0 && l.box.x1 <= region.x1 && l.box.y0 >= region.y0 && l.box.y1 <= region.y1)
      out.push_back(l.text);
  return out;
}

/// Tick labels left of and below the first plot area.
std::vector<std::string> yTicks(const FigureLayout &f) {
  const PlotBox &a = f.plotAreas.at(0);
  return textsIn(f, {a.x0 - 14 - 200, a.y0 - 10, a.x0, a.y1 + 10});
}
std::vector<std::string> xTicks(const FigureLayout &f) {
  const PlotBox &a = f.plotAreas.at(0);
  return textsIn(f, {a.x0 - 40, a.y1, a.x1 + 40, a.y1 + 6 + 20});
}

bool has(const std::vector<std::string> &v, const std::string &s) { return std::find(v.begin(), v.end(), s) != v.end(); }

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
  std::vector<FigureLayout> layouts;
  o.layouts = &layouts;
  auto files = writePlots(m, c, s, Normalizer(), d, history(15, true), o);
  CHECK(files.size() == 6); // PNG and PDF of each
  REQUIRE(layouts.size() == 3);
  checkFigure(figure(layouts, "reconstructions"), 600, 400);
  CHECK(figure(layouts, "reconstructions").plotAreas.size() == 4 * 8); // noisy, denoised, true, residual
  checkFigure(figure(layouts, "latent"));
  checkFigure(figure(layouts, "loss"));
  // 15 epochs from 0.44 to 0.02: a log axis, integer epochs, the legend off the curves.
  const FigureLayout &loss = figure(layouts, "loss");
  CHECK(has(loss.labels.empty() ? std::vector<std::string>{} : textsIn(loss, {0, 0, 1e9, 1e9}), "loss (log scale)"));
  for (const auto &t : xTicks(loss))
    CHECK(t.find('.') == std::string::npos);
  CHECK(loss.legends.size() == 1);
  CHECK(loss.pointsUnderLegends == 0);
  o.colorBy = "nope";
  CHECK(aec::rt::test::errorOf([&] { writePlots(m, c, s, Normalizer(), d, {}, o); }).find("it has: radius, pd") !=
        std::string::npos);
}

TEST_CASE("runtime: a loss plot of 1 or 2 epochs has a readable y axis and whole epochs", "[runtime][plot]") {
  aec::rt::test::ScratchDir scratch("plot_short");
  Model m = fakeModel({2}, 1, "");
  ModelState s = initModelState(m.desc, 0);
  for (int epochs : {1, 2}) {
    for (bool val : {false, true}) {
      INFO(epochs << " epochs, val_loss " << val);
      PlotOptions o;
      o.dir = plotDir(scratch, fmt::format("loss{}{}", epochs, val));
      std::vector<FigureLayout> layouts;
      o.layouts = &layouts;
      writePlots(m, runConfigFor(m.desc), s, Normalizer(), Dataset{}, history(epochs, val), o);
      REQUIRE(layouts.size() == 1);
      const FigureLayout &f = layouts[0];
      checkFigure(f);
      const auto ys = yTicks(f), xs = xTicks(f);
      CHECK(ys.size() >= 3);
      for (const auto &t : ys)
        CHECK(std::isfinite(std::strtod(t.c_str(), nullptr)));
      REQUIRE(!xs.empty());
      for (const auto &t : xs) {
        CHECK(t.find_first_not_of("0123456789") == std::string::npos); // whole epochs
        CHECK(std::atoi(t.c_str()) >= 1);
        CHECK(std::atoi(t.c_str()) <= epochs);
      }
      CHECK(f.pointsUnderLegends == 0);
    }
  }
}

TEST_CASE("runtime: a long title is fitted, never cut", "[runtime][plot]") {
  aec::rt::test::ScratchDir scratch("plot_title");
  const std::string name = "a_model_with_a_rather_long_name_for_its_pictures_and_then_some_more";
  Model m = fakeModel({32}, 1, "", name);
  Dataset d = generate("steps", {}, 200, 2);
  ModelState s = initModelState(m.desc, 0);
  PlotOptions o;
  o.dir = plotDir(scratch, "title");
  o.samples = 1; // one narrow panel under a title three times as wide
  std::vector<FigureLayout> layouts;
  o.layouts = &layouts;
  writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, history(3, false), o);
  for (const auto &f : layouts) {
    checkFigure(f, 200, 200);
    // The title's lines (drawn first), joined, are the whole title.
    const std::string kind = std::filesystem::path(f.png).stem().string();
    const std::string want = name + (kind == "loss" ? ": training" : kind == "latent" ? ": code vs jump" : ": reconstructions");
    std::string seen;
    for (const auto &l : f.labels) {
      const std::string next = seen.empty() ? l.text : seen + " " + l.text;
      if (want.rfind(next, 0) != 0)
        break;
      seen = next;
    }
    CHECK(seen == want);
  }
}

TEST_CASE("runtime: pictures of signals, tables, points and plain images", "[runtime][plot]") {
  aec::rt::test::ScratchDir scratch("plot_signals");
  {
    Model m = fakeModel({32}, 1, "");
    Dataset d = generate("steps", {}, 500, 2);
    ModelState s = initModelState(m.desc, 0);
    PlotOptions o;
    o.dir = plotDir(scratch, "steps");
    std::vector<FigureLayout> layouts;
    o.layouts = &layouts;
    writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, history(1, false), o);
    checkFigure(figure(layouts, "reconstructions"), 800, 400);
    CHECK(figure(layouts, "reconstructions").plotAreas.size() == 8);
    checkFigure(figure(layouts, "latent")); // code against the jump position
    checkFigure(figure(layouts, "loss"));   // a single epoch still shows
  }
  {
    // A table: the x ticks of each panel are the data's column names.
    Model m = fakeModel({5}, 2, "");
    Dataset d = generate("blackbody_colors", {}, 600, 5);
    ModelState s = initModelState(m.desc, 0);
    PlotOptions o;
    o.dir = plotDir(scratch, "colors");
    std::vector<FigureLayout> layouts;
    o.layouts = &layouts;
    writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, {}, o);
    const FigureLayout &r = figure(layouts, "reconstructions");
    checkFigure(r, 800, 400);
    CHECK(xTicks(r) == std::vector<std::string>{"u", "g", "r", "i", "z"});
    // Colour by temperature (thousands of kelvin): the colour bar's labels fit (checkFigure).
    const FigureLayout &latent = figure(layouts, "latent");
    checkFigure(latent);
    CHECK(has(textsIn(latent, {latent.plotAreas[0].x1, 0, 1e9, 1e9}), "T"));
  }
  {
    Model m = fakeModel({2}, 1, "");
    Dataset d = generate("ring", {}, 1000, 3);
    ModelState s = initModelState(m.desc, 0);
    PlotOptions o;
    o.dir = plotDir(scratch, "ring");
    std::vector<FigureLayout> layouts;
    o.layouts = &layouts;
    writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, {}, o);
    checkFigure(figure(layouts, "reconstructions"));
    CHECK(figure(layouts, "reconstructions").pointsUnderLegends == 0); // the ring's middle is empty
    checkFigure(figure(layouts, "latent"));
    CHECK(!std::filesystem::exists(o.dir + "/loss.png"));
  }
}

namespace {
/// Writes the latent picture of `d` coloured by `labels` and returns its layout.
FigureLayout classPicture(const aec::rt::test::ScratchDir &scratch, const std::string &name, Dataset d,
                          const std::string &labelsPath) {
  Model m = fakeModel({32, 32, 1}, 4, "setting train.corrupt.masking 0.3\n");
  ModelState s = initModelState(m.desc, 0);
  PlotOptions o;
  o.dir = plotDir(scratch, name);
  o.labelsPath = labelsPath;
  std::vector<FigureLayout> layouts;
  o.layouts = &layouts;
  writePlots(m, runConfigFor(m.desc), s, Normalizer(), d, {}, o);
  checkFigure(figure(layouts, "reconstructions"), 600, 400); // corrupted / denoised / true / residual
  const FigureLayout latent = figure(layouts, "latent");
  checkFigure(latent);
  // Classes get a legend beside the data, never over it.
  REQUIRE(latent.legends.size() == 1);
  CHECK(!overlap(latent.legends[0], latent.plotAreas[0]));
  return latent;
}

std::vector<std::string> legendTexts(const FigureLayout &f) { return textsIn(f, f.legends.at(0)); }
} // namespace

TEST_CASE("runtime: classes are named in the legend", "[runtime][plot]") {
  aec::rt::test::ScratchDir scratch("plot_classes");
  const int n = 400;
  Dataset d = generate("circles", {}, n, 4);
  std::string digits = "label\n", kinds = "kind,other\n";
  const char *kindNames[] = {"star", "galaxy", "qso"};
  for (int i = 0; i < n; ++i) {
    digits += std::to_string(i % 10) + "\n";
    kinds += fmt::format("{},{}\n", kindNames[i % 3], i);
  }
  scratch.write("labels.csv", digits);
  scratch.write("fashion_labels.csv", digits);
  scratch.write("kinds.csv", kinds);
  {
    // Numbers without names: the legend says what they are once (its title) and each value.
    const auto texts = legendTexts(classPicture(scratch, "digits", d, scratch.path("labels.csv")));
    CHECK(has(texts, "label"));
    CHECK(has(texts, "0"));
    CHECK(has(texts, "9"));
    CHECK(!has(texts, "label 0"));
  }
  {
    const auto texts = legendTexts(classPicture(scratch, "fashion", d, scratch.path("fashion_labels.csv")));
    CHECK(has(texts, "T-shirt/top"));
    CHECK(has(texts, "Ankle boot"));
    CHECK(!has(texts, "0"));
  }
  {
    // A text column: its values are the classes.
    const auto texts = legendTexts(classPicture(scratch, "kinds", d, scratch.path("kinds.csv")));
    CHECK(has(texts, "kind"));
    CHECK(has(texts, "galaxy"));
    CHECK(has(texts, "qso"));
    CHECK(has(texts, "star"));
  }
  {
    // MNIST-style files: the labels beside the images colour the picture by default.
    std::string idx("\x00\x00\x08\x01", 4);
    for (int shift : {24, 16, 8, 0})
      idx += static_cast<char>(n >> shift & 0xff);
    for (int i = 0; i < n; ++i)
      idx += static_cast<char>(i % 10);
    std::filesystem::create_directories(scratch.path("fashion-mnist"));
    scratch.write("fashion-mnist/train-labels-idx1-ubyte", idx);
    d.source = scratch.path("fashion-mnist/train-images-idx3-ubyte");
    d.extraColumns.clear(), d.extra = {};
    const auto texts = legendTexts(classPicture(scratch, "beside", d, ""));
    CHECK(has(texts, "Sneaker"));
  }
  scratch.write("bad.csv", "kind\nstar\nstar,x\n");
  CHECK(aec::rt::test::errorOf([&] { classPicture(scratch, "bad", d, scratch.path("bad.csv")); })
            .find("bad.csv:3: 2 cells, expected 1") != std::string::npos);
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
  for (const char *name : {"reconstructions", "latent", "loss"})
    for (const char *ext : {".png", ".pdf"})
      CHECK(std::filesystem::file_size(dir.path(fmt::format("pics/{}{}", name, ext))) > 1000);
  auto log = readLog(dir.path("log.csv"));
  REQUIRE(log.size() == 4);
  CHECK(log[3].epoch == 4);
  CHECK(log[0].loss == Approx(0.179887).epsilon(1e-4)); // mean of 1/t over the epoch's 20 steps
  CHECK(std::isfinite(log[0].valLoss));

  REQUIRE(cli({"plot", "--weights", dir.path("w.npz"), "--log", dir.path("log.csv"), "--out", dir.path("again"),
               "--color-by", "jump"},
              &err) == 0);
  CHECK(readPng(dir.path("again/loss.png")).width >= 300);
  CHECK(readPng(dir.path("again/latent.png")).width >= 300);
  CHECK(cli({"plot", "--weights", dir.path("w.npz"), "--out", dir.path("x"), "--color-by", "height"}, &err) == 1);
  CHECK(err.find("no such column") != std::string::npos);
  CHECK(cli({"plot", "--weights", dir.path("w.npz"), "--log", dir.path("w.npz"), "--out", dir.path("x")}, &err) == 1);
  CHECK(err.find("not a training log") != std::string::npos);
}
