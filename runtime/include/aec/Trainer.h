#pragma once
/// The training loop: shuffling, static batches with a weighted partial last batch,
/// validation split, progress lines, log CSV, early stopping and LR plateau, checkpoints.
#include <aec/CliValues.h>
#include <aec/Config.h>
#include <aec/CudaModel.h>
#include <aec/Generators.h>
#include <aec/Model.h>
#include <aec/Normalization.h>
#include <aec/ParallelStep.h>
#include <aec/Random.h>
#include <aec/Weights.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aec::rt {

/// One line of the log CSV (`epoch,loss,val_loss,lr,samples_per_s,seconds`).
struct EpochRecord {
  int64_t epoch = 0;    ///< 1-based
  double loss = 0;      ///< mean over the epoch's real samples
  double valLoss = 0;   ///< NaN without validation
  double lr = 0;        ///< lr used during this epoch
  double samplesPerSec = 0;
  double seconds = 0;   ///< wall time of the epoch (training + validation)
  bool stopped = false;      ///< early stopping ended the run after this epoch
  bool restoredBest = false; ///< restore_best put back the weights of progress.bestEpoch
};

/// What early stopping or the plateau rule watches: "val_loss", or "loss" when the run has
/// no validation part. Trainer::afterEpoch compares that metric; the lines about it name it.
inline std::string monitoredMetric(const std::string &monitor, bool hasValidation) {
  return monitor == "val_loss" && hasValidation ? "val_loss" : "loss";
}

/// Command-line choices layered over the RunConfig.
struct TrainOptions {
  std::optional<std::string> dataPath;   ///< --data
  std::optional<std::string> validationDataPath; ///< --validation-data (replaces validation_split)
  std::optional<std::string> initPath;   ///< --init
  std::optional<std::string> resumePath; ///< --resume
  std::string savePath;                  ///< --save (empty: "<model>.weights.npz")
  std::string logPath;                   ///< --log (empty: no log)
  std::string checkpointPath;            ///< empty: no checkpoint
  CheckpointInterval checkpointEvery;    ///< --checkpoint-every (default 30 s)
  bool saveGiven = false;                ///< --save given: an interrupted run writes weights too
  bool lrGiven = false;                  ///< --lr given: it overrides a resumed checkpoint's lr
  std::string resumeCommand;             ///< the command line to continue (without --resume)
  std::string plotDir;                   ///< --plot: pictures after training (empty: none)
  std::string plotColorBy;               ///< --color-by for the latent picture
  int threads = 0;                       ///< --threads (0: one per core, as chooseThreads)
  std::ostream *out = nullptr;           ///< progress lines (nullptr: silent)
  /// Under mpirun: this process's world. Rank 0 alone writes files and progress.
  MpiWorld *world = nullptr;
};

/// A step made a param, an optimizer state or the loss NaN or infinite. The step has been
/// undone: the state and `progress` are those after the previous (checked) step.
struct NonFiniteError : std::runtime_error {
  NonFiniteError(const std::string &what, int64_t epoch, int64_t step)
      : std::runtime_error(what), epoch(epoch), step(step) {}
  int64_t epoch, step; ///< where it happened (the undone step)
};

/// Splits rows [0, n) Keras-style: the first int(n * (1 - split)) rows train, the rest validate.
int64_t trainRowCount(int64_t n, double validationSplit);
/// The rows of `data` that train: all but its separate validation set (validation_data),
/// else trainRowCount(rows, validationSplit).
inline int64_t trainRowCount(const Dataset &data, double validationSplit) {
  return data.validationRows > 0 ? data.rows() - data.validationRows : trainRowCount(data.rows(), validationSplit);
}

/// Batches of one epoch: training row indices (shuffled from (seed, epoch) when `shuffle`) cut
/// into runs of at most `batch`; the last one may be short (it is padded when run).
std::vector<std::vector<int64_t>> epochBatches(int64_t trainRows, int64_t batch, bool shuffle,
                                               uint64_t seed, int64_t epoch);

/// A training run over already-normalized data. Kept separate from file handling so tests
/// drive it with a fake model and in-memory data.
class Trainer {
public:
  /// `threads` > 1 (a chooseThreads result), or a model whose step is split (no
  /// train_step), runs each step as a ParallelStep, else the fused train_step on the
  /// calling thread.
  ///
  /// With a `world` (mpirun), a split step runs as a ParallelStep on this rank's shards;
  /// a model with train_step only (a step compiled unsplit) runs it whole on every rank, so
  /// the ranks stay equal with no gradient to exchange.
  Trainer(const Model &model, const RunConfig &config, const Dataset &data, ModelState &state,
          int threads = 1, MpiWorld *world = nullptr);
  /// Trains one epoch (1-based number) and validates; advances `progress`. Throws
  /// NonFiniteError (after undoing the step) when a step's loss, params or states are not finite.
  EpochRecord runEpoch(int64_t epoch);
  /// Mean per-sample loss of eval_step over the validation rows (NaN when there are none).
  double validate();
  /// Runs epochs progress.epoch+1 .. config.epochs with callbacks; `onEpoch` is called after
  /// each (log, checkpoint). A resumed run starts inside its epoch at progress.epochStep.
  /// `afterStep` is called after every step (at an epoch's end after onEpoch, never after the
  /// last epoch); when it returns true the run stops there, with `interrupted` set and
  /// `progress` a consistent resume point (possibly mid-epoch). Returns the records of the
  /// epochs completed: none when `progress` is of a run early stopping had ended.
  std::vector<EpochRecord> run(const std::function<void(const EpochRecord &)> &onEpoch = {},
                               const std::function<bool()> &afterStep = {});

  /// True when `progress` is of a run early stopping had ended (a checkpoint written then).
  bool stoppedBefore() const;

  TrainProgress progress;
  bool interrupted = false; ///< run() stopped because afterStep asked to
  /// This process's wish to stop (a signal), read once per step. Under MPI the wishes are
  /// summed over the ranks with the step's gradients: stopAgreed() is then the same on every
  /// rank, so all stop after the same step.
  std::function<bool()> stopWish;
  /// After a step: some rank wished to stop (without MPI: this process).
  bool stopAgreed() const { return stopVotes_ > 0; }
  /// The ParallelStep, or nullptr when train_step runs whole.
  const ParallelStep *parallelStep() const { return parallel_ ? &*parallel_ : nullptr; }
  int64_t trainRows() const { return trainRows_; }
  int64_t validationRows() const { return data_.rows() - trainRows_; }
  int threads() const { return parallel_ ? parallel_->threads() : 1; }
  /// A cuda model trains on the device: its state lives there, and the ModelState given to
  /// the constructor is brought up to date by syncState() (run() does so before it returns
  /// or throws; anything that reads the state during a run, a checkpoint, calls it).
  void syncState() {
    if (device_)
      device_->syncHost();
  }
  /// The device side of a cuda model, or nullptr.
  const DeviceTraining *device() const { return device_.get(); }

private:
  /// The steps of `epoch` from progress.epochStep on, then validation; nullopt when
  /// `afterStep` stopped the run inside the epoch.
  std::optional<EpochRecord> runSteps(int64_t epoch, const std::function<bool()> &afterStep);
  /// Runs one step on `rows`; undoes it and throws NonFiniteError when the loss or the
  /// updated params/states are not finite. Returns the step's loss.
  double checkedStep(int64_t epoch, const std::vector<int64_t> &rows, std::vector<BatchSource> &sources,
                     std::vector<Rng> &corruptRngs, Hypers &hypers);
  /// run() without the final syncState().
  std::vector<EpochRecord> runEpochs(const std::function<void(const EpochRecord &)> &onEpoch,
                                     const std::function<bool()> &afterStep);
  /// Applies early stopping / plateau rules after an epoch; true to stop.
  bool afterEpoch(const EpochRecord &rec);
  const Model &model_;
  RunConfig config_;
  const Dataset &data_;
  ModelState &state_;
  int64_t trainRows_;
  std::optional<FunctionCall> step_;      ///< train_step (one thread)
  std::optional<ParallelStep> parallel_;  ///< grad_step + update_step (threads)
  std::unique_ptr<DeviceTraining> device_; ///< a cuda model: train_step on the device
  bool checkState_ = true; ///< check params and states after every step
  MpiWorld *world_ = nullptr;
  float stopVotes_ = 0;
};

/// The whole `train` command: load data, normalize (fit on the training part), init or load
/// weights, train, write log/weights. Returns the history. Checkpoints follow
/// opts.checkpointEvery; stale temporaries of the outputs are removed first. On SIGINT/SIGTERM
/// it finishes the step, writes the checkpoint (and the weights when opts.saveGiven) and
/// throws TrainingInterrupted; on a non-finite step it saves the weights and checkpoint of
/// the step before and throws std::runtime_error saying where.
std::vector<EpochRecord> trainModel(const Model &model, RunConfig config, const TrainOptions &opts);

/// "epoch 3/200  loss 0.01234  val_loss 0.01301  lr 1.0e-03  12345 samples/s"
std::string formatProgress(const EpochRecord &rec, int64_t epochs);
/// `arg` as one shell word: unchanged when plain, else in single quotes.
std::string shellQuote(const std::string &arg);
/// Writes the log CSV atomically.
void writeLog(const std::string &path, const std::vector<EpochRecord> &records);

} // namespace aec::rt
