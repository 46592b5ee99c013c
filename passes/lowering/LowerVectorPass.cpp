/// aec-lower-vector: fast matmuls, part two (part one is aec-tile-matmuls).
/// After bufferization the accumulator tile's transfers are hoisted out of the
/// reduction loop, so it stays in registers, and each vector.contract becomes
/// outer products (broadcast-FMA chains), which LLVM maps onto FMA
/// instructions. Lit test: tests/lit/mlir/aec-lower-vector.mlir.
#include "passes/lowering/AecPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aec::lowering {

using namespace mlir;

namespace {
/// On the module, not per function, as the former C++ step: the generated code
/// stays identical.
class LowerVectorPass
    : public PassWrapper<LowerVectorPass, OperationPass<ModuleOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerVectorPass)

  /// Not the C++ type name with its namespaces: IR dumps name the pass.
  StringRef getName() const final { return "LowerVectorPass"; }
  StringRef getArgument() const final { return "aec-lower-vector"; }
  StringRef getDescription() const final {
    return "Hoist accumulator transfers out of loops and lower vector "
           "contractions to outer products (after bufferization)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, memref::MemRefDialect,
                    scf::SCFDialect, vector::VectorDialect>();
  }

  void runOnOperation() override {
    // Keep the accumulator tile in registers across the k loop.
    getOperation().walk(
        [](func::FuncOp f) { linalg::hoistRedundantVectorTransfers(f); });

    vector::VectorTransformsOptions options;
    options.setVectorTransformsOptions(
        vector::VectorContractLowering::OuterProduct);
    RewritePatternSet patterns(&getContext());
    vector::populateVectorContractLoweringPatterns(patterns, options);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(patterns, options);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns)))) {
      getOperation().emitError("vector lowering did not converge");
      signalPassFailure();
    }
  }
};
} // namespace

std::unique_ptr<Pass> createLowerVectorPass() {
  return std::make_unique<LowerVectorPass>();
}

} // namespace aec::lowering
