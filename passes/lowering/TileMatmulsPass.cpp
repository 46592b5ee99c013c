/// aec-tile-matmuls: fast matmuls, part one. Each large linalg.matmul is tiled
/// into register-sized static tiles (scf::tileUsingSCF) and each tile is
/// vectorized to a vector.contract; aec-lower-vector finishes the job after
/// bufferization. The naive loop nest runs at ~2.5 GFLOP/s; this form is an
/// order of magnitude faster. Lit test: tests/lit/mlir/aec-tile-matmuls.mlir.
#include "passes/lowering/AecPasses.h"
#include "passes/lowering/MatmulPlan.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aec::lowering {

using namespace mlir;

namespace {
/// The defaults are the cost model's (MatmulPlan.h): planMatmul chose each
/// matmul's layout assuming exactly these thresholds, so the options are for
/// experiments on a dumped module, not for the compiler.
class TileMatmulsPass
    : public PassWrapper<TileMatmulsPass, OperationPass<ModuleOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileMatmulsPass)

  TileMatmulsPass() = default;
  TileMatmulsPass(const TileMatmulsPass &other) : PassWrapper(other) {}

  /// Not the C++ type name with its namespaces: IR dumps name the pass.
  StringRef getName() const final { return "TileMatmulsPass"; }
  StringRef getArgument() const final { return "aec-tile-matmuls"; }
  StringRef getDescription() const final {
    return "Tile large linalg.matmul ops into static register tiles and "
           "vectorize each tile to a vector.contract";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<affine::AffineDialect, arith::ArithDialect,
                    scf::SCFDialect, tensor::TensorDialect,
                    vector::VectorDialect>();
  }

  void runOnOperation() override;

  Option<int64_t> MinMacs{
      *this, "min-macs",
      llvm::cl::desc("multiply-adds below which a matmul stays a loop nest"),
      llvm::cl::init(MinVectorizedMacs)};
  Option<int64_t> MaxRows{
      *this, "max-rows",
      llvm::cl::desc("largest tile height (doubled for 4-lane products)"),
      llvm::cl::init(8)};
  Option<int64_t> MaxCols{*this, "max-cols",
                          llvm::cl::desc("largest tile width"),
                          llvm::cl::init(32)};
  Option<int64_t> MaxK{*this, "max-k",
                       llvm::cl::desc("largest tile depth (reduction)"),
                       llvm::cl::init(16)};

private:
  void tile(IRRewriter &rewriter, linalg::MatmulOp op);
};

void TileMatmulsPass::tile(IRRewriter &rewriter, linalg::MatmulOp op) {
  auto a = cast<ShapedType>(op.getDpsInputs()[0].getType());
  auto c = cast<ShapedType>(op.getDpsInits()[0].getType());
  if (!a.hasStaticShape() || !c.hasStaticShape())
    return;
  int64_t m = c.getDimSize(0), n = c.getDimSize(1), k = a.getDimSize(1);
  // Small products run in microseconds as loops (a training step holds
  // dozens of them); planMatmul made the rest as wide as it could.
  int64_t lanes = matmulVectorLanes(n);
  if (m * n * k < MinMacs || lanes == 0)
    return;
  // Up to 8 rows x 32 columns of accumulators fit the 16-32 vector registers
  // of AVX2/AVX-512; a short k tile bounds the unrolled outer-product chain.
  // A 4-wide product gets taller tiles to keep as many FMAs in flight.
  SmallVector<int64_t> sizes = {pickTile(m, lanes == 4 ? 2 * MaxRows : MaxRows, 1),
                                pickTile(n, MaxCols, lanes),
                                pickTile(k, MaxK, 1)};
  if (sizes[1] % 4 != 0)
    sizes[1] = pickTile(n, MaxCols, 4);
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return; // the untiled op still lowers to loops
  rewriter.replaceOp(op, tiled->replacements);
  for (Operation *tileOp : tiled->tiledOps)
    (void)linalg::vectorize(rewriter, tileOp);
}

void TileMatmulsPass::runOnOperation() {
  SmallVector<linalg::MatmulOp> matmuls;
  getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
  IRRewriter rewriter(&getContext());
  for (linalg::MatmulOp op : matmuls)
    tile(rewriter, op);
  if (!foldTilesToContracts(getOperation()))
    signalPassFailure();
}
} // namespace

bool foldTilesToContracts(Operation *root) {
  // Vectorized tiles come out as multi_reduction(mul(...)) of broadcasting
  // reads: split the reads into plain reads + broadcasts, then fold all of it
  // into one contract on the 2-D tiles.
  RewritePatternSet patterns(root->getContext());
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorReductionToContractPatterns(patterns);
  if (succeeded(applyPatternsAndFoldGreedily(root, std::move(patterns))))
    return true;
  root->emitError("vector contraction folding did not converge");
  return false;
}

std::unique_ptr<Pass> createTileMatmulsPass() {
  return std::make_unique<TileMatmulsPass>();
}

} // namespace aec::lowering
