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

/// MLIR of every graph (func + linalg/tensor/arith/math on tensors), before any pass.
std::string emitMLIRText(const Module &module);
/// LLVM IR text after the CPU pipeline, with the entry wrappers and the descriptor global.
std::string emitLLVMText(const Module &module, const std::string &descriptor);
/// Host assembly of the same.
std::string emitAssemblyText(const Module &module, const std::string &descriptor);
/// Writes a relocatable object for the host CPU (O3, host CPU name and features).
void emitObjectFile(const Module &module, const std::string &descriptor, const std::string &path);

/// Links `objectPath` with libaecrt into the trainer executable `outPath` (written to a
/// temporary name, then renamed). Finds the runtime relative to the running `aec`; a missing
/// linker or runtime is a clear std::runtime_error.
void linkTrainer(const std::string &objectPath, const std::string &outPath);

/// A compiled module loaded into this process (tests, benchmarks).
class LoadedModule {
public:
  virtual ~LoadedModule() = default;
  /// Entry point `aec_fn_<name>`, or nullptr.
  virtual AecEntryFn entry(const std::string &function) const = 0;
};
/// Compiles `module` to a shared object in a temporary directory and dlopens it.
std::unique_ptr<LoadedModule> compileAndLoad(const Module &module);

} // namespace aec
