#pragma once
/// Keras' weight initializers: the names a model file may give (`kernel_initializer`,
/// `bias_initializer`, `recurrent_initializer`), Keras' fan rule, and the init text of a
/// descriptor's `param` record that the runtime draws from (runtime/src/Init.cpp).
/// Header-only, as CheckedSize.h: the frontend checks a choice and writes the text, the
/// runtime reads it, and neither keeps its own copy of the list.
///
/// Init text (the descriptor grammar):
///   zeros | ones
///   <variance scaling name>:<fan_in>:<fan_out>   e.g. he_normal:9:16
///   orthogonal:<rows>:<cols>                     the param seen as a [rows, cols] matrix
///   unit_forget_bias:<units>[:<init name>]       an LSTM bias [4u]: the forget gate's slice
///                                                ones, the others drawn by the init (zeros)
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aec {

/// Keras' VarianceScaling: draws with variance scale / n, n the fan the mode names.
/// A normal one is a normal truncated at two standard deviations, its stddev divided by
/// 0.87962566103423978 (the stddev of a standard normal truncated to [-2, 2]) so that the
/// draws keep the variance scale / n; a uniform one is U(-l, l) with l = sqrt(3 scale / n).
struct VarianceScaling {
  const char *name;
  double scale;
  bool fanAvg; ///< n = (fan_in + fan_out) / 2; else n = fan_in
  bool normal; ///< truncated normal; else uniform
};

inline constexpr VarianceScaling VarianceScalings[] = {
    {"glorot_uniform", 1.0, true, false}, {"glorot_normal", 1.0, true, true},
    {"he_uniform", 2.0, false, false},    {"he_normal", 2.0, false, true},
    {"lecun_uniform", 1.0, false, false}, {"lecun_normal", 1.0, false, true},
};

/// The stddev of a standard normal truncated to [-2, 2] (Keras' and TensorFlow's constant).
inline constexpr double TruncatedNormalStddev = 0.87962566103423978;

/// The variance-scaling initializer named `name`, or nullptr.
inline const VarianceScaling *findVarianceScaling(std::string_view name) {
  for (const VarianceScaling &v : VarianceScalings)
    if (name == v.name)
      return &v;
  return nullptr;
}

/// Every initializer a model file may name, Keras' kernel default first.
inline const std::vector<std::string> &initializerNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const VarianceScaling &v : VarianceScalings)
      out.push_back(v.name);
    out.insert(out.end(), {"orthogonal", "zeros", "ones"});
    return out;
  }();
  return names;
}

/// Keras' fans of a param of shape `dims`: a vector's length both ways; a matrix [in, out];
/// a conv kernel [..., in, out] times its receptive field (the product of the leading dims).
inline std::pair<int64_t, int64_t> kerasFans(const std::vector<int64_t> &dims) {
  if (dims.empty())
    return {1, 1};
  if (dims.size() == 1)
    return {dims[0], dims[0]};
  int64_t receptive = 1;
  for (size_t i = 0; i + 2 < dims.size(); ++i)
    receptive *= dims[i];
  return {dims[dims.size() - 2] * receptive, dims.back() * receptive};
}

/// The init text of initializer `name` on a param of Keras shape `dims`. Throws
/// std::invalid_argument for an unknown name or orthogonal on a vector (Keras needs a
/// matrix); the frontend checks both at the model file first.
inline std::string initText(const std::string &name, const std::vector<int64_t> &dims) {
  if (name == "zeros" || name == "ones")
    return name;
  if (name == "orthogonal") {
    if (dims.size() < 2)
      throw std::invalid_argument("the orthogonal initializer needs a matrix, not a vector");
    int64_t rows = 1;
    for (size_t i = 0; i + 1 < dims.size(); ++i)
      rows *= dims[i];
    return "orthogonal:" + std::to_string(rows) + ":" + std::to_string(dims.back());
  }
  if (!findVarianceScaling(name))
    throw std::invalid_argument("unknown initializer '" + name + "'");
  const auto [fanIn, fanOut] = kerasFans(dims);
  return name + ":" + std::to_string(fanIn) + ":" + std::to_string(fanOut);
}

} // namespace aec
