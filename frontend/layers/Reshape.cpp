/// Layers that only move data: flatten and reshape (per-sample shapes; the batch stays).
#include "frontend/LayerKind.h"

namespace aec {

namespace {

ValueId expandReshape(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in, ValueId *) {
  return ex.B.reshape(in.at(0), withBatch(ex.Batch, l.outputShape));
}

void parseReshape(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  readParam(r, p, l, "shape", l.targetShape, &SpecReader::getShape, true);
}

/// The target shape with its -1 (if any) resolved; the element counts must agree.
Shape inferReshape(const LayerSpec &l, const std::vector<Shape> &inputs) {
  const Shape &in = inputs.at(0);
  Shape out = l.targetShape;
  int64_t known = 1, unknownAt = -1;
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i] == -1)
      unknownAt = static_cast<int64_t>(i);
    else
      known = saturatingMul(known, out[i]); // saturated: never equals the input's count
  if (known == std::numeric_limits<int64_t>::max())
    fail(l.loc, "cannot reshape " + shapeStr(in) + " (" + std::to_string(numElements(in)) +
                    " values) to " + shapeStr(l.targetShape) + " (more than 2^63 values)");
  if (unknownAt >= 0 && numElements(in) % known == 0)
    out[unknownAt] = numElements(in) / known;
  if (numElements(out) != numElements(in) || (unknownAt >= 0 && out[unknownAt] <= 0))
    fail(l.loc, "cannot reshape " + shapeStr(in) + " (" + std::to_string(numElements(in)) +
                    " values) to " + shapeStr(l.targetShape));
  return out;
}

} // namespace

void registerReshapeLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back(
      {.name = "flatten",
       .reshapesOnly = true,
       .infer = [](const LayerSpec &,
                   const std::vector<Shape> &in) { return Shape{numElements(in.at(0))}; },
       .expand = expandReshape});
  kinds.push_back({.name = "reshape",
                   .keys = {"shape"},
                   .shorthand = "shape",
                   .required = {{"shape", "a list of positive integers, one may be -1"}},
                   .reshapesOnly = true,
                   .parse = parseReshape,
                   .infer = inferReshape,
                   .expand = expandReshape,
                   .print = [](const LayerSpec &l) -> std::vector<std::string> {
                     return {"shape=" + shapeStr(l.targetShape)};
                   }});
}

} // namespace aec
