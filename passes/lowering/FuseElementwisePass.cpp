/// aec-fuse-elementwise: elementwise fusion on tensors, MLIR's
/// linalg-fuse-elementwise-ops with one difference. Upstream propagates
/// reshapes through any linalg op, and a named op it touches (matmul, copy,
/// transpose) comes out as a linalg.generic: a matmul then escapes
/// aec-tile-matmuls, and the im2col copies into the patch matrix turn into bare
/// insert_slices (strided memref copies). Here reshapes fold only into and out
/// of linalg.generic, so named ops stay named without a defensive copy in front
/// of them. Lit test: tests/lit/mlir/aec-fuse-elementwise.mlir.
#include "passes/lowering/AecPasses.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aec::lowering {

using namespace mlir;

namespace {
/// A structured op other than linalg.generic: it must keep its name.
bool isNamedLinalgOp(Operation *op) {
  return op && isa<linalg::LinalgOp>(op) && !isa<linalg::GenericOp>(op);
}

/// Cheaper to recompute in each consumer than to write out and read back: a pure
/// copy (a broadcast of a bias or of a row statistic) or up to two adds, multiplies,
/// compares or selects (relu's mask, a scaled value). No division or transcendental.
bool isCheapToRecompute(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumResults() != 1)
    return false;
  int count = 0;
  for (Operation &inner : generic.getBody()->without_terminator()) {
    if (!isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::NegFOp,
             arith::MaximumFOp, arith::MinimumFOp, arith::CmpFOp,
             arith::SelectOp, arith::ConstantOp>(inner))
      return false;
    ++count;
  }
  return count <= 2;
}

/// A producer with a division or a transcendental (sigmoid's exp) is worth computing
/// once per element: it fuses only into a consumer that reads each of its elements once in
/// an all-parallel loop nest. A broadcasting consumer (upsample) would recompute it per
/// copy, and a reduction's short inner loop (a pooling window) leaves it scalar libm calls.
bool isExpensive(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic)
    return false;
  for (Operation &inner : generic.getBody()->without_terminator())
    if (isa<arith::DivFOp>(inner) || inner.getName().getDialectNamespace() == "math")
      return true;
  return false;
}

bool readsEachElementOnce(OpOperand *fused) {
  auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
  return consumer && consumer.getNumReductionLoops() == 0 &&
         consumer.getMatchingIndexingMap(fused).isPermutation();
}

/// Every use of `producer` fuses it: once all have, the producer is dead, so
/// recomputing it saves its pass over memory instead of adding work.
bool everyUseFuses(Operation *producer) {
  for (OpOperand &use : producer->getUses())
    if (!isa<linalg::GenericOp>(use.getOwner()) ||
        !linalg::areElementwiseOpsFusable(&use))
      return false;
  return true;
}

/// On the module, not per function: the greedy driver then visits ops in the
/// order the former C++ step did, which keeps the generated code identical.
class FuseElementwisePass
    : public PassWrapper<FuseElementwisePass, OperationPass<ModuleOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FuseElementwisePass)

  /// Not the C++ type name with its namespaces: IR dumps name the pass.
  StringRef getName() const final { return "FuseElementwisePass"; }
  StringRef getArgument() const final { return "aec-fuse-elementwise"; }
  StringRef getDescription() const final {
    return "Fuse elementwise linalg.generic chains (linalg-fuse-elementwise-ops) "
           "without folding reshapes into or out of named linalg ops";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, linalg::LinalgDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // As upstream, a producer fuses into its single user (an expensive one
    // only where that computes it once per element); beyond upstream, a cheap
    // producer fuses into all its users (recomputed in each). Never reshape or
    // fuse across a named op (see above).
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || isNamedLinalgOp(producer) ||
          isNamedLinalgOp(fused->getOwner()))
        return false;
      if (isa<linalg::GenericOp>(fused->getOwner()) && isExpensive(producer) &&
          !readsEachElementOnce(fused))
        return false;
      return producer->hasOneUse() ||
             (isCheapToRecompute(producer) && everyUseFuses(producer));
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    GreedyRewriteConfig config;
    config.useTopDownTraversal = true; // as upstream, for compile time
    // Not converging is no error: upstream ignores it too, and the IR is valid.
    (void)applyPatternsAndFoldGreedily(getOperation(), std::move(patterns),
                                       config);
  }
};
} // namespace

std::unique_ptr<Pass> createFuseElementwisePass() {
  return std::make_unique<FuseElementwisePass>();
}

} // namespace aec::lowering
