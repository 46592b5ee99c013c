#pragma once
/// Source locations and compile errors shared by every stage.
#include <functional>
#include <stdexcept>
#include <string>

namespace aec {

/// Where a graph node or spec entry came from: a YAML position and the layer it belongs to.
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;
  std::string layer; ///< layer name, empty outside layers

  bool valid() const { return line > 0; }
  /// "file:line:col" (or just "file" when the position is unknown).
  std::string str() const;
};

/// A user-facing error. `what()` is the full "file:line:col: error: ..." line.
class CompileError : public std::runtime_error {
public:
  CompileError(const SourceLoc &loc, const std::string &message);
  const SourceLoc &loc() const { return Loc; }

private:
  SourceLoc Loc;
};

/// Throws a CompileError at `loc`; prefixes "layer 'x': " when the location names a layer.
[[noreturn]] void fail(const SourceLoc &loc, const std::string &message);

/// Runs a tool's `body`, printing any error as one line on stderr (CompileErrors as they are,
/// others after "error: "); returns body's status, or 1 after an error.
int reportErrors(const std::function<int()> &body);

} // namespace aec
