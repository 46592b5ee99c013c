/// Dense-family layers: dense, the VAE's latent layer, and time_distributed.
#include "frontend/Expander.h"

#include <numeric>

namespace aec {

namespace {
int64_t product(Shape::const_iterator begin, Shape::const_iterator end) {
  return std::accumulate(begin, end, int64_t(1), std::multiplies<int64_t>());
}

/// x [rows..., in] x kernel [in, units] + bias: the affine part of a dense layer; inputs of
/// rank > 2 are flattened to rows first (Keras' Dense acts on the last axis).
ValueId affine(Builder &b, ValueId x, ValueId kernel, ValueId bias) {
  Shape inShape = b.shape(x);
  int64_t in = inShape.back(), units = b.shape(kernel)[1];
  int64_t rows = product(inShape.begin(), inShape.end() - 1);
  ValueId flat = inShape.size() == 2 ? x : b.reshape(x, {rows, in});
  ValueId y = b.matmul(flat, kernel);
  if (bias != NoValue)
    y = b.add(y, b.broadcast(bias, {rows, units}, {1}));
  if (inShape.size() != 2) {
    Shape outShape = inShape;
    outShape.back() = units;
    y = b.reshape(y, outShape);
  }
  return y;
}
} // namespace

ValueId expandDense(Expander &ex, const LayerSpec &l, ValueId x, ValueId *logitsOut) {
  int64_t in = ex.B.shape(x).back();
  ValueId kernel = ex.param(l, "kernel", {in, l.units}, glorotInit(in, l.units));
  ValueId bias = l.useBias ? ex.param(l, "bias", {l.units}, "zeros") : NoValue;
  ValueId y = affine(ex.B, x, kernel, bias);
  if (logitsOut)
    *logitsOut = y;
  return activation(ex.B, y, l.activation, l.alpha);
}

/// Two dense heads, params `<layer>/mean/{kernel,bias}` and `<layer>/log_var/{kernel,bias}`.
/// Train: z = mean + exp(log_var / 2) * eps with eps a noise_normal input `noise/<layer>`;
/// Infer: z = mean (encode gives the mean, and reconstruct decodes the mean). Both modes
/// record KL(q(z|x) || N(0, I)) per sample in ForwardInfo.klPerSample.
ValueId expandVaeLatent(Expander &ex, const LayerSpec &l, ValueId x) {
  Builder &b = ex.B;
  int64_t in = b.shape(x).back(), u = l.units;
  auto head = [&](const std::string &name) {
    ValueId kernel = ex.param(l, name + "/kernel", {in, u}, glorotInit(in, u));
    ValueId bias = ex.param(l, name + "/bias", {u}, "zeros");
    return affine(b, x, kernel, bias);
  };
  ValueId mean = head("mean");
  ValueId logVar = head("log_var");
  // KL = -1/2 sum_j (1 + log_var - mean^2 - exp(log_var)).
  ValueId terms = b.sub(b.sub(b.addScalar(logVar, 1.0), b.square(mean)), b.exp(logVar));
  ex.Info.klPerSample = b.mulScalar(b.reduceSum(terms, {1}), -0.5);
  if (!ex.training())
    return mean;
  ValueId eps = ex.noise(l, role::NoiseNormal, {u});
  return b.add(mean, b.mul(b.exp(b.mulScalar(logVar, 0.5)), eps));
}

/// Layers that act on the last axis or elementwise apply to [B, T, ...] as they are (Keras'
/// TimeDistributed(BatchNormalization) normalises over batch and time, as this does);
/// others run on [B*T, ...] and are reshaped back.
ValueId expandTimeDistributed(Expander &ex, const LayerSpec &l, ValueId x, ValueId *logitsOut) {
  const LayerSpec &inner = l.inner.at(0);
  const std::string &k = inner.kind;
  if (k == "dense" || k == "layernorm" || k == "batchnorm" || k == "dropout" ||
      k == "gaussian_noise")
    return ex.layer(inner, {x}, logitsOut);
  Shape shape = ex.B.shape(x);
  int64_t outer = ex.Batch, steps = shape[1];
  Shape folded(shape.begin() + 1, shape.end());
  folded[0] = shape[0] * steps;
  ex.Batch = outer * steps;
  ValueId pre = NoValue;
  ValueId y = ex.layer(inner, {ex.B.reshape(x, folded)}, &pre);
  ex.Batch = outer;
  ex.B.loc = l.loc;
  auto unfold = [&](ValueId v) {
    Shape s = ex.B.shape(v);
    s.insert(s.begin() + 1, steps);
    s[0] = outer;
    return ex.B.reshape(v, s);
  };
  if (logitsOut && pre != NoValue)
    *logitsOut = unfold(pre);
  return unfold(y);
}

} // namespace aec
