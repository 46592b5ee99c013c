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

/// A number > 0 that float32 holds as a finite non-zero value (learning rates reach the step
/// as a float): the rule of parsePositiveFlag, for values that come as numbers (the C API).
bool isPositiveFloat32(double v);
/// What isPositiveFloat32 accepts, as messages say it.
inline constexpr const char *PositiveFloat32Text = "a positive number (float32: 1e-38 to 3.4e38)";

/// A finite number > 0 that float32 can hold (isPositiveFloat32).
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
