/// Parsing of one layer entry: `- dense: {units: 50, activation: relu}`, `- dense: 40`,
/// `- layernorm`, `- add: [a, b]`, ...
#include "frontend/SpecParse.h"
#include "ir/Builder.h"

#include <algorithm>
#include <cctype>

namespace aec {

namespace {

/// What a layer kind accepts. `shorthand` is the parameter a bare value stands for
/// (`- dense: 40` = units 40, `- add: [a, b]` = inputs [a, b]).
struct KindInfo {
  std::string name;
  std::vector<std::string> params;
  std::string shorthand;
};

const std::vector<KindInfo> &kindTable() {
  static const std::vector<KindInfo> table = {
      {"dense", {"units", "activation", "alpha", "use_bias"}, "units"},
      {"conv2d", {"filters", "kernel", "strides", "padding", "activation", "alpha", "use_bias"},
       "filters"},
      {"conv2d_transpose",
       {"filters", "kernel", "strides", "padding", "activation", "alpha", "use_bias"},
       "filters"},
      {"maxpool", {"pool", "strides", "padding"}, "pool"},
      {"avgpool", {"pool", "strides", "padding"}, "pool"},
      {"upsample", {"size"}, "size"},
      {"flatten", {}, ""},
      {"reshape", {"shape"}, "shape"},
      {"layernorm", {"epsilon"}, "epsilon"},
      {"batchnorm", {"epsilon", "momentum"}, "epsilon"},
      {"dropout", {"rate"}, "rate"},
      {"gaussian_noise", {"stddev"}, "stddev"},
      {"lstm", {"units", "return_sequences"}, "units"},
      {"repeat", {"times"}, "times"},
      {"time_distributed", {"layer"}, "layer"},
      {"add", {}, "inputs"},
      {"concat", {}, "inputs"},
      {"vae_latent", {"units"}, "units"},
  };
  return table;
}

const KindInfo *findKind(const std::string &name) {
  for (const KindInfo &k : kindTable())
    if (k.name == name)
      return &k;
  return nullptr;
}

/// Names become .npz keys ("<layer>/kernel") and descriptor fields, so no '/' or spaces.
bool validLayerName(const std::string &name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

/// Parameters of `kind` whose absence is an error, with what they must be.
void requireParams(const SpecReader &r, const YAML::Node &entry, const LayerSpec &l,
                   const YAML::Node &params) {
  auto need = [&](const char *key, const char *what) {
    if (!params.IsMap() || !params[key])
      r.fail(entry, l.kind + " needs '" + key + "' (" + what + ")");
  };
  const std::string &k = l.kind;
  if (k == "dense" || k == "lstm" || k == "vae_latent")
    need("units", "a positive integer");
  else if (k == "conv2d" || k == "conv2d_transpose") {
    need("filters", "a positive integer");
    need("kernel", "a positive integer or a pair [kh, kw]");
  } else if (k == "reshape")
    need("shape", "a list of positive integers, one may be -1");
  else if (k == "dropout")
    need("rate", "a number in [0, 1)");
  else if (k == "gaussian_noise")
    need("stddev", "a non-negative number");
  else if (k == "repeat")
    need("times", "a positive integer");
  else if (k == "time_distributed")
    need("layer", "a layer such as {dense: 16}");
  else if (k == "add" || k == "concat")
    need("inputs", "a list of at least two layer names");
}

void parseActivation(const SpecReader &r, const YAML::Node &params, LayerSpec &l) {
  if (const YAML::Node a = params["activation"])
    l.activation = r.getChoice(a, "activation", activationNames());
  if (const YAML::Node a = params["alpha"]) {
    if (l.activation != "leaky_relu" && l.activation != "elu")
      r.fail(a, "'alpha' applies to the leaky_relu and elu activations only, not to '" +
                    l.activation + "'");
    l.alpha = r.getNumber(a, l.kind + " 'alpha'");
  }
}

/// Reads the parameters of `l.kind` from the map `p`.
void parseParams(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  const std::string &k = l.kind;
  auto what = [&](const char *key) { return k + " '" + key + "'"; };
  if (const YAML::Node n = p["units"])
    l.units = r.getPositiveInt(n, what("units"));
  if (const YAML::Node n = p["use_bias"])
    l.useBias = r.getBool(n, what("use_bias"));
  parseActivation(r, p, l);
  if (const YAML::Node n = p["filters"])
    l.filters = r.getPositiveInt(n, what("filters"));
  if (const YAML::Node n = p["kernel"])
    l.kernel = r.getPair(n, what("kernel"));
  bool pooling = k == "maxpool" || k == "avgpool";
  l.pool = {2, 2}; // Keras' default pool_size
  if (const YAML::Node n = p["pool"])
    l.pool = r.getPair(n, what("pool"));
  l.strides = pooling ? l.pool : std::vector<int64_t>{1, 1};
  if (const YAML::Node n = p["strides"])
    l.strides = r.getPair(n, what("strides"));
  l.padding = pooling ? "valid" : "same";
  if (const YAML::Node n = p["padding"])
    l.padding = r.getChoice(n, "padding", {"same", "valid"});
  l.size = {2, 2}; // Keras' default UpSampling2D size
  if (const YAML::Node n = p["size"])
    l.size = r.getPair(n, what("size"));
  if (const YAML::Node n = p["shape"])
    l.targetShape = r.getShape(n, what("shape"), /*allowMinusOne=*/true);
  if (k == "layernorm" || k == "batchnorm") {
    if (const YAML::Node n = p["epsilon"])
      l.epsilon = r.getPositiveNumber(n, what("epsilon"));
  }
  if (const YAML::Node n = p["momentum"])
    l.momentum = r.getNumberIn(n, what("momentum"), 0, 1);
  if (const YAML::Node n = p["rate"])
    l.rate = r.getNumberIn(n, what("rate"), 0, 1);
  if (const YAML::Node n = p["stddev"])
    l.stddev = r.getNumberIn(n, what("stddev"), 0, 1e300, true);
  if (const YAML::Node n = p["return_sequences"])
    l.returnSequences = r.getBool(n, what("return_sequences"));
  if (const YAML::Node n = p["times"])
    l.times = r.getPositiveInt(n, what("times"));
  if (const YAML::Node n = p["inputs"]) {
    l.inputs = r.getStringList(n, what("inputs"));
    bool merge = k == "add" || k == "concat";
    if (merge && l.inputs.size() < 2)
      r.fail(n, k + " needs at least two inputs");
    if (!merge && l.inputs.size() != 1)
      r.fail(n, k + " takes exactly one input, got " + std::to_string(l.inputs.size()));
  }
  if (const YAML::Node n = p["layer"]) {
    LayerSpec inner = parseLayer(r, n, l.name, l.inDecoder);
    if (!inner.inputs.empty())
      r.fail(n, "the layer inside time_distributed cannot list inputs");
    if (inner.kind == "time_distributed" || inner.kind == "add" || inner.kind == "concat" ||
        inner.kind == "vae_latent")
      r.fail(n, "time_distributed cannot wrap " + inner.kind);
    inner.name = l.name; // its parameters are the wrapper's, as in Keras
    inner.loc.layer = l.name;
    l.inner.push_back(std::move(inner));
  }
}

} // namespace

const std::vector<std::string> &layerKinds() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const KindInfo &k : kindTable())
      out.push_back(k.name);
    return out;
  }();
  return names;
}

LayerSpec parseLayer(const SpecReader &reader, const YAML::Node &entry,
                     const std::string &defaultName, bool inDecoder) {
  SpecReader r = reader;
  // Errors before the name is read still name the layer: its `name:` if it has a plain
  // one, else its default name.
  r.layer = defaultName;
  if (entry.IsMap() && entry.size() == 1 && entry.begin()->second.IsMap()) {
    const YAML::Node name = entry.begin()->second["name"];
    if (name && name.IsScalar())
      r.layer = name.Scalar();
  }
  // reset(), not operator=: assigning to a YAML::Node that aliases a tree node overwrites
  // that node in the tree.
  YAML::Node kindNode, params;
  if (entry.IsScalar()) {
    kindNode.reset(entry);
  } else if (entry.IsMap() && entry.size() == 1) {
    kindNode.reset(entry.begin()->first);
    params.reset(entry.begin()->second);
  } else if (entry.IsMap()) {
    std::vector<std::string> keys;
    for (auto it = entry.begin(); it != entry.end(); ++it)
      keys.push_back(it->first.IsScalar() ? it->first.Scalar() : "?");
    r.fail(entry, "a layer is a one-key map {kind: params}, got keys " + joinNames(keys) +
                      "; write e.g. '- dense: {units: 40, activation: relu}'");
  } else {
    r.fail(entry, "a layer is a one-key map {kind: params} or a kind name");
  }

  LayerSpec l;
  l.inDecoder = inDecoder;
  l.name = defaultName;
  l.kind = r.getString(kindNode, "a layer kind");
  const KindInfo *info = findKind(l.kind);
  if (!info)
    r.fail(kindNode, "unknown layer type '" + l.kind + "'" + didYouMean(l.kind, layerKinds()) +
                         " (layers: " + joinNames(layerKinds()) + ")");

  // Shorthand: a bare value stands for the kind's main parameter.
  YAML::Node map;
  if (params.IsMap()) {
    map.reset(params);
  } else if (params.IsDefined() && !params.IsNull()) {
    if (info->shorthand.empty())
      r.fail(params, l.kind + " takes no parameters");
    map.reset(YAML::Node(YAML::NodeType::Map));
    map[info->shorthand] = params; // a fresh map: assignment here adds the entry
  }

  const YAML::Node &cmap = map; // const lookups never insert keys
  if (cmap.IsMap()) {
    std::vector<std::string> valid = info->params;
    valid.push_back("name");
    valid.push_back("inputs");
    r.checkKeys(cmap, valid, l.kind);
    if (const YAML::Node n = cmap["name"]) {
      l.name = r.getString(n, "a layer name");
      if (!validLayerName(l.name))
        r.fail(n, "layer name '" + l.name +
                      "' may use only letters, digits, '_', '.' and '-' (it names weights)");
    }
  }
  r.layer = l.name;
  l.loc = r.at(entry);
  requireParams(r, entry, l, cmap);
  if (cmap.IsMap())
    parseParams(r, cmap, l);
  else
    parseParams(r, YAML::Node(YAML::NodeType::Map), l);
  return l;
}

} // namespace aec
