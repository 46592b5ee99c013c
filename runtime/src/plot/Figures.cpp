/// Layouts of the trainer's figures on top of Canvas and Axes: canvas sizes follow from the
/// measured texts (row labels, colour bar ticks, legends) so nothing is cut at the edge.
#include "plot/Figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace aec::rt::plot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPad = 10;

/// Finite min and max of `v` (NaN, NaN when there is none).
std::pair<double, double> finiteRange(const std::vector<double> &v) {
  double lo = INFINITY, hi = -INFINITY;
  for (double x : v)
    if (std::isfinite(x))
      lo = std::min(lo, x), hi = std::max(hi, x);
  return lo <= hi ? std::make_pair(lo, hi) : std::make_pair(kNaN, kNaN);
}

/// The classes of `color` when its values are few distinct integers (class labels): at most
/// 10 of them, or indices into its class names.
bool isCategorical(const ColorColumn &color, std::vector<int> *classes) {
  std::set<int> seen;
  const size_t most = std::max<size_t>(10, color.classNames.size());
  for (double x : color.values) {
    if (!std::isfinite(x) || x != std::round(x) || std::fabs(x) > 1000)
      return false;
    seen.insert(static_cast<int>(x));
    if (seen.size() > most)
      return false;
  }
  classes->assign(seen.begin(), seen.end());
  return !seen.empty();
}

/// The name of class `v`: its given name, else its value.
std::string className(const ColorColumn &color, int v) {
  return v >= 0 && static_cast<size_t>(v) < color.classNames.size() ? color.classNames[v] : std::to_string(v);
}

int ceilInt(double v) { return static_cast<int>(std::ceil(v)); }

} // namespace

FigureLayout imageGrid(const std::string &stem, const std::string &title, const std::vector<ImageRow> &rows,
                       const Dims &shape, bool useViridis) {
  const Fonts fonts{12, 15, 18};
  const int64_t h = shape.size() >= 2 ? shape[0] : 1, w = shape.size() >= 2 ? shape[1] : shape.at(0);
  const int64_t channels = shape.size() >= 3 ? shape[2] : 1;
  const bool rgb = channels == 3;
  const int zoom = static_cast<int>(std::max<int64_t>(1, std::lround(100.0 / std::max(h, w))));
  const double cw = static_cast<double>(w * zoom), ch = static_cast<double>(h * zoom), gap = 8;
  size_t cols = 0;
  double labelW = 0;
  for (const auto &r : rows)
    labelW = std::max(labelW, Canvas::measure(r.label, fonts.label).width), cols = std::max(cols, r.images.size());

  // One value range for inputs, reconstructions and targets, so their colours compare;
  // residuals get their own symmetric range.
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
  std::vector<std::pair<double, double>> ranges;
  double barW = 0;
  for (const auto &r : rows) {
    double rlo = lo, rhi = hi;
    if (r.residual) {
      double m = 0;
      for (const float *img : r.images)
        for (int64_t i = 0; i < pixels; ++i)
          if (std::isfinite(img[i]))
            m = std::max(m, std::fabs(static_cast<double>(img[i])));
      rlo = -(m > 0 ? m : 1), rhi = m > 0 ? m : 1;
    }
    ranges.emplace_back(rlo, rhi);
    if (!rgb)
      barW = std::max(barW, 8 + colorbarWidth(rlo, rhi, ch - 8, "", fonts, 12));
  }

  const double left = kPad + labelW + 12;
  const double gridW = static_cast<double>(cols) * (cw + gap);
  const int width = std::max(420, ceilInt(left + gridW + barW + kPad));
  const double titleH = fitTitle(nullptr, 0, 0, width - 2 * kPad, title, fonts.title);
  const double top = kPad + titleH + 14;
  const int height = ceilInt(top + static_cast<double>(rows.size()) * (ch + gap) + kPad);
  Canvas c(width, height);
  fitTitle(&c, width / 2.0, kPad, width - 2 * kPad, title, fonts.title);

  const Colormap gray = grayscale, vir = viridis, div = diverging;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    const ImageRow &r = rows[ri];
    const double y0 = top + static_cast<double>(ri) * (ch + gap);
    const auto [rlo, rhi] = ranges[ri];
    const Colormap &map = r.residual ? div : useViridis ? vir : gray;
    c.text(left - 12, y0 + ch / 2, r.label, fonts.label, kBlack, Align::Right, VAlign::Middle);
    for (size_t k = 0; k < r.images.size(); ++k) {
      const double x0 = left + static_cast<double>(k) * (cw + gap);
      const float *img = r.images[k];
      auto unit = [&](float v) { return std::clamp((v - rlo) / (rhi - rlo), 0.0, 1.0); };
      const PlotBox cell{x0, y0, x0 + cw, y0 + ch};
      c.image(cell, static_cast<int>(w), static_cast<int>(h), [&](int x, int y) {
        const float *px = img + (y * w + x) * channels;
        if (!rgb)
          return map(unit(px[0]));
        auto u8 = [&](float v) { return static_cast<uint8_t>(std::lround(255 * unit(v))); };
        return Rgb{u8(px[0]), u8(px[1]), u8(px[2])};
      });
      c.layout().plotAreas.push_back(cell);
    }
    if (!rgb) {
      const double bx = left + gridW + 4;
      colorbar(c, {bx, y0 + 4, bx + 12, y0 + ch - 4}, map, rlo, rhi, "", fonts);
    }
  }
  return c.write(stem, title);
}

FigureLayout signalPanels(const std::string &stem, const std::string &title, const std::vector<std::string> &names,
                          const std::vector<SignalPanel> &panels, const std::string &xlabel,
                          const std::vector<std::string> &xNames) {
  const Fonts fonts{11, 12, 12};
  const double pw = 330, ph = 240;
  const int cols = std::min<int>(4, std::max<int>(1, static_cast<int>(panels.size())));
  const int rows = (static_cast<int>(panels.size()) + cols - 1) / cols;
  // The legend once for all panels, under the title: a line and a name per curve.
  const double legendSize = 14, mark = 24;
  double legendW = 0;
  for (const auto &n : names)
    legendW += mark + 6 + Canvas::measure(n, legendSize).width + 24;
  const int width = ceilInt(std::max(cols * pw, legendW) + 2 * kPad);
  const double titleH = fitTitle(nullptr, 0, 0, width - 2 * kPad, title, 20);
  const double legendY = kPad + titleH + 8, legendH = Canvas::measure("Ag", legendSize).height;
  const double top = legendY + legendH + 10;
  Canvas c(width, ceilInt(top + rows * ph + kPad));
  fitTitle(&c, width / 2.0, kPad, width - 2 * kPad, title, 20);
  double lx = std::max(kPad, (width - legendW) / 2);
  for (size_t i = 0; i < names.size(); ++i) {
    const double cy = legendY + legendH / 2;
    c.line(lx, cy, lx + mark, cy, categorical(static_cast<int>(i)), 3);
    lx = c.text(lx + mark + 6, cy, names[i], legendSize, kBlack, Align::Left, VAlign::Middle).x1 + 24;
  }
  for (size_t p = 0; p < panels.size(); ++p) {
    const double x0 = kPad + static_cast<double>(p % cols) * pw, y0 = top + static_cast<double>(p / cols) * ph;
    Axes ax(c, {x0, y0, x0 + pw, y0 + ph}, fonts);
    double lo = INFINITY, hi = -INFINITY;
    size_t len = 0;
    for (const auto &curve : panels[p].curves) {
      auto [a, b] = finiteRange(curve);
      if (std::isfinite(a))
        lo = std::min(lo, a), hi = std::max(hi, b);
      len = std::max(len, curve.size());
    }
    if (xNames.size() == len && len > 0)
      ax.setXNames(xNames);
    else
      ax.setX(0, static_cast<double>(len > 0 ? len - 1 : 1), true);
    ax.setY(lo, hi);
    ax.draw(panels[p].title, p / cols + 1 == static_cast<size_t>(rows) ? xlabel : "", "");
    std::vector<double> xs(len);
    for (size_t i = 0; i < len; ++i)
      xs[i] = static_cast<double>(i);
    for (size_t k = 0; k < panels[p].curves.size(); ++k) {
      std::vector<double> x(xs.begin(), xs.begin() + static_cast<int64_t>(panels[p].curves[k].size()));
      ax.polyline(x, panels[p].curves[k], categorical(static_cast<int>(k)), k == 0 ? 3.0 : 2.0);
    }
  }
  return c.write(stem, title);
}

FigureLayout pointPairs(const std::string &stem, const std::string &title, const std::vector<double> &inX,
                        const std::vector<double> &inY, const std::vector<double> &outX,
                        const std::vector<double> &outY, const std::string &xlabel, const std::string &ylabel) {
  Canvas c(760, 680);
  Axes ax(c, {kPad, kPad, 760 - kPad, 680 - kPad});
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
  return c.write(stem, title);
}

FigureLayout coloredScatter(const std::string &stem, const std::string &title, const std::vector<double> &x,
                            const std::vector<double> &y, const ColorColumn &color, const std::string &xlabel,
                            const std::string &ylabel) {
  const Fonts fonts;
  const double height = 680, plotW = 780;
  std::vector<int> classes;
  const bool categorical10 = !color.values.empty() && isCategorical(color, &classes);
  const bool bar = !color.values.empty() && !categorical10;
  auto [lo, hi] = finiteRange(color.values);
  std::vector<LegendEntry> entries;
  for (size_t i = 0; i < classes.size(); ++i)
    entries.emplace_back(className(color, classes[i]), categorical(static_cast<int>(i)));
  // Legend and colour bar stand right of the data, in room measured for them.
  const double reserve = bar            ? 16 + colorbarWidth(lo, hi, height - 140, color.name, fonts)
                         : categorical10 ? 12 + legendSize(entries, color.name, fonts).width + kPad
                                         : 0;
  const int width = ceilInt(plotW + reserve);
  Canvas c(width, static_cast<int>(height));
  Axes ax(c, {kPad, kPad, width - kPad, height - kPad});
  ax.reserveRight(reserve);
  auto [x0, x1] = finiteRange(x);
  auto [y0, y1] = finiteRange(y);
  ax.setX(x0, x1);
  ax.setY(y0, y1);
  ax.draw(title, xlabel, ylabel);
  std::vector<Rgb> colors;
  if (color.values.empty()) {
    colors = {categorical(0)};
  } else if (categorical10) {
    for (double v : color.values)
      colors.push_back(categorical(static_cast<int>(std::find(classes.begin(), classes.end(), static_cast<int>(v)) -
                                                    classes.begin())));
  } else {
    for (double v : color.values)
      colors.push_back(viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5));
    const PlotBox &a = ax.area();
    colorbar(c, {a.x1 + 16, a.y0 + 10, a.x1 + 32, a.y1 - 10}, viridis, lo, hi, color.name, fonts);
  }
  ax.points(x, y, colors, x.size() > 2000 ? 2.0 : 3.0, 0.75);
  if (categorical10)
    ax.legend(entries, false, color.name, true);
  return c.write(stem, title);
}

FigureLayout lossCurves(const std::string &stem, const std::string &title, const std::vector<EpochRecord> &history) {
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
  // A log axis shows the late, slow decrease as well as the first epochs, once the loss has
  // fallen tenfold; over a narrower range it would show almost no ticks.
  const bool log = positive && std::isfinite(lo) && hi >= 10 * lo;
  Canvas c(800, 560);
  Axes ax(c, {kPad, kPad, 800 - kPad, 560 - kPad});
  ax.setX(e0, e1, true);
  ax.setY(lo, hi, log);
  ax.draw(title, "epoch", log ? "loss (log scale)" : "loss");
  ax.polyline(epochs, loss, categorical(0), 2.5);
  std::vector<LegendEntry> entries = {{"loss (training)", categorical(0)}};
  if (hasVal) {
    ax.polyline(epochs, val, categorical(1), 2.5);
    entries.emplace_back("val_loss", categorical(1));
  }
  ax.legend(entries, true);
  return c.write(stem, title);
}

} // namespace aec::rt::plot
