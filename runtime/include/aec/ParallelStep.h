#pragma once
/// The training step on data-parallel threads, for a model compiled with grad_step and
/// update_step (aec compile --shards K): the batch is cut into the K shards grad_step was
/// compiled for, thread t computes the gradients of shards t, t + N, ... (each shard with its
/// own buffers and workspace), the K gradients are summed in shard order (so the sum is the
/// same for any thread count), and update_step applies the sum once.
#include <aec/Model.h>
#include <aec/WorkerPool.h>

#include <string>
#include <vector>

namespace aec::rt {

/// The shards a model's grad_step splits a batch into; 1 when it has none.
int64_t compiledShards(const Model &model);

/// The thread count to train `model` with: `requested` (0: one per available core), at most
/// compiledShards(model). `note` says why it is fewer than requested (the compiler's reason
/// for not splitting the step, or the shard count), empty otherwise.
int chooseThreads(const Model &model, int requested, std::string *note);

class ParallelStep {
public:
  /// `threads` in [1, compiledShards(model)] (one thread runs the shards in turn).
  ParallelStep(const Model &model, int threads);
  /// One step on `rows` (at most the model's batch, in order): shard s takes the s-th run of
  /// batch / K rows from `sources[s]` (its noise seed and corruption), which may be none
  /// (a padded shard of weight 0). `hypers` as for train_step. Returns the batch's loss.
  double run(const std::vector<BatchSource> &sources, const std::vector<int64_t> &rows,
             ModelState &state, const Hypers &hypers);
  /// Undoes the state update of the last run (FunctionCall::undoUpdate).
  void undoUpdate(ModelState &state) { update_.undoUpdate(state); }
  int64_t shards() const { return static_cast<int64_t>(grads_.size()); }
  int threads() const { return pool_.size(); }

private:
  /// Sums the shards' gradients, in shard order, into update_step's grad inputs.
  void reduce();

  std::vector<FunctionCall> grads_; ///< grad_step, one per shard
  FunctionCall update_;
  /// Per grad input of update_step: its arg index there and the result index in grad_step.
  std::vector<std::pair<size_t, size_t>> gradArgs_;
  std::vector<std::vector<int64_t>> shardRows_;
  WorkerPool pool_;
};

} // namespace aec::rt
