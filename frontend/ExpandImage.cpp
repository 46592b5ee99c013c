/// Image layers (channels-last [B, H, W, C], Keras shapes and padding rules): conv2d,
/// conv2d_transpose, maxpool, avgpool, upsample. The ops themselves are the Builder's
/// image composites (ir/ImageOps.cpp).
#include "frontend/Expander.h"

namespace aec {

namespace {
std::array<int64_t, 2> pair(const std::vector<int64_t> &v) { return {v.at(0), v.at(1)}; }

Padding padding(const LayerSpec &l) { return l.padding == "valid" ? Padding::Valid : Padding::Same; }

/// Params: kernel glorot_uniform with Keras' fans for a [kh, kw, a, b] kernel (receptive
/// field kh*kw times dim a in, times dim b out): conv2d [kh, kw, in, filters],
/// conv2d_transpose [kh, kw, filters, in] as Keras stores it; bias [filters] zeros.
ValueId convolution(Expander &ex, const LayerSpec &l, ValueId x, ValueId *logitsOut) {
  Builder &b = ex.B;
  bool transpose = l.kind == "conv2d_transpose";
  int64_t in = b.shape(x).back(), kh = l.kernel.at(0), kw = l.kernel.at(1);
  Shape shape = transpose ? Shape{kh, kw, l.filters, in} : Shape{kh, kw, in, l.filters};
  ValueId kernel =
      ex.param(l, "kernel", shape, glorotInit(kh * kw * shape[2], kh * kw * shape[3]));
  ValueId bias = l.useBias ? ex.param(l, "bias", {l.filters}, "zeros") : NoValue;
  ValueId y = transpose ? conv2dTranspose(b, x, kernel, pair(l.strides), padding(l))
                        : conv2d(b, x, kernel, pair(l.strides), padding(l));
  if (bias != NoValue)
    y = b.add(y, b.broadcast(bias, b.shape(y), {3}));
  if (logitsOut)
    *logitsOut = y;
  return activation(b, y, l.activation, l.alpha);
}
} // namespace

ValueId expandImageLayer(Expander &ex, const LayerSpec &l, ValueId x, ValueId *logitsOut) {
  const std::string &k = l.kind;
  if (k == "conv2d" || k == "conv2d_transpose")
    return convolution(ex, l, x, logitsOut);
  if (k == "maxpool")
    return maxPool(ex.B, x, pair(l.pool), pair(l.strides), padding(l));
  if (k == "avgpool")
    return avgPool(ex.B, x, pair(l.pool), pair(l.strides), padding(l));
  if (k == "upsample")
    return upsample(ex.B, x, pair(l.size));
  fail(l.loc, k + " is not an image layer");
}

} // namespace aec
