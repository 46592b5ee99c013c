/// `aec compile` and the checks it shares with `aec check` and `aec run`.
#include "tools/driver/Driver.h"

#include "passes/Describe.h"
#include "passes/Passes.h"
#include "passes/lowering/Lowering.h"

#include <aec/Generators.h>

#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aec::driver {

namespace {

void writeFile(const fs::path &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out)
    throw std::runtime_error("cannot write '" + path.string() + "'");
}

/// A fresh private directory for the object file.
fs::path makeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "aec-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a temporary directory in " +
                             fs::temp_directory_path().string());
  return pattern;
}

/// Removes a directory when the compile ends, also on errors.
struct TempDir {
  fs::path path = makeTempDir();
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const std::vector<std::string> &generatorSettingKeys() {
  static const std::vector<std::string> keys = {"data.synthetic", "data.n", "data.seed",
                                                "data.normalize", "data.transform"};
  return keys;
}

/// Test seam, AEC_TEST_CUDA_ON_HOST=1: `--target cuda` compiles the model for the CPU but
/// describes it as a cuda model, so the trainer's device runtime (uploads, downloads,
/// state kept on the device) runs against a host-memory fake of libcuda.so.1 in tests on
/// machines without a GPU. The generated GPU kernels are checked separately (lit, ptxas).
bool cudaOnHost() {
  const char *v = std::getenv("AEC_TEST_CUDA_ON_HOST");
  return v && *v && std::string(v) != "0";
}

} // namespace

ModelSpec loadSpec(const std::string &model, int64_t batch) {
  ModelSpec spec = loadModelSpec(model);
  if (batch > 0) {
    spec.batch = batch;
    spec.settings["train.batch"] = std::to_string(batch);
  }
  return spec;
}

void checkData(const ModelSpec &spec) {
  checkDataFiles(spec);
  auto synth = spec.settings.find("data.synthetic");
  if (synth == spec.settings.end())
    return;
  std::map<std::string, std::string> params;
  for (const auto &[key, value] : spec.settings) {
    if (key.rfind("data.", 0) != 0)
      continue;
    if (std::find(generatorSettingKeys().begin(), generatorSettingKeys().end(), key) ==
        generatorSettingKeys().end())
      params[key.substr(5)] = value;
  }
  // One sample is enough for the generator to check its name and parameters.
  try {
    (void)rt::generate(synth->second, params, 1, 0);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    SourceLoc loc = spec.settingLocs.at("data.synthetic");
    // Point at the offending parameter when the generator names it.
    for (const auto &[name, value] : params)
      if (msg.find("'" + name + "'") != std::string::npos &&
          spec.settingLocs.count("data." + name))
        loc = spec.settingLocs.at("data." + name);
    fail(loc, msg);
  }
}

void compileSpec(const ModelSpec &spec, const std::string &output, const std::string &dumpDir,
                 int64_t shards, bool shared, const std::string &target) {
  const bool cuda = target == "cuda";
  // One device runs the whole step: the data-parallel split is for CPU threads.
  if (cuda)
    shards = 1;
  if (!dumpDir.empty()) {
    fs::create_directories(dumpDir);
    writeFile(fs::path(dumpDir) / "spec.txt", printModelSpec(spec));
  }
  ShardPlan plan = planShards(spec, spec.batch, shards);
  Module module = buildTrainingModule(spec, spec.batch, DType::F32, plan.shards);
  if (!dumpDir.empty())
    writeFile(fs::path(dumpDir) / "train.ir", printModule(module, true));
  defaultPipeline().run(module);
  if (!dumpDir.empty())
    writeFile(fs::path(dumpDir) / "opt.ir", printModule(module, true));

  ForwardInfo forward;
  (void)buildForward(spec, spec.batch, ForwardPart::Full, &forward);
  rt::ModelDescriptor desc = describeModel(spec, module, forward);
  desc.target = target;
  if (plan.shards == 1 && !cuda)
    desc.settings["threads.single_reason"] = plan.reason; // for the trainer's --threads
  if (!plan.note.empty())
    desc.settings["shards.note"] = plan.note; // for `trainer info`: batch statistics per shard
  std::string descriptor = desc.serialize();
  if (!dumpDir.empty()) {
    writeFile(fs::path(dumpDir) / "model.mlir", emitMLIRText(module));
    writeFile(fs::path(dumpDir) / "model.ll", emitLLVMText(module, descriptor));
  }
  TempDir tmp;
  std::string planned;
  const auto objects = cuda && !cudaOnHost()
                           ? emitCudaObjectFiles(module, descriptor, (tmp.path / spec.name).string(), &planned)
                           : emitObjectFiles(module, descriptor, (tmp.path / spec.name).string(), &planned);
  if (shared)
    linkShared(objects, output);
  else
    linkTrainer(objects, output);
  // As the trainer holds it: with the workspaces and the arena the lowering planned.
  if (!dumpDir.empty())
    writeFile(fs::path(dumpDir) / "descriptor.txt", planned);
}

int runCompile(const CompileOptions &opts) {
  if (opts.target != "cpu" && opts.target != "cuda")
    throw std::runtime_error("unknown target '" + opts.target + "' (targets: cpu, cuda)");
  ModelSpec spec = loadSpec(opts.model, opts.batch);
  checkData(spec);
  std::string output = !opts.output.empty() ? opts.output : opts.shared ? "lib" + spec.name + ".so" : spec.name;
  if (opts.shards < 0)
    throw std::runtime_error("--shards must be 0 (choose) or positive");
  if (opts.target == "cuda" && opts.shared)
    throw std::runtime_error("--shared is for the cpu target only");
  compileSpec(spec, output, opts.dumpDir, opts.shards, opts.shared, opts.target);
  std::cerr << "aec: wrote " << output << "\n";
  return 0;
}

} // namespace aec::driver
