#pragma once
/// Internal to libaecrt: the parameter reader shared by the generators and the generators
/// that live in their own files (images, signals, speckle).
#include <aec/Generators.h>
#include <aec/Random.h>

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace aec::rt::gen {

/// Typed access to generator parameters; remembers which were used so leftovers are errors.
class Params {
public:
  Params(const std::string &gen, const std::map<std::string, std::string> &p) : gen_(gen), p_(p) {}
  double num(const std::string &key, double def) {
    known_.push_back(key);
    auto it = p_.find(key);
    if (it == p_.end())
      return def;
    char *end = nullptr;
    double v = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || !std::isfinite(v))
      throw std::runtime_error(fmt::format("generator '{}': parameter '{}' must be a number, got '{}'", gen_,
                                           key, it->second));
    return v;
  }
  /// An integer parameter >= `min`.
  int64_t integer(const std::string &key, int64_t def, int64_t min) {
    const double v = num(key, static_cast<double>(def));
    if (v != std::floor(v) || v < static_cast<double>(min) || v > 1e9)
      throw std::runtime_error(fmt::format("generator '{}': parameter '{}' must be an integer >= {}, got {}", gen_,
                                           key, min, v));
    return static_cast<int64_t>(v);
  }
  std::string str(const std::string &key, const std::string &def) {
    known_.push_back(key);
    auto it = p_.find(key);
    return it == p_.end() ? def : it->second;
  }
  /// Throws for any parameter no accessor asked for.
  void checkUnused() const {
    for (const auto &[k, v] : p_) {
      bool ok = false;
      for (const auto &n : known_)
        ok = ok || n == k;
      if (!ok) {
        std::string list;
        for (size_t i = 0; i < known_.size(); ++i)
          list += (i ? ", " : "") + known_[i];
        throw std::runtime_error(fmt::format("generator '{}' has no parameter '{}' (it has: {})", gen_, k,
                                             list.empty() ? "none" : list));
      }
    }
  }
  [[noreturn]] void fail(const std::string &why) const {
    throw std::runtime_error(fmt::format("generator '{}': {}", gen_, why));
  }

private:
  std::string gen_;
  const std::map<std::string, std::string> &p_;
  std::vector<std::string> known_;
};

/// One filled (or outlined) disc of random centre and radius per image [size, size, 1].
Dataset circles(Params &p, int64_t n, Rng &rng);
/// 1-D signals [length] that are 0 before a random jump and 1 from it on.
Dataset steps(Params &p, int64_t n, Rng &rng);
/// 1-D signals [length] with one jump up and one later jump down (a box).
Dataset stepsUpDown(Params &p, int64_t n, Rng &rng);
/// Small-angle scattering of polydisperse spheres: x with speckle, target clean [64, 64, 1].
Dataset speckle(Params &p, int64_t n, Rng &rng);

} // namespace aec::rt::gen
