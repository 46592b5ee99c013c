/// Layers that merge their inputs (skip connections): add and concat (along the last
/// axis, as Keras' Concatenate()). `add: [a, b]` is short for `add: {inputs: [a, b]}`.
#include "frontend/LayerKind.h"

#include <algorithm>

namespace aec {

namespace {

/// add needs equal shapes, concat equal shapes but for the last axis, which it sums.
Shape inferMerge(const LayerSpec &l, const std::vector<Shape> &inputs, bool isConcat) {
  const Shape &first = inputs.at(0);
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Shape &s = inputs[i];
    bool ok = !isConcat
                  ? s == first
                  : s.size() == first.size() && std::equal(s.begin(), s.end() - 1, first.begin());
    if (!ok)
      fail(l.loc, l.kind + " needs inputs of " +
                      (isConcat ? std::string("equal shape except the last axis")
                                : std::string("equal shape")) +
                      ": '" + l.sources[0] + "' is " + shapeStr(first) + " but '" + l.sources[i] +
                      "' is " + shapeStr(s));
  }
  Shape out = first;
  if (isConcat)
    for (size_t i = 1; i < inputs.size(); ++i)
      out.back() += inputs[i].back();
  return out;
}

ValueId expandAdd(Expander &ex, const LayerSpec &, const std::vector<ValueId> &in, ValueId *) {
  ValueId sum = in.at(0);
  for (size_t i = 1; i < in.size(); ++i)
    sum = ex.B.add(sum, in[i]);
  return sum;
}

ValueId expandConcat(Expander &ex, const LayerSpec &, const std::vector<ValueId> &in, ValueId *) {
  return ex.B.concat(in, ex.B.type(in.at(0)).rank() - 1);
}

/// One add per element for each input after the first.
void countAdd(const LayerSpec &l, const Shape &, LayerSummary &row) {
  row.flops = numElements(l.outputShape) * static_cast<int64_t>(l.sources.size() - 1);
}

LayerKind mergeKind(const char *name, bool isConcat) {
  return {.name = name,
          .shorthand = "inputs",
          .required = {{"inputs", "a list of at least two layer names"}},
          .merges = true,
          .wrappable = false,
          .infer = [isConcat](const LayerSpec &l,
                              const std::vector<Shape> &in) { return inferMerge(l, in, isConcat); },
          .expand = isConcat ? LayerExpandFn(expandConcat) : LayerExpandFn(expandAdd),
          .count = isConcat ? LayerCountFn() : LayerCountFn(countAdd)};
}

} // namespace

void registerMergeLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back(mergeKind("add", /*isConcat=*/false));
  kinds.push_back(mergeKind("concat", /*isConcat=*/true));
}

} // namespace aec
