#include "ir/Interpreter.h"
#include "ir/OpRegistry.h"

namespace aec {

void roundToDType(Tensor &t, DType dtype) {
  if (dtype == DType::F32)
    for (double &v : t)
      v = static_cast<double>(static_cast<float>(v));
}

namespace {
/// Marks the nodes the outputs depend on, so unused inputs need no binding.
std::vector<bool> liveNodes(const Graph &graph) {
  std::vector<bool> live(graph.size(), false);
  for (const GraphOutput &o : graph.outputs)
    live[o.value] = true;
  for (size_t i = graph.size(); i-- > 0;)
    if (live[i])
      for (ValueId v : graph.node(static_cast<ValueId>(i)).operands)
        live[v] = true;
  return live;
}
} // namespace

TensorMap interpret(const Graph &graph, const TensorMap &inputs) {
  std::vector<Tensor> values(graph.size());
  std::vector<bool> live = liveNodes(graph);
  for (size_t i = 0; i < graph.size(); ++i) {
    if (!live[i])
      continue;
    const Node &n = graph.node(static_cast<ValueId>(i));
    if (n.op == "input") {
      const std::string &name = n.attrs.getString("name");
      auto it = inputs.find(name);
      if (it == inputs.end())
        fail(n.loc, "interpreter: no value bound to input '" + name + "'");
      Shape given(it->second.shape().begin(), it->second.shape().end());
      if (given != n.type.shape)
        fail(n.loc, "interpreter: input '" + name + "' is " + shapeStr(given) + ", expected " +
                        shapeStr(n.type.shape));
      values[i] = it->second;
    } else {
      std::vector<const Tensor *> args;
      for (ValueId v : n.operands)
        args.push_back(&values[v]);
      values[i] = lookupOp(n.op)->eval(n, args);
      // Some kernels yield a view-shaped result for rank 0; pin the declared shape.
      if (values[i].dimension() != n.type.shape.size())
        values[i].reshape(std::vector<size_t>(n.type.shape.begin(), n.type.shape.end()));
    }
    roundToDType(values[i], n.type.dtype);
  }
  TensorMap out;
  for (const GraphOutput &o : graph.outputs)
    out[o.name] = values[o.value];
  return out;
}

} // namespace aec
