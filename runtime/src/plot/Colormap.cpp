/// Colour maps as piecewise-linear interpolation between anchor colours.
#include "plot/Colormap.h"

#include <algorithm>
#include <cmath>

namespace aec::rt::plot {
namespace {

template <size_t N> Rgb interpolate(const Rgb (&anchors)[N], double t) {
  if (!std::isfinite(t))
    t = 0;
  t = std::clamp(t, 0.0, 1.0) * (N - 1);
  const size_t i = std::min(static_cast<size_t>(t), N - 2);
  const double f = t - static_cast<double>(i);
  auto mix = [&](uint8_t a, uint8_t b) { return static_cast<uint8_t>(std::lround(a + (b - a) * f)); };
  return {mix(anchors[i].r, anchors[i + 1].r), mix(anchors[i].g, anchors[i + 1].g), mix(anchors[i].b, anchors[i + 1].b)};
}

} // namespace

Rgb viridis(double t) {
  // matplotlib's viridis sampled at 0, 0.1, ..., 1.
  static const Rgb anchors[] = {{68, 1, 84},    {72, 36, 117},  {65, 68, 135},  {53, 95, 141},
                                {42, 120, 142}, {33, 145, 140}, {34, 168, 132}, {68, 191, 112},
                                {122, 209, 81}, {189, 223, 38}, {253, 231, 37}};
  return interpolate(anchors, t);
}

Rgb grayscale(double t) {
  static const Rgb anchors[] = {{0, 0, 0}, {255, 255, 255}};
  return interpolate(anchors, t);
}

Rgb diverging(double t) {
  // ColorBrewer RdBu, reversed so that negative is blue.
  static const Rgb anchors[] = {{33, 102, 172}, {146, 197, 222}, {247, 247, 247}, {244, 165, 130}, {178, 24, 43}};
  return interpolate(anchors, t);
}

Rgb categorical(int i) {
  static const Rgb tab10[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},   {148, 103, 189},
                              {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  return tab10[((i % 10) + 10) % 10];
}

} // namespace aec::rt::plot
