#include <aec/CliChecks.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace aec::rt {
namespace {

/// Creates and removes a probe file in `dir`: the one reliable test of "can write here"
/// (access(2) misses read-only mounts, ACLs and full quota on some file systems).
void probeDirectory(const std::string &flag, const std::string &shown, const fs::path &dir) {
  const fs::path probe = dir / fmt::format(".aec-probe.{}", static_cast<long>(::getpid()));
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    const int err = errno;
    throw std::runtime_error(fmt::format("{} '{}': cannot write in directory '{}': {}", flag, shown,
                                         dir.string(), std::strerror(err)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

/// The directory a relative or absolute file path lives in ("." for a bare name).
fs::path parentOf(const std::string &path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

} // namespace

void requireWritableFile(const std::string &flag, const std::string &path) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw std::runtime_error(fmt::format("{} '{}': is a directory (give a file name)", flag, path));
  const fs::path dir = parentOf(path);
  if (!fs::exists(dir, ec))
    throw std::runtime_error(fmt::format("{} '{}': directory '{}' does not exist", flag, path, dir.string()));
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(fmt::format("{} '{}': '{}' is not a directory", flag, path, dir.string()));
  probeDirectory(flag, path, dir);
}

void requireWritableDir(const std::string &flag, const std::string &dir) {
  std::error_code ec;
  fs::path p = fs::path(dir);
  if (fs::exists(p, ec) && !fs::is_directory(p, ec))
    throw std::runtime_error(fmt::format("{} '{}': is a file, not a directory", flag, dir));
  // Walk up to the first part that exists: the folders below it will be created there.
  fs::path existing = p.empty() ? fs::path(".") : p;
  while (!fs::exists(existing, ec)) {
    fs::path up = existing.parent_path();
    existing = up.empty() ? fs::path(".") : up;
  }
  if (!fs::is_directory(existing, ec))
    throw std::runtime_error(fmt::format("{} '{}': '{}' is not a directory", flag, dir, existing.string()));
  probeDirectory(flag, dir, existing);
}

void requireInputFile(const std::string &flag, const std::string &path, const std::string &what) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw std::runtime_error(fmt::format("{} '{}': is a directory, not {}", flag, path, what));
}

} // namespace aec::rt
