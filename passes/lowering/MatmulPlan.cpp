#include "passes/lowering/MatmulPlan.h"

#include <algorithm>

namespace aec::lowering {

int64_t pickTile(int64_t size, int64_t max, int64_t quantum) {
  int64_t best = 1;
  for (int64_t d = std::min(size, max); d >= 1; --d) {
    if (size % d != 0)
      continue;
    if (d % quantum == 0)
      return d;
    best = std::max(best, d);
  }
  return best;
}

int64_t matmulVectorLanes(int64_t n) {
  if (n >= 8)
    return 8;
  return n >= 4 ? 4 : 0;
}

namespace {
/// Rough cycles: a transposition copy costs ~1 per element (strided reads); a
/// multiply-add ~1/(2 x lanes) in vector tiles (two FMA ports), and ~2 in the
/// scalar loop nest, which keeps its accumulator in memory.
double layoutCost(int64_t m, int64_t n, int64_t k, int64_t copies) {
  double macs = double(m) * double(n) * double(k);
  int64_t lanes = macs >= double(MinVectorizedMacs) ? matmulVectorLanes(n) : 0;
  return double(copies) + (lanes > 0 ? macs / double(2 * lanes) : 2.0 * macs);
}
} // namespace

MatmulPlan planMatmul(int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  MatmulPlan direct{false, ta, tb};
  // C^T [n, m] = op(B)^T [n, k] x op(A)^T [k, m]: op(B)^T is B itself when tb, and
  // op(A)^T is A itself when ta; the result is transposed back.
  MatmulPlan swapped{true, !tb, !ta};
  int64_t directCopies = (ta ? m * k : 0) + (tb ? k * n : 0);
  int64_t swappedCopies = (tb ? 0 : k * n) + (ta ? 0 : m * k) + m * n;
  // Ties keep the direct layout (no extra op in the IR).
  return layoutCost(n, m, k, swappedCopies) < layoutCost(m, n, k, directCopies) ? swapped
                                                                                 : direct;
}

} // namespace aec::lowering
