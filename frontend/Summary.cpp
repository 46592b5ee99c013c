/// `aec check`'s per-layer summary: parameters (as Keras counts them) and forward FLOPs per
/// sample. FLOP conventions: a multiply-add is 2, every other elementwise op 1; a
/// non-linear activation costs 1 per element (its real cost varies by target);
/// normalisation layers cost 8 per element (mean, centre, square, variance, rsqrt,
/// scale, shift, add), pooling one per window element.
#include "frontend/Expand.h"

#include <numeric>

namespace aec {

namespace {

int64_t product(const Shape &s) {
  return std::accumulate(s.begin(), s.end(), int64_t(1), std::multiplies<int64_t>());
}

void count(const LayerSpec &l, const Shape &in, LayerSummary &row) {
  const std::string &k = l.kind;
  const Shape &out = l.outputShape;
  int64_t outElems = product(out);
  int64_t act = l.activation == "linear" ? 0 : outElems;
  if (k == "dense") {
    int64_t fanIn = in.back(), rows = product(in) / fanIn;
    row.params = fanIn * l.units + (l.useBias ? l.units : 0);
    row.flops = rows * 2 * fanIn * l.units + (l.useBias ? outElems : 0) + act;
  } else if (k == "conv2d" || k == "conv2d_transpose") {
    int64_t cin = in[2], window = l.kernel[0] * l.kernel[1];
    row.params = window * cin * l.filters + (l.useBias ? l.filters : 0);
    // Every input pixel of a transposed conv scatters into a window; a conv gathers one.
    int64_t positions = k == "conv2d" ? out[0] * out[1] : in[0] * in[1];
    row.flops = positions * 2 * window * cin * l.filters + (l.useBias ? outElems : 0) + act;
  } else if (k == "maxpool" || k == "avgpool") {
    row.flops = outElems * l.pool[0] * l.pool[1];
  } else if (k == "upsample") {
    row.flops = 0;
  } else if (k == "layernorm") {
    row.params = 2 * in.back();
    row.flops = 8 * outElems;
  } else if (k == "batchnorm") {
    row.params = 4 * in.back(); // gamma, beta + moving mean/variance (not trained)
    row.flops = 8 * outElems;
  } else if (k == "dropout" || k == "gaussian_noise") {
    row.flops = outElems; // training only
  } else if (k == "lstm") {
    int64_t steps = in[0], feat = in[1], u = l.units;
    row.params = 4 * u * (feat + u + 1);
    // Two matmuls + bias per step, then ~10 elementwise ops per unit (gates, cell).
    row.flops = steps * (2 * 4 * u * (feat + u) + 4 * u + 10 * u);
  } else if (k == "add") {
    row.flops = outElems * static_cast<int64_t>(l.sources.size() - 1);
  } else if (k == "vae_latent") {
    int64_t fanIn = in.back(), u = l.units;
    row.params = 2 * (fanIn * u + u);
    // Two heads, then sample = mean + exp(logvar / 2) * eps.
    row.flops = 2 * (2 * fanIn * u + u) + 4 * u;
  } else if (k == "time_distributed") {
    LayerSummary inner;
    Shape step(in.begin() + 1, in.end());
    count(l.inner.at(0), step, inner);
    row.params = inner.params;
    row.flops = in[0] * inner.flops;
  }
}

} // namespace

std::vector<LayerSummary> summarize(const ModelSpec &spec) {
  std::map<std::string, Shape> shapes;
  std::vector<LayerSummary> rows;
  auto add = [&](const LayerSpec &l) {
    LayerSummary row;
    row.name = l.name;
    row.kind = l.kind;
    row.outputShape = l.outputShape;
    Shape in = l.sources.empty() ? spec.inputShape : shapes.at(l.sources[0]);
    if (l.kind == "time_distributed" && !l.inner.empty()) {
      // The wrapped layer's output shape is needed for its own count.
      LayerSpec inner = l.inner[0];
      Shape innerOut(l.outputShape.begin() + 1, l.outputShape.end());
      inner.outputShape = innerOut;
      LayerSpec copy = l;
      copy.inner = {inner};
      count(copy, in, row);
    } else {
      count(l, in, row);
    }
    shapes[l.name] = l.outputShape;
    rows.push_back(row);
  };
  for (const LayerSpec &l : spec.encoder)
    add(l);
  for (const LayerSpec &l : spec.decoder)
    add(l);
  return rows;
}

} // namespace aec
