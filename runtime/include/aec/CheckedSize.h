#pragma once
/// Overflow-checked size arithmetic for sizes that come from outside: shapes declared in data
/// and weights files, layer sizes in model files. A product that does not fit in int64 is
/// reported, never wrapped, so a hostile header cannot turn into a small allocation that
/// is then overrun, nor a model into a negative parameter count. Header-only: the runtime,
/// the frontend and the IR parser all use this one definition.
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <vector>

namespace aec {

/// a * b, or nullopt when it overflows int64.
inline std::optional<int64_t> checkedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// a + b, or nullopt when it overflows int64.
inline std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// The product of `dims` (1 for none), or nullopt when a dimension is negative or the
/// product overflows int64.
inline std::optional<int64_t> checkedProduct(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0)
      return std::nullopt;
    std::optional<int64_t> next = checkedMul(n, d);
    if (!next)
      return std::nullopt;
    n = *next;
  }
  return n;
}

/// Non-negative a * b, saturating at INT64_MAX: for estimates compared against a limit,
/// where an overflowing count must simply exceed every limit.
inline int64_t saturatingMul(int64_t a, int64_t b) {
  std::optional<int64_t> r = checkedMul(a, b);
  return r ? *r : std::numeric_limits<int64_t>::max();
}

/// Non-negative a + b, saturating at INT64_MAX (see saturatingMul).
inline int64_t saturatingAdd(int64_t a, int64_t b) {
  std::optional<int64_t> r = checkedAdd(a, b);
  return r ? *r : std::numeric_limits<int64_t>::max();
}

/// Saturating product of non-negative factors (see saturatingMul).
inline int64_t saturatingProduct(std::initializer_list<int64_t> factors) {
  int64_t n = 1;
  for (int64_t f : factors)
    n = saturatingMul(n, f);
  return n;
}

/// Saturating sum of non-negative terms (see saturatingMul).
inline int64_t saturatingSum(std::initializer_list<int64_t> terms) {
  int64_t n = 0;
  for (int64_t t : terms)
    n = saturatingAdd(n, t);
  return n;
}

} // namespace aec
