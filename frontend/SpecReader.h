#pragma once
/// Typed access to YAML nodes with user-facing errors: every failure names the file,
/// line:col of the offending node, the layer (when inside one) and what was expected.
/// Internal to the frontend.
#include "ir/Diagnostics.h"
#include "ir/Type.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

namespace aec {

/// "; did you mean 'x'?" or "" (no close option).
std::string didYouMean(const std::string &word, const std::vector<std::string> &options);
/// "a, b, c".
std::string joinNames(const std::vector<std::string> &names, const std::string &sep = ", ");

/// Reads YAML nodes of one model file. `layer` (when set) is put into every location so
/// errors get the "layer 'x': " prefix.
class SpecReader {
public:
  explicit SpecReader(std::string file) : File(std::move(file)) {}

  std::string File;
  std::string layer;

  /// Location of `node` (1-based line:col).
  SourceLoc at(const YAML::Node &node) const;
  [[noreturn]] void fail(const YAML::Node &node, const std::string &message) const;

  /// Rejects keys of `map` not in `valid`, at the key, with a did-you-mean. `what` names
  /// the section in the message ("dense", "train", ...).
  void checkKeys(const YAML::Node &map, const std::vector<std::string> &valid,
                 const std::string &what) const;
  /// Requires `node` to be a map; `what` describes it.
  void requireMap(const YAML::Node &node, const std::string &what) const;

  // Scalars. `what` names the value in messages, e.g. "dense 'units'".
  int64_t getInt(const YAML::Node &node, const std::string &what) const;
  /// A positive integer up to MaxSize: every size in a model (units, filters, kernel,
  /// shape entries, batch) is one, so sums and pairwise products of sizes never overflow.
  int64_t getPositiveInt(const YAML::Node &node, const std::string &what) const;
  static constexpr int64_t MaxSize = 2147483647;
  int64_t getNonNegativeInt(const YAML::Node &node, const std::string &what) const;
  double getNumber(const YAML::Node &node, const std::string &what) const;
  double getPositiveNumber(const YAML::Node &node, const std::string &what) const;
  /// A number in [lo, hi) (hi inclusive when `hiInclusive`).
  double getNumberIn(const YAML::Node &node, const std::string &what, double lo, double hi,
                     bool hiInclusive = false) const;
  bool getBool(const YAML::Node &node, const std::string &what) const;
  std::string getString(const YAML::Node &node, const std::string &what) const;
  /// A string that must be one of `options` (did-you-mean otherwise).
  std::string getChoice(const YAML::Node &node, const std::string &what,
                        const std::vector<std::string> &options) const;
  /// An int (n -> [n, n]) or a pair [a, b] of positive ints.
  std::vector<int64_t> getPair(const YAML::Node &node, const std::string &what) const;
  /// A list of positive ints, or one int. `allowMinusOne` admits one -1 (reshape).
  Shape getShape(const YAML::Node &node, const std::string &what,
                 bool allowMinusOne = false) const;
  /// A list of strings, or one string.
  std::vector<std::string> getStringList(const YAML::Node &node, const std::string &what) const;

  /// The scalar text of a node, for flat settings (lists are comma-joined).
  std::string settingText(const YAML::Node &node, const std::string &what) const;
};

} // namespace aec
