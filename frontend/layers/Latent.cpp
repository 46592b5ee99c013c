/// vae_latent: the VAE's code layer, mean and log-variance heads and the reparameterised
/// sample; it adds the KL term to the loss.
#include "frontend/LayerKind.h"

namespace aec {

namespace {

void parseLatent(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  readParam(r, p, l, "units", l.units, &SpecReader::getPositiveInt);
  parseInitializers(r, p, l);
}

Shape inferLatent(const LayerSpec &l, const std::vector<Shape> &inputs) {
  requireRank(l, inputs.at(0), 1, "[features]");
  return {l.units};
}

/// Two dense heads, params `<layer>/mean/{kernel,bias}` and `<layer>/log_var/{kernel,bias}`
/// (kernel_initializer and bias_initializer apply to both).
/// Train: z = mean + exp(log_var / 2) * eps with eps a noise_normal input `noise/<layer>`;
/// Infer: z = mean (encode gives the mean, and reconstruct decodes the mean). Both modes
/// record KL(q(z|x) || N(0, I)) per sample in ForwardInfo.klPerSample.
ValueId expandLatent(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in, ValueId *) {
  Builder &b = ex.B;
  ValueId x = in.at(0);
  int64_t fanIn = b.shape(x).back(), u = l.units;
  auto head = [&](const std::string &name) {
    ValueId kernel = ex.param(l, name + "/kernel", {fanIn, u}, initText(l.kernelInit, {fanIn, u}));
    ValueId bias = ex.param(l, name + "/bias", {u}, initText(l.biasInit, {u}));
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

void countLatent(const LayerSpec &l, const Shape &in, LayerSummary &row) {
  int64_t fanIn = in.back(), u = l.units;
  row.params = saturatingMul(2, saturatingSum({saturatingMul(fanIn, u), u}));
  // Two heads, then sample = mean + exp(logvar / 2) * eps.
  row.flops = saturatingSum({saturatingMul(2, saturatingSum({saturatingProduct({2, fanIn, u}), u})), 4 * u});
}

} // namespace

void registerLatentLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back({.name = "vae_latent",
                   .keys = {"units", "kernel_initializer", "bias_initializer"},
                   .shorthand = "units",
                   .required = {{"units", "a positive integer"}},
                   .makesCode = true,
                   .wrappable = false,
                   .parse = parseLatent,
                   .infer = inferLatent,
                   .expand = expandLatent,
                   .count = countLatent,
                   .print = [](const LayerSpec &l) {
                     std::vector<std::string> p = {"units=" + std::to_string(l.units)};
                     for (std::string &s : initializerText(l))
                       p.push_back(std::move(s));
                     return p;
                   }});
}

} // namespace aec
