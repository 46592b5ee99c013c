#pragma once
/// Private helpers of passes/lowering that need no MLIR (linking, loading).
#include <string>
#include <vector>

namespace aec::lowering {

/// The system C++ driver (`c++`, then `g++`) on PATH; throws std::runtime_error
/// naming the Debian package when there is none.
std::string findCxxDriver();

/// Runs `argv` (argv[0] a path) and waits; throws std::runtime_error with the
/// command line and its captured stderr when it fails.
void runCommand(const std::vector<std::string> &argv);

} // namespace aec::lowering
