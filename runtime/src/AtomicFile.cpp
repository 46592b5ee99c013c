#include <aec/AtomicFile.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
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
