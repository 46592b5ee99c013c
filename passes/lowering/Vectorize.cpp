/// Fast matmuls: each linalg.matmul is tiled into register-sized static tiles
/// (scf::tileUsingSCF), each tile is vectorized to a vector.contract, and after
/// bufferization the accumulator loads/stores are hoisted out of the reduction
/// loop and contracts become outer products (broadcast-FMA chains). The naive
/// loop nest runs at ~2.5 GFLOP/s; this form is an order of magnitude faster.
#include "passes/lowering/MLIRLowering.h"
#include "passes/lowering/MatmulPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <stdexcept>

namespace aec::lowering {

using namespace mlir;

namespace {
/// The largest divisor of `size` not above `max`, preferring multiples of
/// `quantum` (whole SIMD vectors). Divisors keep every tile static, so no
/// masking is needed.
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

void applyPatterns(Operation *root, RewritePatternSet &&patterns,
                   const char *what) {
  if (failed(applyPatternsAndFoldGreedily(root, std::move(patterns))))
    throw std::runtime_error(std::string("internal error: ") + what +
                             " did not converge");
}
} // namespace

void tileAndVectorizeMatmuls(ModuleOp module) {
  SmallVector<linalg::MatmulOp> matmuls;
  module.walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
  MLIRContext *ctx = module.getContext();
  IRRewriter rewriter(ctx);
  for (linalg::MatmulOp op : matmuls) {
    auto a = cast<ShapedType>(op.getDpsInputs()[0].getType());
    auto c = cast<ShapedType>(op.getDpsInits()[0].getType());
    int64_t m = c.getDimSize(0), n = c.getDimSize(1), k = a.getDimSize(1);
    // Small products run in microseconds as loops (a training step holds
    // dozens of them); planMatmul made the rest as wide as it could.
    int64_t lanes = matmulVectorLanes(n);
    if (m * n * k < MinVectorizedMacs || lanes == 0)
      continue;
    // Up to 8 rows x 32 columns of accumulators fit the 16-32 vector registers
    // of AVX2/AVX-512; a short k tile bounds the unrolled outer-product chain.
    // A 4-wide product gets taller tiles to keep as many FMAs in flight.
    SmallVector<int64_t> sizes = {pickTile(m, lanes == 4 ? 16 : 8, 1),
                                  pickTile(n, 32, lanes), pickTile(k, 16, 1)};
    if (sizes[1] % 4 != 0)
      sizes[1] = pickTile(n, 32, 4);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(ctx, sizes));
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      continue; // the untiled op still lowers to loops
    rewriter.replaceOp(op, tiled->replacements);
    for (Operation *tile : tiled->tiledOps)
      (void)linalg::vectorize(rewriter, tile);
  }
  // Vectorized matmuls come out as multi_reduction(mul(...)) of broadcasting
  // reads: split the reads into plain reads + broadcasts, then fold all of it
  // into one contract on the 2-D tiles.
  RewritePatternSet patterns(ctx);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorReductionToContractPatterns(patterns);
  applyPatterns(module, std::move(patterns), "vector contraction folding");
}

void lowerVectorOps(ModuleOp module) {
  // Keep the accumulator tile in registers across the k loop.
  module.walk([](func::FuncOp f) { linalg::hoistRedundantVectorTransfers(f); });

  MLIRContext *ctx = module.getContext();
  vector::VectorTransformsOptions options;
  options.setVectorTransformsOptions(
      vector::VectorContractLowering::OuterProduct);
  RewritePatternSet patterns(ctx);
  vector::populateVectorContractLoweringPatterns(patterns, options);
  vector::populateVectorOuterProductLoweringPatterns(patterns);
  vector::populateVectorTransposeLoweringPatterns(patterns, options);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorMultiReductionLoweringPatterns(
      patterns, vector::VectorMultiReductionLowering::InnerParallel);
  vector::populateVectorBroadcastLoweringPatterns(patterns);
  vector::populateVectorShapeCastLoweringPatterns(patterns);
  applyPatterns(module, std::move(patterns), "vector lowering");
}

} // namespace aec::lowering
