#pragma once
/// Helpers shared by the runtime unit tests: a scratch directory per test and small checks.
#include <aec/Config.h>
#include <aec/TrainerCli.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace aec::rt::test {

/// A fresh directory removed at scope exit; `path(name)` gives a file inside it.
struct ScratchDir {
  std::filesystem::path dir;
  explicit ScratchDir(const std::string &tag) {
    dir = std::filesystem::temp_directory_path() / ("aec_rt_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string path(const std::string &name) const { return (dir / name).string(); }
  /// Every entry name in the directory (to check that no temporary files are left).
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto &e : std::filesystem::directory_iterator(dir))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  void write(const std::string &name, const std::string &text) const {
    std::ofstream(path(name), std::ios::binary) << text;
  }
};

/// Runs the trainer CLI of `model` with `args`, capturing stdout and stderr.
inline int runCli(const Model &model, std::vector<std::string> args, std::string *out = nullptr,
                  std::string *err = nullptr) {
  args.insert(args.begin(), "trainer");
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back(a.data());
  std::ostringstream o, e;
  auto *oldOut = std::cout.rdbuf(o.rdbuf());
  auto *oldErr = std::cerr.rdbuf(e.rdbuf());
  const int rc = runTrainerCli(static_cast<int>(argv.size()), argv.data(), model);
  std::cout.rdbuf(oldOut);
  std::cerr.rdbuf(oldErr);
  if (out)
    *out = o.str();
  if (err)
    *err = e.str();
  return rc;
}

/// True when no entry of `dir` contains ".tmp.".
/// Hand-made .npy bytes with an arbitrary header (what other writers produce, or a lie).
inline std::string rawNpy(const std::string &dict, const std::string &payload) {
  std::string h = dict;
  while ((10 + h.size() + 1) % 64)
    h += ' ';
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h + payload;
}

inline bool noTempFiles(const ScratchDir &dir) {
  for (const auto &e : dir.entries())
    if (e.find(".tmp.") != std::string::npos)
      return false;
  return true;
}

/// Whether /usr/bin/python3 with numpy is available for cross-checks.
inline bool haveNumpy() {
  static const bool ok = std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return ok;
}

/// Message of the exception `fn` throws ("" when none).
template <typename F> std::string errorOf(F &&fn) {
  try {
    fn();
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

/// A run config whose input and output are `shape` per sample (data loading tests).
inline RunConfig withInput(Dims shape) {
  RunConfig c;
  c.inputShape = shape;
  c.outputShape = shape;
  return c;
}

} // namespace aec::rt::test
