#include <aec/AtomicFile.h>

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <signal.h>
#include <unistd.h>

namespace aec::rt {

std::string tempPathFor(const std::string &path) {
  return fmt::format("{}.tmp.{}", path, static_cast<long>(::getpid()));
}

void writeAtomically(const std::string &path, const std::function<void(const std::string &)> &write) {
  const std::string tmp = tempPathFor(path);
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, why));
  }
}

void writeFileAtomically(const std::string &path, const std::string &bytes) {
  writeAtomically(path, [&](const std::string &tmp) {
    FILE *f = std::fopen(tmp.c_str(), "wb");
    if (!f)
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
    // A full disk often shows up only at flush/close, so both are checked.
    bool ok = written == bytes.size() && std::fflush(f) == 0;
    int err = errno;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok)
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(err ? err : errno)));
  });
}

namespace {
bool allOf(const std::string &s, size_t from, size_t to, int (*pred)(int)) {
  for (size_t i = from; i < to; ++i)
    if (!pred(static_cast<unsigned char>(s[i])))
      return false;
  return to > from;
}

/// The writer's pid when `name` is `<base>.tmp.<pid>` or `<base>.tmp.<pid>.XXXXXX`, else 0.
long temporaryOwner(const std::string &name, const std::string &base) {
  const std::string prefix = base + ".tmp.";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
    return 0;
  size_t end = name.find('.', prefix.size());
  if (end == std::string::npos)
    end = name.size();
  else if (name.size() - end != 7 || !allOf(name, end + 1, name.size(), [](int c) { return std::isalnum(c); }))
    return 0; // libzip's mkstemp suffix is exactly 6 letters or digits
  if (end - prefix.size() > 9 || !allOf(name, prefix.size(), end, [](int c) { return std::isdigit(c); }))
    return 0;
  return std::stol(name.substr(prefix.size(), end - prefix.size()));
}
} // namespace

std::vector<std::string> removeStaleTemporaries(const std::string &path) {
  namespace fs = std::filesystem;
  std::vector<std::string> removed;
  const fs::path target(path);
  const std::string base = target.filename().string();
  if (base.empty())
    return removed;
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const long pid = temporaryOwner(name, base);
    if (pid <= 0 || pid == static_cast<long>(::getpid()) || !it->is_regular_file(ec))
      continue;
    // kill(pid, 0) fails with ESRCH only when no such process exists (EPERM: it runs as
    // another user, so it may still be writing).
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
      continue;
    std::error_code rmError;
    if (fs::remove(it->path(), rmError))
      removed.push_back((dir / name).string());
  }
  return removed;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    throw std::runtime_error(fmt::format("cannot read '{}'", path));
  return ss.str();
}

} // namespace aec::rt
