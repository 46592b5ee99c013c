/// The CPU pass pipeline: textual stages (each replays with
/// mlir-opt-19 --pass-pipeline='builtin.module(<stage>)') around C++ steps for
/// elementwise fusion (Fusion.cpp) and matmul tiling and vectorization
/// (Vectorize.cpp).
#include "passes/lowering/MLIRLowering.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace aec::lowering {

namespace {
/// Tensors -> buffers. Identity layouts at function boundaries make every
/// argument a plain dense buffer; results become out-params written in place
/// (hoist-static-allocs), so the caller's buffers receive results without a
/// copy; the deallocation pipeline frees intermediates. What remains of linalg
/// becomes loops.
const char *const BufferStage =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs},"
    "buffer-deallocation-pipeline,"
    "func.func(convert-linalg-to-loops),"
    "convert-bufferization-to-memref,"
    "canonicalize";

/// Loops, vectors and memrefs -> LLVM dialect. log1p stays exact (no log(1+x));
/// math ops with no LLVM intrinsic (tanh, erf) become libm calls, which the
/// trainer links; bare-pointer memrefs make each static buffer one pointer, as
/// the entry ABI wants.
const char *const LLVMStage =
    "func.func(convert-vector-to-scf{full-unroll}),"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    "convert-vector-to-llvm,"
    "finalize-memref-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-math-to-llvm{approximate-log1p=false},"
    "convert-math-to-libm,"
    "convert-cf-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
    "reconcile-unrealized-casts";

/// Collects MLIR diagnostics so that failures carry them in the exception.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext *ctx)
      : OS(Text), Handler(ctx, [this](mlir::Diagnostic &d) {
          OS << d.getLocation() << ": " << d << "\n";
          return mlir::success();
        }) {}
  std::string text() { return Text; }

private:
  std::string Text;
  llvm::raw_string_ostream OS;
  mlir::ScopedDiagnosticHandler Handler;
};

/// Debugging knobs: AEC_MLIR_PRINT_STAGES=1 prints the module after each step
/// to stderr; AEC_MLIR_NO_VECTORIZE=1 leaves matmuls as plain loops (to bisect
/// numerical issues); AEC_TIMING=1 reports the time of every MLIR pass (and
/// LLVM's O3 and code generation, EmitLLVM.cpp).
bool envFlag(const char *name) {
  const char *v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

void runStage(mlir::ModuleOp module, const char *stage) {
  DiagnosticCollector diags(module.getContext());
  // Anchored on builtin.module: the stage text is the module pass manager's
  // contents.
  mlir::PassManager pm(module.getContext());
  std::string parseErrors;
  llvm::raw_string_ostream parseOS(parseErrors);
  if (mlir::failed(mlir::parsePassPipeline(stage, pm, parseOS)))
    throw std::runtime_error("internal error: bad MLIR pipeline: " +
                             parseErrors);
  if (envFlag("AEC_TIMING"))
    pm.enableTiming();
  if (mlir::failed(pm.run(module)))
    throw std::runtime_error(std::string("MLIR pipeline failed in ") + stage +
                             ":\n" + diags.text());
}

void printStage(mlir::ModuleOp module, const char *name) {
  if (!envFlag("AEC_MLIR_PRINT_STAGES"))
    return;
  llvm::errs() << "// ----- after " << name << "\n";
  module.print(llvm::errs());
}
} // namespace

void runCPUPipeline(mlir::ModuleOp module) {
  static std::once_flag registered;
  std::call_once(registered, [] { mlir::registerAllPasses(); });
  fuseElementwiseOps(module); // chains of elementwise generics -> one loop nest
  printStage(module, "fusion");
  if (!envFlag("AEC_MLIR_NO_VECTORIZE")) {
    tileAndVectorizeMatmuls(module);
    printStage(module, "matmul tiling and vectorization");
  }
  runStage(module, BufferStage);
  printStage(module, "bufferization");
  lowerVectorOps(module);
  printStage(module, "vector lowering");
  runStage(module, LLVMStage);
  printStage(module, "LLVM dialect conversion");
}

} // namespace aec::lowering
