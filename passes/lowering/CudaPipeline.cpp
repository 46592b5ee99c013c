/// `aec compile --target cuda`: the GPU pipeline (in progress).
#include "passes/lowering/Lowering.h"

#include <stdexcept>

namespace aec {

std::vector<std::string> emitCudaObjectFiles(const Module &, const std::string &,
                                             const std::string &, std::string *) {
  throw std::runtime_error("the cuda target is not available yet (use --target cpu)");
}

} // namespace aec
