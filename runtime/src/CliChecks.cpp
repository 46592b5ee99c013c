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

namespace {
/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}
} // namespace

std::string closestName(const std::string &word, const std::vector<std::string> &options) {
  std::string best;
  size_t bestDist = std::numeric_limits<size_t>::max();
  for (const std::string &o : options) {
    const size_t d = editDistance(word, o);
    if (d < bestDist) {
      bestDist = d;
      best = o;
    }
  }
  if (bestDist <= std::clamp<size_t>(word.size() / 3, 1, 3))
    return best;
  for (const std::string &o : options)
    if (std::min(word.size(), o.size()) >= 3 && (o.rfind(word, 0) == 0 || word.rfind(o, 0) == 0))
      return o;
  return "";
}

} // namespace aec::rt
