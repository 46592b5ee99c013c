#include "frontend/SpecReader.h"

#include <aec/ClosestName.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace aec {

std::string didYouMean(const std::string &word, const std::vector<std::string> &options) {
  std::string best = closestName(word, options);
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

std::string joinNames(const std::vector<std::string> &names, const std::string &sep) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? sep : "") + names[i];
  return out;
}

/// How a node reads in a "got ..." clause.
static std::string describe(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Scalar:
    return "'" + node.Scalar() + "'";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Map:
    return "a map";
  default:
    return "nothing";
  }
}

SourceLoc SpecReader::at(const YAML::Node &node) const {
  SourceLoc loc;
  loc.file = File;
  loc.layer = layer;
  YAML::Mark mark = node.Mark();
  if (!mark.is_null()) {
    loc.line = mark.line + 1;
    loc.col = mark.column + 1;
  }
  return loc;
}

void SpecReader::fail(const YAML::Node &node, const std::string &message) const {
  aec::fail(at(node), message);
}

void SpecReader::requireMap(const YAML::Node &node, const std::string &what) const {
  if (!node.IsMap())
    fail(node, what + " must be a map {key: value, ...}, got " + describe(node));
}

void SpecReader::checkKeys(const YAML::Node &map, const std::vector<std::string> &valid,
                           const std::string &what) const {
  std::vector<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // A copy (a Node is a handle): `it->` yields a temporary proxy, so a reference to its
    // `first` dangles at the end of the statement (ASan: stack-use-after-scope).
    const YAML::Node key = it->first;
    std::string k = key.IsScalar() ? key.Scalar() : "?";
    // yaml-cpp keeps the first of two equal keys; a silent pick would hide a mistake.
    if (std::find(seen.begin(), seen.end(), k) != seen.end())
      fail(key, "duplicate key '" + k + "' in " + what);
    seen.push_back(k);
    if (std::find(valid.begin(), valid.end(), k) != valid.end())
      continue;
    std::string hint = didYouMean(k, valid);
    if (hint.empty())
      hint = " (valid keys: " + joinNames(valid) + ")";
    fail(key, "unknown key '" + k + "' in " + what + hint);
  }
}

int64_t SpecReader::getInt(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar()) {
    const std::string &s = node.Scalar();
    int64_t v = 0;
    const char *end = s.data() + s.size();
    const char *begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec == std::errc() && ptr == end && begin != end)
      return v;
  }
  fail(node, what + " must be an integer, got " + describe(node));
}

int64_t SpecReader::getPositiveInt(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar()) {
    const std::string &s = node.Scalar();
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty() && v > 0 && v <= MaxSize)
      return v;
    if ((ec == std::errc() && ptr == s.data() + s.size() && v > MaxSize) ||
        ec == std::errc::result_out_of_range)
      fail(node, what + " must be a positive integer up to " + std::to_string(MaxSize) +
                     ", got " + describe(node));
  }
  fail(node, what + " must be a positive integer, got " + describe(node));
}

int64_t SpecReader::getNonNegativeInt(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar()) {
    const std::string &s = node.Scalar();
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty() && v >= 0)
      return v;
  }
  fail(node, what + " must be a non-negative integer, got " + describe(node));
}

double SpecReader::getNumber(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar() && !node.Scalar().empty()) {
    const std::string &s = node.Scalar();
    errno = 0;
    char *end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    // strtod accepts "nan"/"inf"; a model setting never means those.
    if (end == s.c_str() + s.size() && errno == 0 && std::isfinite(v))
      return v;
  }
  fail(node, what + " must be a number, got " + describe(node));
}

double SpecReader::getPositiveNumber(const YAML::Node &node, const std::string &what) const {
  double v = getNumber(node, what);
  if (!(v > 0))
    fail(node, what + " must be a positive number, got " + describe(node));
  return v;
}

double SpecReader::getNumberIn(const YAML::Node &node, const std::string &what, double lo,
                               double hi, bool hiInclusive) const {
  double v = getNumber(node, what);
  bool ok = v >= lo && (hiInclusive ? v <= hi : v < hi);
  if (!ok) {
    char range[96];
    std::snprintf(range, sizeof range, "in [%g, %g%s", lo, hi, hiInclusive ? "]" : ")");
    fail(node, what + " must be a number " + range + ", got " + describe(node));
  }
  return v;
}

bool SpecReader::getBool(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar()) {
    std::string s = node.Scalar();
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    if (s == "true" || s == "yes" || s == "on")
      return true;
    if (s == "false" || s == "no" || s == "off")
      return false;
  }
  fail(node, what + " must be true or false, got " + describe(node));
}

std::string SpecReader::getString(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar() && !node.Scalar().empty())
    return node.Scalar();
  fail(node, what + " must be a string, got " + describe(node));
}

std::string SpecReader::getChoice(const YAML::Node &node, const std::string &what,
                                  const std::vector<std::string> &options) const {
  std::string s = getString(node, what);
  if (std::find(options.begin(), options.end(), s) != options.end())
    return s;
  fail(node, "unknown " + what + " '" + s + "'" + didYouMean(s, options) +
                 " (valid: " + joinNames(options) + ")");
}

std::vector<int64_t> SpecReader::getPair(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar()) {
    int64_t v = getPositiveInt(node, what);
    return {v, v};
  }
  if (node.IsSequence() && node.size() == 2)
    return {getPositiveInt(node[0], what), getPositiveInt(node[1], what)};
  fail(node, what + " must be a positive integer or a pair [a, b], got " + describe(node));
}

Shape SpecReader::getShape(const YAML::Node &node, const std::string &what,
                           bool allowMinusOne) const {
  if (node.IsScalar())
    return {getPositiveInt(node, what)};
  if (!node.IsSequence() || node.size() == 0)
    fail(node, what + " must be a list of positive integers, got " + describe(node));
  Shape shape;
  bool seenMinusOne = false;
  for (const YAML::Node &d : node) {
    if (allowMinusOne && !seenMinusOne && d.IsScalar() && d.Scalar() == "-1") {
      seenMinusOne = true;
      shape.push_back(-1);
      continue;
    }
    shape.push_back(getPositiveInt(d, what + " entry"));
  }
  return shape;
}

std::vector<std::string> SpecReader::getStringList(const YAML::Node &node,
                                                   const std::string &what) const {
  if (node.IsScalar())
    return {getString(node, what)};
  if (!node.IsSequence() || node.size() == 0)
    fail(node, what + " must be a list of names, got " + describe(node));
  std::vector<std::string> out;
  for (const YAML::Node &n : node)
    out.push_back(getString(n, what + " entry"));
  return out;
}

std::string SpecReader::settingText(const YAML::Node &node, const std::string &what) const {
  if (node.IsScalar())
    return node.Scalar();
  if (node.IsSequence()) {
    std::vector<std::string> parts;
    for (const YAML::Node &n : node) {
      if (!n.IsScalar())
        fail(n, what + " entries must be plain values, got " + describe(n));
      parts.push_back(n.Scalar());
    }
    return joinNames(parts, ",");
  }
  fail(node, what + " must be a value, got " + describe(node));
}

} // namespace aec
