/// Drawing through cairo: shapes and text go to a recording surface; write() replays it onto
/// an image surface (PNG) and a PDF surface, so the vector file is the picture, not a bitmap.
#include "plot/Canvas.h"

#include <aec/AtomicFile.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include <cmath>
#include <stdexcept>

namespace aec::rt::plot {
namespace {

void setColor(cairo_t *cr, Rgb c, double alpha = 1.0) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

/// Unhinted metrics: a text measures the same on the scratch surface, in the PNG and in the
/// PDF, so a box that fits when laid out fits in every file.
void setFont(cairo_t *cr, double size, bool bold) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_font_options_t *o = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(o, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(o, CAIRO_HINT_STYLE_NONE);
  cairo_set_font_options(cr, o);
  cairo_font_options_destroy(o);
}

/// Font ascent, descent and the advance width of `text`, at the current font.
struct Metrics {
  double ascent, descent, advance, inkLeft, inkRight;
};
Metrics metrics(cairo_t *cr, const std::string &text) {
  cairo_font_extents_t fe;
  cairo_text_extents_t te;
  cairo_font_extents(cr, &fe);
  cairo_text_extents(cr, text.c_str(), &te);
  return {fe.ascent, fe.descent, te.x_advance, te.x_bearing, te.x_bearing + te.width};
}

void check(cairo_status_t s, const std::string &what) {
  if (s != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(what + ": " + cairo_status_to_string(s));
}

} // namespace

Canvas::Canvas(int width, int height) : width_(width), height_(height) {
  if (width <= 0 || height <= 0)
    throw std::logic_error("Canvas: empty size");
  const cairo_rectangle_t extents{0, 0, static_cast<double>(width), static_cast<double>(height)};
  record_ = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents);
  cr_ = cairo_create(record_);
  layout_.width = width, layout_.height = height;
  fillRect({0, 0, static_cast<double>(width), static_cast<double>(height)}, kWhite);
}

Canvas::~Canvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(record_);
}

void Canvas::clip(const PlotBox &b) {
  cairo_save(cr_);
  cairo_rectangle(cr_, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
  cairo_clip(cr_);
}

void Canvas::unclip() { cairo_restore(cr_); }

void Canvas::fillRect(const PlotBox &b, Rgb c, double alpha) {
  setColor(cr_, c, alpha);
  cairo_rectangle(cr_, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
  cairo_fill(cr_);
}

void Canvas::strokeRect(const PlotBox &b, Rgb c, double width) {
  setColor(cr_, c);
  cairo_set_line_width(cr_, width);
  cairo_rectangle(cr_, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
  cairo_stroke(cr_);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, double width, double alpha) {
  setColor(cr_, c, alpha);
  cairo_set_line_width(cr_, width);
  cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
  cairo_move_to(cr_, x0, y0);
  cairo_line_to(cr_, x1, y1);
  cairo_stroke(cr_);
}

void Canvas::polyline(const std::vector<double> &xs, const std::vector<double> &ys, Rgb c, double width) {
  setColor(cr_, c);
  cairo_set_line_width(cr_, width);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr_, CAIRO_LINE_CAP_ROUND);
  bool open = false;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) {
      open = false;
      continue;
    }
    if (open)
      cairo_line_to(cr_, xs[i], ys[i]);
    else
      cairo_move_to(cr_, xs[i], ys[i]);
    open = true;
  }
  cairo_stroke(cr_);
}

void Canvas::disc(double cx, double cy, double radius, Rgb c, double alpha) {
  setColor(cr_, c, alpha);
  cairo_new_sub_path(cr_);
  cairo_arc(cr_, cx, cy, radius, 0, 2 * M_PI);
  cairo_fill(cr_);
}

void Canvas::image(const PlotBox &b, int w, int h, const std::function<Rgb(int, int)> &pixel, bool smooth) {
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  check(cairo_surface_status(img), "cannot create an image");
  cairo_surface_flush(img);
  unsigned char *data = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  for (int y = 0; y < h; ++y) {
    auto *row = reinterpret_cast<uint32_t *>(data + static_cast<size_t>(y) * stride);
    for (int x = 0; x < w; ++x) {
      const Rgb c = pixel(x, y);
      row[x] = static_cast<uint32_t>(c.r) << 16 | static_cast<uint32_t>(c.g) << 8 | c.b;
    }
  }
  cairo_surface_mark_dirty(img);
  cairo_save(cr_);
  cairo_rectangle(cr_, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
  cairo_clip(cr_);
  cairo_translate(cr_, b.x0, b.y0);
  cairo_scale(cr_, (b.x1 - b.x0) / w, (b.y1 - b.y0) / h);
  cairo_set_source_surface(cr_, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr_), smooth ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend(cairo_get_source(cr_), CAIRO_EXTEND_PAD);
  cairo_paint(cr_);
  cairo_restore(cr_);
  cairo_surface_destroy(img); // the recording keeps its own reference
}

TextSize Canvas::measure(const std::string &text, double size, bool bold) {
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t *cr = cairo_create(s);
  setFont(cr, size, bold);
  const Metrics m = metrics(cr, text);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return {std::max(m.advance, m.inkRight) - std::min(0.0, m.inkLeft), m.ascent + m.descent};
}

PlotBox Canvas::text(double x, double y, const std::string &text, double size, Rgb c, Align align, VAlign valign,
                     bool bold, bool vertical) {
  setFont(cr_, size, bold);
  const Metrics m = metrics(cr_, text);
  const double left = std::min(0.0, m.inkLeft), w = std::max(m.advance, m.inkRight) - left, h = m.ascent + m.descent;
  // Offsets of the box's top-left corner from the anchor, in the text's own orientation.
  double dx = align == Align::Left ? 0 : align == Align::Center ? -w / 2 : -w;
  double dy = valign == VAlign::Top        ? 0
              : valign == VAlign::Middle   ? -m.ascent + 0.365 * size // half of DejaVu's cap height
              : valign == VAlign::Baseline ? -m.ascent
                                           : -h;
  if (vertical)
    dx = -w / 2, dy = -h / 2;
  cairo_save(cr_);
  cairo_translate(cr_, x, y);
  if (vertical)
    cairo_rotate(cr_, -M_PI / 2);
  setColor(cr_, c);
  cairo_move_to(cr_, dx - left, dy + m.ascent);
  cairo_show_text(cr_, text.c_str());
  cairo_new_path(cr_);
  cairo_restore(cr_);
  const PlotBox box = vertical ? PlotBox{x - h / 2, y - w / 2, x + h / 2, y + w / 2}
                               : PlotBox{x + dx, y + dy, x + dx + w, y + dy + h};
  layout_.labels.push_back({text, box});
  return box;
}

FigureLayout Canvas::write(const std::string &stem, const std::string &title) {
  check(cairo_status(cr_), "drawing '" + stem + "'");
  FigureLayout out = layout_;
  out.png = stem + ".png", out.pdf = stem + ".pdf";
  writeAtomically(out.png, [&](const std::string &tmp) {
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width_, height_);
    cairo_t *cr = cairo_create(img);
    cairo_set_source_surface(cr, record_, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    const cairo_status_t s = cairo_surface_write_to_png(img, tmp.c_str());
    cairo_surface_destroy(img);
    check(s, "cannot write PNG '" + out.png + "'");
  });
  writeAtomically(out.pdf, [&](const std::string &tmp) {
    cairo_surface_t *pdf = cairo_pdf_surface_create(tmp.c_str(), width_, height_);
    cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR, "aec");
    cairo_t *cr = cairo_create(pdf);
    cairo_set_source_surface(cr, record_, 0, 0);
    cairo_paint(cr);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(pdf);
    const cairo_status_t s = cairo_surface_status(pdf);
    cairo_surface_destroy(pdf);
    check(s, "cannot write PDF '" + out.pdf + "'");
  });
  return out;
}

} // namespace aec::rt::plot
