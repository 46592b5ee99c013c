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

} // namespace aec
