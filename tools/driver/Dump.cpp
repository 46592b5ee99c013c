/// `aec dump`: prints any stage of the pipeline.
#include "tools/driver/Driver.h"

#include "passes/Describe.h"
#include "passes/Passes.h"
#include "passes/lowering/Lowering.h"

#include <algorithm>
#include <iostream>

namespace aec::driver {

namespace {

const std::vector<std::string> &stages() {
  static const std::vector<std::string> s = {
      "spec", "graph", "train", "opt", "mlir", "mlir-pipeline", "mlir-llvm", "llvm", "asm", "ptx"};
  return s;
}

std::string join(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// First line of the MLIR dump: how to replay the compiler on it.
const char *const ReplayComment =
    "// aec's CPU pipeline replays on this file: aec-mlir-opt FILE --aec-cpu-pipeline\n";
const char *const CudaReplayComment =
    "// aec's cuda pipeline replays on this file: aec-mlir-opt FILE --aec-cuda-pipeline\n";

/// The stages `--target cuda` has: the MLIR as lowered for the GPU, its pipeline, the PTX.
bool hasCudaStage(const std::string &stage) {
  return stage == "mlir" || stage == "mlir-pipeline" || stage == "ptx";
}

/// Whether `name` is a pass of the CPU MLIR pipeline; throws when it names no pass of either
/// pipeline (graph passes: `graphPasses`). A name in both (cse) means the graph pass.
bool isMLIRPass(const std::string &name, const std::vector<std::string> &graphPasses) {
  if (name == "all" || std::find(graphPasses.begin(), graphPasses.end(), name) != graphPasses.end())
    return false;
  std::vector<std::string> mlirPasses = cpuPipelinePassNames();
  if (std::find(mlirPasses.begin(), mlirPasses.end(), name) != mlirPasses.end())
    return true;
  throw std::runtime_error("--print-after: no pass named '" + name +
                           "' in the pipeline (passes: " + join(graphPasses) +
                           "; MLIR passes: " + join(mlirPasses) + ")");
}

/// The optimised module, printing after graph passes as asked (after an MLIR pass: runDump).
Module optimized(const ModelSpec &spec, const DumpOptions &opts, bool printMLIRPass) {
  Module module = buildTrainingModule(spec, spec.batch);
  PassManager pm = defaultPipeline();
  if (!opts.printAfter.empty() && !printMLIRPass) {
    pm.printAfter = opts.printAfter;
    pm.printStream = &std::cout;
  }
  pm.run(module);
  return module;
}

std::vector<std::string> graphPassNames() {
  std::vector<std::string> names;
  for (const Pass &p : defaultPipeline().passes)
    if (std::find(names.begin(), names.end(), p.name) == names.end())
      names.push_back(p.name);
  return names;
}

std::string descriptorOf(const ModelSpec &spec, const Module &module) {
  ForwardInfo forward;
  (void)buildForward(spec, spec.batch, ForwardPart::Full, &forward);
  return describeModel(spec, module, forward).serialize();
}

} // namespace

int runDump(const DumpOptions &opts) {
  std::string stage = opts.stage;
  bool printFinal = true;
  if (stage.empty()) {
    if (opts.printAfter.empty())
      throw std::runtime_error("dump needs --stage (one of " + join(stages()) +
                               ") or --print-after");
    stage = "opt";
    printFinal = false;
  }
  if (std::find(stages().begin(), stages().end(), stage) == stages().end())
    throw std::runtime_error("unknown stage '" + stage + "' (stages: " + join(stages()) + ")");
  const bool cuda = opts.target == "cuda";
  if (!cuda && opts.target != "cpu")
    throw std::runtime_error("unknown target '" + opts.target + "' (targets: cpu, cuda)");
  if (cuda && !hasCudaStage(stage))
    throw std::runtime_error("--target cuda dumps the stages mlir, mlir-pipeline and ptx");
  if (stage == "ptx" && !cuda)
    throw std::runtime_error("--stage ptx needs --target cuda");
  if (cuda && !opts.printAfter.empty())
    throw std::runtime_error("--print-after is for the cpu target (replay the cuda pipeline "
                             "with aec-mlir-opt --aec-cuda-pipeline --mlir-print-ir-after-all)");
  if (stage == "mlir-pipeline") {
    std::cout << (cuda ? cudaPipelineText() : cpuPipelineText()) << "\n";
    return 0;
  }
  bool printMLIRPass = !opts.printAfter.empty() && isMLIRPass(opts.printAfter, graphPassNames());
  ModelSpec spec = loadSpec(opts.model, opts.batch);
  if (stage == "spec") {
    std::cout << printModelSpec(spec);
    return 0;
  }
  if (stage == "graph") {
    ForwardInfo info;
    Graph g = buildForward(spec, spec.batch, ForwardPart::Full, &info);
    g.addOutput("output", info.output);
    std::cout << printGraph(g, opts.locs);
    return 0;
  }
  if (stage == "train") {
    std::cout << printModule(buildTrainingModule(spec, spec.batch), opts.locs);
    return 0;
  }
  Module module = optimized(spec, opts, printMLIRPass);
  if (printMLIRPass)
    std::cout << emitMLIRAfterPass(module, opts.printAfter);
  if (!printFinal)
    return 0;
  if (stage == "opt") {
    std::cout << printModule(module, opts.locs);
    for (const FunctionPlan &plan : planFunctions(module))
      std::cout << planDetails(plan);
  }
  else if (stage == "mlir")
    std::cout << (cuda ? CudaReplayComment : ReplayComment) << emitMLIRText(module, opts.target);
  else if (stage == "ptx")
    std::cout << emitPtxText(module);
  else if (stage == "mlir-llvm")
    std::cout << emitLLVMDialectText(module);
  else if (stage == "llvm")
    std::cout << emitLLVMText(module, descriptorOf(spec, module));
  else
    std::cout << emitAssemblyText(module, descriptorOf(spec, module));
  return 0;
}

} // namespace aec::driver
