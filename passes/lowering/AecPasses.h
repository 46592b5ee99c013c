#pragma once
/// aec's own MLIR passes of the CPU pipeline and their registration. Only
/// forward declarations of MLIR here, so that tools/aec-mlir-opt.cpp and the
/// pipeline see the passes without pulling in their dialects' headers.
#include <memory>

namespace mlir {
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

/// aec-lower-vector: after bufferization, hoists accumulator transfers out of
/// reduction loops and lowers vector contractions to outer products / FMAs
/// (LowerVectorPass.cpp).
std::unique_ptr<mlir::Pass> createLowerVectorPass();

/// aec-plan-arena: after bufferization, places a function's static
/// intermediates at planned offsets of one arena (liveness, greedy first fit),
/// the workspace, a new last argument the runtime allocates once: a step makes
/// no heap allocation (PlanArenaPass.cpp).
std::unique_ptr<mlir::Pass> createPlanArenaPass();

/// Registers aec's passes and the `aec-cpu-pipeline` pipeline with MLIR's
/// global registry, so that pipeline text and aec-mlir-opt can name them.
/// Idempotent (Pipeline.cpp).
void registerAecPasses();

} // namespace aec::lowering
