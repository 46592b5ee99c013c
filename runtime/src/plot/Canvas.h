#pragma once
/// Internal to libaecrt: a tiny RGB rasteriser for the trainer's pictures (anti-aliased lines
/// and discs, rectangles, a built-in 5x7 bitmap font, scaled images) and its PNG writer.
#include <cstdint>
#include <string>
#include <vector>

namespace aec::rt::plot {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};
static_assert(sizeof(Rgb) == 3, "rows of Rgb are handed to libpng as packed RGB bytes");
inline constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGray{128, 128, 128}, kLightGray{225, 225, 225};

/// Where a text's anchor point sits on the text box.
enum class Align { Left, Center, Right };

class Canvas {
public:
  Canvas(int width, int height, Rgb background = kWhite);
  int width() const { return width_; }
  int height() const { return height_; }
  Rgb at(int x, int y) const { return pixels_[static_cast<size_t>(y) * width_ + x]; }

  /// Sets one pixel (ignored outside the canvas).
  void set(int x, int y, Rgb c);
  /// Restricts all drawing to [x0, x1) x [y0, y1) (a plot area), until clearClip().
  void setClip(int x0, int y0, int x1, int y1);
  void clearClip() { clip_[0] = clip_[1] = 0, clip_[2] = width_, clip_[3] = height_; }
  /// Mixes `c` into a pixel with opacity `alpha` in [0, 1].
  void blend(int x, int y, Rgb c, double alpha);
  /// Fills the pixels [x0, x1) x [y0, y1).
  void fillRect(int x0, int y0, int x1, int y1, Rgb c);
  /// A one-pixel outline of [x0, x1] x [y0, y1].
  void strokeRect(int x0, int y0, int x1, int y1, Rgb c);
  /// An anti-aliased line of `width` pixels between two points (pixel centres at +0.5).
  void line(double x0, double y0, double x1, double y1, Rgb c, double width = 1.0, double alpha = 1.0);
  /// Joined segments through (xs[i], ys[i]) drawn as one shape: overlapping joints are not
  /// darkened twice. Non-finite points break the line.
  void polyline(const std::vector<double> &xs, const std::vector<double> &ys, Rgb c, double width = 1.0);
  /// An anti-aliased filled disc.
  void disc(double cx, double cy, double radius, Rgb c, double alpha = 1.0);

  /// Draws `text` with the 5x7 font magnified `scale` times; (x, y) is the top of the text
  /// and, per `align`, its left edge, centre or right edge.
  void text(int x, int y, const std::string &text, Rgb c, int scale = 1, Align align = Align::Left);
  /// The same, turned 90 degrees counter-clockwise (a y-axis label); (x, y) is its centre.
  void textVertical(int x, int y, const std::string &text, Rgb c, int scale = 1);
  /// Width and height in pixels of `text` at `scale`.
  static int textWidth(const std::string &text, int scale = 1);
  static int textHeight(int scale = 1) { return 7 * scale; }

  /// Writes the canvas as an 8-bit RGB PNG (atomically).
  void writePng(const std::string &path) const;

private:
  bool visible(int x, int y) const { return x >= clip_[0] && y >= clip_[1] && x < clip_[2] && y < clip_[3]; }
  int width_, height_;
  int clip_[4];
  std::vector<Rgb> pixels_;
};

/// The 5 column bitmaps of a printable ASCII character (bit 0 = top row of 7, bit 7 = the
/// descender row below); characters outside 32..126 give the bitmap of '?'.
const uint8_t *glyph(char c);

} // namespace aec::rt::plot
