/// What the pictures show: picking samples, running the model on them, undoing the
/// normalization, choosing the colour column, and the log reader.
#include "Orthonormal.h"
#include "plot/ColorBy.h"

#include <aec/AtomicFile.h>
#include <aec/Plot.h>
#include <aec/Random.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <sstream>

namespace aec::rt {
namespace {

/// `count` row indices spread evenly over [0, n): varied samples, and the same ones every time.
std::vector<int64_t> spread(int64_t n, int64_t count) {
  count = std::min(n, count);
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < count; ++i)
    idx.push_back(i * n / count);
  return idx;
}

/// 4 significant digits, whole numbers below a million without an exponent ("11150", not
/// "1.115e+04": a temperature in kelvin).
std::string shortNumber(double v) {
  return std::fabs(v) >= 1000 && std::fabs(v) < 1e6 ? fmt::format("{:.0f}", v) : fmt::format("{:.4g}", v);
}

/// Images are inputs of rank >= 2 ([H, W] or [H, W, C]) and flat inputs of a square size
/// >= 256 (MNIST's 784 pixels); shorter flat inputs are signals or feature vectors.
bool isImage(const Dims &shape, Dims *imageShape) {
  if (shape.size() >= 2) {
    *imageShape = shape;
    return true;
  }
  if (shape.size() == 1 && shape[0] >= 256) {
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(shape[0]))));
    if (side * side == shape[0]) {
      *imageShape = {side, side, 1};
      return true;
    }
  }
  return false;
}

std::vector<double> rowValues(const Array &a, int64_t row) {
  const float *p = a.row(row);
  return std::vector<double>(p, p + a.rowSize());
}

/// The first result of `fn` with `role` (else its first per-sample result).
const Array &resultByRole(const std::map<std::string, Array> &out, const Model &model, const std::string &fn,
                          const std::string &role) {
  const FunctionInfo &info = model.requireFunction(fn);
  for (const auto &r : info.results)
    if (r.role == role && out.count(r.name))
      return out.at(r.name);
  if (out.empty())
    throw std::runtime_error(fmt::format("function '{}' has no per-sample result to plot", fn));
  return out.begin()->second;
}

/// Coordinates of the rows of `z` [n, k] on its first two principal axes, by power iteration.
/// The covariance is applied as Zc^T (Zc v), never formed: codes can have k = 16,384 dims
/// (speckle_dae), where a k x k matrix took minutes and 2 GB.
std::pair<std::vector<double>, std::vector<double>> principalPlane(const Array &z) {
  const int64_t n = z.rows(), k = z.rowSize();
  std::vector<double> mean(k, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t a = 0; a < k; ++a)
      mean[a] += z.row(i)[a] / static_cast<double>(n);
  std::vector<double> centered(n * k);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t a = 0; a < k; ++a)
      centered[i * k + a] = z.row(i)[a] - mean[a];
  std::vector<double> projected(n);
  auto applyCovariance = [&](const std::vector<double> &v, std::vector<double> &out) {
    for (int64_t i = 0; i < n; ++i) {
      double d = 0;
      for (int64_t a = 0; a < k; ++a)
        d += centered[i * k + a] * v[a];
      projected[i] = d;
    }
    std::fill(out.begin(), out.end(), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t a = 0; a < k; ++a)
        out[a] += centered[i * k + a] * projected[i];
  };
  std::vector<std::vector<double>> axes;
  for (int c = 0; c < 2; ++c) {
    std::vector<double> v(k);
    for (int64_t a = 0; a < k; ++a)
      v[a] = 1.0 + 0.1 * static_cast<double>(a) * (c + 1); // not orthogonal to a likely axis
    for (int it = 0; it < 100; ++it) {
      std::vector<double> next(k);
      applyCovariance(v, next);
      // Deflate (stay orthogonal to the axes found) and normalise.
      if (!(orthonormalize(next, axes) > 0))
        break;
      v = next;
    }
    axes.push_back(v);
  }
  std::vector<double> p0(n), p1(n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t a = 0; a < k; ++a) {
      p0[i] += centered[i * k + a] * axes[0][a];
      p1[i] += centered[i * k + a] * axes[1][a];
    }
  return {p0, p1};
}

FigureLayout reconstructionFigure(const Model &model, const RunConfig &config, ModelState &state,
                                        const Normalizer &norm, const Dataset &data, const PlotOptions &o) {
  const bool paired = !data.target.empty();
  const bool corrupt = !paired && config.corrupt.active();
  const int64_t width = data.x.rowSize();
  Dims imageShape;
  const bool image = isImage(data.x.rowDims(), &imageShape);
  // Point clouds show many pairs; images and signals a few samples each.
  const std::vector<int64_t> rows = spread(data.rows(), width == 2 && !image ? o.maxPoints / 4 : o.samples);
  Array clean = gatherRows(data.x, rows), shown = clean;
  Array target = paired ? gatherRows(data.target, rows) : clean;
  if (corrupt) {
    CorruptConfig c = config.corrupt;
    c.low = *std::min_element(data.x.data.begin(), data.x.data.end());
    c.high = *std::max_element(data.x.data.begin(), data.x.data.end());
    Rng rng(config.seed, Stream::Plot);
    corruptRows(shown, shown.rows(), c, rng);
  }
  auto out = runOverDataset(model, "reconstruct", BatchSource{&shown, nullptr, nullptr}, state);
  Array recon = resultByRole(out, model, "reconstruct", "output");
  for (Array *a : {&shown, &recon, &target})
    norm.invert(*a);
  const std::string stem = (std::filesystem::path(o.dir) / "reconstructions").string();
  const std::string title = fmt::format("{}: {}", model.desc.name,
                                        paired    ? "denoising"
                                        : corrupt ? "denoising (corrupted inputs)"
                                                  : "reconstructions");
  if (image) {
    Array residual = target;
    for (size_t i = 0; i < residual.data.size(); ++i)
      residual.data[i] -= recon.data[i];
    std::vector<plot::ImageRow> grid;
    auto rowOf = [&](const std::string &label, const Array &a, bool res) {
      plot::ImageRow r{label, {}, res};
      for (int64_t i = 0; i < a.rows(); ++i)
        r.images.push_back(a.row(i));
      grid.push_back(r);
    };
    rowOf(paired || corrupt ? "noisy" : "input", shown, false);
    rowOf(paired || corrupt ? "denoised" : "output", recon, false);
    if (paired || corrupt) {
      rowOf("true", target, false);
      rowOf("residual", residual, true);
    }
    return plot::imageGrid(stem, title, grid, imageShape, paired);
  }
  if (width == 2) {
    std::vector<double> ix, iy, ox, oy;
    for (int64_t i = 0; i < shown.rows(); ++i) {
      ix.push_back(shown.row(i)[0]), iy.push_back(shown.row(i)[1]);
      ox.push_back(recon.row(i)[0]), oy.push_back(recon.row(i)[1]);
    }
    const bool named = data.columns.size() == 2;
    return plot::pointPairs(stem, title, ix, iy, ox, oy, named ? data.columns[0] : "x0", named ? data.columns[1] : "x1");
  }
  {
    std::vector<std::string> names = {paired || corrupt ? "noisy input" : "input", "reconstruction"};
    if (paired || corrupt)
      names.push_back("clean target");
    std::vector<plot::SignalPanel> panels;
    for (int64_t i = 0; i < shown.rows(); ++i) {
      plot::SignalPanel p;
      p.title = fmt::format("sample {}", rows[i]);
      if (!data.extraColumns.empty() && data.extra.rows() == data.rows()) {
        // What generated the sample (jump positions, ...), up to three values.
        std::vector<std::string> parts;
        for (size_t j = 0; j < std::min<size_t>(3, data.extraColumns.size()); ++j)
          parts.push_back(fmt::format("{} = {}", data.extraColumns[j], shortNumber(data.extra.row(rows[i])[j])));
        p.title = fmt::format("{}", fmt::join(parts, ", "));
      }
      p.curves = {rowValues(shown, i), rowValues(recon, i)};
      if (paired || corrupt)
        p.curves.push_back(rowValues(target, i));
      panels.push_back(p);
    }
    // A table's columns (u, g, r, i, z) name the x ticks; a signal is plotted over its index.
    const bool features = data.columns.size() == static_cast<size_t>(width);
    return plot::signalPanels(stem, title, names, panels, features ? "column" : "index",
                              features ? data.columns : std::vector<std::string>{});
  }
}

FigureLayout latentFigure(const Model &model, ModelState &state, const Normalizer &norm, const Dataset &data,
                                const PlotOptions &o) {
  const std::vector<int64_t> rows = spread(data.rows(), o.maxPoints);
  Array x = gatherRows(data.x, rows);
  auto out = runOverDataset(model, "encode", BatchSource{&x, nullptr, nullptr}, state);
  const Array &z = resultByRole(out, model, "encode", "latent");
  norm.invert(x); // colour columns of the data in data units
  const plot::ColorColumn color = plot::colorColumn(data, x, rows, o);
  const std::string &valueName = color.name;
  const std::string stem = (std::filesystem::path(o.dir) / "latent").string();
  const int64_t k = z.rowSize();
  std::vector<double> a, b;
  if (k == 1) {
    for (int64_t i = 0; i < z.rows(); ++i)
      b.push_back(z.row(i)[0]);
    if (!color.values.empty() && color.classNames.empty()) {
      // The exercise's question: how does the single code follow the generating variable?
      return plot::coloredScatter(stem, fmt::format("{}: code vs {}", model.desc.name, valueName), color.values, b,
                                  color, valueName, "code");
    }
    for (size_t i = 0; i < rows.size(); ++i)
      a.push_back(static_cast<double>(rows[i]));
    return plot::coloredScatter(stem, fmt::format("{}: code per sample", model.desc.name), a, b, color, "sample",
                                "code");
  }
  std::string xl = "z0", yl = "z1", title = fmt::format("{}: latent space", model.desc.name);
  if (k == 2) {
    for (int64_t i = 0; i < z.rows(); ++i)
      a.push_back(z.row(i)[0]), b.push_back(z.row(i)[1]);
  } else {
    std::tie(a, b) = principalPlane(z);
    xl = "PC 1", yl = "PC 2", title += fmt::format(" (PCA of {} dims)", k);
  }
  if (!valueName.empty())
    title += fmt::format(", colour: {}", valueName);
  return plot::coloredScatter(stem, title, a, b, color, xl, yl);
}

} // namespace

std::vector<std::string> writePlots(const Model &model, const RunConfig &config, ModelState &state,
                                    const Normalizer &norm, const Dataset &data,
                                    const std::vector<EpochRecord> &history, const PlotOptions &o) {
  if (o.dir.empty())
    throw std::runtime_error("plot: no output folder given");
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (!std::filesystem::is_directory(o.dir))
    throw std::runtime_error(fmt::format("cannot create the plot folder '{}'", o.dir));
  std::vector<FigureLayout> figures;
  if (data.rows() > 0 && model.hasFunction("reconstruct"))
    figures.push_back(reconstructionFigure(model, config, state, norm, data, o));
  if (data.rows() > 0 && model.hasFunction("encode"))
    figures.push_back(latentFigure(model, state, norm, data, o));
  if (!history.empty())
    figures.push_back(plot::lossCurves((std::filesystem::path(o.dir) / "loss").string(),
                                       fmt::format("{}: training", model.desc.name), history));
  std::vector<std::string> written;
  for (const auto &f : figures)
    written.push_back(f.png), written.push_back(f.pdf);
  if (o.layouts)
    o.layouts->insert(o.layouts->end(), figures.begin(), figures.end());
  return written;
}

std::vector<EpochRecord> readLog(const std::string &path) {
  std::istringstream in(readFile(path));
  std::string line;
  std::getline(in, line);
  if (line.rfind("epoch,loss,val_loss,lr", 0) != 0)
    throw std::runtime_error(
        fmt::format("'{}' is not a training log (its header is not epoch,loss,val_loss,lr,...)", path));
  std::vector<EpochRecord> records;
  int lineNo = 1;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty())
      continue;
    std::vector<std::string> cells = splitList(line);
    if (cells.size() < 4)
      throw std::runtime_error(fmt::format("{}:{}: expected at least 4 cells", path, lineNo));
    auto num = [&](const std::string &s) { return s.empty() ? NAN : std::strtod(s.c_str(), nullptr); };
    EpochRecord r;
    r.epoch = std::atoll(cells[0].c_str());
    r.loss = num(cells[1]);
    r.valLoss = num(cells[2]);
    r.lr = num(cells[3]);
    records.push_back(r);
  }
  return records;
}

} // namespace aec::rt
