#pragma once
/// Rebuilding a graph node by node: the common skeleton of Simplify, CSE and DCE.
#include "ir/Graph.h"

#include <functional>
#include <vector>

namespace aec {

/// Called for each kept node with operands already remapped into `out`; returns the value
/// that stands for the node in `out` (usually `out.addUnchecked(node)`, or an existing value).
using RebuildFn = std::function<ValueId(Graph &out, Node node)>;

/// Copies `in` into a fresh graph through `fn`, skipping nodes where keep[i] is false
/// (empty `keep` = keep all), and remaps the outputs.
Graph rebuildGraph(const Graph &in, const RebuildFn &fn, const std::vector<bool> &keep = {});

} // namespace aec
