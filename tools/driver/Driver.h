#pragma once
/// The `aec` commands. Each returns the process exit status; errors are thrown
/// (CompileError or std::exception) and reported by main.
#include "frontend/ModelSpec.h"
#include "passes/lowering/Lowering.h"

#include <string>
#include <vector>

namespace aec::driver {

struct CompileOptions {
  std::string model;
  std::string output; ///< empty: the model's name in the current directory
  std::string target = "cpu";
  int64_t batch = 0; ///< 0: the model's train.batch
  std::string dumpDir;
  int64_t shards = 0; ///< data-parallel shards of grad_step; 0: planShards decides
  bool shared = false; ///< a shared library with the C API (aec/CApi.h), not a trainer
};

struct DumpOptions {
  std::string model;
  std::string stage; ///< spec|graph|train|opt|mlir|llvm|asm; empty with printAfter = opt
  std::string printAfter; ///< pass name or "all"
  bool locs = false;
  int64_t batch = 0;
  std::string target = "cpu"; ///< cpu|cuda: the MLIR stages and ptx (cuda only)
};

struct DataOptions {
  std::string generator;
  int64_t n = 1000;
  uint64_t seed = 1;
  std::vector<std::string> params; ///< "k=v"
  std::string output;
  std::string truth; ///< optional file for the generator's per-sample truth (never trained on)
  std::string target; ///< paired generators (speckle): where the clean targets go
};

int runCompile(const CompileOptions &opts);
int runDump(const DumpOptions &opts);
int runCheck(const std::string &model, const std::string &dataOverride);
/// Compiles into the cache unless cached, then execs the trainer: `train` + `trainerArgs`.
int runRun(const std::string &model, const std::vector<std::string> &trainerArgs);
int runData(const DataOptions &opts);

/// Loads the spec and applies a batch override (> 0).
ModelSpec loadSpec(const std::string &model, int64_t batch);
/// Checks what `compile`/`check` need beyond the spec: readable data files and, for
/// synthetic data, that the runtime's generator accepts the parameters.
void checkData(const ModelSpec &spec);
/// Compiles `spec` into the trainer `output` (the shared library with the C API when
/// `shared`); writes stage dumps to `dumpDir` when set. `shards` as CompileOptions::shards.
/// `target`: "cpu" or "cuda" (GPU kernels as PTX in the trainer, Cuda*.cpp of the lowering).
void compileSpec(const ModelSpec &spec, const std::string &output, const std::string &dumpDir,
                 int64_t shards = 0, bool shared = false, const std::string &target = "cpu");

/// 12345678 -> "12,345,678".
std::string grouped(int64_t v);
/// One line per function: its arena, the live lower bound, its kernel count (`aec check`).
std::string planSummary(const std::vector<FunctionPlan> &plans);
/// Every kernel and arena slot of one function, as `//` comments (`aec dump --stage opt`).
std::string planDetails(const FunctionPlan &plan);

} // namespace aec::driver
