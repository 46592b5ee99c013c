/// aec-tile-matmuls: fast matmuls, part one. Each linalg.matmul (and
/// linalg.matmul_transpose_a) is tiled into register-sized static tiles
/// (scf::tileUsingSCF) and each tile is vectorized to a vector.contract; aec-lower-vector finishes the job after
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
      llvm::cl::init(0)};
  Option<int64_t> MaxRows{
      *this, "max-rows",
      llvm::cl::desc("largest tile height (doubled for tiles narrower than max-cols)"),
      llvm::cl::init(8)};
  Option<int64_t> MaxCols{*this, "max-cols",
                          llvm::cl::desc("largest tile width (a power of two)"),
                          llvm::cl::init(32)};
  Option<int64_t> MaxK{*this, "max-k",
                       llvm::cl::desc("largest tile depth (reduction)"),
                       llvm::cl::init(8)};

private:
  void tile(IRRewriter &rewriter, linalg::LinalgOp op);
  void tileBlock(IRRewriter &rewriter, linalg::LinalgOp op, int64_t tileCols);
};

/// The reduction (k) size of a matmul: A is [m, k], or [k, m] read transposed.
int64_t depth(linalg::LinalgOp op) {
  auto a = cast<ShapedType>(op.getDpsInputs()[0].getType());
  return a.getDimSize(isa<linalg::MatmulTransposeAOp>(op) ? 0 : 1);
}

/// Every matmul is vectorized, however small: its scalar loop nest would keep the
/// accumulator in memory and multiply and add separately. The output columns split
/// into blocks of power-of-two tiles (splitColumns), each block its own matmul on
/// slices of B and C, so every vector is whole registers or a power-of-two part of one.
void TileMatmulsPass::tile(IRRewriter &rewriter, linalg::LinalgOp op) {
  auto a = cast<ShapedType>(op.getDpsInputs()[0].getType());
  auto c = cast<ShapedType>(op.getDpsInits()[0].getType());
  if (!a.hasStaticShape() || !c.hasStaticShape())
    return;
  bool transposedA = isa<linalg::MatmulTransposeAOp>(op);
  int64_t m = c.getDimSize(0), n = c.getDimSize(1), k = depth(op);
  if (m * n * k < MinMacs)
    return;
  std::vector<ColumnBlock> blocks = splitColumns(n, MaxCols);
  if (blocks.size() == 1)
    return tileBlock(rewriter, op, blocks.front().tile);
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value b = op.getDpsInputs()[1];
  Value result = op.getDpsInits()[0];
  SmallVector<linalg::LinalgOp> parts;
  for (const ColumnBlock &block : blocks) {
    SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0), rewriter.getIndexAttr(block.offset)};
    SmallVector<OpFoldResult> bSizes = {rewriter.getIndexAttr(k),
                                        rewriter.getIndexAttr(block.width)};
    SmallVector<OpFoldResult> cSizes = {rewriter.getIndexAttr(m),
                                        rewriter.getIndexAttr(block.width)};
    SmallVector<OpFoldResult> strides(2, rewriter.getIndexAttr(1));
    Value bSlice =
        rewriter.create<tensor::ExtractSliceOp>(loc, b, offsets, bSizes, strides);
    Value cSlice =
        rewriter.create<tensor::ExtractSliceOp>(loc, result, offsets, cSizes, strides);
    SmallVector<Value> operands = {op.getDpsInputs()[0], bSlice};
    linalg::LinalgOp part =
        transposedA ? linalg::LinalgOp(rewriter.create<linalg::MatmulTransposeAOp>(
                          loc, operands, ValueRange{cSlice}))
                    : linalg::LinalgOp(rewriter.create<linalg::MatmulOp>(
                          loc, operands, ValueRange{cSlice}));
    result = rewriter.create<tensor::InsertSliceOp>(loc, part->getResult(0), result,
                                                    offsets, cSizes, strides);
    parts.push_back(part);
  }
  rewriter.replaceOp(op, result);
  for (auto [part, block] : llvm::zip(parts, blocks))
    tileBlock(rewriter, part, block.tile);
}

/// Tiles of up to max-rows x tileCols accumulators (8 x 32 fill 16 AVX-512 registers;
/// narrower tiles get twice the rows, to keep as many FMAs in flight) and a short k
/// step that bounds the unrolled outer-product chain.
void TileMatmulsPass::tileBlock(IRRewriter &rewriter, linalg::LinalgOp op,
                                int64_t tileCols) {
  int64_t m = cast<ShapedType>(op.getDpsInits()[0].getType()).getDimSize(0);
  int64_t maxRows = tileCols < MaxCols ? 2 * MaxRows : MaxRows;
  SmallVector<int64_t> sizes = {pickTile(m, maxRows, 1), tileCols, pickTile(depth(op), MaxK, 1)};
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
  SmallVector<linalg::LinalgOp> matmuls;
  getOperation().walk([&](linalg::LinalgOp op) {
    if (isa<linalg::MatmulOp, linalg::MatmulTransposeAOp>(op))
      matmuls.push_back(op);
  });
  IRRewriter rewriter(&getContext());
  for (linalg::LinalgOp op : matmuls)
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
