/// Parsing of the run-time sections: loss, optimizer, train, data. Typed values go to the
/// spec's fields where the compiler needs them; everything goes to the flat settings the
/// runtime reads from the descriptor.
#include "frontend/SpecParse.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>

namespace aec {

namespace {

/// Records setting `key` = `value`, located at `keyNode` (errors about it point there).
void put(ModelSpec &spec, const SpecReader &r, const YAML::Node &keyNode, const std::string &key,
         const std::string &value) {
  spec.settings[key] = value;
  spec.settingLocs[key] = r.at(keyNode);
}

/// The key node of `name` in `map` (for locations), or `map` itself.
YAML::Node keyOf(const YAML::Node &map, const std::string &name) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == name)
      return it->first;
  return map;
}

std::string boolText(bool b) { return b ? "true" : "false"; }

/// The only key of a one-key map such as {adam: {...}} or {gaussian: 0.2}.
YAML::Node onlyKey(const SpecReader &r, const YAML::Node &map, const std::string &what) {
  if (!map.IsMap() || map.size() != 1)
    r.fail(map, what + " must be a one-key map, e.g. " +
                    (what == "optimizer" ? "{adam: {lr: 1.0e-3}}" : "{gaussian: 0.2}"));
  return map.begin()->first;
}

void parseLossTerm(const SpecReader &r, const YAML::Node &entry, ModelSpec &spec) {
  static const std::vector<std::string> kinds = {"l1_activity", "kl_sparsity", "contractive",
                                                 "weight_decay"};
  YAML::Node kindNode = onlyKey(r, entry, "a loss term");
  const YAML::Node value = entry.begin()->second;
  LossTermSpec t;
  t.kind = r.getChoice(kindNode, "loss term", kinds);
  t.loc = r.at(kindNode);
  std::string what = "loss term " + t.kind;
  if (t.kind == "weight_decay" && value.IsScalar()) {
    t.weight = r.getNumberIn(value, what, 0, 1e300, true);
  } else {
    r.requireMap(value, what);
    std::vector<std::string> valid = {"weight"};
    if (t.kind != "weight_decay")
      valid.push_back("layer");
    if (t.kind == "kl_sparsity")
      valid.push_back("rho");
    r.checkKeys(value, valid, what);
    if (!value["weight"])
      r.fail(kindNode, what + " needs 'weight' (a non-negative number)");
    t.weight = r.getNumberIn(value["weight"], what + " 'weight'", 0, 1e300, true);
    if (t.kind != "weight_decay") {
      if (!value["layer"])
        r.fail(kindNode, what + " needs 'layer' (the name of a layer)");
      t.layer = r.getString(value["layer"], what + " 'layer'");
    }
    if (const YAML::Node rho = value["rho"])
      t.rho = r.getNumberIn(rho, what + " 'rho'", 0, 1);
  }
  std::string prefix = "loss.terms." + std::to_string(spec.loss.terms.size()) + ".";
  put(spec, r, kindNode, prefix + "kind", t.kind);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", t.weight);
  put(spec, r, kindNode, prefix + "weight", buf);
  if (!t.layer.empty())
    put(spec, r, kindNode, prefix + "layer", t.layer);
  if (t.kind == "kl_sparsity") {
    std::snprintf(buf, sizeof buf, "%.9g", t.rho);
    put(spec, r, kindNode, prefix + "rho", buf);
  }
  spec.loss.terms.push_back(t);
}

} // namespace

void parseLoss(const SpecReader &r, const YAML::Node &node, ModelSpec &spec) {
  static const std::vector<std::string> recon = {"mse", "mae", "bce"};
  spec.loss.loc = r.at(node);
  if (node.IsScalar()) {
    spec.loss.reconstruction = r.getChoice(node, "loss", recon);
  } else {
    r.requireMap(node, "loss");
    r.checkKeys(node, {"reconstruction", "terms", "beta"}, "loss");
    if (const YAML::Node n = node["reconstruction"])
      spec.loss.reconstruction = r.getChoice(n, "loss", recon);
    if (const YAML::Node n = node["beta"]) {
      spec.loss.beta = r.getNumberIn(n, "loss 'beta'", 0, 1e300, true);
      put(spec, r, keyOf(node, "beta"), "loss.beta", n.Scalar());
    }
    if (const YAML::Node terms = node["terms"]) {
      if (!terms.IsSequence())
        r.fail(terms, "loss 'terms' must be a list of terms such as "
                      "'- weight_decay: 1.0e-5'");
      for (const YAML::Node &t : terms)
        parseLossTerm(r, t, spec);
    }
  }
  put(spec, r, node, "loss.reconstruction", spec.loss.reconstruction);
}

void parseOptimizer(const SpecReader &r, const YAML::Node &node, ModelSpec &spec) {
  static const std::vector<std::string> kinds = {"adam", "sgd", "rmsprop"};
  OptimizerSpec &o = spec.optimizer;
  // reset(), not operator=: assignment through an alias would overwrite the tree node.
  YAML::Node kindNode(node), params;
  if (!node.IsScalar()) {
    kindNode.reset(onlyKey(r, node, "optimizer"));
    params.reset(node.begin()->second);
  }
  o.kind = r.getChoice(kindNode, "optimizer", kinds);
  o.loc = r.at(kindNode);
  put(spec, r, kindNode, "optimizer.kind", o.kind);
  // Keras' learning rates (adam and rmsprop 1e-3; sgd 1e-2, as torch); rmsprop's eps is
  // torch's, whose update formula it follows.
  if (o.kind == "sgd")
    o.lr = 1e-2;
  if (o.kind == "rmsprop")
    o.eps = 1e-8;
  if (params.IsDefined() && !params.IsNull()) {
    r.requireMap(params, o.kind);
    std::vector<std::string> valid = {"lr", "learning_rate"};
    if (o.kind == "adam")
      valid.insert(valid.end(), {"beta1", "beta2", "eps"});
    else if (o.kind == "sgd")
      valid.push_back("momentum");
    else
      valid.insert(valid.end(), {"rho", "eps", "momentum"});
    r.checkKeys(params, valid, o.kind);
    auto num = [&](const char *key, double &field, double lo, double hi) {
      if (const YAML::Node n = params[key]) {
        field = r.getNumberIn(n, o.kind + " '" + key + "'", lo, hi);
        put(spec, r, keyOf(params, key), std::string("optimizer.") + key, n.Scalar());
      }
    };
    // `learning_rate` is Keras' spelling of `lr`.
    if (params["lr"] && params["learning_rate"])
      r.fail(keyOf(params, "learning_rate"),
             o.kind + " takes 'lr' or 'learning_rate' (Keras' spelling of the same), not both");
    for (const char *key : {"lr", "learning_rate"})
      if (const YAML::Node n = params[key]) {
        o.lr = r.getPositiveNumber(n, o.kind + " '" + key + "'");
        put(spec, r, keyOf(params, key), "optimizer.lr", n.Scalar());
      }
    num("beta1", o.beta1, 0, 1);
    num("beta2", o.beta2, 0, 1);
    num("eps", o.eps, 0, 1);
    num("momentum", o.momentum, 0, 1);
    num("rho", o.rho, 0, 1);
  }
  // The runtime reads lr from settings (it can change it at run time); always present.
  if (!spec.settings.count("optimizer.lr")) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", o.lr);
    put(spec, r, kindNode, "optimizer.lr", buf);
  }
}

void parseTrain(const SpecReader &r, const YAML::Node &node, ModelSpec &spec) {
  r.requireMap(node, "train");
  r.checkKeys(node,
              {"batch", "epochs", "seed", "validation_split", "shuffle", "early_stopping",
               "reduce_lr_on_plateau", "corrupt"},
              "train");
  auto key = [&](const char *k) { return keyOf(node, k); };
  if (const YAML::Node n = node["batch"]) {
    spec.batch = r.getPositiveInt(n, "train 'batch'");
    put(spec, r, key("batch"), "train.batch", std::to_string(spec.batch));
  }
  if (const YAML::Node n = node["epochs"])
    put(spec, r, key("epochs"), "train.epochs",
        std::to_string(r.getPositiveInt(n, "train 'epochs'")));
  if (const YAML::Node n = node["seed"])
    put(spec, r, key("seed"), "train.seed",
        std::to_string(r.getNonNegativeInt(n, "train 'seed'")));
  if (const YAML::Node n = node["validation_split"]) {
    r.getNumberIn(n, "train 'validation_split'", 0, 1);
    put(spec, r, key("validation_split"), "train.validation_split", n.Scalar());
  }
  if (const YAML::Node n = node["shuffle"])
    put(spec, r, key("shuffle"), "train.shuffle", boolText(r.getBool(n, "train 'shuffle'")));

  if (const YAML::Node es = node["early_stopping"]) {
    r.requireMap(es, "train 'early_stopping'");
    r.checkKeys(es, {"monitor", "patience", "restore_best", "min_delta"}, "early_stopping");
    std::string p = "train.early_stopping.";
    // The runtime turns the callback on by its patience; Keras' default is 0.
    put(spec, r, key("early_stopping"), p + "patience", "0");
    if (const YAML::Node n = es["monitor"])
      put(spec, r, keyOf(es, "monitor"), p + "monitor",
          r.getChoice(n, "early_stopping monitor", {"loss", "val_loss"}));
    if (const YAML::Node n = es["patience"])
      put(spec, r, keyOf(es, "patience"), p + "patience",
          std::to_string(r.getNonNegativeInt(n, "early_stopping 'patience'")));
    if (const YAML::Node n = es["restore_best"])
      put(spec, r, keyOf(es, "restore_best"), p + "restore_best",
          boolText(r.getBool(n, "early_stopping 'restore_best'")));
    if (const YAML::Node n = es["min_delta"]) {
      r.getNumberIn(n, "early_stopping 'min_delta'", 0, 1e300, true);
      put(spec, r, keyOf(es, "min_delta"), p + "min_delta", n.Scalar());
    }
  }
  if (const YAML::Node rl = node["reduce_lr_on_plateau"]) {
    r.requireMap(rl, "train 'reduce_lr_on_plateau'");
    r.checkKeys(rl, {"factor", "patience", "min_lr", "monitor"}, "reduce_lr_on_plateau");
    std::string p = "train.reduce_lr_on_plateau.";
    put(spec, r, key("reduce_lr_on_plateau"), p + "patience", "10"); // Keras' default
    if (const YAML::Node n = rl["factor"]) {
      r.getNumberIn(n, "reduce_lr_on_plateau 'factor'", 0, 1);
      put(spec, r, keyOf(rl, "factor"), p + "factor", n.Scalar());
    }
    if (const YAML::Node n = rl["patience"])
      put(spec, r, keyOf(rl, "patience"), p + "patience",
          std::to_string(r.getNonNegativeInt(n, "reduce_lr_on_plateau 'patience'")));
    if (const YAML::Node n = rl["min_lr"]) {
      r.getNumberIn(n, "reduce_lr_on_plateau 'min_lr'", 0, 1e300, true);
      put(spec, r, keyOf(rl, "min_lr"), p + "min_lr", n.Scalar());
    }
    if (const YAML::Node n = rl["monitor"])
      put(spec, r, keyOf(rl, "monitor"), p + "monitor",
          r.getChoice(n, "reduce_lr_on_plateau monitor", {"loss", "val_loss"}));
  }
  if (const YAML::Node c = node["corrupt"]) {
    YAML::Node kind = onlyKey(r, c, "train 'corrupt'");
    std::string k = r.getChoice(kind, "corruption", {"gaussian", "masking", "salt_pepper"});
    const YAML::Node v = c.begin()->second;
    if (k == "gaussian")
      r.getNumberIn(v, "gaussian corruption stddev", 0, 1e300, true);
    else
      r.getNumberIn(v, k + " corruption rate", 0, 1);
    put(spec, r, kind, "train.corrupt." + k, v.Scalar());
  }
}

namespace {

/// The keys that say how to read a data file, read alike for `data` and its
/// `validation_data`; settings go under `prefix` ("data.", "data.validation_data.").
const std::vector<std::string> FileKeys = {"path", "columns", "key", "header", "skip_rows", "target", "rows"};

/// Reads the FileKeys of `node` (`what` names it in messages: "data", "validation_data").
void parseFileKeys(const SpecReader &r, const YAML::Node &node, const std::string &what,
                   const std::string &prefix, const std::function<std::string(const std::string &)> &resolve,
                   ModelSpec &spec) {
  if (!node["path"])
    r.fail(node, what + " needs 'path' (a data file)" +
                     (what == "data" ? " or 'synthetic' (a generator name)" : ""));
  put(spec, r, keyOf(node, "path"), prefix + "path", resolve(r.getString(node["path"], what + " 'path'")));
  // Columns by name, or by 0-based position: 3, or a range "0:30" (end excluded).
  if (const YAML::Node n = node["columns"]) {
    std::vector<std::string> cols = n.IsScalar() ? std::vector<std::string>{r.getString(n, what + " 'columns'")}
                                                 : r.getStringList(n, what + " 'columns'");
    put(spec, r, keyOf(node, "columns"), prefix + "columns", joinNames(cols, ","));
  }
  // A CSV whose first line is not column names (e.g. sklearn's own "569,30,..." line,
  // skipped with skip_rows: 1): columns are then named by position, "0", "1", ...
  if (const YAML::Node n = node["header"])
    put(spec, r, keyOf(node, "header"), prefix + "header", r.getBool(n, what + " 'header'") ? "true" : "false");
  if (const YAML::Node n = node["skip_rows"])
    put(spec, r, keyOf(node, "skip_rows"), prefix + "skip_rows",
        std::to_string(r.getNonNegativeInt(n, what + " 'skip_rows'")));
  if (const YAML::Node n = node["key"])
    put(spec, r, keyOf(node, "key"), prefix + "key", r.getString(n, what + " 'key'"));
  // rows: N (the first N samples) or [a, b] (samples a to b - 1, as a Python slice a:b).
  if (const YAML::Node n = node["rows"]) {
    std::string rows;
    if (n.IsSequence() && n.size() == 2) {
      const int64_t from = r.getNonNegativeInt(n[0], what + " 'rows' start");
      const int64_t to = r.getPositiveInt(n[1], what + " 'rows' end");
      if (from >= to)
        r.fail(n, what + " 'rows' [a, b] takes samples a to b - 1 and needs a < b, got [" + std::to_string(from) +
                      ", " + std::to_string(to) + "]");
      rows = std::to_string(from) + ":" + std::to_string(to);
    } else if (n.IsScalar()) {
      rows = std::to_string(r.getPositiveInt(n, what + " 'rows'"));
    } else {
      r.fail(n, what + " 'rows' is a number of samples N (the first N) or a range [a, b] (samples a to b - 1)");
    }
    put(spec, r, keyOf(node, "rows"), prefix + "rows", rows);
  }
  if (const YAML::Node t = node["target"]) {
    r.requireMap(t, what + " 'target'");
    r.checkKeys(t, {"path", "key"}, what + " target");
    if (!t["path"])
      r.fail(t, what + " target needs 'path' (a data file)");
    put(spec, r, keyOf(t, "path"), prefix + "target.path",
        resolve(r.getString(t["path"], what + " target 'path'")));
    if (const YAML::Node n = t["key"])
      put(spec, r, keyOf(t, "key"), prefix + "target.key", r.getString(n, what + " target 'key'"));
  }
}

/// `validation_data: {path: ...}` inside data: a separate validation set, read as data (its
/// columns, key, header and skip_rows default to data's) and normalized with the training
/// data's statistics, so it takes no normalize or transform of its own.
void parseValidationData(const SpecReader &r, const YAML::Node &node,
                         const std::function<std::string(const std::string &)> &resolve, ModelSpec &spec) {
  r.requireMap(node, "data 'validation_data'");
  for (const char *own : {"normalize", "transform"})
    if (node[own])
      r.fail(keyOf(node, own), std::string("validation_data takes no '") + own +
                                   "': the training data's normalization applies to it");
  r.checkKeys(node, FileKeys, "validation_data");
  if (spec.settings.count("train.validation_split"))
    r.fail(node, "validation_data and train 'validation_split' (at line " +
                     std::to_string(spec.settingLocs.at("train.validation_split").line) +
                     ") both give a validation set: keep one");
  parseFileKeys(r, node, "validation_data", "data.validation_data.", resolve, spec);
}

} // namespace

void parseData(const SpecReader &r, const YAML::Node &node, const std::string &baseDir,
               ModelSpec &spec) {
  r.requireMap(node, "data");
  static const std::vector<std::string> synthKeys = {"synthetic", "n", "seed", "normalize", "transform",
                                                     "validation_data"};
  const bool synthetic = bool(node["synthetic"]);
  if (synthetic && node["path"])
    r.fail(keyOf(node, "path"), "data takes either 'path' or 'synthetic', not both");
  auto resolve = [&](const std::string &path) {
    std::filesystem::path p(path);
    if (p.is_relative() && !baseDir.empty())
      p = std::filesystem::path(baseDir) / p;
    return p.lexically_normal().string();
  };
  if (synthetic) {
    // Generator parameters (r_min, ...) are the generator's business: the runtime checks
    // them (`aec check` runs it on one sample), so any other key is passed through.
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string k = it->first.Scalar();
      if (std::find(synthKeys.begin(), synthKeys.end(), k) != synthKeys.end())
        continue;
      if (std::find(FileKeys.begin(), FileKeys.end(), k) != FileKeys.end())
        r.fail(it->first, "'" + k + "' applies to data files, not to synthetic data");
      // A near miss of a data key is a typo, not a generator parameter.
      std::string hint = didYouMean(k, synthKeys);
      if (!hint.empty() && k.size() > 2)
        r.fail(it->first, "unknown key '" + k + "' in data" + hint);
      put(spec, r, it->first, "data." + k,
          r.settingText(it->second, "generator parameter '" + k + "'"));
    }
    put(spec, r, keyOf(node, "synthetic"), "data.synthetic",
        r.getString(node["synthetic"], "data 'synthetic'"));
    if (const YAML::Node n = node["n"])
      put(spec, r, keyOf(node, "n"), "data.n", std::to_string(r.getPositiveInt(n, "data 'n'")));
    if (const YAML::Node n = node["seed"])
      put(spec, r, keyOf(node, "seed"), "data.seed",
          std::to_string(r.getNonNegativeInt(n, "data 'seed'")));
  } else {
    std::vector<std::string> valid = FileKeys;
    valid.insert(valid.end(), {"normalize", "transform", "validation_data", "synthetic"});
    r.checkKeys(node, valid, "data");
    parseFileKeys(r, node, "data", "data.", resolve, spec);
  }
  if (const YAML::Node n = node["validation_data"])
    parseValidationData(r, n, resolve, spec);
  if (const YAML::Node n = node["normalize"]) {
    std::string value;
    if (n.IsMap()) {
      r.checkKeys(n, {"scale"}, "normalize");
      if (!n["scale"])
        r.fail(n, "normalize as a map needs 'scale' (a positive number), e.g. {scale: 255}");
      r.getPositiveNumber(n["scale"], "normalize 'scale'");
      value = "scale:" + n["scale"].Scalar();
    } else {
      value = r.getChoice(n, "normalization", {"standard", "minmax", "max", "none"});
    }
    put(spec, r, keyOf(node, "normalize"), "data.normalize", value);
  }
  if (const YAML::Node n = node["transform"])
    put(spec, r, keyOf(node, "transform"), "data.transform",
        r.getChoice(n, "transform", {"log10p1", "none"}));
}

} // namespace aec
