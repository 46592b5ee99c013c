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

/// How many data-parallel shards of a batch the compiler builds a gradient function for.
struct ShardPlan {
  int64_t shards = 1;
  std::string reason; ///< why the step stays whole (shards == 1), for `trainer info`
  /// With shards > 1 and batch statistics in the step: what each shard computes (empty
  /// otherwise), for `aec check` and `trainer info`.
  std::string note;
};

/// A step of fewer FLOPs (3 x forward FLOPs x batch) than this is not split by default.
/// Below it the hand-over between two threads (microseconds on an idle machine, a time
/// slice on a busy one) costs about what the second core saves. Measured on this idle
/// 2-core machine, 2 shards against 1: ring (1 MFLOP) 1.25M vs 1.69M samples/s, sdss_colors
/// at batch 64 (4.5 MFLOP) 0.60M vs 0.49-0.61M, at batch 128 (9 MFLOP) 0.78M vs 0.54-0.63M,
/// at batch 256 (18 MFLOP) 1.10M vs 0.68M (README, Threads).
inline constexpr int64_t MinShardedStepFlops = 8'000'000;

/// The shards for `spec` at `batch`: `requested` (0: 2 when the step has at least
/// MinShardedStepFlops), or 1 with the reason: the batch does not divide, or, by default
/// only, a batch statistic (batchnorm in training, kl_sparsity's mean activation) couples
/// the samples. An explicit `requested` > 1 splits such a step anyway: each shard uses its
/// own statistics (PyTorch DDP's per-rank batchnorm), and `note` says so.
ShardPlan planShards(const ModelSpec &spec, int64_t batch, int64_t requested = 0);

/// The functions a trainer needs: train_step (forward + loss + backward + optimizer update),
/// eval_step (per-sample losses), encode, reconstruct and, when possible, decode. With
/// `shards` > 1 (a planShards result) the step split for data-parallel threads instead of
/// train_step (the runtime runs the shards in turn on one thread):
/// grad_step (one shard of batch / shards samples: outputs "loss", its share of the
/// batch's loss, and "grad/<param>", its share of the gradient: the shards' sums are
/// exactly the whole batch's, unless batch statistics make each shard's its own; then the
/// new moving statistics under their param names, from this shard's statistics; the hyper
/// input "weight_sum" is the batch's sum of weights) and update_step (the optimizer update
/// from summed gradients, role grad).
Module buildTrainingModule(const ModelSpec &spec, int64_t batch, DType dtype = DType::F32,
                           int64_t shards = 1);

/// A named graph transformation.
struct Pass {
  std::string name;
  std::function<void(Graph &)> run;
};

/// Simplify (algebraic identities, constant folding), CSE, DCE.
Pass createSimplifyPass();
Pass createCSEPass();
Pass createDCEPass();
/// Elementwise ops on broadcasts (and splat constants) computed before the broadcast.
Pass createSinkBroadcastsPass();

/// Runs passes over every graph, verifying after each; prints after the named pass (or all).
struct PassManager {
  std::vector<Pass> passes;
  std::string printAfter;   ///< pass name, "all", or empty
  std::ostream *printStream = nullptr;
  void run(Module &module) const;
};

/// A registered graph pass: the name tools accept, a one-line summary, its factory.
struct PassInfo {
  std::string name;
  std::string summary;
  std::function<Pass()> create;
};
/// Every graph pass, one list (PassRegistry.cpp); a new pass is one entry there, and the
/// before/after-every-pass tests check it on every model and on random graphs.
const std::vector<PassInfo> &registeredPasses();
/// "simplify, cse, dce": the names, for messages.
std::string registeredPassNames();
/// Passes named in a comma-separated list, in order; an unknown name is an error that
/// lists the registered ones.
PassManager parsePipeline(const std::string &text);

/// The default optimisation pipeline (`aec dump --stage opt`, `aec compile`).
inline constexpr const char *DefaultPipelineText = "simplify,cse,simplify,sink-broadcasts,cse,dce";
PassManager defaultPipeline();

} // namespace aec
