/// Elementwise fusion on tensors: MLIR's linalg-fuse-elementwise-ops, with one
/// difference. Upstream propagates reshapes through any linalg op, and a named
/// op it touches (matmul, copy, transpose) comes out as a linalg.generic: a
/// matmul then escapes tiling and vectorization, and the im2col copies into
/// the patch matrix turn into bare insert_slices (strided memref copies). Here
/// reshapes fold only into and out of linalg.generic, so named ops stay named
/// without a defensive copy in front of them.
#include "passes/lowering/MLIRLowering.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aec::lowering {

using namespace mlir;

namespace {
/// A structured op other than linalg.generic: it must keep its name.
bool isNamedLinalgOp(Operation *op) {
  return op && isa<linalg::LinalgOp>(op) && !isa<linalg::GenericOp>(op);
}
} // namespace

void fuseElementwiseOps(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  // As upstream: fuse a producer only into its single user; and never reshape
  // or fuse across a named op (see above).
  linalg::ControlFusionFn control = [](OpOperand *fused) {
    Operation *producer = fused->get().getDefiningOp();
    return producer && producer->hasOneUse() && !isNamedLinalgOp(producer) &&
           !isNamedLinalgOp(fused->getOwner());
  };
  RewritePatternSet patterns(ctx);
  linalg::populateElementwiseOpsFusionPatterns(patterns, control);
  linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
  affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
  linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
  ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
  linalg::populateConstantFoldLinalgOperations(patterns, control);
  GreedyRewriteConfig config;
  config.useTopDownTraversal = true; // as upstream, for compile time
  (void)applyPatternsAndFoldGreedily(module, std::move(patterns), config);
}

} // namespace aec::lowering
