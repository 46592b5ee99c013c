/// IDX reading through zlib's gzread, which also reads uncompressed files transparently.
#include <aec/Idx.h>

#include <aec/CheckedSize.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace aec::rt {
namespace {

struct GzCloser {
  void operator()(gzFile_s *f) const { gzclose(f); }
};

void readExact(gzFile f, void *dst, size_t n, const std::string &path) {
  char *p = static_cast<char *>(dst);
  while (n > 0) {
    // gzread takes an unsigned count; read in chunks to stay far below its limit.
    unsigned chunk = static_cast<unsigned>(std::min<size_t>(n, 1u << 30));
    int got = gzread(f, p, chunk);
    if (got <= 0) {
      int errnum = 0;
      const char *msg = gzerror(f, &errnum);
      throw std::runtime_error(fmt::format("'{}': truncated or corrupt IDX file{}", path,
                                           errnum ? std::string(": ") + msg : ""));
    }
    p += got;
    n -= static_cast<size_t>(got);
  }
}

template <typename T> T bigEndian(const unsigned char *p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v = (v << 8) | p[i];
  T out;
  if constexpr (sizeof(T) == 8) {
    std::memcpy(&out, &v, 8);
  } else {
    auto narrow = static_cast<std::conditional_t<sizeof(T) == 4, uint32_t,
                                                 std::conditional_t<sizeof(T) == 2, uint16_t, uint8_t>>>(v);
    std::memcpy(&out, &narrow, sizeof(T));
  }
  return out;
}

template <typename T> void convert(const std::vector<unsigned char> &raw, std::vector<float> &out) {
  out.resize(raw.size() / sizeof(T));
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<float>(bigEndian<T>(raw.data() + i * sizeof(T)));
}

} // namespace

Array readIdx(const std::string &path, int64_t maxRows) {
  if (!std::filesystem::is_regular_file(path))
    throw std::runtime_error(fmt::format("cannot open '{}': no such file", path));
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  if (!f)
    throw std::runtime_error(fmt::format("cannot open '{}'", path));
  unsigned char magic[4];
  readExact(f.get(), magic, 4, path);
  if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0 || magic[3] > 8)
    throw std::runtime_error(fmt::format("'{}' is not an IDX file (bad magic)", path));
  const int type = magic[2], ndims = magic[3];
  size_t elem;
  switch (type) {
  case 0x08: case 0x09: elem = 1; break;
  case 0x0B: elem = 2; break;
  case 0x0C: case 0x0D: elem = 4; break;
  case 0x0E: elem = 8; break;
  default:
    throw std::runtime_error(fmt::format("'{}': unknown IDX element type 0x{:02x}", path, type));
  }
  Array a;
  for (int i = 0; i < ndims; ++i) {
    unsigned char d[4];
    readExact(f.get(), d, 4, path);
    a.dims.push_back(bigEndian<uint32_t>(d));
  }
  // Only the samples asked for are read (and checked to be present).
  const Dims declared = a.dims;
  const int64_t declaredRows = a.dims.empty() ? 0 : a.dims[0];
  if (maxRows >= 0 && declaredRows > maxRows)
    a.dims[0] = maxRows;
  // The header's dimensions are a claim: check them against the data present before
  // allocating. A plain file's size is known; a gzip stream's is not, so its buffer grows
  // only as data actually arrives.
  const std::optional<int64_t> count = checkedProduct(a.dims);
  const std::optional<int64_t> need = count ? checkedMul(*count, static_cast<int64_t>(elem)) : std::nullopt;
  const size_t headerBytes = 4 + 4 * static_cast<size_t>(ndims);
  auto lie = [&](const std::string &holds) {
    return std::runtime_error(fmt::format(
        "'{}': the IDX header declares shape [{}] of {}-byte values ({} bytes{}), but the file holds {}",
        path, fmt::join(declared, ", "), elem, need ? std::to_string(*need) : "more than 2^63",
        !a.dims.empty() && declaredRows != a.dims[0] ? fmt::format(" in the first {} of its {} samples", a.dims[0], declaredRows) : "",
        holds));
  };
  if (!need)
    throw lie(fmt::format("{} bytes in all", std::filesystem::file_size(path)));
  std::vector<unsigned char> raw;
  if (gzdirect(f.get())) {
    const uintmax_t fileBytes = std::filesystem::file_size(path);
    const uintmax_t dataBytes = fileBytes >= headerBytes ? fileBytes - headerBytes : 0;
    if (dataBytes < static_cast<uintmax_t>(*need))
      throw lie(fmt::format("{} bytes of data", dataBytes));
    raw.resize(static_cast<size_t>(*need));
    readExact(f.get(), raw.data(), raw.size(), path);
  } else {
    const size_t chunk = 1 << 20;
    while (raw.size() < static_cast<size_t>(*need)) {
      const size_t at = raw.size();
      raw.resize(at + std::min(chunk, static_cast<size_t>(*need) - at));
      const int got = gzread(f.get(), raw.data() + at, static_cast<unsigned>(raw.size() - at));
      if (got < 0) {
        int errnum = 0;
        throw std::runtime_error(fmt::format("'{}': corrupt gzip data: {}", path, gzerror(f.get(), &errnum)));
      }
      raw.resize(at + static_cast<size_t>(got));
      if (got == 0)
        throw lie(fmt::format("{} bytes of data (uncompressed)", raw.size()));
    }
  }
  switch (type) {
  case 0x08: convert<uint8_t>(raw, a.data); break;
  case 0x09: convert<int8_t>(raw, a.data); break;
  case 0x0B: convert<int16_t>(raw, a.data); break;
  case 0x0C: convert<int32_t>(raw, a.data); break;
  case 0x0D: convert<float>(raw, a.data); break;
  default: convert<double>(raw, a.data); break;
  }
  return a;
}

} // namespace aec::rt
