#pragma once
/// Values of the trainer's numeric flags, parsed strictly: a bad value is an error naming the
/// flag, the value and what is expected ("--lr: expected a positive number ..., got '-5'"),
/// never a value silently ignored or wrapped around.
#include <cstdint>
#include <string>

namespace aec::rt {

/// A decimal integer in [min, max] (no fraction, exponent or trailing text).
int64_t parseIntegerFlag(const std::string &flag, const std::string &text, int64_t min, int64_t max);

/// A seed: a decimal integer in [0, 2^64 - 1].
uint64_t parseSeedFlag(const std::string &flag, const std::string &text);

/// A finite number > 0 that float32 can hold (learning rates reach the step as a float).
double parsePositiveFlag(const std::string &flag, const std::string &text);

/// How often a train run writes its checkpoint: every `seconds` of training (checked after
/// each step) or every `epochs` epochs (at epoch ends). Exactly one is > 0.
struct CheckpointInterval {
  double seconds = 30;
  int64_t epochs = 0;
  /// "30s", "5m", "2h", "3e" (epochs): the flag's syntax, for messages.
  std::string text() const;
};

/// `--checkpoint-every`: a number and a unit, `s`, `m` or `h` (time, > 0) or `e` (whole
/// epochs, >= 1): "30s", "2.5m", "1h", "1e".
CheckpointInterval parseCheckpointInterval(const std::string &flag, const std::string &text);

} // namespace aec::rt
