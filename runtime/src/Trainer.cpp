/// The epoch loop: batches, the train_step call, validation, early stopping and LR plateau.
#include <aec/Finite.h>
#include <aec/Random.h>
#include <aec/Trainer.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace aec::rt {

int64_t trainRowCount(int64_t n, double validationSplit) {
  // Keras: split_at = int(n * (1 - validation_split)); the tail validates.
  return static_cast<int64_t>(static_cast<double>(n) * (1.0 - validationSplit));
}

std::vector<std::vector<int64_t>> epochBatches(int64_t trainRows, int64_t batch, bool shuffle, uint64_t seed,
                                               int64_t epoch) {
  std::vector<int64_t> order(trainRows);
  for (int64_t i = 0; i < trainRows; ++i)
    order[i] = i;
  if (shuffle) {
    // A fresh stream per epoch: resuming at epoch k sees exactly the order of an unbroken run.
    Rng rng(seed, Stream::Shuffle, static_cast<uint64_t>(epoch));
    rng.shuffle(order);
  }
  std::vector<std::vector<int64_t>> batches;
  for (int64_t start = 0; start < trainRows; start += batch)
    batches.emplace_back(order.begin() + start, order.begin() + std::min(trainRows, start + batch));
  return batches;
}

namespace {
/// Per-step value of the `seed` hyper: 24 random bits, exact in float32.
float stepSeed(uint64_t seed, int64_t step) {
  return static_cast<float>(Rng(seed, Stream::Step, static_cast<uint64_t>(step)).next() >> 40);
}
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kInfF = std::numeric_limits<float>::infinity();
/// Noise seed of training step `step` (0: validation), from its own stream of train.seed.
uint64_t noiseSeed(uint64_t seed, int64_t step) {
  return deriveSeed(deriveSeed(seed, static_cast<uint64_t>(Stream::Noise)), static_cast<uint64_t>(step));
}
} // namespace

Trainer::Trainer(const Model &model, const RunConfig &config, const Dataset &data, ModelState &state,
                 int threads, MpiWorld *world)
    : model_(model), config_(config), data_(data), state_(state),
      trainRows_(trainRowCount(data, config.validationSplit)), world_(world) {
  // A cuda model runs its (unsplit) train_step on the device; MPI ranks would each need
  // their own device and a device-side reduction, which this runtime does not have.
  if (model.desc.target == "cuda") {
    if (world)
      throw std::runtime_error(fmt::format("model '{}' was compiled for cuda: training under mpirun is for cpu models",
                                           model.desc.name));
    device_ = std::make_unique<DeviceTraining>(model, state);
  } else if (threads > 1 || !model.hasFunction("train_step")) {
    // A split step (aec compile --shards) has no train_step: one thread runs its shards in turn.
    parallel_.emplace(model, threads, world);
  } else {
    step_.emplace(model, "train_step");
  }
  if (trainRows_ <= 0)
    throw std::runtime_error(fmt::format("no training samples: {} samples with validation_split {}", data.rows(),
                                         config.validationSplit));
  if (validationRows() > 0 && !model.hasFunction("eval_step"))
    throw std::runtime_error(fmt::format("model '{}' has no eval_step, needed for validation", model.desc.name));
  // AEC_FINITE_CHECK=0 leaves out the per-step check of params and states (the loss is still
  // checked): only to measure what the check costs, on the same binary.
  const char *check = std::getenv("AEC_FINITE_CHECK");
  checkState_ = !(check && std::string(check) == "0");
  progress.lr = config.lr;
  progress.best = kInf;
  progress.bestLr = kInf;
  if (config_.corrupt.active()) {
    bool hasTarget = false;
    for (const auto &a : model.requireFunction(parallel_ ? "grad_step" : "train_step").args)
      hasTarget = hasTarget || a.role == "target";
    // Without a target input the step would learn to reproduce the corrupted input.
    if (!hasTarget)
      throw std::runtime_error(fmt::format("model '{}': train.corrupt needs a train_step with a target input",
                                           model.desc.name));
    // Salt and pepper take the extremes of the (normalized) training inputs.
    float lo = kInfF, hi = -kInfF;
    for (int64_t i = 0; i < trainRows_ * data.x.rowSize(); ++i) {
      lo = std::min(lo, data.x.data[i]);
      hi = std::max(hi, data.x.data[i]);
    }
    config_.corrupt.low = lo;
    config_.corrupt.high = hi;
  }
}

double Trainer::validate() {
  const int64_t n = data_.rows();
  if (validationRows() <= 0)
    return std::numeric_limits<double>::quiet_NaN();
  Array vx = sliceRows(data_.x, trainRows_, n);
  Array vt = data_.target.empty() ? Array() : sliceRows(data_.target, trainRows_, n);
  BatchSource src{&vx, data_.target.empty() ? nullptr : &vt, nullptr};
  src.noiseSeed = noiseSeed(config_.seed, 0);
  auto out = device_ ? device_->runOverDataset("eval_step", src) : runOverDataset(model_, "eval_step", src, state_);
  const Array *loss = out.count("loss") ? &out.at("loss") : out.empty() ? nullptr : &out.begin()->second;
  if (!loss)
    throw std::runtime_error(fmt::format("model '{}': eval_step has no per-sample loss result", model_.desc.name));
  // Padded rows never reach `out` (runOverDataset keeps the real rows only): every weight is 1.
  double sum = 0;
  for (float v : loss->data)
    sum += v;
  return sum / static_cast<double>(loss->data.size());
}

EpochRecord Trainer::runEpoch(int64_t epoch) { return *runSteps(epoch, {}); }

double Trainer::checkedStep(int64_t epoch, const std::vector<int64_t> &rows, std::vector<BatchSource> &sources,
                            std::vector<Rng> &corruptRngs, Hypers &hypers) {
  ++progress.step;
  // Per-step streams (not one per run): a run resumed at step k draws what an unbroken one does.
  const uint64_t step = static_cast<uint64_t>(progress.step);
  const int64_t shards = static_cast<int64_t>(sources.size());
  for (int64_t s = 0; s < shards; ++s) {
    sources[s].noiseSeed = s == 0 ? noiseSeed(config_.seed, progress.step)
                                  : deriveSeed(noiseSeed(config_.seed, progress.step), s);
    corruptRngs[s] = s == 0 ? Rng(config_.seed, Stream::Corrupt, step)
                            : Rng(deriveSeed(config_.seed, s), Stream::Corrupt, step);
  }
  hypers["lr"] = static_cast<float>(progress.lr);
  hypers["t"] = static_cast<float>(progress.step);
  hypers["seed"] = stepSeed(config_.seed, progress.step);
  double loss;
  const float wish = stopWish && stopWish() ? 1.0f : 0.0f;
  if (parallel_) {
    // The global batch's count of real rows: every shard's loss and gradient divide by it.
    hypers["weight_sum"] = static_cast<float>(rows.size());
    loss = parallel_->run(sources, rows, state_, hypers, wish);
    stopVotes_ = parallel_->stopVotes();
  } else if (device_) {
    loss = device_->step(sources[0], rows, hypers, checkState_);
    stopVotes_ = wish;
  } else {
    step_->run(sources[0], rows, state_, hypers, true);
    loss = step_->result(size_t{0}).data.at(0);
    stopVotes_ = wish;
    if (world_)
      world_->allreduceSum(&stopVotes_, 1); // ranks running the whole step agree on stopping
  }
  // Every step, not every K: the state before this step is the last one known good, and the
  // double-buffered step still holds it, so undoing costs nothing. A NaN hidden from the loss
  // (relu maps NaN to 0) is caught in the params and states themselves, in one pass over them.
  if (std::isfinite(loss) && (!checkState_ || (device_ ? device_->stateFinite() : stateFinite(state_))))
    return loss;
  syncState(); // a cuda model: the failed step's state, to name what went non-finite
  const auto bad = firstNonFinite(model_.desc, state_);
  if (parallel_)
    parallel_->undoUpdate(state_);
  else if (device_)
    device_->undoStep();
  else
    step_->undoUpdate(state_);
  const int64_t failed = progress.step--;
  std::string what = std::isfinite(loss) ? fmt::format("the loss was {:.6g}", loss)
                                         : fmt::format("the loss became {}", std::isnan(loss) ? "NaN" : "infinite");
  if (bad)
    what += fmt::format(", {} {} after the update", bad->isParam ? "parameter" : "optimizer state", bad->describe());
  throw NonFiniteError(fmt::format("training diverged at epoch {}, step {}: {} (try a lower learning rate)", epoch,
                                   failed, what),
                       epoch, failed);
}

std::optional<EpochRecord> Trainer::runSteps(int64_t epoch, const std::function<bool()> &afterStep) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  BatchSource src{&data_.x, data_.target.empty() ? nullptr : &data_.target, nullptr};
  auto batches = epochBatches(trainRows_, model_.desc.batch, config_.shuffle, config_.seed, epoch);
  Hypers hypers;
  // One source per shard of a parallel step (one for train_step), each with its own noise
  // and corruption streams: the draws depend on the seed, the step and the shard only.
  const int64_t shards = parallel_ ? parallel_->shards() : 1;
  std::vector<BatchSource> sources(shards, src);
  std::vector<Rng> corruptRngs(shards, Rng(0));
  if (config_.corrupt.active())
    for (int64_t s = 0; s < shards; ++s)
      sources[s].corruptData = [this, &corruptRngs, s](Array &batch, int64_t real) {
        corruptRows(batch, real, config_.corrupt, corruptRngs[s]);
      };
  // A run resumed from a mid-epoch checkpoint continues with the epoch's next batch.
  const size_t first = static_cast<size_t>(std::max<int64_t>(0, progress.epochStep));
  int64_t rowsRun = 0;
  for (size_t b = first; b < batches.size(); ++b) {
    const double loss = checkedStep(epoch, batches[b], sources, corruptRngs, hypers);
    // The step's loss is the mean over its real rows; weighting by them gives the epoch mean.
    progress.epochLossSum += loss * static_cast<double>(batches[b].size());
    ++progress.epochStep;
    rowsRun += static_cast<int64_t>(batches[b].size());
    if (b + 1 < batches.size() && afterStep && afterStep())
      return std::nullopt;
  }
  const double trainSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  EpochRecord rec;
  rec.epoch = epoch;
  rec.loss = progress.epochLossSum / static_cast<double>(trainRows_);
  progress.epochStep = 0;
  progress.epochLossSum = 0;
  rec.lr = progress.lr;
  rec.valLoss = validate();
  rec.samplesPerSec = trainSeconds > 0 ? static_cast<double>(rowsRun) / trainSeconds : 0;
  rec.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return rec;
}

bool Trainer::afterEpoch(const EpochRecord &rec) {
  auto monitored = [&](const std::string &monitor) {
    return monitoredMetric(monitor, !std::isnan(rec.valLoss)) == "val_loss" ? rec.valLoss : rec.loss;
  };
  bool stop = false;
  const auto &es = config_.earlyStopping;
  if (es.patience >= 0) {
    const double v = monitored(es.monitor);
    if (v < progress.best - es.minDelta) {
      progress.best = v;
      progress.bestEpoch = rec.epoch;
      progress.waitStop = 0;
      if (es.restoreBest) {
        syncState();
        progress.bestState = state_;
      }
    } else if (++progress.waitStop >= std::max(es.patience, 1)) {
      stop = true;
    }
  }
  const auto &pl = config_.plateau;
  if (pl.patience >= 0) {
    // Keras ReduceLROnPlateau (mode min, absolute min_delta, no cooldown).
    const double v = monitored(pl.monitor);
    if (v < progress.bestLr - pl.minDelta) {
      progress.bestLr = v;
      progress.waitLr = 0;
    } else if (++progress.waitLr >= std::max(pl.patience, 1)) {
      if (progress.lr > pl.minLr)
        progress.lr = std::max(progress.lr * pl.factor, pl.minLr);
      progress.waitLr = 0;
    }
  }
  return stop;
}

bool Trainer::stoppedBefore() const {
  // The stopping epoch leaves waitStop at the patience; any other epoch end leaves it below.
  const int patience = config_.earlyStopping.patience;
  return patience >= 0 && progress.epochStep == 0 && progress.waitStop >= std::max(patience, 1);
}

std::vector<EpochRecord> Trainer::run(const std::function<void(const EpochRecord &)> &onEpoch,
                                      const std::function<bool()> &afterStep) {
  // Whatever ends the run (its end, an interrupt, a non-finite step, an error), the caller
  // reads the host state next: a cuda model's is brought up to date here.
  std::vector<EpochRecord> records;
  try {
    records = runEpochs(onEpoch, afterStep);
  } catch (...) {
    try {
      syncState();
    } catch (...) { // the error on its way out is the one to report
    }
    throw;
  }
  syncState();
  return records;
}

std::vector<EpochRecord> Trainer::runEpochs(const std::function<void(const EpochRecord &)> &onEpoch,
                                            const std::function<bool()> &afterStep) {
  std::vector<EpochRecord> records;
  interrupted = false;
  if (stoppedBefore())
    return records;
  for (int64_t e = progress.epoch + 1; e <= config_.epochs; ++e) {
    std::optional<EpochRecord> done = runSteps(e, afterStep);
    if (!done) {
      interrupted = true;
      break;
    }
    EpochRecord &rec = *done;
    progress.epoch = e;
    const bool stop = afterEpoch(rec);
    rec.stopped = stop;
    if ((stop || e == config_.epochs) && progress.bestState) {
      state_ = *progress.bestState; // restore_best before the final save/checkpoint
      if (device_)
        device_->hostChanged();
      rec.restoredBest = true;
    }
    records.push_back(rec);
    if (onEpoch)
      onEpoch(rec);
    if (stop)
      break;
    if (e < config_.epochs && afterStep && afterStep()) {
      interrupted = true;
      break;
    }
  }
  return records;
}

} // namespace aec::rt
