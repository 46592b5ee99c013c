/// Parsing of one layer entry: `- dense: {units: 50, activation: relu}`, `- dense: 40`,
/// `- layernorm`, `- add: [a, b]`, ... The entry's form, name, keys, required keys and
/// inputs are checked here for every kind; the kind's own parameters are read by its
/// LayerKind::parse (frontend/layers/).
#include "frontend/LayerKind.h"
#include "frontend/SpecParse.h"

#include <algorithm>
#include <cctype>

namespace aec {

namespace {

/// Names become .npz keys ("<layer>/kernel") and descriptor fields, so no '/' or spaces.
bool validLayerName(const std::string &name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

/// `inputs`, which every layer takes: two or more for a merge, else exactly one.
void parseInputs(const SpecReader &r, const YAML::Node &params, const LayerKind &kind,
                 LayerSpec &l) {
  const YAML::Node n = params["inputs"];
  if (!n)
    return;
  l.inputs = r.getStringList(n, paramWhat(l, "inputs"));
  if (kind.merges && l.inputs.size() < 2)
    r.fail(n, l.kind + " needs at least two inputs");
  if (!kind.merges && l.inputs.size() != 1)
    r.fail(n, l.kind + " takes exactly one input, got " + std::to_string(l.inputs.size()));
}

} // namespace

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
  const LayerKind *kind = lookupLayerKind(l.kind);
  if (!kind)
    r.fail(kindNode, "unknown layer type '" + l.kind + "'" + didYouMean(l.kind, layerKinds()) +
                         " (layers: " + joinNames(layerKinds()) + ")");

  // Shorthand: a bare value stands for the kind's main parameter.
  YAML::Node map;
  if (params.IsMap()) {
    map.reset(params);
  } else if (params.IsDefined() && !params.IsNull()) {
    if (kind->shorthand.empty())
      r.fail(params, l.kind + " takes no parameters");
    map.reset(YAML::Node(YAML::NodeType::Map));
    map[kind->shorthand] = params; // a fresh map: assignment here adds the entry
  }

  const YAML::Node &cmap = map; // const lookups never insert keys
  if (cmap.IsMap()) {
    std::vector<std::string> valid = kind->keys;
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
  for (const auto &[key, what] : kind->required)
    if (!cmap.IsMap() || !cmap[key])
      r.fail(entry, l.kind + " needs '" + key + "' (" + what + ")");
  const YAML::Node given = cmap.IsMap() ? cmap : YAML::Node(YAML::NodeType::Map);
  if (kind->parse)
    kind->parse(r, given, l);
  parseInputs(r, given, *kind, l);
  return l;
}

} // namespace aec
