/// Source ops: graph inputs and constants. Both are typed by declaration.
#include "ir/ops/OpHelpers.h"

#include <xtensor/xbuilder.hpp>

namespace aec {

void registerSourceOps(std::vector<OpDef> &ops) {
  OpDef input;
  input.name = "input";
  input.arity = 0;
  input.traits = TraitSource;
  input.attrs = {"name", "role"};
  input.infer = [](const Graph &, const Node &n) {
    n.attrs.getString("name", n.loc);
    n.attrs.getString("role", n.loc);
    return n.type;
  };
  // Inputs are bound by the interpreter, never evaluated.
  input.eval = [](const Node &n, const std::vector<const Tensor *> &) -> Tensor {
    fail(n.loc, "input '" + n.attrs.getString("name") + "' has no value");
  };
  ops.push_back(input);

  OpDef constant;
  constant.name = "constant";
  constant.arity = 0;
  constant.traits = TraitSource;
  constant.attrs = {"value"};
  constant.infer = [](const Graph &, const Node &n) {
    n.attrs.getFloat("value", n.loc);
    return n.type;
  };
  constant.eval = [](const Node &n, const std::vector<const Tensor *> &) -> Tensor {
    Tensor t = xt::zeros<double>(n.type.shape);
    t.fill(n.attrs.getFloat("value"));
    return t;
  };
  ops.push_back(constant);
}

} // namespace aec
