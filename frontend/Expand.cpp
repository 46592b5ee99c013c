/// Expansion of layers into primitive ops through the Builder. Each layer sets b.loc to its
/// own location first, so every node (and every error) points back at the YAML.
#include "frontend/Expand.h"
#include "ir/Builder.h"

#include <numeric>

namespace aec {

namespace {

class Expander {
public:
  Expander(Graph &g, int64_t batch, DType dtype, ForwardInfo &info)
      : B(g), Batch(batch), Ty(dtype), Info(info) {}

  /// Creates parameter `<layer>/<param>` as a graph input and records it in ForwardInfo.
  ValueId param(const LayerSpec &l, const std::string &name, const Shape &shape,
                const std::string &init) {
    std::string full = l.name + "/" + name;
    Info.params.push_back({full, shape, init});
    return B.input(full, role::Param, {Ty, shape});
  }

  /// Builds `l` on `in` (one value per source). `logitsOut` receives the pre-activation
  /// value of layers with an activation.
  ValueId layer(const LayerSpec &l, const std::vector<ValueId> &in, ValueId *logitsOut) {
    B.loc = l.loc;
    const std::string &k = l.kind;
    ValueId x = in.at(0);
    if (k == "dense")
      return dense(l, x, logitsOut);
    if (k == "layernorm") {
      int64_t last = B.shape(x).back();
      ValueId gamma = param(l, "gamma", {last}, "ones");
      ValueId beta = param(l, "beta", {last}, "zeros");
      return layerNorm(B, x, gamma, beta, l.epsilon);
    }
    if (k == "flatten" || k == "reshape")
      return B.reshape(x, withBatch(Batch, l.outputShape));
    if (k == "add") {
      ValueId sum = x;
      for (size_t i = 1; i < in.size(); ++i)
        sum = B.add(sum, in[i]);
      return sum;
    }
    if (k == "repeat") // [B, F] -> [B, T, F]: operand dims 0, 1 become result dims 0, 2
      return B.broadcast(x, withBatch(Batch, l.outputShape), {0, 2});
    if (k == "time_distributed") {
      const LayerSpec &inner = l.inner.at(0);
      // dense and layernorm act on the last axis, so on [B, T, ...] they are already
      // applied per time step.
      if (inner.kind == "dense" || inner.kind == "layernorm")
        return layer(inner, {x}, logitsOut);
      fail(l.loc, "time_distributed of " + inner.kind + " is not supported yet");
    }
    fail(l.loc, k + " is not supported yet");
  }

private:
  /// matmul(x, kernel) + broadcast(bias) then the activation; inputs of rank > 2 are
  /// flattened to rows first (Keras' Dense acts on the last axis).
  ValueId dense(const LayerSpec &l, ValueId x, ValueId *logitsOut) {
    Shape inShape = B.shape(x);
    int64_t in = inShape.back();
    ValueId kernel = param(l, "kernel", {in, l.units},
                           "glorot_uniform:" + std::to_string(in) + ":" + std::to_string(l.units));
    ValueId bias = l.useBias ? param(l, "bias", {l.units}, "zeros") : NoValue;
    int64_t rows = std::accumulate(inShape.begin(), inShape.end() - 1, int64_t(1),
                                   std::multiplies<int64_t>());
    ValueId flat = inShape.size() == 2 ? x : B.reshape(x, {rows, in});
    ValueId y = B.matmul(flat, kernel);
    if (bias != NoValue)
      y = B.add(y, B.broadcast(bias, {rows, l.units}, {1}));
    if (inShape.size() != 2) {
      Shape outShape = inShape;
      outShape.back() = l.units;
      y = B.reshape(y, outShape);
    }
    if (logitsOut)
      *logitsOut = y;
    return activation(B, y, l.activation, l.alpha);
  }

  Builder B;
  int64_t Batch;
  DType Ty;
  ForwardInfo &Info;
};

} // namespace

bool hasStandaloneDecoder(const ModelSpec &spec) {
  const std::string &code = spec.encoder.back().name;
  for (const LayerSpec &l : spec.decoder)
    for (const std::string &src : l.sources)
      for (size_t i = 0; i + 1 < spec.encoder.size(); ++i)
        if (spec.encoder[i].name == src && src != code)
          return false;
  return true;
}

Graph buildForward(const ModelSpec &spec, int64_t batch, ForwardPart part, ForwardInfo *info,
                   DType dtype, ForwardMode /*mode: dense and layernorm do not depend on it*/) {
  ForwardInfo local;
  ForwardInfo &out = info ? *info : local;
  out = ForwardInfo();
  Graph g;
  g.name = part == ForwardPart::Encoder ? "encode"
           : part == ForwardPart::Decoder ? "decode"
                                          : "forward";
  Expander ex(g, batch, dtype, out);
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
    values[l.name] = current;
    if (isLastDecoder && l.activation == "sigmoid" && pre != NoValue && l.kind == "dense")
      out.logits = pre;
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
