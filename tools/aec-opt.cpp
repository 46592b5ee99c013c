/// `aec-opt`: reads graph IR text, runs the named passes, prints the module. Lets lit tests
/// start from any stage, as mlir-opt does.
#include "ir/Graph.h"
#include "passes/Passes.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace {

/// The passes aec-opt can run, by name.
std::vector<aec::Pass> knownPasses() {
  return {aec::createSimplifyPass(), aec::createCSEPass(), aec::createDCEPass()};
}

std::vector<std::string> split(const std::string &text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');)
    if (!item.empty())
      out.push_back(item);
  return out;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"aec-opt: read graph IR, run passes, print the result"};
  std::string input = "-", passList, printAfter;
  bool locs = false, printAfterAll = false, pipeline = false;
  app.add_option("input", input, "IR file ('-' = stdin)");
  app.add_option("--pass", passList, "Comma-separated passes to run: simplify, cse, dce");
  app.add_flag("--default-pipeline", pipeline, "Run aec's default pipeline instead");
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
    for (const std::string &name : split(passList)) {
      bool found = false;
      for (const aec::Pass &p : knownPasses())
        if (p.name == name) {
          pm.passes.push_back(p);
          found = true;
        }
      if (!found) {
        std::string names;
        for (const aec::Pass &p : knownPasses())
          names += (names.empty() ? "" : ", ") + p.name;
        throw std::runtime_error("unknown pass '" + name + "' (passes: " + names + ")");
      }
    }
    pm.printAfter = printAfterAll ? "all" : printAfter;
    pm.printStream = &std::cout;
    pm.run(module);
    if (pm.printAfter.empty())
      std::cout << aec::printModule(module, locs);
    return 0;
  });
}
