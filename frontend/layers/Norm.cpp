/// Normalisation and regularisation layers: layernorm, batchnorm, dropout, gaussian_noise.
/// The last three differ between ForwardMode::Train and ForwardMode::Infer, as in Keras.
/// FLOPs: normalisation costs 8 per element (mean, centre, square, variance, rsqrt, scale,
/// shift, add); dropout and noise 1 per element (training only).
#include "frontend/LayerKind.h"

#include <numeric>

namespace aec {

namespace {

Shape sameShape(const LayerSpec &, const std::vector<Shape> &in) { return in.at(0); }

void parseEpsilon(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  readParam(r, p, l, "epsilon", l.epsilon, &SpecReader::getPositiveNumber);
}

// ---- layernorm ------------------------------------------------------------------------

ValueId expandLayerNorm(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
                        ValueId *) {
  ValueId x = in.at(0);
  int64_t last = ex.B.shape(x).back();
  ValueId gamma = ex.param(l, "gamma", {last}, "ones");
  ValueId beta = ex.param(l, "beta", {last}, "zeros");
  return layerNorm(ex.B, x, gamma, beta, l.epsilon);
}

// ---- batchnorm ------------------------------------------------------------------------

void parseBatchNorm(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  parseEpsilon(r, p, l);
  readParam(r, p, l, "momentum", l.momentum, &SpecReader::getNumberIn, 0, 1, false);
}

/// Keras' BatchNormalization over the last (channel) axis. Params gamma (ones), beta
/// (zeros), moving_mean (zeros) and moving_variance (ones), the last two non-trainable.
///
/// Train: statistics over every axis but the last, over the REAL samples only: the
/// per-sample weight input masks the padded rows of a partial batch, which must not shift
/// the statistics. The variance is biased (divides by the count), for the output and the
/// moving average alike (Keras 3); the training step outputs
/// moving' = momentum * moving + (1 - momentum) * batch statistic.
/// Infer: the moving statistics.
ValueId expandBatchNorm(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
                        ValueId *) {
  Builder &b = ex.B;
  ValueId x = in.at(0);
  const Shape shape = b.shape(x);
  const int64_t last = static_cast<int64_t>(shape.size()) - 1, c = shape.back();
  ValueId gamma = ex.param(l, "gamma", {c}, "ones");
  ValueId beta = ex.param(l, "beta", {c}, "zeros");
  ValueId movingMean = ex.param(l, "moving_mean", {c}, "zeros", /*trainable=*/false);
  ValueId movingVar = ex.param(l, "moving_variance", {c}, "ones", /*trainable=*/false);
  auto perChannel = [&](ValueId v) { return b.broadcast(v, shape, {last}); };

  ValueId mean = movingMean, var = movingVar;
  ValueId centered;
  if (ex.training()) {
    std::vector<int64_t> axes(last);
    std::iota(axes.begin(), axes.end(), 0);
    // Elements per sample and channel (the spatial / time positions).
    int64_t positions =
        std::accumulate(shape.begin() + 1, shape.end() - 1, int64_t(1), std::multiplies<int64_t>());
    ValueId w = b.broadcast(ex.sampleWeights(), shape, {0});
    ValueId count = b.mulScalar(b.sumAll(ex.sampleWeights()), static_cast<double>(positions));
    auto weightedMeanPerChannel = [&](ValueId v) {
      ValueId sum = b.reduceSum(b.mul(v, w), axes);
      return b.div(sum, b.broadcastScalarLike(count, sum));
    };
    mean = weightedMeanPerChannel(x);
    centered = b.sub(x, perChannel(mean));
    var = weightedMeanPerChannel(b.square(centered));
    auto update = [&](ValueId moving, ValueId batchStat) {
      return b.add(b.mulScalar(moving, l.momentum), b.mulScalar(batchStat, 1.0 - l.momentum));
    };
    ex.Info.paramUpdates.push_back({l.name + "/moving_mean", update(movingMean, mean)});
    ex.Info.paramUpdates.push_back({l.name + "/moving_variance", update(movingVar, var)});
  } else {
    centered = b.sub(x, perChannel(mean));
  }
  // gamma / sqrt(var + eps) per channel, then one broadcast multiply.
  ValueId scale = b.div(gamma, b.sqrt(b.addScalar(var, l.epsilon)));
  return b.add(b.mul(centered, perChannel(scale)), perChannel(beta));
}

// ---- dropout, gaussian_noise ----------------------------------------------------------

/// Train: x * step(u - rate) / (1 - rate) with u ~ U[0, 1) (a noise_uniform input): each
/// element is kept with probability 1 - rate and scaled up (inverted dropout, as Keras).
/// Infer: identity.
ValueId expandDropout(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in, ValueId *) {
  ValueId x = in.at(0);
  if (!ex.training() || l.rate == 0.0)
    return x;
  Builder &b = ex.B;
  Shape sample(b.shape(x).begin() + 1, b.shape(x).end());
  ValueId u = ex.noise(l, role::NoiseUniform, sample);
  ValueId keep = b.step(b.addScalar(u, -l.rate));
  return b.mul(x, b.mulScalar(keep, 1.0 / (1.0 - l.rate)));
}

/// Train: x + stddev * n with n ~ N(0, 1) (a noise_normal input). Infer: identity.
ValueId expandGaussianNoise(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
                            ValueId *) {
  ValueId x = in.at(0);
  if (!ex.training() || l.stddev == 0.0)
    return x;
  Builder &b = ex.B;
  Shape sample(b.shape(x).begin() + 1, b.shape(x).end());
  ValueId n = ex.noise(l, role::NoiseNormal, sample);
  return b.add(x, b.mulScalar(n, l.stddev));
}

/// `perElement` FLOPs per output element and `paramsPerChannel` params per channel.
LayerCountFn perElementCost(int64_t perElement, int64_t paramsPerChannel) {
  return [=](const LayerSpec &l, const Shape &in, LayerSummary &row) {
    row.params = saturatingMul(paramsPerChannel, in.back());
    row.flops = saturatingMul(perElement, numElements(l.outputShape));
  };
}

} // namespace

void registerNormLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back({.name = "layernorm",
                   .keys = {"epsilon"},
                   .shorthand = "epsilon",
                   .perPosition = true,
                   .parse = parseEpsilon,
                   .infer = sameShape,
                   .expand = expandLayerNorm,
                   .count = perElementCost(8, 2), // gamma, beta
                   .print = [](const LayerSpec &l) -> std::vector<std::string> {
                     return {"epsilon=" + numText(l.epsilon)};
                   }});
  kinds.push_back({.name = "batchnorm",
                   .keys = {"epsilon", "momentum"},
                   .shorthand = "epsilon",
                   .perPosition = true,
                   .parse = parseBatchNorm,
                   .infer = sameShape,
                   .expand = expandBatchNorm,
                   // gamma, beta + moving mean/variance (not trained)
                   .count = perElementCost(8, 4),
                   .print = [](const LayerSpec &l) -> std::vector<std::string> {
                     return {"epsilon=" + numText(l.epsilon), "momentum=" + numText(l.momentum)};
                   }});
  kinds.push_back({.name = "dropout",
                   .keys = {"rate"},
                   .shorthand = "rate",
                   .required = {{"rate", "a number in [0, 1)"}},
                   .perPosition = true,
                   .parse =
                       [](const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
                         readParam(r, p, l, "rate", l.rate, &SpecReader::getNumberIn, 0, 1, false);
                       },
                   .infer = sameShape,
                   .expand = expandDropout,
                   .count = perElementCost(1, 0),
                   .print = [](const LayerSpec &l) -> std::vector<std::string> {
                     return {"rate=" + numText(l.rate)};
                   }});
  kinds.push_back({.name = "gaussian_noise",
                   .keys = {"stddev"},
                   .shorthand = "stddev",
                   .required = {{"stddev", "a non-negative number"}},
                   .perPosition = true,
                   .parse =
                       [](const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
                         readParam(r, p, l, "stddev", l.stddev, &SpecReader::getNumberIn, 0, 1e300,
                                   true);
                       },
                   .infer = sameShape,
                   .expand = expandGaussianNoise,
                   .count = perElementCost(1, 0),
                   .print = [](const LayerSpec &l) -> std::vector<std::string> {
                     return {"stddev=" + numText(l.stddev)};
                   }});
}

} // namespace aec
