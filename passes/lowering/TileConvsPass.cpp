/// aec-tile-convs: fast direct convolutions. The convolution emitters
/// (ConvLowerings.cpp) write each kernel tap as a linalg.generic contraction on
/// strided views and attach `aec.tile`, one static tile size per loop, chosen
/// so that every loop's extent divides (0 = untiled). Here each such generic is
/// tiled (scf::tileUsingSCF), the tile's unit dims are dropped (a 5-D tile of
/// an image conv, [1, 1, w, q, p], becomes the 2-D product [w, p] x [p, q]),
/// and the tile is vectorized to one vector.contract, which aec-lower-vector
/// turns into outer-product FMA chains with the accumulator in registers, as
/// for matmuls. Lit test: tests/lit/mlir/aec-tile-convs.mlir.
#include "passes/lowering/AecPasses.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace aec::lowering {

using namespace mlir;

namespace {
/// Collects the linalg.generic ops a rewrite creates (dropUnitDims replaces
/// the op it rewrites and says nothing of the new one).
struct GenericCollector : public RewriterBase::Listener {
  SmallVector<linalg::GenericOp> created;
  void notifyOperationInserted(Operation *op, OpBuilder::InsertPoint) override {
    if (auto g = dyn_cast<linalg::GenericOp>(op))
      created.push_back(g);
  }
};

/// Marks the loops of a tiled generic until their accumulators are hoisted.
constexpr const char *TileLoopAttr = "aec.tile_loop";

class TileConvsPass
    : public PassWrapper<TileConvsPass, OperationPass<ModuleOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileConvsPass)

  /// Not the C++ type name with its namespaces: IR dumps name the pass.
  StringRef getName() const final { return "TileConvsPass"; }
  StringRef getArgument() const final { return "aec-tile-convs"; }
  StringRef getDescription() const final {
    return "Tile linalg.generic ops carrying aec.tile by those sizes, drop "
           "unit dims and vectorize each tile to a vector.contract";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, arith::ArithDialect, scf::SCFDialect,
                    tensor::TensorDialect, vector::VectorDialect>();
    // What hoistLoopInvariantSubsets matches on (registered by every context
    // that loads all dialects, but not by a lean aec-mlir-opt).
    tensor::registerSubsetOpInterfaceExternalModels(registry);
    vector::registerSubsetOpInterfaceExternalModels(registry);
  }

  void runOnOperation() override;

private:
  void tile(linalg::GenericOp op);
  /// Keeps each accumulator tile in registers across its reduction loops:
  /// the tile's extract/read and write/insert pairs on a loop's iter_arg move
  /// out of the loop (hoistLoopInvariantSubsets), so the loop carries the
  /// vector itself instead of reading and writing it back every iteration.
  void hoistAccumulators();
};

void TileConvsPass::tile(linalg::GenericOp op) {
  auto sizes = op->getAttrOfType<DenseI64ArrayAttr>(ConvTileAttrName);
  op->removeAttr(ConvTileAttrName);
  if (!sizes || static_cast<int64_t>(sizes.size()) != op.getNumLoops() ||
      !op.hasPureTensorSemantics())
    return;
  IRRewriter rewriter(&getContext());
  scf::SCFTilingOptions options;
  options.setTileSizes(
      getAsIndexOpFoldResult(&getContext(), sizes.asArrayRef()));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return; // the untiled op still lowers to loops
  rewriter.replaceOp(op, tiled->replacements);
  for (LoopLikeOpInterface loop : tiled->loops)
    loop->setAttr(TileLoopAttr, rewriter.getUnitAttr());
  for (Operation *tileOp : tiled->tiledOps) {
    auto generic = dyn_cast<linalg::GenericOp>(tileOp);
    if (!generic)
      continue;
    // Rank-reducing slices, not reshapes: the views stay plain strided
    // subviews.
    GenericCollector collector;
    IRRewriter dropper(&getContext(), &collector);
    dropper.setInsertionPoint(generic);
    linalg::ControlDropUnitDims control;
    control.rankReductionStrategy =
        linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
    if (succeeded(linalg::dropUnitDims(dropper, generic, control)) &&
        !collector.created.empty())
      generic = collector.created.back();
    (void)linalg::vectorize(rewriter, generic);
  }
}

void TileConvsPass::runOnOperation() {
  SmallVector<linalg::GenericOp> tapOps;
  getOperation().walk([&](linalg::GenericOp op) {
    if (op->hasAttr(ConvTileAttrName))
      tapOps.push_back(op);
  });
  for (linalg::GenericOp op : tapOps)
    tile(op);
  if (!foldTilesToContracts(getOperation())) {
    signalPassFailure();
    return;
  }
  hoistAccumulators();
}

void TileConvsPass::hoistAccumulators() {
  // Only the loops this pass made (others, as a scan's time loop, keep their
  // form). Innermost first (post-order), so that a tile hoisted out of a
  // reduction loop can be hoisted again out of the loop around it.
  SmallVector<scf::ForOp> loops;
  getOperation().walk([&](scf::ForOp loop) {
    if (loop->hasAttr(TileLoopAttr))
      loops.push_back(loop);
  });
  IRRewriter rewriter(&getContext());
  SmallVector<Operation *> hoisted;
  for (scf::ForOp loop : loops) {
    LoopLikeOpInterface result = hoistLoopInvariantSubsets(
        rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
    result->removeAttr(TileLoopAttr);
    hoisted.push_back(result);
  }
  // Hoisting leaves the loops' old tensor iter_args yielded unchanged; once
  // folded away, bufferization writes each tile in place instead of copying
  // it to a temporary and back.
  RewritePatternSet cleanup(&getContext());
  scf::ForOp::getCanonicalizationPatterns(cleanup, &getContext());
  GreedyRewriteConfig config;
  config.strictMode = GreedyRewriteStrictness::ExistingOps;
  (void)applyOpPatternsAndFold(hoisted, std::move(cleanup), config);
}
} // namespace

std::unique_ptr<Pass> createTileConvsPass() {
  return std::make_unique<TileConvsPass>();
}

} // namespace aec::lowering
