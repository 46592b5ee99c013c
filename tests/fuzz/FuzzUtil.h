#pragma once
/// Shared by the libFuzzer targets: what counts as a clean rejection, and the scratch file
/// the readers (which take paths) read the input from.
#include "ir/Diagnostics.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <unistd.h>

namespace aec::fuzz {

/// Runs `body`; a CompileError or a plain std::runtime_error with a message is the clean
/// error a user sees. Anything else (std::bad_alloc, std::length_error, std::out_of_range,
/// a yaml-cpp or fmt exception, an empty message) would reach the user as library text:
/// abort, so libFuzzer records the input as a crash.
template <class F> void expectCleanErrors(F &&body) {
  try {
    body();
  } catch (const CompileError &e) {
    if (!*e.what())
      std::abort();
  } catch (const std::exception &e) {
    if (typeid(e) != typeid(std::runtime_error) || !*e.what()) {
      std::fprintf(stderr, "unclean error (%s): %s\n", typeid(e).name(), e.what());
      std::abort();
    }
  }
}

/// Writes the input to a per-process scratch file named `name` (its extension picks the
/// reader) and returns the path.
inline std::string scratchFile(const char *name, const uint8_t *data, size_t size) {
  const char *dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/aec-fuzz-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  // Removed when the process ends (one file per target and name, rewritten per input).
  struct Remover {
    std::string path;
    ~Remover() { std::remove(path.c_str()); }
  };
  static thread_local Remover remover{path};
  return path;
}

} // namespace aec::fuzz
