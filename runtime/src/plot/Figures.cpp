/// Layouts of the trainer's figures on top of Canvas and Axes.
#include "plot/Figures.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace aec::rt::plot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Finite min and max of `v` (NaN, NaN when there is none).
std::pair<double, double> finiteRange(const std::vector<double> &v) {
  double lo = INFINITY, hi = -INFINITY;
  for (double x : v)
    if (std::isfinite(x))
      lo = std::min(lo, x), hi = std::max(hi, x);
  return lo <= hi ? std::make_pair(lo, hi) : std::make_pair(kNaN, kNaN);
}

/// True when the values are few distinct small integers (class labels).
bool isCategorical(const std::vector<double> &v, std::vector<int> *classes) {
  std::set<int> seen;
  for (double x : v) {
    if (!std::isfinite(x) || x != std::round(x) || std::fabs(x) > 1000)
      return false;
    seen.insert(static_cast<int>(x));
    if (seen.size() > 10)
      return false;
  }
  if (classes)
    classes->assign(seen.begin(), seen.end());
  return !seen.empty();
}

} // namespace

void imageGrid(const std::string &path, const std::string &title, const std::vector<ImageRow> &rows,
               const Dims &shape, bool useViridis) {
  const int64_t h = shape.size() >= 2 ? shape[0] : 1, w = shape.size() >= 2 ? shape[1] : shape.at(0);
  const int64_t channels = shape.size() >= 3 ? shape[2] : 1;
  const bool rgb = channels == 3;
  const int zoom = static_cast<int>(std::max<int64_t>(1, std::lround(100.0 / std::max(h, w))));
  const int cw = static_cast<int>(w) * zoom, ch = static_cast<int>(h) * zoom, gap = 8;
  int labelW = 0;
  size_t cols = 0;
  for (const auto &r : rows)
    labelW = std::max(labelW, Canvas::textWidth(r.label, 2)), cols = std::max(cols, r.images.size());
  const int left = labelW + 24, top = 56, barW = rgb ? 0 : 90;
  const int width = left + static_cast<int>(cols) * (cw + gap) + barW + 16;
  const int height = top + static_cast<int>(rows.size()) * (ch + gap) + 12;
  Canvas c(width, height);
  c.text(width / 2, 16, title, kBlack, 3, Align::Center);
  // One value range for inputs, reconstructions and targets, so their colours compare.
  double lo = INFINITY, hi = -INFINITY;
  const int64_t pixels = h * w * channels;
  for (const auto &r : rows)
    if (!r.residual)
      for (const float *img : r.images)
        for (int64_t i = 0; i < pixels; ++i)
          if (std::isfinite(img[i]))
            lo = std::min(lo, static_cast<double>(img[i])), hi = std::max(hi, static_cast<double>(img[i]));
  if (!(hi > lo))
    hi = lo + 1;
  const Colormap gray = grayscale, vir = viridis, div = diverging;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    const ImageRow &r = rows[ri];
    const int y0 = top + static_cast<int>(ri) * (ch + gap);
    double rlo = lo, rhi = hi;
    if (r.residual) {
      double m = 0;
      for (const float *img : r.images)
        for (int64_t i = 0; i < pixels; ++i)
          if (std::isfinite(img[i]))
            m = std::max(m, std::fabs(static_cast<double>(img[i])));
      rlo = -(m > 0 ? m : 1), rhi = m > 0 ? m : 1;
    }
    const Colormap &map = r.residual ? div : useViridis ? vir : gray;
    c.text(left - 12, y0 + ch / 2 - 7, r.label, kBlack, 2, Align::Right);
    for (size_t k = 0; k < r.images.size(); ++k) {
      const int x0 = left + static_cast<int>(k) * (cw + gap);
      const float *img = r.images[k];
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const float *px = img + (y * w + x) * channels;
          Rgb color;
          if (rgb) {
            auto u = [&](float v) {
              return static_cast<uint8_t>(std::lround(255 * std::clamp((v - lo) / (hi - lo), 0.0, 1.0)));
            };
            color = {u(px[0]), u(px[1]), u(px[2])};
          } else {
            color = map((px[0] - rlo) / (rhi - rlo));
          }
          c.fillRect(x0 + static_cast<int>(x) * zoom, y0 + static_cast<int>(y) * zoom,
                     x0 + static_cast<int>(x + 1) * zoom, y0 + static_cast<int>(y + 1) * zoom, color);
        }
    }
    if (!rgb) {
      const int bx = left + static_cast<int>(cols) * (cw + gap) + 4;
      colorbar(c, bx, y0 + 4, bx + 12, y0 + ch - 4, map, rlo, rhi, "", 1);
    }
  }
  c.writePng(path);
}

void signalPanels(const std::string &path, const std::string &title, const std::vector<std::string> &names,
                  const std::vector<SignalPanel> &panels, const std::string &xlabel) {
  const int pw = 300, ph = 200, cols = std::min<int>(4, std::max<int>(1, static_cast<int>(panels.size())));
  const int rows = (static_cast<int>(panels.size()) + cols - 1) / cols;
  const int cellW = pw + 70, cellH = ph + 70, top = 90;
  Canvas c(cols * cellW + 30, top + rows * cellH + 10);
  c.text(c.width() / 2, 14, title, kBlack, 3, Align::Center);
  // The legend once for all panels, under the title.
  int lx = c.width() / 2 - 150;
  for (size_t i = 0; i < names.size(); ++i) {
    c.line(lx, 57.5, lx + 24, 57.5, categorical(static_cast<int>(i)), 3);
    c.text(lx + 30, 51, names[i], kBlack, 2);
    lx += 30 + Canvas::textWidth(names[i], 2) + 30;
  }
  for (size_t p = 0; p < panels.size(); ++p) {
    const int x0 = 60 + static_cast<int>(p % cols) * cellW, y0 = top + 30 + static_cast<int>(p / cols) * cellH;
    Axes ax(c, x0, y0, x0 + pw, y0 + ph);
    double lo = INFINITY, hi = -INFINITY;
    size_t len = 0;
    for (const auto &curve : panels[p].curves) {
      auto [a, b] = finiteRange(curve);
      if (std::isfinite(a))
        lo = std::min(lo, a), hi = std::max(hi, b);
      len = std::max(len, curve.size());
    }
    ax.setX(0, static_cast<double>(len > 0 ? len - 1 : 1));
    ax.setY(lo, hi);
    ax.draw(panels[p].title, p / cols + 1 == static_cast<size_t>(rows) ? xlabel : "", "", 1);
    std::vector<double> xs(len);
    for (size_t i = 0; i < len; ++i)
      xs[i] = static_cast<double>(i);
    for (size_t k = 0; k < panels[p].curves.size(); ++k) {
      std::vector<double> x(xs.begin(), xs.begin() + panels[p].curves[k].size());
      ax.polyline(x, panels[p].curves[k], categorical(static_cast<int>(k)), k == 0 ? 3.0 : 2.0);
    }
  }
  c.writePng(path);
}

void pointPairs(const std::string &path, const std::string &title, const std::vector<double> &inX,
                const std::vector<double> &inY, const std::vector<double> &outX, const std::vector<double> &outY,
                const std::string &xlabel, const std::string &ylabel) {
  Canvas c(760, 680);
  Axes ax(c, 120, 70, 730, 590);
  std::vector<double> xs = inX, ys = inY;
  xs.insert(xs.end(), outX.begin(), outX.end());
  ys.insert(ys.end(), outY.begin(), outY.end());
  auto [x0, x1] = finiteRange(xs);
  auto [y0, y1] = finiteRange(ys);
  ax.setX(x0, x1);
  ax.setY(y0, y1);
  ax.draw(title, xlabel, ylabel);
  for (size_t i = 0; i < inX.size() && i < outX.size(); ++i)
    ax.polyline({inX[i], outX[i]}, {inY[i], outY[i]}, kLightGray, 1.0);
  ax.points(inX, inY, {categorical(0)}, 2.5, 0.7);
  ax.points(outX, outY, {categorical(1)}, 2.5, 0.9);
  ax.legend({{"input", categorical(0)}, {"reconstruction", categorical(1)}}, false);
  c.writePng(path);
}

void coloredScatter(const std::string &path, const std::string &title, const std::vector<double> &x,
                    const std::vector<double> &y, const std::vector<double> &values, const std::string &xlabel,
                    const std::string &ylabel, const std::string &valueLabel) {
  std::vector<int> classes;
  const bool categorical10 = !values.empty() && isCategorical(values, &classes);
  const bool bar = !values.empty() && !categorical10;
  Canvas c(bar ? 880 : 800, 680);
  Axes ax(c, 120, 70, 770, 590);
  auto [x0, x1] = finiteRange(x);
  auto [y0, y1] = finiteRange(y);
  ax.setX(x0, x1);
  ax.setY(y0, y1);
  ax.draw(title, xlabel, ylabel);
  std::vector<Rgb> colors;
  if (values.empty()) {
    colors = {categorical(0)};
  } else if (categorical10) {
    for (double v : values)
      colors.push_back(categorical(static_cast<int>(std::find(classes.begin(), classes.end(), static_cast<int>(v)) -
                                                    classes.begin())));
  } else {
    auto [lo, hi] = finiteRange(values);
    for (double v : values)
      colors.push_back(viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5));
    colorbar(c, 810, 110, 830, 560, viridis, lo, hi, valueLabel);
  }
  ax.points(x, y, colors, x.size() > 2000 ? 2.0 : 3.0, 0.75);
  if (categorical10) {
    std::vector<std::pair<std::string, Rgb>> entries;
    for (size_t i = 0; i < classes.size(); ++i)
      entries.emplace_back(valueLabel + " " + std::to_string(classes[i]), categorical(static_cast<int>(i)));
    ax.legend(entries, false);
  }
  c.writePng(path);
}

void lossCurves(const std::string &path, const std::string &title, const std::vector<EpochRecord> &history) {
  std::vector<double> epochs, loss, val;
  bool positive = true, hasVal = false;
  for (const auto &r : history) {
    epochs.push_back(static_cast<double>(r.epoch));
    loss.push_back(r.loss);
    val.push_back(r.valLoss);
    hasVal = hasVal || std::isfinite(r.valLoss);
    positive = positive && r.loss > 0 && (!std::isfinite(r.valLoss) || r.valLoss > 0);
  }
  std::vector<double> all = loss;
  all.insert(all.end(), val.begin(), val.end());
  auto [lo, hi] = finiteRange(all);
  auto [e0, e1] = finiteRange(epochs);
  Canvas c(800, 560);
  Axes ax(c, 120, 70, 770, 470);
  ax.setX(e0, e1);
  ax.setY(lo, hi, positive); // a log axis shows the late, slow decrease as well as the first epochs
  ax.draw(title, "epoch", positive ? "loss (log scale)" : "loss");
  ax.polyline(epochs, loss, categorical(0), 2.5);
  std::vector<std::pair<std::string, Rgb>> entries = {{"loss (training)", categorical(0)}};
  if (hasVal) {
    ax.polyline(epochs, val, categorical(1), 2.5);
    entries.emplace_back("val_loss", categorical(1));
  }
  ax.legend(entries, true);
  c.writePng(path);
}

} // namespace aec::rt::plot
