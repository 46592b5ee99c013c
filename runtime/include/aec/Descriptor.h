#pragma once
/// The contract between a generated model object and libaecrt.
///
/// The object exports a text descriptor `aec_model_descriptor` (NUL-terminated) and one C
/// entry point per function, `aec_fn_<name>(void **buffers)`. `buffers` holds one pointer per
/// argument of the function, in descriptor order, then one per result (out-buffers the
/// callee fills), then the workspace: `workspace` bytes, 64-byte aligned, overlapping no
/// other buffer, where the callee keeps every intermediate (its contents need not survive
/// between calls). The caller allocates it once, so a call makes no heap allocation. Every
/// other buffer is a dense row-major float32 array of the listed shape.
/// With `target cuda` every one of these pointers (arguments, results, workspace, hypers, noise)
/// is a CUDA device address (CUdeviceptr): the entry point only enqueues kernels on the
/// runtime's stream through the mgpu* functions of libaecrt (runtime/src/CudaMgpu.cpp) and
/// never touches the memory itself (aec/CudaModel.h).
/// Result buffers must not overlap argument buffers: the callee writes results while it is
/// still reading arguments (the runtime double-buffers params and optimizer state).
///
/// Descriptor grammar (one record per line, fields separated by single spaces):
///   aec-model 1
///   name <model name>
///   target cpu|cuda
///   batch <B>
///   shape input|output|code <dims>            dims: "2,50"; "-" for a scalar
///   param <name> <dims> <init>                init: as aec/Initializers.h, e.g. he_normal:<fan_in>:<fan_out>,
///                                             orthogonal:<rows>:<cols>, zeros, unit_forget_bias:<units>
///                                             (non-trainable params such as batchnorm moving stats
///                                             too: train_step returns their new value by name)
///   state <name> <dims>                       optimizer state, starts at zero
///   setting <key> <value>                     value runs to the end of the line
///   stat <key> <integer>                      flops_per_step, arena_bytes, ...
///   function <name>
///   workspace <bytes>                         scratch memory of the function (see above)
///   arg <name> <role> <dims>                  role: data target weight param state hyper latent
///                                             grad (a summed gradient, update_step)
///                                             noise_normal noise_uniform (fresh draws per call)
///   result <name> <role> <dims>
///   end
#include <cstdint>
#include <map>
#include <string>
#include <vector>

extern "C" {
/// Signature of every generated entry point.
typedef void (*AecEntryFn)(void **buffers);
}

namespace aec::rt {

using Dims = std::vector<int64_t>;

int64_t numElements(const Dims &dims);
/// "2,50" / "-" and back.
std::string formatDims(const Dims &dims);
Dims parseDims(const std::string &text);

struct BufferInfo {
  std::string name;
  std::string role;
  Dims dims;
};

struct FunctionInfo {
  std::string name;
  std::vector<BufferInfo> args;
  std::vector<BufferInfo> results;
  int64_t workspaceBytes = 0; ///< the workspace buffer the runtime passes last
};

struct ParamInfo {
  std::string name; ///< "<layer>/<param>", the .npz key
  Dims dims;
  std::string init; ///< as listed above (aec/Initializers.h; the runtime's initArray)
};

struct ModelDescriptor {
  std::string name;
  std::string target = "cpu";
  int64_t batch = 0;
  Dims inputShape, outputShape, codeShape; ///< per sample
  std::vector<ParamInfo> params;
  std::vector<BufferInfo> states;
  std::map<std::string, std::string> settings; ///< "train.epochs" -> "200", ...
  std::map<std::string, int64_t> stats;        ///< "flops_per_step", "arena_bytes", ...
  std::vector<FunctionInfo> functions;

  const FunctionInfo *function(const std::string &name) const;
  /// Descriptor text (grammar above).
  std::string serialize() const;
  /// Parses descriptor text; throws std::runtime_error on malformed input.
  static ModelDescriptor parse(const std::string &text);
};

} // namespace aec::rt
