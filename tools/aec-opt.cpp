/// `aec-opt`: reads graph IR text, runs the named passes, prints the module. Lets lit tests
/// start from any stage, as mlir-opt does.
#include "ir/Graph.h"
#include "passes/Passes.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char **argv) {
  CLI::App app{"aec-opt: read graph IR, run passes, print the result"};
  std::string input = "-", passList, printAfter;
  bool locs = false, printAfterAll = false, pipeline = false;
  app.add_option("input", input, "IR file ('-' = stdin)");
  app.add_option("--pass", passList,
                 "Comma-separated passes to run: " + aec::registeredPassNames());
  app.add_flag("--default-pipeline", pipeline,
               std::string("Run aec's default pipeline first (") + aec::DefaultPipelineText + ")");
  app.add_option("--print-after", printAfter, "Print the module after the named pass");
  app.add_flag("--print-after-all", printAfterAll, "Print the module after every pass");
  app.add_flag("--locs", locs, "Print source locations");
  CLI11_PARSE(app, argc, argv);

  return aec::reportErrors([&] {
    std::stringstream text;
    std::string fileName = input == "-" ? "<stdin>" : input;
    if (input == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(input);
      if (!in)
        throw std::runtime_error("cannot read '" + input + "'");
      text << in.rdbuf();
    }
    aec::Module module = aec::parseModule(text.str(), fileName);
    aec::verifyModule(module);

    aec::PassManager pm;
    if (pipeline)
      pm = aec::defaultPipeline();
    for (aec::Pass &p : aec::parsePipeline(passList).passes)
      pm.passes.push_back(std::move(p));
    pm.printAfter = printAfterAll ? "all" : printAfter;
    pm.printStream = &std::cout;
    pm.run(module);
    if (pm.printAfter.empty())
      std::cout << aec::printModule(module, locs);
    return 0;
  });
}
