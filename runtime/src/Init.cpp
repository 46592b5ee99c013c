/// Parameter init: draws the init text of a descriptor's `param` record (aec/Initializers.h)
/// as Keras' initializers do, from one deterministic stream.
#include <aec/Initializers.h>
#include <aec/Random.h>
#include <aec/Weights.h>

#include "Orthonormal.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace aec::rt {
namespace {

/// Keras' Orthogonal initializer for a [rows, cols] matrix: the QR of a normal matrix
/// (Gram-Schmidt here, which gives R a positive diagonal as Keras' sign fix does),
/// orthonormal rows when rows <= cols (an LSTM's [u, 4u] recurrent kernel), columns
/// otherwise.
void orthogonalInit(Array &a, const std::string &init, Rng &rng) {
  long long rows = 0, cols = 0;
  if (std::sscanf(init.c_str(), "orthogonal:%lld:%lld", &rows, &cols) != 2 || rows <= 0 || cols <= 0 ||
      static_cast<long long>(a.data.size()) != rows * cols)
    throw std::runtime_error(fmt::format("bad init '{}' (expected orthogonal:<rows>:<cols> for the array's shape)", init));
  const size_t count = static_cast<size_t>(std::min(rows, cols)), length = static_cast<size_t>(std::max(rows, cols));
  std::vector<std::vector<double>> basis;
  while (basis.size() < count) {
    std::vector<double> v(length);
    for (double &x : v)
      x = rng.normal();
    if (orthonormalize(v, basis) < 1e-6) // a draw (numerically) inside the span so far
      continue;
    basis.push_back(std::move(v));
  }
  for (long long r = 0; r < rows; ++r)
    for (long long c = 0; c < cols; ++c)
      a.data[static_cast<size_t>(r * cols + c)] =
          static_cast<float>(rows <= cols ? basis[static_cast<size_t>(r)][static_cast<size_t>(c)]
                                          : basis[static_cast<size_t>(c)][static_cast<size_t>(r)]);
}

/// Draws `vs` with fans (fanIn, fanOut) into [begin, end).
void drawVarianceScaling(float *begin, float *end, const VarianceScaling &vs, long long fanIn, long long fanOut,
                         Rng &rng) {
  // variance = scale / n as numerator / denominator: fan_avg's halving goes into the
  // numerator, so glorot_uniform's limit is sqrt(6 / (in + out)) to the last bit, as ever.
  const double numerator = vs.fanAvg ? 2.0 * vs.scale : vs.scale;
  const double denominator = static_cast<double>(vs.fanAvg ? fanIn + fanOut : fanIn);
  if (!vs.normal) {
    const double limit = std::sqrt(3.0 * numerator / denominator);
    for (float *p = begin; p != end; ++p)
      *p = static_cast<float>(rng.uniform(-limit, limit));
    return;
  }
  // Truncated as TensorFlow's truncated_normal: a draw beyond two stddevs is drawn again.
  const double stddev = std::sqrt(numerator / denominator) / TruncatedNormalStddev;
  for (float *p = begin; p != end; ++p) {
    double z;
    do
      z = rng.normal();
    while (std::abs(z) > 2.0);
    *p = static_cast<float>(stddev * z);
  }
}

/// `name:<fan_in>:<fan_out>` of a variance-scaling initializer; false when `init` is not one.
bool varianceScalingInit(float *begin, float *end, const std::string &init, Rng &rng) {
  const size_t colon = init.find(':');
  const VarianceScaling *vs = findVarianceScaling(init.substr(0, colon));
  if (!vs)
    return false;
  long long fanIn = 0, fanOut = 0;
  char tail = 0;
  if (colon == std::string::npos ||
      std::sscanf(init.c_str() + colon, ":%lld:%lld%c", &fanIn, &fanOut, &tail) != 2 || fanIn <= 0 || fanOut <= 0)
    throw std::runtime_error(fmt::format("bad init '{}' (expected {}:<fan_in>:<fan_out>)", init, vs->name));
  drawVarianceScaling(begin, end, *vs, fanIn, fanOut, rng);
  return true;
}

/// An LSTM bias [4u], gates i, f, c, o, as Keras' unit_forget_bias: the bias initializer on
/// the i slice [u] and on the c, o slices [2u] (Keras calls it on those shapes, so a
/// variance scaling sees fans u and 2u), ones in the forget gate's slice.
void unitForgetBiasInit(Array &a, const std::string &init, Rng &rng) {
  long long units = 0;
  int used = 0;
  if (std::sscanf(init.c_str(), "unit_forget_bias:%lld%n", &units, &used) != 1 || units <= 0 ||
      static_cast<long long>(a.data.size()) != 4 * units || (init[used] != '\0' && init[used] != ':'))
    throw std::runtime_error(
        fmt::format("bad init '{}' (expected unit_forget_bias:<units>[:<init>] for a [4 units] bias)", init));
  const std::string inner = init[used] == ':' ? init.substr(used + 1) : "zeros";
  float *data = a.data.data();
  auto draw = [&](long long from, long long to) {
    const long long n = to - from;
    if (inner == "zeros" || inner == "ones")
      std::fill(data + from, data + to, inner == "ones" ? 1.0f : 0.0f);
    else if (!findVarianceScaling(inner) ||
             !varianceScalingInit(data + from, data + to, inner + ":" + std::to_string(n) + ":" + std::to_string(n), rng))
      throw std::runtime_error(fmt::format("bad init '{}': '{}' is no bias initializer", init, inner));
  };
  draw(0, units);
  std::fill(data + units, data + 2 * units, 1.0f);
  draw(2 * units, 4 * units);
}

} // namespace

void initArray(Array &a, const std::string &init, Rng &rng) {
  if (init == "zeros") {
    std::fill(a.data.begin(), a.data.end(), 0.0f);
  } else if (init == "ones") {
    std::fill(a.data.begin(), a.data.end(), 1.0f);
  } else if (init.rfind("orthogonal:", 0) == 0) {
    orthogonalInit(a, init, rng);
  } else if (init.rfind("unit_forget_bias:", 0) == 0) {
    unitForgetBiasInit(a, init, rng);
  } else if (!varianceScalingInit(a.data.data(), a.data.data() + a.data.size(), init, rng)) {
    std::string known;
    for (const VarianceScaling &v : VarianceScalings)
      known += fmt::format("{}:<in>:<out>, ", v.name);
    throw std::runtime_error(fmt::format(
        "unknown init '{}' (known: {}orthogonal:<rows>:<cols>, zeros, ones, unit_forget_bias:<units>[:<init>])", init,
        known));
  }
}

ModelState initModelState(const ModelDescriptor &desc, uint64_t seed) {
  ModelState s;
  // One stream for all params, drawn in descriptor order: the same seed gives the same weights.
  Rng rng(seed, Stream::Init);
  for (const auto &p : desc.params) {
    s.params.emplace_back(p.dims);
    initArray(s.params.back(), p.init, rng);
  }
  for (const auto &st : desc.states)
    s.states.emplace_back(st.dims);
  return s;
}

} // namespace aec::rt
