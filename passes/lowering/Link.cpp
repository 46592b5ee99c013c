/// Linking a model object with libaecrt into a trainer executable, through the
/// system C++ driver (it knows the C++ runtime, libm and the PIE defaults). No
/// MLIR here.
#include "passes/lowering/Internal.h"
#include "passes/lowering/Lowering.h"

#include <aec/CApiSymbols.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace fs = std::filesystem;

namespace aec::lowering {

namespace {
/// `name` found in a PATH directory and executable, or "".
std::string searchPath(const std::string &name) {
  const char *path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return "";
}

std::string joinCommand(const std::vector<std::string> &argv) {
  std::string line;
  for (const std::string &a : argv)
    line += (line.empty() ? "" : " ") + a;
  return line;
}

/// libaecrt.a: first beside an installed `aec` (<prefix>/bin/aec ->
/// <prefix>/lib/aec/libaecrt.a), then in the build tree the compiler was built
/// in.
std::string findRuntime() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec)
    candidates.push_back(exe.parent_path() / ".." / "lib" / "aec" /
                         "libaecrt.a");
#ifdef AEC_BUILD_RUNTIME_DIR
  candidates.push_back(fs::path(AEC_BUILD_RUNTIME_DIR) / "libaecrt.a");
#endif
  std::string tried;
  for (const fs::path &p : candidates) {
    if (fs::exists(p, ec))
      return fs::weakly_canonical(p, ec).string();
    tried += " " + p.string();
  }
  throw std::runtime_error("cannot find the aec runtime libaecrt.a (looked at" +
                           tried + ")");
}

std::vector<std::string> trainerLibs() {
#ifdef AEC_TRAINER_LIBS
  std::stringstream libs(AEC_TRAINER_LIBS);
#else
  std::stringstream libs("-lmvec -lm");
#endif
  std::vector<std::string> out;
  std::string lib;
  while (libs >> lib)
    out.push_back(lib);
  return out;
}
} // namespace

std::string findCxxDriver() {
  for (const char *name : {"c++", "g++"})
    if (std::string p = searchPath(name); !p.empty())
      return p;
  throw std::runtime_error(
      "aec compile needs a linker: install g++ (Debian package g++)");
}

void runCommand(const std::vector<std::string> &argv) {
  // stderr goes to a pipe so that a failure can quote the linker's message.
  int pipeFds[2];
  if (::pipe(pipeFds) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipeFds[0]);
  std::vector<char *> args;
  for (const std::string &a : argv)
    args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(),
                         environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipeFds[1]);
  if (rc != 0) {
    ::close(pipeFds[0]);
    throw std::runtime_error("cannot run " + argv[0] + ": " +
                             std::strerror(rc));
  }
  std::string output;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipeFds[0], buf, sizeof buf)) > 0 ||
                  (n < 0 && errno == EINTR);)
    if (n > 0)
      output.append(buf, static_cast<size_t>(n));
  ::close(pipeFds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("command failed: " + joinCommand(argv) + "\n" +
                             output);
}

} // namespace aec::lowering

namespace aec {

void linkTrainer(const std::string &objectPath, const std::string &outPath) {
  linkTrainer(std::vector<std::string>{objectPath}, outPath);
}

namespace {
/// Runs the C++ driver on `objectPaths` + libaecrt + `extraArgs`, writing a temporary name
/// and renaming it to `outPath`: an interrupted link never leaves a broken output.
void linkWithRuntime(const std::vector<std::string> &objectPaths, const std::vector<std::string> &extraArgs,
                     const std::string &outPath) {
  std::vector<std::string> argv = {lowering::findCxxDriver()};
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  argv.insert(argv.end(), objectPaths.begin(), objectPaths.end());
  argv.push_back(lowering::findRuntime());
  for (const std::string &lib : lowering::trainerLibs())
    argv.push_back(lib);
  std::string tmp = outPath + ".tmp." + std::to_string(::getpid());
  argv.insert(argv.end(), {"-o", tmp});
  try {
    lowering::runCommand(argv);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, outPath, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + outPath + ": " + ec.message());
  }
}
} // namespace

void linkTrainer(const std::vector<std::string> &objectPaths, const std::string &outPath) {
  linkWithRuntime(objectPaths, {}, outPath);
}

void linkShared(const std::vector<std::string> &objectPaths, const std::string &outPath) {
  // The version script keeps the C API global and makes everything else local: the runtime's
  // C++ symbols and the generated ones (aec_fn_*, the descriptor) cannot clash with another
  // model library or with NumPy/PyTorch in the same process.
  std::string script = "{\n  global:\n";
  for (const std::string &name : rt::cApiSymbols())
    script += "    " + name + ";\n";
  script += "  local: *;\n};\n";
  const std::string scriptPath = outPath + ".map.tmp." + std::to_string(::getpid());
  {
    std::FILE *f = std::fopen(scriptPath.c_str(), "w");
    if (!f || std::fputs(script.c_str(), f) < 0 || std::fclose(f) != 0)
      throw std::runtime_error("cannot write " + scriptPath + ": " + std::strerror(errno));
  }
  // -u pulls the C API's member out of the static libaecrt (nothing else refers to it);
  // --no-undefined makes a missing symbol a link error, not a failure when Python loads it.
  std::vector<std::string> args = {"-shared", "-Wl,--version-script=" + scriptPath, "-Wl,--no-undefined"};
  for (const std::string &name : rt::cApiSymbols())
    args.push_back("-Wl,-u," + name);
  try {
    linkWithRuntime(objectPaths, args, outPath);
  } catch (...) {
    std::remove(scriptPath.c_str());
    throw;
  }
  std::remove(scriptPath.c_str());
}

} // namespace aec
