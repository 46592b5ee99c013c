#pragma once
/// Private interface between the MLIR-including files of passes/lowering. Never
/// include this outside passes/lowering: it pulls in MLIR and LLVM headers.
#include "ir/Graph.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class raw_ostream;
} // namespace llvm

namespace aec::lowering {

/// What an op emitter sees: the builder at the insertion point, the node, its
/// already lowered operands and the MLIR type of its result.
struct EmitContext {
  mlir::OpBuilder &b;
  mlir::Location loc;
  const Node &node;
  std::vector<mlir::Value> operands;
  mlir::RankedTensorType resultType;
};

/// The module attribute naming the target the module is lowered for: "cuda" makes
/// the emitters choose GPU-shaped forms (targetsGpu); absent means the CPU. It is
/// in `aec dump --stage mlir --target cuda`, so that aec-mlir-opt replays see it.
inline constexpr const char *TargetAttrName = "aec.target";
/// Whether the module being built at `b` is lowered for the GPU (ConvGatherLowerings.cpp).
bool targetsGpu(mlir::OpBuilder &b);

/// Emits the MLIR of one node and returns its (tensor) result.
using OpEmitter = std::function<mlir::Value(EmitContext &ctx)>;

/// The emitter registered for `op`, or nullptr (OpLowerings.cpp).
const OpEmitter *findOpEmitter(const std::string &op);

/// Emits every node of `graph` but its inputs at `b`'s insertion point; `values`
/// (indexed by ValueId) holds the inputs' values and receives the others' (LowerGraph.cpp;
/// a function body, or a scan's body inside its loop).
void emitNodes(mlir::OpBuilder &b, const Graph &graph,
               std::vector<mlir::Value> &values);

/// scan -> scf.for over the steps (ScanLowering.cpp).
mlir::Value emitScan(EmitContext &c);

/// A context with every dialect, interface and translation the pipeline needs,
/// single threaded so that compilation is deterministic and cheap on small
/// machines (Context.cpp).
std::unique_ptr<mlir::MLIRContext> makeContext();

/// The MLIR type of a graph tensor type.
mlir::RankedTensorType toTensorType(mlir::MLIRContext &ctx,
                                    const TensorType &type);

/// One func.func per graph on tensors (LowerGraph.cpp), for `target` ("cpu" or
/// "cuda", see TargetAttrName). Throws CompileError at a node whose op has no lowering.
mlir::OwningOpRef<mlir::ModuleOp> lowerModule(mlir::MLIRContext &ctx, const Module &module,
                                              const std::string &target = "cpu");

/// Runs the CPU pipeline (Pipeline.cpp): tensors -> buffers (results as
/// out-params) -> loops -> LLVM dialect with bare-pointer memrefs. With
/// `printAfter` a pass name, prints the IR after each run of that pass to `os`
/// (stderr when null). Throws std::runtime_error with the MLIR diagnostics on
/// failure.
void runCPUPipeline(mlir::ModuleOp module, const std::string &printAfter = "",
                    llvm::raw_ostream *os = nullptr);

/// The same with the cuda pipeline (Pipeline.cpp): the module lowered for "cuda" ->
/// host LLVM dialect with the kernels as PTX in gpu.binary ops.
void runCudaPipeline(mlir::ModuleOp module, const std::string &printAfter = "",
                     llvm::raw_ostream *os = nullptr);

/// The cuda pipeline's kernels as host loops (Pipeline.cpp's cudaHostPipeline): the
/// module lowered for "cuda" -> LLVM dialect for the CPU, for tests.
void runCudaHostPipeline(mlir::ModuleOp module);

/// Runs the CPU pipeline's passes up to and including the first run of `last`
/// (e.g. aec-plan-arena: the bufferized functions with their memory plan).
void runCPUPipelineThrough(mlir::ModuleOp module, const std::string &last);

/// Translates the LLVM-dialect module, adds the `aec_fn_<name>` wrappers and
/// the descriptor global, targets the host CPU and runs O3 (EmitLLVM.cpp).
std::unique_ptr<llvm::Module> buildLLVMModule(llvm::LLVMContext &llvmCtx,
                                              const Module &module,
                                              const std::string &descriptor);

} // namespace aec::lowering
