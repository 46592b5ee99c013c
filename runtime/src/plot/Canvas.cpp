/// Rasterising by coverage: every shape computes, per pixel of its bounding box, how much of
/// the pixel it covers (distance to the shape's edge, one-pixel ramp) and blends by that.
#include "plot/Canvas.h"

#include <aec/AtomicFile.h>

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace aec::rt::plot {

Canvas::Canvas(int width, int height, Rgb background)
    : width_(width), height_(height), pixels_(static_cast<size_t>(width) * height, background) {
  if (width <= 0 || height <= 0)
    throw std::logic_error("Canvas: empty size");
  clearClip();
}

void Canvas::setClip(int x0, int y0, int x1, int y1) {
  clip_[0] = std::max(0, x0), clip_[1] = std::max(0, y0);
  clip_[2] = std::min(width_, x1), clip_[3] = std::min(height_, y1);
}

void Canvas::set(int x, int y, Rgb c) {
  if (visible(x, y))
    pixels_[static_cast<size_t>(y) * width_ + x] = c;
}

void Canvas::blend(int x, int y, Rgb c, double alpha) {
  if (!visible(x, y) || alpha <= 0)
    return;
  alpha = std::min(alpha, 1.0);
  Rgb &p = pixels_[static_cast<size_t>(y) * width_ + x];
  auto mix = [&](uint8_t a, uint8_t b) { return static_cast<uint8_t>(std::lround(a + (b - a) * alpha)); };
  p = {mix(p.r, c.r), mix(p.g, c.g), mix(p.b, c.b)};
}

void Canvas::fillRect(int x0, int y0, int x1, int y1, Rgb c) {
  for (int y = std::max(clip_[1], y0); y < std::min(clip_[3], y1); ++y)
    for (int x = std::max(clip_[0], x0); x < std::min(clip_[2], x1); ++x)
      pixels_[static_cast<size_t>(y) * width_ + x] = c;
}

void Canvas::strokeRect(int x0, int y0, int x1, int y1, Rgb c) {
  fillRect(x0, y0, x1 + 1, y0 + 1, c);
  fillRect(x0, y1, x1 + 1, y1 + 1, c);
  fillRect(x0, y0, x0 + 1, y1 + 1, c);
  fillRect(x1, y0, x1 + 1, y1 + 1, c);
}

namespace {
/// Calls visit(x, y, coverage) for the pixels a segment of `width` covers.
template <typename F>
void segmentCoverage(double x0, double y0, double x1, double y1, double width, int w, int h, F &&visit) {
  const double half = 0.5 * width;
  const double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  const int bx0 = static_cast<int>(std::floor(std::min(x0, x1) - half - 1));
  const int bx1 = static_cast<int>(std::ceil(std::max(x0, x1) + half + 1));
  const int by0 = static_cast<int>(std::floor(std::min(y0, y1) - half - 1));
  const int by1 = static_cast<int>(std::ceil(std::max(y0, y1) + half + 1));
  for (int y = std::max(0, by0); y <= std::min(h - 1, by1); ++y)
    for (int x = std::max(0, bx0); x <= std::min(w - 1, bx1); ++x) {
      const double px = x + 0.5, py = y + 0.5;
      // Distance from the pixel centre to the segment.
      const double t = len2 > 0 ? std::clamp(((px - x0) * dx + (py - y0) * dy) / len2, 0.0, 1.0) : 0.0;
      const double d = std::hypot(px - (x0 + t * dx), py - (y0 + t * dy));
      const double cover = std::clamp(half + 0.5 - d, 0.0, 1.0);
      if (cover > 0)
        visit(x, y, cover);
    }
}
} // namespace

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, double width, double alpha) {
  segmentCoverage(x0, y0, x1, y1, width, width_, height_,
                  [&](int x, int y, double cover) { blend(x, y, c, cover * alpha); });
}

void Canvas::polyline(const std::vector<double> &xs, const std::vector<double> &ys, Rgb c, double width) {
  // Coverage of the whole line first (max over segments), then one blend per pixel.
  std::vector<float> cover(pixels_.size(), 0.0f);
  int lo = static_cast<int>(pixels_.size()), hi = -1;
  for (size_t i = 0; i + 1 < xs.size() && i + 1 < ys.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i]) || !std::isfinite(xs[i + 1]) || !std::isfinite(ys[i + 1]))
      continue;
    segmentCoverage(xs[i], ys[i], xs[i + 1], ys[i + 1], width, width_, height_, [&](int x, int y, double v) {
      const int k = y * width_ + x;
      cover[k] = std::max(cover[k], static_cast<float>(v));
      lo = std::min(lo, k), hi = std::max(hi, k);
    });
  }
  for (int k = lo; k <= hi; ++k)
    if (cover[k] > 0)
      blend(k % width_, k / width_, c, cover[k]);
}

void Canvas::disc(double cx, double cy, double radius, Rgb c, double alpha) {
  for (int y = static_cast<int>(std::floor(cy - radius - 1)); y <= static_cast<int>(std::ceil(cy + radius + 1)); ++y)
    for (int x = static_cast<int>(std::floor(cx - radius - 1)); x <= static_cast<int>(std::ceil(cx + radius + 1)); ++x) {
      const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
      const double cover = std::clamp(radius + 0.5 - d, 0.0, 1.0);
      if (cover > 0)
        blend(x, y, c, cover * alpha);
    }
}

int Canvas::textWidth(const std::string &text, int scale) {
  // 5 columns plus one of spacing per character, without the trailing space.
  return text.empty() ? 0 : (static_cast<int>(text.size()) * 6 - 1) * scale;
}

void Canvas::text(int x, int y, const std::string &text, Rgb c, int scale, Align align) {
  const int w = textWidth(text, scale);
  int left = align == Align::Left ? x : align == Align::Center ? x - w / 2 : x - w;
  for (char ch : text) {
    const uint8_t *g = glyph(ch);
    for (int col = 0; col < 5; ++col)
      for (int row = 0; row < 8; ++row) // row 7: descenders
        if (g[col] >> row & 1)
          fillRect(left + col * scale, y + row * scale, left + (col + 1) * scale, y + (row + 1) * scale, c);
    left += 6 * scale;
  }
}

void Canvas::textVertical(int x, int y, const std::string &text, Rgb c, int scale) {
  // Reading bottom to top: text column u goes up from the bottom, text row v goes right.
  const int w = textWidth(text, scale), h = textHeight(scale);
  const int left = x - h / 2, bottom = y + w / 2;
  int u = 0;
  for (char ch : text) {
    const uint8_t *g = glyph(ch);
    for (int col = 0; col < 5; ++col)
      for (int row = 0; row < 8; ++row) // row 7: descenders
        if (g[col] >> row & 1) {
          const int px = left + row * scale, py = bottom - (u + col + 1) * scale;
          fillRect(px, py, px + scale, py + scale, c);
        }
    u += 6;
  }
}

namespace {
/// libpng reports errors through longjmp by default: turn them into an exception message.
[[noreturn]] void pngError(png_structp png, png_const_charp message) {
  *static_cast<std::string *>(png_get_error_ptr(png)) = message;
  png_longjmp(png, 1);
}
} // namespace

void Canvas::writePng(const std::string &path) const {
  writeAtomically(path, [&](const std::string &tmp) {
    FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f)
      throw std::runtime_error("cannot write '" + path + "'");
    std::string error;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, pngError, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    std::vector<png_bytep> rows(height_);
    for (int y = 0; y < height_; ++y)
      rows[y] = reinterpret_cast<png_bytep>(const_cast<Rgb *>(&pixels_[static_cast<size_t>(y) * width_]));
    bool ok = png && info;
    if (ok && setjmp(png_jmpbuf(png)) == 0) {
      png_init_io(png, f);
      png_set_IHDR(png, info, width_, height_, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                   PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
      png_write_info(png, info);
      png_write_image(png, rows.data());
      png_write_end(png, nullptr);
    } else {
      ok = false;
    }
    png_destroy_write_struct(png ? &png : nullptr, info ? &info : nullptr);
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed)
      throw std::runtime_error("cannot write PNG '" + path + "'" + (error.empty() ? "" : ": " + error));
  });
}

} // namespace aec::rt::plot
