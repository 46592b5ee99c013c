/// Cross-layer checks of a parsed spec: unique names, resolvable inputs, and per-sample
/// shapes (Keras rules, each kind's LayerKind::infer), so shape errors surface at the layer
/// that causes them, before any graph is built.
#include "frontend/LayerKind.h"
#include "frontend/SpecParse.h"

#include <map>

namespace aec {

namespace {

[[noreturn]] void layerFail(const LayerSpec &l, const std::string &message) {
  fail(l.loc, message);
}

} // namespace

Shape inferLayerShape(const LayerSpec &l, const std::vector<Shape> &inputs) {
  const LayerKind *kind = lookupLayerKind(l.kind);
  if (!kind || !kind->infer)
    layerFail(l, "no shape rule for layer kind '" + l.kind + "'");
  return kind->infer(l, inputs);
}

void checkLayers(ModelSpec &spec) {
  std::map<std::string, const LayerSpec *> seen;
  std::vector<std::string> visible; // names a layer may refer to, in order
  std::map<std::string, Shape> shapes;
  if (spec.encoder.empty())
    fail(spec.inputLoc, "the encoder needs at least one layer");
  checkShapeSize(spec, spec.inputShape, spec.inputLoc);

  auto visit = [&](LayerSpec &l, const std::string &previous) {
    if (auto it = seen.find(l.name); it != seen.end())
      layerFail(l, "duplicate layer name '" + l.name + "' (first used at line " +
                       std::to_string(it->second->loc.line) + ")");
    l.sources.clear();
    if (l.inputs.empty()) {
      if (!previous.empty())
        l.sources.push_back(previous);
    } else {
      for (const std::string &src : l.inputs) {
        if (!shapes.count(src)) {
          std::string hint = didYouMean(src, visible);
          if (hint.empty() && !visible.empty())
            hint = " (earlier layers: " + joinNames(visible) + ")";
          layerFail(l, "input '" + src + "' is not an earlier layer" + hint);
        }
        l.sources.push_back(src);
      }
    }
    std::vector<Shape> in;
    for (const std::string &s : l.sources)
      in.push_back(shapes.at(s));
    if (in.empty())
      in.push_back(spec.inputShape);
    l.outputShape = inferLayerShape(l, in);
    checkShapeSize(spec, l.outputShape, l.loc);
    seen[l.name] = &l;
    shapes[l.name] = l.outputShape;
    visible.push_back(l.name);
  };

  for (size_t i = 0; i < spec.encoder.size(); ++i) {
    LayerSpec &l = spec.encoder[i];
    const LayerKind *kind = lookupLayerKind(l.kind);
    if (kind && kind->makesCode && i + 1 != spec.encoder.size())
      layerFail(l, l.kind + " must be the last encoder layer (it makes the code)");
    visit(l, i ? spec.encoder[i - 1].name : "");
  }
  for (size_t i = 0; i < spec.decoder.size(); ++i)
    visit(spec.decoder[i], i ? spec.decoder[i - 1].name : spec.encoder.back().name);

  if (!spec.decoder.empty()) {
    const LayerSpec &last = spec.decoder.back();
    if (last.outputShape != spec.inputShape)
      layerFail(last, "the decoder ends with shape " + shapeStr(last.outputShape) +
                          " but reconstructs an input of shape " + shapeStr(spec.inputShape));
  }
  for (const LossTermSpec &t : spec.loss.terms)
    if (!t.layer.empty() && !shapes.count(t.layer))
      fail(t.loc, "loss term " + t.kind + " refers to unknown layer '" + t.layer + "'" +
                      didYouMean(t.layer, visible));
}

} // namespace aec
