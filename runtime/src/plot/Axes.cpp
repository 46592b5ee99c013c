/// Ticks, frames, legends and colour bars. Every margin is the measured size of what goes in
/// it: the widest y tick label, the x tick labels' height, the axis labels, the fitted title.
#include "plot/Axes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace aec::rt::plot {
namespace {

constexpr double kTickLen = 5, kGap = 4, kPad = 6;

/// Snaps a coordinate to a pixel centre so that 1-pixel lines stay sharp in the PNG.
double snap(double v) { return std::floor(v) + 0.5; }

/// Widens [lo, hi] by 5% per side (nothing sits on the frame); an empty range becomes +-10%
/// around its value (+-0.5 around 0, x0.5..x2 on a log axis), so it still gets ticks.
void padRange(double &lo, double &hi, bool log) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = log ? 0.1 : 0, hi = 1;
    return;
  }
  if (log) {
    if (hi <= lo) {
      lo *= 0.5, hi *= 2;
      return;
    }
    const double f = std::pow(hi / lo, 0.05);
    lo /= f, hi *= f;
    return;
  }
  if (hi <= lo) {
    const double d = lo == 0 ? 0.5 : 0.1 * std::fabs(lo);
    lo -= d, hi += d;
    return;
  }
  const double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;
}

double widest(const std::vector<std::string> &texts, double size) {
  double w = 0;
  for (const auto &t : texts)
    w = std::max(w, Canvas::measure(t, size).width);
  return w;
}

std::vector<std::string> tickLabels(const std::vector<double> &ticks, bool log) {
  std::vector<std::string> out;
  for (double v : ticks)
    out.push_back(formatTick(v, log ? v : ticks.size() > 1 ? ticks[1] - ticks[0] : 1));
  return out;
}

} // namespace

std::vector<double> niceTicks(double lo, double hi, int target, bool integers) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
    return ticks;
  target = std::max(2, target);
  // A short axis with few ticks asks for twice as many until at least 3 fall inside.
  for (int attempt = 0; attempt < 4; ++attempt, target *= 2) {
    const double raw = (hi - lo) / target;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * power;
    for (double m : {1.0, 2.0, 5.0})
      if (m * power >= raw) {
        step = m * power;
        break;
      }
    if (integers)
      step = std::max(step, 1.0);
    ticks.clear();
    for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
      ticks.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
    if (ticks.size() >= 3 || (integers && step == 1.0))
      break;
  }
  return ticks;
}

std::vector<double> logTicks(double lo, double hi) {
  std::vector<double> ticks;
  if (!(lo > 0) || !(hi > lo))
    return ticks;
  const int e0 = static_cast<int>(std::floor(std::log10(lo))), e1 = static_cast<int>(std::ceil(std::log10(hi)));
  auto inside = [&](double v) { return v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9); };
  for (int e = e0; e <= e1; ++e)
    if (inside(std::pow(10.0, e)))
      ticks.push_back(std::pow(10.0, e));
  if (ticks.size() >= 3)
    return ticks;
  ticks.clear();
  for (int e = e0; e <= e1; ++e)
    for (double m : {1.0, 2.0, 5.0})
      if (inside(m * std::pow(10.0, e)))
        ticks.push_back(m * std::pow(10.0, e));
  return ticks;
}

std::string formatTick(double v, double step) {
  if (v == 0)
    return "0";
  const double a = std::fabs(v);
  if (a >= 1e5 || a < 1e-3 || step < 1e-4) {
    // Compact scientific: "2e-5", "1.5e6".
    const int e = static_cast<int>(std::floor(std::log10(a)));
    return fmt::format("{:.2g}e{}", v / std::pow(10.0, e), e);
  }
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

double fitTitle(Canvas *c, double cx, double top, double width, const std::string &title, double size) {
  if (title.empty())
    return 0;
  double s = size;
  auto measure = [](const std::string &t, double sz) { return Canvas::measure(t, sz, true); };
  while (measure(title, s).width > width && s > 0.7 * size)
    s -= 0.5;
  std::vector<std::string> lines{title};
  if (measure(title, s).width > width) {
    // Wrap greedily at spaces; a word wider than the line shrinks the font until it fits.
    lines.clear();
    std::string line, word;
    std::vector<std::string> words;
    for (size_t i = 0, j; i < title.size(); i = j + 1) {
      j = title.find(' ', i);
      if (j == std::string::npos)
        j = title.size();
      if (j > i)
        words.push_back(title.substr(i, j - i));
    }
    for (const auto &w : words) {
      const std::string longer = line.empty() ? w : line + " " + w;
      if (!line.empty() && measure(longer, s).width > width)
        lines.push_back(line), line = w;
      else
        line = longer;
    }
    lines.push_back(line);
    for (const auto &l : lines)
      s = std::min(s, s * width / std::max(width, measure(l, s).width));
  }
  const double lineH = measure(title, s).height;
  if (c)
    for (size_t i = 0; i < lines.size(); ++i)
      c->text(cx, top + static_cast<double>(i) * lineH, lines[i], s, kBlack, Align::Center, VAlign::Top, true);
  return lineH * static_cast<double>(lines.size());
}

TextSize legendSize(const std::vector<LegendEntry> &entries, const std::string &title, const Fonts &f) {
  std::vector<std::string> labels;
  for (const auto &e : entries)
    labels.push_back(e.first);
  const double rowH = Canvas::measure("Ag", f.tick).height;
  const double w = std::max(kPad + 22 + kPad + widest(labels, f.tick), title.empty() ? 0.0 : Canvas::measure(title, f.tick, true).width);
  return {w + 2 * kPad, rowH * static_cast<double>(entries.size() + (title.empty() ? 0 : 1)) + 2 * kPad};
}

Axes::Axes(Canvas &canvas, const PlotBox &outer, const Fonts &fonts) : c_(canvas), outer_(outer), fonts_(fonts) {}

void Axes::setX(double lo, double hi, bool integers) {
  padRange(lo, hi, false);
  x0_ = lo, x1_ = hi, integerX_ = integers, xNames_.clear();
}

void Axes::setXNames(const std::vector<std::string> &names) {
  xNames_ = names;
  x0_ = -0.5, x1_ = static_cast<double>(names.size()) - 0.5;
}

void Axes::setY(double lo, double hi, bool log) {
  logY_ = log;
  padRange(lo, hi, log);
  y0_ = lo, y1_ = hi;
}

double Axes::px(double x) const { return area_.x0 + (x - x0_) / (x1_ - x0_) * (area_.x1 - area_.x0); }

double Axes::py(double y) const {
  const double f = logY_ ? (std::log10(y) - std::log10(y0_)) / (std::log10(y1_) - std::log10(y0_))
                         : (y - y0_) / (y1_ - y0_);
  return area_.y1 - f * (area_.y1 - area_.y0);
}

void Axes::draw(const std::string &title, const std::string &xlabel, const std::string &ylabel) {
  const double tickH = Canvas::measure("0", fonts_.tick).height, labelH = Canvas::measure("Ag", fonts_.label).height;
  double top = outer_.y0 + kPad;
  if (!title.empty())
    top += fitTitle(&c_, (outer_.x0 + outer_.x1) / 2, top, outer_.x1 - outer_.x0 - 2 * kPad, title, fonts_.title) + kGap;
  else
    top += tickH / 2; // room for the top y tick label's upper half
  const double bottom = outer_.y1 - kPad - (xlabel.empty() ? 0 : labelH + kGap) - tickH - kGap - kTickLen;

  // y ticks: about one per 2.5 label heights; a log axis is thinned when its labels would touch.
  std::vector<double> yt = logY_ ? logTicks(y0_, y1_)
                                 : niceTicks(y0_, y1_, std::clamp(static_cast<int>((bottom - top) / (2.5 * tickH)), 3, 8));
  if (logY_)
    for (size_t k = 2; yt.size() > 3 && (bottom - top) / static_cast<double>(yt.size()) < 1.3 * tickH; ++k) {
      std::vector<double> thin;
      for (size_t i = 0; i < yt.size(); i += 2)
        thin.push_back(yt[i]);
      yt = thin;
    }
  const std::vector<std::string> yl = tickLabels(yt, logY_);
  const double left = outer_.x0 + kPad + (ylabel.empty() ? 0 : labelH + 1.5 * kGap) + widest(yl, fonts_.tick) + kGap + kTickLen;

  // x ticks: as many as fit with their labels a few pixels apart.
  double right = outer_.x1 - kPad - reserveRight_;
  std::vector<double> xt;
  std::vector<std::string> xl;
  if (!xNames_.empty()) {
    const double w = widest(xNames_, fonts_.tick) + 2 * kGap;
    const size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(w * xNames_.size() / (right - left))));
    for (size_t i = 0; i < xNames_.size(); i += every)
      xt.push_back(static_cast<double>(i)), xl.push_back(xNames_[i]);
  } else {
    for (int target = std::max(2, static_cast<int>((right - left) / 60)); target >= 2; --target) {
      xt = niceTicks(x0_, x1_, target, integerX_);
      xl = tickLabels(xt, false);
      if (widest(xl, fonts_.tick) * static_cast<double>(xl.size()) * 1.4 < right - left)
        break;
    }
  }
  // The last x label is centred on its tick and may stick out right of the area.
  if (!xl.empty())
    right -= std::max(0.0, Canvas::measure(xl.back(), fonts_.tick).width / 2 - kPad);
  area_ = {left, top, right, bottom};

  for (size_t i = 0; i < xt.size(); ++i) {
    if (xt[i] < x0_ || xt[i] > x1_)
      continue;
    const double x = snap(px(xt[i]));
    c_.line(x, area_.y0, x, area_.y1, kLightGray);
    c_.line(x, area_.y1, x, area_.y1 + kTickLen, kBlack);
    c_.text(x, area_.y1 + kTickLen + kGap, xl[i], fonts_.tick, kBlack, Align::Center, VAlign::Top);
  }
  for (size_t i = 0; i < yt.size(); ++i) {
    const double y = snap(py(yt[i]));
    c_.line(area_.x0, y, area_.x1, y, kLightGray);
    c_.line(area_.x0 - kTickLen, y, area_.x0, y, kBlack);
    c_.text(area_.x0 - kTickLen - kGap, y, yl[i], fonts_.tick, kBlack, Align::Right, VAlign::Middle);
  }
  c_.strokeRect({snap(area_.x0), snap(area_.y0), snap(area_.x1), snap(area_.y1)}, kBlack);
  if (!xlabel.empty())
    c_.text((area_.x0 + area_.x1) / 2, area_.y1 + kTickLen + kGap + tickH + kGap, xlabel, fonts_.label, kBlack,
            Align::Center, VAlign::Top);
  if (!ylabel.empty())
    c_.text(outer_.x0 + kPad + labelH / 2, (area_.y0 + area_.y1) / 2, ylabel, fonts_.label, kBlack, Align::Center,
            VAlign::Middle, false, true);
  c_.layout().plotAreas.push_back(area_);
}

void Axes::polyline(const std::vector<double> &x, const std::vector<double> &y, Rgb color, double width) {
  std::vector<double> px(x.size(), NAN), py(y.size(), NAN);
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]) && (!logY_ || y[i] > 0)) {
      px[i] = this->px(x[i]), py[i] = this->py(y[i]);
      drawn_.emplace_back(px[i], py[i]);
      // Samples along the segment, so that a legend avoids lines as well as their vertices.
      if (i > 0 && std::isfinite(px[i - 1]) && std::isfinite(py[i - 1])) {
        const int n = static_cast<int>(std::hypot(px[i] - px[i - 1], py[i] - py[i - 1]) / 4);
        for (int k = 1; k < n; ++k)
          drawn_.emplace_back(px[i - 1] + (px[i] - px[i - 1]) * k / n, py[i - 1] + (py[i] - py[i - 1]) * k / n);
      }
    }
  c_.clip(area_);
  c_.polyline(px, py, color, width);
  // A lone point (one epoch) would otherwise not show at all.
  if (x.size() == 1 && std::isfinite(px[0]) && std::isfinite(py[0]))
    c_.disc(px[0], py[0], width + 1.5, color);
  c_.unclip();
}

void Axes::points(const std::vector<double> &x, const std::vector<double> &y, const std::vector<Rgb> &colors,
                  double radius, double alpha) {
  c_.clip(area_);
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]) && (!logY_ || y[i] > 0)) {
      c_.disc(px(x[i]), py(y[i]), radius, colors[i % colors.size()], alpha);
      drawn_.emplace_back(px(x[i]), py(y[i]));
    }
  c_.unclip();
}

void Axes::legend(const std::vector<LegendEntry> &entries, bool asLines, const std::string &title, bool outside) {
  if (entries.empty())
    return;
  const TextSize size = legendSize(entries, title, fonts_);
  auto covered = [&](const PlotBox &b) {
    int n = 0;
    for (const auto &[x, y] : drawn_)
      n += x >= b.x0 - 3 && x <= b.x1 + 3 && y >= b.y0 - 3 && y <= b.y1 + 3;
    return n;
  };
  PlotBox box{area_.x1 + 12, area_.y0, area_.x1 + 12 + size.width, area_.y0 + size.height};
  int hidden = 0;
  if (!outside) {
    // Corners in order of preference; the first that hides the fewest data points wins.
    const double in = 8, l = area_.x0 + in, r = area_.x1 - in - size.width, t = area_.y0 + in,
                 b = area_.y1 - in - size.height;
    hidden = -1;
    for (auto [x, y] : {std::pair{r, t}, {l, t}, {r, b}, {l, b}, {(l + r) / 2, t}, {(l + r) / 2, b}}) {
      const PlotBox candidate{x, y, x + size.width, y + size.height};
      const int n = covered(candidate);
      if (hidden < 0 || n < hidden)
        hidden = n, box = candidate;
    }
  }
  c_.fillRect(box, kWhite, 0.92);
  c_.strokeRect({snap(box.x0), snap(box.y0), snap(box.x1), snap(box.y1)}, kGray);
  const double rowH = Canvas::measure("Ag", fonts_.tick).height;
  double y = box.y0 + kPad;
  if (!title.empty()) {
    c_.text(box.x0 + kPad, y, title, fonts_.tick, kBlack, Align::Left, VAlign::Top, true);
    y += rowH;
  }
  for (const auto &[label, color] : entries) {
    const double cy = y + rowH / 2;
    if (asLines)
      c_.line(box.x0 + kPad, cy, box.x0 + kPad + 22, cy, color, 3);
    else
      c_.disc(box.x0 + kPad + 11, cy, 4.5, color);
    c_.text(box.x0 + 2 * kPad + 22, cy, label, fonts_.tick, kBlack, Align::Left, VAlign::Middle);
    y += rowH;
  }
  c_.layout().legends.push_back(box);
  c_.layout().pointsUnderLegends += std::max(0, hidden);
}

namespace {
/// The ticks of a colour bar `height` pixels tall.
std::vector<double> colorbarTicks(double lo, double hi, double height) {
  return niceTicks(lo, hi, std::clamp(static_cast<int>(height / 60), 3, 6));
}
} // namespace

double colorbarWidth(double lo, double hi, double height, const std::string &label, const Fonts &f, double barWidth) {
  const std::vector<double> ticks = colorbarTicks(lo, hi, height);
  const double labels = ticks.empty() ? Canvas::measure(formatTick(lo, 1), f.tick).width : widest(tickLabels(ticks, false), f.tick);
  return barWidth + kTickLen + kGap + labels + (label.empty() ? 0 : 2 * kGap + Canvas::measure("Ag", f.label).height) + kPad;
}

void colorbar(Canvas &c, const PlotBox &bar, const Colormap &map, double lo, double hi, const std::string &label,
              const Fonts &f) {
  c.image(bar, 1, 256, [&](int, int y) { return map(1.0 - (y + 0.5) / 256.0); }, true);
  c.strokeRect({snap(bar.x0), snap(bar.y0), snap(bar.x1), snap(bar.y1)}, kBlack);
  const double tx = bar.x1 + kTickLen + kGap;
  double labelsRight = tx;
  if (hi > lo) {
    const std::vector<double> ticks = colorbarTicks(lo, hi, bar.y1 - bar.y0);
    const std::vector<std::string> labels = tickLabels(ticks, false);
    for (size_t i = 0; i < ticks.size(); ++i) {
      const double y = snap(bar.y1 - (ticks[i] - lo) / (hi - lo) * (bar.y1 - bar.y0));
      c.line(bar.x1, y, bar.x1 + kTickLen, y, kBlack);
      labelsRight = std::max(labelsRight, c.text(tx, y, labels[i], f.tick, kBlack, Align::Left, VAlign::Middle).x1);
    }
  } else {
    labelsRight = c.text(tx, (bar.y0 + bar.y1) / 2, formatTick(lo, 1), f.tick, kBlack, Align::Left, VAlign::Middle).x1;
  }
  if (!label.empty()) {
    const double h = Canvas::measure(label, f.label).height;
    c.text(labelsRight + 2 * kGap + h / 2, (bar.y0 + bar.y1) / 2, label, f.label, kBlack, Align::Center,
           VAlign::Middle, false, true);
  }
}

} // namespace aec::rt::plot
