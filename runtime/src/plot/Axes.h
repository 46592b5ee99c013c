#pragma once
/// Internal to libaecrt: a 2-D plot area with data coordinates, ticks, labels and legends.
#include "plot/Colormap.h"

#include <string>
#include <utility>
#include <vector>

namespace aec::rt::plot {

/// About `target` tick positions at 1, 2 or 5 times a power of ten inside [lo, hi].
std::vector<double> niceTicks(double lo, double hi, int target);
/// Tick positions of a log axis: powers of ten (and 2, 5 times them for narrow ranges).
std::vector<double> logTicks(double lo, double hi);
/// A short label for tick `v` on an axis whose ticks are `step` apart ("0.25", "1e-4").
std::string formatTick(double v, double step);

/// Maps data coordinates to the pixel rectangle [left, right] x [top, bottom] of a canvas.
class Axes {
public:
  Axes(Canvas &canvas, int left, int top, int right, int bottom);
  /// Data ranges; an empty range is widened so that its points land mid-axis.
  void setX(double lo, double hi);
  void setY(double lo, double hi, bool log = false);
  double px(double x) const;
  double py(double y) const;

  /// Grid, frame, ticks with numbers, axis labels and a title above the area. Call it
  /// before the data so grid lines stay behind them.
  void draw(const std::string &title, const std::string &xlabel, const std::string &ylabel, int scale = 2);
  /// Joins the points (x[i], y[i]); non-finite points break the line.
  void polyline(const std::vector<double> &x, const std::vector<double> &y, Rgb c, double width = 2.0);
  /// A disc per point, in its own colour.
  void points(const std::vector<double> &x, const std::vector<double> &y, const std::vector<Rgb> &colors,
              double radius = 2.5, double alpha = 0.8);
  /// A boxed legend in the top-right corner: a line (or a dot) and a label per entry.
  void legend(const std::vector<std::pair<std::string, Rgb>> &entries, bool asLines, int scale = 2);

private:
  Canvas &c_;
  int left_, top_, right_, bottom_;
  double x0_ = 0, x1_ = 1, y0_ = 0, y1_ = 1;
  bool logY_ = false;
};

/// A vertical colour bar filling [x0, x1] x [y0, y1], ticks for [lo, hi] on its right and
/// `label` above it.
void colorbar(Canvas &c, int x0, int y0, int x1, int y1, const Colormap &map, double lo, double hi,
              const std::string &label, int scale = 2);

} // namespace aec::rt::plot
