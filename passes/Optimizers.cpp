#include "passes/Optimizers.h"

#include <cmath>

namespace aec {

namespace {
struct Hypers {
  ValueId lr, t;
};

/// m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2,
/// p' = p - (lr / (1 - b1^t)) m' / (sqrt(v') / sqrt(1 - b2^t) + eps)   (torch.optim.Adam)
void adam(Builder &b, const OptimizerSpec &o, const Hypers &h, const ParamUpdate &p) {
  Graph &g = b.graph();
  ValueId m = b.input("adam.m/" + p.name, role::State, b.type(p.param));
  ValueId v = b.input("adam.v/" + p.name, role::State, b.type(p.param));
  // Scalar bias corrections from t: beta^t = exp(t ln beta).
  auto correction = [&](double beta) {
    ValueId pow = b.exp(b.mulScalar(h.t, std::log(beta)));
    return b.sub(b.constantLike(1.0, pow), pow);
  };
  ValueId stepSize = b.div(h.lr, correction(o.beta1));
  ValueId sqrtBc2 = b.sqrt(correction(o.beta2));

  ValueId m2 = b.add(b.mulScalar(m, o.beta1), b.mulScalar(p.grad, 1.0 - o.beta1));
  ValueId v2 = b.add(b.mulScalar(v, o.beta2), b.mulScalar(b.square(p.grad), 1.0 - o.beta2));
  ValueId denom = b.addScalar(b.div(b.sqrt(v2), b.broadcastScalarLike(sqrtBc2, v2)), o.eps);
  ValueId update = b.mul(b.broadcastScalarLike(stepSize, m2), b.div(m2, denom));
  g.addOutput(p.name, b.sub(p.param, update));
  g.addOutput("adam.m/" + p.name, m2);
  g.addOutput("adam.v/" + p.name, v2);
}

/// buf' = momentum buf + g, p' = p - lr buf'   (torch.optim.SGD, dampening 0)
void sgd(Builder &b, const OptimizerSpec &o, const Hypers &h, const ParamUpdate &p) {
  Graph &g = b.graph();
  ValueId direction = p.grad;
  if (o.momentum != 0.0) {
    ValueId buf = b.input("sgd.momentum/" + p.name, role::State, b.type(p.param));
    direction = b.add(b.mulScalar(buf, o.momentum), p.grad);
    g.addOutput(p.name, b.sub(p.param, b.mul(b.broadcastScalarLike(h.lr, direction), direction)));
    g.addOutput("sgd.momentum/" + p.name, direction);
    return;
  }
  g.addOutput(p.name, b.sub(p.param, b.mul(b.broadcastScalarLike(h.lr, direction), direction)));
}

/// v' = rho v + (1 - rho) g^2, p' = p - lr g / (sqrt(v') + eps)   (torch.optim.RMSprop)
void rmsprop(Builder &b, const OptimizerSpec &o, const Hypers &h, const ParamUpdate &p) {
  Graph &g = b.graph();
  ValueId v = b.input("rmsprop.v/" + p.name, role::State, b.type(p.param));
  ValueId v2 = b.add(b.mulScalar(v, o.rho), b.mulScalar(b.square(p.grad), 1.0 - o.rho));
  ValueId step = b.div(p.grad, b.addScalar(b.sqrt(v2), o.eps));
  g.addOutput(p.name, b.sub(p.param, b.mul(b.broadcastScalarLike(h.lr, step), step)));
  g.addOutput("rmsprop.v/" + p.name, v2);
}
} // namespace

void buildOptimizerUpdate(Builder &b, const OptimizerSpec &opt,
                          const std::vector<ParamUpdate> &params) {
  if (params.empty())
    return;
  b.loc = opt.loc;
  DType dtype = b.type(params.front().param).dtype;
  Hypers h{b.input("lr", role::Hyper, {dtype, {}}), b.input("t", role::Hyper, {dtype, {}})};
  for (const ParamUpdate &p : params) {
    if (opt.kind == "adam")
      adam(b, opt, h, p);
    else if (opt.kind == "sgd")
      sgd(b, opt, h, p);
    else if (opt.kind == "rmsprop")
      rmsprop(b, opt, h, p);
    else
      fail(opt.loc, "unknown optimizer '" + opt.kind + "' (expected adam, sgd or rmsprop)");
  }
}

} // namespace aec
