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
///
/// Batch statistics (a step split by an explicit --shards K despite batchnorm): each shard
/// normalises by its own statistics, as a rank of PyTorch's DDP does, and returns its own
/// new moving statistics, moving_s = momentum * moving + (1 - momentum) * statistic_s. The
/// new moving statistic is their mean weighted by each shard's real rows n_s (a shard of
/// padding only counts 0): sum_s n_s moving_s / sum_s n_s, i.e. the moving average updated
/// with the row-weighted mean of the shards' statistics. For the variance that is the mean
/// of the shards' (biased) variances, without the spread of the shards' means: not the
/// variance of the whole batch. Under MPI the ranks' row-weighted sums travel in the same
/// buffer as the gradients.
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
  /// Floats in the per-step MPI_Allreduce (the gradients, the moving statistics, the loss
  /// and the stop vote).
  int64_t reducedFloats() const { return static_cast<int64_t>(flat_.size()); }
  /// Floats of moving statistics the shards compute (batchnorm in a split step), 0 without.
  int64_t statFloats() const {
    int64_t n = 0;
    for (const Array &a : statValues_)
      n += static_cast<int64_t>(a.data.size());
    return n;
  }
  /// Wall time spent in MPI_Allreduce so far (waiting for slower ranks included) and calls.
  double allreduceSeconds() const { return allreduceSeconds_; }
  int64_t allreduces() const { return allreduces_; }
  /// Undoes the state update of the last run (FunctionCall::undoUpdate), moving statistics
  /// included.
  void undoUpdate(ModelState &state) {
    update_.undoUpdate(state);
    swapStats(state);
  }
  int64_t shards() const { return shards_; }
  /// The shards this process computes.
  const std::vector<int64_t> &localShards() const { return mine_; }
  int threads() const { return pool_.size(); }

private:
  /// Sums this rank's shards' gradients, in shard order, into update_step's grad inputs,
  /// and averages the moving statistics into statValues_; under MPI then over the ranks.
  /// `realRows`: the batch's. Returns the batch's loss.
  double reduce(float stopVote, int64_t realRows);
  /// This rank's shards' moving statistics, weighted by their real rows, into statValues_;
  /// without MPI divided by the batch's `realRows` (under MPI after the allreduce).
  void averageStats(int64_t realRows);
  /// Swaps statValues_ with the params they update (double-buffered, as FunctionCall).
  void swapStats(ModelState &state);

  std::vector<FunctionCall> grads_; ///< grad_step, one per shard of mine_
  int64_t shards_ = 1, batch_ = 0;
  FunctionCall update_;
  /// Per grad input of update_step: its arg index there and the result index in grad_step.
  std::vector<std::pair<size_t, size_t>> gradArgs_;
  /// Per moving statistic: its result index in grad_step and its param index in the state.
  std::vector<std::pair<size_t, size_t>> stats_;
  std::vector<Array> statValues_; ///< per stats_ entry: the new value, then the old (swapped)
  std::vector<std::vector<int64_t>> shardRows_;
  std::vector<int64_t> mine_; ///< the shards this process computes (all without MPI)
  std::vector<size_t> computed_; ///< this step's indices into mine_ with real rows
  MpiWorld *world_;
  std::vector<float> flat_; ///< MPI: the gradients, then the loss and the stop vote
  float stopVotes_ = 0;
  double allreduceSeconds_ = 0;
  int64_t allreduces_ = 0;
  WorkerPool pool_;
};

} // namespace aec::rt
