#pragma once
/// One Gram-Schmidt step, shared by the orthogonal init and the latent plot's PCA.
#include <cmath>
#include <vector>

namespace aec::rt {

/// Removes from `v` its components along each vector of `basis` (orthonormal), then
/// scales it to unit length. Returns its length before the scaling; `v` is left
/// unscaled when that length is not positive.
inline double orthonormalize(std::vector<double> &v, const std::vector<std::vector<double>> &basis) {
  for (const auto &q : basis) { // modified Gram-Schmidt: one projection at a time
    double dot = 0;
    for (size_t i = 0; i < v.size(); ++i)
      dot += v[i] * q[i];
    for (size_t i = 0; i < v.size(); ++i)
      v[i] -= dot * q[i];
  }
  double norm = 0;
  for (double x : v)
    norm += x * x;
  norm = std::sqrt(norm);
  if (norm > 0)
    for (double &x : v)
      x /= norm;
  return norm;
}

} // namespace aec::rt
