/// Image layers (channels-last [B, H, W, C]) with Keras/TF shape and padding rules.
/// conv2d and conv2d_transpose are the direct convolution ops of ir/ops/Conv.cpp with the
/// padding as attributes; pooling reduces strided slices, or a reshape when windows tile.
/// Everything differentiates (to any order), interprets and lowers.
#include "ir/Builder.h"
#include "ir/Window.h"

#include <algorithm>
#include <limits>
#include <string>

namespace aec {

namespace {
using Ints = std::vector<int64_t>;
using Pair = std::array<int64_t, 2>;

std::string pairStr(Pair p) { return std::to_string(p[0]) + "x" + std::to_string(p[1]); }

/// Checks a [B, H, W, C] operand and positive window sizes and strides.
void checkImage(Builder &b, ValueId x, const char *layer, Pair window, Pair strides) {
  if (b.type(x).rank() != 4)
    fail(b.loc, std::string(layer) + " expects a [batch, height, width, channels] input, got " +
                    b.type(x).str());
  if (window[0] < 1 || window[1] < 1 || strides[0] < 1 || strides[1] < 1)
    fail(b.loc, std::string(layer) + " needs positive window sizes and strides, got " +
                    pairStr(window) + " and " + pairStr(strides));
}

/// The input padded for `padding` (with `padValue`) and the output size of the windows.
ValueId padForWindows(Builder &b, ValueId x, const char *layer, Pair window, Pair strides,
                      Padding padding, double padValue, Pair &out) {
  const Shape shape = b.shape(x);
  Ints low(4, 0), high(4, 0);
  for (int d = 0; d < 2; ++d) {
    out[d] = windowOutputSize(shape[1 + d], window[d], strides[d], padding);
    if (out[d] < 1)
      fail(b.loc, std::string(layer) + " window " + pairStr(window) + " does not fit the " +
                      std::to_string(shape[1]) + "x" + std::to_string(shape[2]) +
                      " input with 'valid' padding");
    WindowPads p = windowPads(shape[1 + d], window[d], strides[d], padding);
    low[1 + d] = p.low;
    high[1 + d] = p.high;
  }
  return b.pad(x, low, high, Ints(4, 0), padValue);
}

/// The kh * kw strided slices [B, Ho, Wo, C] of an already padded input, window
/// position (i, j) at index i * kw + j: slice (i, j) holds xp[b, i + s0 * p, j + s1 * q, c].
std::vector<ValueId> windowSlices(Builder &b, ValueId padded, Pair window, Pair strides, Pair out) {
  const Shape shape = b.shape(padded);
  std::vector<ValueId> slices;
  for (int64_t i = 0; i < window[0]; ++i)
    for (int64_t j = 0; j < window[1]; ++j)
      slices.push_back(b.slice(padded, {0, i, j, 0},
                               {shape[0], i + (out[0] - 1) * strides[0] + 1,
                                j + (out[1] - 1) * strides[1] + 1, shape[3]},
                               {1, strides[0], strides[1], 1}));
  return slices;
}

/// When windows tile the padded input exactly (stride = window), [B, Ho*kh, Wo*kw, C]
/// reshaped to [B, Ho, kh, Wo, kw, C]: a window reduction is then one reduce over
/// axes {2, 4}, no slices. The tail 'valid' leaves over is sliced off first.
ValueId tiledWindows(Builder &b, ValueId padded, Pair window, Pair out) {
  const Shape shape = b.shape(padded);
  ValueId used =
      b.slice(padded, {0, 0, 0, 0}, {shape[0], out[0] * window[0], out[1] * window[1], shape[3]},
              {1, 1, 1, 1});
  return b.reshape(used, {shape[0], out[0], window[0], out[1], window[1], shape[3]});
}

/// Sum over each window of `padded` [B, Hp, Wp, C] -> [B, Ho, Wo, C].
ValueId windowSum(Builder &b, ValueId padded, Pair window, Pair strides, Pair out) {
  if (window == strides)
    return b.reduceSum(tiledWindows(b, padded, window, out), {2, 4});
  std::vector<ValueId> slices = windowSlices(b, padded, window, strides, out);
  ValueId sum = slices[0];
  for (size_t k = 1; k < slices.size(); ++k)
    sum = b.add(sum, slices[k]);
  return sum;
}
} // namespace

ValueId conv2d(Builder &b, ValueId x, ValueId kernel, Pair strides, Padding padding) {
  const Shape k = b.shape(kernel);
  if (k.size() != 4)
    fail(b.loc,
         "conv2d expects a [kh, kw, in_channels, filters] kernel, got " + b.type(kernel).str());
  checkImage(b, x, "conv2d", {k[0], k[1]}, strides);
  const Shape xs = b.shape(x);
  if (xs[3] != k[2])
    fail(b.loc, "conv2d kernel " + b.type(kernel).str() + " expects " + std::to_string(k[2]) +
                    " input channels, got " + std::to_string(xs[3]));
  // The padding is the op's window, not a padded copy of x (ir/ops/Conv.cpp).
  Ints low(2), high(2);
  for (int d = 0; d < 2; ++d) {
    if (windowOutputSize(xs[1 + d], k[d], strides[d], padding) < 1)
      fail(b.loc, "conv2d window " + pairStr({k[0], k[1]}) + " does not fit the " +
                      std::to_string(xs[1]) + "x" + std::to_string(xs[2]) +
                      " input with 'valid' padding");
    WindowPads p = windowPads(xs[1 + d], k[d], strides[d], padding);
    low[d] = p.low;
    high[d] = p.high;
  }
  return b.op("conv2d", {x, kernel},
              Attrs{{"strides", Ints{strides[0], strides[1]}}, {"pad_low", low},
                    {"pad_high", high}});
}

ValueId conv2dTranspose(Builder &b, ValueId x, ValueId kernel, Pair strides, Padding padding) {
  const Shape k = b.shape(kernel);
  if (k.size() != 4)
    fail(b.loc, "conv2d_transpose expects a [kh, kw, filters, in_channels] kernel, got " +
                    b.type(kernel).str());
  checkImage(b, x, "conv2d_transpose", {k[0], k[1]}, strides);
  const Shape xs = b.shape(x);
  if (xs[3] != k[3])
    fail(b.loc, "conv2d_transpose kernel " + b.type(kernel).str() + " expects " +
                    std::to_string(k[3]) + " input channels, got " + std::to_string(xs[3]));
  // y[t] = sum_i x[i] K[t + crop - i s]: the full transposed conv (length (H - 1) s + k)
  // read from offset `crop` (TF: floor((k - s) / 2) for same, the odd pixel dropped at the
  // end; 0 for valid, with zeros past the full output when k < s). That is the adjoint of a
  // conv2d of the output with pad_low = crop (Keras' kernel layout [kh, kw, filters, in]
  // is that conv's [kh, kw, C, F]), and pad_high whatever makes that conv's output H: no
  // multiply touches the s^2 - 1 zeros a conv over the stride-dilated input would insert.
  Ints size(2), low(2), high(2);
  for (int d = 0; d < 2; ++d) {
    int64_t in = xs[1 + d], kk = k[d], s = strides[d];
    low[d] = transposedCrop(kk, s, padding);
    size[d] = transposedOutputSize(in, kk, s, padding);
    high[d] = std::max((in - 1) * s + kk - size[d] - low[d], int64_t(0));
  }
  return b.op("conv2d_transpose", {x, kernel},
              Attrs{{"strides", Ints{strides[0], strides[1]}}, {"pad_low", low},
                    {"pad_high", high}, {"size", size}});
}

ValueId maxPool(Builder &b, ValueId x, Pair pool, Pair strides, Padding padding) {
  checkImage(b, x, "max_pool", pool, strides);
  Pair out;
  ValueId padded = padForWindows(b, x, "max_pool", pool, strides, padding,
                                 -std::numeric_limits<double>::infinity(), out);
  if (pool == strides)
    return b.reduceMax(tiledWindows(b, padded, pool, out), {2, 4});
  // Stack the window positions on a new last axis and take the max over it.
  const Shape xs = b.shape(x);
  std::vector<ValueId> slices = windowSlices(b, padded, pool, strides, out);
  for (ValueId &s : slices)
    s = b.reshape(s, {xs[0], out[0], out[1], xs[3], 1});
  return b.reduceMax(b.concat(slices, 4), {4});
}

ValueId avgPool(Builder &b, ValueId x, Pair pool, Pair strides, Padding padding) {
  checkImage(b, x, "avg_pool", pool, strides);
  Pair out;
  ValueId padded = padForWindows(b, x, "avg_pool", pool, strides, padding, 0.0, out);
  ValueId sum = windowSum(b, padded, pool, strides, out);
  if (padded == x) // no padding: every window has pool[0] * pool[1] real elements
    return b.mulScalar(sum, 1.0 / static_cast<double>(pool[0] * pool[1]));
  // Real elements per window: the same window sum over a [1, H, W, 1] ones image padded
  // with zeros, broadcast over batch and channels (a graph constant the passes can fold).
  const Shape xs = b.shape(x);
  ValueId ones = b.constant(1.0, {b.type(x).dtype, {1, xs[1], xs[2], 1}});
  Pair outOnes;
  ValueId paddedOnes = padForWindows(b, ones, "avg_pool", pool, strides, padding, 0.0, outOnes);
  ValueId count = b.reshape(windowSum(b, paddedOnes, pool, strides, out), {out[0], out[1]});
  return b.div(sum, b.broadcast(count, b.shape(sum), {1, 2}));
}

ValueId upsample(Builder &b, ValueId x, Pair size) {
  checkImage(b, x, "upsample", size, size);
  const Shape s = b.shape(x);
  // Each pixel repeated over a new size[0] x size[1] block beside its own axes.
  ValueId spread = b.broadcast(x, {s[0], s[1], size[0], s[2], size[1], s[3]}, {0, 1, 3, 5});
  return b.reshape(spread, {s[0], s[1] * size[0], s[2] * size[1], s[3]});
}

} // namespace aec
