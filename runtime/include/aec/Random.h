#pragma once
/// Deterministic random numbers for data generation, weight init and shuffling.
///
/// Self-written (splitmix64 seeding + xoshiro256**) instead of <random> because the standard
/// distributions are implementation-defined: the same seed must give bit-identical data,
/// weights and batch orders with any standard library.
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace aec::rt {

/// One step of splitmix64; also a good 64-bit mixing function for deriving seeds.
inline uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Derives an independent seed from a base seed and a stream tag (e.g. "init", epoch number),
/// so that each consumer gets its own stream and resuming at epoch k reproduces epoch k.
inline uint64_t deriveSeed(uint64_t seed, uint64_t tag) {
  uint64_t s = seed ^ (tag * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  splitmix64(s);
  return splitmix64(s);
}

/// Stream tags used across the runtime (one place, so no two consumers collide).
enum class Stream : uint64_t {
  Init = 1,
  Shuffle = 2,
  Data = 3,
  Step = 4,
  Sample = 5,
  Noise = 6,   ///< noise_normal / noise_uniform buffers (dropout, gaussian_noise, VAE)
  Corrupt = 7, ///< train.corrupt draws
  Plot = 8,    ///< which samples a picture shows
};

/// xoshiro256** with its own uniform/normal transforms.
class Rng {
public:
  explicit Rng(uint64_t seed = 0) {
    uint64_t s = seed;
    for (auto &word : state_)
      word = splitmix64(s);
  }
  Rng(uint64_t seed, Stream stream, uint64_t index = 0)
      : Rng(deriveSeed(deriveSeed(seed, static_cast<uint64_t>(stream)), index)) {}

  /// Next raw 64-bit value.
  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform double in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Uniform integer in [0, n) without modulo bias (rejection sampling).
  uint64_t below(uint64_t n) {
    if (n == 0)
      return 0;
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do
      r = next();
    while (r >= limit);
    return r % n;
  }

  /// Standard normal via the Marsaglia polar method (only sqrt and log: no trig tables).
  double normal() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = uniform(-1.0, 1.0);
      v = uniform(-1.0, 1.0);
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    hasSpare_ = true;
    return u * m;
  }
  double normal(double mean, double stddev) { return mean + stddev * normal(); }

  /// Fisher-Yates shuffle.
  template <typename T> void shuffle(std::vector<T> &items) {
    for (size_t i = items.size(); i > 1; --i)
      std::swap(items[i - 1], items[below(i)]);
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
  double spare_ = 0;
  bool hasSpare_ = false;
};

} // namespace aec::rt
