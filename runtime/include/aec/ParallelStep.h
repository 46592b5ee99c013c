#pragma once
/// The training step on data-parallel threads, for a model compiled with grad_step and
/// update_step (aec compile --shards K): the batch is cut into the K shards grad_step was
/// compiled for, thread t computes the gradients of shards t, t + N, ... (each shard with its
/// own buffers and workspace), the K gradients are summed in shard order (so the sum is the
/// same for any thread count), and update_step applies the sum once.
///
/// Under mpirun (aec/Mpi.h) rank r of P computes the shards r, r + P, ... only; its shards'
/// sum, the loss and a stop vote travel in ONE buffer through one MPI_Allreduce per step, and
/// every rank applies the same update.
#include <aec/Model.h>
#include <aec/Mpi.h>
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

/// The shards of `shards` that rank `rank` of `ranks` computes: rank, rank + ranks, ...
std::vector<int64_t> rankShards(int64_t shards, int rank, int ranks);

class ParallelStep {
public:
  /// `threads` in [1, compiledShards(model)] (one thread runs the shards in turn). With a
  /// `world`, this rank's shards only (rankShards), and at most as many threads.
  ParallelStep(const Model &model, int threads, MpiWorld *world = nullptr);
  /// One step on `rows` (at most the model's batch, in order): shard s takes the s-th run of
  /// batch / K rows from `sources[s]` (its noise seed and corruption), which may be none
  /// (a padded shard of weight 0). `hypers` as for train_step. Returns the batch's loss.
  /// `stopVote` (1 when this process was asked to stop) is summed over the ranks with the
  /// gradients: stopVotes() is the same on every rank after the step.
  double run(const std::vector<BatchSource> &sources, const std::vector<int64_t> &rows,
             ModelState &state, const Hypers &hypers, float stopVote = 0);
  float stopVotes() const { return stopVotes_; }
  /// Floats in the per-step MPI_Allreduce (the gradients, the loss and the stop vote).
  int64_t reducedFloats() const { return static_cast<int64_t>(flat_.size()); }
  /// Wall time spent in MPI_Allreduce so far (waiting for slower ranks included) and calls.
  double allreduceSeconds() const { return allreduceSeconds_; }
  int64_t allreduces() const { return allreduces_; }
  /// Undoes the state update of the last run (FunctionCall::undoUpdate).
  void undoUpdate(ModelState &state) { update_.undoUpdate(state); }
  int64_t shards() const { return shards_; }
  /// The shards this process computes.
  const std::vector<int64_t> &localShards() const { return mine_; }
  int threads() const { return pool_.size(); }

private:
  /// Sums this rank's shards' gradients, in shard order, into update_step's grad inputs;
  /// under MPI then over the ranks. Returns the batch's loss.
  double reduce(float stopVote);

  std::vector<FunctionCall> grads_; ///< grad_step, one per shard of mine_
  int64_t shards_ = 1, batch_ = 0;
  FunctionCall update_;
  /// Per grad input of update_step: its arg index there and the result index in grad_step.
  std::vector<std::pair<size_t, size_t>> gradArgs_;
  std::vector<std::vector<int64_t>> shardRows_;
  std::vector<int64_t> mine_; ///< the shards this process computes (all without MPI)
  MpiWorld *world_;
  std::vector<float> flat_; ///< MPI: the gradients, then the loss and the stop vote
  float stopVotes_ = 0;
  double allreduceSeconds_ = 0;
  int64_t allreduces_ = 0;
  WorkerPool pool_;
};

} // namespace aec::rt
