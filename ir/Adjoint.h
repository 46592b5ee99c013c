#pragma once
/// Reverse-mode differentiation of a graph: the sweep behind the autodiff pass and the
/// scan op's gradient rule.
#include "ir/Graph.h"

#include <vector>

namespace aec {

/// Appends to `graph` the adjoints of each value in `wrt` given the adjoint `seeds[i]` of
/// each `roots[i]` (a vector-Jacobian product; a root may repeat, its seeds add up), and
/// returns them (a zero constant where no root depends on it). Each op's gradient rule
/// appends differentiable ops, so the result can be differentiated again.
std::vector<ValueId> buildAdjoints(Graph &graph, const std::vector<ValueId> &roots,
                                   const std::vector<ValueId> &seeds,
                                   const std::vector<ValueId> &wrt);

} // namespace aec
