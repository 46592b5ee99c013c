/// Ticks, frames and legends, sized in units of the font scale so a figure stays legible.
#include "plot/Axes.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace aec::rt::plot {

std::vector<double> niceTicks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
    return ticks;
  const double raw = (hi - lo) / std::max(1, target);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
    ticks.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
  return ticks;
}

std::vector<double> logTicks(double lo, double hi) {
  std::vector<double> ticks;
  if (!(lo > 0) || !(hi > lo))
    return ticks;
  const int e0 = static_cast<int>(std::floor(std::log10(lo))), e1 = static_cast<int>(std::ceil(std::log10(hi)));
  // Narrow ranges (under two decades) also get 2x and 5x ticks so there are enough numbers.
  const bool fine = e1 - e0 <= 2;
  for (int e = e0; e <= e1; ++e)
    for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
      const double v = m * std::pow(10.0, e);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
        ticks.push_back(v);
    }
  return ticks;
}

std::string formatTick(double v, double step) {
  if (v == 0)
    return "0";
  const double a = std::fabs(v);
  if (a >= 1e5 || a < 1e-3 || step < 1e-4) {
    // Compact scientific: "2e-5", "1.5e6".
    int e = static_cast<int>(std::floor(std::log10(a)));
    double m = v / std::pow(10.0, e);
    std::string mant = fmt::format("{:.2g}", m);
    return mant + "e" + std::to_string(e);
  }
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

Axes::Axes(Canvas &canvas, int left, int top, int right, int bottom)
    : c_(canvas), left_(left), top_(top), right_(right), bottom_(bottom) {}

namespace {
/// Widens [lo, hi] by 5% per side (nothing sits on the frame); an empty range becomes +-0.5
/// around its value (or x0.5..x2 on a log axis).
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
    lo -= 0.5, hi += 0.5;
    return;
  }
  const double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;
}
} // namespace

void Axes::setX(double lo, double hi) {
  padRange(lo, hi, false);
  x0_ = lo, x1_ = hi;
}

void Axes::setY(double lo, double hi, bool log) {
  logY_ = log;
  padRange(lo, hi, log);
  y0_ = lo, y1_ = hi;
}

double Axes::px(double x) const { return left_ + (x - x0_) / (x1_ - x0_) * (right_ - left_); }

double Axes::py(double y) const {
  const double f = logY_ ? (std::log10(y) - std::log10(y0_)) / (std::log10(y1_) - std::log10(y0_))
                         : (y - y0_) / (y1_ - y0_);
  return bottom_ - f * (bottom_ - top_);
}

void Axes::draw(const std::string &title, const std::string &xlabel, const std::string &ylabel, int scale) {
  const int tick = 3 * scale, gap = 2 * scale, th = Canvas::textHeight(scale);
  c_.fillRect(left_, top_, right_ + 1, bottom_ + 1, kWhite);
  const std::vector<double> xt = niceTicks(x0_, x1_, std::max(2, (right_ - left_) / (40 * scale)));
  const std::vector<double> yt =
      logY_ ? logTicks(y0_, y1_) : niceTicks(y0_, y1_, std::max(2, (bottom_ - top_) / (25 * scale)));
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1;
  int widest = 0;
  for (double v : xt) {
    const int x = static_cast<int>(std::lround(px(v)));
    c_.fillRect(x, top_, x + 1, bottom_, kLightGray);
    c_.fillRect(x, bottom_, x + 1, bottom_ + tick, kBlack);
    c_.text(x, bottom_ + tick + gap, formatTick(v, xstep), kBlack, scale, Align::Center);
  }
  for (size_t i = 0; i < yt.size(); ++i) {
    const double v = yt[i];
    const double step = logY_ ? v : (yt.size() > 1 ? yt[1] - yt[0] : 1);
    const int y = static_cast<int>(std::lround(py(v)));
    c_.fillRect(left_, y, right_, y + 1, kLightGray);
    c_.fillRect(left_ - tick, y, left_, y + 1, kBlack);
    const std::string label = formatTick(v, step);
    widest = std::max(widest, Canvas::textWidth(label, scale));
    c_.text(left_ - tick - gap, y - th / 2, label, kBlack, scale, Align::Right);
  }
  c_.strokeRect(left_, top_, right_, bottom_, kBlack);
  if (!xlabel.empty())
    c_.text((left_ + right_) / 2, bottom_ + tick + 2 * gap + th + gap, xlabel, kBlack, scale, Align::Center);
  if (!ylabel.empty())
    c_.textVertical(left_ - tick - 3 * gap - widest - th, (top_ + bottom_) / 2, ylabel, kBlack, scale);
  if (!title.empty())
    c_.text((left_ + right_) / 2, top_ - th - 3 * gap, title, kBlack, scale, Align::Center);
}

void Axes::polyline(const std::vector<double> &x, const std::vector<double> &y, Rgb color, double width) {
  c_.setClip(left_ + 1, top_ + 1, right_, bottom_);
  std::vector<double> px(x.size(), NAN), py(y.size(), NAN);
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]) && (!logY_ || y[i] > 0))
      px[i] = this->px(x[i]), py[i] = this->py(y[i]);
  c_.polyline(px, py, color, width);
  // A lone point (one epoch) would otherwise not show at all.
  if (x.size() == 1 && std::isfinite(px[0]) && std::isfinite(py[0]))
    c_.disc(px[0], py[0], width + 1, color);
  c_.clearClip();
}

void Axes::points(const std::vector<double> &x, const std::vector<double> &y, const std::vector<Rgb> &colors,
                  double radius, double alpha) {
  c_.setClip(left_ + 1, top_ + 1, right_, bottom_);
  for (size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i]) && (!logY_ || y[i] > 0))
      c_.disc(px(x[i]), py(y[i]), radius, colors[i % colors.size()], alpha);
  c_.clearClip();
}

void Axes::legend(const std::vector<std::pair<std::string, Rgb>> &entries, bool asLines, int scale) {
  if (entries.empty())
    return;
  const int th = Canvas::textHeight(scale), pad = 3 * scale, mark = 8 * scale, rowH = th + 2 * scale;
  int w = 0;
  for (const auto &e : entries)
    w = std::max(w, Canvas::textWidth(e.first, scale));
  const int boxW = pad + mark + pad + w + pad, boxH = pad + rowH * static_cast<int>(entries.size()) - 2 * scale + pad;
  const int x0 = right_ - boxW - 2 * pad, y0 = top_ + 2 * pad;
  c_.fillRect(x0, y0, x0 + boxW, y0 + boxH, kWhite);
  c_.strokeRect(x0, y0, x0 + boxW, y0 + boxH, kGray);
  for (size_t i = 0; i < entries.size(); ++i) {
    const int y = y0 + pad + static_cast<int>(i) * rowH, cy = y + th / 2;
    if (asLines)
      c_.line(x0 + pad, cy + 0.5, x0 + pad + mark, cy + 0.5, entries[i].second, 2.0 * std::max(1, scale / 2 + 1) - 1);
    else
      c_.disc(x0 + pad + mark / 2.0, cy + 0.5, 1.5 * scale + 1, entries[i].second);
    c_.text(x0 + pad + mark + pad, y, entries[i].first, kBlack, scale);
  }
}

void colorbar(Canvas &c, int x0, int y0, int x1, int y1, const Colormap &map, double lo, double hi,
              const std::string &label, int scale) {
  for (int y = y0; y <= y1; ++y) {
    const double f = y1 > y0 ? static_cast<double>(y1 - y) / (y1 - y0) : 0.5;
    c.fillRect(x0, y, x1 + 1, y + 1, map(f));
  }
  c.strokeRect(x0, y0, x1, y1, kBlack);
  if (hi > lo) {
    const std::vector<double> ticks = niceTicks(lo, hi, std::max(3, (y1 - y0) / (18 * scale)));
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : hi - lo;
    for (double v : ticks) {
      const int y = static_cast<int>(std::lround(y1 - (v - lo) / (hi - lo) * (y1 - y0)));
      c.fillRect(x1, y, x1 + 3 * scale, y + 1, kBlack);
      c.text(x1 + 5 * scale, y - Canvas::textHeight(scale) / 2, formatTick(v, step), kBlack, scale);
    }
  } else {
    c.text(x1 + 5 * scale, (y0 + y1) / 2, formatTick(lo, 1), kBlack, scale);
  }
  if (!label.empty())
    c.text((x0 + x1) / 2, y0 - Canvas::textHeight(scale) - 3 * scale, label, kBlack, scale, Align::Center);
}

} // namespace aec::rt::plot
