/// `aec`: the autoencoder compiler driver. Parses the command line and reports errors;
/// the commands live in one file each.
#include "tools/driver/Driver.h"

#include <aec/CliChecks.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>

using namespace aec::driver;

int main(int argc, char **argv) {
  CLI::App app{"aec: compiles an autoencoder described in YAML into a native trainer.\n"
               "Run `aec COMMAND --help` for the options of a command."};
  app.require_subcommand(1);
  app.footer("\nExamples:\n"
             "  aec check models/ring.yaml             layers, shapes, params, FLOPs\n"
             "  aec compile models/ring.yaml -o ring   then: ./ring train, ./ring encode ...\n"
             "  aec compile models/ring.yaml --shared  libring.so for Python: aec.load('./libring.so')\n"
             "  aec run models/ring.yaml --epochs 50   compile (cached) and train\n"
             "  aec dump models/ring.yaml --stage opt  print a stage of the pipeline\n"
             "  aec data ring --n 1000 -o ring.csv     write a built-in data set");

  CompileOptions compile;
  CLI::App *compileCmd = app.add_subcommand("compile", "Compile MODEL.yaml into a trainer binary");
  compileCmd->add_option("model", compile.model, "Model file")->required();
  compileCmd->add_option("-o,--output", compile.output,
                         "Trainer to write (default: the model's name, in this directory; with --shared "
                         "lib<name>.so)");
  compileCmd->add_option("--target", compile.target, "cpu (default) or cuda");
  compileCmd->add_option("--batch", compile.batch, "Batch size (default: train.batch)");
  compileCmd->add_option("--dump-dir", compile.dumpDir,
                         "Also write every stage (spec, IR, MLIR, LLVM, descriptor) here");
  compileCmd->add_option("--shards", compile.shards,
                         "Split the step into N data-parallel shards for the trainer's --threads "
                         "(default: 2 when a step is large enough to pay, 1 = never)");
  compileCmd->add_flag("--shared", compile.shared,
                       "Write a shared library with the C API (aec/CApi.h) instead of a trainer, for "
                       "Python (python/aec.py) and C");

  DumpOptions dump;
  CLI::App *dumpCmd = app.add_subcommand("dump", "Print one stage of the pipeline");
  dumpCmd->add_option("model", dump.model, "Model file")->required();
  dumpCmd->add_option("--stage", dump.stage,
                      "spec|graph|train|opt|mlir|mlir-pipeline|mlir-llvm|llvm|asm|ptx");
  dumpCmd->add_option("--target", dump.target,
                      "cpu (default) or cuda: the MLIR and pipeline of that target; ptx needs cuda");
  dumpCmd->add_option("--print-after", dump.printAfter,
                      "Print the module after the named pass (a graph pass, or an MLIR pass "
                      "of the CPU pipeline)");
  bool printAfterAll = false;
  dumpCmd->add_flag("--print-after-all", printAfterAll, "Print the module after every pass");
  dumpCmd->add_flag("--locs", dump.locs, "Print source locations of graph nodes");
  dumpCmd->add_option("--batch", dump.batch, "Batch size (default: train.batch)");

  std::string checkModel;
  CLI::App *checkCmd =
      app.add_subcommand("check", "Validate MODEL.yaml and print layers, shapes, params, FLOPs");
  checkCmd->add_option("model", checkModel, "Model file")->required();
  std::string checkData;
  checkCmd->add_option("--data", checkData,
                       "Data file to check against the input (default: data.path, when set)");

  std::string runModel;
  CLI::App *runCmd = app.add_subcommand(
      "run", "Compile MODEL.yaml (cached) and train: aec run MODEL.yaml [TRAINER ARGS...]");
  runCmd->add_option("model", runModel, "Model file")->required();
  // Everything after the model goes to the trainer, options included.
  runCmd->prefix_command();

  DataOptions data;
  CLI::App *dataCmd = app.add_subcommand("data", "Write a built-in synthetic data set");
  dataCmd->add_option("name", data.generator,
                      "Generator (ring, gaussian2d, blackbody_colors, circles, steps, "
                      "steps_updown, speckle)")
      ->required();
  dataCmd->add_option("--n", data.n, "Number of samples (default 1000)");
  dataCmd->add_option("--seed", data.seed, "Random seed (default 1)");
  dataCmd->add_option("--param", data.params, "Generator parameter KEY=VALUE (repeatable)");
  dataCmd->add_option("-o,--output", data.output,
                      "Output file, .csv, .npy or .npz (an .npz holds x, and target if paired)")
      ->required();
  dataCmd->add_option("--target", data.target,
                      "Paired generators (speckle): also write the clean targets here");
  dataCmd->add_option("--truth", data.truth,
                      "Also write each sample's generating truth (ring angle, temperature...)");

  // CLI11 reports an unknown command as "a subcommand is required" with its own exit code
  // (106); the contract says exit 1 and a did-you-mean.
  std::vector<std::string> commands;
  for (const CLI::App *sub : app.get_subcommands({}))
    commands.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
    const std::string near = aec::rt::closestName(argv[1], commands);
    std::cerr << "error: unknown command '" << argv[1] << "'"
              << (near.empty() ? "" : "; did you mean '" + near + "'?") << " (commands: "
              << fmt::format("{}", fmt::join(commands, ", ")) << ")\n";
    return 1;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0)
      return app.exit(e); // --help
    std::cerr << "error: " << e.what() << " (see --help)\n";
    return 1;
  }

  return aec::reportErrors([&] {
    if (compileCmd->parsed())
      return runCompile(compile);
    if (dumpCmd->parsed()) {
      if (printAfterAll)
        dump.printAfter = "all";
      return runDump(dump);
    }
    if (checkCmd->parsed())
      return runCheck(checkModel, checkData);
    if (runCmd->parsed())
      return runRun(runModel, runCmd->remaining());
    if (dataCmd->parsed())
      return runData(data);
    return 1;
  });
}
