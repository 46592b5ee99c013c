#include "ir/Builder.h"

#include <algorithm>
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

namespace aec {

ValueId Builder::pad(ValueId a, std::vector<int64_t> low, std::vector<int64_t> high,
                     std::vector<int64_t> interior, double value) {
  auto zero = [](const std::vector<int64_t> &v) {
    return std::all_of(v.begin(), v.end(), [](int64_t x) { return x == 0; });
  };
  if (zero(low) && zero(high) && zero(interior) && low.size() == shape(a).size())
    return a;
  return op("pad", {a},
            Attrs{{"low", std::move(low)},
                  {"high", std::move(high)},
                  {"interior", std::move(interior)},
                  {"value", value}});
}

ValueId Builder::slice(ValueId a, std::vector<int64_t> start, std::vector<int64_t> limit,
                       std::vector<int64_t> strides) {
  const Shape &s = shape(a);
  bool whole = start.size() == s.size() && limit == s;
  for (size_t d = 0; whole && d < s.size(); ++d)
    whole = start[d] == 0 && (strides[d] == 1 || s[d] <= 1);
  if (whole)
    return a;
  return op("slice", {a},
            Attrs{{"start", std::move(start)},
                  {"limit", std::move(limit)},
                  {"strides", std::move(strides)}});
}

ValueId Builder::concat(const std::vector<ValueId> &parts, int64_t axis) {
  if (parts.size() == 1)
    return parts[0];
  return op("concat", parts, Attrs{{"axis", axis}});
}

ValueId Builder::transpose(ValueId a, std::vector<int64_t> perm) {
  bool identity = true;
  for (size_t k = 0; k < perm.size(); ++k)
    identity = identity && perm[k] == static_cast<int64_t>(k);
  if (identity && static_cast<int64_t>(perm.size()) == type(a).rank())
    return a;
  return op("transpose", {a}, Attrs{{"perm", std::move(perm)}});
}

ValueId Builder::reverse(ValueId a, std::vector<int64_t> axes) {
  if (axes.empty())
    return a;
  return op("reverse", {a}, Attrs{{"axes", std::move(axes)}});
}

ValueId Builder::reduceMax(ValueId a, std::vector<int64_t> axes) {
  if (axes.empty())
    return a;
  return op("reduce_max", {a}, Attrs{{"axes", std::move(axes)}});
}

} // namespace aec
