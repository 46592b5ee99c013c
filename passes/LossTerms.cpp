#include "passes/LossTerms.h"
#include "passes/Passes.h"

#include <cmath>

namespace aec {

namespace {

/// Each unit of a contractive layer adds a copy of the backward graph: beyond this the
/// training step grows past what compiles in reasonable time.
constexpr int64_t MaxContractiveUnits = 1024;

/// a [B, ...] -> [B, N].
ValueId rows(Builder &b, ValueId a) {
  const Shape &s = b.shape(a);
  int64_t n = 1;
  for (size_t d = 1; d < s.size(); ++d)
    n *= s[d];
  return b.reshape(a, {s[0], n});
}

ValueId sumInto(Builder &b, ValueId acc, ValueId term) {
  return acc == NoValue ? term : b.add(acc, term);
}

ValueId layerValue(const ForwardInfo &info, const LossTermSpec &t) {
  auto it = info.layers.find(t.layer);
  if (it == info.layers.end())
    fail(t.loc, "loss term " + t.kind + " refers to layer '" + t.layer +
                    "', which this graph does not compute");
  return it->second;
}

/// clip(v, lo, hi) = lo + relu(v - lo) - relu(v - hi): exact, and differentiable (slope 1
/// inside, 0 outside) with the ops the AD knows.
ValueId clip(Builder &b, ValueId v, double lo, double hi) {
  ValueId inside = b.sub(b.relu(b.addScalar(v, -lo)), b.relu(b.addScalar(v, -hi)));
  return b.addScalar(inside, lo);
}

/// weight * sum_j KL(rho || rho_hat_j), rho_hat over the real samples.
ValueId klSparsity(Builder &b, const LossTermSpec &t, ValueId a, ValueId weight) {
  ValueId r = rows(b, a);
  const Shape &s = b.shape(r);
  ValueId weighted = b.mul(r, b.broadcast(weight, s, {0}));
  ValueId sum = b.reduceSum(weighted, {0});
  ValueId rhoHat = clip(b, b.div(sum, b.broadcastScalarLike(b.sumAll(weight), sum)), 1e-7,
                        1.0 - 1e-7);
  const double rho = t.rho;
  // KL = rho log rho - rho log rho_hat + (1 - rho) log(1 - rho) - (1 - rho) log1p(-rho_hat);
  // the rho-only parts are constants (0 log 0 = 0).
  auto xlogx = [](double v) { return v > 0 ? v * std::log(v) : 0.0; };
  ValueId kl = b.neg(b.add(b.mulScalar(b.log(rhoHat), rho),
                           b.mulScalar(b.log1p(b.neg(rhoHat)), 1.0 - rho)));
  kl = b.addScalar(kl, xlogx(rho) + xlogx(1.0 - rho));
  return b.mulScalar(b.sumAll(kl), t.weight);
}

ValueId weightDecay(Builder &b, const LossTermSpec &t, const ForwardInfo &info) {
  Graph &g = b.graph();
  ValueId sum = NoValue;
  auto endsWith = [](const std::string &s, const std::string &suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (const ParamSpec &p : info.params) {
    if (!p.trainable || !(endsWith(p.name, "/kernel") || endsWith(p.name, "/recurrent_kernel")))
      continue;
    ValueId v = g.findInput(p.name);
    sum = sumInto(b, sum, b.sumAll(b.square(v)));
  }
  if (sum == NoValue)
    fail(t.loc, "loss term weight_decay: the model has no kernels to decay");
  return b.mulScalar(sum, t.weight);
}

} // namespace

ValueId contractivePenalty(Builder &b, ValueId h, ValueId x) {
  Graph &g = b.graph();
  ValueId r = rows(b, h);
  const int64_t batch = b.shape(r)[0], units = b.shape(r)[1];
  ValueId total = NoValue;
  for (int64_t j = 0; j < units; ++j) {
    ValueId column = b.slice(r, {0, j}, {batch, j + 1}, {1, 1});
    ValueId grad = buildGradients(g, b.sumAll(column), {x}).at(0);
    total = sumInto(b, total, b.reduceSum(b.square(rows(b, grad)), {1}));
  }
  return total;
}

ExtraLoss buildLossTerms(Builder &b, const ModelSpec &spec, const ForwardInfo &info, ValueId x,
                         ValueId weight) {
  ExtraLoss out;
  if (info.klPerSample != NoValue) {
    b.loc = spec.loss.loc;
    out.perSample = b.mulScalar(info.klPerSample, spec.loss.beta);
  }
  for (const LossTermSpec &t : spec.loss.terms) {
    b.loc = t.loc;
    if (t.kind == "l1_activity") {
      ValueId a = rows(b, layerValue(info, t));
      out.perSample = sumInto(b, out.perSample, b.mulScalar(b.reduceSum(b.abs(a), {1}), t.weight));
    } else if (t.kind == "kl_sparsity") {
      out.batch = sumInto(b, out.batch, klSparsity(b, t, layerValue(info, t), weight));
    } else if (t.kind == "contractive") {
      ValueId h = layerValue(info, t);
      int64_t units = b.type(h).numElements() / b.shape(h)[0];
      if (units > MaxContractiveUnits)
        fail(t.loc, "loss term contractive: layer '" + t.layer + "' has " +
                        std::to_string(units) + " units; the Jacobian takes one backward sweep "
                        "per unit, at most " + std::to_string(MaxContractiveUnits) +
                        " (put the term on the code)");
      ValueId penalty = contractivePenalty(b, h, x);
      out.perSample = sumInto(b, out.perSample, b.mulScalar(penalty, t.weight));
    } else if (t.kind == "weight_decay") {
      out.batch = sumInto(b, out.batch, weightDecay(b, t, info));
    } else {
      fail(t.loc, "unknown loss term '" + t.kind + "'");
    }
  }
  return out;
}

} // namespace aec
