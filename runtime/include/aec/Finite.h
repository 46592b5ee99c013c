#pragma once
/// Finite-value checks on a model's parameters and optimizer state: after every training step
/// (so that no NaN or Inf ever reaches a weights file or checkpoint) and after every load.
#include <aec/Descriptor.h>
#include <aec/Weights.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace aec::rt {

/// True when none of `n` floats is NaN or +-Inf. One branch-free pass (SIMD): cheap enough to
/// run over every parameter and state after every step.
bool allFinite(const float *p, size_t n);
/// allFinite's SSE2 version (allFinite takes the AVX2 one where the CPU has it), for tests.
bool allFiniteBaseline(const float *p, size_t n);

/// The first non-finite value of a ModelState: params in descriptor order, then states.
struct NonFiniteValue {
  std::string name;  ///< param name ("encoder.0/kernel") or "state/<state name>"
  bool isParam = true;
  int64_t index = 0; ///< flat element index
  Dims dims;         ///< the array's shape (to print the index as a position)
  float value = 0;   ///< NaN or +-Inf
  /// "'encoder.0/kernel' has NaN at [1, 3] (element 7 of [2, 4])"
  std::string describe() const;
};

/// The first non-finite param, else the first non-finite state, else nothing.
std::optional<NonFiniteValue> firstNonFinite(const ModelDescriptor &desc, const ModelState &state);

/// True when every param and state is finite (the fast path of firstNonFinite).
bool stateFinite(const ModelState &state);

/// Refuses loaded weights / checkpoints with a non-finite value: throws "<what> '<path>':
/// 'dense/kernel' has NaN at [1, 3] ..." naming the file, the array and the position.
void requireFiniteState(const ModelDescriptor &desc, const ModelState &state, const std::string &what,
                        const std::string &path);

} // namespace aec::rt
