/// The `train` command around the Trainer: data, normalization, weights, progress, log, save.
#include "EpochEvents.h"

#include <aec/AtomicFile.h>
#include <aec/Finite.h>
#include <aec/Interrupt.h>
#include <aec/Plot.h>
#include <aec/Trainer.h>

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <ostream>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace aec::rt {

std::string formatProgress(const EpochRecord &rec, int64_t epochs) {
  std::string s = fmt::format("epoch {}/{}  loss {:.5g}", rec.epoch, epochs, rec.loss);
  if (!std::isnan(rec.valLoss))
    s += fmt::format("  val_loss {:.5g}", rec.valLoss);
  s += fmt::format("  lr {:.1e}  {:.0f} samples/s", rec.lr, rec.samplesPerSec);
  return s;
}

namespace {

std::string logHeader() { return "epoch,loss,val_loss,lr,samples_per_s,seconds\n"; }

std::string logLine(const EpochRecord &r) {
  // Shortest round-trip forms: the log can be compared across runs digit for digit.
  return fmt::format("{},{},{},{},{:.1f},{:.6g}\n", r.epoch, r.loss,
                     std::isnan(r.valLoss) ? std::string() : fmt::format("{}", r.valLoss), r.lr, r.samplesPerSec,
                     r.seconds);
}

/// Lines of an earlier log for epochs <= `upTo` (resuming keeps the history in one file).
std::string previousLog(const std::string &path, int64_t upTo) {
  if (path.empty() || upTo <= 0 || !std::filesystem::exists(path))
    return "";
  std::istringstream in(readFile(path));
  std::string line, kept;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    long long epoch = std::atoll(line.c_str());
    if (epoch >= 1 && epoch <= upTo)
      kept += line + "\n";
  }
  return kept;
}

} // namespace

std::string shellQuote(const std::string &arg) {
  bool plain = !arg.empty();
  for (char c : arg)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:,+@%", c));
  if (plain)
    return arg;
  std::string out = "'";
  for (char c : arg)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {
/// Rank 0's params and states to every rank, in one buffer: the ranks start equal whatever
/// each read (--init, --resume) or drew.
void broadcastState(MpiWorld &world, ModelState &state) {
  std::vector<float> flat;
  for (const auto *arrays : {&state.params, &state.states})
    for (const Array &a : *arrays)
      flat.insert(flat.end(), a.data.begin(), a.data.end());
  world.broadcast(flat.data(), static_cast<int64_t>(flat.size() * sizeof(float)));
  size_t at = 0;
  for (auto *arrays : {&state.params, &state.states})
    for (Array &a : *arrays) {
      std::copy(flat.begin() + static_cast<std::ptrdiff_t>(at),
                flat.begin() + static_cast<std::ptrdiff_t>(at + a.data.size()), a.data.begin());
      at += a.data.size();
    }
}

/// Rank 0's stdout under mpirun. After a Ctrl-C (SIGINT to mpirun), OpenMPI 4.1's mpirun
/// stops draining the ranks' stdout, sends them SIGCONT, SIGTERM 1 s later and SIGKILL 1 s
/// after that (odls_base_sigkill_timeout). A blocking write of a progress line then holds
/// rank 0 in write(1) until it is killed, and the checkpoint of the interrupt is lost (strace
/// showed it). So lines go out without blocking: while stdout is full a line waits in 20 ms
/// polls, as a blocking write would, until this rank has been signalled; from then on stdout
/// is given up for the rest of the run. The stop itself is reported on stderr, which mpirun
/// still drains.
class RankStdout {
public:
  /// Writes `text` to stdout, or drops it once `stopping()` holds while stdout is full.
  void write(const std::string &text, const std::function<bool()> &stopping) {
    if (lost_)
      return;
    std::cout.flush(); // what went through std::cout before comes first
    const int flags = ::fcntl(STDOUT_FILENO, F_GETFL);
    if (flags >= 0)
      ::fcntl(STDOUT_FILENO, F_SETFL, flags | O_NONBLOCK);
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        lost_ = true; // closed or broken: nothing more to say there
        break;
      }
      if (stopping()) {
        lost_ = true;
        break;
      }
      pollfd p{STDOUT_FILENO, POLLOUT, 0};
      (void)::poll(&p, 1, 20); // a signal (EINTR) or room: try again
    }
    if (flags >= 0)
      ::fcntl(STDOUT_FILENO, F_SETFL, flags);
  }

private:
  bool lost_ = false;
};

/// ", 2 MPI ranks (...)" for the banner: how the ranks share the step.
std::string describeRanks(const MpiWorld &world, const Trainer &trainer) {
  const ParallelStep *p = trainer.parallelStep();
  if (!p) // the thread note before says why
    return fmt::format(", {} MPI ranks (the step is not split: every rank runs the whole batch)", world.size());
  const int64_t stats = p->statFloats();
  std::string s = fmt::format(", {} MPI ranks (rank r computes shards r, r+{}, ... of {}; one MPI_Allreduce of "
                              "{} floats per step: {} params, {}the loss, a stop vote",
                              world.size(), world.size(), p->shards(), p->reducedFloats(),
                              p->reducedFloats() - 2 - stats,
                              stats ? fmt::format("{} moving statistics, ", stats) : "");
  if (p->shards() < world.size())
    s += fmt::format("; ranks {}..{} have no shard: compile with --shards {}", p->shards(), world.size() - 1,
                     world.size());
  return s + ")";
}
} // namespace

void writeLog(const std::string &path, const std::vector<EpochRecord> &records) {
  std::string text = logHeader();
  for (const auto &r : records)
    text += logLine(r);
  writeFileAtomically(path, text);
}

std::vector<EpochRecord> trainModel(const Model &model, RunConfig config, const TrainOptions &opts) {
  const ModelDescriptor &desc = model.desc;
  MpiWorld *world = opts.world;
  const InterruptGuard *interruptGuard = nullptr; // set when the training loop starts
  RankStdout rankStdout;
  auto say = [&](const std::string &line) {
    if (world && opts.out == &std::cout)
      rankStdout.write(line + "\n", [&] { return interruptGuard && interruptGuard->signal() != 0; });
    else if (opts.out)
      *opts.out << line << std::endl; // flushed: progress must show while piping to tee
  };
  const std::string save = opts.savePath.empty() ? desc.name + ".weights.npz" : opts.savePath;
  // Under mpirun rank 0 alone writes weights, checkpoints, logs and plots.
  const bool lead = !world || world->rank() == 0;
  // A run killed while writing (kill -9, power loss) leaves its temporary beside the output.
  for (const std::string &out : {save, opts.checkpointPath, opts.logPath})
    if (!out.empty() && lead)
      for (const std::string &stale : removeStaleTemporaries(out))
        say(fmt::format("removed '{}' (left by an interrupted write)", stale));
  if (opts.validationDataPath) { // replaces the model's validation_data or validation_split
    config.validation.path = *opts.validationDataPath;
    config.validationSplit = 0;
  }
  Dataset data = loadTrainingData(config, opts.dataPath);
  if (!config.validation.path.empty())
    appendValidationData(data, config);
  Normalizer norm(config.normalize, config.transform);
  ModelState state = initModelState(desc, config.seed);
  TrainProgress resumed;
  const int64_t trainRows = trainRowCount(data, config.validationSplit);
  const int64_t stepsPerEpoch = (trainRows + desc.batch - 1) / std::max<int64_t>(desc.batch, 1);
  if (opts.resumePath) {
    resumed = loadCheckpoint(*opts.resumePath, desc, state, norm);
    requireFiniteState(desc, state, "checkpoint", *opts.resumePath);
    if (resumed.bestState)
      requireFiniteState(desc, *resumed.bestState, "the restore_best copy in checkpoint", *opts.resumePath);
    say(fmt::format("resuming from '{}' after epoch {}{}", *opts.resumePath, resumed.epoch,
                    resumed.epochStep > 0 ? fmt::format(" and step {} of {} of epoch {}", resumed.epochStep,
                                                        stepsPerEpoch, resumed.epoch + 1)
                                          : ""));
  } else {
    if (opts.initPath) {
      loadParams(desc, state, *opts.initPath);
      requireFiniteState(desc, state, "weights file", *opts.initPath);
    }
    norm.fit(data.x, trainRows);
  }
  if (world)
    broadcastState(*world, state);
  const std::string rescaled = norm.rescaleWarning(data.x, data.source);
  if (!rescaled.empty() && opts.out)
    std::cerr << "warning: " << rescaled << std::endl;
  norm.apply(data.x);
  if (!data.target.empty())
    norm.apply(data.target);

  std::string threadNote;
  int threads = chooseThreads(model, opts.threads, &threadNote);
  if (world && compiledShards(model) > 1) {
    // This rank's shards only: more threads would wait.
    const int64_t local = static_cast<int64_t>(rankShards(compiledShards(model), world->rank(), world->size()).size());
    if (threads > std::max<int64_t>(1, local)) {
      threads = static_cast<int>(std::max<int64_t>(1, local));
      threadNote = fmt::format("this rank computes {} of the {} shards", local, compiledShards(model));
    }
  }
  if (desc.target == "cuda") {
    threads = 1;
    threadNote = "the step runs on the CUDA device";
  }
  Trainer trainer(model, config, data, state, threads, world);
  const auto &es = config.earlyStopping;
  if (opts.resumePath) {
    trainer.progress = resumed;
    if (es.patience >= 0 && es.restoreBest && std::isfinite(resumed.best) && !resumed.bestState &&
        !trainer.stoppedBefore()) {
      // An older trainer's checkpoint: it kept the best value but not the weights to restore.
      // Restoring none, or the last ones, would silently break restore_best's promise.
      say(fmt::format("warning: checkpoint '{}' holds no weights for restore_best (an older trainer wrote it): "
                      "early stopping starts afresh from epoch {}, forgetting the best {} so far ({:.5g})",
                      *opts.resumePath, resumed.epoch + 1, monitoredMetric(es.monitor, trainer.validationRows() > 0), resumed.best));
      trainer.progress.best = std::numeric_limits<double>::infinity();
      trainer.progress.bestEpoch = 0;
      trainer.progress.waitStop = 0;
    }
    if (opts.lrGiven)
      trainer.progress.lr = config.lr; // e.g. continuing a diverged run with a lower rate
  }
  say(fmt::format("training '{}' on {}: {} samples ({} for validation{}), batch {}, {} {}{}, {} epochs",
                  desc.name, data.source, data.rows(), trainer.validationRows(),
                  data.validationRows > 0 ? " from " + config.validation.path : "", desc.batch, threads,
                  threads == 1 ? "thread" : "threads",
                  (threadNote.empty() ? "" : " (" + threadNote + ")") +
                      (world ? describeRanks(*world, trainer) : ""),
                  config.epochs));
  if (const DeviceTraining *device = trainer.device())
    say(fmt::format("device: CUDA {} ({})", CudaDevice::current()->info().describe(),
                    CudaGraphCache::enabledByEnvironment() ? "each step replayed as one CUDA graph"
                                                           : "CUDA graphs off: AEC_CUDA_GRAPHS=0"));
  say(fmt::format("normalize: {}, applied to every sample{}", norm.describe(opts.resumePath ? 0 : trainRows),
                  data.target.empty() ? "" : " and target"));

  if (trainer.stoppedBefore())
    say(fmt::format("early stopping had ended this run after epoch {}: nothing left to train", resumed.epoch));
  const std::string earlier = opts.resumePath ? previousLog(opts.logPath, resumed.epoch) : "";
  std::vector<EpochRecord> history;
  using Clock = std::chrono::steady_clock;
  auto lastCheckpoint = Clock::now();
  auto checkpoint = [&] {
    if (opts.checkpointPath.empty() || !lead)
      return;
    trainer.syncState(); // a cuda model's state is on the device
    saveCheckpoint(opts.checkpointPath, desc, state, norm, trainer.progress);
    lastCheckpoint = Clock::now();
  };
  const CheckpointInterval every = opts.checkpointEvery;
  EpochEvents events(config);
  auto onEpoch = [&](const EpochRecord &rec) {
    history.push_back(rec);
    say(formatProgress(rec, config.epochs));
    for (const std::string &line : events.after(rec, trainer.progress))
      say(line);
    if (!opts.logPath.empty() && lead) {
      std::string text = logHeader() + earlier;
      for (const auto &r : history)
        text += logLine(r);
      writeFileAtomically(opts.logPath, text);
    }
    if (every.epochs > 0 && rec.epoch % every.epochs == 0)
      checkpoint();
  };
  // After every step: a signal stops the run here (the step is complete, the state consistent);
  // a timed checkpoint may fall inside an epoch (it records the step, so --resume continues
  // with the next batch). A clock read per step costs nanoseconds.
  InterruptGuard interrupts;
  interruptGuard = &interrupts;
  // Under MPI a signal is a vote carried by the next step's reduction: every rank stops
  // after the same step, whichever ranks the signal reached.
  trainer.stopWish = [&] { return interrupts.signal() != 0; };
  auto afterStep = [&] {
    if (world ? trainer.stopAgreed() : interrupts.signal() != 0)
      return true;
    if (every.epochs == 0 && Clock::now() - lastCheckpoint >= std::chrono::duration<double>(every.seconds))
      checkpoint();
    return false;
  };
  try {
    trainer.run(onEpoch, afterStep);
  } catch (const NonFiniteError &e) {
    // The failed step was undone: the state is the last checked one, finite, and a consistent
    // resume point (its progress says which step comes next).
    if (lead)
      saveWeights(save, desc, state, norm);
    checkpoint();
    throw CollectiveError(fmt::format("{}; saved the weights from before that step to {}{}", e.what(), save,
                                         opts.checkpointPath.empty() ? ""
                                                                     : fmt::format(" and a checkpoint to {} (--resume it with a lower --lr)",
                                                                                   opts.checkpointPath)));
  }
  if (trainer.interrupted) {
    checkpoint();
    if (opts.saveGiven && lead)
      saveWeights(save, desc, state, norm);
    // A rank the signal did not reach stops on the others' vote.
    const int signal = interrupts.signal() != 0 ? interrupts.signal() : SIGTERM;
    const TrainProgress &p = trainer.progress;
    std::string where = p.epochStep > 0 ? fmt::format("in epoch {} after step {} of {}", p.epoch + 1, p.epochStep,
                                                      stepsPerEpoch)
                                        : fmt::format("after epoch {}", p.epoch);
    std::string msg = fmt::format("interrupted by {} {}: ", signalName(signal), where);
    if (opts.checkpointPath.empty()) {
      msg += "no checkpoint path, nothing saved";
    } else {
      msg += fmt::format("checkpoint written to {}", opts.checkpointPath);
      if (opts.saveGiven)
        msg += fmt::format(", weights to {}", save);
      msg += fmt::format("\nto continue: {} --resume {}", opts.resumeCommand.empty() ? "train" : opts.resumeCommand,
                         shellQuote(opts.checkpointPath));
    }
    throw TrainingInterrupted(msg, signal);
  }
  checkpoint();
  if (!lead)
    return history;
  if (!opts.logPath.empty() && history.empty())
    writeFileAtomically(opts.logPath, logHeader() + earlier);

  saveWeights(save, desc, state, norm);
  say(fmt::format("saved weights to {}", save));
  if (const ParallelStep *p = trainer.parallelStep(); world && p && p->allreduces() > 0)
    say(fmt::format("mpi: {} steps, one MPI_Allreduce of {} bytes each: {:.1f} us per step on rank 0 (waiting "
                    "for the slowest rank included)",
                    p->allreduces(), p->reducedFloats() * 4, 1e6 * p->allreduceSeconds() / p->allreduces()));
  if (!opts.checkpointPath.empty())
    say(fmt::format("checkpoint for --resume: {}", opts.checkpointPath));
  if (!opts.plotDir.empty()) {
    PlotOptions po;
    po.dir = opts.plotDir;
    po.colorBy = opts.plotColorBy;
    // The log holds the epochs of earlier (resumed) runs too.
    const auto curves = opts.logPath.empty() ? history : readLog(opts.logPath);
    for (const auto &file : writePlots(model, config, state, norm, data, curves, po))
      say(fmt::format("wrote {}", file));
  }
  return history;
}

} // namespace aec::rt
