/// Images of one circle of random centre and radius (seed 000's convolutional example).
#include "GeneratorParams.h"

#include <algorithm>

namespace aec::rt::gen {

Dataset circles(Params &p, int64_t n, Rng &rng) {
  // The seed's network pools by 4 and then 2, so the side must be a multiple of 8 for its
  // decoder to return the input size; other models may use any size.
  const int64_t size = p.integer("size", 32, 4);
  const double rMin = p.num("r_min", 0.1 * static_cast<double>(size));
  const double rMax = p.num("r_max", 0.3 * static_cast<double>(size));
  const std::string style = p.str("style", "filled");
  const double width = p.num("width", 1.5);
  p.checkUnused();
  if (!(rMin > 0 && rMax >= rMin && 2 * rMax <= static_cast<double>(size)))
    p.fail(fmt::format("needs 0 < r_min <= r_max <= size / 2, got r_min {}, r_max {}, size {}", rMin, rMax, size));
  if (style != "filled" && style != "outline")
    p.fail(fmt::format("style must be 'filled' or 'outline', got '{}'", style));
  if (!(width > 0))
    p.fail("width (of an outline, in pixels) must be positive");
  const bool filled = style == "filled";
  Dataset d;
  d.x = Array({n, size, size, 1});
  d.extra = Array({n, 3});
  d.extraColumns = {"cx", "cy", "r"};
  const double side = static_cast<double>(size);
  for (int64_t s = 0; s < n; ++s) {
    const double r = rng.uniform(rMin, rMax);
    // The whole circle lies inside the image, so the radius is always visible.
    const double cx = rng.uniform(r, side - r), cy = rng.uniform(r, side - r);
    float *img = d.x.row(s);
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) {
        // Pixel centres at +0.5; a one-pixel linear ramp at the edge anti-aliases it, so the
        // images change smoothly with centre and radius (something a small code can follow).
        const double dist = std::hypot(static_cast<double>(x) + 0.5 - cx, static_cast<double>(y) + 0.5 - cy);
        const double v = filled ? r - dist + 0.5 : 0.5 * width - std::fabs(dist - r) + 0.5;
        img[y * size + x] = static_cast<float>(std::clamp(v, 0.0, 1.0));
      }
    d.extra.data[3 * s] = static_cast<float>(cx);
    d.extra.data[3 * s + 1] = static_cast<float>(cy);
    d.extra.data[3 * s + 2] = static_cast<float>(r);
  }
  return d;
}

} // namespace aec::rt::gen
