/// Elementwise ops: operands and result share one type. Each gradient rule uses only
/// differentiable registered ops, so rules compose (grad of grad).
#include "ir/ops/OpHelpers.h"

#include <cmath>
#include <xtensor/xmath.hpp>

namespace aec {

namespace {
using Ids = std::vector<ValueId>;

void exampleSame(size_t arity, std::vector<Shape> &operands, Attrs &, Shape &) {
  operands.assign(arity, Shape{3, 4});
}

/// Splat operands give a splat: `eval` once on their scalars.
FoldFn foldOnScalars(EvalFn eval) {
  return [eval](const Graph &, const Node &n, const Splats &splats) {
    std::vector<Tensor> scalars;
    for (const std::optional<double> &s : splats) {
      if (!s)
        return Folded::none();
      scalars.push_back(Tensor(*s));
    }
    std::vector<const Tensor *> args;
    for (const Tensor &t : scalars)
      args.push_back(&t);
    return Folded::constant(eval(n, args).flat(0));
  };
}

/// `identity` (an operand the node equals, or NoValue) first, then folding on scalars.
/// Identities are exact in IEEE arithmetic but for the sign of a zero result (-0 + 0).
FoldFn withIdentity(FoldFn scalars,
                    std::function<ValueId(const Graph &, const Node &, const Splats &)> identity) {
  return [scalars, identity](const Graph &g, const Node &n, const Splats &s) {
    if (ValueId same = identity(g, n, s); same != NoValue)
      return Folded::same(same);
    return scalars(g, n, s);
  };
}

OpDef unary(const std::string &name, std::function<Tensor(const Tensor &)> f, GradFn grad,
            unsigned extraTraits = TraitNone) {
  OpDef d;
  d.name = name;
  d.arity = 1;
  d.traits = TraitElementwise | extraTraits;
  d.infer = ops::sameTypeAsOperands;
  d.grad = std::move(grad);
  d.eval = [f](const Node &, const std::vector<const Tensor *> &a) { return f(*a[0]); };
  d.fold = foldOnScalars(d.eval);
  d.example = [](std::vector<Shape> &o, Attrs &at, Shape &r) { exampleSame(1, o, at, r); };
  return d;
}

OpDef binary(const std::string &name, std::function<Tensor(const Tensor &, const Tensor &)> f,
             GradFn grad) {
  OpDef d;
  d.name = name;
  d.arity = 2;
  d.traits = TraitElementwise;
  d.infer = ops::sameTypeAsOperands;
  d.grad = std::move(grad);
  d.eval = [f](const Node &, const std::vector<const Tensor *> &a) { return f(*a[0], *a[1]); };
  d.fold = foldOnScalars(d.eval);
  d.example = [](std::vector<Shape> &o, Attrs &at, Shape &r) { exampleSame(2, o, at, r); };
  return d;
}

ValueId x0(const Node &n) { return n.operands[0]; }
ValueId x1(const Node &n) { return n.operands[1]; }
} // namespace

using ops::isSplat;

void registerElementwiseOps(std::vector<OpDef> &ops) {
  OpDef add = binary(
      "add", [](const Tensor &a, const Tensor &b) -> Tensor { return a + b; },
      [](Builder &, const Node &, ValueId, ValueId g) { return Ids{g, g}; });
  add.fold = withIdentity(add.fold, [](const Graph &, const Node &n, const Splats &s) {
    return isSplat(s[1], 0.0) ? x0(n) : isSplat(s[0], 0.0) ? x1(n) : NoValue;
  });
  ops.push_back(add);
  OpDef sub = binary(
      "sub", [](const Tensor &a, const Tensor &b) -> Tensor { return a - b; },
      [](Builder &b, const Node &, ValueId, ValueId g) { return Ids{g, b.neg(g)}; });
  sub.fold = withIdentity(sub.fold, [](const Graph &, const Node &n, const Splats &s) {
    return isSplat(s[1], 0.0) ? x0(n) : NoValue;
  });
  ops.push_back(sub);
  OpDef mul = binary(
      "mul", [](const Tensor &a, const Tensor &b) -> Tensor { return a * b; },
      [](Builder &b, const Node &n, ValueId, ValueId g) {
        return Ids{b.mul(g, x1(n)), b.mul(g, x0(n))};
      });
  mul.fold = withIdentity(mul.fold, [](const Graph &, const Node &n, const Splats &s) {
    return isSplat(s[1], 1.0) ? x0(n) : isSplat(s[0], 1.0) ? x1(n) : NoValue;
  });
  ops.push_back(mul);
  OpDef div = binary(
      "div", [](const Tensor &a, const Tensor &b) -> Tensor { return a / b; },
      // d(a/b) = g/b, -g*(a/b)/b
      [](Builder &b, const Node &n, ValueId self, ValueId g) {
        return Ids{b.div(g, x1(n)), b.neg(b.div(b.mul(g, self), x1(n)))};
      });
  div.exampleMin = 0.5;
  div.fold = withIdentity(div.fold, [](const Graph &, const Node &n, const Splats &s) {
    return isSplat(s[1], 1.0) ? x0(n) : NoValue;
  });
  ops.push_back(div);

  OpDef neg = unary(
      "neg", [](const Tensor &a) -> Tensor { return -a; },
      [](Builder &b, const Node &, ValueId, ValueId g) { return Ids{b.neg(g)}; });
  neg.fold = withIdentity(neg.fold, [](const Graph &g, const Node &n, const Splats &) {
    const Node &inner = g.node(x0(n));
    return inner.op == "neg" ? inner.operands[0] : NoValue;
  });
  ops.push_back(neg);
  ops.push_back(unary(
      "exp", [](const Tensor &a) -> Tensor { return xt::exp(a); },
      [](Builder &b, const Node &, ValueId self, ValueId g) { return Ids{b.mul(g, self)}; }));
  OpDef log = unary(
      "log", [](const Tensor &a) -> Tensor { return xt::log(a); },
      [](Builder &b, const Node &n, ValueId, ValueId g) { return Ids{b.div(g, x0(n))}; });
  log.exampleMin = 0.5;
  ops.push_back(log);
  OpDef log1p = unary(
      "log1p", [](const Tensor &a) -> Tensor { return xt::log1p(a); },
      [](Builder &b, const Node &n, ValueId, ValueId g) {
        return Ids{b.div(g, b.addScalar(x0(n), 1.0))};
      });
  log1p.exampleMin = -0.5;
  ops.push_back(log1p);
  ops.push_back(unary(
      "tanh", [](const Tensor &a) -> Tensor { return xt::tanh(a); },
      // 1 - tanh^2
      [](Builder &b, const Node &, ValueId self, ValueId g) {
        ValueId one = b.constantLike(1.0, self);
        return Ids{b.mul(g, b.sub(one, b.square(self)))};
      }));
  ops.push_back(unary(
      "sigmoid", [](const Tensor &a) -> Tensor { return 1.0 / (1.0 + xt::exp(-a)); },
      // s * (1 - s)
      [](Builder &b, const Node &, ValueId self, ValueId g) {
        ValueId one = b.constantLike(1.0, self);
        return Ids{b.mul(g, b.mul(self, b.sub(one, self)))};
      }));
  OpDef sqrt = unary(
      "sqrt", [](const Tensor &a) -> Tensor { return xt::sqrt(a); },
      [](Builder &b, const Node &, ValueId self, ValueId g) {
        return Ids{b.div(g, b.mulScalar(self, 2.0))};
      });
  sqrt.exampleMin = 0.5;
  ops.push_back(sqrt);
  ops.push_back(unary(
      "erf", [](const Tensor &a) -> Tensor { return xt::erf(a); },
      // 2/sqrt(pi) * exp(-x^2)
      [](Builder &b, const Node &n, ValueId, ValueId g) {
        ValueId e = b.exp(b.neg(b.square(x0(n))));
        return Ids{b.mul(g, b.mulScalar(e, 2.0 / std::sqrt(M_PI)))};
      }));
  ops.push_back(unary(
      "abs", [](const Tensor &a) -> Tensor { return xt::abs(a); },
      [](Builder &b, const Node &n, ValueId, ValueId g) { return Ids{b.mul(g, b.sign(x0(n)))}; }));
  ops.push_back(unary(
      "sign", [](const Tensor &a) -> Tensor { return xt::sign(a); }, nullptr, TraitNoGrad));
  ops.push_back(unary(
      "step", [](const Tensor &a) -> Tensor { return xt::cast<double>(a > 0.0); }, nullptr,
      TraitNoGrad));
  ops.push_back(unary(
      "relu", [](const Tensor &a) -> Tensor { return xt::maximum(a, 0.0); },
      [](Builder &b, const Node &n, ValueId, ValueId g) { return Ids{b.mul(g, b.step(x0(n)))}; }));
}

} // namespace aec
