#pragma once
/// Input corruption for denoising autoencoders (`train.corrupt`): the trainer corrupts the
/// input of every training batch with fresh draws and trains against the clean target.
/// Validation, encode, reconstruct and score never see corrupted inputs.
#include <aec/Array.h>

namespace aec::rt {

class Rng;

/// Settings `train.corrupt.gaussian` (stddev), `train.corrupt.masking` (probability of
/// zeroing an element) and `train.corrupt.salt_pepper` (probability of replacing an element
/// by the data's minimum or maximum, half each). Zero means off; several may be combined and
/// are then applied in that order.
struct CorruptConfig {
  double gaussian = 0, masking = 0, saltPepper = 0;
  /// Pepper and salt values; the trainer sets them to the training data's min and max.
  float low = 0, high = 1;
  bool active() const { return gaussian > 0 || masking > 0 || saltPepper > 0; }
};

/// Corrupts rows [0, realRows) of `batch` in place with draws from `rng` (padding rows are
/// left alone: they carry weight 0).
void corruptRows(Array &batch, int64_t realRows, const CorruptConfig &config, Rng &rng);

} // namespace aec::rt
