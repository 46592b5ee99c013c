#pragma once
/// How a matmul op(A) x op(B) -> C [m, n] is laid out for the vectorized kernel, chosen
/// by a small cost model (MatmulPlan.cpp). Plain C++: no MLIR here, so it is unit-tested
/// and cheap to include.
#include <cstdint>

namespace aec::lowering {

/// SIMD lanes the tiled kernel puts along the output columns of a product `n` wide
/// (aec-tile-matmuls tiles n by whole vectors): 0 when it stays a scalar loop nest.
int64_t matmulVectorLanes(int64_t n);

/// The largest divisor of `size` not above `max`, preferring multiples of `quantum`
/// (whole SIMD vectors): register tiles of the matmul and convolution kernels. Divisors
/// keep every tile static, so no masking is needed.
int64_t pickTile(int64_t size, int64_t max, int64_t quantum);

/// Multiply-adds below which a matmul stays a plain loop nest: unrolled vector tiles
/// would only add machine code and compile time.
constexpr int64_t MinVectorizedMacs = 64 * 1024;

struct MatmulPlan {
  /// Compute C^T = op(B)^T x op(A)^T and transpose the [n, m] result back: the
  /// kernel vectorizes along the output's columns, so a product narrow in n (a
  /// conv's few filters, a kernel gradient) runs faster along m, and an operand
  /// stored transposed (ta/tb) is then read as it is, not copied.
  bool swapped = false;
  bool transposeLeft = false;  ///< the left operand of the emitted matmul is copied transposed
  bool transposeRight = false; ///< likewise the right one
};

/// The cheaper of the two layouts for op(A) [m, k] x op(B) [k, n] (ta/tb: A/B stored
/// transposed), counting transposition copies and multiply-adds at the lane width
/// each layout gets.
MatmulPlan planMatmul(int64_t m, int64_t n, int64_t k, bool ta, bool tb);

} // namespace aec::lowering
