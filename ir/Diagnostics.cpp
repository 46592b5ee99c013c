#include "ir/Diagnostics.h"

#include <aec/ErrorText.h>

#include <iostream>

namespace aec {

std::string SourceLoc::str() const {
  if (!valid())
    return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

static std::string formatError(const SourceLoc &loc, const std::string &message) {
  std::string out;
  if (!loc.file.empty())
    out = loc.str() + ": ";
  out += "error: ";
  if (!loc.layer.empty())
    out += "layer '" + loc.layer + "': ";
  return out + message;
}

CompileError::CompileError(const SourceLoc &loc, const std::string &message)
    : std::runtime_error(formatError(loc, message)), Loc(loc) {}

void fail(const SourceLoc &loc, const std::string &message) {
  throw CompileError(loc, message);
}

int reportErrors(const std::function<int()> &body) {
  try {
    return body();
  } catch (const CompileError &e) {
    std::cerr << e.what() << "\n";
  } catch (const std::exception &e) {
    std::cerr << "error: " << userErrorText(e) << "\n";
  }
  return 1;
}

} // namespace aec
