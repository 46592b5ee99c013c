#pragma once
/// Kernels out of line, so that LLVM optimises many small functions instead of one
/// huge one (OutlineKernels.cpp). LLVM headers only.
#include <cstddef>

namespace llvm {
class Module;
}

namespace aec::lowering {

/// Moves every top-level loop nest of each function into a noinline function of its
/// own; returns how many were made.
size_t outlineKernels(llvm::Module &mod);

} // namespace aec::lowering
