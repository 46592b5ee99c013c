/// Composite ops, expanded into primitives as they are built: they get gradients,
/// interpretation and lowering from their parts.
#include "ir/Builder.h"

#include <cmath>
#include <numeric>

namespace aec {

const std::vector<std::string> &activationNames() {
  static const std::vector<std::string> names = {"linear", "relu", "leaky_relu", "sigmoid",
                                                 "tanh",   "selu", "elu",        "silu",
                                                 "softplus", "gelu"};
  return names;
}

ValueId softplus(Builder &b, ValueId x) {
  // log(1 + e^x) = relu(x) + log1p(e^-|x|): no overflow for large |x|.
  return b.add(b.relu(x), b.log1p(b.exp(b.neg(b.abs(x)))));
}

ValueId silu(Builder &b, ValueId x) { return b.mul(x, b.sigmoid(x)); }

namespace {
/// elu(x) = x for x > 0, alpha (e^x - 1) otherwise; min(x, 0) = -relu(-x).
ValueId elu(Builder &b, ValueId x, double alpha) {
  ValueId negPart = b.neg(b.relu(b.neg(x)));
  ValueId expm1 = b.addScalar(b.exp(negPart), -1.0);
  return b.add(b.relu(x), b.mulScalar(expm1, alpha));
}
} // namespace

ValueId activation(Builder &b, ValueId x, const std::string &name, double alpha) {
  auto alphaOr = [&](double fallback) { return std::isnan(alpha) ? fallback : alpha; };
  if (name == "linear")
    return x;
  if (name == "relu")
    return b.relu(x);
  if (name == "leaky_relu") // relu(x) - alpha relu(-x); Keras' default alpha is 0.3
    return b.sub(b.relu(x), b.mulScalar(b.relu(b.neg(x)), alphaOr(0.3)));
  if (name == "sigmoid")
    return b.sigmoid(x);
  if (name == "tanh")
    return b.tanh(x);
  if (name == "elu")
    return elu(b, x, alphaOr(1.0));
  if (name == "selu") // constants of Klambauer et al. (2017), as Keras and PyTorch
    return b.mulScalar(elu(b, x, 1.6732632423543772848170429916717),
                       1.0507009873554804934193349852946);
  if (name == "silu")
    return silu(b, x);
  if (name == "softplus")
    return softplus(b, x);
  if (name == "gelu") // exact form (erf), the default of Keras and PyTorch
    return b.mul(b.mulScalar(x, 0.5), b.addScalar(b.erf(b.mulScalar(x, M_SQRT1_2)), 1.0));
  fail(b.loc, "unknown activation '" + name + "'");
}

ValueId layerNorm(Builder &b, ValueId x, ValueId gamma, ValueId beta, double epsilon) {
  const Shape shape = b.shape(x);
  const int64_t last = static_cast<int64_t>(shape.size()) - 1;
  std::vector<int64_t> leading(last);
  std::iota(leading.begin(), leading.end(), 0);
  const double invN = 1.0 / static_cast<double>(shape[last]);
  auto meanLast = [&](ValueId v) {
    return b.broadcast(b.mulScalar(b.reduceSum(v, {last}), invN), shape, leading);
  };
  ValueId centered = b.sub(x, meanLast(x));
  ValueId var = meanLast(b.square(centered));
  ValueId invStd = b.div(b.constantLike(1.0, var), b.sqrt(b.addScalar(var, epsilon)));
  ValueId normed = b.mul(centered, invStd);
  return b.add(b.mul(normed, b.broadcast(gamma, shape, {last})), b.broadcast(beta, shape, {last}));
}

ValueId meanPerSample(Builder &b, ValueId perElement) {
  const Shape &shape = b.shape(perElement);
  std::vector<int64_t> axes(shape.size() - 1);
  std::iota(axes.begin(), axes.end(), 1);
  int64_t features = 1;
  for (size_t d = 1; d < shape.size(); ++d)
    features *= shape[d];
  return b.mulScalar(b.reduceSum(perElement, axes), 1.0 / static_cast<double>(features));
}

ValueId perSampleLoss(Builder &b, const std::string &kind, ValueId prediction, ValueId target,
                      bool logits) {
  if (kind == "mse")
    return meanPerSample(b, b.square(b.sub(prediction, target)));
  if (kind == "mae")
    return meanPerSample(b, b.abs(b.sub(prediction, target)));
  if (kind == "bce") {
    if (logits) // relu(z) - z y + log(1 + e^-|z|), stable for any z
      return meanPerSample(
          b, b.add(b.sub(b.relu(prediction), b.mul(prediction, target)),
                   b.log1p(b.exp(b.neg(b.abs(prediction))))));
    // Probabilities: Keras' epsilon keeps log finite at 0 and 1.
    const double eps = 1e-7;
    ValueId one = b.constantLike(1.0, target);
    ValueId pos = b.mul(target, b.log(b.addScalar(prediction, eps)));
    ValueId neg = b.mul(b.sub(one, target), b.log(b.addScalar(b.sub(one, prediction), eps)));
    return meanPerSample(b, b.neg(b.add(pos, neg)));
  }
  fail(b.loc, "unknown loss '" + kind + "' (expected mse, mae or bce)");
}

ValueId weightedMean(Builder &b, ValueId perSample, ValueId weights) {
  return b.div(b.sumAll(b.mul(perSample, weights)), b.sumAll(weights));
}

} // namespace aec
