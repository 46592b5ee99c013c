#pragma once
/// aec's own MLIR passes of the CPU pipeline and their registration. Only
/// forward declarations of MLIR here, so that tools/aec-mlir-opt.cpp and the
/// pipeline see the passes without pulling in their dialects' headers.
#include <memory>

namespace mlir {
class DialectRegistry;
class Operation;
class Pass;
} // namespace mlir

namespace aec::lowering {

/// aec-fuse-elementwise: linalg-fuse-elementwise-ops, except that reshapes
/// never fold into or out of a named linalg op (matmul, copy, transpose), which
/// stays named (FuseElementwisePass.cpp).
std::unique_ptr<mlir::Pass> createFuseElementwisePass();

/// aec-tile-matmuls: tiles each large linalg.matmul into static register tiles
/// and vectorizes them to vector.contract; on tensors, before bufferization
/// (TileMatmulsPass.cpp).
std::unique_ptr<mlir::Pass> createTileMatmulsPass();

/// Folds the vectorized register tiles under `root` (multi_reduction of products of
/// broadcasting reads) into one vector.contract each, for aec-tile-matmuls and
/// aec-tile-convs; false, with an error on `root`, when it does not converge
/// (TileMatmulsPass.cpp).
bool foldTilesToContracts(mlir::Operation *root);

/// aec-tile-convs: tiles each linalg.generic carrying the `aec.tile` attribute
/// (the direct convolutions' tap contractions, ConvLowerings.cpp) by those tile
/// sizes, drops the tile's unit dims and vectorizes it to a vector.contract; on
/// tensors, before bufferization (TileConvsPass.cpp).
std::unique_ptr<mlir::Pass> createTileConvsPass();
/// The attribute aec-tile-convs reads: one tile size per loop of the generic.
inline constexpr const char *ConvTileAttrName = "aec.tile";

/// aec-lower-vector: after bufferization, hoists accumulator transfers out of
/// reduction loops and lowers vector contractions to outer products / FMAs
/// (LowerVectorPass.cpp).
std::unique_ptr<mlir::Pass> createLowerVectorPass();

/// aec-plan-arena: after bufferization, places a function's static
/// intermediates at planned offsets of one arena (liveness, greedy first fit),
/// the workspace, a new last argument the runtime allocates once: a step makes
/// no heap allocation (PlanArenaPass.cpp).
std::unique_ptr<mlir::Pass> createPlanArenaPass();

/// aec-outline-loops: after bufferization, moves each top-level loop nest of a
/// function into a private function called in its place; identical loop nests
/// share one (OutlineLoopsPass.cpp).
std::unique_ptr<mlir::Pass> createOutlineLoopsPass();

/// The cuda pipeline's passes (GpuKernelPasses.cpp): aec-splats-to-fills, aec-copies-to-linalg,
/// aec-gpu-serial-kernels, aec-gpu-map-loops, aec-gpu-check-host, aec-gpu-math,
/// aec-gpu-libdevice, aec-gpu-merge-kernels.
std::unique_ptr<mlir::Pass> createSplatsToFillsPass();
std::unique_ptr<mlir::Pass> createCopiesToLinalgPass();
std::unique_ptr<mlir::Pass> createGpuSerialKernelsPass();
std::unique_ptr<mlir::Pass> createGpuMapLoopsPass();
std::unique_ptr<mlir::Pass> createGpuCheckHostPass();
std::unique_ptr<mlir::Pass> createGpuMathPass();
std::unique_ptr<mlir::Pass> createGpuLibdevicePass();
std::unique_ptr<mlir::Pass> createGpuMergeKernelsPass();

/// Every dialect, extension and translation the compiler's context has (Context.cpp),
/// the GPU and NVVM ones of the cuda target included: aec-mlir-opt registers the same.
void registerLoweringDialects(mlir::DialectRegistry &registry);

/// Registers aec's passes and the `aec-cpu-pipeline` pipeline with MLIR's
/// global registry, so that pipeline text and aec-mlir-opt can name them.
/// Idempotent (Pipeline.cpp).
void registerAecPasses();

} // namespace aec::lowering
