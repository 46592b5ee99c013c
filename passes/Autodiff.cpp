/// Reverse-mode automatic differentiation of a scalar loss (the sweep is ir/Adjoint.cpp,
/// shared with the scan op's gradient rule).
#include "ir/Adjoint.h"
#include "ir/Builder.h"
#include "passes/Passes.h"

namespace aec {

std::vector<ValueId> buildGradients(Graph &graph, ValueId loss, const std::vector<ValueId> &wrt) {
  if (graph.type(loss).rank() != 0)
    fail(graph.node(loss).loc, "autodiff: the loss must be a scalar, got " + graph.type(loss).str());
  Builder b(graph);
  b.loc = graph.node(loss).loc;
  ValueId one = b.constantLike(1.0, loss);
  return buildAdjoints(graph, {loss}, {one}, wrt);
}

} // namespace aec
