#pragma once
/// How a matmul op(A) x op(B) -> C [m, n] is laid out for the vectorized kernel, chosen
/// by a small cost model (MatmulPlan.cpp). Plain C++: no MLIR here, so it is unit-tested
/// and cheap to include.
#include <cstdint>
#include <vector>

namespace aec::lowering {

/// The largest divisor of `size` not above `max`, preferring multiples of `quantum`
/// (whole SIMD vectors): register tiles of the matmul and convolution kernels. Divisors
/// keep every tile static, so no masking is needed.
int64_t pickTile(int64_t size, int64_t max, int64_t quantum);

/// Output columns [offset, offset + width) of a product, tiled `width`-wide blocks of
/// `tile` columns (a power of two: LLVM splits such vectors into whole registers, while
/// a 25-wide one is assembled lane by lane).
struct ColumnBlock {
  int64_t offset = 0;
  int64_t width = 0;
  int64_t tile = 0;
};

/// The output columns of a product `n` wide as blocks of power-of-two tiles, widest
/// first: `maxTile` (rounded down to a power of two) over as many whole tiles as fit,
/// then one block per remaining power of two. n = 50, maxTile 32: [0, 32) by 32,
/// [32, 48) by 16, [48, 50) by 2.
std::vector<ColumnBlock> splitColumns(int64_t n, int64_t maxTile);

/// SIMD lanes of one register (AVX-512, f32): a tile wider than this takes several.
constexpr int64_t RegisterLanes = 16;

struct MatmulPlan {
  /// Compute C^T = op(B)^T x op(A)^T and transpose the [n, m] result back: the
  /// kernel vectorizes along the output's columns, so a product narrow in n (a
  /// conv's few filters, a kernel gradient) runs faster along m, and an operand
  /// stored transposed (ta/tb) is then read as it is, not copied.
  bool swapped = false;
  /// The left operand of the emitted matmul is read transposed, in place
  /// (linalg.matmul_transpose_a).
  bool transposeLeft = false;
  bool transposeRight = false; ///< the right operand is copied transposed first
};

/// The cheaper of the two layouts for op(A) [m, k] x op(B) [k, n] (ta/tb: A/B stored
/// transposed), counting transposition copies and the vector FMAs of each layout's
/// column blocks.
MatmulPlan planMatmul(int64_t m, int64_t n, int64_t k, bool ta, bool tb);

} // namespace aec::lowering
