#pragma once
/// Built-in synthetic data sets (`data: {synthetic: NAME, n: N, ...}` and `aec data`).
#include <aec/Array.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aec::rt {

/// A loaded or generated data set.
struct Dataset {
  Array x;                                ///< [n, ...input shape]
  Array target;                           ///< paired data (clean images of speckle); empty: x
  std::vector<std::string> columns;       ///< names of x's features (may be empty)
  Array extra;                            ///< per-sample truth (ring angle, T), never trained on
  std::vector<std::string> extraColumns;  ///< names of extra's columns
  std::string source;                     ///< file name or "synthetic:<name>" for messages
  std::vector<int64_t> lines;             ///< CSV: 1-based line of each row; else empty
  /// The last rows are a separate validation set (validation_data) that trains never; 0:
  /// the run's validation_split decides.
  int64_t validationRows = 0;

  int64_t rows() const { return x.dims.empty() ? 0 : x.dims[0]; }
};

/// Generates `n` samples of generator `name` from `seed`; bit-identical for equal inputs.
/// Params are strings as they come from the descriptor settings (e.g. "r_min" -> "0.95").
/// An unknown generator or parameter is a std::runtime_error listing the known ones.
Dataset generate(const std::string &name, const std::map<std::string, std::string> &params,
                 int64_t n, uint64_t seed);

/// Names of the built-in generators: ring, gaussian2d, blackbody_colors (2-D / 5-D points),
/// circles (images [size, size, 1]), steps, steps_updown (signals [length]) and speckle
/// (paired images [size, size, 1]: x with speckle, target clean).
std::vector<std::string> generatorNames();

} // namespace aec::rt
