#pragma once
/// Helpers shared by the model-file (frontend) unit tests.
#include "frontend/ModelSpec.h"

#include <string>

namespace aec::test {

/// The error message parseModelSpec gives for `text`, or "" when it parses.
inline std::string errorOf(const std::string &text) {
  try {
    parseModelSpec(text, "m.yaml");
  } catch (const CompileError &e) {
    return e.what();
  }
  return "";
}

} // namespace aec::test
