/// Algebraic simplification and constant folding of splat constants. Only rewrites that are
/// exact in IEEE arithmetic (x*1, x+0, -(-x), folding), so results do not change.
#include "ir/Interpreter.h"
#include "ir/OpRegistry.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <optional>

namespace aec {

namespace {
std::optional<double> splatValue(const Graph &g, ValueId v) {
  const Node &n = g.node(v);
  if (n.op != "constant")
    return std::nullopt;
  return n.attrs.getFloat("value");
}

bool isSplat(const Graph &g, ValueId v, double value) {
  std::optional<double> s = splatValue(g, v);
  return s && *s == value;
}

/// A constant of the node's type, or nullopt when the node does not fold.
std::optional<double> fold(const Graph &g, const Node &n) {
  if (n.operands.empty())
    return std::nullopt;
  std::vector<double> values;
  for (ValueId v : n.operands) {
    std::optional<double> s = splatValue(g, v);
    if (!s)
      return std::nullopt;
    values.push_back(*s);
  }
  const OpDef *def = lookupOp(n.op);
  if (def->has(TraitShape))
    return values[0];
  if (n.op == "reduce_sum") {
    double count = static_cast<double>(g.type(n.operands[0]).numElements()) /
                   static_cast<double>(n.type.numElements());
    return values[0] * count;
  }
  if (!def->has(TraitElementwise))
    return std::nullopt;
  // Evaluate the op once on scalars, rounded like the node's dtype.
  std::vector<Tensor> scalars;
  for (double v : values)
    scalars.push_back(Tensor(v));
  std::vector<const Tensor *> args;
  for (const Tensor &t : scalars)
    args.push_back(&t);
  Tensor r = def->eval(n, args);
  roundToDType(r, n.type.dtype);
  return r.flat(0);
}

/// An existing value the node is equal to, or NoValue.
ValueId identity(const Graph &g, const Node &n) {
  const auto &o = n.operands;
  if (n.op == "add" && isSplat(g, o[1], 0.0))
    return o[0];
  if (n.op == "add" && isSplat(g, o[0], 0.0))
    return o[1];
  if (n.op == "sub" && isSplat(g, o[1], 0.0))
    return o[0];
  if (n.op == "mul" && isSplat(g, o[1], 1.0))
    return o[0];
  if (n.op == "mul" && isSplat(g, o[0], 1.0))
    return o[1];
  if (n.op == "div" && isSplat(g, o[1], 1.0))
    return o[0];
  if (n.op == "neg" && g.node(o[0]).op == "neg")
    return g.node(o[0]).operands[0];
  return NoValue;
}
} // namespace

Pass createSimplifyPass() {
  return {"simplify", [](Graph &g) {
            g = rebuildGraph(g, [](Graph &out, Node n) {
              if (ValueId same = identity(out, n); same != NoValue)
                return same;
              if (std::optional<double> c = fold(out, n))
                return out.addUnchecked(
                    Node{"constant", {}, Attrs{{"value", *c}}, n.type, n.loc});
              return out.addUnchecked(std::move(n));
            });
          }};
}

} // namespace aec
