#pragma once
/// The model descriptor the generated object carries for the runtime (aec/Descriptor.h).
#include "frontend/Expand.h"
#include "ir/Graph.h"

#include <aec/Descriptor.h>

namespace aec {

/// Describes the compiled `module` of `spec`: shapes, parameters (from `forward`, the
/// ForwardInfo of the Full forward graph), optimizer states (the state inputs of
/// train_step, or of update_step when the step is split), the flat settings (plus `model.vae = true` when the code is a vae_latent),
/// stats, and one FunctionInfo per graph whose args and results are the graph's inputs and
/// outputs in order (the lowering emits entry-point buffers in that same order).
///
/// stats: flops_per_step = 3 x forward FLOPs per sample (summarize) x batch: the backward
/// pass costs about twice the forward (two matmuls per forward matmul); optimizer and loss
/// are not counted. The memory plan's figures (arena_bytes, arena_live_bound) come with
/// the lowering, which plans the arena (EmitLLVM.cpp).
rt::ModelDescriptor describeModel(const ModelSpec &spec, const Module &module,
                                  const ForwardInfo &forward);

/// Role of a train_step result: "param" / "state" when it is named like a param or state
/// input (the updated value the runtime writes back), else "output".
std::string resultRole(const Graph &graph, const std::string &resultName);

} // namespace aec
