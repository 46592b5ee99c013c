/// `aec run`: compile into a cache (keyed by the model text and this aec build), then
/// exec the trainer with `train` and the remaining arguments.
#include "tools/driver/Driver.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aec::driver {

namespace {

/// 64-bit FNV-1a: stable across runs and builds (std::hash is not guaranteed to be).
uint64_t fnv1a(const std::string &text, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw CompileError(SourceLoc(), "cannot read model file '" + path +
                                        "': " + std::strerror(errno));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path cacheRoot() {
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "aec";
  if (const char *home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache" / "aec";
  return fs::temp_directory_path() / "aec-cache";
}

/// Identifies this aec build: a rebuilt compiler must not reuse old trainers.
std::string selfStamp() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return "unknown";
  auto size = fs::file_size(self, ec);
  auto mtime = fs::last_write_time(self, ec).time_since_epoch().count();
  return self.string() + ":" + std::to_string(size) + ":" + std::to_string(mtime);
}

} // namespace

int runRun(const std::string &model, const std::vector<std::string> &trainerArgs) {
  std::string text = readText(model);
  // The absolute path matters too: relative data paths resolve against it.
  std::string key = text + "\n" + fs::absolute(model).lexically_normal().string() + "\n" +
                    selfStamp();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(key)));
  ModelSpec spec = loadSpec(model, 0);
  fs::path dir = cacheRoot() / hex;
  fs::path trainer = dir / spec.name;
  if (!fs::exists(trainer)) {
    bool dataOverridden = false;
    for (const std::string &a : trainerArgs)
      dataOverridden = dataOverridden || a == "--data" || a.rfind("--data=", 0) == 0;
    if (!dataOverridden)
      checkData(spec);
    fs::create_directories(dir);
    std::cerr << "aec: compiling " << model << " into " << trainer.string() << "\n";
    compileSpec(spec, trainer.string(), "");
  }
  std::vector<std::string> args = {trainer.string(), "train"};
  args.insert(args.end(), trainerArgs.begin(), trainerArgs.end());
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execv(trainer.c_str(), argv.data());
  throw std::runtime_error("cannot run '" + trainer.string() + "': " + std::strerror(errno));
}

} // namespace aec::driver
