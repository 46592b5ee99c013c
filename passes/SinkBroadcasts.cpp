/// sink-broadcasts: elementwise work before a broadcast, not after it. An elementwise node
/// whose operands are all the same broadcast (same operand shape, same dims) or splat
/// constants is computed on the broadcast's operand and broadcast afterwards. Layernorm's
/// 1 / sqrt(var + eps) then costs one square root and one division per row, not per
/// element. Exact: every element gets the same operations on the same values.
#include "ir/OpRegistry.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <optional>

namespace aec {

namespace {
/// The broadcast every non-constant operand of `n` is (its operand's shape and attrs),
/// or nothing when some operand is neither such a broadcast nor a splat constant.
struct CommonBroadcast {
  Shape operandShape;
  Attrs attrs;
};

std::optional<CommonBroadcast> commonBroadcast(const Graph &g, const Node &n) {
  std::optional<CommonBroadcast> common;
  for (ValueId v : n.operands) {
    const Node &operand = g.node(v);
    if (operand.op == "constant")
      continue;
    if (operand.op != "broadcast")
      return std::nullopt;
    const Shape &shape = g.type(operand.operands[0]).shape;
    if (!common)
      common = CommonBroadcast{shape, operand.attrs};
    else if (common->operandShape != shape || !(common->attrs == operand.attrs))
      return std::nullopt;
  }
  return common;
}
} // namespace

Pass createSinkBroadcastsPass() {
  return {"sink-broadcasts", [](Graph &g) {
            g = rebuildGraph(g, [](Graph &out, Node n) {
              const OpDef *def = lookupOp(n.op);
              std::optional<CommonBroadcast> common;
              if (def->has(TraitElementwise) && !n.body)
                common = commonBroadcast(out, n);
              if (!common || common->operandShape == n.type.shape)
                return out.addUnchecked(std::move(n));
              Node inner = n;
              inner.type.shape = common->operandShape;
              for (ValueId &v : inner.operands) {
                Node operand = out.node(v);
                if (operand.op == "broadcast") {
                  v = operand.operands[0];
                } else { // a splat constant, at the smaller shape
                  operand.type.shape = common->operandShape;
                  v = out.addUnchecked(std::move(operand));
                }
              }
              ValueId computed = out.addUnchecked(std::move(inner));
              return out.addUnchecked(
                  Node{"broadcast", {computed}, common->attrs, n.type, n.loc});
            });
          }};
}

} // namespace aec
