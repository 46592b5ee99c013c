#pragma once
/// Internal to libaecrt: a drawing surface for the trainer's figures on top of cairo. Drawing
/// is recorded once (a cairo recording surface) and replayed into a PNG and a PDF, so both
/// files show the same picture; every text is measured by cairo and its box kept for layout
/// checks.
#include <aec/Plot.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;

namespace aec::rt::plot {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};
inline constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGray{128, 128, 128}, kLightGray{225, 225, 225};

/// Which point of the text box (x, y) names: horizontally its left edge, centre or right
/// edge; vertically its top, the middle of its capitals (digits line up with a tick), its
/// baseline or its bottom.
enum class Align { Left, Center, Right };
enum class VAlign { Top, Middle, Baseline, Bottom };

/// Width and height of a text's box (advance width, font ascent + descent).
struct TextSize {
  double width = 0, height = 0;
};

/// The text face of every figure: DejaVu Sans (fonts-dejavu-core, found by fontconfig).
inline constexpr const char *kFontFamily = "DejaVu Sans";

class Canvas {
public:
  Canvas(int width, int height);
  ~Canvas();
  Canvas(const Canvas &) = delete;
  Canvas &operator=(const Canvas &) = delete;
  int width() const { return width_; }
  int height() const { return height_; }

  /// Restricts drawing to `box` (a plot area) until unclip().
  void clip(const PlotBox &box);
  void unclip();

  void fillRect(const PlotBox &box, Rgb c, double alpha = 1.0);
  /// An outline of `box`, `width` wide, centred on its edges.
  void strokeRect(const PlotBox &box, Rgb c, double width = 1.0);
  void line(double x0, double y0, double x1, double y1, Rgb c, double width = 1.0, double alpha = 1.0);
  /// Joined segments through (xs[i], ys[i]); non-finite points break the line.
  void polyline(const std::vector<double> &xs, const std::vector<double> &ys, Rgb c, double width = 1.0);
  void disc(double cx, double cy, double radius, Rgb c, double alpha = 1.0);
  /// A `w` x `h` pixel image scaled onto `box`, each pixel a sharp square (`smooth`: blended).
  void image(const PlotBox &box, int w, int h, const std::function<Rgb(int x, int y)> &pixel, bool smooth = false);

  /// Draws `text` at `size` pixels; (x, y) is the point of its box named by `align` and
  /// `valign`. `vertical` turns it 90 degrees counter-clockwise (a y-axis label) about (x, y),
  /// which is then its centre. Returns the box it covers, also kept in layout().labels.
  PlotBox text(double x, double y, const std::string &text, double size, Rgb c = kBlack, Align align = Align::Left,
               VAlign valign = VAlign::Top, bool bold = false, bool vertical = false);
  /// The size of `text`'s box at `size` pixels.
  static TextSize measure(const std::string &text, double size, bool bold = false);

  /// What was drawn where (labels, plot areas, legends), for tests and the figure layouts.
  FigureLayout &layout() { return layout_; }

  /// Writes `stem`.png and `stem`.pdf (each atomically) and returns the layout with both paths.
  /// `title` goes into the PDF's metadata.
  FigureLayout write(const std::string &stem, const std::string &title);

private:
  int width_, height_;
  cairo_surface_t *record_;
  cairo_t *cr_;
  FigureLayout layout_;
};

} // namespace aec::rt::plot
