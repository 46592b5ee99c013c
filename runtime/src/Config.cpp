/// Typed run settings from the descriptor's flat `setting` records.
#include <aec/Config.h>
#include <aec/Csv.h>

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace aec::rt {
namespace {

/// Typed lookups that name the setting in their errors.
struct Settings {
  const std::map<std::string, std::string> &s;
  const std::string *find(const std::string &key) const {
    auto it = s.find(key);
    return it == s.end() ? nullptr : &it->second;
  }
  [[noreturn]] void bad(const std::string &key, const std::string &what, const std::string &v) const {
    throw std::runtime_error(fmt::format("setting '{}': expected {}, got '{}'", key, what, v));
  }
  void get(const std::string &key, int64_t &out) const {
    if (auto *v = find(key)) {
      char *end = nullptr;
      long long x = std::strtoll(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0')
        bad(key, "an integer", *v);
      out = x;
    }
  }
  void get(const std::string &key, int &out) const {
    int64_t x = out;
    get(key, x);
    out = static_cast<int>(x);
  }
  void get(const std::string &key, uint64_t &out) const {
    if (auto *v = find(key)) {
      char *end = nullptr;
      unsigned long long x = std::strtoull(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || (*v)[0] == '-')
        bad(key, "a non-negative integer", *v);
      out = x;
    }
  }
  void get(const std::string &key, double &out) const {
    if (auto *v = find(key)) {
      char *end = nullptr;
      double x = std::strtod(v->c_str(), &end);
      if (v->empty() || *end != '\0' || !std::isfinite(x))
        bad(key, "a number", *v);
      out = x;
    }
  }
  void get(const std::string &key, bool &out) const {
    if (auto *v = find(key)) {
      if (*v == "true" || *v == "1" || *v == "yes" || *v == "on")
        out = true;
      else if (*v == "false" || *v == "0" || *v == "no" || *v == "off")
        out = false;
      else
        bad(key, "true or false", *v);
    }
  }
  void get(const std::string &key, std::string &out) const {
    if (auto *v = find(key))
      out = *v;
  }
};

/// `key` as a RowRange: "N" (the first N rows) or "a:b" (rows a to b - 1).
RowRange rowsSetting(const Settings &s, const std::string &key) {
  RowRange r;
  const std::string *v = s.find(key);
  if (!v)
    return r;
  long long a = 0, b = 0;
  char tail = 0;
  if (std::sscanf(v->c_str(), "%lld:%lld%c", &a, &b, &tail) == 2 && a >= 0 && a < b)
    return {a, b};
  if (std::sscanf(v->c_str(), "%lld%c", &b, &tail) == 1 && b > 0 && v->find(':') == std::string::npos)
    return {0, b};
  s.bad(key, "a number of rows N > 0 or a range a:b with 0 <= a < b", *v);
}

/// data.* keys the loader itself understands; every other data.* key goes to the generator.
bool isLoaderKey(const std::string &key) {
  if (key.rfind("data.validation_data.", 0) == 0)
    return true;
  static const char *keys[] = {"data.synthetic", "data.n",         "data.path",        "data.columns", "data.header", "data.skip_rows",
                               "data.key",       "data.normalize", "data.normalize.scale", "data.transform",
                               "data.seed",      "data.target.path", "data.target.key", "data.rows"};
  for (const char *k : keys)
    if (key == k)
      return true;
  return false;
}

} // namespace

RunConfig parseRunConfig(const std::map<std::string, std::string> &settings) {
  Settings s{settings};
  RunConfig c;
  s.get("train.epochs", c.epochs);
  s.get("train.seed", c.seed);
  s.get("train.shuffle", c.shuffle);
  s.get("train.validation_split", c.validationSplit);
  s.get("train.batch", c.batch);
  if (c.epochs < 0)
    s.bad("train.epochs", "a non-negative integer", std::to_string(c.epochs));
  if (c.validationSplit < 0 || c.validationSplit >= 1)
    s.bad("train.validation_split", "a number in [0, 1)", settings.at("train.validation_split"));

  auto &es = c.earlyStopping;
  s.get("train.early_stopping.monitor", es.monitor);
  s.get("train.early_stopping.patience", es.patience);
  s.get("train.early_stopping.min_delta", es.minDelta);
  s.get("train.early_stopping.restore_best", es.restoreBest);
  auto &pl = c.plateau;
  s.get("train.reduce_lr_on_plateau.monitor", pl.monitor);
  s.get("train.reduce_lr_on_plateau.patience", pl.patience);
  s.get("train.reduce_lr_on_plateau.factor", pl.factor);
  s.get("train.reduce_lr_on_plateau.min_lr", pl.minLr);
  s.get("train.reduce_lr_on_plateau.min_delta", pl.minDelta);
  for (const auto *m : {&es.monitor, &pl.monitor})
    if (*m != "loss" && *m != "val_loss")
      throw std::runtime_error(fmt::format("monitor must be 'loss' or 'val_loss', got '{}'", *m));

  s.get("train.corrupt.gaussian", c.corrupt.gaussian);
  s.get("train.corrupt.masking", c.corrupt.masking);
  s.get("train.corrupt.salt_pepper", c.corrupt.saltPepper);
  if (c.corrupt.gaussian < 0)
    s.bad("train.corrupt.gaussian", "a non-negative stddev", settings.at("train.corrupt.gaussian"));
  for (const char *k : {"train.corrupt.masking", "train.corrupt.salt_pepper"})
    if (auto *v = s.find(k); v && !(std::strtod(v->c_str(), nullptr) >= 0 && std::strtod(v->c_str(), nullptr) <= 1))
      s.bad(k, "a probability in [0, 1]", *v);

  s.get("optimizer.kind", c.optimizerKind);
  s.get("optimizer.lr", c.lr);

  s.get("data.synthetic", c.synthetic);
  s.get("data.n", c.n);
  s.get("data.path", c.path);
  s.get("data.key", c.key);
  std::string columns, header;
  s.get("data.columns", columns);
  c.csv.columns = splitList(columns);
  s.get("data.skip_rows", c.csv.skipRows);
  s.get("data.header", header);
  if (!header.empty())
    c.csv.header = header == "true" ? 1 : 0;
  s.get("data.normalize", c.normalize);
  if (auto *v = s.find("data.normalize.scale"))
    c.normalize = "scale:" + *v;
  s.get("data.transform", c.transform);
  s.get("data.target.path", c.targetPath);
  s.get("data.target.key", c.targetKey);
  c.rows = rowsSetting(s, "data.rows");
  // A validation set is read as the data is, unless it says otherwise.
  ValidationDataConfig &v = c.validation;
  const std::string vp = "data.validation_data.";
  s.get(vp + "path", v.path);
  v.key = c.key;
  s.get(vp + "key", v.key);
  v.csv = c.csv;
  std::string vColumns, vHeader;
  s.get(vp + "columns", vColumns);
  if (s.find(vp + "columns"))
    v.csv.columns = splitList(vColumns);
  v.columnsInherited = !s.find(vp + "columns") && !v.csv.columns.empty();
  s.get(vp + "skip_rows", v.csv.skipRows);
  s.get(vp + "header", vHeader);
  if (!vHeader.empty())
    v.csv.header = vHeader == "true" ? 1 : 0;
  s.get(vp + "target.path", v.targetPath);
  s.get(vp + "target.key", v.targetKey);
  v.rows = rowsSetting(s, vp + "rows");
  if (!v.path.empty() && c.validationSplit > 0)
    throw std::runtime_error("settings give both data.validation_data and train.validation_split: keep one");
  c.dataSeed = c.seed;
  s.get("data.seed", c.dataSeed);
  for (const auto &[k, v] : settings)
    if (k.rfind("data.", 0) == 0 && !isLoaderKey(k))
      c.generatorParams[k.substr(5)] = v;

  s.get("loss.reconstruction", c.reconstructionLoss);
  return c;
}

RunConfig runConfigFor(const ModelDescriptor &desc) {
  RunConfig c = parseRunConfig(desc.settings);
  c.batch = desc.batch;
  c.inputShape = desc.inputShape;
  c.outputShape = desc.outputShape;
  c.codeShape = desc.codeShape;
  return c;
}

} // namespace aec::rt
