/// The trainer's commands (MODEL_FORMAT.md section 3) on top of the runtime library.
#include <aec/CliChecks.h>
#include <aec/CliValues.h>
#include <aec/Config.h>
#include <aec/CudaDevice.h>
#include <aec/Csv.h>
#include <aec/ErrorText.h>
#include <aec/Finite.h>
#include <aec/Generators.h>
#include <aec/Inference.h>
#include <aec/Interrupt.h>
#include <aec/Npy.h>
#include <aec/ParallelStep.h>
#include <aec/Plot.h>
#include <aec/Trainer.h>
#include <aec/Mpi.h>
#include <aec/TrainerCli.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace aec::rt {
namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Column names for a per-sample width: the given names when they fit, else prefix0.. .
std::vector<std::string> columnNames(const std::vector<std::string> &names, int64_t width, const std::string &prefix) {
  if (static_cast<int64_t>(names.size()) == width)
    return names;
  std::vector<std::string> out;
  for (int64_t i = 0; i < width; ++i)
    out.push_back(prefix + std::to_string(i));
  return out;
}

/// The column names of the model's own data, for `decode` and `sample`, which read no data:
/// they name their outputs as `reconstruct` does (the data's names). {} when the data has no
/// names or cannot be read now (moved since training): the names are a courtesy, the numbers
/// do not depend on them.
std::vector<std::string> modelDataColumns(const RunConfig &config) {
  if (!config.csv.columns.empty())
    return config.csv.columns;
  try {
    if (!config.synthetic.empty())
      return generate(config.synthetic, config.generatorParams, 1, config.dataSeed).columns;
    if (endsWith(config.path, ".csv") || endsWith(config.path, ".CSV"))
      return loadDataFile(config.path, config.key, config.csv, config.inputShape).columns;
  } catch (const std::exception &) {
  }
  return {};
}

/// Writes a per-sample array as .csv (rows flattened) or .npy (shape kept).
void writeOutput(const std::string &path, const Array &a, const std::vector<std::string> &columns) {
  if (endsWith(path, ".csv"))
    writeCsv(path, columns, a);
  else if (endsWith(path, ".npy"))
    writeNpy(path, a);
  else
    throw std::runtime_error(fmt::format("output '{}': use a .csv or .npy file name", path));
}

/// --data P (or the model's own data when absent), in the data's units.
Dataset inputData(const RunConfig &config, const std::string &path) {
  Dataset d = path.empty() ? loadTrainingData(config) : loadDataFile(path, config.key, config.csv, config.inputShape);
  checkFinite(d);
  return d;
}

void printInfo(const Model &model) {
  const auto &d = model.desc;
  std::string s = fmt::format("model    {}\ntarget   {}\n", d.name, d.target);
  // A cuda model names the device it would run on, or why there is none (info itself needs none).
  s += fmt::format("device   {}\n", d.target == "cuda" ? describeCudaDevice() : "cpu");
  s += fmt::format("batch    {}\n", d.batch);
  s += fmt::format("input    [{}]\noutput   [{}]\ncode     [{}]\n", fmt::join(d.inputShape, ", "),
                   fmt::join(d.outputShape, ", "), fmt::join(d.codeShape, ", "));
  s += fmt::format("params   {}\n", paramCount(d));
  size_t w = 5;
  for (const auto &p : d.params)
    w = std::max(w, p.name.size());
  for (const auto &p : d.params)
    s += fmt::format("  {:<{}}  {:<14} {:>10}  {}\n", p.name, w, fmt::format("[{}]", fmt::join(p.dims, ", ")),
                     numElements(p.dims), p.init);
  s += "functions\n";
  // Params and states are listed above; per function only their counts, the rest by name.
  auto summary = [](const std::vector<BufferInfo> &buffers) {
    std::vector<std::string> parts;
    int64_t params = 0, states = 0;
    for (const auto &b : buffers) {
      if (b.role == "param")
        ++params;
      else if (b.role == "state")
        ++states;
      else
        parts.push_back(fmt::format("{} {}[{}]", b.role, b.name, fmt::join(b.dims, ",")));
    }
    if (params)
      parts.push_back(fmt::format("{} params", params));
    if (states)
      parts.push_back(fmt::format("{} states", states));
    return fmt::format("{}", fmt::join(parts, ", "));
  };
  for (const auto &f : d.functions)
    s += fmt::format("  {}({}) -> {}{}\n", f.name, summary(f.args), summary(f.results),
                     model.entry(f.name) ? "" : "  [no entry point]");
  auto stat = [&](const std::string &k) { return d.stats.count(k) ? std::to_string(d.stats.at(k)) : "?"; };
  s += fmt::format("memory   {} arena {} bytes for every intermediate, planned at compile "
                   "time (live lower bound {})\n"
                   "flops    {} per step\n",
                   model.hasFunction("train_step") ? "train_step" : "grad_step", stat("arena_bytes"),
                   stat("arena_live_bound"), stat("flops_per_step"));
  for (const auto &f : d.functions)
    s += fmt::format("  {:<12} workspace {} bytes, allocated once per trainer (and thread)\n", f.name,
                     f.workspaceBytes);
  std::string note;
  const int threads = chooseThreads(model, 0, &note);
  const int64_t shards = compiledShards(model);
  auto shardNote = d.settings.find("shards.note"); // batch statistics per shard (aec/ParallelStep.h)
  if (d.target == "cuda")
    s += "threads  1 (the step runs on the CUDA device: one stream, each step replayed as one CUDA graph unless "
         "AEC_CUDA_GRAPHS=0)\nmpi      not for cuda models\n";
  else if (shards > 1)
    s += fmt::format("threads  {} by default (train --threads N, 1..{}): grad_step on {} shards of {} samples, "
                     "gradients summed in shard order, then update_step; 1 thread runs the shards in turn{}\n",
                     threads, shards, shards, d.batch / shards,
                     shardNote != d.settings.end() ? "; " + shardNote->second : "");
  else
    s += fmt::format("threads  1 ({})\n", note.empty() ? "the step is not split" : note);
  if (d.target != "cuda")
    s += fmt::format("mpi      {}{}\n", mpiAvailability(),
                   shards > 1 ? fmt::format(": mpirun -np N splits each batch's {} shards over N ranks", shards)
                              : ": under mpirun every rank runs the whole (unsplit) step");
  // Through std::cout (not fmt::print) so the output interleaves with other stream writes.
  std::cout << s;
}

/// This command line without --resume/--init and their values: what continues the run once
/// `--resume CKPT` is appended.
std::string resumeCommand(int argc, char **argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--resume" || a == "--init") {
      ++i; // and its value
      continue;
    }
    if (a.rfind("--resume=", 0) == 0 || a.rfind("--init=", 0) == 0)
      continue;
    line += (line.empty() ? "" : " ") + shellQuote(a);
  }
  return line;
}

int run(int argc, char **argv, const Model &model) {
  const auto &desc = model.desc;
  CLI::App app{fmt::format("trainer for the autoencoder '{}' (made by aec)", desc.name)};
  app.require_subcommand(1);

  std::string data, validationData, initPath, savePath, logPath, resumePath, checkpointPath, weights, out, latent, plotDir;
  PlotOptions plotOpts;
  // Numeric flags are taken as text and parsed by CliValues.h: one strict rule and one message
  // format for all ("--lr: expected a positive number ..., got '-5'").
  std::string epochsText, lrText, seedText, threadsText, nText, samplesText, everyText, deviceText;
  bool noShuffle = false;

  auto *train = app.add_subcommand("train", "train the model and save its weights");
  train->add_option("--data", data, "data file (overrides data.path)");
  train->add_option("--validation-data", validationData,
                    "validation data file, read as the data (overrides data.validation_data and validation_split)");
  train->add_option("--epochs", epochsText, "number of epochs (0 or more)");
  train->add_option("--lr", lrText, "learning rate (> 0; with --resume it replaces the checkpoint's)");
  train->add_option("--seed", seedText, "seed of init, shuffling and noise (0 to 2^64-1)");
  train->add_option("--init", initPath, "start from these weights (.npz)");
  train->add_option("--save", savePath, "where to save the weights (default <model>.weights.npz)");
  train->add_flag("--no-shuffle", noShuffle, "take batches in file order");
  train->add_option("--threads", threadsText,
                    "data-parallel threads, 1 to 1024 (default: one per core, at most the shards the step was "
                    "compiled in; see 'info'); same seed and thread count give the same weights");
  train->add_option("--log", logPath, "write a per-epoch log CSV");
  train->add_option("--resume", resumePath, "continue from a checkpoint");
  train->add_option("--checkpoint", checkpointPath, "checkpoint file (default <save>.ckpt.npz)");
  train->add_option("--checkpoint-every", everyText,
                    "how often to write the checkpoint: 30s, 5m, 1h (time, checked after each step) or 2e "
                    "(epochs); default 30s. Also written at the end and on SIGINT/SIGTERM");
  train->add_option("--plot", plotDir, "after training, draw reconstructions, latent space and loss curves (PNG and PDF) in this folder (created if missing)");
  train->add_option("--color-by", plotOpts.colorBy, "with --plot: colour the latent space by this data column");

  auto addIo = [&](CLI::App *c, bool needData) {
    c->add_option("--weights", weights, "weights file (.npz)")->required();
    if (needData)
      c->add_option("--data", data, "input data (default: the model's data)");
    c->add_option("--out", out, "output .csv or .npy")->required();
  };
  auto *encode = app.add_subcommand("encode", "write the latent code of each sample");
  addIo(encode, true);
  auto *decode = app.add_subcommand("decode", "decode latent codes");
  addIo(decode, false);
  decode->add_option("--latent", latent, "latent codes (.csv or .npy)")->required();
  auto *reconstruct = app.add_subcommand("reconstruct", "write the reconstruction of each sample");
  addIo(reconstruct, true);
  auto *score = app.add_subcommand("score", "per-sample reconstruction error (anomaly score)");
  addIo(score, true);
  auto *sample = app.add_subcommand("sample", "VAE: decode draws from the prior");
  addIo(sample, false);
  sample->add_option("--n", nText, "number of samples (1 to 100000000)")->required();
  sample->add_option("--seed", seedText, "seed of the draws (0 to 2^64-1)");
  auto *info = app.add_subcommand("info", "model, target, memory plan, FLOPs per step, threads");
  auto *plotCmd = app.add_subcommand("plot", "draw reconstructions, latent space and loss curves (PNG and PDF)");
  plotCmd->add_option("--weights", weights, "weights file (.npz)")->required();
  plotCmd->add_option("--data", data, "input data (default: the model's data)");
  plotCmd->add_option("--log", logPath, "training log CSV for the loss curves");
  plotCmd->add_option("--out", plotOpts.dir, "output folder (created if missing)")->required();
  plotCmd->add_option("--color-by", plotOpts.colorBy, "colour the latent space by this column (data, truth or labels)");
  plotCmd->add_option("--labels", plotOpts.labelsPath, "per-sample labels (.csv, .npy, .idx) to colour by");
  plotCmd->add_option("--samples", samplesText, "samples in the reconstruction picture, 1 to 64 (default 8)");

  for (CLI::App *sub : {train, encode, decode, reconstruct, score, sample, info, plotCmd})
    sub->add_option("--device", deviceText, "the CUDA device of a cuda model, 0 to N-1 (default 0; 'info' lists it)");

  // CLI11 reports an unknown command only as "a subcommand is required": name it instead.
  std::vector<std::string> commands;
  for (const CLI::App *sub : app.get_subcommands({}))
    commands.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' && std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
    const std::string near = closestName(argv[1], commands);
    std::cerr << "error: unknown command '" << argv[1] << "'"
              << (near.empty() ? "" : "; did you mean '" + near + "'?") << " (commands: "
              << fmt::format("{}", fmt::join(commands, ", ")) << ")\n";
    return 1;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    std::cerr << "error: " << e.what() << " (see --help)\n";
    return 1;
  }

  // Every numeric flag of every command, before any work: a bad value never trains.
  const int64_t epochs = epochsText.empty() ? -1 : parseIntegerFlag("--epochs", epochsText, 0, 1000000000);
  const double lr = lrText.empty() ? 0 : parsePositiveFlag("--lr", lrText);
  const uint64_t seed = seedText.empty() ? 0 : parseSeedFlag("--seed", seedText);
  const int threads = threadsText.empty() ? 0 : static_cast<int>(parseIntegerFlag("--threads", threadsText, 1, 1024));
  const int64_t n = nText.empty() ? 0 : parseIntegerFlag("--n", nText, 1, 100000000);
  if (!samplesText.empty())
    plotOpts.samples = static_cast<int>(parseIntegerFlag("--samples", samplesText, 1, 64));
  const CheckpointInterval every =
      everyText.empty() ? CheckpointInterval{} : parseCheckpointInterval("--checkpoint-every", everyText);
  if (!deviceText.empty()) {
    const int device = static_cast<int>(parseIntegerFlag("--device", deviceText, 0, 1023));
    if (desc.target != "cuda")
      throw std::runtime_error(fmt::format("--device: model '{}' was compiled for the cpu target (aec compile "
                                           "--target cuda makes a trainer for an NVIDIA GPU)", desc.name));
    CudaDevice::select(device);
  }
  // Every command but `info` runs the model: on a machine without the device it fails now,
  // before any file is read or written.
  if (desc.target == "cuda" && !info->parsed())
    (void)CudaDevice::open();

  // Paths before any work: a directory given as a weights file, or an output that cannot be
  // written, fails now and not after the run (MODEL_FORMAT.md section 3).
  if (!weights.empty())
    requireInputFile("--weights", weights, "a weights file (.npz)");
  if (!initPath.empty())
    requireInputFile("--init", initPath, "a weights file (.npz)");
  if (!resumePath.empty())
    requireInputFile("--resume", resumePath, "a checkpoint file (.npz)");
  if (!out.empty()) {
    if (!endsWith(out, ".csv") && !endsWith(out, ".npy"))
      throw std::runtime_error(fmt::format("--out '{}': use a .csv or .npy file name", out));
    requireWritableFile("--out", out);
  }
  if (!plotOpts.dir.empty())
    requireWritableDir("--out", plotOpts.dir);

  RunConfig config = runConfigFor(desc);
  if (info->parsed()) {
    printInfo(model);
  } else if (train->parsed()) {
    if (epochs >= 0)
      config.epochs = epochs;
    if (!lrText.empty())
      config.lr = lr;
    if (!seedText.empty()) {
      config.seed = seed;
      if (!desc.settings.count("data.seed"))
        config.dataSeed = seed; // same seed, same data: the run is reproducible from one number
    }
    if (noShuffle)
      config.shuffle = false;
    TrainOptions opts;
    if (!data.empty())
      opts.dataPath = data;
    if (!validationData.empty())
      opts.validationDataPath = validationData;
    if (!initPath.empty())
      opts.initPath = initPath;
    if (!resumePath.empty())
      opts.resumePath = resumePath;
    if (opts.initPath && opts.resumePath)
      throw std::runtime_error("--init and --resume exclude each other (a checkpoint holds the weights)");
    opts.savePath = savePath.empty() ? desc.name + ".weights.npz" : savePath;
    opts.logPath = logPath;
    // A checkpoint beside the weights by default, so any run can be continued with --resume.
    opts.checkpointPath = !checkpointPath.empty() ? checkpointPath
                          : endsWith(opts.savePath, ".npz")
                              ? opts.savePath.substr(0, opts.savePath.size() - 4) + ".ckpt.npz"
                              : opts.savePath + ".ckpt.npz";
    requireWritableFile("--save", opts.savePath);
    if (!logPath.empty())
      requireWritableFile("--log", logPath);
    requireWritableFile(checkpointPath.empty() ? "--checkpoint (default, beside --save)" : "--checkpoint",
                        opts.checkpointPath);
    if (!plotDir.empty())
      requireWritableDir("--plot", plotDir);
    opts.checkpointEvery = every;
    opts.saveGiven = !savePath.empty();
    opts.lrGiven = !lrText.empty();
    opts.resumeCommand = resumeCommand(argc, argv);
    opts.plotDir = plotDir;
    opts.plotColorBy = plotOpts.colorBy;
    opts.threads = threads;
    // Under mpirun: MPI from here on (opened at run time); rank 0 alone prints and writes.
    if (launchedByMpirun())
      opts.world = &MpiWorld::init();
    opts.out = !opts.world || opts.world->rank() == 0 ? &std::cout : nullptr;
    trainModel(model, config, opts);
    if (opts.world)
      opts.world->finalize();
  } else if (plotCmd->parsed()) {
    LoadedWeights l = loadForInference(model, config, weights);
    // The model's own data keeps its truth columns (colour) and paired targets.
    Dataset d = data.empty() ? loadTrainingData(config)
                             : loadDataFile(data, config.key, config.csv, config.inputShape);
    checkFinite(d);
    l.norm.apply(d.x);
    if (!d.target.empty())
      l.norm.apply(d.target);
    const auto history = logPath.empty() ? std::vector<EpochRecord>{} : readLog(logPath);
    for (const auto &file : writePlots(model, config, l.state, l.norm, d, history, plotOpts))
      std::cout << "wrote " << file << "\n";
  } else if (encode->parsed() || reconstruct->parsed() || score->parsed()) {
    const Inference what = encode->parsed() ? Inference::Encode : reconstruct->parsed() ? Inference::Reconstruct : Inference::Score;
    requireInference(model, what);
    LoadedWeights l = loadForInference(model, config, weights);
    Dataset d = inputData(config, data);
    const Array r = runInference(model, what, std::move(d.x), l.state, l.norm);
    if (what == Inference::Encode)
      writeOutput(out, r, columnNames({}, r.rowSize(), "z"));
    else if (what == Inference::Reconstruct)
      writeOutput(out, r, columnNames(d.columns, r.rowSize(), "x"));
    else
      writeOutput(out, r, columnNames({"score"}, r.rowSize(), "score"));
  } else if (decode->parsed() || sample->parsed()) {
    if (sample->parsed())
      requireVae(desc);
    requireInference(model, Inference::Decode);
    LoadedWeights l = loadForInference(model, config, weights);
    Dataset z;
    if (decode->parsed()) {
      z = loadDataFile(latent, "", {}, desc.codeShape);
      checkFinite(z);
    } else {
      z.x = priorDraws(desc, n, seed);
    }
    const Array x = runInference(model, Inference::Decode, std::move(z.x), l.state, l.norm);
    writeOutput(out, x, columnNames(modelDataColumns(config), x.rowSize(), "x"));
  }
  return 0;
}

} // namespace

int runTrainerCli(int argc, char **argv, const Model &model) {
  // Under mpirun, an error every rank meets at the same step (an interrupt, a diverged step:
  // the ranks agree on both) is printed by rank 0 and ends each rank normally; any other error
  // may be one rank's alone, which the others would wait for in their next collective call:
  // it names the rank and aborts the whole job.
  auto ending = [](bool collective, int code) {
    MpiWorld *world = MpiWorld::get();
    if (world && !collective && world->size() > 1)
      world->abort(code);
    if (world)
      world->finalize();
    return code;
  };
  auto quiet = [] { return MpiWorld::get() && MpiWorld::get()->rank() != 0; };
  try {
    return run(argc, argv, model);
  } catch (const TrainingInterrupted &e) {
    std::cout.flush();
    if (!quiet())
      std::cerr << e.what() << "\n";
    return ending(true, 128 + e.signal); // the shell's convention: 130 for SIGINT, 143 for SIGTERM
  } catch (const CollectiveError &e) {
    std::cout.flush();
    if (!quiet())
      std::cerr << "error: " << userErrorText(e) << "\n";
    return ending(true, 1);
  } catch (const std::exception &e) {
    std::cout.flush();
    MpiWorld *world = MpiWorld::get();
    // One write: the lines of several ranks on one terminal do not interleave.
    std::cerr << fmt::format("error{}: {}\n",
                             world && world->size() > 1 ? fmt::format(" (MPI rank {} of {})", world->rank(), world->size()) : "",
                             userErrorText(e));
    return ending(false, 1);
  }
}

} // namespace aec::rt
