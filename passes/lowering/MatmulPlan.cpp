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

std::vector<ColumnBlock> splitColumns(int64_t n, int64_t maxTile) {
  int64_t widest = 1;
  while (widest * 2 <= std::max<int64_t>(maxTile, 1))
    widest *= 2;
  std::vector<ColumnBlock> blocks;
  int64_t offset = 0;
  if (int64_t whole = n / widest * widest; whole > 0) {
    blocks.push_back({0, whole, widest});
    offset = whole;
  }
  for (int64_t tile = widest / 2; tile >= 1; tile /= 2)
    if ((n - offset) & tile) {
      blocks.push_back({offset, tile, tile});
      offset += tile;
    }
  return blocks;
}

namespace {
/// Rough cycles: a transposition copy costs ~1 per element (strided reads); each
/// register-wide FMA 1/2 (two FMA ports), a narrow column block taking a whole
/// register per row however few lanes it fills.
double layoutCost(int64_t m, int64_t n, int64_t k, int64_t copies) {
  double fmas = 0;
  for (const ColumnBlock &block : splitColumns(n, 2 * RegisterLanes))
    fmas += double(m) * double(k) *
            double((block.width + RegisterLanes - 1) / RegisterLanes);
  return double(copies) + fmas / 2;
}
} // namespace

MatmulPlan planMatmul(int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  MatmulPlan direct{false, ta, tb};
  // C^T [n, m] = op(B)^T [n, k] x op(A)^T [k, m]: op(B)^T is B itself when tb, and
  // op(A)^T is A itself when ta; the result is transposed back.
  MatmulPlan swapped{true, !tb, !ta};
  // A left operand stored transposed costs no copy: the outer-product kernel reads a
  // column of op(A) per step, which is then a contiguous row (linalg.matmul_transpose_a).
  int64_t directCopies = tb ? k * n : 0;
  int64_t swappedCopies = (ta ? 0 : m * k) + m * n;
  // Ties keep the direct layout (no extra op in the IR).
  return layoutCost(n, m, k, swappedCopies) < layoutCost(m, n, k, directCopies) ? swapped
                                                                                 : direct;
}

} // namespace aec::lowering
