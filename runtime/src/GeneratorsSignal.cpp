/// Step-function signals of seed 000 (exercises 2 and 4): an autoencoder with one (two)
/// bottleneck neurons must encode where the jump is.
#include "GeneratorParams.h"

namespace aec::rt::gen {
namespace {

/// Signal length. A jump at index j means x[i] = 1 for i >= j; j is drawn from [1, length - 1]
/// so every signal has at least one 0 before and one 1 after it.
int64_t stepLength(Params &p) { return p.integer("length", 32, 3); }

} // namespace

Dataset steps(Params &p, int64_t n, Rng &rng) {
  const int64_t length = stepLength(p);
  p.checkUnused();
  Dataset d;
  d.x = Array({n, length});
  d.extra = Array({n, 1});
  d.extraColumns = {"jump"};
  for (int64_t i = 0; i < n; ++i) {
    const int64_t jump = 1 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(length - 1)));
    std::fill(d.x.row(i) + jump, d.x.row(i) + length, 1.0f);
    d.extra.data[i] = static_cast<float>(jump);
  }
  return d;
}

Dataset stepsUpDown(Params &p, int64_t n, Rng &rng) {
  const int64_t length = stepLength(p);
  p.checkUnused();
  Dataset d;
  d.x = Array({n, length});
  d.extra = Array({n, 2});
  d.extraColumns = {"up", "down"};
  for (int64_t i = 0; i < n; ++i) {
    // Two distinct indices in [1, length - 1], drawn uniformly over the ordered pairs.
    int64_t a = 1 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(length - 1)));
    int64_t b = 1 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(length - 2)));
    if (b >= a)
      ++b;
    const int64_t up = std::min(a, b), down = std::max(a, b);
    std::fill(d.x.row(i) + up, d.x.row(i) + down, 1.0f);
    d.extra.data[2 * i] = static_cast<float>(up);
    d.extra.data[2 * i + 1] = static_cast<float>(down);
  }
  return d;
}

} // namespace aec::rt::gen
