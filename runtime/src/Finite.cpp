/// Finite-value checks (aec/Finite.h).
#include <aec/Finite.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace aec::rt {

namespace {

/// The bits of a float that are all ones exactly for NaN and +-Inf.
constexpr uint32_t kExponent = 0x7f800000u;

/// Non-zero when one of p[0, n) is NaN or Inf. Testing bits (not std::isfinite) keeps the loop
/// free of floating-point compares, so it vectorises with GCC's vector types: V holds 4 or 8
/// floats, four vectors an iteration with independent accumulators (no loop-carried latency),
/// and no branch until the end. Inlined into one function per instruction set below.
typedef uint32_t U32x4 __attribute__((vector_size(16)));
typedef uint32_t U32x8 __attribute__((vector_size(32)));

template <typename V>
__attribute__((always_inline)) inline uint32_t nonFiniteBits(const float *p, size_t n) {
  constexpr int Lanes = sizeof(V) / sizeof(uint32_t);
  V e, a = {}, b = {}, c = {}, d = {};
  for (int l = 0; l < Lanes; ++l)
    e[l] = kExponent;
  size_t i = 0;
  for (; i + 4 * Lanes <= n; i += 4 * Lanes) {
    V v0, v1, v2, v3;
    std::memcpy(&v0, p + i, sizeof v0); // unaligned loads
    std::memcpy(&v1, p + i + Lanes, sizeof v1);
    std::memcpy(&v2, p + i + 2 * Lanes, sizeof v2);
    std::memcpy(&v3, p + i + 3 * Lanes, sizeof v3);
    a |= (V)((v0 & e) == e);
    b |= (V)((v1 & e) == e);
    c |= (V)((v2 & e) == e);
    d |= (V)((v3 & e) == e);
  }
  a |= b | c | d;
  uint32_t any = 0;
  for (int l = 0; l < Lanes; ++l)
    any |= a[l];
  for (; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, p + i, sizeof bits);
    any |= (bits & kExponent) == kExponent;
  }
  return any;
}

uint32_t nonFiniteSse2(const float *p, size_t n) { return nonFiniteBits<U32x4>(p, n); }
__attribute__((target("avx2"))) uint32_t nonFiniteAvx2(const float *p, size_t n) { return nonFiniteBits<U32x8>(p, n); }

} // namespace

bool allFinite(const float *p, size_t n) {
  // The runtime is built for baseline x86-64 (SSE2); AVX2 halves the cost where the CPU has it.
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return (avx2 ? nonFiniteAvx2(p, n) : nonFiniteSse2(p, n)) == 0;
}

bool allFiniteBaseline(const float *p, size_t n) { return nonFiniteSse2(p, n) == 0; }

std::string NonFiniteValue::describe() const {
  std::vector<int64_t> pos(dims.size());
  int64_t rest = index;
  for (size_t d = dims.size(); d-- > 0;) {
    const int64_t extent = dims[d] > 0 ? dims[d] : 1;
    pos[d] = rest % extent;
    rest /= extent;
  }
  const std::string kind = std::isnan(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
  return fmt::format("'{}' has {} at [{}] (element {} of [{}])", name, kind, fmt::join(pos, ", "), index,
                     fmt::join(dims, ", "));
}

namespace {
std::optional<NonFiniteValue> firstIn(const Array &a, const std::string &name, bool isParam) {
  if (allFinite(a.data.data(), a.data.size()))
    return std::nullopt;
  for (size_t i = 0; i < a.data.size(); ++i)
    if (!std::isfinite(a.data[i]))
      return NonFiniteValue{name, isParam, static_cast<int64_t>(i), a.dims, a.data[i]};
  return std::nullopt;
}
} // namespace

std::optional<NonFiniteValue> firstNonFinite(const ModelDescriptor &desc, const ModelState &state) {
  for (size_t i = 0; i < state.params.size(); ++i)
    if (auto bad = firstIn(state.params[i], i < desc.params.size() ? desc.params[i].name : "param", true))
      return bad;
  for (size_t i = 0; i < state.states.size(); ++i)
    if (auto bad = firstIn(state.states[i], "state/" + (i < desc.states.size() ? desc.states[i].name : "?"), false))
      return bad;
  return std::nullopt;
}

bool stateFinite(const ModelState &state) {
  for (const Array &a : state.params)
    if (!allFinite(a.data.data(), a.data.size()))
      return false;
  for (const Array &a : state.states)
    if (!allFinite(a.data.data(), a.data.size()))
      return false;
  return true;
}

void requireFiniteState(const ModelDescriptor &desc, const ModelState &state, const std::string &what,
                        const std::string &path) {
  if (auto bad = firstNonFinite(desc, state))
    throw std::runtime_error(fmt::format("{} '{}': {}; refusing non-finite {}", what, path, bad->describe(),
                                         bad->isParam ? "weights" : "optimizer state"));
}

} // namespace aec::rt
