/// Gaussian, masking and salt-and-pepper corruption of training batches.
#include <aec/Corruption.h>
#include <aec/Random.h>

namespace aec::rt {

void corruptRows(Array &batch, int64_t realRows, const CorruptConfig &c, Rng &rng) {
  const int64_t count = std::min<int64_t>(realRows, batch.rows()) * batch.rowSize();
  float *v = batch.data.data();
  if (c.gaussian > 0)
    for (int64_t i = 0; i < count; ++i)
      v[i] += static_cast<float>(c.gaussian * rng.normal());
  if (c.masking > 0)
    for (int64_t i = 0; i < count; ++i)
      if (rng.uniform() < c.masking)
        v[i] = 0.0f;
  if (c.saltPepper > 0)
    for (int64_t i = 0; i < count; ++i) {
      // One draw decides both whether and which: u < p/2 pepper, p/2 <= u < p salt.
      const double u = rng.uniform();
      if (u < c.saltPepper)
        v[i] = u < 0.5 * c.saltPepper ? c.low : c.high;
    }
}

} // namespace aec::rt
