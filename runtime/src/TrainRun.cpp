/// The `train` command around the Trainer: data, normalization, weights, progress, log, save.
#include "EpochEvents.h"

#include <aec/AtomicFile.h>
#include <aec/Finite.h>
#include <aec/Interrupt.h>
#include <aec/Plot.h>
#include <aec/Trainer.h>

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <ostream>
#include <sstream>

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

void writeLog(const std::string &path, const std::vector<EpochRecord> &records) {
  std::string text = logHeader();
  for (const auto &r : records)
    text += logLine(r);
  writeFileAtomically(path, text);
}

std::vector<EpochRecord> trainModel(const Model &model, RunConfig config, const TrainOptions &opts) {
  const ModelDescriptor &desc = model.desc;
  auto say = [&](const std::string &line) {
    if (opts.out)
      *opts.out << line << std::endl; // flushed: progress must show while piping to tee
  };
  const std::string save = opts.savePath.empty() ? desc.name + ".weights.npz" : opts.savePath;
  // A run killed while writing (kill -9, power loss) leaves its temporary beside the output.
  for (const std::string &out : {save, opts.checkpointPath, opts.logPath})
    if (!out.empty())
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
  const std::string rescaled = norm.rescaleWarning(data.x, data.source);
  if (!rescaled.empty() && opts.out)
    std::cerr << "warning: " << rescaled << std::endl;
  norm.apply(data.x);
  if (!data.target.empty())
    norm.apply(data.target);

  std::string threadNote;
  const int threads = chooseThreads(model, opts.threads, &threadNote);
  Trainer trainer(model, config, data, state, threads);
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
                  threads == 1 ? "thread" : "threads", threadNote.empty() ? "" : " (" + threadNote + ")",
                  config.epochs));
  say(fmt::format("normalize: {}, applied to every sample{}", norm.describe(opts.resumePath ? 0 : trainRows),
                  data.target.empty() ? "" : " and target"));

  if (trainer.stoppedBefore())
    say(fmt::format("early stopping had ended this run after epoch {}: nothing left to train", resumed.epoch));
  const std::string earlier = opts.resumePath ? previousLog(opts.logPath, resumed.epoch) : "";
  std::vector<EpochRecord> history;
  using Clock = std::chrono::steady_clock;
  auto lastCheckpoint = Clock::now();
  auto checkpoint = [&] {
    if (opts.checkpointPath.empty())
      return;
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
    if (!opts.logPath.empty()) {
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
  auto afterStep = [&] {
    if (interrupts.signal() != 0)
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
    saveWeights(save, desc, state, norm);
    checkpoint();
    throw std::runtime_error(fmt::format("{}; saved the weights from before that step to {}{}", e.what(), save,
                                         opts.checkpointPath.empty() ? ""
                                                                     : fmt::format(" and a checkpoint to {} (--resume it with a lower --lr)",
                                                                                   opts.checkpointPath)));
  }
  if (trainer.interrupted) {
    checkpoint();
    if (opts.saveGiven)
      saveWeights(save, desc, state, norm);
    const TrainProgress &p = trainer.progress;
    std::string where = p.epochStep > 0 ? fmt::format("in epoch {} after step {} of {}", p.epoch + 1, p.epochStep,
                                                      stepsPerEpoch)
                                        : fmt::format("after epoch {}", p.epoch);
    std::string msg = fmt::format("interrupted by {} {}: ", signalName(interrupts.signal()), where);
    if (opts.checkpointPath.empty()) {
      msg += "no checkpoint path, nothing saved";
    } else {
      msg += fmt::format("checkpoint written to {}", opts.checkpointPath);
      if (opts.saveGiven)
        msg += fmt::format(", weights to {}", save);
      msg += fmt::format("\nto continue: {} --resume {}", opts.resumeCommand.empty() ? "train" : opts.resumeCommand,
                         shellQuote(opts.checkpointPath));
    }
    throw TrainingInterrupted(msg, interrupts.signal());
  }
  checkpoint();
  if (!opts.logPath.empty() && history.empty())
    writeFileAtomically(opts.logPath, logHeader() + earlier);

  saveWeights(save, desc, state, norm);
  say(fmt::format("saved weights to {}", save));
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
