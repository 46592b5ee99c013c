#pragma once
/// Graph-to-graph passes and the pass manager.
#include "frontend/Expand.h"
#include "ir/Graph.h"

#include <functional>
#include <string>
#include <vector>

namespace aec {

/// Reverse-mode AD: appends to `graph` the adjoints of scalar `loss` with respect to each
/// value in `wrt` and returns them (a zero constant where `loss` does not depend on it).
/// Built from differentiable ops, so it can be applied to its own output (grad of grad).
std::vector<ValueId> buildGradients(Graph &graph, ValueId loss, const std::vector<ValueId> &wrt);

/// The functions a trainer needs: train_step (forward + loss + backward + optimizer update),
/// eval_step (per-sample losses), encode, reconstruct and, when possible, decode.
Module buildTrainingModule(const ModelSpec &spec, int64_t batch, DType dtype = DType::F32);

/// A named graph transformation.
struct Pass {
  std::string name;
  std::function<void(Graph &)> run;
};

/// Simplify (algebraic identities, constant folding), CSE, DCE.
Pass createSimplifyPass();
Pass createCSEPass();
Pass createDCEPass();

/// Runs passes over every graph, verifying after each; prints after the named pass (or all).
struct PassManager {
  std::vector<Pass> passes;
  std::string printAfter;   ///< pass name, "all", or empty
  std::ostream *printStream = nullptr;
  void run(Module &module) const;
};

/// The default optimisation pipeline (`aec dump --stage opt`).
PassManager defaultPipeline();

/// Bytes of the largest set of simultaneously live intermediates when nodes run in order
/// (the static memory plan's peak).
int64_t planPeakBytes(const Graph &graph);

} // namespace aec
