/// `aec dump`: prints any stage of the pipeline.
#include "tools/driver/Driver.h"

#include "passes/Describe.h"
#include "passes/Passes.h"
#include "passes/lowering/Lowering.h"

#include <iostream>

namespace aec::driver {

namespace {

const std::vector<std::string> &stages() {
  static const std::vector<std::string> s = {"spec", "graph", "train", "opt",
                                             "mlir", "llvm",  "asm"};
  return s;
}

std::string join(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// The optimised module, printing after passes as asked.
Module optimized(const ModelSpec &spec, const DumpOptions &opts) {
  Module module = buildTrainingModule(spec, spec.batch);
  PassManager pm = defaultPipeline();
  if (!opts.printAfter.empty()) {
    bool known = opts.printAfter == "all";
    for (const Pass &p : pm.passes)
      known = known || p.name == opts.printAfter;
    if (!known) {
      std::vector<std::string> names;
      for (const Pass &p : pm.passes)
        if (std::find(names.begin(), names.end(), p.name) == names.end())
          names.push_back(p.name);
      throw std::runtime_error("--print-after: no pass named '" + opts.printAfter +
                               "' in the pipeline (passes: " + join(names) + ")");
    }
    pm.printAfter = opts.printAfter;
    pm.printStream = &std::cout;
  }
  pm.run(module);
  return module;
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
      throw std::runtime_error("dump needs --stage (one of spec, graph, train, opt, mlir, llvm, "
                               "asm) or --print-after");
    stage = "opt";
    printFinal = false;
  }
  if (std::find(stages().begin(), stages().end(), stage) == stages().end())
    throw std::runtime_error("unknown stage '" + stage +
                             "' (stages: spec, graph, train, opt, mlir, llvm, asm)");
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
  Module module = optimized(spec, opts);
  if (!printFinal)
    return 0;
  if (stage == "opt")
    std::cout << printModule(module, opts.locs);
  else if (stage == "mlir")
    std::cout << emitMLIRText(module);
  else if (stage == "llvm")
    std::cout << emitLLVMText(module, descriptorOf(spec, module));
  else
    std::cout << emitAssemblyText(module, descriptorOf(spec, module));
  return 0;
}

} // namespace aec::driver
