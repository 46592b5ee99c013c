#include "ir/Window.h"

#include <algorithm>

namespace aec {

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride, Padding padding) {
  if (padding == Padding::Same)
    return (in + stride - 1) / stride;
  return in < kernel ? 0 : (in - kernel + stride) / stride;
}

WindowPads windowPads(int64_t in, int64_t kernel, int64_t stride, Padding padding) {
  if (padding == Padding::Valid)
    return {};
  int64_t out = windowOutputSize(in, kernel, stride, padding);
  int64_t total = std::max((out - 1) * stride + kernel - in, int64_t(0));
  return {total / 2, total - total / 2};
}

/// The part of the full transposed output a window longer than the stride adds.
static int64_t transposedOverhang(int64_t kernel, int64_t stride) {
  return std::max(kernel - stride, int64_t(0));
}

int64_t transposedOutputSize(int64_t in, int64_t kernel, int64_t stride, Padding padding) {
  if (padding == Padding::Same)
    return in * stride;
  return in * stride + transposedOverhang(kernel, stride);
}

int64_t transposedCrop(int64_t kernel, int64_t stride, Padding padding) {
  return padding == Padding::Same ? transposedOverhang(kernel, stride) / 2 : 0;
}

int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t low, int64_t high) {
  int64_t span = in + low + high - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

TapRange convTapRange(int64_t in, int64_t out, int64_t tap, int64_t stride, int64_t low) {
  // o * stride + tap - low >= 0  <=>  o >= ceil((low - tap) / stride);
  // o * stride + tap - low <= in - 1  <=>  o <= floor((in - 1 + low - tap) / stride).
  auto floorDiv = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  int64_t first = std::max(-floorDiv(tap - low, stride), int64_t(0));
  int64_t last = std::min(floorDiv(in - 1 + low - tap, stride), out - 1);
  return last < first ? TapRange{0, 0} : TapRange{first, last - first + 1};
}

} // namespace aec
