/// Expansion of a ModelSpec into a forward graph: the driver (inputs, layer order, skips)
/// and the lookup of each layer's LayerKind::expand. Each layer sets b.loc to its own
/// location first, so every node (and every error) points back at the YAML.
#include "frontend/LayerKind.h"

namespace aec {

ValueId Expander::param(const LayerSpec &l, const std::string &name, const Shape &shape,
                        const std::string &init, bool trainable) {
  std::string full = l.name + "/" + name;
  Info.params.push_back({full, shape, init, trainable});
  ValueId v = B.input(full, role::Param, {Ty, shape});
  if (!trainable)
    B.graph().node(v).attrs.set("trainable", int64_t(0));
  return v;
}

ValueId Expander::noise(const LayerSpec &l, const char *role, const Shape &shape) {
  return B.input("noise/" + l.name, role, {Ty, withBatch(Batch, shape)});
}

ValueId Expander::sampleWeights() {
  if (Weights == NoValue) {
    SourceLoc saved = B.loc;
    Weights = B.input("weight", role::Weight, {Ty, {Batch}});
    B.loc = saved;
  }
  return Weights;
}

ValueId Expander::layer(const LayerSpec &l, const std::vector<ValueId> &in, ValueId *logitsOut) {
  B.loc = l.loc;
  const LayerKind *kind = lookupLayerKind(l.kind);
  if (!kind || !kind->expand)
    fail(l.loc, l.kind + " is not supported yet");
  return kind->expand(*this, l, in, logitsOut);
}

bool hasStandaloneDecoder(const ModelSpec &spec) {
  const std::string &code = spec.encoder.back().name;
  for (const LayerSpec &l : spec.decoder)
    for (const std::string &src : l.sources)
      for (size_t i = 0; i + 1 < spec.encoder.size(); ++i)
        if (spec.encoder[i].name == src && src != code)
          return false;
  return true;
}

namespace {
/// The activation that ends `l` (the wrapped layer's for a wrapper, time_distributed).
const std::string &finalActivation(const LayerSpec &l) {
  return !l.inner.empty() ? l.inner[0].activation : l.activation;
}

/// True when `l` only moves data (flatten, reshape).
bool reshapesOnly(const LayerSpec &l) {
  const LayerKind *kind = lookupLayerKind(l.kind);
  return kind && kind->reshapesOnly;
}
} // namespace

Graph buildForward(const ModelSpec &spec, int64_t batch, ForwardPart part, ForwardInfo *info,
                   DType dtype, ForwardMode mode) {
  ForwardInfo local;
  ForwardInfo &out = info ? *info : local;
  out = ForwardInfo();
  Graph g;
  g.name = part == ForwardPart::Encoder   ? "encode"
           : part == ForwardPart::Decoder ? "decode"
                                          : "forward";
  Expander ex(g, batch, dtype, mode, out);
  Builder b(g);
  const LayerSpec &codeLayer = spec.encoder.back();
  out.codeShape = codeLayer.outputShape;
  out.outputShape = spec.decoder.back().outputShape;

  std::map<std::string, ValueId> &values = out.layers;
  ValueId current;
  if (part == ForwardPart::Decoder) {
    b.loc = spec.decoder.front().loc;
    current = b.input("z", role::Latent, {dtype, withBatch(batch, out.codeShape)});
    values[codeLayer.name] = current;
  } else {
    b.loc = spec.inputLoc;
    current = b.input("x", role::Data, {dtype, withBatch(batch, spec.inputShape)});
  }

  // Pre-sigmoid values of layers that end in a sigmoid, by layer name.
  std::map<std::string, ValueId> sigmoidLogits;
  auto build = [&](const LayerSpec &l, bool isLastDecoder) {
    std::vector<ValueId> in;
    for (const std::string &src : l.sources) {
      auto it = values.find(src);
      if (it == values.end())
        fail(l.loc, "the stand-alone decoder needs encoder layer '" + src +
                        "' (a skip connection); this model has no stand-alone decoder");
      in.push_back(it->second);
    }
    if (in.empty())
      in.push_back(current);
    ValueId pre = NoValue;
    current = ex.layer(l, in, &pre);
    // The shape rules (LayerKind::infer) and the expansion must agree: summaries, the
    // descriptor and the next layer rely on the checked shape.
    if (g.type(current).shape != withBatch(batch, l.outputShape))
      fail(l.loc, "internal error: " + l.kind + " expanded to " + g.type(current).str() +
                      ", expected " + shapeStr(withBatch(batch, l.outputShape)));
    values[l.name] = current;
    if (finalActivation(l) == "sigmoid" && pre != NoValue) {
      sigmoidLogits[l.name] = pre;
    } else if (reshapesOnly(l) && l.sources.size() == 1 && sigmoidLogits.count(l.sources[0])) {
      // Dense(sigmoid) + Reshape (Keras' image decoders): bce still gets the logits.
      sigmoidLogits[l.name] =
          ex.B.reshape(sigmoidLogits[l.sources[0]], withBatch(batch, l.outputShape));
    }
    if (isLastDecoder && sigmoidLogits.count(l.name))
      out.logits = sigmoidLogits[l.name];
  };

  if (part != ForwardPart::Decoder) {
    for (const LayerSpec &l : spec.encoder)
      build(l, false);
    out.code = current;
  }
  if (part != ForwardPart::Encoder) {
    for (size_t i = 0; i < spec.decoder.size(); ++i)
      build(spec.decoder[i], i + 1 == spec.decoder.size());
  }
  out.output = current;
  return g;
}

} // namespace aec
