/// The `train` command around the Trainer: data, normalization, weights, progress, log, save.
#include <aec/AtomicFile.h>
#include <aec/Plot.h>
#include <aec/Trainer.h>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
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
  Dataset data = loadTrainingData(config, opts.dataPath);
  Normalizer norm(config.normalize, config.transform);
  ModelState state = initModelState(desc, config.seed);
  TrainProgress resumed;
  const int64_t trainRows = trainRowCount(data.rows(), config.validationSplit);
  if (opts.resumePath) {
    resumed = loadCheckpoint(*opts.resumePath, desc, state, norm);
    say(fmt::format("resuming from '{}' after epoch {}", *opts.resumePath, resumed.epoch));
  } else {
    if (opts.initPath)
      loadParams(desc, state, *opts.initPath);
    norm.fit(data.x, trainRows);
  }
  norm.apply(data.x);
  if (!data.target.empty())
    norm.apply(data.target);

  std::string threadNote;
  const int threads = chooseThreads(model, opts.threads, &threadNote);
  Trainer trainer(model, config, data, state, threads);
  if (opts.resumePath)
    trainer.progress = resumed;
  say(fmt::format("training '{}' on {}: {} samples ({} for validation), batch {}, {} {}{}, {} epochs",
                  desc.name, data.source, data.rows(), trainer.validationRows(), desc.batch, threads,
                  threads == 1 ? "thread" : "threads", threadNote.empty() ? "" : " (" + threadNote + ")",
                  config.epochs));

  const std::string earlier = opts.resumePath ? previousLog(opts.logPath, resumed.epoch) : "";
  std::vector<EpochRecord> history;
  using Clock = std::chrono::steady_clock;
  auto lastCheckpoint = Clock::now();
  auto onEpoch = [&](const EpochRecord &rec) {
    history.push_back(rec);
    say(formatProgress(rec, config.epochs));
    if (!opts.logPath.empty()) {
      std::string text = logHeader() + earlier;
      for (const auto &r : history)
        text += logLine(r);
      writeFileAtomically(opts.logPath, text);
    }
    // Checkpoints cost a full write of weights and optimizer state: at most one per interval
    // during the run (tiny models finish an epoch in a millisecond), and always one at the end.
    if (!opts.checkpointPath.empty() && Clock::now() - lastCheckpoint >= std::chrono::duration<double>(opts.checkpointSeconds)) {
      saveCheckpoint(opts.checkpointPath, desc, state, norm, trainer.progress);
      lastCheckpoint = Clock::now();
    }
  };
  trainer.run(onEpoch);
  if (!opts.checkpointPath.empty())
    saveCheckpoint(opts.checkpointPath, desc, state, norm, trainer.progress);
  if (!opts.logPath.empty() && history.empty())
    writeFileAtomically(opts.logPath, logHeader() + earlier);

  const std::string save = opts.savePath.empty() ? desc.name + ".weights.npz" : opts.savePath;
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
