/// Window-forming data movement with stablehlo semantics: pad (edge and interior padding),
/// strided slice and concat. pad and slice are each other's adjoints, and concat's adjoint
/// is slices, so the family is closed under differentiation (grad of grad works).
#include "ir/ops/OpHelpers.h"

#include <xtensor/xbuilder.hpp>

namespace aec {

namespace {
using Ids = std::vector<ValueId>;
using Ints = std::vector<int64_t>;

/// Checks that attribute `key` has one entry per dimension, each >= `min`.
const Ints &perDimAttr(const Node &n, const std::string &key, int64_t rank, int64_t min) {
  const Ints &v = n.attrs.getInts(key, n.loc);
  if (static_cast<int64_t>(v.size()) != rank)
    ops::typeError(n, "needs one '" + key + "' entry per dimension (" + std::to_string(rank) + ")");
  for (int64_t x : v)
    if (x < min)
      ops::typeError(n, "needs '" + key + "' entries >= " + std::to_string(min));
  return v;
}

/// Length of a dim of `in` elements with `interior` zeros between neighbours.
int64_t dilated(int64_t in, int64_t interior) { return in == 0 ? 0 : in + (in - 1) * interior; }

TensorType inferPad(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0);
  const Ints &low = perDimAttr(n, "low", x.rank(), 0);
  const Ints &high = perDimAttr(n, "high", x.rank(), 0);
  const Ints &interior = perDimAttr(n, "interior", x.rank(), 0);
  n.attrs.getFloat("value", n.loc);
  TensorType out{x.dtype, {}};
  for (int64_t d = 0; d < x.rank(); ++d)
    out.shape.push_back(low[d] + dilated(x.shape[d], interior[d]) + high[d]);
  return out;
}

Tensor evalPad(const Node &n, const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0];
  const Ints &low = n.attrs.getInts("low"), &interior = n.attrs.getInts("interior");
  Tensor out = xt::zeros<double>(n.type.shape);
  out.fill(n.attrs.getFloat("value"));
  Ints outStrides = ops::rowMajorStrides(n.type.shape);
  std::vector<size_t> index(x.dimension(), 0);
  for (size_t flat = 0; flat < x.size(); ++flat) {
    int64_t dst = 0;
    for (size_t d = 0; d < index.size(); ++d)
      dst += (low[d] + static_cast<int64_t>(index[d]) * (interior[d] + 1)) * outStrides[d];
    out.flat(dst) = x.flat(flat);
    ops::nextIndex(index, x.shape());
  }
  return out;
}

/// The adjoint of a pad picks the operand's positions back out: a strided slice.
Ids gradPad(Builder &b, const Node &n, ValueId, ValueId g) {
  const Shape xs = b.shape(n.operands[0]);
  const Ints &low = n.attrs.getInts("low"), &interior = n.attrs.getInts("interior");
  Ints limit(xs.size()), strides(xs.size());
  for (size_t d = 0; d < xs.size(); ++d) {
    strides[d] = interior[d] + 1;
    limit[d] = low[d] + dilated(xs[d], interior[d]);
  }
  return {b.slice(g, low, limit, strides)};
}

/// A pad is a splat only when the padding value equals the operand's splat (or there is no
/// operand element to keep); with no padding at all it is its operand.
Folded foldPad(const Graph &g, const Node &n, const Splats &s) {
  if (g.type(n.operands[0]).shape == n.type.shape)
    return Folded::same(n.operands[0]);
  double value = n.attrs.getFloat("value");
  if (g.type(n.operands[0]).numElements() == 0 || ops::isSplat(s[0], value))
    return Folded::constant(value);
  return Folded::none();
}

TensorType inferSlice(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0);
  const Ints &start = perDimAttr(n, "start", x.rank(), 0);
  const Ints &limit = perDimAttr(n, "limit", x.rank(), 0);
  const Ints &strides = perDimAttr(n, "strides", x.rank(), 1);
  TensorType out{x.dtype, {}};
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (start[d] > limit[d] || limit[d] > x.shape[d])
      ops::typeError(n, "needs start <= limit <= size in every dimension of " + x.str());
    out.shape.push_back((limit[d] - start[d] + strides[d] - 1) / strides[d]);
  }
  return out;
}

Tensor evalSlice(const Node &n, const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0];
  const Ints &start = n.attrs.getInts("start"), &strides = n.attrs.getInts("strides");
  Tensor out = xt::zeros<double>(n.type.shape);
  Ints inStrides = ops::rowMajorStrides(x.shape());
  std::vector<size_t> index(n.type.shape.size(), 0);
  for (size_t flat = 0; flat < out.size(); ++flat) {
    int64_t src = 0;
    for (size_t d = 0; d < index.size(); ++d)
      src += (start[d] + static_cast<int64_t>(index[d]) * strides[d]) * inStrides[d];
    out.flat(flat) = x.flat(src);
    ops::nextIndex(index, n.type.shape);
  }
  return out;
}

/// The adjoint of a slice scatters back into zeros: a pad with interior = stride - 1 and
/// whatever the last picked element leaves at the high end.
Ids gradSlice(Builder &b, const Node &n, ValueId self, ValueId g) {
  const Shape xs = b.shape(n.operands[0]), ys = b.shape(self);
  const Ints &start = n.attrs.getInts("start"), &strides = n.attrs.getInts("strides");
  Ints high(xs.size()), interior(xs.size());
  for (size_t d = 0; d < xs.size(); ++d) {
    interior[d] = ys[d] > 0 ? strides[d] - 1 : 0;
    high[d] = xs[d] - start[d] - dilated(ys[d], interior[d]);
  }
  return {b.pad(g, start, high, interior, 0.0)};
}

TensorType inferConcat(const Graph &g, const Node &n) {
  if (n.operands.empty())
    ops::typeError(n, "needs at least one operand");
  const TensorType &first = ops::operandType(g, n, 0);
  int64_t axis = n.attrs.getInt("axis", n.loc);
  if (axis < 0 || axis >= first.rank())
    ops::typeError(n, "axis " + std::to_string(axis) + " out of range for " + first.str());
  TensorType out = first;
  out.shape[axis] = 0;
  for (size_t i = 0; i < n.operands.size(); ++i) {
    const TensorType &t = ops::operandType(g, n, i);
    bool fits = t.dtype == first.dtype && t.rank() == first.rank();
    for (int64_t d = 0; fits && d < t.rank(); ++d)
      fits = d == axis || t.shape[d] == first.shape[d];
    if (!fits)
      ops::typeError(n, "cannot concatenate " + first.str() + " and " + t.str() + " on axis " +
                            std::to_string(axis));
    out.shape[axis] += t.shape[axis];
  }
  return out;
}

Tensor evalConcat(const Node &n, const std::vector<const Tensor *> &args) {
  size_t axis = static_cast<size_t>(n.attrs.getInt("axis"));
  Tensor out = xt::zeros<double>(n.type.shape);
  Ints outStrides = ops::rowMajorStrides(n.type.shape);
  int64_t offset = 0;
  for (const Tensor *x : args) {
    std::vector<size_t> index(x->dimension(), 0);
    for (size_t flat = 0; flat < x->size(); ++flat) {
      int64_t dst = offset * outStrides[axis];
      for (size_t d = 0; d < index.size(); ++d)
        dst += static_cast<int64_t>(index[d]) * outStrides[d];
      out.flat(dst) = x->flat(flat);
      ops::nextIndex(index, x->shape());
    }
    offset += static_cast<int64_t>(x->shape(axis));
  }
  return out;
}

/// One piece is the result; pieces that are all the same splat make that splat.
Folded foldConcat(const Graph &, const Node &n, const Splats &s) {
  if (n.operands.size() == 1)
    return Folded::same(n.operands[0]);
  for (const std::optional<double> &piece : s)
    if (!piece || *piece != *s[0])
      return Folded::none();
  return Folded::constant(*s[0]);
}

/// Each operand's adjoint is its own stretch of the result's adjoint.
Ids gradConcat(Builder &b, const Node &n, ValueId self, ValueId g) {
  int64_t axis = n.attrs.getInt("axis");
  const Shape ys = b.shape(self); // a copy: adding nodes moves the node vector
  Ids out;
  int64_t offset = 0;
  for (ValueId operand : n.operands) {
    Ints start(ys.size(), 0), limit(ys.begin(), ys.end()), strides(ys.size(), 1);
    start[axis] = offset;
    offset += b.shape(operand)[axis];
    limit[axis] = offset;
    out.push_back(b.slice(g, start, limit, strides));
  }
  return out;
}
} // namespace

void registerSlicingOps(std::vector<OpDef> &ops) {
  OpDef pad;
  pad.name = "pad";
  pad.arity = 1;
  pad.fold = foldPad;
  pad.attrs = {"low", "high", "interior", "value"};
  pad.infer = inferPad;
  pad.eval = evalPad;
  pad.grad = gradPad;
  pad.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{3, 4}};
    at = {{"low", Ints{1, 0}}, {"high", Ints{0, 2}}, {"interior", Ints{1, 2}}, {"value", 0.5}};
  };
  ops.push_back(pad);

  OpDef slice;
  slice.name = "slice";
  slice.arity = 1;
  slice.fold = ops::foldSplatThrough;
  slice.attrs = {"start", "limit", "strides"};
  slice.infer = inferSlice;
  slice.eval = evalSlice;
  slice.grad = gradSlice;
  slice.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{5, 7}};
    at = {{"start", Ints{1, 0}}, {"limit", Ints{5, 7}}, {"strides", Ints{2, 3}}};
  };
  ops.push_back(slice);

  OpDef concat;
  concat.name = "concat";
  concat.arity = -1;
  concat.fold = foldConcat;
  concat.attrs = {"axis"};
  concat.infer = inferConcat;
  concat.eval = evalConcat;
  concat.grad = gradConcat;
  concat.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{2, 3}, {2, 1}, {2, 2}};
    at = {{"axis", int64_t(1)}};
  };
  ops.push_back(concat);
}

} // namespace aec
