/// Cross-layer checks of a parsed spec: unique names, resolvable inputs, and per-sample
/// shapes (Keras rules), so shape errors surface at the layer that causes them, before any
/// graph is built.
#include "frontend/SpecParse.h"

#include <map>
#include <numeric>

namespace aec {

namespace {

int64_t product(const Shape &s) {
  return std::accumulate(s.begin(), s.end(), int64_t(1), std::multiplies<int64_t>());
}

[[noreturn]] void layerFail(const LayerSpec &l, const std::string &message) {
  fail(l.loc, message);
}

void requireRank(const LayerSpec &l, const Shape &in, size_t rank, const char *layout) {
  if (in.size() != rank)
    layerFail(l, l.kind + " needs an input of rank " + std::to_string(rank) + " (" + layout +
                     " per sample), got " + shapeStr(in));
}

/// Keras conv_output_length / pooling output length.
int64_t convLength(const LayerSpec &l, int64_t in, int64_t window, int64_t stride) {
  if (l.padding == "same")
    return (in + stride - 1) / stride;
  int64_t out = (in - window) / stride + 1;
  if (in < window)
    layerFail(l, l.kind + " window " + std::to_string(window) + " is larger than its input " +
                     std::to_string(in) + " with padding 'valid'");
  return out;
}

/// Keras deconv_output_length without output_padding.
int64_t deconvLength(const LayerSpec &l, int64_t in, int64_t window, int64_t stride) {
  if (l.padding == "same")
    return in * stride;
  return in * stride + std::max<int64_t>(window - stride, 0);
}

} // namespace

Shape inferLayerShape(const LayerSpec &l, const std::vector<Shape> &inputs) {
  const std::string &k = l.kind;
  if (k == "add" || k == "concat") {
    const Shape &first = inputs.at(0);
    for (size_t i = 1; i < inputs.size(); ++i) {
      const Shape &s = inputs[i];
      bool ok = k == "add" ? s == first
                           : s.size() == first.size() &&
                                 std::equal(s.begin(), s.end() - 1, first.begin());
      if (!ok)
        layerFail(l, k + " needs inputs of " +
                         (k == "add" ? std::string("equal shape")
                                     : std::string("equal shape except the last axis")) +
                         ": '" + l.sources[0] + "' is " + shapeStr(first) + " but '" +
                         l.sources[i] + "' is " + shapeStr(s));
    }
    Shape out = first;
    if (k == "concat")
      for (size_t i = 1; i < inputs.size(); ++i)
        out.back() += inputs[i].back();
    return out;
  }
  const Shape &in = inputs.at(0);
  if (k == "dense" || k == "vae_latent") {
    if (k == "vae_latent")
      requireRank(l, in, 1, "[features]");
    Shape out = in;
    out.back() = l.units;
    return out;
  }
  if (k == "conv2d" || k == "conv2d_transpose") {
    requireRank(l, in, 3, "[height, width, channels]");
    bool t = k == "conv2d_transpose";
    auto len = [&](int axis) {
      return t ? deconvLength(l, in[axis], l.kernel[axis], l.strides[axis])
               : convLength(l, in[axis], l.kernel[axis], l.strides[axis]);
    };
    return {len(0), len(1), l.filters};
  }
  if (k == "maxpool" || k == "avgpool") {
    requireRank(l, in, 3, "[height, width, channels]");
    return {convLength(l, in[0], l.pool[0], l.strides[0]),
            convLength(l, in[1], l.pool[1], l.strides[1]), in[2]};
  }
  if (k == "upsample") {
    requireRank(l, in, 3, "[height, width, channels]");
    return {in[0] * l.size[0], in[1] * l.size[1], in[2]};
  }
  if (k == "flatten")
    return {product(in)};
  if (k == "reshape") {
    Shape out = l.targetShape;
    int64_t known = 1, unknownAt = -1;
    for (size_t i = 0; i < out.size(); ++i)
      if (out[i] == -1)
        unknownAt = static_cast<int64_t>(i);
      else
        known *= out[i];
    if (unknownAt >= 0 && product(in) % known == 0)
      out[unknownAt] = product(in) / known;
    if (product(out) != product(in) || (unknownAt >= 0 && out[unknownAt] <= 0))
      layerFail(l, "cannot reshape " + shapeStr(in) + " (" + std::to_string(product(in)) +
                       " values) to " + shapeStr(l.targetShape));
    return out;
  }
  if (k == "layernorm" || k == "batchnorm" || k == "dropout" || k == "gaussian_noise")
    return in;
  if (k == "lstm") {
    requireRank(l, in, 2, "[time, features]");
    return l.returnSequences ? Shape{in[0], l.units} : Shape{l.units};
  }
  if (k == "repeat") {
    requireRank(l, in, 1, "[features]");
    return {l.times, in[0]};
  }
  if (k == "time_distributed") {
    if (in.size() < 2)
      layerFail(l, "time_distributed needs an input of rank >= 2 ([time, ...] per sample), "
                   "got " + shapeStr(in));
    Shape step(in.begin() + 1, in.end());
    Shape out = inferLayerShape(l.inner.at(0), {step});
    out.insert(out.begin(), in[0]);
    return out;
  }
  layerFail(l, "no shape rule for layer kind '" + k + "'");
}

void checkLayers(ModelSpec &spec) {
  struct Seen {
    const LayerSpec *layer;
    size_t order;
  };
  std::map<std::string, Seen> seen;
  std::vector<std::string> visible; // names a layer may refer to, in order
  std::map<std::string, Shape> shapes;
  size_t order = 0;
  if (spec.encoder.empty())
    fail(spec.inputLoc, "the encoder needs at least one layer");

  auto visit = [&](LayerSpec &l, const std::string &previous) {
    if (auto it = seen.find(l.name); it != seen.end())
      layerFail(l, "duplicate layer name '" + l.name + "' (first used at line " +
                       std::to_string(it->second.layer->loc.line) + ")");
    l.sources.clear();
    if (l.inputs.empty()) {
      if (!previous.empty())
        l.sources.push_back(previous);
    } else {
      for (const std::string &src : l.inputs) {
        if (!shapes.count(src)) {
          std::string hint = didYouMean(src, visible);
          if (hint.empty() && !visible.empty())
            hint = " (earlier layers: " + joinNames(visible) + ")";
          layerFail(l, "input '" + src + "' is not an earlier layer" + hint);
        }
        l.sources.push_back(src);
      }
    }
    std::vector<Shape> in;
    for (const std::string &s : l.sources)
      in.push_back(shapes.at(s));
    if (in.empty())
      in.push_back(spec.inputShape);
    l.outputShape = inferLayerShape(l, in);
    seen[l.name] = {&l, order++};
    shapes[l.name] = l.outputShape;
    visible.push_back(l.name);
  };

  for (size_t i = 0; i < spec.encoder.size(); ++i) {
    LayerSpec &l = spec.encoder[i];
    if (l.kind == "vae_latent" && i + 1 != spec.encoder.size())
      layerFail(l, "vae_latent must be the last encoder layer (it makes the code)");
    visit(l, i ? spec.encoder[i - 1].name : "");
  }
  for (size_t i = 0; i < spec.decoder.size(); ++i)
    visit(spec.decoder[i], i ? spec.decoder[i - 1].name : spec.encoder.back().name);

  if (!spec.decoder.empty()) {
    const LayerSpec &last = spec.decoder.back();
    if (last.outputShape != spec.inputShape)
      layerFail(last, "the decoder ends with shape " + shapeStr(last.outputShape) +
                          " but reconstructs an input of shape " +
                          shapeStr(spec.inputShape));
  }
  for (const LossTermSpec &t : spec.loss.terms)
    if (!t.layer.empty() && !shapes.count(t.layer))
      fail(t.loc, "loss term " + t.kind + " refers to unknown layer '" + t.layer + "'" +
                      didYouMean(t.layer, visible));
}

} // namespace aec
