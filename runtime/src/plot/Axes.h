#pragma once
/// Internal to libaecrt: a 2-D plot area with data coordinates, ticks, labels, legends and
/// colour bars, whose margins are sized from the measured texts so that nothing is clipped.
#include "plot/Colormap.h"

#include <string>
#include <utility>
#include <vector>

namespace aec::rt::plot {

/// About `target` tick positions at 1, 2 or 5 times a power of ten inside [lo, hi], at least
/// 3 of them for a non-empty range; `integers`: steps of at least 1 (epochs, indices).
std::vector<double> niceTicks(double lo, double hi, int target, bool integers = false);
/// Tick positions of a log axis: powers of ten, and 2 and 5 times them while fewer than 3
/// powers fall inside.
std::vector<double> logTicks(double lo, double hi);
/// A short label for tick `v` on an axis whose ticks are `step` apart ("0.25", "1e-4", "25000").
std::string formatTick(double v, double step);

/// Font sizes in pixels of one set of axes.
struct Fonts {
  double tick = 13, label = 15, title = 17;
};

/// Draws `title` centred on `cx` from `top` down, within `width`: at `size` if it fits, else
/// smaller down to 70% of it, else wrapped at spaces (never cut). `c` null only measures.
/// Returns the height used.
double fitTitle(Canvas *c, double cx, double top, double width, const std::string &title, double size);

/// A legend entry: a label and its colour.
using LegendEntry = std::pair<std::string, Rgb>;

/// Size of a legend box with `entries` under an optional `title`.
TextSize legendSize(const std::vector<LegendEntry> &entries, const std::string &title, const Fonts &f);

/// Maps data coordinates into a plot area inside `outer`, the box the axes own with their
/// labels and title.
class Axes {
public:
  Axes(Canvas &canvas, const PlotBox &outer, const Fonts &fonts = {});
  /// Data ranges; an empty range is widened so that its points land mid-axis.
  void setX(double lo, double hi, bool integers = false);
  /// A categorical x axis: ticks at 0..n-1 labelled with `names` (a tabular sample's columns).
  void setXNames(const std::vector<std::string> &names);
  void setY(double lo, double hi, bool log = false);
  /// Keeps `width` pixels right of the plot area free (an outside legend or a colour bar).
  void reserveRight(double width) { reserveRight_ = width; }

  /// Lays out the plot area from the measured tick labels, axis labels and title, then draws
  /// grid, frame, ticks and texts. Call it before the data so grid lines stay behind them.
  void draw(const std::string &title, const std::string &xlabel, const std::string &ylabel);
  const PlotBox &area() const { return area_; }
  double px(double x) const;
  double py(double y) const;

  /// Joins the points (x[i], y[i]); non-finite points break the line.
  void polyline(const std::vector<double> &x, const std::vector<double> &y, Rgb c, double width = 2.0);
  /// A disc per point, in its own colour.
  void points(const std::vector<double> &x, const std::vector<double> &y, const std::vector<Rgb> &colors,
              double radius = 2.5, double alpha = 0.8);
  /// A boxed legend, a line (or a dot) and a label per entry: right of the plot area in the
  /// reserved space (`outside`), else in the corner of the area that hides the fewest data
  /// points drawn so far.
  void legend(const std::vector<LegendEntry> &entries, bool asLines, const std::string &title = "",
              bool outside = false);

private:
  Canvas &c_;
  PlotBox outer_, area_;
  Fonts fonts_;
  double x0_ = 0, x1_ = 1, y0_ = 0, y1_ = 1;
  bool logY_ = false, integerX_ = false;
  std::vector<std::string> xNames_;
  double reserveRight_ = 0;
  /// Pixel positions of the data drawn, to find the emptiest corner for a legend.
  std::vector<std::pair<double, double>> drawn_;
};

/// Width of a colour bar `barWidth` wide and `height` tall with ticks for [lo, hi] and a
/// `label` beside them.
double colorbarWidth(double lo, double hi, double height, const std::string &label, const Fonts &f,
                     double barWidth = 16);
/// A vertical colour bar filling `bar`, ticks for [lo, hi] on its right and `label` turned
/// along its right side.
void colorbar(Canvas &c, const PlotBox &bar, const Colormap &map, double lo, double hi, const std::string &label,
              const Fonts &f);

} // namespace aec::rt::plot
