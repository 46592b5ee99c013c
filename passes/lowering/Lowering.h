#pragma once
/// Graph module -> MLIR -> LLVM -> native code. This header is MLIR-free on purpose: only
/// the .cpp files of passes/lowering include MLIR/LLVM headers.
#include "ir/Graph.h"

#include <aec/Descriptor.h>

#include <memory>
#include <string>
#include <vector>

namespace aec {

/// Names of every op with a lowering ("input" included); a test checks each registry op
/// is among them.
std::vector<std::string> loweredOpNames();

/// MLIR of every graph (func + linalg/tensor/arith/math on tensors), before any pass,
/// lowered for `target` ("cpu" or "cuda").
std::string emitMLIRText(const Module &module, const std::string &target = "cpu");
/// The CPU pipeline as --pass-pipeline text (AEC_MLIR_NO_VECTORIZE honoured):
/// `aec-mlir-opt m.mlir --pass-pipeline="$(aec dump m.yaml --stage mlir-pipeline)"`
/// replays on `aec dump --stage mlir` what the compiler does.
std::string cpuPipelineText();
/// The cuda pipeline as --pass-pipeline text (`aec dump --target cuda --stage mlir-pipeline`).
std::string cudaPipelineText();
/// The PTX of every gpu.binary after the cuda pipeline, each headed by a `// gpu.binary
/// @name` line (`aec dump --target cuda --stage ptx`; ptxas assembles each part).
std::string emitPtxText(const Module &module);
/// Names of the passes of the CPU pipeline, each once, in order (nested pipelines expanded).
std::vector<std::string> cpuPipelinePassNames();
/// The MLIR module after the CPU pipeline: LLVM dialect, before translation to LLVM IR.
std::string emitLLVMDialectText(const Module &module);
/// The IR after each run of the CPU pipeline's pass `pass`, as
/// aec-mlir-opt --mlir-print-ir-after=PASS prints it.
std::string emitMLIRAfterPass(const Module &module, const std::string &pass);
/// LLVM IR text after the CPU pipeline, with the entry wrappers and the descriptor global.
std::string emitLLVMText(const Module &module, const std::string &descriptor);
/// Host assembly of the same.
std::string emitAssemblyText(const Module &module, const std::string &descriptor);
/// Writes a relocatable object for the host CPU (O3, host CPU name and features).
/// `target` "cuda-on-host" compiles the cuda target's kernels as host loops (tests).
void emitObjectFile(const Module &module, const std::string &descriptor, const std::string &path,
                    const std::string &target = "cpu");
/// The same as objects `stem`.0.o, `stem`.1.o, ..., groups of functions compiled in
/// parallel on the machine's cores (balanced by size), and one last object with the
/// descriptor (every group's workspace sizes); returns their paths. `planned`, when
/// given, receives that descriptor.
std::vector<std::string> emitObjectFiles(const Module &module, const std::string &descriptor,
                                         const std::string &stem, std::string *planned = nullptr);

/// The same for `aec compile --target cuda`: the host code of every function (it launches
/// the function's kernels, and takes device pointers in the entry ABI of aec/Descriptor.h)
/// with the kernels embedded as PTX for sm_90 (no CUDA toolkit needed: LLVM's NVPTX
/// backend). The runtime's mgpu* functions (runtime/src/CudaLaunch.cpp) load and launch them.
std::vector<std::string> emitCudaObjectFiles(const Module &module, const std::string &descriptor,
                                             const std::string &stem,
                                             std::string *planned = nullptr);

/// One kernel of a function after fusion (aec-fuse-elementwise, aec-tile-matmuls): a
/// top-level loop nest of the bufferized function.
struct KernelSummary {
  std::string kind;    ///< matmul, tiled matmul, elementwise, reduction, copy, fill, ...
  int64_t scalarOps = 0; ///< arithmetic ops in an elementwise/reduction body (fused count)
  std::string loc;     ///< the model source it came from (file:line:col), or ""
};

/// One intermediate buffer at its planned place in the arena.
struct ArenaSlot {
  int64_t offset = 0, bytes = 0;
  int64_t first = 0, last = 0; ///< live range, in kernel indices
  std::string producer;        ///< kind and source of the first kernel that touches it
};

/// What the CPU pipeline makes of one function: its kernels and its memory plan.
struct FunctionPlan {
  std::string name;
  int64_t arenaBytes = 0;     ///< the planned arena (aec-plan-arena)
  int64_t liveBoundBytes = 0; ///< the most intermediate bytes live at once: no plan uses less
  int64_t unplannedAllocs = 0; ///< buffers still allocated on their own
  std::vector<ArenaSlot> slots; ///< by offset
  std::vector<KernelSummary> kernels;
};

/// Runs the CPU pipeline through aec-plan-arena and reads each function's kernels and
/// memory plan (PlanReport.cpp). `aec check` prints the arena, `aec dump --stage opt` all.
std::vector<FunctionPlan> planFunctions(const Module &module);

/// Links `objectPath` with libaecrt into the trainer executable `outPath` (written to a
/// temporary name, then renamed). Finds the runtime relative to the running `aec`; a missing
/// linker or runtime is a clear std::runtime_error.
void linkTrainer(const std::string &objectPath, const std::string &outPath);
/// The same with several objects.
void linkTrainer(const std::vector<std::string> &objectPaths, const std::string &outPath);
/// Links the objects with libaecrt into the shared library `outPath` (`aec compile
/// --shared`) that exports the C API of aec/CApi.h and hides every other symbol.
void linkShared(const std::vector<std::string> &objectPaths, const std::string &outPath);

/// A compiled module loaded into this process (tests, benchmarks).
class LoadedModule {
public:
  virtual ~LoadedModule() = default;
  /// Entry point `aec_fn_<name>`, or nullptr.
  virtual AecEntryFn entry(const std::string &function) const = 0;
  /// Workspace bytes of `function` (`aec_workspace_bytes_<name>`, as the descriptor states).
  virtual int64_t workspaceBytes(const std::string &function) const = 0;
  /// Calls `function` on `buffers` (args, then results) with a fresh workspace appended.
  /// Throws when there is no such function.
  void call(const std::string &function, std::vector<void *> buffers) const;
};
/// Compiles `module` to a shared object in a temporary directory and dlopens it;
/// `target` as emitObjectFile's.
std::unique_ptr<LoadedModule> compileAndLoad(const Module &module,
                                             const std::string &target = "cpu");

} // namespace aec
