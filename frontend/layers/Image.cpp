/// Image layers (channels-last [H, W, C] per sample, Keras shapes and padding rules):
/// conv2d, conv2d_transpose, maxpool, avgpool, upsample. The ops are the Builder's image
/// composites (ir/ImageOps.cpp); the window arithmetic is ir/Window.h, shared with them.
#include "frontend/LayerKind.h"

namespace aec {

namespace {

const char *ImageLayout = "[height, width, channels]";

std::array<int64_t, 2> pair(const std::vector<int64_t> &v) { return {v.at(0), v.at(1)}; }

Padding padding(const LayerSpec &l) {
  return l.padding == "valid" ? Padding::Valid : Padding::Same;
}

/// `strides` (default `defaultStrides`) and `padding` (default `defaultPadding`).
void parseWindowMotion(const SpecReader &r, const YAML::Node &p, LayerSpec &l,
                       std::vector<int64_t> defaultStrides, const char *defaultPadding) {
  l.strides = std::move(defaultStrides);
  readParam(r, p, l, "strides", l.strides, &SpecReader::getPair);
  l.padding = defaultPadding;
  if (const YAML::Node n = p["padding"])
    l.padding = r.getChoice(n, "padding", {"same", "valid"});
}

/// Output length of a conv or pooling window along one axis; a valid window larger than
/// its input is an error at the layer.
int64_t windowLength(const LayerSpec &l, int64_t in, int64_t window, int64_t stride) {
  int64_t out = windowOutputSize(in, window, stride, padding(l));
  if (out < 1)
    fail(l.loc, l.kind + " window " + std::to_string(window) + " is larger than its input " +
                    std::to_string(in) + " with padding 'valid'");
  // A 'same' window that pads more zeros on a side than the input holds is mostly taps
  // that only ever read padding: a mistake, and a costly one (a 3x3 window on a 1x1
  // input, one zero a side, is still a plain Keras model).
  const WindowPads pads = windowPads(in, window, stride, padding(l));
  if (std::max(pads.low, pads.high) > in)
    fail(l.loc, l.kind + " window " + std::to_string(window) + " is larger than its input " +
                    std::to_string(in) + " padded for 'same': it pads " +
                    std::to_string(std::max(pads.low, pads.high)) +
                    " zeros on a side, more than the input holds, so most taps only read zeros");
  return out;
}

// ---- conv2d, conv2d_transpose ---------------------------------------------------------

void parseConv(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  readParam(r, p, l, "use_bias", l.useBias, &SpecReader::getBool);
  parseActivation(r, p, l);
  parseInitializers(r, p, l);
  readParam(r, p, l, "filters", l.filters, &SpecReader::getPositiveInt);
  readParam(r, p, l, "kernel", l.kernel, &SpecReader::getPair);
  parseWindowMotion(r, p, l, {1, 1}, "same");
}

/// Params: kernel (kernel_initializer, glorot_uniform, with Keras' fans for a [kh, kw, a, b]
/// kernel: receptive field kh*kw times dim a in, times dim b out): conv2d [kh, kw, in,
/// filters], conv2d_transpose [kh, kw, filters, in] as Keras stores it; bias [filters]
/// (bias_initializer, zeros).
ValueId expandConv(Expander &ex, const LayerSpec &l, ValueId x, ValueId *logitsOut,
                   bool transpose) {
  Builder &b = ex.B;
  int64_t in = b.shape(x).back(), kh = l.kernel.at(0), kw = l.kernel.at(1);
  Shape shape = transpose ? Shape{kh, kw, l.filters, in} : Shape{kh, kw, in, l.filters};
  ValueId kernel = ex.param(l, "kernel", shape, initText(l.kernelInit, shape));
  ValueId bias = l.useBias ? ex.param(l, "bias", {l.filters}, initText(l.biasInit, {l.filters})) : NoValue;
  ValueId y = transpose ? conv2dTranspose(b, x, kernel, pair(l.strides), padding(l))
                        : conv2d(b, x, kernel, pair(l.strides), padding(l));
  if (bias != NoValue)
    y = b.add(y, b.broadcast(bias, b.shape(y), {3}));
  if (logitsOut)
    *logitsOut = y;
  return activation(b, y, l.activation, l.alpha);
}

std::vector<std::string> printConv(const LayerSpec &l) {
  std::vector<std::string> p = {"filters=" + std::to_string(l.filters),
                                "kernel=" + pairText(l.kernel), "strides=" + pairText(l.strides),
                                "padding=" + l.padding, activationText(l)};
  if (!l.useBias)
    p.push_back("use_bias=false");
  for (std::string &s : initializerText(l))
    p.push_back(std::move(s));
  return p;
}

Shape inferConv(const LayerSpec &l, const Shape &in, bool transpose) {
  requireRank(l, in, 3, ImageLayout);
  auto len = [&](int axis) {
    return transpose ? transposedOutputSize(in[axis], l.kernel[axis], l.strides[axis], padding(l))
                     : windowLength(l, in[axis], l.kernel[axis], l.strides[axis]);
  };
  return {len(0), len(1), l.filters};
}

void countConv(const LayerSpec &l, const Shape &in, LayerSummary &row, bool transpose) {
  const Shape &out = l.outputShape;
  int64_t outElems = numElements(out);
  int64_t cin = in[2], window = l.kernel[0] * l.kernel[1];
  row.params = saturatingSum({saturatingProduct({window, cin, l.filters}), l.useBias ? l.filters : 0});
  // Every input pixel of a transposed conv scatters into a window; a conv gathers one.
  int64_t positions = transpose ? in[0] * in[1] : out[0] * out[1];
  row.flops = saturatingSum({saturatingProduct({positions, 2, window, cin, l.filters}),
                             l.useBias ? outElems : 0, activationFlops(l, outElems)});
}

/// conv2d and conv2d_transpose differ only in `transpose`.
LayerKind convKind(const char *name, bool transpose) {
  return {.name = name,
          .keys = {"filters", "kernel", "strides", "padding", "activation", "alpha", "use_bias",
                   "kernel_initializer", "bias_initializer"},
          .shorthand = "filters",
          .required = {{"filters", "a positive integer"},
                       {"kernel", "a positive integer or a pair [kh, kw]"}},
          .parse = parseConv,
          .infer =
              [transpose](const LayerSpec &l, const std::vector<Shape> &in) {
                return inferConv(l, in.at(0), transpose);
              },
          .expand =
              [transpose](Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
                          ValueId *logitsOut) {
                return expandConv(ex, l, in.at(0), logitsOut, transpose);
              },
          .count = [transpose](const LayerSpec &l, const Shape &in,
                               LayerSummary &row) { countConv(l, in, row, transpose); },
          .print = printConv};
}

// ---- maxpool, avgpool -----------------------------------------------------------------

void parsePool(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  l.pool = {2, 2}; // Keras' default pool_size
  readParam(r, p, l, "pool", l.pool, &SpecReader::getPair);
  parseWindowMotion(r, p, l, l.pool, "valid");
}

Shape inferPool(const LayerSpec &l, const std::vector<Shape> &inputs) {
  const Shape &in = inputs.at(0);
  requireRank(l, in, 3, ImageLayout);
  return {windowLength(l, in[0], l.pool[0], l.strides[0]),
          windowLength(l, in[1], l.pool[1], l.strides[1]), in[2]};
}

/// One FLOP per window element.
void countPool(const LayerSpec &l, const Shape &, LayerSummary &row) {
  row.flops = saturatingProduct({numElements(l.outputShape), l.pool[0], l.pool[1]});
}

std::vector<std::string> printPool(const LayerSpec &l) {
  return {"pool=" + pairText(l.pool), "strides=" + pairText(l.strides), "padding=" + l.padding};
}

LayerKind poolKind(const char *name, decltype(&maxPool) build) {
  return {.name = name,
          .keys = {"pool", "strides", "padding"},
          .shorthand = "pool",
          .parse = parsePool,
          .infer = inferPool,
          .expand =
              [build](Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in, ValueId *) {
                return build(ex.B, in.at(0), pair(l.pool), pair(l.strides), padding(l));
              },
          .count = countPool,
          .print = printPool};
}

// ---- upsample -------------------------------------------------------------------------

void parseUpsample(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  l.size = {2, 2}; // Keras' default UpSampling2D size
  readParam(r, p, l, "size", l.size, &SpecReader::getPair);
}

Shape inferUpsample(const LayerSpec &l, const std::vector<Shape> &inputs) {
  const Shape &in = inputs.at(0);
  requireRank(l, in, 3, ImageLayout);
  return {in[0] * l.size[0], in[1] * l.size[1], in[2]};
}

} // namespace

void registerImageLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back(convKind("conv2d", /*transpose=*/false));
  kinds.push_back(convKind("conv2d_transpose", /*transpose=*/true));
  kinds.push_back(poolKind("maxpool", maxPool));
  kinds.push_back(poolKind("avgpool", avgPool));
  kinds.push_back({.name = "upsample",
                   .keys = {"size"},
                   .shorthand = "size",
                   .parse = parseUpsample,
                   .infer = inferUpsample,
                   .expand = [](Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
                                ValueId *) { return upsample(ex.B, in.at(0), pair(l.size)); },
                   .print = [](const LayerSpec &l) -> std::vector<std::string> {
                     return {"size=" + pairText(l.size)};
                   }});
}

} // namespace aec
