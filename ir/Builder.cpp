#include "ir/Builder.h"

#include <numeric>

namespace aec {

ValueId Builder::input(const std::string &name, const std::string &role, TensorType type) {
  Node n{"input", {}, Attrs{{"name", name}, {"role", role}}, std::move(type), loc};
  return G.add(std::move(n));
}

ValueId Builder::op(const std::string &name, std::vector<ValueId> operands, Attrs attrs) {
  return G.add(Node{name, std::move(operands), std::move(attrs), {}, loc});
}

ValueId Builder::constant(double value, const TensorType &type) {
  return G.add(Node{"constant", {}, Attrs{{"value", value}}, type, loc});
}

ValueId Builder::constantLike(double value, ValueId like) { return constant(value, type(like)); }

ValueId Builder::matmul(ValueId a, ValueId b, bool transA, bool transB) {
  return op("matmul", {a, b}, Attrs{{"ta", int64_t(transA)}, {"tb", int64_t(transB)}});
}

ValueId Builder::reduceSum(ValueId a, std::vector<int64_t> axes) {
  if (axes.empty())
    return a;
  return op("reduce_sum", {a}, Attrs{{"axes", std::move(axes)}});
}

ValueId Builder::sumAll(ValueId a) {
  std::vector<int64_t> axes(type(a).rank());
  std::iota(axes.begin(), axes.end(), 0);
  return reduceSum(a, axes);
}

ValueId Builder::broadcast(ValueId a, Shape shape, std::vector<int64_t> dims) {
  if (shape == this->shape(a))
    return a;
  TensorType t{type(a).dtype, std::move(shape)};
  return G.add(Node{"broadcast", {a}, Attrs{{"dims", std::move(dims)}}, std::move(t), loc});
}

ValueId Builder::broadcastScalarLike(ValueId scalar, ValueId like) {
  return broadcast(scalar, shape(like), {});
}

ValueId Builder::reshape(ValueId a, Shape shape) {
  if (shape == this->shape(a))
    return a;
  TensorType t{type(a).dtype, std::move(shape)};
  return G.add(Node{"reshape", {a}, {}, std::move(t), loc});
}

} // namespace aec
