#include "passes/LossTerms.h"
#include "passes/Passes.h"
#include "ir/OpRegistry.h"

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

/// The dense layer h = g(A W + bias) on A = x or rows(x), g elementwise: the matmul
/// node, or NoValue when h is anything else (a deeper encoder, noise on the input).
/// Every value between the matmul and h that depends on x must be elementwise, so that
/// h[b, j] depends on x only through (A W)[b, j].
ValueId denseProduct(const Graph &g, ValueId h, ValueId x) {
  std::vector<bool> fromX(g.size(), false);
  fromX[x] = true;
  for (ValueId v = x + 1; v <= h; ++v)
    for (ValueId o : g.node(v).operands)
      if (fromX[o])
        fromX[v] = true;
  ValueId product = NoValue;
  std::vector<ValueId> work = {h};
  std::vector<bool> seen(g.size(), false);
  while (!work.empty()) {
    ValueId v = work.back();
    work.pop_back();
    if (seen[v] || !fromX[v])
      continue;
    seen[v] = true;
    const Node &n = g.node(v);
    if (n.op == "matmul") {
      ValueId a = n.operands[0], w = n.operands[1];
      const Shape &as = g.type(a).shape;
      bool rowsOfX = a == x || (g.node(a).op == "reshape" && g.node(a).operands[0] == x &&
                                as.size() == 2 && as[0] == g.type(x).shape[0]);
      if ((product != NoValue && product != v) || !rowsOfX || fromX[w] || n.attrs.getInt("ta", 0))
        return NoValue;
      product = v;
      continue;
    }
    const OpDef *def = lookupOp(n.op);
    if (!def || !def->has(TraitElementwise))
      return NoValue;
    for (ValueId o : n.operands)
      work.push_back(o);
  }
  return product != NoValue && g.type(product).shape == g.type(h).shape ? product : NoValue;
}

/// For h = g(A W + bias) the Jacobian of sample b is diag(g'(z_b)) W^T, so
/// ||d h_b / d x_b||^2 = sum_j g'(z_bj)^2 sum_i W_ij^2: one backward sweep (for g') instead
/// of one per unit. NoValue when h is not such a layer.
ValueId denseContractivePenalty(Builder &b, ValueId h, ValueId x) {
  Graph &g = b.graph();
  ValueId z = denseProduct(g, h, x);
  if (z == NoValue)
    return NoValue;
  // d sum(h) / d z[b, j] = g'(z[b, j]) since h[b, j] depends on z[b, j] alone.
  ValueId slope = buildGradients(g, b.sumAll(h), {z}).at(0);
  ValueId w = g.node(z).operands[1];
  const bool transposed = g.node(z).attrs.getInt("tb", 0) != 0; // W stored [m, n]
  ValueId columnNorms = b.reduceSum(b.square(w), {transposed ? 1 : 0});
  const Shape &s = b.shape(slope);
  return b.reduceSum(b.mul(b.square(slope), b.broadcast(columnNorms, s, {1})), {1});
}

} // namespace

ValueId contractivePenalty(Builder &b, ValueId h, ValueId x) {
  if (ValueId dense = denseContractivePenalty(b, h, x); dense != NoValue)
    return dense;
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
