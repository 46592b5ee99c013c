/// Simplification: each node is offered to its op's `fold` (OpDef::fold, beside its
/// `eval` and `grad`), which may replace it by a splat constant or by a value it equals.
/// The folds are exact, so results do not change; the before/after-every-pass tests hold
/// them to that.
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

/// `value` as a buffer of `dtype` holds it.
double rounded(double value, DType dtype) {
  Tensor t(value);
  roundToDType(t, dtype);
  return t();
}
} // namespace

Pass createSimplifyPass() {
  return {"simplify", [](Graph &g) {
            g = rebuildGraph(g, [](Graph &out, Node n) {
              const OpDef *def = lookupOp(n.op);
              if (!def->fold)
                return out.addUnchecked(std::move(n));
              Splats splats;
              for (ValueId v : n.operands)
                splats.push_back(splatValue(out, v));
              Folded folded = def->fold(out, n, splats);
              if (folded.value != NoValue)
                return folded.value;
              if (folded.splat)
                return out.addUnchecked(Node{"constant",
                                             {},
                                             Attrs{{"value", rounded(*folded.splat, n.type.dtype)}},
                                             n.type,
                                             n.loc});
              return out.addUnchecked(std::move(n));
            });
          }};
}

} // namespace aec
