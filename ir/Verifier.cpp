#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <set>

namespace aec {

namespace {
[[noreturn]] void verifyError(const Graph &g, const Node *n, const std::string &afterPass,
                              const std::string &msg) {
  std::string where = "graph @" + g.name;
  if (!afterPass.empty())
    where += " after pass '" + afterPass + "'";
  fail(n ? n->loc : SourceLoc{}, where + ": " + msg);
}
} // namespace

void verifyGraph(const Graph &g, const std::string &afterPass) {
  std::set<std::string> inputNames;
  for (size_t i = 0; i < g.size(); ++i) {
    const Node &n = g.node(static_cast<ValueId>(i));
    const std::string self = "%" + std::to_string(i) + " (" + n.op + ")";
    const OpDef *def = lookupOp(n.op);
    if (!def)
      verifyError(g, &n, afterPass, self + ": unknown op");
    if (def->arity >= 0 && static_cast<int>(n.operands.size()) != def->arity)
      verifyError(g, &n, afterPass, self + ": wrong number of operands");
    for (ValueId v : n.operands)
      if (v < 0 || v >= static_cast<ValueId>(i))
        verifyError(g, &n, afterPass, self + ": operand %" + std::to_string(v) +
                                          " is not defined before its use");
    for (const std::string &a : def->attrs)
      if (!n.attrs.has(a))
        verifyError(g, &n, afterPass, self + ": missing attribute '" + a + "'");
    if (n.body)
      verifyGraph(*n.body, afterPass);
    TensorType inferred = def->infer(g, n);
    if (inferred != n.type)
      verifyError(g, &n, afterPass, self + ": type " + n.type.str() + " but the op gives " +
                                        inferred.str());
    if (n.op == "input" && !inputNames.insert(n.attrs.getString("name")).second)
      verifyError(g, &n, afterPass, "duplicate input '" + n.attrs.getString("name") + "'");
  }
  std::set<std::string> outputNames;
  for (const GraphOutput &o : g.outputs) {
    if (o.value < 0 || o.value >= static_cast<ValueId>(g.size()))
      verifyError(g, nullptr, afterPass, "output '" + o.name + "' refers to an undefined value");
    if (!outputNames.insert(o.name).second)
      verifyError(g, nullptr, afterPass, "duplicate output '" + o.name + "'");
  }
}

void verifyModule(const Module &module, const std::string &afterPass) {
  for (const Graph &g : module.graphs)
    verifyGraph(g, afterPass);
}

} // namespace aec
