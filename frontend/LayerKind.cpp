/// The layer-kind registry and the helpers the kind definitions in frontend/layers/ share.
#include "frontend/LayerKind.h"

#include <cmath>
#include <sstream>

namespace aec {

const std::vector<LayerKind> &allLayerKinds() {
  // Built on first use by explicit calls (no static initialisers, which a static library
  // would silently drop). The call order is the contract's table order.
  static const std::vector<LayerKind> kinds = [] {
    std::vector<LayerKind> out;
    registerDenseLayers(out);
    registerImageLayers(out);
    registerReshapeLayers(out);
    registerNormLayers(out);
    registerSequenceLayers(out);
    registerMergeLayers(out);
    registerLatentLayers(out);
    registerActivationLayers(out);
    return out;
  }();
  return kinds;
}

const LayerKind *lookupLayerKind(const std::string &name) {
  for (const LayerKind &k : allLayerKinds())
    if (k.name == name)
      return &k;
  return nullptr;
}

const std::vector<std::string> &layerKinds() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const LayerKind &k : allLayerKinds())
      out.push_back(k.name);
    return out;
  }();
  return names;
}

void countLayer(const LayerSpec &l, const Shape &in, LayerSummary &row) {
  const LayerKind *kind = lookupLayerKind(l.kind);
  if (kind && kind->count)
    kind->count(l, in, row);
}

std::string printLayerParams(const LayerSpec &l) {
  const LayerKind *kind = lookupLayerKind(l.kind);
  if (!kind || !kind->print)
    return "";
  return joinNames(kind->print(l));
}


std::string paramWhat(const LayerSpec &l, const char *key) { return l.kind + " '" + key + "'"; }

void parseActivation(const SpecReader &r, const YAML::Node &params, LayerSpec &l) {
  if (const YAML::Node a = params["activation"])
    l.activation = r.getChoice(a, "activation", activationNames());
  if (const YAML::Node a = params["alpha"]) {
    if (l.activation != "leaky_relu" && l.activation != "elu")
      r.fail(a, "'alpha' applies to the leaky_relu and elu activations only, not to '" +
                    l.activation + "'");
    l.alpha = r.getNumber(a, paramWhat(l, "alpha"));
  }
}

void parseInitializers(const SpecReader &r, const YAML::Node &params, LayerSpec &l) {
  auto read = [&](const char *key, std::string &field) {
    const YAML::Node n = params[key];
    if (!n)
      return;
    field = r.getChoice(n, key, initializerNames());
    if (field == "orthogonal" && std::string(key) == "bias_initializer")
      r.fail(n, "the orthogonal initializer needs a matrix, and a bias is a vector (Keras rejects it too)");
  };
  read("kernel_initializer", l.kernelInit);
  read("bias_initializer", l.biasInit);
  read("recurrent_initializer", l.recurrentInit);
}

std::vector<std::string> initializerText(const LayerSpec &l) {
  std::vector<std::string> p;
  if (l.kernelInit != "glorot_uniform")
    p.push_back("kernel_initializer=" + l.kernelInit);
  if (l.biasInit != "zeros")
    p.push_back("bias_initializer=" + l.biasInit);
  if (l.recurrentInit != "orthogonal")
    p.push_back("recurrent_initializer=" + l.recurrentInit);
  return p;
}

std::string numText(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string activationText(const LayerSpec &l) {
  std::string s = "activation=" + l.activation;
  if (!std::isnan(l.alpha))
    s += ", alpha=" + numText(l.alpha);
  return s;
}

std::string pairText(const std::vector<int64_t> &pair) {
  return pair.size() == 2 && pair[0] == pair[1] ? std::to_string(pair[0]) : shapeStr(pair);
}

int64_t activationFlops(const LayerSpec &l, int64_t outElems) {
  return l.activation == "linear" ? 0 : outElems;
}

void requireRank(const LayerSpec &l, const Shape &in, size_t rank, const char *layout) {
  if (in.size() != rank)
    fail(l.loc, l.kind + " needs an input of rank " + std::to_string(rank) + " (" + layout +
                    " per sample), got " + shapeStr(in));
}

} // namespace aec
