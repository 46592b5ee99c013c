#pragma once
/// The reference interpreter: evaluates a graph on xtensor, op by op, through each OpDef's
/// eval. Every compiled result is tested against it.
#include "ir/Graph.h"
#include "ir/Tensor.h"

#include <map>
#include <string>

namespace aec {

using TensorMap = std::map<std::string, Tensor>;

/// Evaluates `graph` with inputs bound by name; returns every output by name. A missing
/// input or a shape mismatch is a CompileError naming the input.
TensorMap interpret(const Graph &graph, const TensorMap &inputs);

/// Rounds to float when `dtype` is f32 (what a float32 buffer would hold).
void roundToDType(Tensor &t, DType dtype);

} // namespace aec
